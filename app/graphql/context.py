"""The per-request context: who is acting, the database and the request's loaders."""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

import strawberry

from app.db.engine import Database
from app.graphql.loaders import Loaders
from app.services.keys import Principal
from app.settings import Settings
from app.stores.registry import StoreAdapters


@dataclass
class Context:
    request: Any
    response: Any
    db: Database
    settings: Settings
    principal: Principal
    # One clock reading per request: every rule of the request sees the same "now".
    now: datetime
    stores: StoreAdapters
    extra: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def loaders(self) -> Loaders:
        # Built per request, never at import: aiodataloader binds the running loop.
        return Loaders(self.db, self.principal.project_id)

    @property
    def project_id(self) -> int:
        return self.principal.project_id


Info = strawberry.Info[Context, None]
