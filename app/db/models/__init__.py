"""SQLModel tables. Every row carries its project so every lookup is scoped by project
(and the data can later be sharded by project). One module per area; import them from
here."""

from app.db.models.base import ENUM, Base
from app.db.models.customer import AppUserId, Attribute, AuditRecord, Customer, Note, VirtualCurrencyBalance
from app.db.models.delivery import StoreAction, WebhookDelivery, WebhookEndpoint
from app.db.models.project import ApiKey, Entitlement, Offering, Package, Product, ProductEntitlement, Project
from app.db.models.purchase import CustomerEvent, Purchase, StoreTransaction
from app.db.models.store import StoreApp, StoreNotification

__all__ = [
    "ENUM",
    "ApiKey",
    "AppUserId",
    "Attribute",
    "AuditRecord",
    "Base",
    "Customer",
    "CustomerEvent",
    "Entitlement",
    "Note",
    "Offering",
    "Package",
    "Product",
    "ProductEntitlement",
    "Project",
    "Purchase",
    "StoreAction",
    "StoreApp",
    "StoreNotification",
    "StoreTransaction",
    "VirtualCurrencyBalance",
    "WebhookDelivery",
    "WebhookEndpoint",
]
