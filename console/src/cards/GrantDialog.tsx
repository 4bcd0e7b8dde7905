import { useState } from "preact/hooks";
import { request } from "../client";
import { GrantEntitlementDocument, type GrantDuration } from "../generated/graphql";
import { ActionDialog } from "../ui/ActionDialog";
import { FieldErrors } from "../ui/FieldErrors";

export interface EntitlementChoice {
  identifier: string;
  displayName: string;
}

const PRESETS: Array<[GrantDuration, string]> = [
  ["DAILY", "24 hours"],
  ["THREE_DAY", "3 days"],
  ["WEEKLY", "1 week"],
  ["TWO_WEEK", "2 weeks"],
  ["MONTHLY", "1 month"],
  ["TWO_MONTH", "2 months"],
  ["THREE_MONTH", "3 months"],
  ["SIX_MONTH", "6 months"],
  ["YEARLY", "1 year"],
  ["LIFETIME", "Lifetime"],
];
const UNTIL = "UNTIL";

export function GrantDialog(props: {
  appUserId: string;
  entitlements: EntitlementChoice[];
  onClose: () => void;
  onDone: () => void;
}) {
  const [identifier, setIdentifier] = useState(props.entitlements[0]?.identifier ?? "");
  const [duration, setDuration] = useState<string>("MONTHLY");
  const [until, setUntil] = useState("");
  const custom = duration === UNTIL;
  return (
    <ActionDialog
      title="Grant an entitlement"
      confirmLabel="Grant"
      fields={["entitlementIdentifier", "duration", "endsAt"]}
      canConfirm={Boolean(identifier) && (!custom || Boolean(until))}
      onClose={props.onClose}
      onDone={props.onDone}
      onConfirm={async (reason) =>
        (
          await request(GrantEntitlementDocument, {
            input: {
              appUserId: props.appUserId,
              entitlementIdentifier: identifier,
              duration: custom ? null : (duration as GrantDuration),
              endsAt: custom ? new Date(`${until}Z`).toISOString() : null,
              reason,
            },
          })
        ).grantEntitlement.userErrors
      }
    >
      {(errors) => (
        <>
          <p class="muted">Access starts now and ends by itself. It never touches store purchases.</p>
          <label class="field">
            <span>Entitlement</span>
            <select name="entitlementIdentifier" value={identifier} onChange={(e) => setIdentifier(e.currentTarget.value)}>
              {props.entitlements.map((e) => (
                <option key={e.identifier} value={e.identifier}>
                  {e.displayName} ({e.identifier})
                </option>
              ))}
            </select>
            <FieldErrors errors={errors} field="entitlementIdentifier" />
          </label>
          <label class="field">
            <span>Duration</span>
            <select name="duration" value={duration} onChange={(e) => setDuration(e.currentTarget.value)}>
              {PRESETS.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
              <option value={UNTIL}>Until date…</option>
            </select>
            <FieldErrors errors={errors} field="duration" />
          </label>
          {custom ? (
            <label class="field">
              <span>Ends at (UTC)</span>
              <input type="datetime-local" name="endsAt" value={until} onInput={(e) => setUntil(e.currentTarget.value)} />
              <FieldErrors errors={errors} field="endsAt" />
            </label>
          ) : null}
        </>
      )}
    </ActionDialog>
  );
}
