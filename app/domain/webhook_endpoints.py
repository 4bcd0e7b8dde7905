"""Rules for webhook endpoints: what a delivery URL and Authorization value may be."""

from urllib.parse import urlsplit

from app.domain.errors import DomainError, ErrorCode

MAX_URL_LENGTH = 2000
MAX_AUTHORIZATION_LENGTH = 5000  # RevenueCat's own limit for this header value


def validate_endpoint_url(url: str) -> str:
    """http(s), a host, and no credentials in the URL (they belong in the Authorization
    header, which is never shown back, not in a URL that is)."""
    field = ("input", "url")
    text = url.strip()
    if not text or len(text) > MAX_URL_LENGTH or any(c.isspace() or ord(c) < 32 for c in text):
        raise DomainError(ErrorCode.INVALID_INPUT, "A URL is 1 to 2000 characters without spaces.", field)
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        raise DomainError(ErrorCode.INVALID_INPUT, "Not a valid URL.", field) from exc
    if parts.scheme not in {"http", "https"}:
        raise DomainError(ErrorCode.INVALID_INPUT, "The URL must start with https:// or http://.", field)
    if not parts.hostname:
        raise DomainError(ErrorCode.INVALID_INPUT, "The URL has no host.", field)
    if parts.username is not None or parts.password is not None:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "Put credentials in authorizationHeader, not in the URL.",
            field,
        )
    return text


def is_header_value(value: str) -> bool:
    """Printable ASCII on one line: what HTTP sends as a header value (no CR or LF, so no
    header can be smuggled in after it)."""
    return all(" " <= c <= "~" or c == "\t" for c in value)


def validate_authorization_header(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    # HTTP sends header values as ASCII: anything else could never be delivered.
    if len(value) > MAX_AUTHORIZATION_LENGTH or not is_header_value(value):
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "The Authorization value is at most 5000 printable ASCII characters on one line.",
            ("input", "authorizationHeader"),
        )
    return value
