"""The request input guard's list caps (DESIGN 4.11), as a pure function."""

from app.graphql.input_guard import TOO_LONG_LIST, cap_lists


def test_capped_lists_are_cut_to_one_past_their_cap() -> None:
    variables = {"input": {"transactions": list(range(50_000)), "attributes": list(range(500))}}
    assert cap_lists(variables) is None
    assert len(variables["input"]["transactions"]) == 1001
    assert len(variables["input"]["attributes"]) == 101


def test_lists_within_their_cap_are_untouched() -> None:
    variables = {"input": {"transactions": list(range(1000)), "other": list(range(1000))}}
    assert cap_lists(variables) is None
    assert variables["input"]["transactions"] == list(range(1000))
    assert variables["input"]["other"] == list(range(1000))


def test_other_lists_over_1000_items_are_refused() -> None:
    assert cap_lists({"input": {"entitlementIdentifiers": ["e"] * 1001}}) == TOO_LONG_LIST
    assert cap_lists({"nested": [{"deeper": list(range(1001))}]}) == TOO_LONG_LIST
