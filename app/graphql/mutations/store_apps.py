"""Where purchases are verified (admin keys): the receipt trust and the store apps."""

import strawberry

from app.domain.errors import ErrorCode
from app.graphql.context import Info
from app.graphql.errors import UserError
from app.graphql.ids import IdKind, encode_id, require_pk
from app.graphql.mutations.shell import mutation
from app.graphql.permissions import CONFIGURATION
from app.graphql.types.common import ReceiptTrust
from app.graphql.types.project import ProjectType
from app.graphql.types.store_app import StoreAppType
from app.services import projects, store_apps

STORE_APP = IdKind("StoreApp", ErrorCode.INVALID_INPUT, "store app")


@strawberry.input
class SetReceiptTrustInput:
    receipt_trust: ReceiptTrust


@strawberry.type
class SetReceiptTrustPayload:
    project: ProjectType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ConfigureAppStoreAppInput:
    bundle_id: str
    app_apple_id: str | None = strawberry.field(
        default=None,
        description="The app's Apple ID, as decimal digits (it can exceed a 32-bit Int); required to accept "
        "production notifications.",
    )
    root_certificates: list[str] | None = strawberry.field(
        default=None,
        description="Base64 DER certificates that Apple's signatures must chain to. Default: the Apple root "
        "certificates the server is configured with (APPLE_ROOT_CERTIFICATES).",
    )
    online_checks: bool | None = strawberry.field(
        default=True,
        description="Check certificate revocation online (OCSP) when verifying. Turn off only for tests.",
    )
    issuer_id: str | None = strawberry.field(
        default=None,
        description="App Store Server API key (issuer id, key id and the .p8 private key), to read transaction "
        "history; optional.",
    )
    key_id: str | None = None
    private_key: str | None = None


@strawberry.input
class ConfigurePlayStoreAppInput:
    package_name: str
    service_account_json: str | None = strawberry.field(
        default=None,
        description="Service account JSON key with access to the Play Developer API; default: the server's "
        "GOOGLE_PLAY_SERVICE_ACCOUNT.",
    )
    push_audience: str | None = strawberry.field(
        default=None,
        description="Audience of the Pub/Sub push subscription's OIDC token; default: the full notification URL.",
    )
    push_service_account_email: str = strawberry.field(
        description="Service account email the Pub/Sub push subscription signs its OIDC token as."
    )


@strawberry.input
class ConfigureWebBillingAppInput:
    label: str = strawberry.field(description="Label shown for this app, e.g. the Stripe account name.")
    stripe_api_key: str | None = strawberry.field(
        default=None, description="Restricted Stripe key; default: the server's STRIPE_API_KEY."
    )
    webhook_secret: str = strawberry.field(description="Stripe webhook signing secret (whsec_...).")


@strawberry.type
class ConfigureStoreAppPayload:
    store_app: StoreAppType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class DeleteStoreAppInput:
    store_app_id: strawberry.ID


@strawberry.type
class DeleteStoreAppPayload:
    deleted_store_app_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class StoreAppMutations:
    @mutation(roles=CONFIGURATION)
    async def set_receipt_trust(self, info: Info, input: SetReceiptTrustInput) -> SetReceiptTrustPayload:
        ctx = info.context
        row = await projects.set_receipt_trust(ctx.db, ctx.project_id, input.receipt_trust)
        return SetReceiptTrustPayload(project=ProjectType(row=row))

    @mutation(
        roles=CONFIGURATION,
        description="Creates or replaces the project's App Store app (one per bundle id).",
    )
    async def configure_app_store_app(
        self, info: Info, input: ConfigureAppStoreAppInput
    ) -> ConfigureStoreAppPayload:
        ctx = info.context
        request = store_apps.AppStoreAppRequest(
            bundle_id=input.bundle_id,
            app_apple_id=input.app_apple_id,
            root_certificates=input.root_certificates,
            online_checks=True if input.online_checks is None else input.online_checks,
            issuer_id=input.issuer_id,
            key_id=input.key_id,
            private_key=input.private_key,
        )
        row = await store_apps.configure_app_store_app(ctx.db, ctx.settings, ctx.project_id, request, ctx.now)
        return ConfigureStoreAppPayload(store_app=StoreAppType(row=row))

    @mutation(
        roles=CONFIGURATION,
        description="Creates or replaces the project's Play Store app (one per package name).",
    )
    async def configure_play_store_app(
        self, info: Info, input: ConfigurePlayStoreAppInput
    ) -> ConfigureStoreAppPayload:
        ctx = info.context
        request = store_apps.PlayStoreAppRequest(
            package_name=input.package_name,
            push_service_account_email=input.push_service_account_email,
            service_account_json=input.service_account_json,
            push_audience=input.push_audience,
        )
        row = await store_apps.configure_play_store_app(
            ctx.db, ctx.settings, ctx.project_id, request, ctx.now
        )
        return ConfigureStoreAppPayload(store_app=StoreAppType(row=row))

    @mutation(roles=CONFIGURATION, description="Creates or replaces the project's Web Billing (Stripe) app.")
    async def configure_web_billing_app(
        self, info: Info, input: ConfigureWebBillingAppInput
    ) -> ConfigureStoreAppPayload:
        ctx = info.context
        request = store_apps.WebBillingAppRequest(
            label=input.label, webhook_secret=input.webhook_secret, stripe_api_key=input.stripe_api_key
        )
        row = await store_apps.configure_web_billing_app(
            ctx.db, ctx.settings, ctx.project_id, request, ctx.now
        )
        return ConfigureStoreAppPayload(store_app=StoreAppType(row=row))

    @mutation(roles=CONFIGURATION)
    async def delete_store_app(self, info: Info, input: DeleteStoreAppInput) -> DeleteStoreAppPayload:
        ctx = info.context
        pk = require_pk(input.store_app_id, STORE_APP, ("input", "storeAppId"))
        deleted = await store_apps.delete_store_app(ctx.db, ctx.project_id, pk)
        return DeleteStoreAppPayload(
            deleted_store_app_id=strawberry.ID(encode_id(STORE_APP.type_name, deleted))
        )
