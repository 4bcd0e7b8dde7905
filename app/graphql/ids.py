"""Global, opaque Relay ids: base64 of "<TypeName>:<primary key>"."""

import base64
import binascii
from dataclasses import dataclass

from app.domain.errors import DomainError, ErrorCode

# Primary keys are 64-bit: a larger number cannot be ours, and must not reach SQL.
MAX_PK = 2**63 - 1


def valid_pk(pk: int) -> bool:
    return 1 <= pk <= MAX_PK


def encode_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def decode_id(global_id: str) -> tuple[str, int] | None:
    """The (type name, primary key) of a global id, or None when it is not one of ours."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, pk = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        if not (type_name and pk.isdigit() and len(pk) <= 19 and valid_pk(int(pk))):
            return None
        return type_name, int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def decode_id_of(global_id: str, type_name: str) -> int | None:
    decoded = decode_id(global_id)
    return decoded[1] if decoded and decoded[0] == type_name else None


@dataclass(frozen=True)
class IdKind:
    """A type of object a mutation names by global id, and its "no such object" answer."""

    type_name: str
    not_found: ErrorCode
    label: str


# The contract has a NOT_FOUND code for notes and purchases; for the rest, INVALID_INPUT.
NOTE = IdKind("Note", ErrorCode.NOTE_NOT_FOUND, "note")
PURCHASE = IdKind("Purchase", ErrorCode.PURCHASE_NOT_FOUND, "purchase")
API_KEY = IdKind("ApiKey", ErrorCode.INVALID_INPUT, "API key")
WEBHOOK_ENDPOINT = IdKind("WebhookEndpoint", ErrorCode.INVALID_INPUT, "webhook endpoint")
WEBHOOK_DELIVERY = IdKind("WebhookDelivery", ErrorCode.INVALID_INPUT, "webhook delivery")


def not_found(kind: IdKind, field: tuple[str, ...]) -> DomainError:
    return DomainError(kind.not_found, f"No such {kind.label}.", field)


def require_pk(global_id: str, kind: IdKind, field: tuple[str, ...]) -> int:
    """The primary key a mutation's input id names, or the kind's "no such object" refusal.

    One rule for every id: one that is not ours, or names another type, gets the same
    answer as one naming a row that does not exist or belongs to another project (the
    services give it for those), so a caller learns nothing from the difference.
    """
    pk = decode_id_of(global_id, kind.type_name)
    if pk is None:
        raise not_found(kind, field)
    return pk


def encode_cursor(*parts: object) -> str:
    text = "|".join(str(part) for part in parts)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, count: int) -> list[str] | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        parts = base64.urlsafe_b64decode(padded.encode()).decode().split("|")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return parts if len(parts) == count else None
