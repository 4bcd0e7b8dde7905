"""A query document compiled to a plan: which resolver answers each response key.

graphql-core executes a document by walking it again on every request: per field it
builds a resolve info, looks the field up, coerces its arguments and dispatches on the
return type, and Strawberry wraps every resolver in its own layers. On a profile that
is half of the CPU (issue 14). A plan does that walk once, when the document is first
answered, and keeps for each field what the walk would find: the resolver function
(or the attribute a plain field reads), how its arguments are coerced, how a leaf is
serialized (the schema's own scalar and enum types), and the plan of what it selects.

Only what can be answered exactly as graphql-core answers it is compiled: queries over
object types, fields merged by response key in graphql-core's order, fragments on the
type itself, arguments of the built-in scalar types. A document with anything else
(directives, abstract types, introspection, arguments of enum or input types, field
extensions) has no plan and is always executed by graphql-core.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Undefined,
    VariableDefinitionNode,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter

# Arguments whose coerced value is what the resolver receives (Strawberry converts
# enums and input objects; those are left to the executor).
PLAIN_SCALARS = frozenset({"String", "Int", "Float", "Boolean", "ID"})


class NotCompiled(Exception):
    """The document (or a value met while answering it) is not for a plan."""


@dataclass(frozen=True, slots=True)
class TypeShape:
    """A field's return type, unwrapped: non-null, list and item nullability."""

    nullable: bool
    is_list: bool
    item_nullable: bool
    serialize: Callable[[Any], Any] | None  # a leaf's serializer; None for an object


@dataclass(slots=True)
class FieldPlan:
    key: str  # the response key: the alias, else the field name
    python_name: str
    resolver: Callable[..., Any] | None  # None: a plain field, read as an attribute
    is_async: bool
    pass_self: bool
    info_name: str | None  # the keyword the resolver takes its info under
    field_def: GraphQLField
    field_node: FieldNode  # the first node of the key (arguments are the same on all)
    field_nodes: tuple[FieldNode, ...]
    arguments: dict[str, str]  # GraphQL argument name -> resolver keyword
    shape: TypeShape
    children: ObjectPlan | None
    typename: str | None = None  # __typename: the constant


@dataclass(slots=True)
class ObjectPlan:
    fields: list[FieldPlan]


@dataclass(slots=True)
class OperationPlan:
    name: str | None
    variable_definitions: tuple[VariableDefinitionNode, ...]
    fragments: dict[str, FragmentDefinitionNode]
    root: ObjectPlan


def compile_operation(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None
) -> OperationPlan:
    """The plan of the document's query operation, or NotCompiled. The document is one
    the schema has validated (a plan is made only after the executor answered it)."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        op for op in operations if operation_name is None or (op.name and op.name.value == operation_name)
    ]
    if len(chosen) != 1 or chosen[0].operation is not OperationType.QUERY:
        raise NotCompiled("one query operation")
    operation = chosen[0]
    variables = tuple(operation.variable_definitions or ())
    if operation.directives or any(v.directives for v in variables):
        raise NotCompiled("directives")
    for variable in variables:
        if not _plain_scalar_type(variable.type):
            raise NotCompiled("variables of enum or input types")
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    assert schema.query_type is not None
    root = _object_plan(schema.query_type, [operation.selection_set], fragments)
    return OperationPlan(
        name=operation.name.value if operation.name else None,
        variable_definitions=variables,
        fragments=fragments,
        root=root,
    )


def _plain_scalar_type(node: Any) -> bool:
    while isinstance(node, NonNullTypeNode):
        node = node.type
    return getattr(node, "name", None) is not None and node.name.value in PLAIN_SCALARS


def _collect(
    type_: GraphQLObjectType,
    selection_sets: list[SelectionSetNode],
    fragments: dict[str, FragmentDefinitionNode],
) -> dict[str, list[FieldNode]]:
    """Field nodes by response key, in graphql-core's order (first occurrence, with
    fragments expanded where they stand)."""
    grouped: dict[str, list[FieldNode]] = {}
    visited: set[str] = set()  # as graphql-core: a fragment spread again adds nothing

    def visit(selection_set: SelectionSetNode) -> None:
        for selection in selection_set.selections:
            if selection.directives:
                raise NotCompiled("directives")
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                grouped.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is not None and condition.name.value != type_.name:
                    raise NotCompiled("fragments on other types")
                visit(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in visited:
                    continue
                visited.add(name)
                fragment = fragments[name]
                if fragment.type_condition.name.value != type_.name:
                    raise NotCompiled("fragments on other types")
                visit(fragment.selection_set)

    for selection_set in selection_sets:
        visit(selection_set)
    return grouped


def _object_plan(
    type_: GraphQLObjectType,
    selection_sets: list[SelectionSetNode],
    fragments: dict[str, FragmentDefinitionNode],
) -> ObjectPlan:
    fields = []
    for key, nodes in _collect(type_, selection_sets, fragments).items():
        fields.append(_field_plan(type_, key, nodes, fragments))
    return ObjectPlan(fields=fields)


def _shape(type_: Any) -> TypeShape:
    nullable = not isinstance(type_, GraphQLNonNull)
    inner = type_.of_type if not nullable else type_
    is_list = isinstance(inner, GraphQLList)
    item_nullable = True
    if is_list:
        item = inner.of_type
        item_nullable = not isinstance(item, GraphQLNonNull)
        item = item.of_type if not item_nullable else item
        if isinstance(item, GraphQLNonNull | GraphQLList):
            raise NotCompiled("nested lists")
        inner = item
    named = get_named_type(inner)
    return TypeShape(nullable, is_list, item_nullable, named.serialize if is_leaf_type(named) else None)


def _field_plan(
    parent: GraphQLObjectType, key: str, nodes: list[FieldNode], fragments: dict[str, FragmentDefinitionNode]
) -> FieldPlan:
    node = nodes[0]
    name = node.name.value
    if name == "__typename":
        return FieldPlan(
            key, name, None, False, False, None, None, node, tuple(nodes), {},  # type: ignore[arg-type]
            TypeShape(False, False, True, None), None, typename=parent.name,
        )  # fmt: skip
    if name.startswith("__"):
        raise NotCompiled("introspection")
    field_def = parent.fields[name]
    strawberry_field = field_def.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if strawberry_field is None or strawberry_field.extensions:
        raise NotCompiled("fields with extensions")
    arguments = {}
    given = {argument.name.value for n in nodes for argument in n.arguments or ()}
    # Strawberry builds the GraphQL arguments from its own, in order (names converted).
    for argument, (graphql_name, graphql_argument) in zip(
        strawberry_field.arguments, field_def.args.items(), strict=True
    ):
        if get_named_type(graphql_argument.type).name not in PLAIN_SCALARS and (
            graphql_name in given or graphql_argument.default_value not in (None, Undefined)
        ):
            # Strawberry converts enums and input objects; one left out is null (or
            # absent), the same for both.
            raise NotCompiled("arguments of enum or input types")
        arguments[graphql_name] = argument.python_name
    resolver = strawberry_field.base_resolver
    if resolver is not None and (resolver.parent_parameter or resolver.root_parameter):
        raise NotCompiled("resolvers taking the parent or root")
    shape = _shape(field_def.type)
    named = get_named_type(field_def.type)
    children = None
    if shape.serialize is None:
        if is_abstract_type(named) or not isinstance(named, GraphQLObjectType):
            raise NotCompiled("abstract types")
        children = _object_plan(named, [n.selection_set for n in nodes if n.selection_set], fragments)
    return FieldPlan(
        key=key,
        python_name=strawberry_field.python_name,
        resolver=resolver.wrapped_func if resolver is not None else None,
        is_async=bool(resolver is not None and resolver.is_async),
        pass_self=bool(resolver is not None and resolver.self_parameter),
        info_name=resolver.info_parameter.name if resolver is not None and resolver.info_parameter else None,
        field_def=field_def,
        field_node=node,
        field_nodes=tuple(nodes),
        arguments=arguments,
        shape=shape,
        children=children,
    )
