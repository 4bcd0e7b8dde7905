"""Domain errors: an expected refusal, carried up to the API as a userError."""

from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID_INPUT = "INVALID_INPUT"
    CUSTOMER_NOT_FOUND = "CUSTOMER_NOT_FOUND"
    NOTE_NOT_FOUND = "NOTE_NOT_FOUND"
    NOTE_BLANK = "NOTE_BLANK"
    NOTE_TOO_LONG = "NOTE_TOO_LONG"
    NOTE_LIMIT_REACHED = "NOTE_LIMIT_REACHED"
    INVALID_ATTRIBUTE_KEY = "INVALID_ATTRIBUTE_KEY"
    RESERVED_ATTRIBUTE_KEY = "RESERVED_ATTRIBUTE_KEY"
    ATTRIBUTE_VALUE_TOO_LONG = "ATTRIBUTE_VALUE_TOO_LONG"
    ATTRIBUTE_LIMIT_REACHED = "ATTRIBUTE_LIMIT_REACHED"
    ENTITLEMENT_NOT_FOUND = "ENTITLEMENT_NOT_FOUND"
    NO_GRANTED_ENTITLEMENT = "NO_GRANTED_ENTITLEMENT"
    SAME_CUSTOMER = "SAME_CUSTOMER"
    NOTHING_TO_TRANSFER = "NOTHING_TO_TRANSFER"
    PURCHASE_NOT_FOUND = "PURCHASE_NOT_FOUND"
    REFUND_NOT_SUPPORTED = "REFUND_NOT_SUPPORTED"
    CANCEL_NOT_SUPPORTED = "CANCEL_NOT_SUPPORTED"
    ALREADY_REFUNDED = "ALREADY_REFUNDED"
    ALREADY_CANCELLED = "ALREADY_CANCELLED"
    OFFERING_NOT_FOUND = "OFFERING_NOT_FOUND"
    PRODUCT_NOT_FOUND = "PRODUCT_NOT_FOUND"
    RECEIPT_ALREADY_OWNED = "RECEIPT_ALREADY_OWNED"
    INSUFFICIENT_BALANCE = "INSUFFICIENT_BALANCE"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    STORE_NOT_CONFIGURED = "STORE_NOT_CONFIGURED"
    STORE_ERROR = "STORE_ERROR"
    VERIFICATION_FAILED = "VERIFICATION_FAILED"
    VERIFICATION_REQUIRED = "VERIFICATION_REQUIRED"
    TOO_LARGE = "TOO_LARGE"


class DomainError(Exception):
    """A request that was understood and refused.

    `field` is the path to the input field at fault, e.g. ("input", "body").
    """

    def __init__(self, code: ErrorCode, message: str, field: tuple[str, ...] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class DomainErrors(Exception):
    """Several refusals found at once (e.g. every bad attribute of one call)."""

    def __init__(self, errors: list[DomainError]):
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors
