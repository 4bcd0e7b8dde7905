"""Query limits for production: depth, aliases, tokens and an estimated cost.

The cost is the number of fields the query could resolve: each field counts once per
object it is resolved on, a paginated field multiplies its subtree by `first`, and a
plain list multiplies by the size it is bounded to. It is computed from the document
alone, before anything runs; a `first` given as a variable counts as the maximum.
"""

from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    get_named_type,
)
from graphql.type import GraphQLInterfaceType, GraphQLUnionType

from app.graphql.pagination import MAX_PAGE_SIZE

# Sizes of the plain (unpaginated) lists: each is bounded by a domain rule or is small.
BOUNDED_LIST_SIZE = 10
LIST_SIZES: dict[str, int] = {
    "Customer.attributes": 50,
    "Project.products": 50,
    "Project.entitlements": 20,
    "Project.offerings": 20,
}


def _is_list(type_: GraphQLOutputType) -> bool:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def _first_argument(node: FieldNode, field_def: Any) -> int | None:
    if "first" not in field_def.args:
        return None
    for argument in node.arguments or ():
        if argument.name.value == "first":
            if isinstance(argument.value, IntValueNode):
                return max(0, min(int(argument.value.value), MAX_PAGE_SIZE))
            return MAX_PAGE_SIZE
    default = field_def.args["first"].default_value
    return default if isinstance(default, int) else MAX_PAGE_SIZE


def make_cost_rule(max_cost: int) -> type[ValidationRule]:
    class QueryCostRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            schema = self.context.schema
            root = schema.mutation_type if node.operation.value == "mutation" else schema.query_type
            if root is None:
                return
            cost = self._cost(self.context, node.selection_set, root, 1, set())
            if cost > max_cost:
                self.report_error(
                    GraphQLError(
                        f"The query's estimated cost {cost} exceeds the limit of {max_cost}. "
                        "Ask for fewer items per page or fewer nested lists.",
                        node,
                        extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "limit": max_cost},
                    )
                )

        def _cost(
            self,
            context: ValidationContext,
            selection_set: SelectionSetNode,
            parent: Any,
            multiplier: int,
            fragments_seen: set[str],
        ) -> int:
            total = 0
            for selection in selection_set.selections:
                if isinstance(selection, FieldNode):
                    total += self._field_cost(context, selection, parent, multiplier, fragments_seen)
                elif isinstance(selection, InlineFragmentNode):
                    target = parent
                    if selection.type_condition is not None:
                        target = context.schema.get_type(selection.type_condition.name.value) or parent
                    total += self._cost(context, selection.selection_set, target, multiplier, fragments_seen)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = context.get_fragment(name)
                    if fragment is None or name in fragments_seen:
                        continue
                    target = context.schema.get_type(fragment.type_condition.name.value) or parent
                    total += self._cost(
                        context, fragment.selection_set, target, multiplier, fragments_seen | {name}
                    )
            return total

        def _field_cost(
            self,
            context: ValidationContext,
            node: FieldNode,
            parent: Any,
            multiplier: int,
            fragments_seen: set[str],
        ) -> int:
            if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
                return multiplier
            field_def = parent.fields.get(node.name.value)
            if field_def is None or node.selection_set is None:
                return multiplier
            child = multiplier
            first = _first_argument(node, field_def)
            if first is not None:
                child *= max(first, 1)
            elif _is_list(field_def.type) and node.name.value != "edges":
                child *= LIST_SIZES.get(f"{parent.name}.{node.name.value}", BOUNDED_LIST_SIZE)
            target = get_named_type(field_def.type)
            if isinstance(target, GraphQLUnionType):
                return multiplier
            return multiplier + self._cost(context, node.selection_set, target, child, fragments_seen)

    return QueryCostRule
