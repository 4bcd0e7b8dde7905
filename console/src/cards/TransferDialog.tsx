import { useState } from "preact/hooks";
import { request, type UserError } from "../client";
import { formatDate, humanize } from "../format";
import { TransferEntitlementsDocument, type TransferEntitlementsMutation } from "../generated/graphql";
import { profilePath, navigate } from "../router";
import { Dialog } from "../ui/Dialog";
import { FieldErrors, FormErrors } from "../ui/FieldErrors";
import { useAction } from "../ui/useAction";

type Preview = TransferEntitlementsMutation["transferEntitlements"];
const FIELDS = ["toAppUserId", "fromAppUserId", "reason"];

/** Transfer: find the destination, preview with a dry run, then confirm; then go there. */
export function TransferDialog(props: { fromAppUserId: string; onClose: () => void }) {
  const [to, setTo] = useState("");
  const [reason, setReason] = useState("");
  const [preview, setPreview] = useState<Preview | null>(null);
  const action = useAction(FIELDS);

  async function transfer(dryRun: boolean): Promise<readonly UserError[]> {
    const result = (
      await request(TransferEntitlementsDocument, {
        input: { fromAppUserId: props.fromAppUserId, toAppUserId: to.trim(), dryRun, reason: reason.trim() || null },
      })
    ).transferEntitlements;
    if (dryRun) setPreview(result.userErrors.length ? null : result);
    else if (!result.userErrors.length) navigate(profilePath(result.toCustomer?.appUserId ?? to.trim()));
    return result.userErrors;
  }

  async function submit(event: Event) {
    event.preventDefault();
    await action.run(() => transfer(preview === null));
  }

  return (
    <Dialog title="Transfer entitlements" onClose={props.onClose}>
      <form onSubmit={submit}>
        <p class="muted">
          Every store purchase of <code>{props.fromAppUserId}</code> moves to the destination customer. Granted
          entitlements stay.
        </p>
        <label class="field">
          <span>Destination App User ID</span>
          <input
            name="toAppUserId"
            value={to}
            onInput={(e) => {
              setTo(e.currentTarget.value);
              setPreview(null);
            }}
          />
          <FieldErrors errors={action.errors} field="toAppUserId" />
          <FieldErrors errors={action.errors} field="fromAppUserId" />
        </label>
        {preview ? (
          <div class="preview" aria-label="Transfer preview">
            <p>
              These {preview.purchases.length} purchases would move to <code>{preview.toCustomer?.appUserId}</code>:
            </p>
            <ul class="plain">
              {preview.purchases.map((p) => (
                <li key={p.id}>
                  <code>{p.productId}</code> · {humanize(p.store)} · {humanize(p.status)} · since{" "}
                  {formatDate(p.purchasedAt)}
                </li>
              ))}
            </ul>
            <label class="field">
              <span>Reason (kept on the event and in the audit trail)</span>
              <textarea name="reason" rows={2} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
              <FieldErrors errors={action.errors} field="reason" />
            </label>
          </div>
        ) : null}
        <FormErrors errors={action.unplaced} failure={action.failure} />
        <div class="dialog-buttons">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class={preview ? "danger" : "primary"} disabled={action.busy || !to.trim()}>
            {preview ? "Transfer entitlements" : "Find and preview"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
