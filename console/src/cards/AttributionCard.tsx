import type { AttributionCardFragment } from "../generated/graphql";
import { Card } from "../ui/Card";

export function AttributionCard({ customer }: { customer: AttributionCardFragment }) {
  const a = customer.attribution;
  const rows: Array<[string, string | null]> = [
    ["Network", a.network],
    ["Campaign", a.campaign],
    ["Ad group", a.adGroup],
    ["Keywords", a.keywords],
    ["Creative", a.creative],
  ];
  return (
    <Card title="Attribution" id="attribution">
      {rows.some(([, value]) => value) ? (
        <dl class="details">
          {rows.map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value ?? "—"}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <p class="muted">No attribution data from a network.</p>
      )}
    </Card>
  );
}
