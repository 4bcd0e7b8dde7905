"""Structured logs (structlog): one JSON line per event in production.

Never log a key, an Authorization header or an IP address: request logs carry only
method, path, status and duration.
"""

import logging

import structlog


def configure_logging(level: str, json: bool) -> None:
    logging.basicConfig(format="%(message)s", level=level.upper())
    # uvicorn's access log prints the client address: an IP address must never be logged.
    logging.getLogger("uvicorn.access").disabled = True
    renderer = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        cache_logger_on_first_use=True,
    )


log = structlog.get_logger("app")
