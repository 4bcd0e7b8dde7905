"""Global ids in mutation input: one rule for an id that names nothing the mutation can act
on (app/graphql/ids.py): the kind's NOT_FOUND code where the contract has one, else
INVALID_INPUT, with the path of the input field."""

import pytest

from app.domain.errors import DomainError, ErrorCode
from app.graphql.ids import (
    API_KEY,
    MAX_PK,
    NOTE,
    PURCHASE,
    WEBHOOK_DELIVERY,
    WEBHOOK_ENDPOINT,
    IdKind,
    encode_id,
    require_pk,
)

FIELD = ("input", "someId")


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        (NOTE, ErrorCode.NOTE_NOT_FOUND),
        (PURCHASE, ErrorCode.PURCHASE_NOT_FOUND),
        (API_KEY, ErrorCode.INVALID_INPUT),
        (WEBHOOK_ENDPOINT, ErrorCode.INVALID_INPUT),
        (WEBHOOK_DELIVERY, ErrorCode.INVALID_INPUT),
    ],
    ids=lambda value: getattr(value, "type_name", str(value)),
)
def test_an_id_that_is_not_of_the_kind_gets_the_kinds_not_found_answer(kind: IdKind, code: ErrorCode) -> None:
    not_ours = [
        "",
        "not base64 at all!",
        encode_id("Customer", 7),  # another type
        encode_id(kind.type_name, 0),
        encode_id(kind.type_name, MAX_PK + 1),
        f"{kind.type_name}:7",  # not encoded
        encode_id(kind.type_name, 7)[:-2],  # cut short
    ]
    for value in not_ours:
        with pytest.raises(DomainError) as refused:
            require_pk(value, kind, FIELD)
        assert (refused.value.code, refused.value.field) == (code, FIELD), value
        assert refused.value.message == f"No such {kind.label}."


def test_an_id_of_the_kind_gives_its_primary_key() -> None:
    assert require_pk(encode_id("Note", 42), NOTE, FIELD) == 42
    assert require_pk(encode_id("Purchase", MAX_PK), PURCHASE, FIELD) == MAX_PK
