"""Which documents get a plan, and what the plan holds (app/graphql/compiled/plan.py).

Pure: the service's own schema and parsed documents, no database. What the plan then
answers is compared with graphql-core's answers in tests/api/test_compiled_reads.py.
"""

import pytest
from graphql import parse

from app.graphql.compiled.plan import NotCompiled, compile_operation
from app.graphql.schema import build_schema
from app.settings import Settings

SCHEMA = build_schema(Settings(app_env="production"))._schema  # type: ignore[attr-defined]


def keys(document: str, name: str | None = None) -> list[str]:
    plan = compile_operation(SCHEMA, parse(document), name)
    return [field.key for field in plan.root.fields]


def test_fields_merge_by_response_key_in_first_occurrence_order() -> None:
    document = """query($id: String!) {
      customer(appUserId: $id) { country ...A ... on Customer { id country } who: appUserId }
    }
    fragment A on Customer { id notes { id } ...A2 }
    fragment A2 on Customer { notes { body } }"""
    plan = compile_operation(SCHEMA, parse(document), None)
    customer = plan.root.fields[0]
    assert customer.children is not None
    assert [f.key for f in customer.children.fields] == ["country", "id", "notes", "who"]
    notes = next(f for f in customer.children.fields if f.key == "notes")
    # Sub-selections of a key are merged across its nodes, as graphql-core merges them.
    assert notes.children is not None and [f.key for f in notes.children.fields] == ["id", "body"]
    who = customer.children.fields[-1]
    assert who.python_name == "app_user_id" and who.resolver is not None and who.is_async


def test_the_operation_is_chosen_by_name() -> None:
    document = "query A { project { id } } query B { __typename project { name } }"
    assert keys(document, "B") == ["__typename", "project"]
    with pytest.raises(NotCompiled):
        compile_operation(SCHEMA, parse(document), None)  # two operations, none named


@pytest.mark.parametrize(
    ("document", "why"),
    [
        ('mutation { recordAppOpen(input: {appUserId: "a"}) { userErrors { code } } }', "a mutation"),
        ('{ customer(appUserId: "a") { id @include(if: true) } }', "a directive"),
        ("{ __schema { types { name } } }", "introspection"),
        ('{ node(id: "x") { id } }', "an abstract type"),
        ('{ customers(filter: {country: "DE"}) { edges { cursor } } }', "an input-object argument"),
        ("query($f: CustomerFilter) { customers(filter: $f) { edges { cursor } } }", "an input variable"),
        (
            '{ customer(appUserId: "a") { purchases { id } ... on Node { id } } }',
            "a fragment on an interface",
        ),
    ],
)
def test_what_is_left_to_the_executor(document: str, why: str) -> None:
    with pytest.raises(NotCompiled):
        compile_operation(SCHEMA, parse(document), None)


def test_an_input_argument_left_out_does_not_stop_a_plan() -> None:
    # customers(filter:) is an input object; not given, it is null for both executors.
    assert keys("{ customers(first: 5) { edges { cursor } totalCount } }") == ["customers"]


def test_leaves_serialize_with_the_schemas_own_types() -> None:
    plan = compile_operation(
        SCHEMA, parse('{ customer(appUserId: "a") { firstSeenAt purchases { store } } }'), None
    )
    customer = plan.root.fields[0].children
    assert customer is not None
    first_seen, purchases = customer.fields
    assert first_seen.shape.serialize == SCHEMA.get_type("DateTime").serialize  # type: ignore[union-attr]
    assert purchases.shape.is_list and not purchases.shape.item_nullable
    store = purchases.children.fields[0]  # type: ignore[union-attr]
    assert store.shape.serialize == SCHEMA.get_type("Store").serialize  # type: ignore[union-attr]
