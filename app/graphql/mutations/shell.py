"""The one shell every mutation runs in: its roles, fresh loaders, refusals as userErrors.

    @mutation(roles=SUPPORT_ACTIONS)
    async def add_note(self, info: Info, input: AddNoteInput) -> AddNotePayload:
        note, customer = await notes.add_note(...)
        return AddNotePayload(note=NoteType(row=note), customer=CustomerType(row=customer))

The resolver says only what is particular to it: which roles may call it (read by the
permission table in app/graphql/permissions.py before anything runs), how its input
becomes one service call and how the result becomes its payload. The shell empties the
request's loaders first, so the payload (and any later mutation of the same request)
reads the data as this mutation leaves it, and turns an expected refusal (DomainError)
into the payload's userErrors: the payload class is the resolver's return annotation.
"""

import functools
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import fields, is_dataclass
from datetime import datetime
from typing import Any

import strawberry

from app.domain.enums import ApiKeyRole
from app.domain.errors import DomainError, DomainErrors
from app.domain.events import Actor
from app.graphql.dataloaders.base import forget_loaded
from app.graphql.errors import user_errors
from app.graphql.permissions import ROLES_METADATA

Resolver = Callable[..., Awaitable[Any]]


def _payload_class(resolve: Resolver) -> Callable[..., Any]:
    """The resolver's return annotation: the payload a refusal is answered with."""
    payload: Callable[..., Any] = inspect.signature(resolve, eval_str=True).return_annotation
    if not (is_dataclass(payload) and "user_errors" in {f.name for f in fields(payload)}):
        raise TypeError(f"{resolve.__qualname__} must return a payload with userErrors.")
    return payload


def mutation(*, roles: frozenset[ApiKeyRole], description: str | None = None) -> Callable[[Resolver], Any]:
    """A Strawberry mutation that the given roles (and no other) may call."""
    if not roles:
        raise ValueError("A mutation names the roles that may call it.")

    def decorate(resolve: Resolver) -> Any:
        refused_payload = _payload_class(resolve)

        @functools.wraps(resolve)
        async def shell(*args: Any, **kwargs: Any) -> Any:
            info = kwargs.get("info") or args[1]
            forget_loaded(info.context)
            # No read connection held while the mutation waits for a write one.
            await info.context.reads.release()
            try:
                return await resolve(*args, **kwargs)
            except (DomainError, DomainErrors) as refused:
                return refused_payload(user_errors=user_errors(refused))

        return strawberry.mutation(shell, description=description, metadata={ROLES_METADATA: roles})

    return decorate


def audited(info: Any, reason: str | None) -> tuple[str, str | None, datetime]:
    """Who acts, why and when: the last arguments of an audited support action that
    takes them one by one."""
    ctx = info.context
    return ctx.principal.key_name, reason, ctx.now


def acting(info: Any, reason: str | None) -> dict[str, Any]:
    """Who acts and why (one Actor), and when: the keyword arguments every audited
    support action takes."""
    ctx = info.context
    return {"actor": Actor(ctx.principal.key_name, reason), "now": ctx.now}
