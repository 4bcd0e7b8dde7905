"""Per-request DataLoaders: every nested field is served in batches, so the number of
SQL statements of a query does not grow with the number of objects it returns.

Each batch opens its own short session: batches run concurrently and one session must
never be used by two coroutines at once. Every loader is scoped by the request's project.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import datetime
from functools import cached_property
from typing import Any, Generic, TypeVar

from aiodataloader import DataLoader
from sqlalchemy import and_, func, or_
from sqlmodel import col, select

from app.db.engine import Database
from app.db.models import (
    AppUserId,
    Attribute,
    Customer,
    CustomerEvent,
    Entitlement,
    Note,
    Offering,
    Package,
    Product,
    ProductEntitlement,
    Project,
    Purchase,
    StoreTransaction,
    VirtualCurrencyBalance,
    WebhookDelivery,
    WebhookEndpoint,
)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
R = TypeVar("R")


def one_per_key(keys: Sequence[K], rows: Iterable[R], key: Callable[[R], K]) -> list[R | None]:
    by_key = {key(row): row for row in rows}
    return [by_key.get(k) for k in keys]


def many_per_key(keys: Sequence[K], rows: Iterable[R], key: Callable[[R], K]) -> list[list[R]]:
    grouped: dict[K, list[R]] = defaultdict(list)
    for row in rows:
        grouped[key(row)].append(row)
    return [grouped.get(k, []) for k in keys]


class ProjectLoader(DataLoader, Generic[K, V]):  # type: ignore[misc]
    """A DataLoader bound to the request's database and project."""

    def __init__(self, db: Database, project_id: int) -> None:
        super().__init__()
        self.db = db
        self.project_id = project_id

    async def batch_load_fn(self, keys: Sequence[K]) -> list[V]:  # pragma: no cover
        raise NotImplementedError

    async def fetch(self, statement: Any) -> list[Any]:
        """Rows through SQLAlchemy Core, not ORM instances.

        A Core row has the model's attribute names (and the same column types, so
        timestamps are UTC-aware and decimals exact) and is read-only, which is all a
        resolver needs; skipping the ORM session and identity map makes a batch about
        three times cheaper (STACK-NOTES: 2,300 rows in 6-7 ms instead of 16-19 ms).
        """
        # Each batch has a connection of its own: batches run concurrently, and a
        # connection held across the request would starve the pool when a mutation in
        # the same request needs a write connection.
        async with self.db.engine.connect() as connection:
            return list((await connection.execute(statement)).all())


class ProjectByIdLoader(ProjectLoader[int, Project | None]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[Project | None]:
        # A key only ever sees its own project.
        allowed = [k for k in keys if k == self.project_id]
        rows = await self.fetch(select(Project).where(col(Project.id).in_(allowed))) if allowed else []
        return one_per_key(keys, rows, lambda r: r.id)


class CustomerByIdLoader(ProjectLoader[int, Customer | None]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[Customer | None]:
        rows = await self.fetch(
            select(Customer).where(Customer.project_id == self.project_id, col(Customer.id).in_(keys))
        )
        return one_per_key(keys, rows, lambda r: r.id)


class CustomerIdByAppUserIdLoader(ProjectLoader[str, int | None]):
    async def batch_load_fn(self, keys: Sequence[str]) -> list[int | None]:
        rows = await self.fetch(
            select(AppUserId.app_user_id, AppUserId.customer_id).where(
                AppUserId.project_id == self.project_id, col(AppUserId.app_user_id).in_(keys)
            )
        )
        by_id = {app_user_id: customer_id for app_user_id, customer_id in rows}
        return [by_id.get(k) for k in keys]


class AppUserIdsByCustomerIdLoader(ProjectLoader[int, list[AppUserId]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[AppUserId]]:
        rows = await self.fetch(
            select(AppUserId)
            .where(AppUserId.project_id == self.project_id, col(AppUserId.customer_id).in_(keys))
            .order_by(col(AppUserId.created_at), col(AppUserId.id))
        )
        return many_per_key(keys, rows, lambda r: r.customer_id)


class NotesByCustomerIdLoader(ProjectLoader[int, list[Note]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[Note]]:
        rows = await self.fetch(
            select(Note)
            .where(Note.project_id == self.project_id, col(Note.customer_id).in_(keys))
            .order_by(col(Note.created_at), col(Note.id))
        )
        return many_per_key(keys, rows, lambda r: r.customer_id)


class NoteByIdLoader(ProjectLoader[int, Note | None]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[Note | None]:
        rows = await self.fetch(
            select(Note).where(Note.project_id == self.project_id, col(Note.id).in_(keys))
        )
        return one_per_key(keys, rows, lambda r: r.id)


class AttributesByCustomerIdLoader(ProjectLoader[int, list[Attribute]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[Attribute]]:
        rows = await self.fetch(
            select(Attribute)
            .where(Attribute.project_id == self.project_id, col(Attribute.customer_id).in_(keys))
            .order_by(col(Attribute.key))
        )
        return many_per_key(keys, rows, lambda r: r.customer_id)


class OfferingByIdLoader(ProjectLoader[int, Offering | None]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[Offering | None]:
        rows = await self.fetch(
            select(Offering).where(Offering.project_id == self.project_id, col(Offering.id).in_(keys))
        )
        return one_per_key(keys, rows, lambda r: r.id)


class CurrentOfferingByProjectIdLoader(ProjectLoader[int, Offering | None]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[Offering | None]:
        rows = await self.fetch(
            select(Offering).where(Offering.project_id == self.project_id, col(Offering.is_current))
        )
        return one_per_key(keys, rows, lambda r: r.project_id)


class OfferingsByProjectIdLoader(ProjectLoader[int, list[Offering]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[Offering]]:
        rows = await self.fetch(
            select(Offering).where(Offering.project_id == self.project_id).order_by(col(Offering.identifier))
        )
        return many_per_key(keys, rows, lambda r: r.project_id)


class OfferingByIdentifierLoader(ProjectLoader[str, Offering | None]):
    async def batch_load_fn(self, keys: Sequence[str]) -> list[Offering | None]:
        rows = await self.fetch(
            select(Offering).where(Offering.project_id == self.project_id, col(Offering.identifier).in_(keys))
        )
        return one_per_key(keys, rows, lambda r: r.identifier)


class PackagesByOfferingIdLoader(ProjectLoader[int, list[Package]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[Package]]:
        rows = await self.fetch(
            select(Package)
            .join(Offering, col(Offering.id) == col(Package.offering_id))
            .where(Offering.project_id == self.project_id, col(Package.offering_id).in_(keys))
            .order_by(col(Package.position), col(Package.id))
        )
        return many_per_key(keys, rows, lambda r: r.offering_id)


class ProductByIdLoader(ProjectLoader[int, Product | None]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[Product | None]:
        rows = await self.fetch(
            select(Product).where(Product.project_id == self.project_id, col(Product.id).in_(keys))
        )
        return one_per_key(keys, rows, lambda r: r.id)


class ProductByStoreIdentifierLoader(ProjectLoader[tuple[str, str], Product | None]):
    """Key: (store, product identifier), as a receipt names a product."""

    async def batch_load_fn(self, keys: Sequence[tuple[str, str]]) -> list[Product | None]:
        identifiers = {identifier for _, identifier in keys}
        rows = await self.fetch(
            select(Product).where(
                Product.project_id == self.project_id, col(Product.identifier).in_(identifiers)
            )
        )
        return one_per_key(keys, rows, lambda r: (r.store, r.identifier))


class ProductsByProjectIdLoader(ProjectLoader[int, list[Product]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[Product]]:
        rows = await self.fetch(
            select(Product)
            .where(Product.project_id == self.project_id)
            .order_by(col(Product.identifier), col(Product.store))
        )
        return many_per_key(keys, rows, lambda r: r.project_id)


class EntitlementsByProjectIdLoader(ProjectLoader[int, list[Entitlement]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[Entitlement]]:
        rows = await self.fetch(
            select(Entitlement)
            .where(Entitlement.project_id == self.project_id)
            .order_by(col(Entitlement.identifier))
        )
        return many_per_key(keys, rows, lambda r: r.project_id)


class EntitlementByIdentifierLoader(ProjectLoader[str, Entitlement | None]):
    async def batch_load_fn(self, keys: Sequence[str]) -> list[Entitlement | None]:
        rows = await self.fetch(
            select(Entitlement).where(
                Entitlement.project_id == self.project_id, col(Entitlement.identifier).in_(keys)
            )
        )
        return one_per_key(keys, rows, lambda r: r.identifier)


class EntitlementByIdLoader(ProjectLoader[int, Entitlement | None]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[Entitlement | None]:
        rows = await self.fetch(
            select(Entitlement).where(
                Entitlement.project_id == self.project_id, col(Entitlement.id).in_(keys)
            )
        )
        return one_per_key(keys, rows, lambda r: r.id)


class EntitlementsByProductIdLoader(ProjectLoader[int, list[Entitlement]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[Entitlement]]:
        rows = await self.fetch(
            select(col(ProductEntitlement.product_id).label("_key"), *Entitlement.__table__.c)  # type: ignore[attr-defined]
            .join(Entitlement, col(Entitlement.id) == col(ProductEntitlement.entitlement_id))
            .where(
                Entitlement.project_id == self.project_id,
                col(ProductEntitlement.product_id).in_(keys),
            )
            .order_by(col(Entitlement.identifier))
        )
        return many_per_key(keys, rows, lambda r: r._key)


class ProductsByEntitlementIdLoader(ProjectLoader[int, list[Product]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[Product]]:
        rows = await self.fetch(
            select(col(ProductEntitlement.entitlement_id).label("_key"), *Product.__table__.c)  # type: ignore[attr-defined]
            .join(Product, col(Product.id) == col(ProductEntitlement.product_id))
            .where(
                Product.project_id == self.project_id,
                col(ProductEntitlement.entitlement_id).in_(keys),
            )
            .order_by(col(Product.identifier))
        )
        return many_per_key(keys, rows, lambda r: r._key)


# -- purchases, transactions and the timeline ------------------------------------------


class PurchaseByIdLoader(ProjectLoader[int, Purchase | None]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[Purchase | None]:
        rows = await self.fetch(
            select(Purchase).where(Purchase.project_id == self.project_id, col(Purchase.id).in_(keys))
        )
        return one_per_key(keys, rows, lambda r: r.id)


class PurchasesByCustomerIdLoader(ProjectLoader[int, list[Purchase]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[Purchase]]:
        rows = await self.fetch(
            select(Purchase)
            .where(Purchase.project_id == self.project_id, col(Purchase.customer_id).in_(keys))
            .order_by(col(Purchase.purchased_at).desc(), col(Purchase.id).desc())
        )
        return many_per_key(keys, rows, lambda r: r.customer_id)


class TransactionsByCustomerIdLoader(ProjectLoader[int, list[StoreTransaction]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[StoreTransaction]]:
        rows = await self.fetch(
            select(StoreTransaction).where(
                StoreTransaction.project_id == self.project_id, col(StoreTransaction.customer_id).in_(keys)
            )
        )
        return many_per_key(keys, rows, lambda r: r.customer_id)


class LatestTransactionByPurchaseIdLoader(ProjectLoader[int, StoreTransaction | None]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[StoreTransaction | None]:
        rows = await self.fetch(
            select(StoreTransaction)
            .where(
                StoreTransaction.project_id == self.project_id, col(StoreTransaction.purchase_id).in_(keys)
            )
            .order_by(col(StoreTransaction.purchased_at), col(StoreTransaction.transaction_id))
        )
        # Rows come oldest first, so the last one per purchase wins.
        return one_per_key(keys, rows, lambda r: r.purchase_id)


class EntitlementIdentifiersByProductLoader(ProjectLoader[tuple[str, str], list[str]]):
    """Key: (store, product identifier) -> the identifiers of the entitlements it grants."""

    async def batch_load_fn(self, keys: Sequence[tuple[str, str]]) -> list[list[str]]:
        identifiers = {identifier for _, identifier in keys}
        rows = await self.fetch(
            select(Product.store, Product.identifier, Entitlement.identifier)
            .join(ProductEntitlement, col(ProductEntitlement.product_id) == col(Product.id))
            .join(Entitlement, col(Entitlement.id) == col(ProductEntitlement.entitlement_id))
            .where(Product.project_id == self.project_id, col(Product.identifier).in_(identifiers))
            .order_by(col(Entitlement.identifier))
        )
        grouped = many_per_key(keys, rows, lambda r: (r[0], r[1]))
        return [[entitlement for _, _, entitlement in group] for group in grouped]


class EventByIdLoader(ProjectLoader[int, CustomerEvent | None]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[CustomerEvent | None]:
        rows = await self.fetch(
            select(CustomerEvent).where(
                CustomerEvent.project_id == self.project_id, col(CustomerEvent.id).in_(keys)
            )
        )
        return one_per_key(keys, rows, lambda r: r.id)


HistoryKey = tuple[int, int, tuple[datetime, int] | None, bool]
"""(customer id, rows wanted, after (purchased_at, id) or None, include sandbox)."""


class HistoryByCustomerIdLoader(ProjectLoader[HistoryKey, list[CustomerEvent]]):
    """A page of each customer's timeline, newest first.

    First pages of many customers are one statement: the limit per customer is applied
    in SQL with row_number() over each customer's events, not by reading every event.
    A page after a cursor is specific to one customer and gets a statement of its own.
    """

    async def batch_load_fn(self, keys: Sequence[HistoryKey]) -> list[list[CustomerEvent]]:
        results: dict[HistoryKey, list[CustomerEvent]] = {}
        first_pages: dict[tuple[int, bool], list[HistoryKey]] = defaultdict(list)
        for key in keys:
            if key[2] is None:
                first_pages[(key[1], key[3])].append(key)
            else:
                results[key] = await self._after_cursor(key)
        for (limit, sandbox), group in first_pages.items():
            rows = await self._first_pages([k[0] for k in group], limit, sandbox)
            for key, page in zip(
                group, many_per_key([k[0] for k in group], rows, lambda r: r.customer_id), strict=True
            ):
                results[key] = page
        return [results[key] for key in keys]

    def _scope(self, customer_ids: Sequence[int], sandbox: bool) -> list[Any]:
        conditions = [
            CustomerEvent.project_id == self.project_id,
            col(CustomerEvent.customer_id).in_(customer_ids),
        ]
        if not sandbox:
            conditions.append(CustomerEvent.environment == "PRODUCTION")
        return conditions

    async def _first_pages(self, customer_ids: list[int], limit: int, sandbox: bool) -> list[CustomerEvent]:
        position = (
            func.row_number()
            .over(
                partition_by=col(CustomerEvent.customer_id),
                order_by=(col(CustomerEvent.purchased_at).desc(), col(CustomerEvent.id).desc()),
            )
            .label("position")
        )
        ranked = select(col(CustomerEvent.id), position).where(*self._scope(customer_ids, sandbox)).subquery()
        statement = (
            select(CustomerEvent)
            .join(ranked, ranked.c.id == col(CustomerEvent.id))
            .where(ranked.c.position <= limit)
            .order_by(col(CustomerEvent.purchased_at).desc(), col(CustomerEvent.id).desc())
        )
        return await self.fetch(statement)

    async def _after_cursor(self, key: HistoryKey) -> list[CustomerEvent]:
        customer_id, limit, after, sandbox = key
        assert after is not None
        purchased_at, event_id = after
        statement = (
            select(CustomerEvent)
            .where(
                *self._scope([customer_id], sandbox),
                or_(
                    col(CustomerEvent.purchased_at) < purchased_at,
                    and_(col(CustomerEvent.purchased_at) == purchased_at, col(CustomerEvent.id) < event_id),
                ),
            )
            .order_by(col(CustomerEvent.purchased_at).desc(), col(CustomerEvent.id).desc())
            .limit(limit)
        )
        return await self.fetch(statement)


class BalancesByCustomerIdLoader(ProjectLoader[int, list[VirtualCurrencyBalance]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[VirtualCurrencyBalance]]:
        rows = await self.fetch(
            select(VirtualCurrencyBalance)
            .where(
                VirtualCurrencyBalance.project_id == self.project_id,
                col(VirtualCurrencyBalance.customer_id).in_(keys),
            )
            .order_by(col(VirtualCurrencyBalance.code))
        )
        return many_per_key(keys, rows, lambda r: r.customer_id)


class EndpointByIdLoader(ProjectLoader[int, WebhookEndpoint | None]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[WebhookEndpoint | None]:
        rows = await self.fetch(
            select(WebhookEndpoint).where(
                WebhookEndpoint.project_id == self.project_id, col(WebhookEndpoint.id).in_(keys)
            )
        )
        return one_per_key(keys, rows, lambda r: r.id)


class EndpointsByProjectIdLoader(ProjectLoader[int, list[WebhookEndpoint]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[WebhookEndpoint]]:
        rows = await self.fetch(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.project_id == self.project_id)
            .order_by(col(WebhookEndpoint.id))
        )
        return many_per_key(keys, rows, lambda r: r.project_id)


class DeliveriesByEventIdLoader(ProjectLoader[int, list[WebhookDelivery]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[WebhookDelivery]]:
        rows = await self.fetch(
            select(WebhookDelivery)
            .where(WebhookDelivery.project_id == self.project_id, col(WebhookDelivery.event_id).in_(keys))
            .order_by(col(WebhookDelivery.id))
        )
        return many_per_key(keys, rows, lambda r: r.event_id)


class Loaders:
    """The loaders of one request, built on first use."""

    def __init__(self, db: Database, project_id: int) -> None:
        self.db = db
        self.project_id = project_id
        self._made: list[ProjectLoader[Any, Any]] = []

    def _make(self, cls: type[ProjectLoader[Any, Any]]) -> Any:
        loader = cls(self.db, self.project_id)
        self._made.append(loader)
        return loader

    def clear_all(self) -> None:
        """Forget everything loaded: after a mutation, the next payload must see what it
        wrote, also when one request runs several mutations."""
        for loader in self._made:
            loader.clear_all()

    @cached_property
    def project_by_id(self) -> ProjectByIdLoader:
        return self._make(ProjectByIdLoader)

    @cached_property
    def customer_by_id(self) -> CustomerByIdLoader:
        return self._make(CustomerByIdLoader)

    @cached_property
    def customer_id_by_app_user_id(self) -> CustomerIdByAppUserIdLoader:
        return self._make(CustomerIdByAppUserIdLoader)

    @cached_property
    def app_user_ids_by_customer_id(self) -> AppUserIdsByCustomerIdLoader:
        return self._make(AppUserIdsByCustomerIdLoader)

    @cached_property
    def notes_by_customer_id(self) -> NotesByCustomerIdLoader:
        return self._make(NotesByCustomerIdLoader)

    @cached_property
    def note_by_id(self) -> NoteByIdLoader:
        return self._make(NoteByIdLoader)

    @cached_property
    def attributes_by_customer_id(self) -> AttributesByCustomerIdLoader:
        return self._make(AttributesByCustomerIdLoader)

    @cached_property
    def offering_by_id(self) -> OfferingByIdLoader:
        return self._make(OfferingByIdLoader)

    @cached_property
    def offering_by_identifier(self) -> OfferingByIdentifierLoader:
        return self._make(OfferingByIdentifierLoader)

    @cached_property
    def current_offering_by_project_id(self) -> CurrentOfferingByProjectIdLoader:
        return self._make(CurrentOfferingByProjectIdLoader)

    @cached_property
    def offerings_by_project_id(self) -> OfferingsByProjectIdLoader:
        return self._make(OfferingsByProjectIdLoader)

    @cached_property
    def packages_by_offering_id(self) -> PackagesByOfferingIdLoader:
        return self._make(PackagesByOfferingIdLoader)

    @cached_property
    def product_by_id(self) -> ProductByIdLoader:
        return self._make(ProductByIdLoader)

    @cached_property
    def product_by_store_identifier(self) -> ProductByStoreIdentifierLoader:
        return self._make(ProductByStoreIdentifierLoader)

    @cached_property
    def products_by_project_id(self) -> ProductsByProjectIdLoader:
        return self._make(ProductsByProjectIdLoader)

    @cached_property
    def entitlements_by_project_id(self) -> EntitlementsByProjectIdLoader:
        return self._make(EntitlementsByProjectIdLoader)

    @cached_property
    def entitlement_by_identifier(self) -> EntitlementByIdentifierLoader:
        return self._make(EntitlementByIdentifierLoader)

    @cached_property
    def entitlement_by_id(self) -> EntitlementByIdLoader:
        return self._make(EntitlementByIdLoader)

    @cached_property
    def entitlements_by_product_id(self) -> EntitlementsByProductIdLoader:
        return self._make(EntitlementsByProductIdLoader)

    @cached_property
    def products_by_entitlement_id(self) -> ProductsByEntitlementIdLoader:
        return self._make(ProductsByEntitlementIdLoader)

    @cached_property
    def purchase_by_id(self) -> PurchaseByIdLoader:
        return self._make(PurchaseByIdLoader)

    @cached_property
    def purchases_by_customer_id(self) -> PurchasesByCustomerIdLoader:
        return self._make(PurchasesByCustomerIdLoader)

    @cached_property
    def transactions_by_customer_id(self) -> TransactionsByCustomerIdLoader:
        return self._make(TransactionsByCustomerIdLoader)

    @cached_property
    def latest_transaction_by_purchase_id(self) -> LatestTransactionByPurchaseIdLoader:
        return self._make(LatestTransactionByPurchaseIdLoader)

    @cached_property
    def entitlement_identifiers_by_product(self) -> EntitlementIdentifiersByProductLoader:
        return self._make(EntitlementIdentifiersByProductLoader)

    @cached_property
    def event_by_id(self) -> EventByIdLoader:
        return self._make(EventByIdLoader)

    @cached_property
    def history_by_customer_id(self) -> HistoryByCustomerIdLoader:
        return self._make(HistoryByCustomerIdLoader)

    @cached_property
    def balances_by_customer_id(self) -> BalancesByCustomerIdLoader:
        return self._make(BalancesByCustomerIdLoader)

    @cached_property
    def endpoint_by_id(self) -> EndpointByIdLoader:
        return self._make(EndpointByIdLoader)

    @cached_property
    def endpoints_by_project_id(self) -> EndpointsByProjectIdLoader:
        return self._make(EndpointsByProjectIdLoader)

    @cached_property
    def deliveries_by_event_id(self) -> DeliveriesByEventIdLoader:
        return self._make(DeliveriesByEventIdLoader)
