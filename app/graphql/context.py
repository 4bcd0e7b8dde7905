"""The per-request context: who is acting, the database and the request's loaders."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import strawberry

from app.db.engine import Database
from app.db.reads import RequestReads
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
    # The request's DataLoaders, one per class, made on first use (dataloaders/base.py).
    dataloaders: dict[type, Any] = field(default_factory=dict)
    # The request's one read connection, shared by its loaders (app/db/reads.py); the
    # one its key was checked on when given.
    reads: RequestReads = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.reads is None:
            self.reads = RequestReads(self.db.autocommit, self.db.prepared_reads)

    @property
    def project_id(self) -> int:
        return self.principal.project_id


Info = strawberry.Info[Context, None]
