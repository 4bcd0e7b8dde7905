import { useState } from "preact/hooks";
import { request } from "../client";
import { formatDate } from "../format";
import { SetAttributesDocument, type AttributesCardFragment } from "../generated/graphql";
import type { Limits } from "../session";
import { ActionDialog } from "../ui/ActionDialog";
import { Card } from "../ui/Card";
import { FieldErrors } from "../ui/FieldErrors";
import { useSession } from "../ui/SessionContext";

type Attribute = AttributesCardFragment["attributes"][number];

/** What the server would say about a key, said before it is sent. */
export function keyProblem(key: string, limits: Limits): string | null {
  if (!key) return null;
  if (key.startsWith("$")) {
    return limits.reservedAttributeKeys.includes(key)
      ? null
      : "Keys starting with $ are reserved: only the reserved keys listed in the docs may be set.";
  }
  if (key.length > limits.attributeKeyMaxLength) return `At most ${limits.attributeKeyMaxLength} characters.`;
  if (!new RegExp(limits.attributeKeyPattern).test(key)) {
    return "A key starts with a letter and holds only letters, digits, _ and -.";
  }
  return null;
}

export function AttributesCard(props: { appUserId: string; customer: AttributesCardFragment; onChanged: () => void }) {
  const session = useSession();
  const [editing, setEditing] = useState<Attribute | "new" | null>(null);
  return (
    <Card
      title="Attributes"
      id="attributes"
      actions={
        session.mayAct ? (
          <button type="button" onClick={() => setEditing("new")}>
            + New
          </button>
        ) : null
      }
    >
      {props.customer.attributes.length === 0 ? <p class="muted">No attributes.</p> : null}
      <table class="table">
        <tbody>
          {props.customer.attributes.map((attribute) => (
            <tr key={attribute.key}>
              <th>
                <code>{attribute.key}</code>
              </th>
              <td>{attribute.value}</td>
              <td class="muted">{formatDate(attribute.updatedAt)}</td>
              <td>
                {session.mayAct ? (
                  <button type="button" class="link" onClick={() => setEditing(attribute)}>
                    Edit
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {editing ? (
        <AttributeDialog
          appUserId={props.appUserId}
          attribute={editing === "new" ? null : editing}
          onClose={() => setEditing(null)}
          onDone={() => {
            setEditing(null);
            props.onChanged();
          }}
        />
      ) : null}
    </Card>
  );
}

function AttributeDialog(props: {
  appUserId: string;
  attribute: Attribute | null;
  onClose: () => void;
  onDone: () => void;
}) {
  const { limits } = useSession();
  const [key, setKey] = useState(props.attribute?.key ?? "");
  const [value, setValue] = useState(props.attribute?.value ?? "");
  const problem = keyProblem(key.trim(), limits);
  const tooLong = value.length > limits.attributeValueMaxLength;
  return (
    <ActionDialog
      title={props.attribute ? `Edit ${props.attribute.key}` : "New attribute"}
      confirmLabel="Save attribute"
      withReason={false}
      fields={["key", "value"]}
      canConfirm={Boolean(key.trim()) && !problem && !tooLong}
      onClose={props.onClose}
      onDone={props.onDone}
      onConfirm={async () =>
        (
          await request(SetAttributesDocument, {
            input: { appUserId: props.appUserId, attributes: [{ key: key.trim(), value }] },
          })
        ).setAttributes.userErrors
      }
    >
      {(errors) => (
        <>
          <label class="field">
            <span>Key</span>
            <input name="key" value={key} readOnly={Boolean(props.attribute)} onInput={(e) => setKey(e.currentTarget.value)} />
            {problem ? <span class="hint over">{problem}</span> : null}
            <FieldErrors errors={errors} field="key" />
          </label>
          <label class="field">
            <span>Value (a string; empty deletes the attribute)</span>
            <input name="value" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
            <span class={tooLong ? "counter over" : "counter"}>
              {value.length} / {limits.attributeValueMaxLength}
            </span>
            <FieldErrors errors={errors} field="value" />
          </label>
        </>
      )}
    </ActionDialog>
  );
}
