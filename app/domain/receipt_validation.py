"""What makes a posted receipt acceptable, before anything is read or written: every
problem is reported on its input field, so a client can fix them all in one go.

Pure code: no I/O.
"""

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from app.domain.enums import Environment, Store
from app.domain.errors import DomainError, DomainErrors, ErrorCode
from app.domain.identity import validate_app_user_id
from app.domain.receipts import TransactionState

MAX_TRANSACTIONS_PER_RECEIPT = 1000
MAX_ID_LENGTH = 255
# Stores never report purchases from the future; a day of slack absorbs clock skew.
MAX_PURCHASE_CLOCK_SKEW = timedelta(days=1)
_CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True, slots=True)
class StoreRefs:
    """The store's own ids of a transaction, needed to refund or cancel it there."""

    package_name: str | None = None  # Google Play
    purchase_token: str | None = None  # Google Play
    subscription_id: str | None = None  # Web Billing (Stripe)
    payment_id: str | None = None  # Web Billing (Stripe payment intent)


@dataclass(frozen=True, slots=True)
class PostedReceipt:
    app_user_id: str
    store: Store
    environment: Environment
    transactions: list[TransactionState]
    store_refs: dict[str, StoreRefs] = dataclasses.field(default_factory=dict)  # by transaction id


def validate_receipt(receipt: PostedReceipt, now: datetime) -> None:
    validate_app_user_id(receipt.app_user_id)
    if receipt.store is Store.PROMOTIONAL:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "PROMOTIONAL purchases are made by grantEntitlement, not posted.",
            ("input", "store"),
        )
    if len(receipt.transactions) > MAX_TRANSACTIONS_PER_RECEIPT:
        raise DomainError(
            ErrorCode.TOO_LARGE,
            f"A receipt holds at most {MAX_TRANSACTIONS_PER_RECEIPT} transactions.",
            ("input", "transactions"),
        )
    problems = validate_transactions(receipt.transactions, now)
    problems += _text_problems(receipt)
    if problems:
        raise DomainErrors(
            [
                DomainError(ErrorCode.INVALID_INPUT, message, ("input", "transactions", str(index), field))
                for index, field, message in problems
            ]
        )


def _text_problems(receipt: PostedReceipt) -> list[tuple[int, str, str]]:
    """Ids longer than the columns keep, and malformed country codes. (NUL and other
    unstorable strings are refused for every request by app/graphql/input_guard.py.)"""
    problems = []
    for index, txn in enumerate(receipt.transactions):
        refs = receipt.store_refs.get(txn.transaction_id) or StoreRefs()
        limits = {
            "originalTransactionId": (txn.original_transaction_id, 255),
            "renewalProductId": (txn.renewal_product_id, 255),
            "offerCode": (txn.offer_code, 255),
            "presentedOfferingIdentifier": (txn.presented_offering_id, 255),
            "packageName": (refs.package_name, 255),
            "purchaseToken": (refs.purchase_token, 1000),
            "stripeSubscriptionId": (refs.subscription_id, 255),
            "stripePaymentId": (refs.payment_id, 255),
        }
        problems += [
            (index, name, f"At most {limit} characters.")
            for name, (value, limit) in limits.items()
            if value is not None and len(value) > limit
        ]
        if txn.country_code is not None and len(txn.country_code) != 2:
            problems.append((index, "countryCode", "An ISO 3166-1 alpha-2 code, e.g. DE."))
    return problems


Problem = tuple[int, str, str]  # (index in the posted list, input field, message)


def validate_transactions(txns: Sequence[TransactionState], now: datetime) -> list[Problem]:
    """Every problem in a posted receipt, so the client can fix them all in one go.

    Fields are named as in the GraphQL input (`StoreTransactionInput`).
    """
    problems: list[Problem] = []
    for index, txn in enumerate(txns):
        problems.extend((index, field, message) for field, message in _transaction_problems(txn, now))
    problems.extend(_conflicting_original_ids(txns))
    return problems


def _transaction_problems(txn: TransactionState, now: datetime) -> list[tuple[str, str]]:
    naive = _naive_datetime_problems(txn)
    # Comparing naive with aware datetimes raises, so dates are compared only when aware.
    date_problems = naive or _date_problems(txn, now)
    return [*_identifier_problems(txn), *_price_problems(txn), *date_problems]


_DATETIME_FIELDS = {
    "purchasedAt": "purchased_at",
    "pausedAt": "paused_at",
    "autoResumeAt": "auto_resume_at",
    "expiresAt": "expires_at",
    "billingIssueDetectedAt": "billing_issue_detected_at",
    "gracePeriodExpiresAt": "grace_period_expires_at",
    "refundedAt": "refunded_at",
}


def _naive_datetime_problems(txn: TransactionState) -> list[tuple[str, str]]:
    problems = []
    for field, attribute in _DATETIME_FIELDS.items():
        value: datetime | None = getattr(txn, attribute)
        if value is not None and value.utcoffset() is None:
            problems.append((field, "must include a time zone"))
    return problems


def _identifier_problems(txn: TransactionState) -> list[tuple[str, str]]:
    problems = []
    for field, value in (("transactionId", txn.transaction_id), ("productId", txn.product_id)):
        if not value.strip():
            problems.append((field, "must not be empty"))
        elif len(value) > MAX_ID_LENGTH:
            problems.append((field, f"must be at most {MAX_ID_LENGTH} characters"))
    return problems


def _price_problems(txn: TransactionState) -> list[tuple[str, str]]:
    problems = []
    if txn.price is not None and txn.currency is None:
        problems.append(("currency", "is required with price"))
    if txn.currency is not None and txn.price is None:
        problems.append(("price", "is required with currency"))
    if txn.currency is not None and not _CURRENCY_CODE.match(txn.currency):
        problems.append(("currency", "must be an ISO 4217 code of 3 uppercase letters"))
    if txn.price is not None and not txn.price.is_finite():
        problems.append(("price", "must be a number"))
    elif txn.price is not None and txn.price < 0:
        problems.append(("price", "must not be negative"))
    elif txn.price is not None and not _is_storable_price(txn.price):
        problems.append(("price", f"must be below {MAX_PRICE} with at most {MAX_PRICE_DECIMALS} decimals"))
    return problems


MAX_PRICE = Decimal("1000000000")
MAX_PRICE_DECIMALS = 6


def _is_storable_price(price: Decimal) -> bool:
    """Prices are kept exactly; an absurd magnitude or precision is a client error."""
    exponent = price.as_tuple().exponent
    return price < MAX_PRICE and isinstance(exponent, int) and -exponent <= MAX_PRICE_DECIMALS


def _date_problems(txn: TransactionState, now: datetime) -> list[tuple[str, str]]:
    problems = []
    if txn.purchased_at > now + MAX_PURCHASE_CLOCK_SKEW:
        problems.append(("purchasedAt", "must not be in the future"))
    if txn.expires_at is not None and txn.expires_at <= txn.purchased_at:
        problems.append(("expiresAt", "must be after purchasedAt"))
    if txn.refunded_at is not None and txn.refunded_at < txn.purchased_at:
        problems.append(("refundedAt", "must not be before purchasedAt"))
    return problems


def _conflicting_original_ids(txns: Sequence[TransactionState]) -> list[Problem]:
    """A transaction id names one store transaction, so it has one original id."""
    problems: list[Problem] = []
    first_original: dict[str, str] = {}
    for index, txn in enumerate(txns):
        original = first_original.setdefault(txn.transaction_id, txn.original_transaction_id)
        if original != txn.original_transaction_id:
            problems.append(
                (
                    index,
                    "originalTransactionId",
                    f"transaction {txn.transaction_id!r} is already listed with "
                    f"original transaction {original!r}",
                )
            )
    return problems
