import pytest

from app.domain.geo import country_for_ip


@pytest.mark.parametrize(
    ("address", "country"),
    [
        ("8.8.8.8", "US"),
        ("81.2.69.160", "GB"),
        ("2a00:1450:4001:82a::200e", "IE"),
        (" 8.8.8.8 ", "US"),
        ("::ffff:8.8.8.8", "US"),
    ],
)
def test_public_addresses(address: str, country: str) -> None:
    assert country_for_ip(address) == country


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "127.0.0.1",
        "100.64.0.1",
        "169.254.1.1",
        "0.0.0.0",
        "255.255.255.255",
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fe80::1%eth0",
        "fc00::1",
        "2001:db8::1",
        "::ffff:192.168.1.1",
    ],
)
def test_private_and_special_addresses(address: str) -> None:
    assert country_for_ip(address) is None


@pytest.mark.parametrize(
    "address",
    ["", "garbage", "8.8.8", "8.8.8.256", "8.8.8.8:443", "[2a00:1450::1]", "1.2.3.4\x00", "::g"],
)
def test_invalid_addresses(address: str) -> None:
    assert country_for_ip(address) is None
