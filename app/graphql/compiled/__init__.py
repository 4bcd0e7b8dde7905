"""Compiled reads: queries answered from a plan made once per document (issue 14).

A document is compiled only after graphql-core has answered it, without an error, for
a key of the same role: validation, the query limits and the role check depend on the
document and the role alone, so a plan never answers what the executor would refuse.
What depends on the request (variables, the data, the response's size) is checked by
the plan on every request, and anything unexpected hands the request back to the
executor (app/graphql/compiled/run.py). tests/api/test_compiled_reads.py compares the
two answers byte for byte.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from graphql import GraphQLSchema, GraphQLSyntaxError, parse

from app.domain.enums import ApiKeyRole
from app.graphql.compiled.plan import NotCompiled, OperationPlan, compile_operation
from app.graphql.compiled.run import Walk, coerce_variables
from app.graphql.input_guard import cap_lists, variables_problem
from app.logging import log
from app.observability.metrics import count_compiled_read
from app.observability.requests import record_operation

PlanKey = tuple[str, str | None, ApiKeyRole]
"""(query text, operation name, role of the key)."""

# A document that has no plan: remembered too, so it is not compiled again.
_NO_PLAN = None


class CompiledReads:
    """The plans of the documents a service has answered, most recently used kept."""

    def __init__(self, schema: GraphQLSchema, max_nodes: int, size: int = 256) -> None:
        self.schema = schema
        self.max_nodes = max_nodes
        self.size = size
        self._plans: OrderedDict[PlanKey, OperationPlan | None] = OrderedDict()

    def plan(self, key: PlanKey) -> OperationPlan | None:
        plan = self._plans.get(key)
        if plan is not None:
            self._plans.move_to_end(key)
        return plan

    def knows(self, key: PlanKey) -> bool:
        return key in self._plans

    def learn(self, key: PlanKey) -> None:
        """The executor answered this document for this role without an error."""
        try:
            plan: OperationPlan | None = compile_operation(self.schema, parse(key[0]), key[1])
        except (NotCompiled, GraphQLSyntaxError, KeyError):
            plan = _NO_PLAN
        self._plans[key] = plan
        if len(self._plans) > self.size:
            self._plans.popitem(last=False)

    async def answer(
        self, plan: OperationPlan, context: Any, variables: dict[str, Any]
    ) -> dict[str, Any] | None:
        """The response's data, or None: the executor answers this request instead."""
        if cap_lists(variables) or variables_problem(variables):
            count_compiled_read("fell_back")
            return None  # refused by the executor's variable guard, in its words
        try:
            walk = Walk(plan, context, coerce_variables(self.schema, plan, variables), self.max_nodes)
            data = await walk.data()
        except NotCompiled:
            count_compiled_read("fell_back")
            return None
        except Exception as error:
            # A resolver failed: the executor runs it again and reports it its way
            # (a masked error, or 503 while the database is away).
            log.info("compiled_read_fell_back", error=type(error).__name__)
            count_compiled_read("fell_back")
            return None
        count_compiled_read("answered")
        record_operation(plan.name)
        await context.reads.end()
        return data
