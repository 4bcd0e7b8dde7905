"""Rules for project configuration: identifiers, names and list prices."""

import re
import unicodedata
from decimal import Decimal

from app.domain.errors import DomainError, ErrorCode

# Store product ids use dots, colons (Play base plans), dashes; packages use `$rc_`.
IDENTIFIER_PATTERN = re.compile(r"^[^\s\x00-\x1f\x7f]{1,200}$")
CURRENCY_PATTERN = re.compile(r"^[A-Z]{3}$")
MAX_NAME_LENGTH = 200


def validate_identifier(value: str, field: tuple[str, ...]) -> str:
    if not IDENTIFIER_PATTERN.match(value):
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "An identifier is 1 to 200 characters with no spaces or control characters.",
            field,
        )
    return value


def validate_name(value: str, field: tuple[str, ...]) -> str:
    name = value.strip()
    # Names show up in logs and audit lines: no control characters (CR/LF, ESC, NUL ...).
    if not name or len(name) > MAX_NAME_LENGTH or any(unicodedata.category(c) == "Cc" for c in name):
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "A name is 1 to 200 characters, not blank, without control characters.",
            field,
        )
    return name


def validate_text(value: str, field: tuple[str, ...], max_length: int) -> str:
    if len(value) > max_length or "\x00" in value:
        raise DomainError(ErrorCode.INVALID_INPUT, f"At most {max_length} characters, no NUL.", field)
    return value


def validate_list_price(amount: Decimal, currency: str, field: tuple[str, ...]) -> tuple[Decimal, str]:
    exponent = amount.as_tuple().exponent if amount.is_finite() else 0
    if (
        not amount.is_finite()
        or amount < 0
        or amount > Decimal("1000000")
        or not isinstance(exponent, int)
        or exponent < -6
    ):
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "A price is between 0 and 1,000,000, with at most 6 decimals.",
            (*field, "amount"),
        )
    if not CURRENCY_PATTERN.match(currency):
        raise DomainError(
            ErrorCode.INVALID_INPUT, "A currency is an ISO 4217 code such as USD.", (*field, "currency")
        )
    return amount, currency
