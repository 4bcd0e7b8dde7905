"""The customer list: search, filters and keyset pagination, most recently seen first."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, any_, func, literal, or_, tuple_, union
from sqlalchemy.sql import ColumnElement, CompoundSelect, Select
from sqlmodel import col, select

from app.db.models import (
    AppUserId,
    Attribute,
    Customer,
    Entitlement,
    Product,
    ProductEntitlement,
    Purchase,
    StoreTransaction,
)
from app.db.reads import RequestReads


@dataclass(frozen=True, slots=True)
class CustomerFilterSpec:
    active_entitlement: str | None = None
    transaction_id: str | None = None
    attribute: tuple[str, str | None] | None = None
    store: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class CustomerPage:
    rows: list[Customer]
    has_next_page: bool
    # None when the caller did not ask: an exact count reads every matching customer.
    total_count: int | None


@dataclass(frozen=True, slots=True)
class Position:
    """Where a page starts: after the customer seen at `last_seen_at` with `id`."""

    last_seen_at: datetime
    id: int


def _prefix_match(column: Any, prefix: str, dialect: str) -> ColumnElement[bool]:
    """Case-sensitive prefix match (App User IDs are case-sensitive) that can use an index."""
    if dialect == "sqlite":
        escaped = "".join(f"[{c}]" if c in "*?[" else c for c in prefix)
        return column.op("GLOB")(escaped + "*")  # type: ignore[no-any-return]
    last = ord(prefix[-1])
    if last not in (0xD7FF, 0x10FFFF):
        # A range in code point order, [prefix, prefix with its last character + 1):
        # exactly the strings that start with prefix, answered by the text_pattern_ops
        # index (ix_app_user_id_prefix) whatever the database's collation, where LIKE
        # needs the C collation to use an index (issue 14: 708 ms at 1M customers).
        following = prefix[:-1] + chr(last + 1)
        return and_(column.op("~>=~")(prefix), column.op("~<~")(following))
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    match: ColumnElement[bool] = column.like(escaped + "%", escape="\\")
    return match


# A prefix that more App User IDs than this start with is "broad" (below). At a million
# customers, collecting 10,000 matches costs about 15 ms and walking the list at that
# breadth about 22 ms; either way it falls fast on both sides (bench/PLANS-1M-search.md).
BROAD_PREFIX_IDS = 10_000


class CustomerQuery:
    """Builds the WHERE clause of the list; more conditions join as features arrive."""

    def __init__(self, project_id: int, dialect: str, now: datetime) -> None:
        self.project_id = project_id
        self.dialect = dialect
        self.now = now

    def _starts_with(self, text: str) -> ColumnElement[bool]:
        return and_(
            col(AppUserId.project_id) == self.project_id,
            _prefix_match(col(AppUserId.app_user_id), text, self.dialect),
        )

    def prefix_breadth(self, text: str) -> Select[tuple[int]]:
        """How many App User IDs start with `text`, counted up to one past the bound."""
        some = select(literal(1)).where(self._starts_with(text)).limit(BROAD_PREFIX_IDS + 1).subquery()
        return select(func.count()).select_from(some)  # type: ignore[return-value]

    def search(self, text: str, broad_prefix: bool = False) -> ColumnElement[bool]:
        by_email = select(Attribute.customer_id).where(
            Attribute.project_id == self.project_id, Attribute.key == "$email", Attribute.value == text
        )
        if broad_prefix:
            # Many customers match: walking the list's own order and testing each
            # customer finds a page after a few rows, where collecting every match first
            # read tens of thousands (310 ms at 392,000 customers: bench/PLANS-392k.md).
            # Each customer walked is one probe of ix_app_user_id_customer_id: OFFSET 0
            # keeps PostgreSQL from turning the EXISTS into a hash of every match (what
            # this plan is here to avoid), and left() = text, which no index answers,
            # from probing the prefix's range instead (it misjudges the range as one
            # row: 2 s at 10,000 matches of a million; starts_with() is turned into the
            # same range by the planner).
            has_matching_id = (
                select(AppUserId.id)
                .where(
                    AppUserId.customer_id == Customer.id,
                    col(AppUserId.project_id) == self.project_id,
                    func.left(col(AppUserId.app_user_id), len(text)) == text,
                )
                .offset(0)
            )
            return or_(
                has_matching_id.exists(), col(Customer.id).in_(union(by_email, self.owns_transaction(text)))
            )
        by_app_user_id = select(AppUserId.customer_id).where(self._starts_with(text))
        # One IN over a UNION of three indexed lookups: an OR of three IN (subquery)
        # made PostgreSQL filter every customer of the project instead.
        matches: CompoundSelect[tuple[int]] = union(by_app_user_id, by_email, self.owns_transaction(text))
        if self.dialect == "postgresql":
            # As an array, the matches are looked up by primary key however many they
            # are; as IN, PostgreSQL read every customer past a few thousand matches
            # (147 ms for 10,000 of a million: bench/PLANS-1M-search.md).
            return col(Customer.id) == any_(func.array(matches.scalar_subquery()))
        return col(Customer.id).in_(matches)

    def owns_transaction(self, transaction_id: str) -> Select[tuple[int]]:
        return select(StoreTransaction.customer_id).where(  # type: ignore[return-value]
            StoreTransaction.project_id == self.project_id, StoreTransaction.transaction_id == transaction_id
        )

    def has_active_entitlement(self, identifier: str, now: datetime) -> Select[tuple[int]]:
        """Customers with a production purchase or grant that gives `identifier` now."""
        grants_it = (
            select(ProductEntitlement.product_id)
            .join(Product, col(Product.id) == col(ProductEntitlement.product_id))
            .join(Entitlement, col(Entitlement.id) == col(ProductEntitlement.entitlement_id))
            .where(
                col(Product.project_id) == col(Purchase.project_id),
                col(Product.store) == col(Purchase.store),
                col(Product.identifier) == col(Purchase.product_id),
                Entitlement.identifier == identifier,
            )
            .exists()
        )
        return select(Purchase.customer_id).where(  # type: ignore[return-value]
            Purchase.project_id == self.project_id,
            Purchase.environment == "PRODUCTION",
            col(Purchase.refunded_at).is_(None),
            or_(col(Purchase.access_expires_at).is_(None), col(Purchase.access_expires_at) > now),
            or_(col(Purchase.granted_entitlement) == identifier, grants_it),
        )

    def conditions(
        self, search: str | None, spec: CustomerFilterSpec | None, broad_prefix: bool = False
    ) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = [col(Customer.project_id) == self.project_id]
        if search:
            where.append(self.search(search, broad_prefix))
        if spec is None:
            return where
        if spec.active_entitlement:
            where.append(col(Customer.id).in_(self.has_active_entitlement(spec.active_entitlement, self.now)))
        if spec.transaction_id:
            where.append(col(Customer.id).in_(self.owns_transaction(spec.transaction_id)))
        if spec.store:
            in_store = select(Purchase.customer_id).where(
                Purchase.project_id == self.project_id, Purchase.store == spec.store
            )
            where.append(col(Customer.id).in_(in_store))
        if spec.country:
            where.append(col(Customer.country) == spec.country.upper())
        if spec.attribute is not None:
            key, value = spec.attribute
            matching = select(Attribute.customer_id).where(
                Attribute.project_id == self.project_id, Attribute.key == key
            )
            if value:
                matching = matching.where(Attribute.value == value)
            where.append(col(Customer.id).in_(matching))
        return where


async def find_customers(
    reads: RequestReads,
    query: CustomerQuery,
    search: str | None,
    spec: CustomerFilterSpec | None,
    first: int,
    after: Position | None,
    *,
    count: bool = True,
) -> CustomerPage:
    """A page of customers (read-only Core rows), and their total count when `count`."""
    broad_prefix = False
    if search and query.dialect == "postgresql":
        # One small index-only count picks the plan (SQLite's planner is not asked: an
        # embedded database is not where a million customers live).
        breadth = int((await reads.fetch(query.prefix_breadth(search)))[0][0])
        broad_prefix = breadth > BROAD_PREFIX_IDS
    where = query.conditions(search, spec, broad_prefix)
    page: Select[tuple[Customer]] = select(Customer).where(*where)  # type: ignore[assignment]
    if after is not None:
        # A row comparison, which the (project_id, last_seen_at, id) index answers as one
        # range, where the equivalent OR made PostgreSQL filter every earlier row.
        page = page.where(
            tuple_(col(Customer.last_seen_at), col(Customer.id)) < tuple_(after.last_seen_at, after.id)
        )
    page = page.order_by(col(Customer.last_seen_at).desc(), col(Customer.id).desc()).limit(first + 1)
    rows = await reads.fetch(page)
    total = None
    if count:
        total = int((await reads.fetch(select(func.count()).select_from(Customer).where(*where)))[0][0])
    return CustomerPage(rows=rows[:first], has_next_page=len(rows) > first, total_count=total)
