import { useEffect, useState } from "preact/hooks";
import { request } from "../client";
import { formatDate, formatMoney, humanize } from "../format";
import { CustomerTimelineDocument, type CustomerTimelineQuery } from "../generated/graphql";
import { Card } from "../ui/Card";
import { EventDetail } from "./EventDetail";

export const TIMELINE_PAGE_SIZE = 10;

type History = NonNullable<CustomerTimelineQuery["customer"]>["history"];
export type TimelineEvent = History["edges"][number]["node"];

export function TimelineCard(props: {
  appUserId: string;
  sandbox: boolean;
  version: number;
  onSandbox: (sandbox: boolean) => void;
}) {
  const [events, setEvents] = useState<TimelineEvent[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [failure, setFailure] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);

  async function load(after: string | null) {
    setLoading(true);
    setFailure(null);
    try {
      const data = await request(CustomerTimelineDocument, {
        appUserId: props.appUserId,
        sandbox: props.sandbox,
        first: TIMELINE_PAGE_SIZE,
        after,
      });
      const history = data.customer?.history;
      const page = history?.edges.map((edge) => edge.node) ?? [];
      setEvents((shown) => (after ? [...shown, ...page] : page));
      setNext(history?.pageInfo.hasNextPage ? history.pageInfo.endCursor : null);
    } catch (error) {
      setFailure(error instanceof Error ? error.message : String(error));
    } finally {
      setLoading(false);
    }
  }

  useEffect(() => {
    void load(null);
  }, [props.appUserId, props.sandbox, props.version]);

  const chosen = events.find((event) => event.id === selected) ?? null;
  return (
    <Card
      title="Customer history"
      id="timeline"
      actions={
        <label class="toggle" title="Also shows sandbox entitlements and purchases">
          <input
            type="checkbox"
            name="sandbox"
            checked={props.sandbox}
            onChange={(e) => props.onSandbox(e.currentTarget.checked)}
          />
          Sandbox data
        </label>
      }
    >
      {failure ? <p class="field-errors">{failure}</p> : null}
      {!loading && events.length === 0 && !failure ? (
        <p class="muted">No history: no purchase receipt has been received for this customer.</p>
      ) : null}
      <ol class="timeline">
        {events.map((event) => (
          <li key={event.id} class={event.id === selected ? "selected" : ""}>
            <button type="button" class="event" onClick={() => setSelected(event.id === selected ? null : event.id)}>
              <span class="event-date">{formatDate(event.purchasedAt)}</span>
              <span class="event-description">{event.description}</span>
              <span class="event-product">{event.productId ?? ""}</span>
              <span class="event-price">
                {event.priceUsd ? formatMoney(event.priceUsd) : ""}
                {event.priceUsd && event.priceIsEstimated ? (
                  <abbr class="estimated" title="Estimated from the product's list price">
                    {" "}
                    estimated
                  </abbr>
                ) : null}
              </span>
              {event.environment === "SANDBOX" ? <span class="badge sandbox">sandbox</span> : null}
            </button>
            {event.id === selected && chosen ? <EventSummary event={chosen} /> : null}
          </li>
        ))}
      </ol>
      {next ? (
        <button type="button" disabled={loading} onClick={() => void load(next)}>
          Older events
        </button>
      ) : null}
      {loading ? <p class="muted">Loading…</p> : null}
    </Card>
  );
}

function EventSummary({ event }: { event: TimelineEvent }) {
  const rows: Array<[string, string]> = [
    ["Type", event.type],
    ["Webhook event", event.webhookEventType],
    ["Purchased at", formatDate(event.purchasedAt)],
    ["Event timestamp", formatDate(event.eventTimestamp)],
    ["Environment", humanize(event.environment)],
    ["Store", humanize(event.store)],
    ["Product", event.productId ?? "—"],
    ["Transaction", event.transactionId ?? "—"],
    ["Price", event.price ? `${formatMoney(event.price)}${event.priceIsEstimated ? " (estimated)" : ""}` : "—"],
    ["Entitlements", event.entitlementIds.join(", ") || "—"],
  ];
  if (event.newProductId) rows.push(["New product", event.newProductId]);
  if (event.periodType) rows.push(["Period type", humanize(event.periodType)]);
  if (event.cancelReason) rows.push(["Cancel reason", humanize(event.cancelReason)]);
  if (event.transferredFrom) rows.push(["Transferred from", event.transferredFrom.join(", ")]);
  if (event.transferredTo) rows.push(["Transferred to", event.transferredTo.join(", ")]);
  if (event.virtualCurrency) rows.push(["Virtual currency", `${event.virtualCurrency.amount} ${event.virtualCurrency.code}`]);
  if (event.actor) rows.push(["By", event.actor]);
  if (event.reason) rows.push(["Reason", event.reason]);
  return (
    <div class="event-detail" aria-label="Event details">
      <dl class="details">
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <EventDetail eventId={event.id} />
    </div>
  );
}
