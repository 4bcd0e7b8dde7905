import { useState } from "preact/hooks";
import { request } from "../client";
import { DeleteCustomerDocument } from "../generated/graphql";
import { BASE, navigate } from "../router";
import { ActionDialog } from "../ui/ActionDialog";
import { Card } from "../ui/Card";
import { FieldErrors } from "../ui/FieldErrors";
import { useSession } from "../ui/SessionContext";

export function ManageCard({ appUserId }: { appUserId: string }) {
  const session = useSession();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  if (!session.mayAct) return null;
  return (
    <Card title="Manage" id="manage">
      <p class="muted">
        Deleting removes the customer, every alias and all their history (sandbox and production). Store subscriptions
        are not cancelled.
      </p>
      <button type="button" class="danger" onClick={() => setOpen(true)}>
        Delete customer
      </button>
      {open ? (
        <ActionDialog
          title="Delete customer"
          confirmLabel="Delete customer"
          danger
          fields={["appUserId"]}
          canConfirm={typed === appUserId}
          onClose={() => setOpen(false)}
          onDone={() => navigate(`${BASE}?deleted=${encodeURIComponent(appUserId)}`)}
          onConfirm={async (reason) =>
            (await request(DeleteCustomerDocument, { input: { appUserId, reason } })).deleteCustomer.userErrors
          }
        >
          {(errors) => (
            <label class="field">
              <span>
                Type <code>{appUserId}</code> to confirm
              </span>
              <input name="confirmAppUserId" value={typed} onInput={(e) => setTyped(e.currentTarget.value)} />
              <FieldErrors errors={errors} field="appUserId" />
            </label>
          )}
        </ActionDialog>
      ) : null}
    </Card>
  );
}
