"""Input objects built straight from graphql-core's coerced values.

Strawberry converts an input object field by field, resolving each field's type
annotation again for every object: a receipt of 1,000 transactions took about 160 ms
of one uninterrupted stretch of the event loop to convert (issue 13: a probe query's
p99 went to 400-500 ms while such receipts were posted). graphql-core has already
coerced every leaf (scalars are parsed, enums are members, defaults published in the
schema are filled in), so for an input type whose fields are all leaves, or lists of
leaves, nothing is left to convert but building the object.

`plain_input` gives such a type Strawberry's own hook for that (`from_input` on its
definition, the hook `strawberry.pydantic` uses), with a plan worked out once per type:
which GraphQL name feeds which Python attribute. Fields that are not leaves go through
Strawberry's conversion as before (`InputContext.convert`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING
from typing import Any, TypeVar

from strawberry.relay import GlobalID
from strawberry.scalars import is_scalar
from strawberry.types.arguments import InputContext
from strawberry.types.base import StrawberryList, StrawberryMaybe, StrawberryOptional
from strawberry.types.enum import StrawberryEnumDefinition, has_enum_definition

T = TypeVar("T", bound=type)


def _is_leaf(type_: Any, context: InputContext) -> bool:
    """A value graphql-core has already made what Strawberry would pass on: a scalar
    (GlobalID aside, which Strawberry decodes) or an enum, optional or not."""
    if isinstance(type_, StrawberryOptional) and not isinstance(type_, StrawberryMaybe):
        return _is_leaf(type_.of_type, context)
    if type_ is GlobalID:
        return False
    return bool(
        is_scalar(type_, context.scalar_registry)
        or isinstance(type_, StrawberryEnumDefinition)
        or has_enum_definition(type_)
    )


class _Plan:
    """For each field: its GraphQL name, Python name and how its value is taken."""

    def __init__(self, cls: type, context: InputContext) -> None:
        definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
        self.required_none = {
            field.python_name: None
            for field in definition.fields
            if field.default_value is MISSING and field.default_factory is MISSING
        }
        self.fields: list[tuple[str, str, Callable[[Any, InputContext, str], Any] | None]] = []
        for field in definition.fields:
            type_ = field.resolve_type(type_definition=definition)
            if isinstance(type_, StrawberryMaybe):
                raise TypeError(
                    f"{cls.__name__}.{field.python_name}: Maybe fields need Strawberry's conversion"
                )
            name = context.config.name_converter.from_field(field)
            take: Callable[[Any, InputContext, str], Any] | None = None
            if _is_leaf(type_, context):
                pass
            elif _is_leaf_list(type_, context):
                take = _copy_list
            else:
                take = _converter(type_)
            self.fields.append((name, field.python_name, take))

    def build(self, cls: type, value: Mapping[str, Any], context: InputContext) -> Any:
        kwargs = dict(self.required_none)
        for name, python_name, take in self.fields:
            if name in value:
                item = value[name]
                kwargs[python_name] = item if take is None or item is None else take(item, context, name)
        return cls(**kwargs)


def _is_leaf_list(type_: Any, context: InputContext) -> bool:
    if isinstance(type_, StrawberryOptional):
        return _is_leaf_list(type_.of_type, context)
    return isinstance(type_, StrawberryList) and _is_leaf(type_.of_type, context)


def _copy_list(item: Any, _context: InputContext, _name: str) -> Any:
    # graphql-core hands every request the same default list: never share it.
    return list(item)


def _converter(type_: Any) -> Callable[[Any, InputContext, str], Any]:
    def convert(item: Any, context: InputContext, name: str) -> Any:
        return context.convert(item, type_, name)

    return convert


def plain_input(cls: T) -> T:
    """Decorates a `@strawberry.input` class (put it above `@strawberry.input`)."""
    plan: _Plan | None = None

    def from_input(target: type, value: Mapping[str, Any], context: InputContext) -> Any:
        # Types resolve only once a schema is built: the plan is made on first use. Every
        # schema of the service has the same scalars (app/graphql/schema.py), so one plan
        # serves them all.
        nonlocal plan
        if plan is None:
            plan = _Plan(cls, context)
        return plan.build(target, value, context)

    cls.__strawberry_definition__.from_input = from_input  # type: ignore[attr-defined]
    return cls
