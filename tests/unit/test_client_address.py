"""Keyless development access only from loopback clients (DESIGN 4.11), as a pure rule."""

import pytest

from app.http.client_address import is_loopback


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
def test_loopback_clients(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize(
    "host",
    [
        "10.0.0.1",
        "192.168.1.2",
        "203.0.113.9",
        "::ffff:10.0.0.1",
        "fe80::1",
        "0.0.0.0",
        "",
        None,
        "localhost",
        "garbage",
    ],
)
def test_other_clients(host: str | None) -> None:
    assert not is_loopback(host)
