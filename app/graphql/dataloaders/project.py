"""Loaders of the project's configuration: the project, entitlements, products, offerings."""

from collections.abc import Sequence
from typing import Any

from sqlmodel import col, select

from app.db.models import Entitlement, Offering, Package, Product, ProductEntitlement, Project
from app.graphql.dataloaders.base import (
    PROJECT_ID,
    ByIdLoader,
    ProjectLoader,
    keys_in,
    many_per_key,
    one_per_key,
    prepared,
)


class ProjectByIdLoader(ProjectLoader[int, Project | None]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[Project | None]:
        # A key only ever sees its own project.
        allowed = [k for k in keys if k == self.project_id]
        rows = await self.fetch(select(Project).where(col(Project.id).in_(allowed))) if allowed else []
        return one_per_key(keys, rows, lambda r: r.id)


# -- offerings --------------------------------------------------------------------------


class OfferingByIdLoader(ByIdLoader[Offering]):
    model = Offering


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


class PackagesByOfferingIdLoader(ProjectLoader[int, list[Package]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[Package]]:
        rows = await self.fetch(
            select(Package)
            .join(Offering, col(Offering.id) == col(Package.offering_id))
            .where(Offering.project_id == self.project_id, col(Package.offering_id).in_(keys))
            .order_by(col(Package.position), col(Package.id))
        )
        return many_per_key(keys, rows, lambda r: r.offering_id)


# -- products ---------------------------------------------------------------------------


class ProductByIdLoader(ByIdLoader[Product]):
    model = Product


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


# -- entitlements -----------------------------------------------------------------------


class EntitlementByIdLoader(ByIdLoader[Entitlement]):
    model = Entitlement


@prepared
def _entitlements_by_identifier() -> Any:
    return select(Entitlement).where(
        col(Entitlement.project_id) == PROJECT_ID, keys_in(col(Entitlement.identifier))
    )


class EntitlementByIdentifierLoader(ProjectLoader[str, Entitlement | None]):
    async def batch_load_fn(self, keys: Sequence[str]) -> list[Entitlement | None]:
        rows = await self.fetch_prepared(_entitlements_by_identifier(), keys)
        return one_per_key(keys, rows, lambda r: r.identifier)


class EntitlementsByProjectIdLoader(ProjectLoader[int, list[Entitlement]]):
    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[Entitlement]]:
        rows = await self.fetch(
            select(Entitlement)
            .where(Entitlement.project_id == self.project_id)
            .order_by(col(Entitlement.identifier))
        )
        return many_per_key(keys, rows, lambda r: r.project_id)


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


@prepared
def _entitlements_of_products() -> Any:
    return (
        select(
            col(Product.store).label("_store"),
            col(Product.identifier).label("_product"),
            *Entitlement.__table__.c,  # type: ignore[attr-defined]
        )
        .join(ProductEntitlement, col(ProductEntitlement.product_id) == col(Product.id))
        .join(Entitlement, col(Entitlement.id) == col(ProductEntitlement.entitlement_id))
        .where(col(Product.project_id) == PROJECT_ID, keys_in(col(Product.identifier)))
        .order_by(col(Entitlement.identifier))
    )


class EntitlementIdentifiersByProductLoader(ProjectLoader[tuple[str, str], list[str]]):
    """Key: (store, product identifier) -> the identifiers of the entitlements it grants."""

    async def batch_load_fn(self, keys: Sequence[tuple[str, str]]) -> list[list[str]]:
        identifiers = sorted({identifier for _, identifier in keys})
        rows = await self.fetch_prepared(_entitlements_of_products(), identifiers)
        # The entitlements themselves come with them: whoever asks which entitlements a
        # purchase gives asks for those entitlements next, and finds them loaded.
        by_identifier = EntitlementByIdentifierLoader(self.context)
        for row in rows:
            by_identifier.prime(row.identifier, row)
        grouped = many_per_key(keys, rows, lambda r: (r._store, r._product))
        return [[row.identifier for row in group] for group in grouped]
