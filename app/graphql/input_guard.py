"""NUL characters are refused in every string a client sends, in one place.

PostgreSQL cannot store NUL in text and refuses it mid-transaction; SQLite would store
it. Refusing it up front, for literals in the document and for variables alike, gives
the same clear error on both databases instead of a database error.
"""

from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError, StringValueNode, ValidationRule
from graphql.execution import ExecutionResult
from strawberry.extensions import SchemaExtension

MESSAGE = "Strings may not contain a NUL character (\\u0000)."


class NoNulInLiterals(ValidationRule):
    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        if "\x00" in node.value:
            self.report_error(GraphQLError(MESSAGE, node, extensions={"code": "BAD_USER_INPUT"}))


def contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(contains_nul(item) for item in value)
    return False


class NoNulInVariables(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.result is None and contains_nul(ctx.variables):
            ctx.result = ExecutionResult(
                data=None, errors=[GraphQLError(MESSAGE, extensions={"code": "BAD_USER_INPUT"})]
            )
        yield
