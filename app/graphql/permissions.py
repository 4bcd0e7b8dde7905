"""Who may do what: one table per operation kind, checked once per request.

The check walks the query document before execution (so a refused request changes
nothing) instead of running a permission class on every resolved field, which would
cost time on every object of a large page.

Each mutation declares the roles that may call it next to its resolver
(`@mutation(roles=...)`); a mutation that declares none is refused to everyone.

Roles: SDK is the app's public key (report receipts, logins, app opens, attributes;
read a customer's access); VIEWER reads everything; SUPPORT adds the customer support
actions; ADMIN adds project configuration and may also act as the SDK (handy from
GraphiQL and for back-ends that post receipts).
"""

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from functools import lru_cache
from types import MappingProxyType

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLSchema,
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    visit,
)
from graphql.execution import ExecutionResult
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema_converter import GraphQLCoreConverter

from app.domain.enums import ApiKeyRole
from app.graphql.errors import ForbiddenError

SDK, VIEWER, SUPPORT, ADMIN = (
    ApiKeyRole.SDK,
    ApiKeyRole.VIEWER,
    ApiKeyRole.SUPPORT,
    ApiKeyRole.ADMIN,
)

# The role sets a mutation declares on its decorator (app/graphql/mutations/shell.py).
APP_REPORTS = frozenset({SDK, ADMIN})
SUPPORT_ACTIONS = frozenset({SUPPORT, ADMIN})
APP_REPORTS_AND_SUPPORT = frozenset({SDK, SUPPORT, ADMIN})
CONFIGURATION = frozenset({ADMIN})

# The key in a Strawberry field's metadata under which a mutation declares its roles.
ROLES_METADATA = "roles"
NOBODY: frozenset[ApiKeyRole] = frozenset()


@lru_cache(maxsize=16)
def mutation_roles(schema: GraphQLSchema) -> Mapping[str, frozenset[ApiKeyRole]]:
    """The permission table: who may call each mutation, as its resolver declares.

    Built once per schema from the declarations, so the table cannot drift from the
    resolvers. A mutation that declares nothing is absent, and refused to every role.
    """
    table: dict[str, frozenset[ApiKeyRole]] = {}
    for name, field in (schema.mutation_type.fields if schema.mutation_type else {}).items():
        definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
        roles = getattr(definition, "metadata", {}).get(ROLES_METADATA)
        if roles:
            table[name] = frozenset(roles)
    return MappingProxyType(table)


# What an SDK key may read: a customer's identity, access, offering and balances.
SDK_READABLE_TYPES = frozenset(
    {
        "CustomerEntitlement",
        "Entitlement",
        "Product",
        "Offering",
        "Package",
        "Money",
        "VirtualCurrencyBalance",
        "VirtualCurrencyAmount",
        "UserError",
    }
)
SDK_READABLE_FIELDS = frozenset(
    {
        "Query.customer",
        "Customer.id",
        "Customer.appUserId",
        "Customer.originalAppUserId",
        "Customer.entitlements",
        "Customer.purchases",
        "Customer.currentOffering",
        "Customer.offeringOverride",
        "Customer.virtualCurrencyBalances",
        "Customer.appAccountToken",
        # A purchase's access and price, never its store ids: the SDK key is public, so
        # it must not read one customer's original transaction id to post it as another.
        "Purchase.id",
        "Purchase.store",
        "Purchase.environment",
        "Purchase.productId",
        "Purchase.product",
        "Purchase.type",
        "Purchase.originalPurchasedAt",
        "Purchase.purchasedAt",
        "Purchase.expiresAt",
        "Purchase.periodType",
        "Purchase.willRenew",
        "Purchase.status",
        "Purchase.price",
        "Purchase.priceUsd",
        "Purchase.refundedAt",
        "Purchase.entitlements",
        "CustomerEvent.id",
        "CustomerEvent.type",
        "CustomerEvent.description",
        "CustomerEvent.webhookEventType",
        "CustomerEvent.purchasedAt",
        "CustomerEvent.eventTimestamp",
        "CustomerEvent.environment",
        "CustomerEvent.store",
        "CustomerEvent.productId",
        "CustomerEvent.newProductId",
        "CustomerEvent.entitlementIds",
        "CustomerEvent.periodType",
        "CustomerEvent.cancelReason",
    }
)


def _sdk_may_read(parent: str, field: str) -> bool:
    return (
        field == "__typename"
        or parent in SDK_READABLE_TYPES
        or parent.endswith("Payload")
        or f"{parent}.{field}" in SDK_READABLE_FIELDS
    )


def _selected_fields(schema: GraphQLSchema, document: DocumentNode) -> Iterator[tuple[str, str]]:
    """Every (parent type, field name) the document selects, fragments included."""
    type_info = TypeInfo(schema)
    found: list[tuple[str, str]] = []

    class Collector(Visitor):
        def enter_field(self, node: FieldNode, *_: object) -> None:
            parent = type_info.get_parent_type()
            if parent is not None:
                found.append((get_named_type(parent).name, node.name.value))

    visit(document, TypeInfoVisitor(type_info, Collector()))
    return iter(found)


def _executed_part(document: DocumentNode, operation_name: str | None) -> DocumentNode:
    """The operation that will run, with the document's fragments (validation has
    already refused unused fragments and ambiguous operations)."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        op for op in operations if operation_name is None or (op.name and op.name.value == operation_name)
    ]
    fragments = [d for d in document.definitions if not isinstance(d, OperationDefinitionNode)]
    return DocumentNode(definitions=(*chosen[:1], *fragments))


def refusal(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None, role: ApiKeyRole
) -> ForbiddenError | None:
    """Why this role may not run the document's chosen operation, or None when it may.

    Every selected field is checked, fragments included (inline or named): a mutation
    wrapped in `... on Mutation { }` is still the mutation it calls.
    """
    mutation_type = schema.mutation_type.name if schema.mutation_type else None
    for parent, field in _selected_fields(schema, _executed_part(document, operation_name)):
        if parent == mutation_type:
            if role not in mutation_roles(schema).get(field, NOBODY):
                return ForbiddenError(f"A {role.value} key may not call {field}.")
            continue
        if role is not SDK or parent.startswith("__") or (field.startswith("__") and field != "__typename"):
            continue
        if not _sdk_may_read(parent, field):
            return ForbiddenError(f"An SDK key may not read {parent}.{field}.")
    return None


class RefusalCache:
    """The verdict of `refusal` per (document text, operation, role), like the parser
    and validation caches: a client sending the same operation with new variables is
    checked once, not walked again on every request (about 1 ms a profile query).

    Keyed on the exact text the document was parsed from, so the verdict is the one
    `refusal` gives that document; bounded, least recently used dropped first. The
    verdict is kept as a message and a fresh error is made per request (errors are
    filled in with locations and paths as they travel)."""

    def __init__(self, maxsize: int = 512) -> None:
        self.maxsize = maxsize
        self._verdicts: OrderedDict[tuple[str, str | None, ApiKeyRole], str | None] = OrderedDict()

    def refusal(
        self,
        schema: GraphQLSchema,
        text: str,
        document: DocumentNode,
        operation_name: str | None,
        role: ApiKeyRole,
    ) -> ForbiddenError | None:
        key = (text, operation_name, role)
        if key in self._verdicts:
            self._verdicts.move_to_end(key)
            message = self._verdicts[key]
        else:
            error = refusal(schema, document, operation_name, role)
            message = None if error is None else error.message
            self._verdicts[key] = message
            if len(self._verdicts) > self.maxsize:
                self._verdicts.popitem(last=False)
        return None if message is None else ForbiddenError(message)


def _refusals_of(schema: object) -> RefusalCache:
    """One cache per schema (a verdict holds for the schema it was reached on)."""
    cache = getattr(schema, "_role_refusals", None)
    if cache is None:
        cache = RefusalCache()
        setattr(schema, "_role_refusals", cache)  # noqa: B010
    return cache


class RolePermissions(SchemaExtension):
    """Refuses, before anything runs, an operation the key's role may not perform."""

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        document = ctx.graphql_document
        principal = getattr(ctx.context, "principal", None)
        if document is not None and principal is not None:
            schema = ctx.schema._schema
            if ctx.query is not None:
                cache = _refusals_of(ctx.schema)
                error = cache.refusal(schema, ctx.query, document, ctx.operation_name, principal.role)
            else:
                error = refusal(schema, document, ctx.operation_name, principal.role)
            if error is not None:
                ctx.result = ExecutionResult(data=None, errors=[error])
        yield
