import pytest

from app.domain.enums import CustomerEventType
from app.domain.errors import DomainError, ErrorCode
from app.domain.virtual_currency import (
    adjustment_event_type,
    apply_adjustment,
    describe_adjustment,
    validate_currency_code,
)


@pytest.mark.parametrize("code", ["GEMS", "G", "COIN2", "1234567890", "ABCDEFGHIJ"])
def test_valid_codes(code: str) -> None:
    assert validate_currency_code(code) == code


@pytest.mark.parametrize(
    "code", ["", "gems", "Gems", "ABCDEFGHIJK", "GE MS", "GEM-S", "GEM_S", "ÉCU", "GEMS\n", " GEMS"]
)
def test_invalid_codes(code: str) -> None:
    with pytest.raises(DomainError) as caught:
        validate_currency_code(code)
    assert caught.value.code == ErrorCode.INVALID_INPUT
    assert caught.value.field == ("input", "code")


@pytest.mark.parametrize(
    ("balance", "amount", "expected"),
    [(0, 100, 100), (100, -30, 70), (30, -30, 0), (5, 1, 6)],
)
def test_apply_adjustment(balance: int, amount: int, expected: int) -> None:
    assert apply_adjustment(balance, amount) == expected


@pytest.mark.parametrize(("balance", "amount"), [(0, -1), (29, -30)])
def test_balance_never_goes_below_zero(balance: int, amount: int) -> None:
    with pytest.raises(DomainError) as caught:
        apply_adjustment(balance, amount)
    assert caught.value.code == ErrorCode.INSUFFICIENT_BALANCE
    assert caught.value.field == ("input", "amount")


def test_zero_amount_is_invalid() -> None:
    with pytest.raises(DomainError) as caught:
        apply_adjustment(10, 0)
    assert caught.value.code == ErrorCode.INVALID_INPUT
    assert caught.value.field == ("input", "amount")


def test_describe_adjustment() -> None:
    assert describe_adjustment("GEMS", 100) == "Granted 100 GEMS"
    assert describe_adjustment("GEMS", -30) == "Spent 30 GEMS"


def test_event_type() -> None:
    assert adjustment_event_type(1) is CustomerEventType.GRANTED_VIRTUAL_CURRENCY
    assert adjustment_event_type(-1) is CustomerEventType.SPENT_VIRTUAL_CURRENCY


def test_zero_has_no_description_or_event() -> None:
    with pytest.raises(ValueError):
        describe_adjustment("GEMS", 0)
    with pytest.raises(ValueError):
        adjustment_event_type(0)


def test_a_balance_never_exceeds_what_graphql_can_return() -> None:
    from app.domain.virtual_currency import MAX_BALANCE

    assert apply_adjustment(MAX_BALANCE - 1, 1) == MAX_BALANCE
    with pytest.raises(DomainError) as refused:
        apply_adjustment(MAX_BALANCE, 1)
    assert refused.value.code is ErrorCode.INVALID_INPUT
