"""The structural check that runs before GraphQL validation (DESIGN 4.11, issue 13 item 2)."""

from graphql import parse

from app.graphql.document_guard import shape_problem
from tests.timing import stopwatch

MAX_FIELDS = 1000
MAX_REPEATED = 50


def problem(query: str) -> str | None:
    return shape_problem(parse(query), MAX_FIELDS, MAX_REPEATED)


def test_repeated_field_in_one_selection_set_is_refused() -> None:
    text = problem('{ customer(appUserId: "x") { ' + "purchases { id } " * 490 + "} }")
    assert text is not None and "'purchases' is selected 490 times" in text


def test_repeats_up_to_the_limit_pass() -> None:
    assert problem('{ customer(appUserId: "x") { ' + "purchases { id } " * 50 + "} }") is None


def test_repeats_brought_in_by_distinct_fragments_count() -> None:
    fragments = "\n".join(f"fragment F{i} on Customer {{ purchases {{ id }} }}" for i in range(60))
    spreads = " ".join(f"...F{i}" for i in range(60))
    text = problem(f'{{ customer(appUserId: "x") {{ {spreads} }} }}\n{fragments}')
    assert text is not None and "'purchases' is selected 60 times" in text


def test_repeats_brought_in_by_inline_fragments_count() -> None:
    inline = "... on Customer { purchases { id } } " * 51
    assert problem(f'{{ customer(appUserId: "x") {{ {inline} }} }}') is not None


def test_one_fragment_spread_many_times_counts_once_as_in_validation() -> None:
    query = '{ customer(appUserId: "x") { ' + "...F " * 200 + "} } fragment F on Customer { id }"
    assert problem(query) is None


def test_nested_fragments_multiply_without_exploding() -> None:
    # F0 spreads F1 twice, ... : each fragment is counted once per selection set.
    fragments = [f"fragment F{i} on Customer {{ ...F{i + 1} ...F{i + 1} id }}" for i in range(30)]
    fragments.append("fragment F30 on Customer { id }")
    query = '{ customer(appUserId: "x") { ...F0 } }\n' + "\n".join(fragments)
    with stopwatch() as watch:
        text = problem(query)
    assert watch.seconds < 0.5
    assert text is None  # `id` from 31 fragments: under the limit of 50


def test_cyclic_fragments_do_not_loop() -> None:
    query = '{ customer(appUserId: "x") { ...A } } fragment A on Customer { ...B id } fragment B on Customer { ...A id }'
    assert problem(query) is None  # validation itself reports the cycle


def test_more_fields_than_the_limit_are_refused() -> None:
    query = "{ " + " ".join(f"p{i}: project {{ id name }}" for i in range(400)) + " }"
    text = problem(query)
    assert text is not None and "more than 1000 fields" in text


def test_the_check_is_fast_on_the_abusive_document() -> None:
    document = parse('{ customer(appUserId: "x") { ' + "purchases { id } " * 490 + "} }")
    with stopwatch() as watch:
        shape_problem(document, MAX_FIELDS, MAX_REPEATED)
    assert watch.seconds < 0.05
