"""userErrors: expected refusals, as the contract's UserError type."""

import strawberry
from graphql import GraphQLError

from app.domain.errors import DomainError, DomainErrors, ErrorCode

strawberry.enum(ErrorCode, name="UserErrorCode")


@strawberry.type(description="An expected failure of a mutation: the request was understood and refused.")
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path to the input field at fault, e.g. ["input", "body"].'
    )
    message: str
    code: ErrorCode


def user_error(error: DomainError) -> UserError:
    return UserError(
        field=list(error.field) if error.field else None,
        message=error.message,
        code=error.code,
    )


def user_errors(exc: DomainError | DomainErrors) -> list[UserError]:
    if isinstance(exc, DomainErrors):
        return [user_error(e) for e in exc.errors]
    return [user_error(exc)]


class ForbiddenError(GraphQLError):
    def __init__(self, message: str = "This API key's role may not do this.") -> None:
        super().__init__(message, extensions={"code": "FORBIDDEN"})
