"""Gives the request's read connection back to the pool when the operation ends."""

from collections.abc import AsyncIterator

from strawberry.extensions import SchemaExtension


class ReleaseReads(SchemaExtension):
    async def on_operation(self) -> AsyncIterator[None]:
        try:
            yield
        finally:
            reads = getattr(self.execution_context.context, "reads", None)
            if reads is not None:
                await reads.end()
