"""The demo project that `make run` creates on first start."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlmodel import select

from app.db.engine import Database
from app.db.models import AppUserId, Attribute, Customer, Note, Project
from app.db.types import utcnow
from app.domain.enums import CancelReason, Environment, GrantDuration, PeriodType, ProductType, Store
from app.domain.events import Actor
from app.domain.identity import is_anonymous
from app.domain.notes import render_note_html
from app.domain.prices import default_rate_table
from app.domain.receipts import TransactionState
from app.services import grants, projects
from app.services.projects import DEMO_PROJECT_NAME
from app.services.receipts import PostedReceipt, record_receipt

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
    await _seed_purchases(db, pid)
    return True


def _monthly(
    original: str, product: str, start: datetime, months: int, trial: bool = False
) -> list[TransactionState]:
    """Consecutive periods of one subscription; the first is a 7-day trial if asked."""
    periods = []
    begins = start
    for month in range(months):
        is_trial = trial and month == 0
        ends = begins + timedelta(days=7 if is_trial else 30)
        periods.append(
            TransactionState(
                transaction_id=f"{original}-{month}",
                original_transaction_id=original,
                product_id=product,
                purchased_at=begins,
                expires_at=ends,
                period_type=PeriodType.TRIAL if is_trial else PeriodType.NORMAL,
            )
        )
        begins = ends
    return periods


async def _seed_purchases(db: Database, project_id: int) -> None:
    """Receipts through the real ingestion, so the demo timelines are what apps produce."""
    now = utcnow()
    rates = default_rate_table()

    async def post(app_user_id: str, store: Store, txns: list[TransactionState]) -> None:
        await record_receipt(
            db, project_id, PostedReceipt(app_user_id, store, Environment.PRODUCTION, txns), rates, now
        )

    # A trial that converted and keeps renewing.
    await post(
        "ana.silva",
        Store.APP_STORE,
        _monthly("1000000001", "pro_monthly", now - timedelta(days=80), 4, trial=True),
    )
    # A Play subscription whose renewal failed yesterday: in a 16-day grace period.
    play = _monthly("GPA.3312-0001", "pro_monthly_play:monthly", now - timedelta(days=61), 2)
    play[-1] = replace(
        play[-1],
        billing_issue_detected_at=now - timedelta(days=1),
        grace_period_expires_at=now + timedelta(days=15),
    )
    await post("ben.okafor", Store.PLAY_STORE, play)
    # A lifetime purchase.
    await post(
        "chloe.martin",
        Store.APP_STORE,
        [TransactionState("1000000777", "1000000777", "premium_lifetime", now - timedelta(days=40), None)],
    )
    # A Web Billing subscription that will not renew.
    web = _monthly("sub_demo_emma", "web_pro_monthly", now - timedelta(days=35), 2)
    web[-1] = replace(web[-1], will_renew=False, cancel_reason=CancelReason.UNSUBSCRIBE)
    await post("emma.johnson", Store.RC_BILLING, web)
    # A lapsed subscription, then a grant from support.
    await post(
        "george.li", Store.APP_STORE, _monthly("1000000333", "pro_yearly", now - timedelta(days=500), 1)
    )
    await grants.grant_entitlement(
        db,
        project_id=project_id,
        app_user_id="george.li",
        entitlement_identifier="pro",
        duration=GrantDuration.MONTHLY,
        ends_at=None,
        actor=Actor("support@demo", "Migration goodwill"),
        now=now,
    )


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
                        body_html=render_note_html(body),
                        author="support@demo",
                        created_at=at,
                        updated_at=at,
                    )
                )
