"""Customer support actions: notes, attributes, grants, transfers, offering override,
virtual currency and deletion. Each resolver calls one service (one transaction)."""

from datetime import datetime

import strawberry

from app.graphql.context import Info
from app.graphql.errors import UserError
from app.graphql.ids import NOTE, encode_id, require_pk
from app.graphql.mutations.shell import acting, audited, mutation
from app.graphql.permissions import APP_REPORTS_AND_SUPPORT, SUPPORT_ACTIONS
from app.graphql.queries import AttributeInput
from app.graphql.types.common import GrantDuration
from app.graphql.types.customer import CustomerType, NoteType
from app.graphql.types.purchase import PurchaseType
from app.services import attributes, deletion, grants, notes, offerings, transfers, virtual_currency
from app.services.project_stores import adapters_for_project

REASON = "Why; kept on the event and in the audit trail."


def _note_id(value: str) -> int:
    return require_pk(value, NOTE, ("input", "noteId"))


@strawberry.input
class AddNoteInput:
    app_user_id: str
    body: str


@strawberry.type
class AddNotePayload:
    note: NoteType | None = None
    customer: CustomerType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class UpdateNoteInput:
    note_id: strawberry.ID
    body: str


@strawberry.type
class UpdateNotePayload:
    note: NoteType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class DeleteNoteInput:
    note_id: strawberry.ID


@strawberry.type
class DeleteNotePayload:
    deleted_note_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class SetAttributesInput:
    app_user_id: str
    attributes: list[AttributeInput]


@strawberry.type
class SetAttributesPayload:
    customer: CustomerType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class GrantEntitlementInput:
    app_user_id: str
    entitlement_identifier: str = strawberry.field(description='The entitlement\'s identifier, e.g. "pro".')
    duration: GrantDuration | None = strawberry.field(
        default=None, description="Exactly one of duration and endsAt."
    )
    ends_at: datetime | None = None
    reason: str | None = strawberry.field(default=None, description=REASON)


@strawberry.type
class GrantEntitlementPayload:
    customer: CustomerType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RevokeGrantedEntitlementInput:
    app_user_id: str
    entitlement_identifier: str
    reason: str | None = strawberry.field(default=None, description=REASON)


@strawberry.type
class RevokeGrantedEntitlementPayload:
    customer: CustomerType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class TransferEntitlementsInput:
    from_app_user_id: str
    to_app_user_id: str
    dry_run: bool | None = strawberry.field(
        default=False, description="Report what would move without moving it."
    )
    reason: str | None = strawberry.field(default=None, description=REASON)


@strawberry.type
class TransferEntitlementsPayload:
    from_customer: CustomerType | None = None
    to_customer: CustomerType | None = None
    purchases: list[PurchaseType] = strawberry.field(
        default_factory=list, description="The purchases that moved."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class OverrideOfferingInput:
    app_user_id: str
    offering_identifier: str | None = None
    reason: str | None = strawberry.field(default=None, description=REASON)


@strawberry.type
class OverrideOfferingPayload:
    customer: CustomerType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class AdjustVirtualCurrencyInput:
    app_user_id: str
    code: str
    amount: int = strawberry.field(description="Positive grants, negative spends.")
    reason: str | None = strawberry.field(default=None, description=REASON)


@strawberry.type
class AdjustVirtualCurrencyPayload:
    customer: CustomerType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class DeleteCustomerInput:
    app_user_id: str
    reason: str | None = strawberry.field(default=None, description=REASON)


@strawberry.type
class DeleteCustomerPayload:
    deleted_app_user_ids: list[str] = strawberry.field(
        default_factory=list, description="Every App User ID that was removed."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class SupportMutations:
    @mutation(roles=SUPPORT_ACTIONS)
    async def add_note(self, info: Info, input: AddNoteInput) -> AddNotePayload:
        ctx = info.context
        note, customer = await notes.add_note(
            ctx.db, ctx.project_id, input.app_user_id, input.body, ctx.principal.key_name, ctx.now
        )
        return AddNotePayload(note=NoteType(row=note), customer=CustomerType(row=customer))

    @mutation(roles=SUPPORT_ACTIONS)
    async def update_note(self, info: Info, input: UpdateNoteInput) -> UpdateNotePayload:
        ctx = info.context
        note = await notes.update_note(
            ctx.db, ctx.project_id, _note_id(input.note_id), input.body, ctx.principal.key_name, ctx.now
        )
        return UpdateNotePayload(note=NoteType(row=note))

    @mutation(roles=SUPPORT_ACTIONS)
    async def delete_note(self, info: Info, input: DeleteNoteInput) -> DeleteNotePayload:
        ctx = info.context
        deleted = await notes.delete_note(
            ctx.db, ctx.project_id, _note_id(input.note_id), ctx.principal.key_name, ctx.now
        )
        return DeleteNotePayload(deleted_note_id=strawberry.ID(encode_id(NOTE.type_name, deleted)))

    @mutation(
        roles=APP_REPORTS_AND_SUPPORT,
        description="Sets several attributes at once, all or nothing. A null or empty value deletes the key.",
    )
    async def set_attributes(self, info: Info, input: SetAttributesInput) -> SetAttributesPayload:
        ctx = info.context
        pairs = [(a.key, a.value) for a in input.attributes]
        customer = await attributes.set_attributes(
            ctx.db, ctx.project_id, input.app_user_id, pairs, ctx.principal.key_name, ctx.now,
            caller_role=ctx.principal.role,
        )  # fmt: skip
        return SetAttributesPayload(customer=CustomerType(row=customer))

    @mutation(roles=SUPPORT_ACTIONS)
    async def grant_entitlement(self, info: Info, input: GrantEntitlementInput) -> GrantEntitlementPayload:
        ctx = info.context
        customer = await grants.grant_entitlement(
            ctx.db,
            project_id=ctx.project_id,
            app_user_id=input.app_user_id,
            entitlement_identifier=input.entitlement_identifier,
            duration=input.duration,
            ends_at=input.ends_at,
            **acting(info, input.reason),
        )
        return GrantEntitlementPayload(customer=CustomerType(row=customer))

    @mutation(roles=SUPPORT_ACTIONS)
    async def revoke_granted_entitlement(
        self, info: Info, input: RevokeGrantedEntitlementInput
    ) -> RevokeGrantedEntitlementPayload:
        ctx = info.context
        customer = await grants.revoke_granted_entitlement(
            ctx.db,
            project_id=ctx.project_id,
            app_user_id=input.app_user_id,
            entitlement_identifier=input.entitlement_identifier,
            **acting(info, input.reason),
        )
        return RevokeGrantedEntitlementPayload(customer=CustomerType(row=customer))

    @mutation(roles=SUPPORT_ACTIONS)
    async def transfer_entitlements(
        self, info: Info, input: TransferEntitlementsInput
    ) -> TransferEntitlementsPayload:
        ctx = info.context
        result = await transfers.transfer_entitlements(
            ctx.db,
            project_id=ctx.project_id,
            from_app_user_id=input.from_app_user_id,
            to_app_user_id=input.to_app_user_id,
            dry_run=bool(input.dry_run),
            **acting(info, input.reason),
        )
        return TransferEntitlementsPayload(
            from_customer=CustomerType(row=result.source),
            to_customer=CustomerType(row=result.target),
            purchases=[PurchaseType(row=p) for p in result.purchases],
        )

    @mutation(
        roles=SUPPORT_ACTIONS,
        description="Sets the per-customer current offering; offeringIdentifier null clears it.",
    )
    async def override_offering(self, info: Info, input: OverrideOfferingInput) -> OverrideOfferingPayload:
        ctx = info.context
        customer = await offerings.override_offering(
            ctx.db, ctx.project_id, input.app_user_id, input.offering_identifier, *audited(info, input.reason)
        )
        return OverrideOfferingPayload(customer=CustomerType(row=customer))

    @mutation(roles=SUPPORT_ACTIONS)
    async def adjust_virtual_currency(
        self, info: Info, input: AdjustVirtualCurrencyInput
    ) -> AdjustVirtualCurrencyPayload:
        ctx = info.context
        customer = await virtual_currency.adjust_virtual_currency(
            ctx.db,
            project_id=ctx.project_id,
            app_user_id=input.app_user_id,
            code=input.code,
            amount=input.amount,
            **acting(info, input.reason),
        )
        return AdjustVirtualCurrencyPayload(customer=CustomerType(row=customer))

    @mutation(roles=SUPPORT_ACTIONS)
    async def delete_customer(self, info: Info, input: DeleteCustomerInput) -> DeleteCustomerPayload:
        ctx = info.context
        ids = await deletion.delete_customer(
            ctx.db,
            await adapters_for_project(ctx.db, ctx.settings, ctx.stores, ctx.project_id),
            ctx.project_id,
            input.app_user_id,
            ctx.principal.key_name,
            ctx.now,
        )
        return DeleteCustomerPayload(deleted_app_user_ids=ids)
