"""Structured logs (structlog with its stdlib integration).

Every log line, ours and those of uvicorn, alembic or any library logging through the
standard `logging` module, goes through one handler: one JSON object per line in
production, readable columns in development. Each line written while a request is
served carries its `request_id` (asgi-correlation-id).

Never log a key, an Authorization header or an IP address: request lines carry only
method, route, operation name, status, duration and the key's public prefix.
"""

import logging
import sys

import structlog
from asgi_correlation_id import correlation_id
from structlog.typing import EventDict, WrappedLogger

# httpx logs every request's full URL at INFO: a webhook URL may hold a token.
# uvicorn's access log prints the client's address.
QUIETED = {"httpx": logging.WARNING, "httpcore": logging.WARNING}
SILENCED = ("uvicorn.access",)


def add_request_id(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    request_id = correlation_id.get()
    if request_id and "request_id" not in event_dict:
        event_dict["request_id"] = request_id
    return event_dict


def configure_logging(level: str, json: bool) -> None:
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_request_id,
    ]
    renderer: structlog.typing.Processor
    if json:
        renderer = structlog.processors.JSONRenderer()
        final: list[structlog.typing.Processor] = [structlog.processors.format_exc_info, renderer]
    else:
        final = [structlog.dev.ConsoleRenderer()]
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *final],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        # uvicorn installs its own plain-text handlers; its lines go through ours instead.
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    for name, quiet_level in QUIETED.items():
        logging.getLogger(name).setLevel(max(quiet_level, logging.getLevelName(level.upper())))
    for name in SILENCED:
        logging.getLogger(name).disabled = True


log = structlog.get_logger("app")


def stdlib_formatter(json: bool, level: str = "INFO") -> logging.Formatter:
    """For uvicorn's dictConfig (`log_config`): configures structlog in the process that
    builds it (each server process) and returns the formatter of our one handler."""
    configure_logging(level, json)
    formatter = logging.getLogger().handlers[0].formatter
    assert formatter is not None
    return formatter


def uvicorn_log_config(level: str, json: bool) -> dict[str, object]:
    """uvicorn's own start-up and error lines rendered like ours, from the first line."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"structured": {"()": "app.logging.stdlib_formatter", "json": json, "level": level}},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "structured",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["default"], "level": level.upper()},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "CRITICAL"},
        },
    }
