"""Webhook endpoints, their secrets and TEST events (admin); resending a delivery (support)."""

import strawberry

from app.domain.errors import DomainError, ErrorCode
from app.graphql.context import Info
from app.graphql.errors import UserError
from app.graphql.ids import WEBHOOK_DELIVERY, WEBHOOK_ENDPOINT, encode_id, require_pk
from app.graphql.mutations.shell import mutation
from app.graphql.permissions import CONFIGURATION, SUPPORT_ACTIONS
from app.graphql.types.common import Environment, WebhookEventType
from app.graphql.types.webhooks import WebhookDelivery, WebhookEndpointType
from app.services import webhooks
from app.webhooks.url_guard import url_problem


@strawberry.input
class CreateWebhookEndpointInput:
    url: str
    authorization_header: str | None = strawberry.field(
        default=None, description="Sent verbatim as the Authorization header of every delivery."
    )
    environment: Environment | None = None
    event_types: list[WebhookEventType] = strawberry.field(default_factory=list)


@strawberry.type
class CreateWebhookEndpointPayload:
    webhook_endpoint: WebhookEndpointType | None = None
    signing_secret: str | None = strawberry.field(
        default=None,
        description=(
            "Key for verifying the X-Signature and webhook-signature headers of deliveries; shown only here, once."
        ),
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class DeleteWebhookEndpointInput:
    webhook_endpoint_id: strawberry.ID


@strawberry.type
class DeleteWebhookEndpointPayload:
    deleted_webhook_endpoint_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RetryWebhookDeliveryInput:
    delivery_id: strawberry.ID


@strawberry.type
class RetryWebhookDeliveryPayload:
    delivery: WebhookDelivery | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class SendTestWebhookInput:
    webhook_endpoint_id: strawberry.ID


@strawberry.type
class SendTestWebhookPayload:
    delivery: WebhookDelivery | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RotateWebhookSigningSecretInput:
    webhook_endpoint_id: strawberry.ID


@strawberry.type
class RotateWebhookSigningSecretPayload:
    webhook_endpoint: WebhookEndpointType | None = None
    signing_secret: str | None = strawberry.field(
        default=None, description="The new secret; shown only here, once."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class WebhookMutations:
    @mutation(roles=CONFIGURATION)
    async def create_webhook_endpoint(
        self, info: Info, input: CreateWebhookEndpointInput
    ) -> CreateWebhookEndpointPayload:
        ctx = info.context
        if not ctx.settings.webhook_allow_private_urls:
            problem = await url_problem(input.url, require_resolution=False)
            if problem is not None:
                raise DomainError(ErrorCode.INVALID_INPUT, problem, ("input", "url"))
        created = await webhooks.create_endpoint(
            ctx.db,
            ctx.project_id,
            input.url,
            input.authorization_header,
            input.environment,
            input.event_types,
            ctx.principal.key_name,
            ctx.now,
        )
        return CreateWebhookEndpointPayload(
            webhook_endpoint=WebhookEndpointType(row=created.row), signing_secret=created.signing_secret
        )

    @mutation(roles=CONFIGURATION)
    async def delete_webhook_endpoint(
        self, info: Info, input: DeleteWebhookEndpointInput
    ) -> DeleteWebhookEndpointPayload:
        ctx = info.context
        pk = require_pk(input.webhook_endpoint_id, WEBHOOK_ENDPOINT, ("input", "webhookEndpointId"))
        deleted = await webhooks.delete_endpoint(ctx.db, ctx.project_id, pk, ctx.principal.key_name, ctx.now)
        return DeleteWebhookEndpointPayload(
            deleted_webhook_endpoint_id=strawberry.ID(encode_id(WEBHOOK_ENDPOINT.type_name, deleted))
        )

    @mutation(
        roles=SUPPORT_ACTIONS,
        description="Sends a webhook delivery again at once, with the same event id and body.",
    )
    async def retry_webhook_delivery(
        self, info: Info, input: RetryWebhookDeliveryInput
    ) -> RetryWebhookDeliveryPayload:
        ctx = info.context
        pk = require_pk(input.delivery_id, WEBHOOK_DELIVERY, ("input", "deliveryId"))
        row = await webhooks.retry_delivery(ctx.db, ctx.project_id, pk, ctx.principal.key_name, ctx.now)
        return RetryWebhookDeliveryPayload(delivery=WebhookDelivery(row=row))

    @mutation(
        roles=CONFIGURATION,
        description="Queues a TEST event for one endpoint, so a receiver can be checked end to end.",
    )
    async def send_test_webhook(self, info: Info, input: SendTestWebhookInput) -> SendTestWebhookPayload:
        ctx = info.context
        pk = require_pk(input.webhook_endpoint_id, WEBHOOK_ENDPOINT, ("input", "webhookEndpointId"))
        row = await webhooks.send_test_event(ctx.db, ctx.project_id, pk, ctx.principal.key_name, ctx.now)
        return SendTestWebhookPayload(delivery=WebhookDelivery(row=row))

    @mutation(
        roles=CONFIGURATION,
        description=(
            "A new signing secret for an endpoint; the old one stays valid for a day so receivers can switch."
        ),
    )
    async def rotate_webhook_signing_secret(
        self, info: Info, input: RotateWebhookSigningSecretInput
    ) -> RotateWebhookSigningSecretPayload:
        ctx = info.context
        pk = require_pk(input.webhook_endpoint_id, WEBHOOK_ENDPOINT, ("input", "webhookEndpointId"))
        rotated = await webhooks.rotate_signing_secret(
            ctx.db, ctx.project_id, pk, ctx.principal.key_name, ctx.now
        )
        return RotateWebhookSigningSecretPayload(
            webhook_endpoint=WebhookEndpointType(row=rotated.row), signing_secret=rotated.signing_secret
        )
