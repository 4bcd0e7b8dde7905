"""Cross-origin requests (Starlette's CORSMiddleware) for dashboards on other origins.

Credentials are off: the API authenticates with a Bearer key, never a cookie, so a
browser never sends anything on a user's behalf that the page did not put there itself.
"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from app.settings import Settings

ALLOWED_HEADERS = ["Authorization", "Content-Type", "X-Request-ID"]
# Preflight answers are cached by the browser this long (seconds).
PREFLIGHT_MAX_AGE = 600


def cors_middleware(settings: Settings) -> list[Middleware]:
    origins = settings.cors_origin_list
    if not origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_credentials=False,
            allow_methods=["GET", "POST"],
            allow_headers=ALLOWED_HEADERS,
            expose_headers=["X-Request-ID"],
            max_age=PREFLIGHT_MAX_AGE,
        )
    ]
