"""A timeline event's plain fields come from its row when first asked
(app/graphql/types/event.py): each of them, and with the row's values."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from app.db.models import CustomerEvent
from app.domain.enums import CustomerEventType, Store, WebhookEventType
from app.graphql.ids import decode_cursor, encode_cursor
from app.graphql.types.common import Money
from app.graphql.types.event import _FROM_ROW, CustomerEventEdge, CustomerEventNode, VirtualCurrencyAmount


def renewal(**columns: Any) -> CustomerEvent:
    return CustomerEvent(
        project_id=1,
        customer_id=2,
        event_uuid="e",
        type=CustomerEventType.RENEWED,
        webhook_type=WebhookEventType.RENEWAL,
        description="Renewed",
        purchased_at=datetime(2026, 1, 2, tzinfo=UTC),
        **columns,
    )


def test_every_plain_field_has_its_reading_from_the_row() -> None:
    definition = CustomerEventNode.__strawberry_definition__  # type: ignore[attr-defined]
    plain = {field.python_name for field in definition.fields if field.base_resolver is None}
    assert plain == set(_FROM_ROW)


def test_a_field_reads_the_row_once_and_keeps_the_value() -> None:
    row = renewal(
        store=Store.APP_STORE,
        price=Decimal("9.99"),
        currency="EUR",
        price_usd=Decimal("11.16"),
        entitlement_ids=["pro"],
        virtual_currency_code="GEMS",
        virtual_currency_amount=5,
        facts={"usd_rate_missing": True},
    )
    node = CustomerEventNode(row=row)
    assert node.type is CustomerEventType.RENEWED
    assert node.webhook_event_type is WebhookEventType.RENEWAL
    assert node.price == Money(amount=Decimal("9.99"), currency="EUR")
    assert node.price_usd == Money(amount=Decimal("11.16"), currency="USD")
    assert node.entitlement_ids == ["pro"]
    assert node.virtual_currency == VirtualCurrencyAmount(code="GEMS", amount=5)
    assert node.usd_rate_missing is True
    assert node.cancel_reason is None
    assert "price" in vars(node)  # kept: the row is not read again
    row.price = Decimal("1")
    assert node.price.amount == Decimal("9.99")
    with pytest.raises(AttributeError):
        node.no_such_field  # noqa: B018 - the attribute read is the test


def test_an_edge_gives_its_cursor_when_asked() -> None:
    row = renewal(id=7)
    edge = CustomerEventEdge(node=CustomerEventNode(row=row))
    assert "cursor" not in vars(edge)
    assert edge.cursor == encode_cursor("2026-01-02T00:00:00+00:00", 7)
    assert decode_cursor(edge.cursor, 2) == ["2026-01-02T00:00:00+00:00", "7"]
