"""Strings the database cannot take are refused in one place: NUL characters and lone
UTF-16 surrogates, in literals of the document and in variables alike.

PostgreSQL cannot store NUL in text, and neither database can encode a lone surrogate
(which JSON allows, e.g. "\\ud800"); refusing them up front gives the same clear error on
both databases instead of a failure half-way through a request.
"""

from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError, StringValueNode, ValidationRule
from graphql.execution import ExecutionResult
from strawberry.extensions import SchemaExtension

MESSAGE = "Strings may not contain a NUL character (\\u0000) or a lone UTF-16 surrogate."
TOO_DEEP = "Variables may be nested at most 32 levels deep."
MAX_DEPTH = 32


def unstorable(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class NoUnstorableLiterals(ValidationRule):
    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        if unstorable(node.value):
            self.report_error(GraphQLError(MESSAGE, node, extensions={"code": "BAD_USER_INPUT"}))


def variables_problem(variables: Any) -> str | None:
    """Why these variables are refused, or None. Iterative, with a depth cap, so a
    deeply nested value cannot exhaust the stack."""
    stack: list[tuple[Any, int]] = [(variables, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return TOO_DEEP
        if isinstance(value, str):
            if unstorable(value):
                return MESSAGE
        elif isinstance(value, dict):
            for key, item in value.items():
                stack.append((key, depth + 1))
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return None


class GuardVariables(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        problem = variables_problem(ctx.variables) if ctx.result is None else None
        if problem is not None:
            ctx.result = ExecutionResult(
                data=None, errors=[GraphQLError(problem, extensions={"code": "BAD_USER_INPUT"})]
            )
        yield
