"""A per-request limit on returned list items ("nodes"), like GitHub's 500,000 per query.

The static cost estimate (app/graphql/limits.py) bounds what a query could ask for; this
bounds what it actually returns: one VIEWER query streamed 13.5 MB for 3.8 s before. Every
list the executor completes adds its length; once the total passes the limit each further
list is refused at once (its subtree never runs), and the response becomes one error,
RESPONSE_TOO_LARGE, with no partial data.
"""

from collections.abc import Iterable, Sized
from typing import Any

from graphql import GraphQLError
from graphql.execution import ExecutionResult
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

CODE = "RESPONSE_TOO_LARGE"


def _message(limit: int) -> str:
    return f"The response would hold more than {limit} list items; ask for fewer per page."


def node_limited_context(
    max_nodes: int, hide_suggestions: bool = False
) -> type[StrawberryGraphQLCoreExecutionContext]:
    """The executor with the node limit; in production it also leaves "Did you mean"
    suggestions out of coercion errors, as validation does."""

    class NodeLimitedExecutionContext(StrawberryGraphQLCoreExecutionContext):
        nodes = 0

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            if hide_suggestions:
                self.hide_suggestions = True

        def complete_iterable_value(
            self,
            item_type: Any,
            field_details_list: Any,
            info: Any,
            path: Any,
            items: Iterable[Any],
            position_context: Any,
        ) -> Any:
            self.nodes += len(items) if isinstance(items, Sized) else 1
            if self.nodes > max_nodes:
                raise GraphQLError(_message(max_nodes), extensions={"code": CODE})
            return super().complete_iterable_value(
                item_type, field_details_list, info, path, items, position_context
            )

        def build_response(self, data: dict[str, Any] | None) -> Any:
            if self.nodes > max_nodes:  # refused whole, not returned in part
                self.run_async_work_finished_hook()
                return ExecutionResult(None, [GraphQLError(_message(max_nodes), extensions={"code": CODE})])
            return super().build_response(data)

    return NodeLimitedExecutionContext
