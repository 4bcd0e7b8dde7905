import pytest

from app.domain.attributes import (
    ATTRIBUTION_KEYS,
    CUSTOM_KEY_PATTERN,
    RESERVED_KEYS,
    AttributeChange,
    is_reserved,
    validate_attribute_changes,
)
from app.domain.errors import DomainErrors, ErrorCode

DOCS_RESERVED = [
    "$displayName", "$email", "$phoneNumber", "$deviceVersion", "$apnsTokens", "$fcmTokens",
    "$attConsentStatus", "$idfa", "$idfv", "$gpsAdId", "$androidId", "$amazonAdId", "$ip",
    "$adjustId", "$amplitudeDeviceId", "$amplitudeUserId", "$appsflyerId", "$fbAnonId",
    "$firebaseAppInstanceId", "$iterableUserId", "$mixpanelDistinctId", "$mparticleId",
    "$onesignalId", "$clevertapId", "$airshipChannelId", "$kochavaDeviceId", "$tenjinId",
    "$posthogUserId", "$customerioId", "$brazeAliasName", "$brazeAliasLabel",
    "$iterableCampaignId", "$iterableTemplateId", "$mediaSource", "$campaign", "$adGroup",
    "$ad", "$keyword", "$creative", "$appleRefundHandlingPreference",
]  # fmt: skip
API_V2_RESERVED = [
    "$airbridgeDeviceId", "$appleAdsAdGroupId", "$appleAdsCampaignId", "$appleAdsKeywordId",
    "$appsflyerSharingFilter", "$branchId", "$onesignalUserId", "$telemetryDeckUserId",
    "$telemetryDeckAppId", "$segmentId", "$solarEngineDistinctId", "$solarEngineAccountId",
    "$solarEngineVisitorId",
]  # fmt: skip


def errors_of(
    changes: list[tuple[str, str | None]], existing: set[str] | None = None
) -> list[tuple[ErrorCode, tuple[str, ...] | None]]:
    with pytest.raises(DomainErrors) as caught:
        validate_attribute_changes(changes, existing or set())
    return [(error.code, error.field) for error in caught.value.errors]


def key_field(index: int) -> tuple[str, ...]:
    return ("input", "attributes", str(index), "key")


def value_field(index: int) -> tuple[str, ...]:
    return ("input", "attributes", str(index), "value")


class TestReservedKeys:
    def test_is_exactly_the_documented_and_api_v2_keys(self) -> None:
        assert frozenset(DOCS_RESERVED + API_V2_RESERVED) == RESERVED_KEYS
        assert len(RESERVED_KEYS) == 53

    @pytest.mark.parametrize("key", DOCS_RESERVED + API_V2_RESERVED)
    def test_each_is_reserved_and_accepted(self, key: str) -> None:
        assert is_reserved(key)
        value = "a@example.com" if key == "$email" else "v"
        assert validate_attribute_changes([(key, value)], set()) == [AttributeChange(key, value)]

    @pytest.mark.parametrize("key", ["$unknown", "$", "$Email", "email", "$ email"])
    def test_is_reserved_is_exact(self, key: str) -> None:
        assert not is_reserved(key)

    def test_attribution_keys(self) -> None:
        assert dict(ATTRIBUTION_KEYS) == {
            "network": "$mediaSource",
            "campaign": "$campaign",
            "ad_group": "$adGroup",
            "keywords": "$keyword",
            "creative": "$creative",
        }
        assert set(ATTRIBUTION_KEYS.values()) <= RESERVED_KEYS


class TestKeys:
    def test_pattern(self) -> None:
        assert CUSTOM_KEY_PATTERN.pattern == "^[a-zA-Z][a-zA-Z0-9_-]*$"

    @pytest.mark.parametrize("key", ["a", "plan", "Plan_2", "favorite-color", "x" * 40, "A-_9"])
    def test_valid_custom_keys(self, key: str) -> None:
        assert validate_attribute_changes([(key, "v")], set()) == [AttributeChange(key, "v")]

    @pytest.mark.parametrize(
        "key",
        ["", "1abc", "_abc", "-abc", "a b", "a.b", "a$", "émile", "a\n", "x" * 41, "tab\tkey"],
    )
    def test_invalid_custom_keys(self, key: str) -> None:
        assert errors_of([(key, "v")]) == [(ErrorCode.INVALID_ATTRIBUTE_KEY, key_field(0))]

    @pytest.mark.parametrize("key", ["$custom", "$", "$Email", "$1"])
    def test_unknown_dollar_keys(self, key: str) -> None:
        assert errors_of([(key, "v")]) == [(ErrorCode.RESERVED_ATTRIBUTE_KEY, key_field(0))]

    def test_duplicate_key_in_one_call(self) -> None:
        assert errors_of([("plan", "a"), ("other", "b"), ("plan", None)]) == [
            (ErrorCode.INVALID_INPUT, key_field(2))
        ]

    def test_keys_are_case_sensitive(self) -> None:
        result = validate_attribute_changes([("plan", "a"), ("Plan", "b")], set())
        assert result == [AttributeChange("plan", "a"), AttributeChange("Plan", "b")]


class TestValues:
    def test_500_characters_fit(self) -> None:
        assert validate_attribute_changes([("k", "x" * 500)], set())[0].value == "x" * 500

    def test_501_characters_are_too_long(self) -> None:
        assert errors_of([("k", "x" * 501)]) == [(ErrorCode.ATTRIBUTE_VALUE_TOO_LONG, value_field(0))]

    def test_reserved_values_are_limited_too(self) -> None:
        assert errors_of([("$displayName", "x" * 501)]) == [
            (ErrorCode.ATTRIBUTE_VALUE_TOO_LONG, value_field(0))
        ]

    def test_nul_is_invalid_input(self) -> None:
        assert errors_of([("k", "a\x00b")]) == [(ErrorCode.INVALID_INPUT, value_field(0))]

    @pytest.mark.parametrize("email", ["a@example.com", "first.last+tag@mail.example.co.uk", "x@y.z"])
    def test_valid_email(self, email: str) -> None:
        assert validate_attribute_changes([("$email", email)], set()) == [AttributeChange("$email", email)]

    @pytest.mark.parametrize(
        "email",
        ["not-an-email", "a@b", "@example.com", "a@", "a@@example.com", "a b@example.com",
         "a@example..com", "a@.example.com", "a@example.com.", " a@example.com"],
    )  # fmt: skip
    def test_invalid_email(self, email: str) -> None:
        assert errors_of([("$email", email)]) == [(ErrorCode.INVALID_INPUT, value_field(0))]

    def test_email_rule_is_only_for_email(self) -> None:
        assert validate_attribute_changes([("email", "nope")], set())[0].value == "nope"

    @pytest.mark.parametrize("value", [None, ""])
    def test_null_or_empty_deletes(self, value: str | None) -> None:
        result = validate_attribute_changes([("plan", value), ("$email", value)], {"plan"})
        assert result == [AttributeChange("plan", None), AttributeChange("$email", None)]
        assert all(change.is_delete for change in result)

    def test_values_are_kept_as_sent(self) -> None:
        assert validate_attribute_changes([("k", "  spaced  ")], set())[0].value == "  spaced  "


class TestLimit:
    EXISTING = {f"k{i}" for i in range(50)}

    def test_setting_an_existing_key_at_the_limit_is_fine(self) -> None:
        assert validate_attribute_changes([("k0", "new")], self.EXISTING) == [AttributeChange("k0", "new")]

    def test_51st_custom_key_is_refused(self) -> None:
        assert errors_of([("k0", "x"), ("new", "v")], self.EXISTING) == [
            (ErrorCode.ATTRIBUTE_LIMIT_REACHED, key_field(1))
        ]

    def test_deletes_in_the_same_call_free_room(self) -> None:
        changes: list[tuple[str, str | None]] = [("new", "v"), ("k1", None)]
        assert validate_attribute_changes(changes, self.EXISTING) == [
            AttributeChange("new", "v"),
            AttributeChange("k1", None),
        ]

    def test_every_key_beyond_the_limit_is_reported(self) -> None:
        existing = {f"k{i}" for i in range(48)}
        changes: list[tuple[str, str | None]] = [(f"n{i}", "v") for i in range(4)]
        assert errors_of(changes, existing) == [
            (ErrorCode.ATTRIBUTE_LIMIT_REACHED, key_field(2)),
            (ErrorCode.ATTRIBUTE_LIMIT_REACHED, key_field(3)),
        ]

    def test_50_new_keys_fit_on_an_empty_customer(self) -> None:
        changes: list[tuple[str, str | None]] = [(f"n{i}", "v") for i in range(50)]
        assert len(validate_attribute_changes(changes, set())) == 50
        assert errors_of([*changes, ("n50", "v")]) == [(ErrorCode.ATTRIBUTE_LIMIT_REACHED, key_field(50))]

    def test_reserved_keys_do_not_count(self) -> None:
        changes: list[tuple[str, str | None]] = [("$displayName", "Ann"), ("$ip", "1.2.3.4")]
        assert len(validate_attribute_changes(changes, self.EXISTING | {"$email"})) == 2

    def test_deleting_a_missing_key_does_not_free_room(self) -> None:
        assert errors_of([("absent", None), ("new", "v")], self.EXISTING) == [
            (ErrorCode.ATTRIBUTE_LIMIT_REACHED, key_field(1))
        ]

    def test_invalid_keys_are_not_counted(self) -> None:
        existing = {f"k{i}" for i in range(49)}
        assert errors_of([("1bad", "v"), ("good", "v")], existing) == [
            (ErrorCode.INVALID_ATTRIBUTE_KEY, key_field(0))
        ]


class TestAllOrNothing:
    def test_every_problem_is_reported_in_order(self) -> None:
        changes: list[tuple[str, str | None]] = [
            ("ok", "fine"),
            ("1bad", "v"),
            ("$nope", "v"),
            ("long", "x" * 501),
            ("$email", "nope"),
            ("ok", "again"),
            ("bad key", "a\x00"),
        ]
        assert errors_of(changes) == [
            (ErrorCode.INVALID_ATTRIBUTE_KEY, key_field(1)),
            (ErrorCode.RESERVED_ATTRIBUTE_KEY, key_field(2)),
            (ErrorCode.ATTRIBUTE_VALUE_TOO_LONG, value_field(3)),
            (ErrorCode.INVALID_INPUT, value_field(4)),
            (ErrorCode.INVALID_INPUT, key_field(5)),
            (ErrorCode.INVALID_ATTRIBUTE_KEY, key_field(6)),
            (ErrorCode.INVALID_INPUT, value_field(6)),
        ]

    def test_too_long_value_with_nul_reports_both(self) -> None:
        assert errors_of([("k", "\x00" * 501)]) == [
            (ErrorCode.ATTRIBUTE_VALUE_TOO_LONG, value_field(0)),
            (ErrorCode.INVALID_INPUT, value_field(0)),
        ]

    def test_empty_call(self) -> None:
        assert validate_attribute_changes([], set()) == []

    def test_errors_carry_messages(self) -> None:
        with pytest.raises(DomainErrors) as caught:
            validate_attribute_changes([("$email", "nope")], set())
        assert caught.value.errors[0].message == "Value is not a valid email address."
