import { useEffect, useState } from "preact/hooks";
import { AliasesCard } from "../cards/AliasesCard";
import { AttributesCard } from "../cards/AttributesCard";
import { AttributionCard } from "../cards/AttributionCard";
import { DetailsCard } from "../cards/DetailsCard";
import { EntitlementsCard } from "../cards/EntitlementsCard";
import { ManageCard } from "../cards/ManageCard";
import { NotesCard } from "../cards/NotesCard";
import { OfferingCard } from "../cards/OfferingCard";
import { TimelineCard } from "../cards/TimelineCard";
import { VirtualCurrencyCard } from "../cards/VirtualCurrencyCard";
import { request } from "../client";
import { CustomerProfileDocument, type CustomerProfileQuery } from "../generated/graphql";
import { BASE, follow } from "../router";

export function ProfilePage({ appUserId }: { appUserId: string }) {
  const [sandbox, setSandbox] = useState(false);
  const [version, setVersion] = useState(0);
  const [data, setData] = useState<CustomerProfileQuery | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    setFailure(null);
    request(CustomerProfileDocument, { appUserId, sandbox })
      .then(setData)
      .catch((error: Error) => setFailure(error.message));
  }, [appUserId, sandbox, version]);

  // After any action: read the profile and the timeline again, as the server sees them.
  const refresh = () => setVersion((v) => v + 1);
  const back = (
    <a href={BASE} onClick={(e) => follow(e, BASE)}>
      ← Search
    </a>
  );
  if (failure) {
    return (
      <main>
        {back}
        <p class="field-errors" role="alert">
          {failure}
        </p>
      </main>
    );
  }
  if (!data) return <main class="muted">Loading…</main>;
  const customer = data.customer;
  if (!customer) {
    return (
      <main>
        {back}
        <h1>No customer found</h1>
        <p>
          No customer has the App User ID <code>{appUserId}</code>.
        </p>
      </main>
    );
  }
  const id = customer.appUserId;
  return (
    <main class="profile">
      <div class="profile-title">
        {back}
        <h1>{customer.appUserId}</h1>
      </div>
      <div class="columns">
        <div class="column main">
          <DetailsCard customer={customer} />
          <NotesCard appUserId={id} customer={customer} onChanged={refresh} />
          <TimelineCard appUserId={id} sandbox={sandbox} version={version} onSandbox={setSandbox} />
        </div>
        <div class="column side">
          <EntitlementsCard customer={customer} entitlements={data.project.entitlements} onChanged={refresh} />
          <OfferingCard appUserId={id} customer={customer} offerings={data.project.offerings} onChanged={refresh} />
          <VirtualCurrencyCard appUserId={id} customer={customer} onChanged={refresh} />
          <AliasesCard customer={customer} />
          <AttributesCard appUserId={id} customer={customer} onChanged={refresh} />
          <AttributionCard customer={customer} />
          <ManageCard appUserId={id} />
        </div>
      </div>
    </main>
  );
}
