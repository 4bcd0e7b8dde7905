"""What the scheduler and the store actions both need to know about purchases: the
entitlements each grants and its latest period."""

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.models import Entitlement, Product, ProductEntitlement, Purchase, StoreTransaction


async def entitlements_granted(session: AsyncSession, purchases: Sequence[Purchase]) -> dict[int, list[str]]:
    """Entitlement identifiers per purchase id: a grant's own, else its product's."""
    result: dict[int, list[str]] = {}
    store_purchases = [p for p in purchases if not p.is_granted]
    if store_purchases:
        rows = (
            await session.exec(
                select(Product.project_id, Product.store, Product.identifier, Entitlement.identifier)
                .join(ProductEntitlement, col(ProductEntitlement.product_id) == col(Product.id))
                .join(Entitlement, col(Entitlement.id) == col(ProductEntitlement.entitlement_id))
                .where(
                    col(Product.project_id).in_({p.project_id for p in store_purchases}),
                    col(Product.identifier).in_({p.product_id for p in store_purchases}),
                )
                .order_by(col(Entitlement.identifier))
            )
        ).all()
        by_product: dict[tuple[int, str, str], list[str]] = {}
        for project_id, store, identifier, entitlement in rows:
            by_product.setdefault((project_id, store, identifier), []).append(entitlement)
        for p in store_purchases:
            result[p.id or 0] = by_product.get((p.project_id, p.store, p.product_id), [])
    for p in purchases:
        if p.is_granted:
            result[p.id or 0] = [p.granted_entitlement] if p.granted_entitlement else []
    return result


async def latest_periods(session: AsyncSession, purchase_ids: Sequence[int]) -> dict[int, StoreTransaction]:
    """The latest transaction (current or last period) of each purchase."""
    rows = (
        await session.exec(
            select(StoreTransaction)
            .where(col(StoreTransaction.purchase_id).in_(purchase_ids))
            .order_by(col(StoreTransaction.purchased_at), col(StoreTransaction.transaction_id))
        )
    ).all()
    return {row.purchase_id: row for row in rows}  # later periods overwrite earlier ones
