import { useState } from "preact/hooks";
import { request } from "../client";
import { formatDate, formatMoney, humanize } from "../format";
import {
  CancelSubscriptionDocument,
  RefundPurchaseDocument,
  RevokeGrantedEntitlementDocument,
  type EntitlementsCardFragment,
} from "../generated/graphql";
import { ActionDialog } from "../ui/ActionDialog";
import { Card } from "../ui/Card";
import { useSession } from "../ui/SessionContext";
import { GrantDialog, type EntitlementChoice } from "./GrantDialog";
import { TransferDialog } from "./TransferDialog";

type Purchase = EntitlementsCardFragment["purchases"][number];
type Open =
  | { kind: "grant" }
  | { kind: "transfer" }
  | { kind: "revoke"; identifier: string }
  | { kind: "refund"; purchase: Purchase }
  | { kind: "cancel"; purchase: Purchase }
  | null;

export function EntitlementsCard(props: {
  customer: EntitlementsCardFragment;
  entitlements: EntitlementChoice[];
  onChanged: () => void;
}) {
  const session = useSession();
  const [open, setOpen] = useState<Open>(null);
  const { appUserId, entitlements, purchases } = props.customer;
  const close = () => setOpen(null);
  const done = () => {
    setOpen(null);
    props.onChanged();
  };

  return (
    <Card
      title="Entitlements"
      id="entitlements"
      actions={
        session.mayAct ? (
          <>
            <button type="button" onClick={() => setOpen({ kind: "grant" })}>
              Grant
            </button>
            <button type="button" onClick={() => setOpen({ kind: "transfer" })}>
              Transfer
            </button>
          </>
        ) : null
      }
    >
      {entitlements.length === 0 ? <p class="muted">No entitlements.</p> : null}
      <ul class="entitlements">
        {entitlements.map((row) => (
          <li key={row.entitlement.identifier} data-entitlement={row.entitlement.identifier}>
            <div>
              <strong>{row.entitlement.displayName}</strong> <code>{row.entitlement.identifier}</code>{" "}
              <span class={row.isActive ? "badge active" : "badge inactive"}>{row.isActive ? "Active" : "Inactive"}</span>
              {row.source === "GRANTED" ? <span class="badge">granted</span> : null}
              {row.environment === "SANDBOX" ? <span class="badge sandbox">sandbox</span> : null}
            </div>
            <div class="muted">
              <code>{row.productId}</code> · {humanize(row.store)} · since {formatDate(row.purchasedAt)} ·{" "}
              {row.expiresAt ? `${row.isActive ? "expires" : "expired"} ${formatDate(row.expiresAt)}` : "lifetime"}
              {row.isActive && row.expiresAt ? (row.willRenew ? " · renews" : " · will not renew") : ""}
              {row.billingIssueDetectedAt ? ` · billing issue ${formatDate(row.billingIssueDetectedAt)}` : ""}
              {row.gracePeriodExpiresAt ? ` · grace period until ${formatDate(row.gracePeriodExpiresAt)}` : ""}
            </div>
            {session.mayAct && row.source === "GRANTED" && row.isActive ? (
              <button
                type="button"
                class="link"
                onClick={() => setOpen({ kind: "revoke", identifier: row.entitlement.identifier })}
              >
                Revoke grant
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      <h3>Purchases</h3>
      {purchases.length === 0 ? <p class="muted">No purchases.</p> : null}
      <ul class="purchases">
        {purchases.map((purchase) => (
          <li key={purchase.id} data-purchase={purchase.productId}>
            <div>
              <code>{purchase.productId}</code> <span class="badge">{humanize(purchase.status)}</span>
              {purchase.environment === "SANDBOX" ? <span class="badge sandbox">sandbox</span> : null}
            </div>
            <div class="muted">
              {humanize(purchase.store)} · {humanize(purchase.type)} · {formatMoney(purchase.price)} · started{" "}
              {formatDate(purchase.originalPurchasedAt)}
              {purchase.expiresAt ? ` · period ends ${formatDate(purchase.expiresAt)}` : ""}
              {purchase.refundedAt ? ` · refunded ${formatDate(purchase.refundedAt)}` : ""}
            </div>
            {session.mayAct ? (
              <span class="row-actions">
                {purchase.canRefund ? (
                  <button type="button" class="link" onClick={() => setOpen({ kind: "refund", purchase })}>
                    Refund
                  </button>
                ) : null}
                {purchase.canCancel ? (
                  <button type="button" class="link" onClick={() => setOpen({ kind: "cancel", purchase })}>
                    Cancel subscription
                  </button>
                ) : null}
              </span>
            ) : null}
          </li>
        ))}
      </ul>
      {open?.kind === "grant" ? (
        <GrantDialog appUserId={appUserId} entitlements={props.entitlements} onClose={close} onDone={done} />
      ) : null}
      {open?.kind === "transfer" ? <TransferDialog fromAppUserId={appUserId} onClose={close} /> : null}
      {open?.kind === "revoke" ? (
        <ActionDialog
          title={`Revoke the granted ${open.identifier} entitlement`}
          confirmLabel="Revoke"
          danger
          onClose={close}
          onDone={done}
          onConfirm={async (reason) =>
            (
              await request(RevokeGrantedEntitlementDocument, {
                input: { appUserId, entitlementIdentifier: open.identifier, reason },
              })
            ).revokeGrantedEntitlement.userErrors
          }
        >
          {() => <p>Every active grant of this entitlement ends now. Store purchases are not touched.</p>}
        </ActionDialog>
      ) : null}
      {open?.kind === "refund" ? (
        <ActionDialog
          title={`Refund ${open.purchase.productId}`}
          confirmLabel="Refund"
          danger
          onClose={close}
          onDone={done}
          onConfirm={async (reason) =>
            (await request(RefundPurchaseDocument, { input: { purchaseId: open.purchase.id, reason } })).refundPurchase
              .userErrors
          }
        >
          {() => (
            <p>
              The store refunds the last period ({formatMoney(open.purchase.price)}); the purchase expires now and its
              access ends.
            </p>
          )}
        </ActionDialog>
      ) : null}
      {open?.kind === "cancel" ? (
        <ActionDialog
          title={`Cancel ${open.purchase.productId}`}
          confirmLabel="Cancel subscription"
          danger
          onClose={close}
          onDone={done}
          onConfirm={async (reason) =>
            (await request(CancelSubscriptionDocument, { input: { purchaseId: open.purchase.id, reason } }))
              .cancelSubscription.userErrors
          }
        >
          {() => <p>The subscription will not renew; access lasts until the end of the current period.</p>}
        </ActionDialog>
      ) : null}
    </Card>
  );
}
