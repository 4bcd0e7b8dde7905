"""HTTP clients for calls out of the service (stores, webhook receivers).

Every client verifies TLS against the same CA bundle httpx uses by default (certifi),
through one SSL context built once per process: loading the bundle costs about 20 ms,
which each store adapter and the dispatcher used to pay again for each client.
"""

from __future__ import annotations

import ssl
from functools import cache
from typing import Any

import certifi
import httpx


@cache
def tls_context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=certifi.where())


def outbound_client(**options: Any) -> httpx.AsyncClient:
    """An httpx client with the shared TLS context; `options` as httpx.AsyncClient's."""
    return httpx.AsyncClient(verify=tls_context(), **options)
