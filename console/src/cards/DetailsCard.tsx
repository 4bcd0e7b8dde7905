import type { DetailsCardFragment } from "../generated/graphql";
import { formatDate, formatMoney } from "../format";
import { Card } from "../ui/Card";

export function DetailsCard({ customer }: { customer: DetailsCardFragment }) {
  const rows: Array<[string, string]> = [
    ["App User ID", customer.appUserId],
    ["Original App User ID", customer.originalAppUserId],
    ["Country", customer.country ?? "—"],
    ["Total spent", formatMoney(customer.totalSpent)],
    ["Last opened", formatDate(customer.lastOpenedAt)],
    ["User since", formatDate(customer.firstSeenAt)],
  ];
  return (
    <Card title="Customer details" id="details">
      <dl class="details">
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </Card>
  );
}
