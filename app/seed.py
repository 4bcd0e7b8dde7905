"""The demo project that `make run` creates on first start."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlmodel import select

from app.db.engine import Database
from app.db.models import AppUserId, Attribute, Customer, Note, Project
from app.domain.enums import ProductType, Store
from app.domain.identity import is_anonymous
from app.services import projects

DEMO_PROJECT_NAME = "demo"

DEMO_PRODUCTS = [
    # (identifier, store, type, price, currency, entitlements)
    ("pro_monthly", Store.APP_STORE, ProductType.SUBSCRIPTION, "9.99", "USD", ["pro"]),
    ("pro_yearly", Store.APP_STORE, ProductType.SUBSCRIPTION, "79.99", "USD", ["pro"]),
    ("premium_lifetime", Store.APP_STORE, ProductType.NON_RENEWING, "199.99", "USD", ["pro", "premium"]),
    ("pro_monthly_play:monthly", Store.PLAY_STORE, ProductType.SUBSCRIPTION, "8.99", "EUR", ["pro"]),
    ("gems_100", Store.PLAY_STORE, ProductType.CONSUMABLE, "1.99", "EUR", []),
    ("web_pro_monthly", Store.RC_BILLING, ProductType.SUBSCRIPTION, "7.99", "USD", ["pro"]),
    ("web_premium_yearly", Store.RC_BILLING, ProductType.SUBSCRIPTION, "99.00", "USD", ["premium"]),
]

DEMO_CUSTOMERS = [
    # (original id, aliases, country, email, notes)
    (
        "$RCAnonymousID:0a1b2c3d4e5f60718293a4b5c6d7e8f9",
        ["ana.silva"],
        "BR",
        "ana@example.com",
        ["Asked about **family sharing** on 2026-10-02."],
    ),
    ("ben.okafor", [], "NG", "ben@example.com", []),
    (
        "chloe.martin",
        ["$RCAnonymousID:11112222333344445555666677778888"],
        "FR",
        "chloe@example.com",
        ["VIP: *beta tester*", "Refund requested once, declined."],
    ),
    ("dmitri.ivanov", [], "DE", None, []),
    ("emma.johnson", ["emma.j.work"], "US", "emma@example.com", ["Prefers email contact."]),
    ("farah.khan", [], "GB", "farah@example.com", []),
    ("george.li", [], "CA", None, ["Migrated from the old billing system."]),
    ("hana.sato", ["$RCAnonymousID:9999aaaabbbbccccddddeeeeffff0000"], "JP", "hana@example.com", []),
    ("ivan.petrov", [], "PL", None, []),
    ("julia.rossi", [], "IT", "julia@example.com", ["Reported a billing issue in March."]),
    ("kofi.mensah", [], "GH", None, []),
    ("lena.berg", ["lena.b"], "SE", "lena@example.com", []),
]


async def seed_demo(db: Database) -> bool:
    """Create the demo project once; False when it already exists."""
    async with db.read() as session:
        if (await session.exec(select(Project).where(Project.name == DEMO_PROJECT_NAME))).first():
            return False
    project, _secret = await projects.create_project(db, DEMO_PROJECT_NAME)
    assert project.id is not None
    pid = project.id
    await projects.create_entitlement(db, pid, "pro", "Pro")
    await projects.create_entitlement(db, pid, "premium", "Premium")
    for identifier, store, type_, price, currency, entitlements in DEMO_PRODUCTS:
        await projects.create_product(
            db, pid, identifier, store, type_, (Decimal(price), currency), entitlements
        )
    await projects.create_offering(
        db,
        pid,
        "default",
        "Monthly and yearly Pro",
        [("$rc_monthly", "pro_monthly"), ("$rc_annual", "pro_yearly")],
        True,
    )
    await projects.create_offering(
        db,
        pid,
        "support_discount",
        "Lifetime offer for support cases",
        [("$rc_lifetime", "premium_lifetime")],
        False,
    )
    await _seed_customers(db, pid)
    return True


async def _seed_customers(db: Database, project_id: int) -> None:
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    async with db.transaction() as session:
        for index, (original, aliases, country, email, notes) in enumerate(DEMO_CUSTOMERS):
            first_seen = start + timedelta(days=7 * index)
            last_opened = first_seen + timedelta(days=30 + index)
            customer = Customer(
                project_id=project_id,
                first_seen_at=first_seen,
                last_opened_at=last_opened,
                last_seen_at=last_opened,
                country=country,
            )
            session.add(customer)
            await session.flush()
            assert customer.id is not None
            for position, app_user_id in enumerate([original, *aliases]):
                session.add(
                    AppUserId(
                        project_id=project_id,
                        customer_id=customer.id,
                        app_user_id=app_user_id,
                        is_anonymous=is_anonymous(app_user_id),
                        is_original=position == 0,
                        created_at=first_seen + timedelta(minutes=position),
                        last_seen_at=last_opened - timedelta(hours=position),
                    )
                )
            if email:
                session.add(
                    Attribute(
                        project_id=project_id,
                        customer_id=customer.id,
                        key="$email",
                        value=email,
                        updated_at=first_seen,
                    )
                )
            session.add(
                Attribute(
                    project_id=project_id,
                    customer_id=customer.id,
                    key="favorite_plan",
                    value="yearly" if index % 2 else "monthly",
                    updated_at=first_seen,
                )
            )
            if index % 3 == 0:
                for key, value in (
                    ("$mediaSource", "Apple Search Ads"),
                    ("$campaign", "autumn_launch"),
                    ("$adGroup", "fitness"),
                    ("$keyword", "workout app"),
                    ("$creative", "video_15s"),
                ):
                    session.add(
                        Attribute(
                            project_id=project_id,
                            customer_id=customer.id,
                            key=key,
                            value=value,
                            updated_at=first_seen,
                        )
                    )
            for position, body in enumerate(notes):
                at = first_seen + timedelta(days=1 + position)
                session.add(
                    Note(
                        project_id=project_id,
                        customer_id=customer.id,
                        body=body,
                        author="support@demo",
                        created_at=at,
                        updated_at=at,
                    )
                )
