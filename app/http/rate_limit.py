"""Rate limits (DESIGN 4.11) with the `limits` library: per key, per client address
without a key, and a harder limit on failed key checks per address.

Storage is in-process by default (`memory://`) and Redis when several replicas run
(`RATE_LIMIT_STORAGE=redis://host:6379/0`). A public SDK key ships inside every copy
of the app, so its limit is counted per key and client address together; other keys
are counted per key. Client addresses never reach the storage or a log line: they are
replaced by an HMAC whose key every replica derives from its shared DATABASE_URL.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from collections import OrderedDict
from collections.abc import Callable

from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from app.logging import log
from app.settings import Settings

CODE = "RATE_LIMITED"
MESSAGE = "Too many requests: slow down and retry after the time in Retry-After."
_LOGGED_BURSTS = 1024


class RateLimited(Exception):
    """The request is over a limit; `retry_after` is in whole seconds."""

    def __init__(self, retry_after: int, reason: str) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        self.reason = reason


def storage_uri(setting: str) -> str:
    """`limits` names its asyncio storages `async+<scheme>://`."""
    return setting if setting.startswith("async+") else f"async+{setting}"


def address_token(secret: bytes, address: str | None) -> str:
    """What stands for a client address in the limiter: never the address itself."""
    return hmac.new(secret, (address or "unknown").encode(), hashlib.sha256).hexdigest()[:32]


class RateLimiter:
    def __init__(self, settings: Settings, clock: Callable[[], float] = time.time) -> None:
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri(settings.rate_limit_storage)))
        self.per_key: RateLimitItem = parse(settings.rate_limit_per_key)
        self.per_address: RateLimitItem = parse(settings.rate_limit_per_address)
        self.failed_auth: RateLimitItem = parse(settings.rate_limit_failed_auth)
        self.secret = hashlib.sha256(b"rate-limit:" + settings.database_url.encode()).digest()
        self.namespace = self.secret.hex()[:12]
        self.clock = clock
        # Addresses whose key-guessing burst was logged already, until its window ends.
        self.bursts: OrderedDict[str, float] = OrderedDict()

    def address(self, address: str | None) -> str:
        return address_token(self.secret, address)

    async def check_failures(self, address: str) -> None:
        """Refuse an address that failed too many key checks, before checking another."""
        if not await self.limiter.test(self.failed_auth, "failed-auth", address):
            retry_after = await self._retry_after(self.failed_auth, "failed-auth", address)
            self._log_burst(address, retry_after)
            raise RateLimited(retry_after, "failed-auth")

    async def record_failure(self, address: str) -> None:
        await self.limiter.hit(self.failed_auth, "failed-auth", address)

    async def hit_key(self, api_key_id: int | None, sdk: bool, address: str) -> None:
        # Key ids are per database: the namespace keeps two installs sharing a Redis apart.
        key = (self.namespace, str(api_key_id))
        identifiers = ("key", *key, address) if sdk else ("key", *key)
        if not await self.limiter.hit(self.per_key, *identifiers):
            raise RateLimited(await self._retry_after(self.per_key, *identifiers), "key")

    async def hit_address(self, address: str) -> None:
        if not await self.limiter.hit(self.per_address, "address", address):
            raise RateLimited(await self._retry_after(self.per_address, "address", address), "address")

    async def _retry_after(self, item: RateLimitItem, *identifiers: str) -> int:
        stats = await self.limiter.get_window_stats(item, *identifiers)
        return max(1, math.ceil(stats.reset_time - self.clock()))

    def _log_burst(self, address: str, retry_after: int) -> None:
        """One log line per key-guessing burst, not one per refused guess."""
        now = self.clock()
        if self.bursts.get(address, 0.0) > now:
            return
        self.bursts[address] = now + retry_after
        self.bursts.move_to_end(address)
        while len(self.bursts) > _LOGGED_BURSTS:
            self.bursts.popitem(last=False)
        log.warning("failed_auth_rate_limited", client=address[:12], retry_after=retry_after)
