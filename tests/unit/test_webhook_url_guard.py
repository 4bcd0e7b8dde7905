"""Webhook URLs reach public addresses only (DESIGN 4.9), as pure functions.

No test here resolves a name or sends anything: addresses are literals, and the
resolver is a function the test passes in.
"""

import pytest

from app.webhooks.url_guard import REFUSED, addresses_problem, is_public, literal_address, url_problem

INSIDE = [
    "http://127.0.0.1/hook",
    "http://127.1/hook",
    "http://2130706433/hook",  # decimal
    "http://0x7f000001/hook",  # hex
    "http://0177.0.0.1/hook",  # octal
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",  # IPv4-mapped IPv6
    "http://[::ffff:7f00:1]/hook",
    "http://0.0.0.0/hook",
    "http://[::]/hook",
    "http://169.254.169.254/latest/meta-data",  # link-local (cloud metadata)
    "http://[fe80::1]/hook",
    "http://10.1.2.3/hook",
    "http://172.16.0.1/hook",
    "http://192.168.1.1/hook",
    "http://100.64.0.1/hook",  # shared address space (carrier NAT)
    "http://224.0.0.1/hook",  # multicast
    "http://240.0.0.1/hook",  # reserved
    "http://[fc00::1]/hook",  # unique local
    "http://[2002:7f00:1::]/hook",  # 6to4 of 127.0.0.1
    "http://localhost:8080/hook",
    "http://api.localhost/hook",
]
OUTSIDE = ["https://93.184.216.34/hook", "http://[2606:4700:4700::1111]/hook", "https://8.8.8.8:8443/x"]


async def no_dns(host: str, port: int) -> list[str]:
    raise AssertionError(f"a literal address must not be resolved: {host}")


@pytest.mark.parametrize("url", INSIDE)
async def test_addresses_inside_are_refused_in_every_spelling(url: str) -> None:
    assert await url_problem(url, no_dns, require_resolution=False) == REFUSED


@pytest.mark.parametrize("url", OUTSIDE)
async def test_public_addresses_pass(url: str) -> None:
    assert await url_problem(url, no_dns, require_resolution=True) is None


async def test_a_name_is_judged_by_every_address_it_resolves_to() -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return {"public.test": ["93.184.216.34"], "mixed.test": ["93.184.216.34", "10.0.0.5"]}[host]

    assert await url_problem("https://public.test/x", resolver, require_resolution=True) is None
    assert await url_problem("https://mixed.test/x", resolver, require_resolution=True) == REFUSED


async def test_a_name_that_does_not_resolve_fails_at_delivery_but_not_at_creation() -> None:
    async def resolver(host: str, port: int) -> list[str]:
        raise OSError("no such name")

    assert await url_problem("https://nowhere.test/x", resolver, require_resolution=False) is None
    assert await url_problem("https://nowhere.test/x", resolver, require_resolution=True) is not None


def test_resolved_addresses_include_mapped_ipv6() -> None:
    assert addresses_problem(["::ffff:10.0.0.1"]) == REFUSED
    assert addresses_problem([]) is not None
    assert addresses_problem(["93.184.216.34", "2606:4700:4700::1111"]) is None


def test_literal_spellings_parse_to_the_address_they_mean() -> None:
    assert str(literal_address("2130706433")) == "127.0.0.1"
    assert str(literal_address("0x7f.1")) == "127.0.0.1"
    assert literal_address("example.com") is None
    mapped = literal_address("[::ffff:127.0.0.1]")
    assert mapped is not None and not is_public(mapped)
