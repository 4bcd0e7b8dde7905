"""Answering a query from its plan: the same resolvers, the same loaders, the same
serializers as graphql-core's execution, without its per-field machinery.

Resolvers of one object start together and sibling objects are completed together
(as graphql-core's gather does, without a task each: together.py), so DataLoader
batching is unchanged: a page of 100 customers still reads their parts in one
statement. Anything the plan cannot answer exactly as graphql-core would (a null in a
non-null field, a resolver that raises, too many list items, variables that do not
coerce) raises NotCompiled, and the caller lets graphql-core answer the request
instead: its answer, errors included, is the rule.
"""

from __future__ import annotations

from collections.abc import Awaitable
from types import SimpleNamespace
from typing import Any

from graphql import GraphQLSchema, Undefined
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from strawberry.types.nodes import convert_selections

from app.graphql.compiled.plan import FieldPlan, NotCompiled, ObjectPlan, OperationPlan
from app.graphql.compiled.together import run_together

Pending = tuple[FieldPlan, Awaitable[Any], dict[str, Any]]
"""An awaiting field: its plan, its resolver's awaitable, the object it fills."""


class PlanInfo:
    """What a resolver may ask of its `info`: the context, and the selection below the
    field (`selected_fields`, as Strawberry's Info gives it)."""

    __slots__ = ("_field", "_walk", "context")

    def __init__(self, walk: Walk, field: FieldPlan) -> None:
        self.context = walk.context
        self._walk = walk
        self._field = field

    @property
    def selected_fields(self) -> list[Any]:
        raw = SimpleNamespace(
            fragments=self._walk.plan.fragments, variable_values=self._walk.variables.coerced
        )
        return convert_selections(raw, list(self._field.field_nodes))  # type: ignore[arg-type]


def coerce_variables(schema: GraphQLSchema, plan: OperationPlan, inputs: dict[str, Any]) -> VariableValues:
    coerced = get_variable_values(schema, plan.variable_definitions, inputs)
    if isinstance(coerced, list):  # errors: graphql-core words them
        raise NotCompiled("variables")
    return coerced


class Walk:
    """One request's answer from a plan."""

    def __init__(self, plan: OperationPlan, context: Any, variables: VariableValues, max_nodes: int) -> None:
        self.plan = plan
        self.context = context
        self.variables = variables
        self.max_nodes = max_nodes
        self.nodes = 0
        self._arguments: dict[int, dict[str, Any]] = {}

    async def data(self) -> dict[str, Any]:
        pending: list[Pending] = []
        try:
            data = self.object_value(self.plan.root, None, pending)
        except BaseException:
            _close(pending)
            raise
        await self.settle(pending)
        return data

    def arguments(self, field: FieldPlan) -> dict[str, Any]:
        # The same for every object of the request (the variables are fixed): once.
        found = self._arguments.get(id(field))
        if found is None:
            values = get_argument_values(field.field_def, field.field_node, self.variables)
            found = self._arguments[id(field)] = {
                field.arguments[name]: value for name, value in values.items()
            }
        return found

    def resolve(self, field: FieldPlan, source: Any) -> Any:
        """A field's resolver, called (plain fields are read in `object_value`)."""
        assert field.resolver is not None
        kwargs = dict(self.arguments(field)) if field.arguments else {}
        if field.info_name is not None:
            kwargs[field.info_name] = PlanInfo(self, field)
        return field.resolver(source, **kwargs) if field.pass_self else field.resolver(**kwargs)

    def object_value(self, plan: ObjectPlan, source: Any, pending: list[Pending]) -> dict[str, Any]:
        """The object's answer; what awaits is left in `pending` with its place held
        (the key keeps its position in the response's order), filled by `settle`."""
        out: dict[str, Any] = {}
        for field in plan.fields:
            if field.typename is not None:
                out[field.key] = field.typename
                continue
            # A plain field is an attribute read (inlined: most fields of a page are).
            if field.resolver is None:
                value = getattr(source, field.python_name)
            else:
                value = self.resolve(field, source)  # a failure: the caller closes `pending`
            if field.is_async:
                out[field.key] = None
                pending.append((field, value, out))
            else:
                out[field.key] = self.complete(field, value, pending)
        return out

    async def settle(self, pending: list[Pending]) -> None:
        """Every awaiting field of the request's objects at this depth, run together
        (without a task each: together.py), so the loaders see all a page's keys in
        one turn."""
        if pending:
            await run_together([self._awaited(field, value, out) for field, value, out in pending])

    async def _awaited(self, field: FieldPlan, value: Awaitable[Any], out: dict[str, Any]) -> None:
        below: list[Pending] = []
        try:
            out[field.key] = self.complete(field, await value, below)
        except BaseException:
            _close(below)
            raise
        await self.settle(below)

    def complete(self, field: FieldPlan, value: Any, pending: list[Pending]) -> Any:
        shape = field.shape
        if value is None:
            if not shape.nullable:
                raise NotCompiled("null in a non-null field")
            return None
        if shape.is_list:
            items = value if isinstance(value, list | tuple) else list(value)
            self.nodes += len(items)
            if self.nodes > self.max_nodes:
                raise NotCompiled("too many list items")  # the executor refuses it, worded
            if not shape.item_nullable and None in items:
                raise NotCompiled("null in a non-null list item")
            if shape.serialize is not None:
                return [None if item is None else self.leaf(shape.serialize, item) for item in items]
            children = field.children
            assert children is not None
            return [None if item is None else self.object_value(children, item, pending) for item in items]
        serialize = shape.serialize
        if serialize is not None:
            serialized = serialize(value)  # Walk.leaf, inlined: a leaf per scalar field
            if serialized is Undefined or serialized is None:
                raise NotCompiled("a leaf that does not serialize")
            return serialized
        assert field.children is not None
        return self.object_value(field.children, value, pending)

    @staticmethod
    def leaf(serialize: Any, value: Any) -> Any:
        serialized = serialize(value)
        if serialized is Undefined or serialized is None:
            raise NotCompiled("a leaf that does not serialize")
        return serialized


def _close(pending: list[Pending]) -> None:
    """Resolvers' coroutines that will never run now: closed, not left to warn."""
    for _, awaitable, _ in pending:
        close = getattr(awaitable, "close", None)
        if close is not None:
            close()
