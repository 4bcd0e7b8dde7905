import { useEffect, useState } from "preact/hooks";
import { request } from "../client";
import { formatDate } from "../format";
import {
  RetryWebhookDeliveryDocument,
  TimelineEventDetailDocument,
  type DeliveryFieldsFragment,
} from "../generated/graphql";
import { FormErrors } from "../ui/FieldErrors";
import { useSession } from "../ui/SessionContext";
import { useAction } from "../ui/useAction";

/** The webhook body of one event and its deliveries, fetched when the event is opened. */
export function EventDetail({ eventId }: { eventId: string }) {
  const [payload, setPayload] = useState<unknown>(undefined);
  const [deliveries, setDeliveries] = useState<DeliveryFieldsFragment[]>([]);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    request(TimelineEventDetailDocument, { id: eventId })
      .then((data) => {
        const node = data.node;
        if (node && "payload" in node) {
          setPayload(node.payload);
          setDeliveries(node.deliveries);
        }
      })
      .catch((error: Error) => setFailure(error.message));
  }, [eventId]);

  const replace = (delivery: DeliveryFieldsFragment) =>
    setDeliveries((shown) => shown.map((d) => (d.id === delivery.id ? delivery : d)));

  return (
    <div>
      <FormErrors errors={[]} failure={failure} />
      <h3>Integrations and webhooks</h3>
      {deliveries.length ? (
        <table class="table">
          <thead>
            <tr>
              <th>Endpoint</th>
              <th>Status</th>
              <th>Attempts</th>
              <th>Last attempt</th>
              <th>Response</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {deliveries.map((delivery) => (
              <DeliveryRow key={delivery.id} delivery={delivery} onRetried={replace} />
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">No webhook endpoint received this event.</p>
      )}
      <h3>Webhook payload</h3>
      <pre class="payload">{payload === undefined ? "Loading…" : JSON.stringify(payload, null, 2)}</pre>
    </div>
  );
}

function DeliveryRow(props: { delivery: DeliveryFieldsFragment; onRetried: (d: DeliveryFieldsFragment) => void }) {
  const session = useSession();
  const action = useAction([]);
  const d = props.delivery;
  async function retry() {
    await action.run(async () => {
      const result = (await request(RetryWebhookDeliveryDocument, { input: { deliveryId: d.id } })).retryWebhookDelivery;
      if (result.delivery) props.onRetried(result.delivery);
      return result.userErrors;
    });
  }
  return (
    <tr>
      <td>
        <code>{d.endpoint.url}</code>
      </td>
      <td>
        <span class={`badge status-${d.status.toLowerCase()}`}>{d.status}</span>
      </td>
      <td>{d.attempts}</td>
      <td>{formatDate(d.lastAttemptAt)}</td>
      <td>{d.lastResponseStatus ?? "—"}</td>
      <td>
        {session.mayAct ? (
          <button type="button" disabled={action.busy} onClick={() => void retry()}>
            Retry
          </button>
        ) : null}
        <FormErrors errors={action.errors} failure={action.failure} />
      </td>
    </tr>
  );
}
