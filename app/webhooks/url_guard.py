"""Webhook URLs reach public addresses only (DESIGN 4.9), unless
WEBHOOK_ALLOW_PRIVATE_URLS=true (tests, single-tenant installs).

Checked at creation, for a host written as an address in any spelling the resolver
accepts (127.1, 2130706433, 0x7f000001, [::ffff:127.0.0.1] ...) or a name that
resolves inside, and again before every delivery, after DNS resolution, so a name
cannot be pointed inside later. The rules are pure functions; resolution is passed in.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]
REFUSED = "The URL must point to a public address (not loopback, private, link-local or reserved)."
RESOLVE_SECONDS = 5.0


def is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            return is_public(mapped)
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
        or not address.is_global
    )


def literal_address(host: str) -> IPAddress | None:
    """The address a host names without DNS, in any spelling `inet_aton` accepts."""
    text = host.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(text))
    except (OSError, ValueError):
        return None


def url_host_and_port(url: str) -> tuple[str, int] | None:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def addresses_problem(addresses: Iterable[str]) -> str | None:
    """Refuse when any address a name resolves to is not public (a name with one
    private address among public ones could be made to land on it)."""
    resolved = [literal_address(address) for address in addresses]
    if not resolved:
        return "The URL's host does not resolve."
    if any(address is None or not is_public(address) for address in resolved):
        return REFUSED
    return None


async def system_resolver(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    infos = await asyncio.wait_for(
        loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout=RESOLVE_SECONDS
    )
    return [str(info[4][0]) for info in infos]


async def url_problem(
    url: str, resolve: Resolver = system_resolver, *, require_resolution: bool
) -> str | None:
    """Why deliveries to this URL are refused, or None. At creation a name that does not
    resolve (yet) is allowed; at delivery it is a failed attempt."""
    target = url_host_and_port(url)
    if target is None:
        return None if not require_resolution else "Not a valid URL."
    host, port = target
    literal = literal_address(host)
    if literal is not None:
        return None if is_public(literal) else REFUSED
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return REFUSED
    try:
        addresses = await resolve(host, port)
    except (OSError, TimeoutError, UnicodeError):
        return "The URL's host does not resolve." if require_resolution else None
    return addresses_problem(addresses)
