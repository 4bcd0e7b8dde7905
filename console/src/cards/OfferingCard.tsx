import { useState } from "preact/hooks";
import { request } from "../client";
import { OverrideOfferingDocument, type OfferingCardFragment } from "../generated/graphql";
import { ActionDialog } from "../ui/ActionDialog";
import { Card } from "../ui/Card";
import { useSession } from "../ui/SessionContext";

export interface OfferingChoice {
  identifier: string;
  description: string;
  isCurrent: boolean;
}

const NO_OVERRIDE = "";

export function OfferingCard(props: {
  appUserId: string;
  customer: OfferingCardFragment;
  offerings: OfferingChoice[];
  onChanged: () => void;
}) {
  const session = useSession();
  const current = props.customer.currentOffering;
  const override = props.customer.offeringOverride;
  const [choice, setChoice] = useState<string | null>(null);
  const label = (identifier: string) =>
    identifier === NO_OVERRIDE ? "the project's current offering (no override)" : identifier;
  return (
    <Card title="Current offering" id="offering">
      {current ? (
        <>
          <p>
            <strong>{current.identifier}</strong> {override ? <span class="badge">override</span> : null}
          </p>
          <p class="muted">{current.description}</p>
          <ul class="plain">
            {current.packages.map((p) => (
              <li key={p.identifier}>
                <code>{p.identifier}</code> → <code>{p.product.identifier}</code>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p class="muted">No current offering.</p>
      )}
      {session.mayAct ? (
        <label class="field">
          <span>Override for this customer</span>
          <select
            name="offering"
            value={override?.identifier ?? NO_OVERRIDE}
            onChange={(e) => setChoice(e.currentTarget.value)}
          >
            <option value={NO_OVERRIDE}>No override</option>
            {props.offerings.map((o) => (
              <option key={o.identifier} value={o.identifier}>
                {o.identifier}
                {o.isCurrent ? " (project current)" : ""}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {choice !== null ? (
        <ActionDialog
          title="Override the current offering"
          confirmLabel="Save override"
          onClose={() => setChoice(null)}
          onDone={() => {
            setChoice(null);
            props.onChanged();
          }}
          onConfirm={async (reason) =>
            (
              await request(OverrideOfferingDocument, {
                input: { appUserId: props.appUserId, offeringIdentifier: choice || null, reason },
              })
            ).overrideOffering.userErrors
          }
        >
          {() => <p>This customer will be shown {label(choice)}.</p>}
        </ActionDialog>
      ) : null}
    </Card>
  );
}
