"""Tells the request's log line and metrics which operation ran (its name only)."""

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from app.observability.requests import record_operation


class RecordOperationName(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        # After parsing: the name given in the request, else the document's operation's.
        record_operation(self.execution_context.operation_name)
