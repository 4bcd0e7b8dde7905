import re
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.enums import ApiKeyRole
from app.domain.errors import DomainError, ErrorCode
from app.domain.identity import (
    ANONYMOUS_ID_PATTERN,
    AliasView,
    IdentifyOutcome,
    choose_app_user_id,
    identify_lock_keys,
    identify_outcome,
    ids_seen_by_login,
    is_anonymous,
    new_anonymous_id,
    set_attributes_creates_customer,
    validate_app_user_id,
)

ANON = "$RCAnonymousID:8069238d6049ce87cc529853916d624c"
T0 = datetime(2024, 1, 1, tzinfo=UTC)
STABLE_KEY_PROJECT_1_USER_7 = 5810391782919701376  # blake2b-64 of "identify\x001\x00user-7"


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

    # Lookalike IDs (DESIGN 4.1): each class of invisible or misleading character.

    @pytest.mark.parametrize(
        "value", ["ana\u200b", "a\u200bna", "a\u200cna", "a\u200dna", "ana\u2060", "\ufeffana", "an\u00ada"]
    )
    def test_refuses_zero_width_characters(self, value: str) -> None:
        self._assert_refused(value, "zero-width or bidirectional-control")

    @pytest.mark.parametrize(
        "value",
        [
            "\u200eana", "ana\u200f", "\u061cana",  # marks
            "\u202aana", "\u202bana", "\u202cana", "\u202dana", "ana\u202e",  # embeddings, overrides
            "\u2066ana", "\u2067ana", "\u2068ana", "ana\u2069",  # isolates
        ],
    )  # fmt: skip
    def test_refuses_bidirectional_controls(self, value: str) -> None:
        self._assert_refused(value, "zero-width or bidirectional-control")

    @pytest.mark.parametrize("value", ["a\x1bb", "\x07ana", "ana\x9b"])
    def test_control_characters_are_named_as_such(self, value: str) -> None:
        self._assert_refused(value, "control characters")

    @pytest.mark.parametrize(
        "value", [" ana", "ana ", "\tana", "ana\n", "\u00a0ana", "ana\u2003", "\u3000ana", "ana\u2028"]
    )
    def test_refuses_leading_and_trailing_whitespace(self, value: str) -> None:
        self._assert_refused(value, "whitespace")

    @pytest.mark.parametrize(("value", "named"), [("an\u2028a", "line"), ("an\u2029a", "paragraph")])
    def test_refuses_line_and_paragraph_separators_inside(self, value: str, named: str) -> None:
        self._assert_refused(value, named)

    def test_refuses_an_unpaired_surrogate(self) -> None:
        self._assert_refused("ana\ud800", "surrogate")

    def test_the_refusal_names_the_code_point(self) -> None:
        with pytest.raises(DomainError) as caught:
            validate_app_user_id("ana\u202e")
        assert "U+202E" in caught.value.message

    @pytest.mark.parametrize(
        "value",
        ["ana maria", "ana\u00a0maria", "José", "Zoë", "李雷", "محمد", "user+tag@example.com", "🙂"],
    )
    def test_accepts_inner_spaces_and_any_script(self, value: str) -> None:
        # Exact comparison keeps these distinct; only invisible or edge characters mislead.
        assert validate_app_user_id(value) == value

    def test_uses_the_given_field(self) -> None:
        with pytest.raises(DomainError) as caught:
            validate_app_user_id("null", field=("input", "newAppUserId"))
        assert caught.value.field == ("input", "newAppUserId")

    @staticmethod
    def _assert_refused(value: str, reason: str = "") -> None:
        with pytest.raises(DomainError) as caught:
            validate_app_user_id(value)
        assert caught.value.code == ErrorCode.INVALID_INPUT
        assert caught.value.field == ("input", "appUserId")
        assert reason in caught.value.message


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


class TestLogInMarksTheNewIdSeen:
    def test_only_the_new_id_is_marked(self) -> None:
        assert ids_seen_by_login(ANON, "user-7") == ("user-7",)
        assert ids_seen_by_login("left-behind", "user-7") == ("user-7",)

    def test_after_login_from_an_anonymous_id_the_identified_one_stands(self) -> None:
        # The anonymous ID was seen at the app open an hour earlier; logIn is at hour 2.
        before = [alias(ANON, anonymous=True, seen=1, created=0)]
        login_at = T0 + timedelta(hours=2)
        after = [*before, AliasView("user-7", False, None, login_at)]
        assert choose_app_user_id(after) == ANON  # what was shown before this rule
        marked = [
            AliasView(a.app_user_id, a.is_anonymous, login_at, a.created_at)
            if a.app_user_id in ids_seen_by_login(ANON, "user-7")
            else a
            for a in after
        ]
        assert choose_app_user_id(marked) == "user-7"


class TestSetAttributesCreatesTheCustomer:
    def test_an_sdk_key_creates(self) -> None:
        assert set_attributes_creates_customer(ApiKeyRole.SDK) is True

    @pytest.mark.parametrize("role", [ApiKeyRole.VIEWER, ApiKeyRole.SUPPORT, ApiKeyRole.ADMIN])
    def test_other_roles_do_not(self, role: ApiKeyRole) -> None:
        assert set_attributes_creates_customer(role) is False


class TestIdentifyLockKeys:
    def test_one_key_per_id_in_one_order_whatever_the_argument_order(self) -> None:
        forward = identify_lock_keys(1, [ANON, "user-7"])
        assert forward == identify_lock_keys(1, ["user-7", ANON])
        assert forward == sorted(forward) and len(forward) == 2

    def test_the_same_id_twice_is_one_lock(self) -> None:
        assert identify_lock_keys(1, ["u", "u"]) == identify_lock_keys(1, ["u"])

    def test_two_logins_sharing_an_id_share_its_lock(self) -> None:
        assert set(identify_lock_keys(1, [ANON, "a"])) & set(identify_lock_keys(1, [ANON, "b"]))

    def test_keys_differ_per_project_and_fit_a_signed_bigint(self) -> None:
        assert identify_lock_keys(1, ["u"]) != identify_lock_keys(2, ["u"])
        for key in identify_lock_keys(1, [ANON, "user-7", "x" * 100]):
            assert -(2**63) <= key < 2**63

    def test_keys_are_stable_across_processes(self) -> None:
        # A fixed value: Python's own hash() would differ per process (PYTHONHASHSEED),
        # and two server processes must take the same lock for the same ID.
        assert identify_lock_keys(1, ["user-7"]) == [STABLE_KEY_PROJECT_1_USER_7]
