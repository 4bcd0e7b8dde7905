import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import type { UserError } from "../client";
import { Dialog } from "./Dialog";
import { FieldErrors, FormErrors } from "./FieldErrors";
import { useAction } from "./useAction";

/**
 * A support action: what will happen, the action's own fields, a reason for the audit
 * trail, and a confirm button. userErrors appear next to the field they name.
 */
export function ActionDialog(props: {
  title: string;
  confirmLabel: string;
  danger?: boolean;
  fields?: readonly string[];
  withReason?: boolean;
  canConfirm?: boolean;
  onClose: () => void;
  onConfirm: (reason: string | null) => Promise<readonly UserError[]>;
  onDone: () => void;
  children?: (errors: readonly UserError[]) => ComponentChildren;
}) {
  const withReason = props.withReason ?? true;
  const [reason, setReason] = useState("");
  const action = useAction([...(props.fields ?? []), ...(withReason ? ["reason"] : [])]);

  async function confirm(event: Event) {
    event.preventDefault();
    const ok = await action.run(() => props.onConfirm(reason.trim() ? reason.trim() : null));
    if (ok) props.onDone();
  }

  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <form onSubmit={confirm}>
        {props.children?.(action.errors)}
        {withReason ? (
          <label class="field">
            <span>Reason (kept on the event and in the audit trail)</span>
            <textarea name="reason" rows={2} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
            <FieldErrors errors={action.errors} field="reason" />
          </label>
        ) : null}
        <FormErrors errors={action.unplaced} failure={action.failure} />
        <div class="dialog-buttons">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button
            type="submit"
            class={props.danger ? "danger" : "primary"}
            disabled={action.busy || props.canConfirm === false}
          >
            {props.confirmLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
