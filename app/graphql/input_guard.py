"""Strings the database cannot take are refused in one place: NUL characters and lone
UTF-16 surrogates, in literals of the document and in variables alike.

Lists are capped here too, before graphql-core coerces them: coercing a 50,000-item
list into input objects costs seconds of event-loop time before any resolver could
refuse it. A list under a field of `CAPPED_LIST_FIELDS` is cut to one item past its cap,
so the coerced input stays small and the service's own cap answers the userError
(TOO_LARGE) with nothing changed; any other list longer than `MAX_LIST_ITEMS` is refused.

PostgreSQL cannot store NUL in text, and neither database can encode a lone surrogate
(which JSON allows, e.g. "\\ud800"); refusing them up front gives the same clear error on
both databases instead of a failure half-way through a request.
"""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from graphql import GraphQLError, ListValueNode, StringValueNode, ValidationRule
from graphql.execution import ExecutionResult
from strawberry.extensions import SchemaExtension

from app.domain.attributes import MAX_ATTRIBUTES_PER_CALL
from app.domain.receipt_validation import MAX_TRANSACTIONS_PER_RECEIPT

MESSAGE = "Strings may not contain a NUL character (\\u0000) or a lone UTF-16 surrogate."
TOO_DEEP = "Variables may be nested at most 32 levels deep."
MAX_DEPTH = 32
MAX_LIST_ITEMS = 1000
LARGE_LIST_ITEMS = 100
TOO_LONG_LIST = f"Lists may hold at most {MAX_LIST_ITEMS} items."
# Input field -> the cap its service enforces (receipt transactions, attributes per call).
CAPPED_LIST_FIELDS = {
    "transactions": MAX_TRANSACTIONS_PER_RECEIPT,
    "attributes": MAX_ATTRIBUTES_PER_CALL,
}


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

    def enter_list_value(self, node: ListValueNode, *_: Any) -> None:
        if len(node.values) > MAX_LIST_ITEMS:
            self.report_error(GraphQLError(TOO_LONG_LIST, node, extensions={"code": "TOO_LARGE"}))


def cap_lists(variables: Any) -> str | None:
    """Cuts capped lists in place to one item past their cap; says why the variables
    are refused when another list is too long. Iterative, like `variables_problem`."""
    stack: list[tuple[Any, int]] = [(variables, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return TOO_DEEP
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, list) and key in CAPPED_LIST_FIELDS:
                    del item[CAPPED_LIST_FIELDS[key] + 1 :]
                    stack.extend((element, depth + 2) for element in item)
                else:
                    stack.append((item, depth + 1))
        elif isinstance(value, list):
            if len(value) > MAX_LIST_ITEMS:
                return TOO_LONG_LIST
            stack.extend((item, depth + 1) for item in value)
    return None


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


def is_large(variables: Any) -> bool:
    """Variables that hold more than `LARGE_LIST_ITEMS` list items (a receipt of many
    transactions): coercing them is a long stretch of event-loop time of its own."""
    stack = [variables]
    items = 0
    while stack and items <= LARGE_LIST_ITEMS:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            items += len(value)
            stack.extend(value)
    return items > LARGE_LIST_ITEMS


class GuardVariables(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        problem = None
        if ctx.result is None:
            problem = cap_lists(ctx.variables) or variables_problem(ctx.variables)
        if problem is not None:
            code = "TOO_LARGE" if problem == TOO_LONG_LIST else "BAD_USER_INPUT"
            ctx.result = ExecutionResult(data=None, errors=[GraphQLError(problem, extensions={"code": code})])
        elif is_large(ctx.variables):
            # Checking them was one stretch, graphql-core's coercion is the next: other
            # requests get a turn in between (app/services/turns.py).
            await asyncio.sleep(0)
        yield
