import type { AliasesCardFragment } from "../generated/graphql";
import { formatDate } from "../format";
import { Card } from "../ui/Card";

export function AliasesCard({ customer }: { customer: AliasesCardFragment }) {
  return (
    <Card title="App User IDs" id="aliases">
      <p class="muted">Original</p>
      <p>
        <code>{customer.originalAppUserId}</code>
      </p>
      <p class="muted">Aliases</p>
      {customer.aliases.length ? (
        <ul class="plain">
          {customer.aliases.map((alias) => (
            <li key={alias.appUserId}>
              <code>{alias.appUserId}</code> {alias.isAnonymous ? <span class="badge">anonymous</span> : null}
              <span class="muted"> · last seen {formatDate(alias.lastSeenAt)}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">No aliases.</p>
      )}
    </Card>
  );
}
