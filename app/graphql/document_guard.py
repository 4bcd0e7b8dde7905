"""Parsing and validation that a client cannot make expensive.

graphql-core's `OverlappingFieldsCanBeMerged` compares every pair of fields that share a
response name in one selection set: 490 copies of `purchases { id }` in a 7 KB query took
1.6 s of validation (5 s on a busy machine) and four clients sending it stalled every
other request for 15 s. So before validation runs, a linear structural check refuses
documents with more than `max_fields` fields, or with one response name more than
`max_repeated` times in a selection set (counting the fields that inline fragments and
named fragments bring into it, each named fragment once per selection set, as graphql-core
does). What passes is bounded; big documents are then parsed and validated in a worker
thread so the event loop keeps serving other requests meanwhile.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
)
from graphql import validate as graphql_validate
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

CODE = "QUERY_TOO_COMPLEX"
# Documents at least this long are parsed and validated off the event loop (a
# typical dashboard query is 1-3 KB; a thread hop costs about 0.1 ms).
OFFLOAD_CHARACTERS = 4096
CACHE_SIZE = 256


def shape_problem(document: DocumentNode, max_fields: int, max_repeated: int) -> str | None:
    """Why the document is refused before validation, or None."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    selection_sets: list[SelectionSetNode] = []
    fields = 0
    stack: list[SelectionSetNode] = [
        d.selection_set
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode)
    ]
    while stack:
        selection_set = stack.pop()
        selection_sets.append(selection_set)
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                fields += 1
                if selection.selection_set is not None:
                    stack.append(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                stack.append(selection.selection_set)
        if fields > max_fields:
            return f"The query has more than {max_fields} fields."
    names = _ResponseNames(fragments)
    for selection_set in selection_sets:
        counts = names.of(selection_set)
        if counts and max(counts.values()) > max_repeated:
            name = max(counts, key=lambda key: counts[key])
            return (
                f"The field {name!r} is selected {counts[name]} times in one selection set; "
                f"at most {max_repeated} are allowed."
            )
    return None


class _ResponseNames:
    """Response-name counts of a selection set with its fragments merged in, memoized
    per named fragment so nested or repeated fragments cost their size once."""

    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.memo: dict[str, Counter[str]] = {}

    def of(self, selection_set: SelectionSetNode, visiting: frozenset[str] = frozenset()) -> Counter[str]:
        counts: Counter[str] = Counter()
        spreads: set[str] = set()
        stack = [selection_set]
        while stack:
            for selection in stack.pop().selections:
                if isinstance(selection, FieldNode):
                    counts[(selection.alias or selection.name).value] += 1
                elif isinstance(selection, InlineFragmentNode):
                    stack.append(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    spreads.add(selection.name.value)
        for name in spreads:
            counts.update(self.fragment(name, visiting))
        return counts

    def fragment(self, name: str, visiting: frozenset[str]) -> Counter[str]:
        if name in self.memo:
            return self.memo[name]
        definition = self.fragments.get(name)
        if definition is None or name in visiting:
            return Counter()  # unknown or cyclic: validation reports it
        self.memo[name] = self.of(definition.selection_set, visiting | {name})
        return self.memo[name]


@lru_cache(maxsize=CACHE_SIZE)
def _parse(query: str, max_tokens: int | None) -> DocumentNode:
    return parse(query, max_tokens=max_tokens)


@lru_cache(maxsize=CACHE_SIZE)
def _check(
    schema: Any,
    document: DocumentNode,
    rules: tuple[Any, ...],
    max_fields: int,
    max_repeated: int,
    hide_suggestions: bool,
) -> list[GraphQLError]:
    try:
        problem = shape_problem(document, max_fields, max_repeated)
    except RecursionError:
        problem = "The query is nested too deeply."
    if problem is not None:
        return [GraphQLError(problem, extensions={"code": CODE})]
    # Strawberry's own two rules, as its validate_document adds them; "Did you mean"
    # suggestions name fields that introspection would hide.
    all_rules = (*rules, MaybeNullValidationRule, OneOfInputValidationRule)
    return graphql_validate(schema, document, all_rules, hide_suggestions=hide_suggestions)


class GuardedParseAndValidate(SchemaExtension):
    """Replaces strawberry's ParserCache and ValidationCache: the same caches, plus the
    structural check before validation and a worker thread for big documents."""

    def __init__(self, max_fields: int, max_repeated: int, hide_suggestions: bool) -> None:
        self.max_fields = max_fields
        self.max_repeated = max_repeated
        self.hide_suggestions = hide_suggestions

    async def on_parse(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        query = ctx.query
        if ctx.graphql_document is None and query:
            max_tokens = ctx.parse_options.get("max_tokens")
            try:
                if len(query) >= OFFLOAD_CHARACTERS:
                    ctx.graphql_document = await asyncio.to_thread(_parse, query, max_tokens)
                else:
                    ctx.graphql_document = _parse(query, max_tokens)
            except GraphQLError:
                # A syntax error: strawberry's own parse reports it; a document over the
                # token limit stops early there, and a body is at most MAX_BODY_BYTES.
                pass
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        document = ctx.graphql_document
        if document is not None and ctx.pre_execution_errors is None:
            arguments = (
                ctx.schema._schema,
                document,
                tuple(ctx.validation_rules),
                self.max_fields,
                self.max_repeated,
                self.hide_suggestions,
            )
            if len(ctx.query or "") >= OFFLOAD_CHARACTERS:
                ctx.pre_execution_errors = await asyncio.to_thread(_check, *arguments)
            else:
                ctx.pre_execution_errors = _check(*arguments)
        yield
