"""Use cases of project configuration: projects, keys, entitlements, products, offerings."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.engine import Database
from app.db.models import (
    ApiKey,
    Entitlement,
    Offering,
    Package,
    Product,
    ProductEntitlement,
    Project,
)
from app.db.types import utcnow
from app.domain.catalog import validate_identifier, validate_list_price, validate_name, validate_text
from app.domain.enums import ApiKeyRole, ProductType, ReceiptTrust, RestoreBehavior, Store
from app.domain.errors import DomainError, ErrorCode
from app.services.catalog import require_offering
from app.services.keys import generate_secret, hash_secret, new_api_key

BOOTSTRAP_PROJECT_NAME = "default"
# Seeded by `make run`; a development request without a key acts as its admin.
DEMO_PROJECT_NAME = "demo"


@dataclass(frozen=True, slots=True)
class NewApiKey:
    row: ApiKey
    secret: str


async def create_project(db: Database, name: str) -> tuple[Project, str]:
    """A new project and its first admin key (returned once, stored hashed)."""
    name = validate_name(name, ("name",))
    secret = generate_secret()
    async with db.transaction() as session:
        project = Project(name=name)
        session.add(project)
        await session.flush()
        assert project.id is not None
        session.add(new_api_key(project.id, "admin", ApiKeyRole.ADMIN, secret))
    return project, secret


async def ensure_bootstrap_project(db: Database, admin_key: str) -> int:
    """Make sure a project `default` exists with this admin key (containers, tests)."""
    async with db.transaction() as session:
        existing = (
            await session.exec(select(ApiKey).where(ApiKey.key_hash == hash_secret(admin_key)))
        ).first()
        if existing is not None:
            return existing.project_id
        project = (await session.exec(select(Project).where(Project.name == BOOTSTRAP_PROJECT_NAME))).first()
        if project is None:
            project = Project(name=BOOTSTRAP_PROJECT_NAME)
            session.add(project)
            await session.flush()
        assert project.id is not None
        session.add(new_api_key(project.id, "bootstrap-admin", ApiKeyRole.ADMIN, admin_key))
        return project.id


async def list_api_keys(db: Database, project_id: int) -> Sequence[ApiKey]:
    async with db.read() as session:
        return (
            await session.exec(
                select(ApiKey)
                .where(ApiKey.project_id == project_id, col(ApiKey.revoked_at).is_(None))
                .order_by(col(ApiKey.created_at), col(ApiKey.id))
            )
        ).all()


async def create_api_key(db: Database, project_id: int, name: str, role: ApiKeyRole) -> NewApiKey:
    name = validate_name(name, ("input", "name"))
    secret = generate_secret()
    async with db.transaction() as session:
        row = new_api_key(project_id, name, role, secret)
        session.add(row)
    return NewApiKey(row=row, secret=secret)


async def revoke_api_key(db: Database, project_id: int, api_key_id: int | None) -> int:
    async with db.transaction() as session:
        row = (
            (
                await session.exec(
                    select(ApiKey).where(
                        ApiKey.id == api_key_id,
                        ApiKey.project_id == project_id,
                        col(ApiKey.revoked_at).is_(None),
                    )
                )
            ).first()
            if api_key_id is not None
            else None
        )
        if row is None or row.id is None:
            raise DomainError(ErrorCode.INVALID_INPUT, "No such API key.", ("input", "apiKeyId"))
        row.revoked_at = utcnow()
        session.add(row)
        return row.id


async def _entitlements_by_identifier(
    session: AsyncSession, project_id: int, identifiers: Sequence[str], field: tuple[str, ...]
) -> list[Entitlement]:
    rows = (
        await session.exec(
            select(Entitlement).where(
                Entitlement.project_id == project_id, col(Entitlement.identifier).in_(identifiers)
            )
        )
    ).all()
    found = {row.identifier: row for row in rows}
    for index, identifier in enumerate(identifiers):
        if identifier not in found:
            raise DomainError(
                ErrorCode.ENTITLEMENT_NOT_FOUND,
                f"No entitlement {identifier!r} in this project.",
                (*field, str(index)),
            )
    return [found[i] for i in dict.fromkeys(identifiers)]


async def _flush_unique(session: AsyncSession, what: str, field: tuple[str, ...]) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:
        raise DomainError(ErrorCode.ALREADY_EXISTS, f"{what} already exists.", field) from exc


async def create_entitlement(
    db: Database, project_id: int, identifier: str, display_name: str | None
) -> Entitlement:
    identifier = validate_identifier(identifier, ("input", "identifier"))
    name = validate_name(display_name, ("input", "displayName")) if display_name else identifier
    async with db.transaction() as session:
        row = Entitlement(project_id=project_id, identifier=identifier, display_name=name)
        session.add(row)
        await _flush_unique(session, f"Entitlement {identifier!r}", ("input", "identifier"))
        return row


async def create_product(
    db: Database,
    project_id: int,
    identifier: str,
    store: Store,
    type_: ProductType,
    price: tuple[Decimal, str] | None,
    entitlement_identifiers: Sequence[str],
) -> Product:
    identifier = validate_identifier(identifier, ("input", "identifier"))
    if store is Store.PROMOTIONAL:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "PROMOTIONAL products are made by grantEntitlement, not configured.",
            ("input", "store"),
        )
    if price is not None:
        price = validate_list_price(price[0], price[1], ("input", "price"))
    async with db.transaction() as session:
        entitlements = await _entitlements_by_identifier(
            session, project_id, entitlement_identifiers, ("input", "entitlementIdentifiers")
        )
        row = Product(
            project_id=project_id,
            identifier=identifier,
            store=store,
            type=type_,
            price_amount=price[0] if price else None,
            price_currency=price[1] if price else None,
        )
        session.add(row)
        await _flush_unique(session, f"Product {identifier!r} on {store.value}", ("input", "identifier"))
        for entitlement in entitlements:
            assert row.id is not None and entitlement.id is not None
            session.add(ProductEntitlement(product_id=row.id, entitlement_id=entitlement.id))
        return row


async def _clear_current_offering(session: AsyncSession, project_id: int) -> None:
    await session.exec(
        update(Offering)
        .where(col(Offering.project_id) == project_id, col(Offering.is_current))
        .values(is_current=False)
    )


async def create_offering(
    db: Database,
    project_id: int,
    identifier: str,
    description: str | None,
    packages: Sequence[tuple[str, str]],
    is_current: bool,
) -> Offering:
    identifier = validate_identifier(identifier, ("input", "identifier"))
    description = validate_text(description or "", ("input", "description"), 1000)
    for index, (package_identifier, _) in enumerate(packages):
        validate_identifier(package_identifier, ("input", "packages", str(index), "identifier"))
    async with db.transaction() as session:
        product_ids: list[int] = []
        for index, (_, product_identifier) in enumerate(packages):
            matches = (
                await session.exec(
                    select(Product.id).where(
                        Product.project_id == project_id, Product.identifier == product_identifier
                    )
                )
            ).all()
            field = ("input", "packages", str(index), "productIdentifier")
            if not matches:
                raise DomainError(ErrorCode.PRODUCT_NOT_FOUND, f"No product {product_identifier!r}.", field)
            if len(matches) > 1:
                raise DomainError(
                    ErrorCode.INVALID_INPUT,
                    f"Several stores have a product {product_identifier!r}; a package names one.",
                    field,
                )
            product_ids.append(matches[0])  # type: ignore[arg-type]
        if is_current:
            await _clear_current_offering(session, project_id)
        row = Offering(
            project_id=project_id, identifier=identifier, description=description, is_current=is_current
        )
        session.add(row)
        await _flush_unique(session, f"Offering {identifier!r}", ("input", "identifier"))
        assert row.id is not None
        for position, ((package_identifier, _), product_id) in enumerate(
            zip(packages, product_ids, strict=True)
        ):
            session.add(
                Package(
                    offering_id=row.id,
                    identifier=package_identifier,
                    product_id=product_id,
                    position=position,
                )
            )
        await _flush_unique(session, "A package with that identifier", ("input", "packages"))
        return row


async def set_current_offering(db: Database, project_id: int, identifier: str) -> Project:
    async with db.transaction() as session:
        offering = await require_offering(session, project_id, identifier)
        await _clear_current_offering(session, project_id)
        offering.is_current = True
        session.add(offering)
        return await _project(session, project_id)


async def set_restore_behavior(db: Database, project_id: int, behavior: RestoreBehavior) -> Project:
    async with db.transaction() as session:
        project = await _project(session, project_id)
        project.restore_behavior = behavior
        session.add(project)
        return project


async def set_receipt_trust(db: Database, project_id: int, trust: ReceiptTrust) -> Project:
    async with db.transaction() as session:
        project = await _project(session, project_id)
        project.receipt_trust = trust
        session.add(project)
        return project


async def _project(session: AsyncSession, project_id: int) -> Project:
    project = await session.get(Project, project_id)
    assert project is not None  # the acting key belongs to it
    return project


async def get_project(db: Database, project_id: int) -> Project:
    async with db.read() as session:
        return await _project(session, project_id)
