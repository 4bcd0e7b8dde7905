"""Global, opaque Relay ids: base64 of "<TypeName>:<primary key>"."""

import base64
import binascii

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
