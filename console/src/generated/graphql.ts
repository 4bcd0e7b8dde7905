/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type AddNoteInput = {
  appUserId: string;
  body: string;
};

export type AdjustVirtualCurrencyInput = {
  /** Positive grants, negative spends. */
  amount: number;
  appUserId: string;
  code: string;
  /** Why; kept on the event and in the audit trail. */
  reason?: string | null | undefined;
};

export type AttributeInput = {
  key: string;
  value?: string | null | undefined;
};

/** Why a subscription stopped renewing, or was cancelled. */
export type CancelReason =
  | 'BILLING_ERROR'
  | 'CUSTOMER_SUPPORT'
  | 'DEVELOPER_INITIATED'
  | 'PRICE_INCREASE'
  | 'UNKNOWN'
  | 'UNSUBSCRIBE';

export type CancelSubscriptionInput = {
  purchaseId: string | number;
  /** Why; kept on the event and in the audit trail. */
  reason?: string | null | undefined;
};

export type CustomerEventType =
  | 'CANCELLED_BILLING_ERROR'
  | 'CANCELLED_PRICE_INCREASE'
  | 'CANCELLED_UNKNOWN'
  | 'CHANGED_RENEWAL_PREFERENCE'
  | 'CONVERTED_FROM_TRIAL'
  | 'CREATED_ALIAS'
  | 'EXPIRED'
  | 'EXTENDED'
  | 'GRANTED_ENTITLEMENT'
  | 'GRANTED_VIRTUAL_CURRENCY'
  | 'HAD_BILLING_ISSUE'
  | 'MADE_PURCHASE'
  | 'OPTED_OUT_OF_RENEWAL'
  | 'PAUSED'
  | 'REFUNDED'
  | 'REFUND_REVERSED'
  | 'REMOVED_GRANTED_ENTITLEMENT'
  | 'RENEWED'
  | 'RESUBSCRIBED'
  | 'SPENT_VIRTUAL_CURRENCY'
  | 'STARTED_SUBSCRIPTION'
  | 'STARTED_TRIAL'
  | 'TRANSFERRED';

/** All given conditions must hold. */
export type CustomerFilter = {
  /** Has this entitlement active now. */
  activeEntitlement?: string | null | undefined;
  /** Has this attribute with exactly this value. */
  attribute?: AttributeInput | null | undefined;
  country?: string | null | undefined;
  store?: Store | null | undefined;
  /** Owns a purchase with this store transaction id (original or any renewal). */
  transactionId?: string | null | undefined;
};

export type DeleteCustomerInput = {
  appUserId: string;
  /** Why; kept on the event and in the audit trail. */
  reason?: string | null | undefined;
};

export type DeleteNoteInput = {
  noteId: string | number;
};

export type DeliveryStatus =
  | 'DELIVERED'
  | 'FAILED'
  | 'PENDING'
  | 'RETRYING';

export type EntitlementSource =
  | 'GRANTED'
  | 'PURCHASE';

export type Environment =
  | 'PRODUCTION'
  | 'SANDBOX';

export type GrantDuration =
  | 'DAILY'
  | 'LIFETIME'
  | 'MONTHLY'
  | 'SIX_MONTH'
  | 'THREE_DAY'
  | 'THREE_MONTH'
  | 'TWO_MONTH'
  | 'TWO_WEEK'
  | 'WEEKLY'
  | 'YEARLY';

export type GrantEntitlementInput = {
  appUserId: string;
  /** Exactly one of duration and endsAt. */
  duration?: GrantDuration | null | undefined;
  endsAt?: string | null | undefined;
  /** The entitlement's identifier, e.g. "pro". */
  entitlementIdentifier: string;
  /** Why; kept on the event and in the audit trail. */
  reason?: string | null | undefined;
};

export type OverrideOfferingInput = {
  appUserId: string;
  offeringIdentifier?: string | null | undefined;
  /** Why; kept on the event and in the audit trail. */
  reason?: string | null | undefined;
};

export type PeriodType =
  | 'INTRO'
  | 'NORMAL'
  | 'PREPAID'
  | 'PROMOTIONAL'
  | 'TRIAL';

export type ProductType =
  | 'CONSUMABLE'
  | 'NON_RENEWING'
  | 'SUBSCRIPTION';

export type PurchaseStatus =
  | 'ACTIVE'
  | 'EXPIRED'
  | 'IN_BILLING_RETRY'
  | 'IN_GRACE_PERIOD'
  | 'REFUNDED'
  | 'WILL_NOT_RENEW';

export type RefundPurchaseInput = {
  purchaseId: string | number;
  /** Why; kept on the event and in the audit trail. */
  reason?: string | null | undefined;
};

export type RetryWebhookDeliveryInput = {
  deliveryId: string | number;
};

export type RevokeGrantedEntitlementInput = {
  appUserId: string;
  entitlementIdentifier: string;
  /** Why; kept on the event and in the audit trail. */
  reason?: string | null | undefined;
};

export type SetAttributesInput = {
  appUserId: string;
  attributes: Array<AttributeInput>;
};

/** Where a purchase was made. Names match the `store` field of webhook events. */
export type Store =
  | 'AMAZON'
  | 'APP_STORE'
  | 'MAC_APP_STORE'
  | 'PADDLE'
  | 'PLAY_STORE'
  | 'PROMOTIONAL'
  | 'RC_BILLING'
  | 'ROKU'
  | 'STRIPE';

export type TransferEntitlementsInput = {
  /** Report what would move without moving it. */
  dryRun?: boolean | null | undefined;
  fromAppUserId: string;
  /** Why; kept on the event and in the audit trail. */
  reason?: string | null | undefined;
  toAppUserId: string;
};

export type UpdateNoteInput = {
  body: string;
  noteId: string | number;
};

export type UserErrorCode =
  | 'ALREADY_CANCELLED'
  | 'ALREADY_EXISTS'
  | 'ALREADY_REFUNDED'
  | 'ATTRIBUTE_LIMIT_REACHED'
  | 'ATTRIBUTE_VALUE_TOO_LONG'
  | 'CANCEL_NOT_SUPPORTED'
  | 'CUSTOMER_NOT_FOUND'
  | 'ENTITLEMENT_NOT_FOUND'
  | 'INSUFFICIENT_BALANCE'
  | 'INVALID_ATTRIBUTE_KEY'
  | 'INVALID_INPUT'
  | 'NOTE_BLANK'
  | 'NOTE_LIMIT_REACHED'
  | 'NOTE_NOT_FOUND'
  | 'NOTE_TOO_LONG'
  | 'NOTHING_TO_TRANSFER'
  | 'NO_GRANTED_ENTITLEMENT'
  | 'OFFERING_NOT_FOUND'
  | 'PRODUCT_NOT_FOUND'
  | 'PURCHASE_NOT_FOUND'
  | 'RECEIPT_ALREADY_OWNED'
  | 'REFUND_NOT_SUPPORTED'
  | 'RESERVED_ATTRIBUTE_KEY'
  | 'SAME_CUSTOMER'
  | 'STORE_ERROR'
  | 'STORE_NOT_CONFIGURED'
  | 'TOO_LARGE'
  | 'VERIFICATION_FAILED'
  | 'VERIFICATION_REQUIRED';

export type WebhookEventType =
  | 'BILLING_ISSUE'
  | 'CANCELLATION'
  | 'EXPIRATION'
  | 'INITIAL_PURCHASE'
  | 'NON_RENEWING_PURCHASE'
  | 'PRODUCT_CHANGE'
  | 'REFUND_REVERSED'
  | 'RENEWAL'
  | 'SUBSCRIBER_ALIAS'
  | 'SUBSCRIPTION_EXTENDED'
  | 'SUBSCRIPTION_PAUSED'
  | 'TEST'
  | 'TRANSFER'
  | 'UNCANCELLATION'
  | 'VIRTUAL_CURRENCY_TRANSACTION';

export type AliasesCardFragment = { originalAppUserId: string, aliases: Array<{ appUserId: string, isAnonymous: boolean, createdAt: string, lastSeenAt: string | null }> };

export type AttributesCardFragment = { attributes: Array<{ key: string, value: string, updatedAt: string, isReserved: boolean }> };

export type SetAttributesMutationVariables = Exact<{
  input: SetAttributesInput;
}>;


export type SetAttributesMutation = { setAttributes: { customer: { id: string } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type AttributionCardFragment = { attribution: { network: string | null, campaign: string | null, adGroup: string | null, keywords: string | null, creative: string | null } };

export type DetailsCardFragment = { appUserId: string, originalAppUserId: string, country: string | null, lastOpenedAt: string | null, firstSeenAt: string, totalSpent: { amount: string, currency: string } };

export type EntitlementsCardFragment = { appUserId: string, entitlements: Array<{ isActive: boolean, source: EntitlementSource, productId: string, store: Store, environment: Environment, periodType: PeriodType, purchasedAt: string, expiresAt: string | null, willRenew: boolean, unsubscribeDetectedAt: string | null, billingIssueDetectedAt: string | null, gracePeriodExpiresAt: string | null, entitlement: { id: string, identifier: string, displayName: string } }>, purchases: Array<{ id: string, store: Store, environment: Environment, productId: string, type: ProductType, purchasedAt: string, originalPurchasedAt: string, expiresAt: string | null, periodType: PeriodType, willRenew: boolean, status: PurchaseStatus, refundedAt: string | null, canRefund: boolean, canCancel: boolean, price: { amount: string, currency: string } | null }> };

export type RevokeGrantedEntitlementMutationVariables = Exact<{
  input: RevokeGrantedEntitlementInput;
}>;


export type RevokeGrantedEntitlementMutation = { revokeGrantedEntitlement: { customer: { id: string } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type RefundPurchaseMutationVariables = Exact<{
  input: RefundPurchaseInput;
}>;


export type RefundPurchaseMutation = { refundPurchase: { purchase: { id: string, status: PurchaseStatus } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type CancelSubscriptionMutationVariables = Exact<{
  input: CancelSubscriptionInput;
}>;


export type CancelSubscriptionMutation = { cancelSubscription: { purchase: { id: string, status: PurchaseStatus } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type TimelineEventDetailQueryVariables = Exact<{
  id: string | number;
}>;


export type TimelineEventDetailQuery = { node:
    | { id: string, payload: unknown, deliveries: Array<{ id: string, status: DeliveryStatus, attempts: number, lastAttemptAt: string | null, lastResponseStatus: number | null, nextAttemptAt: string | null, endpoint: { id: string, url: string } }> }
    | Record<PropertyKey, never>
   | null };

export type DeliveryFieldsFragment = { id: string, status: DeliveryStatus, attempts: number, lastAttemptAt: string | null, lastResponseStatus: number | null, nextAttemptAt: string | null, endpoint: { id: string, url: string } };

export type RetryWebhookDeliveryMutationVariables = Exact<{
  input: RetryWebhookDeliveryInput;
}>;


export type RetryWebhookDeliveryMutation = { retryWebhookDelivery: { delivery: { id: string, status: DeliveryStatus, attempts: number, lastAttemptAt: string | null, lastResponseStatus: number | null, nextAttemptAt: string | null, endpoint: { id: string, url: string } } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type GrantEntitlementMutationVariables = Exact<{
  input: GrantEntitlementInput;
}>;


export type GrantEntitlementMutation = { grantEntitlement: { customer: { id: string } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type DeleteCustomerMutationVariables = Exact<{
  input: DeleteCustomerInput;
}>;


export type DeleteCustomerMutation = { deleteCustomer: { deletedAppUserIds: Array<string>, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type NotesCardFragment = { notes: Array<{ id: string, body: string, bodyHtml: string, author: string, createdAt: string, updatedAt: string }> };

export type AddNoteMutationVariables = Exact<{
  input: AddNoteInput;
}>;


export type AddNoteMutation = { addNote: { note: { id: string } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type UpdateNoteMutationVariables = Exact<{
  input: UpdateNoteInput;
}>;


export type UpdateNoteMutation = { updateNote: { note: { id: string } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type DeleteNoteMutationVariables = Exact<{
  input: DeleteNoteInput;
}>;


export type DeleteNoteMutation = { deleteNote: { deletedNoteId: string | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type OfferingCardFragment = { currentOffering: { id: string, identifier: string, description: string, packages: Array<{ identifier: string, product: { identifier: string } }> } | null, offeringOverride: { id: string, identifier: string } | null };

export type OverrideOfferingMutationVariables = Exact<{
  input: OverrideOfferingInput;
}>;


export type OverrideOfferingMutation = { overrideOffering: { customer: { id: string } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type CustomerTimelineQueryVariables = Exact<{
  appUserId: string;
  sandbox: boolean;
  first: number;
  after?: string | null | undefined;
}>;


export type CustomerTimelineQuery = { customer: { id: string, history: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, type: CustomerEventType, description: string, webhookEventType: WebhookEventType, purchasedAt: string, eventTimestamp: string, environment: Environment, store: Store | null, productId: string | null, newProductId: string | null, entitlementIds: Array<string>, periodType: PeriodType | null, transactionId: string | null, cancelReason: CancelReason | null, priceIsEstimated: boolean, transferredFrom: Array<string> | null, transferredTo: Array<string> | null, actor: string | null, reason: string | null, price: { amount: string, currency: string } | null, priceUsd: { amount: string, currency: string } | null, virtualCurrency: { code: string, amount: number } | null } }> } } | null };

export type TransferEntitlementsMutationVariables = Exact<{
  input: TransferEntitlementsInput;
}>;


export type TransferEntitlementsMutation = { transferEntitlements: { toCustomer: { id: string, appUserId: string } | null, purchases: Array<{ id: string, store: Store, productId: string, status: PurchaseStatus, purchasedAt: string, expiresAt: string | null }>, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type VirtualCurrencyCardFragment = { virtualCurrencyBalances: Array<{ code: string, balance: number }> };

export type AdjustVirtualCurrencyMutationVariables = Exact<{
  input: AdjustVirtualCurrencyInput;
}>;


export type AdjustVirtualCurrencyMutation = { adjustVirtualCurrency: { customer: { id: string } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type CustomerProfileQueryVariables = Exact<{
  appUserId: string;
  sandbox: boolean;
}>;


export type CustomerProfileQuery = { customer: { id: string, appUserId: string, originalAppUserId: string, country: string | null, lastOpenedAt: string | null, firstSeenAt: string, totalSpent: { amount: string, currency: string }, notes: Array<{ id: string, body: string, bodyHtml: string, author: string, createdAt: string, updatedAt: string }>, entitlements: Array<{ isActive: boolean, source: EntitlementSource, productId: string, store: Store, environment: Environment, periodType: PeriodType, purchasedAt: string, expiresAt: string | null, willRenew: boolean, unsubscribeDetectedAt: string | null, billingIssueDetectedAt: string | null, gracePeriodExpiresAt: string | null, entitlement: { id: string, identifier: string, displayName: string } }>, purchases: Array<{ id: string, store: Store, environment: Environment, productId: string, type: ProductType, purchasedAt: string, originalPurchasedAt: string, expiresAt: string | null, periodType: PeriodType, willRenew: boolean, status: PurchaseStatus, refundedAt: string | null, canRefund: boolean, canCancel: boolean, price: { amount: string, currency: string } | null }>, aliases: Array<{ appUserId: string, isAnonymous: boolean, createdAt: string, lastSeenAt: string | null }>, attributes: Array<{ key: string, value: string, updatedAt: string, isReserved: boolean }>, attribution: { network: string | null, campaign: string | null, adGroup: string | null, keywords: string | null, creative: string | null }, currentOffering: { id: string, identifier: string, description: string, packages: Array<{ identifier: string, product: { identifier: string } }> } | null, offeringOverride: { id: string, identifier: string } | null, virtualCurrencyBalances: Array<{ code: string, balance: number }> } | null, project: { id: string, name: string, entitlements: Array<{ identifier: string, displayName: string }>, offerings: Array<{ identifier: string, description: string, isCurrent: boolean }> } };

export type CustomerSearchQueryVariables = Exact<{
  search?: string | null | undefined;
  filter?: CustomerFilter | null | undefined;
  first: number;
  after?: string | null | undefined;
}>;


export type CustomerSearchQuery = { customers: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, appUserId: string, originalAppUserId: string, country: string | null, lastOpenedAt: string | null, firstSeenAt: string, totalSpent: { amount: string, currency: string }, attributes: Array<{ key: string, value: string }> } }> } };

export type SearchFilterChoicesQueryVariables = Exact<{ [key: string]: never; }>;


export type SearchFilterChoicesQuery = { project: { id: string, name: string, entitlements: Array<{ identifier: string, displayName: string }> } };

export type UserErrorFieldsFragment = { field: Array<string> | null, message: string, code: UserErrorCode };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const AliasesCardFragmentDoc = new TypedDocumentString(`
    fragment AliasesCard on Customer {
  originalAppUserId
  aliases {
    appUserId
    isAnonymous
    createdAt
    lastSeenAt
  }
}
    `, {"fragmentName":"AliasesCard"}) as unknown as TypedDocumentString<AliasesCardFragment, unknown>;
export const AttributesCardFragmentDoc = new TypedDocumentString(`
    fragment AttributesCard on Customer {
  attributes {
    key
    value
    updatedAt
    isReserved
  }
}
    `, {"fragmentName":"AttributesCard"}) as unknown as TypedDocumentString<AttributesCardFragment, unknown>;
export const AttributionCardFragmentDoc = new TypedDocumentString(`
    fragment AttributionCard on Customer {
  attribution {
    network
    campaign
    adGroup
    keywords
    creative
  }
}
    `, {"fragmentName":"AttributionCard"}) as unknown as TypedDocumentString<AttributionCardFragment, unknown>;
export const DetailsCardFragmentDoc = new TypedDocumentString(`
    fragment DetailsCard on Customer {
  appUserId
  originalAppUserId
  country
  totalSpent {
    amount
    currency
  }
  lastOpenedAt
  firstSeenAt
}
    `, {"fragmentName":"DetailsCard"}) as unknown as TypedDocumentString<DetailsCardFragment, unknown>;
export const EntitlementsCardFragmentDoc = new TypedDocumentString(`
    fragment EntitlementsCard on Customer {
  appUserId
  entitlements(sandbox: $sandbox) {
    entitlement {
      id
      identifier
      displayName
    }
    isActive
    source
    productId
    store
    environment
    periodType
    purchasedAt
    expiresAt
    willRenew
    unsubscribeDetectedAt
    billingIssueDetectedAt
    gracePeriodExpiresAt
  }
  purchases(sandbox: $sandbox) {
    id
    store
    environment
    productId
    type
    purchasedAt
    originalPurchasedAt
    expiresAt
    periodType
    willRenew
    status
    price {
      amount
      currency
    }
    refundedAt
    canRefund
    canCancel
  }
}
    `, {"fragmentName":"EntitlementsCard"}) as unknown as TypedDocumentString<EntitlementsCardFragment, unknown>;
export const DeliveryFieldsFragmentDoc = new TypedDocumentString(`
    fragment DeliveryFields on WebhookDelivery {
  id
  status
  attempts
  lastAttemptAt
  lastResponseStatus
  nextAttemptAt
  endpoint {
    id
    url
  }
}
    `, {"fragmentName":"DeliveryFields"}) as unknown as TypedDocumentString<DeliveryFieldsFragment, unknown>;
export const NotesCardFragmentDoc = new TypedDocumentString(`
    fragment NotesCard on Customer {
  notes {
    id
    body
    bodyHtml
    author
    createdAt
    updatedAt
  }
}
    `, {"fragmentName":"NotesCard"}) as unknown as TypedDocumentString<NotesCardFragment, unknown>;
export const OfferingCardFragmentDoc = new TypedDocumentString(`
    fragment OfferingCard on Customer {
  currentOffering {
    id
    identifier
    description
    packages {
      identifier
      product {
        identifier
      }
    }
  }
  offeringOverride {
    id
    identifier
  }
}
    `, {"fragmentName":"OfferingCard"}) as unknown as TypedDocumentString<OfferingCardFragment, unknown>;
export const VirtualCurrencyCardFragmentDoc = new TypedDocumentString(`
    fragment VirtualCurrencyCard on Customer {
  virtualCurrencyBalances {
    code
    balance
  }
}
    `, {"fragmentName":"VirtualCurrencyCard"}) as unknown as TypedDocumentString<VirtualCurrencyCardFragment, unknown>;
export const UserErrorFieldsFragmentDoc = new TypedDocumentString(`
    fragment UserErrorFields on UserError {
  field
  message
  code
}
    `, {"fragmentName":"UserErrorFields"}) as unknown as TypedDocumentString<UserErrorFieldsFragment, unknown>;
export const SetAttributesDocument = new TypedDocumentString(`
    mutation SetAttributes($input: SetAttributesInput!) {
  setAttributes(input: $input) {
    customer {
      id
    }
    userErrors {
      ...UserErrorFields
    }
  }
}
    fragment UserErrorFields on UserError {
  field
  message
  code
}`) as unknown as TypedDocumentString<SetAttributesMutation, SetAttributesMutationVariables>;
export const RevokeGrantedEntitlementDocument = new TypedDocumentString(`
    mutation RevokeGrantedEntitlement($input: RevokeGrantedEntitlementInput!) {
  revokeGrantedEntitlement(input: $input) {
    customer {
      id
    }
    userErrors {
      ...UserErrorFields
    }
  }
}
    fragment UserErrorFields on UserError {
  field
  message
  code
}`) as unknown as TypedDocumentString<RevokeGrantedEntitlementMutation, RevokeGrantedEntitlementMutationVariables>;
export const RefundPurchaseDocument = new TypedDocumentString(`
    mutation RefundPurchase($input: RefundPurchaseInput!) {
  refundPurchase(input: $input) {
    purchase {
      id
      status
    }
    userErrors {
      ...UserErrorFields
    }
  }
}
    fragment UserErrorFields on UserError {
  field
  message
  code
}`) as unknown as TypedDocumentString<RefundPurchaseMutation, RefundPurchaseMutationVariables>;
export const CancelSubscriptionDocument = new TypedDocumentString(`
    mutation CancelSubscription($input: CancelSubscriptionInput!) {
  cancelSubscription(input: $input) {
    purchase {
      id
      status
    }
    userErrors {
      ...UserErrorFields
    }
  }
}
    fragment UserErrorFields on UserError {
  field
  message
  code
}`) as unknown as TypedDocumentString<CancelSubscriptionMutation, CancelSubscriptionMutationVariables>;
export const TimelineEventDetailDocument = new TypedDocumentString(`
    query TimelineEventDetail($id: ID!) {
  node(id: $id) {
    ... on CustomerEvent {
      id
      payload
      deliveries {
        ...DeliveryFields
      }
    }
  }
}
    fragment DeliveryFields on WebhookDelivery {
  id
  status
  attempts
  lastAttemptAt
  lastResponseStatus
  nextAttemptAt
  endpoint {
    id
    url
  }
}`) as unknown as TypedDocumentString<TimelineEventDetailQuery, TimelineEventDetailQueryVariables>;
export const RetryWebhookDeliveryDocument = new TypedDocumentString(`
    mutation RetryWebhookDelivery($input: RetryWebhookDeliveryInput!) {
  retryWebhookDelivery(input: $input) {
    delivery {
      ...DeliveryFields
    }
    userErrors {
      ...UserErrorFields
    }
  }
}
    fragment DeliveryFields on WebhookDelivery {
  id
  status
  attempts
  lastAttemptAt
  lastResponseStatus
  nextAttemptAt
  endpoint {
    id
    url
  }
}
fragment UserErrorFields on UserError {
  field
  message
  code
}`) as unknown as TypedDocumentString<RetryWebhookDeliveryMutation, RetryWebhookDeliveryMutationVariables>;
export const GrantEntitlementDocument = new TypedDocumentString(`
    mutation GrantEntitlement($input: GrantEntitlementInput!) {
  grantEntitlement(input: $input) {
    customer {
      id
    }
    userErrors {
      ...UserErrorFields
    }
  }
}
    fragment UserErrorFields on UserError {
  field
  message
  code
}`) as unknown as TypedDocumentString<GrantEntitlementMutation, GrantEntitlementMutationVariables>;
export const DeleteCustomerDocument = new TypedDocumentString(`
    mutation DeleteCustomer($input: DeleteCustomerInput!) {
  deleteCustomer(input: $input) {
    deletedAppUserIds
    userErrors {
      ...UserErrorFields
    }
  }
}
    fragment UserErrorFields on UserError {
  field
  message
  code
}`) as unknown as TypedDocumentString<DeleteCustomerMutation, DeleteCustomerMutationVariables>;
export const AddNoteDocument = new TypedDocumentString(`
    mutation AddNote($input: AddNoteInput!) {
  addNote(input: $input) {
    note {
      id
    }
    userErrors {
      ...UserErrorFields
    }
  }
}
    fragment UserErrorFields on UserError {
  field
  message
  code
}`) as unknown as TypedDocumentString<AddNoteMutation, AddNoteMutationVariables>;
export const UpdateNoteDocument = new TypedDocumentString(`
    mutation UpdateNote($input: UpdateNoteInput!) {
  updateNote(input: $input) {
    note {
      id
    }
    userErrors {
      ...UserErrorFields
    }
  }
}
    fragment UserErrorFields on UserError {
  field
  message
  code
}`) as unknown as TypedDocumentString<UpdateNoteMutation, UpdateNoteMutationVariables>;
export const DeleteNoteDocument = new TypedDocumentString(`
    mutation DeleteNote($input: DeleteNoteInput!) {
  deleteNote(input: $input) {
    deletedNoteId
    userErrors {
      ...UserErrorFields
    }
  }
}
    fragment UserErrorFields on UserError {
  field
  message
  code
}`) as unknown as TypedDocumentString<DeleteNoteMutation, DeleteNoteMutationVariables>;
export const OverrideOfferingDocument = new TypedDocumentString(`
    mutation OverrideOffering($input: OverrideOfferingInput!) {
  overrideOffering(input: $input) {
    customer {
      id
    }
    userErrors {
      ...UserErrorFields
    }
  }
}
    fragment UserErrorFields on UserError {
  field
  message
  code
}`) as unknown as TypedDocumentString<OverrideOfferingMutation, OverrideOfferingMutationVariables>;
export const CustomerTimelineDocument = new TypedDocumentString(`
    query CustomerTimeline($appUserId: String!, $sandbox: Boolean!, $first: Int!, $after: String) {
  customer(appUserId: $appUserId) {
    id
    history(first: $first, after: $after, sandbox: $sandbox) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
          type
          description
          webhookEventType
          purchasedAt
          eventTimestamp
          environment
          store
          productId
          newProductId
          entitlementIds
          periodType
          transactionId
          cancelReason
          price {
            amount
            currency
          }
          priceUsd {
            amount
            currency
          }
          priceIsEstimated
          transferredFrom
          transferredTo
          virtualCurrency {
            code
            amount
          }
          actor
          reason
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<CustomerTimelineQuery, CustomerTimelineQueryVariables>;
export const TransferEntitlementsDocument = new TypedDocumentString(`
    mutation TransferEntitlements($input: TransferEntitlementsInput!) {
  transferEntitlements(input: $input) {
    toCustomer {
      id
      appUserId
    }
    purchases {
      id
      store
      productId
      status
      purchasedAt
      expiresAt
    }
    userErrors {
      ...UserErrorFields
    }
  }
}
    fragment UserErrorFields on UserError {
  field
  message
  code
}`) as unknown as TypedDocumentString<TransferEntitlementsMutation, TransferEntitlementsMutationVariables>;
export const AdjustVirtualCurrencyDocument = new TypedDocumentString(`
    mutation AdjustVirtualCurrency($input: AdjustVirtualCurrencyInput!) {
  adjustVirtualCurrency(input: $input) {
    customer {
      id
    }
    userErrors {
      ...UserErrorFields
    }
  }
}
    fragment UserErrorFields on UserError {
  field
  message
  code
}`) as unknown as TypedDocumentString<AdjustVirtualCurrencyMutation, AdjustVirtualCurrencyMutationVariables>;
export const CustomerProfileDocument = new TypedDocumentString(`
    query CustomerProfile($appUserId: String!, $sandbox: Boolean!) {
  customer(appUserId: $appUserId) {
    id
    appUserId
    ...DetailsCard
    ...NotesCard
    ...EntitlementsCard
    ...AliasesCard
    ...AttributesCard
    ...AttributionCard
    ...OfferingCard
    ...VirtualCurrencyCard
  }
  project {
    id
    name
    entitlements {
      identifier
      displayName
    }
    offerings {
      identifier
      description
      isCurrent
    }
  }
}
    fragment AliasesCard on Customer {
  originalAppUserId
  aliases {
    appUserId
    isAnonymous
    createdAt
    lastSeenAt
  }
}
fragment AttributesCard on Customer {
  attributes {
    key
    value
    updatedAt
    isReserved
  }
}
fragment AttributionCard on Customer {
  attribution {
    network
    campaign
    adGroup
    keywords
    creative
  }
}
fragment DetailsCard on Customer {
  appUserId
  originalAppUserId
  country
  totalSpent {
    amount
    currency
  }
  lastOpenedAt
  firstSeenAt
}
fragment EntitlementsCard on Customer {
  appUserId
  entitlements(sandbox: $sandbox) {
    entitlement {
      id
      identifier
      displayName
    }
    isActive
    source
    productId
    store
    environment
    periodType
    purchasedAt
    expiresAt
    willRenew
    unsubscribeDetectedAt
    billingIssueDetectedAt
    gracePeriodExpiresAt
  }
  purchases(sandbox: $sandbox) {
    id
    store
    environment
    productId
    type
    purchasedAt
    originalPurchasedAt
    expiresAt
    periodType
    willRenew
    status
    price {
      amount
      currency
    }
    refundedAt
    canRefund
    canCancel
  }
}
fragment NotesCard on Customer {
  notes {
    id
    body
    bodyHtml
    author
    createdAt
    updatedAt
  }
}
fragment OfferingCard on Customer {
  currentOffering {
    id
    identifier
    description
    packages {
      identifier
      product {
        identifier
      }
    }
  }
  offeringOverride {
    id
    identifier
  }
}
fragment VirtualCurrencyCard on Customer {
  virtualCurrencyBalances {
    code
    balance
  }
}`) as unknown as TypedDocumentString<CustomerProfileQuery, CustomerProfileQueryVariables>;
export const CustomerSearchDocument = new TypedDocumentString(`
    query CustomerSearch($search: String, $filter: CustomerFilter, $first: Int!, $after: String) {
  customers(search: $search, filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      cursor
      node {
        id
        appUserId
        originalAppUserId
        country
        totalSpent {
          amount
          currency
        }
        lastOpenedAt
        firstSeenAt
        attributes {
          key
          value
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<CustomerSearchQuery, CustomerSearchQueryVariables>;
export const SearchFilterChoicesDocument = new TypedDocumentString(`
    query SearchFilterChoices {
  project {
    id
    name
    entitlements {
      identifier
      displayName
    }
  }
}
    `) as unknown as TypedDocumentString<SearchFilterChoicesQuery, SearchFilterChoicesQueryVariables>;