import { useEffect, useState } from "preact/hooks";
import { request } from "../client";
import { formatDate, formatMoney } from "../format";
import {
  CustomerSearchDocument,
  SearchFilterChoicesDocument,
  type CustomerFilter,
  type CustomerSearchQuery,
  type Store,
} from "../generated/graphql";
import { BASE, follow, navigate, profilePath } from "../router";

const PAGE_SIZE = 20;
const STORES: Store[] = [
  "APP_STORE",
  "MAC_APP_STORE",
  "PLAY_STORE",
  "AMAZON",
  "STRIPE",
  "RC_BILLING",
  "PADDLE",
  "ROKU",
  "PROMOTIONAL",
];
const PARAMS = ["q", "entitlement", "store", "country", "attributeKey", "attributeValue"] as const;
type Form = Record<(typeof PARAMS)[number], string>;

function formFrom(query: URLSearchParams): Form {
  return Object.fromEntries(PARAMS.map((name) => [name, query.get(name) ?? ""])) as Form;
}

function filterOf(form: Form): CustomerFilter | null {
  const filter: CustomerFilter = {};
  if (form.entitlement) filter.activeEntitlement = form.entitlement;
  if (form.store) filter.store = form.store as Store;
  if (form.country) filter.country = form.country.trim().toUpperCase();
  if (form.attributeKey) filter.attribute = { key: form.attributeKey.trim(), value: form.attributeValue };
  return Object.keys(filter).length ? filter : null;
}

type Result = CustomerSearchQuery["customers"];

export function SearchPage({ query }: { query: URLSearchParams }) {
  const applied = formFrom(query);
  const [form, setForm] = useState<Form>(applied);
  const [pages, setPages] = useState<Array<string | null>>([null]);
  const [result, setResult] = useState<Result | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [entitlements, setEntitlements] = useState<Array<{ identifier: string; displayName: string }>>([]);
  const key = query.toString();
  const after = pages[pages.length - 1];
  const deleted = query.get("deleted");

  useEffect(() => {
    request(SearchFilterChoicesDocument)
      .then((data) => setEntitlements(data.project.entitlements))
      .catch(() => undefined);
  }, []);
  useEffect(() => {
    setForm(formFrom(query));
    setPages([null]);
  }, [key]);
  useEffect(() => {
    setFailure(null);
    request(CustomerSearchDocument, {
      search: applied.q.trim() || null,
      filter: filterOf(applied),
      first: PAGE_SIZE,
      after,
    })
      .then((data) => setResult(data.customers))
      .catch((error: Error) => setFailure(error.message));
  }, [key, after]);

  function submit(event: Event) {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const name of PARAMS) if (form[name].trim()) params.set(name, form[name].trim());
    const text = params.toString();
    navigate(text ? `${BASE}?${text}` : BASE);
  }
  const field = (name: keyof Form) => ({
    name,
    value: form[name],
    onInput: (e: Event) => setForm({ ...form, [name]: (e.currentTarget as HTMLInputElement).value }),
  });

  return (
    <main class="search-page">
      {deleted ? (
        <p class="notice" role="status">
          Customer <code>{deleted}</code> was deleted.
        </p>
      ) : null}
      <form class="search" role="search" onSubmit={submit}>
        <input
          {...field("q")}
          type="search"
          class="search-box"
          placeholder="App User ID or alias prefix, $email, or transaction id"
          aria-label="Search customers"
        />
        <button type="submit" class="primary">
          Search
        </button>
        <details class="filters" open={Boolean(filterOf(applied))}>
          <summary>Filters</summary>
          <label>
            Active entitlement
            <select {...field("entitlement")} onChange={field("entitlement").onInput}>
              <option value="">Any</option>
              {entitlements.map((e) => (
                <option key={e.identifier} value={e.identifier}>
                  {e.displayName}
                </option>
              ))}
            </select>
          </label>
          <label>
            Store
            <select {...field("store")} onChange={field("store").onInput}>
              <option value="">Any</option>
              {STORES.map((store) => (
                <option key={store} value={store}>
                  {store}
                </option>
              ))}
            </select>
          </label>
          <label>
            Country
            <input {...field("country")} size={4} placeholder="BR" />
          </label>
          <label>
            Attribute
            <input {...field("attributeKey")} placeholder="key" />
            <input {...field("attributeValue")} placeholder="value" />
          </label>
        </details>
      </form>
      <SearchByTransaction search={applied.q.trim()} />
      {failure ? <p class="field-errors">{failure}</p> : null}
      {result ? (
        <>
          <p class="muted" data-testid="result-count">
            {result.totalCount} customer{result.totalCount === 1 ? "" : "s"}, most recently seen first
          </p>
          <table class="table results">
            <thead>
              <tr>
                <th>App User ID</th>
                <th>Email</th>
                <th>Country</th>
                <th>Total spent</th>
                <th>Last opened</th>
                <th>User since</th>
              </tr>
            </thead>
            <tbody>
              {result.edges.map(({ node }) => {
                const path = profilePath(node.appUserId);
                return (
                  <tr key={node.id}>
                    <td>
                      <a href={path} onClick={(e) => follow(e, path)}>
                        {node.appUserId}
                      </a>
                    </td>
                    <td>{node.attributes.find((a) => a.key === "$email")?.value ?? "—"}</td>
                    <td>{node.country ?? "—"}</td>
                    <td>{formatMoney(node.totalSpent)}</td>
                    <td>{formatDate(node.lastOpenedAt)}</td>
                    <td>{formatDate(node.firstSeenAt)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <div class="pager">
            <button type="button" disabled={pages.length === 1} onClick={() => setPages(pages.slice(0, -1))}>
              Previous
            </button>
            <button
              type="button"
              disabled={!result.pageInfo.hasNextPage}
              onClick={() => setPages([...pages, result.pageInfo.endCursor])}
            >
              Next
            </button>
          </div>
        </>
      ) : null}
    </main>
  );
}

/** A store transaction id is not an App User ID: look it up with the transaction filter too. */
function SearchByTransaction({ search }: { search: string }) {
  const [found, setFound] = useState<string[]>([]);
  useEffect(() => {
    setFound([]);
    if (!search) return;
    request(CustomerSearchDocument, { search: null, filter: { transactionId: search }, first: 5, after: null })
      .then((data) => setFound(data.customers.edges.map((edge) => edge.node.appUserId)))
      .catch(() => undefined);
  }, [search]);
  if (!found.length) return null;
  return (
    <p class="notice">
      Transaction <code>{search}</code> belongs to{" "}
      {found.map((id) => (
        <a key={id} href={profilePath(id)} onClick={(e) => follow(e, profilePath(id))}>
          {id}{" "}
        </a>
      ))}
    </p>
  );
}
