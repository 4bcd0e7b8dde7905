import re
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.errors import DomainError, ErrorCode
from app.domain.identity import (
    ANONYMOUS_ID_PATTERN,
    AliasView,
    IdentifyOutcome,
    choose_app_user_id,
    identify_outcome,
    is_anonymous,
    new_anonymous_id,
    validate_app_user_id,
)

ANON = "$RCAnonymousID:8069238d6049ce87cc529853916d624c"
T0 = datetime(2024, 1, 1, tzinfo=UTC)


class TestAnonymousIds:
    def test_pattern(self) -> None:
        assert ANONYMOUS_ID_PATTERN.pattern == r"^\$RCAnonymousID:[0-9a-f]{32}$"

    def test_sdk_format_is_anonymous(self) -> None:
        assert is_anonymous(ANON)

    @pytest.mark.parametrize(
        "value",
        [
            "user-1",
            "$RCAnonymousID:8069238D6049CE87CC529853916D624C",  # uppercase hex
            "$RCAnonymousID:12345678-1234-1234-1234-123456789123",  # hyphenated doc sample
            "$RCAnonymousID:8069238d6049ce87cc529853916d624",  # 31 digits
            "$RCAnonymousID:8069238d6049ce87cc529853916d624c0",  # 33 digits
            ANON + "\n",
            "x" + ANON,
            "$rcanonymousid:8069238d6049ce87cc529853916d624c",
        ],
    )
    def test_other_ids_are_not_anonymous(self, value: str) -> None:
        assert not is_anonymous(value)

    def test_new_anonymous_id_is_anonymous_and_unique(self) -> None:
        first, second = new_anonymous_id(), new_anonymous_id()
        assert is_anonymous(first)
        assert re.fullmatch(r"\$RCAnonymousID:[0-9a-f]{32}", first)
        assert first != second


class TestValidateAppUserId:
    @pytest.mark.parametrize(
        "value",
        ["user_123", "a", "x" * 100, ANON, "Null-ish", "nullable", "élodie@example", "-2", "00"],
    )
    def test_accepts(self, value: str) -> None:
        assert validate_app_user_id(value) == value

    @pytest.mark.parametrize(
        "value",
        [
            "no_user", "null", "none", "nil", "(null)", "NaN", "unidentified", "undefined",
            "unknown", "anonymous", "guest", "-1", "0", "[]", "{}", "[object Object]",
        ],
    )  # fmt: skip
    def test_refuses_each_blocked_id(self, value: str) -> None:
        self._assert_refused(value)

    @pytest.mark.parametrize(
        "value", ["NULL", "None", "Nil", "nan", "NAN", "Undefined", "GUEST", "[Object object]"]
    )
    def test_refuses_case_variants_of_blocked_ids(self, value: str) -> None:
        self._assert_refused(value)

    @pytest.mark.parametrize("value", [" null", "undefined ", "\tNone"])
    def test_refuses_blocked_ids_with_surrounding_whitespace(self, value: str) -> None:
        self._assert_refused(value)

    @pytest.mark.parametrize("value", ["", " ", "   \t  ", "\u3000"])
    def test_refuses_empty_and_whitespace(self, value: str) -> None:
        self._assert_refused(value)

    def test_refuses_more_than_100_characters(self) -> None:
        self._assert_refused("x" * 101)

    @pytest.mark.parametrize("value", ["a/b", "/", "user/", "/user"])
    def test_refuses_slash(self, value: str) -> None:
        self._assert_refused(value)

    @pytest.mark.parametrize("value", ["\x00", "ab\x00c", "a\nb", "a\tb", "a\x7fb", "a\x85b"])
    def test_refuses_control_characters(self, value: str) -> None:
        self._assert_refused(value)

    def test_uses_the_given_field(self) -> None:
        with pytest.raises(DomainError) as caught:
            validate_app_user_id("null", field=("input", "newAppUserId"))
        assert caught.value.field == ("input", "newAppUserId")

    @staticmethod
    def _assert_refused(value: str) -> None:
        with pytest.raises(DomainError) as caught:
            validate_app_user_id(value)
        assert caught.value.code == ErrorCode.INVALID_INPUT
        assert caught.value.field == ("input", "appUserId")


def alias(
    app_user_id: str, *, anonymous: bool = False, seen: int | None = None, created: int = 0
) -> AliasView:
    return AliasView(
        app_user_id=app_user_id,
        is_anonymous=anonymous,
        last_seen_at=None if seen is None else T0 + timedelta(hours=seen),
        created_at=T0 + timedelta(minutes=created),
    )


class TestChooseAppUserId:
    def test_last_seen_identified_alias_wins(self) -> None:
        aliases = [
            alias(ANON, anonymous=True, seen=10, created=0),
            alias("old", seen=1, created=1),
            alias("new", seen=5, created=2),
        ]
        assert choose_app_user_id(aliases) == "new"

    def test_identified_beats_a_more_recent_anonymous(self) -> None:
        aliases = [alias(ANON, anonymous=True, seen=10), alias("user", seen=1, created=1)]
        assert choose_app_user_id(aliases) == "user"

    def test_last_seen_anonymous_when_no_identified_alias_was_seen(self) -> None:
        other_anon = "$RCAnonymousID:" + "a" * 32
        aliases = [
            alias("user", created=0),
            alias(ANON, anonymous=True, seen=1, created=1),
            alias(other_anon, anonymous=True, seen=3, created=2),
        ]
        assert choose_app_user_id(aliases) == other_anon

    def test_original_when_nothing_was_seen(self) -> None:
        aliases = [alias("later", created=5), alias("original", created=0), alias("mid", created=3)]
        assert choose_app_user_id(aliases) == "original"

    def test_ties_go_to_the_earliest_created(self) -> None:
        aliases = [alias("b", seen=2, created=5), alias("a2", seen=2, created=1)]
        assert choose_app_user_id(aliases) == "a2"
        assert choose_app_user_id(list(reversed(aliases))) == "a2"

    def test_single_alias(self) -> None:
        assert choose_app_user_id([alias(ANON, anonymous=True)]) == ANON

    def test_no_alias_is_a_bug(self) -> None:
        with pytest.raises(ValueError):
            choose_app_user_id([])


class TestIdentifyOutcome:
    @pytest.mark.parametrize(
        ("current_anon", "current_exists", "new_exists", "new_has_anon", "expected"),
        [
            # Reference section 7, row by row.
            (True, True, False, False, IdentifyOutcome.ALIAS_NEW),
            (True, True, True, False, IdentifyOutcome.MERGE_INTO_NEW),
            (True, True, True, True, IdentifyOutcome.SWITCH),
            (False, True, False, False, IdentifyOutcome.SWITCH),
            (False, True, True, False, IdentifyOutcome.SWITCH),
            (False, True, True, True, IdentifyOutcome.SWITCH),
            (False, False, False, False, IdentifyOutcome.SWITCH),
            # An anonymous ID the service never saw has nothing to bring along.
            (True, False, False, False, IdentifyOutcome.SWITCH),
            (True, False, True, False, IdentifyOutcome.SWITCH),
        ],
    )
    def test_rules(
        self,
        current_anon: bool,
        current_exists: bool,
        new_exists: bool,
        new_has_anon: bool,
        expected: IdentifyOutcome,
    ) -> None:
        outcome = identify_outcome(
            current_is_anonymous=current_anon,
            current_customer_exists=current_exists,
            new_customer_exists=new_exists,
            new_customer_has_anonymous_alias=new_has_anon,
            same_customer=False,
        )
        assert outcome is expected

    @pytest.mark.parametrize("current_anon", [True, False])
    def test_same_customer(self, current_anon: bool) -> None:
        outcome = identify_outcome(
            current_is_anonymous=current_anon,
            current_customer_exists=True,
            new_customer_exists=True,
            new_customer_has_anonymous_alias=current_anon,
            same_customer=True,
        )
        assert outcome is IdentifyOutcome.ALREADY_SAME
