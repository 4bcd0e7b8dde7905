"""Virtual currency balances (DESIGN 4.8): codes, adjustments and their descriptions."""

from __future__ import annotations

import re

from app.domain.enums import CustomerEventType
from app.domain.errors import DomainError, ErrorCode

CURRENCY_CODE_PATTERN = re.compile(r"^[A-Z0-9]{1,10}$")
CODE_FIELD = ("input", "code")
AMOUNT_FIELD = ("input", "amount")


def validate_currency_code(code: str) -> str:
    """Return `code` if it is 1 to 10 uppercase letters or digits (e.g. GEMS, COIN2).

    Codes are shown in event descriptions and webhook bodies as they are, so they are
    not normalized: `gems` is refused rather than silently becoming `GEMS`.
    """
    if CURRENCY_CODE_PATTERN.fullmatch(code) is None:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "Currency code must be 1 to 10 uppercase letters or digits.",
            CODE_FIELD,
        )
    return code


def apply_adjustment(balance: int, amount: int) -> int:
    """The balance after adding `amount` (positive grants, negative spends).

    A zero adjustment would write an event that changes nothing, so it is refused; a
    spend larger than the balance is refused rather than clipped, since the app must
    know the purchase with virtual currency did not happen.
    """
    if amount == 0:
        raise DomainError(ErrorCode.INVALID_INPUT, "Amount must not be 0.", AMOUNT_FIELD)
    result = balance + amount
    if result < 0:
        raise DomainError(
            ErrorCode.INSUFFICIENT_BALANCE,
            f"Balance is {balance}; cannot spend {-amount}.",
            AMOUNT_FIELD,
        )
    if result > MAX_BALANCE:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"A balance is at most {MAX_BALANCE} (it is {balance}).",
            AMOUNT_FIELD,
        )
    return result


# Balances are GraphQL Ints (32-bit signed): a larger one could never be read back.
MAX_BALANCE = 2**31 - 1


def adjustment_event_type(amount: int) -> CustomerEventType:
    """GRANTED_VIRTUAL_CURRENCY for a positive amount, SPENT_VIRTUAL_CURRENCY otherwise."""
    _require_nonzero(amount)
    if amount > 0:
        return CustomerEventType.GRANTED_VIRTUAL_CURRENCY
    return CustomerEventType.SPENT_VIRTUAL_CURRENCY


def describe_adjustment(code: str, amount: int) -> str:
    """The timeline text: "Granted 100 GEMS" or "Spent 30 GEMS"."""
    _require_nonzero(amount)
    verb = "Granted" if amount > 0 else "Spent"
    return f"{verb} {abs(amount)} {code}"


def _require_nonzero(amount: int) -> None:
    if amount == 0:
        raise ValueError("a virtual currency adjustment is never 0")
