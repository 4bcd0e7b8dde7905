import { useState } from "preact/hooks";
import { request } from "../client";
import { AdjustVirtualCurrencyDocument, type VirtualCurrencyCardFragment } from "../generated/graphql";
import { ActionDialog } from "../ui/ActionDialog";
import { Card } from "../ui/Card";
import { FieldErrors } from "../ui/FieldErrors";
import { useSession } from "../ui/SessionContext";

export function VirtualCurrencyCard(props: {
  appUserId: string;
  customer: VirtualCurrencyCardFragment;
  onChanged: () => void;
}) {
  const session = useSession();
  const [open, setOpen] = useState(false);
  const [code, setCode] = useState("");
  const [amount, setAmount] = useState("");
  const balances = props.customer.virtualCurrencyBalances;
  const parsed = Number(amount);
  const validAmount = amount.trim() !== "" && Number.isInteger(parsed) && parsed !== 0;
  return (
    <Card
      title="Virtual currency"
      id="virtual-currency"
      actions={
        session.mayAct ? (
          <button type="button" onClick={() => setOpen(true)}>
            Adjust
          </button>
        ) : null
      }
    >
      {balances.length ? (
        <table class="table">
          <tbody>
            {balances.map((b) => (
              <tr key={b.code}>
                <th>
                  <code>{b.code}</code>
                </th>
                <td data-balance={b.code}>{b.balance}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">No balances.</p>
      )}
      {open ? (
        <ActionDialog
          title="Adjust virtual currency"
          confirmLabel="Adjust balance"
          fields={["code", "amount"]}
          canConfirm={Boolean(code.trim()) && validAmount}
          onClose={() => setOpen(false)}
          onDone={() => {
            setOpen(false);
            setAmount("");
            props.onChanged();
          }}
          onConfirm={async (reason) =>
            (
              await request(AdjustVirtualCurrencyDocument, {
                input: { appUserId: props.appUserId, code: code.trim(), amount: parsed, reason },
              })
            ).adjustVirtualCurrency.userErrors
          }
        >
          {(errors) => (
            <>
              <label class="field">
                <span>Currency code</span>
                <input name="code" list="currency-codes" value={code} onInput={(e) => setCode(e.currentTarget.value)} />
                <datalist id="currency-codes">
                  {balances.map((b) => (
                    <option key={b.code} value={b.code} />
                  ))}
                </datalist>
                <FieldErrors errors={errors} field="code" />
              </label>
              <label class="field">
                <span>Amount (positive grants, negative spends)</span>
                <input name="amount" type="number" step={1} value={amount} onInput={(e) => setAmount(e.currentTarget.value)} />
                <FieldErrors errors={errors} field="amount" />
              </label>
            </>
          )}
        </ActionDialog>
      ) : null}
    </Card>
  );
}
