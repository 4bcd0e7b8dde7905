"""Country of an IP address, from the offline database shipped in the `iptocc` package.

Used by `recordAppOpen` (DESIGN 4.1). The address is only looked up, never kept.
"""

from __future__ import annotations

import ipaddress

import iptocc


def country_for_ip(address: str) -> str | None:
    """ISO 3166-1 alpha-2 code of the country of `address`, or None.

    None for anything that is not a public IPv4/IPv6 address (garbage, private,
    loopback, link-local, reserved) and for public addresses the database does not
    place: a wrong country is worse than none. The address is parsed first so that no
    input, however malformed, reaches the lookup or raises.
    """
    ip = _public_ip(address)
    if ip is None:
        return None
    code = iptocc.country_code(str(ip))
    if code is None or len(code) != 2 or not code.isalpha():
        return None
    return code.upper()


def _public_ip(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(address.strip())
    except (ValueError, AttributeError):
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if isinstance(ip, ipaddress.IPv6Address) and ip.scope_id is not None:
        return None
    return ip if ip.is_global and not ip.is_multicast else None
