import { useEffect, useState } from "preact/hooks";
import { ProfilePage } from "./pages/ProfilePage";
import { SearchPage } from "./pages/SearchPage";
import { BASE, follow, useRoute } from "./router";
import {
  describeRole,
  loadSession,
  setUnauthorizedHandler,
  storeApiKey,
  type Session,
  type SessionResult,
} from "./session";
import { SessionContext } from "./ui/SessionContext";

export function App() {
  const [result, setResult] = useState<SessionResult | null>(null);
  const refresh = () => loadSession().then(setResult, (error: Error) => setResult({ ok: false, keyRequired: false, error: error.message }));

  useEffect(() => {
    setUnauthorizedHandler((reason) => {
      storeApiKey(null);
      setResult({ ok: false, keyRequired: true, error: reason });
    });
    void refresh();
  }, []);

  if (!result) return <p class="muted">Loading…</p>;
  if (!result.ok) {
    if (!result.keyRequired) return <p class="field-errors">{result.error || "The console could not reach the service."}</p>;
    return <KeyPrompt error={result.error} onKey={(key) => (storeApiKey(key), void refresh())} />;
  }
  if (!result.session.mayRead) {
    return (
      <KeyPrompt
        error={`This key's role is ${result.session.role}: ${describeRole(result.session)}. Use a VIEWER, SUPPORT or ADMIN key.`}
        onKey={(key) => (storeApiKey(key), void refresh())}
      />
    );
  }
  return (
    <SessionContext.Provider value={result.session}>
      <Header session={result.session} onSignOut={() => (storeApiKey(null), void refresh())} />
      <Pages />
    </SessionContext.Provider>
  );
}

function Pages() {
  const route = useRoute();
  if (route.page === "profile") return <ProfilePage key={route.appUserId} appUserId={route.appUserId} />;
  return <SearchPage query={route.query} />;
}

function Header(props: { session: Session; onSignOut: () => void }) {
  const { session } = props;
  return (
    <header class="top">
      <a class="brand" href={BASE} onClick={(e) => follow(e, BASE)}>
        Customer Profile · Support console
      </a>
      <span class="who" data-testid="role">
        {session.environment === "development" ? <span class="badge">development</span> : null}{" "}
        <strong>{session.keyName}</strong> · <span class="badge">{session.role}</span> {describeRole(session)}
      </span>
      {session.environment === "production" ? (
        <button type="button" class="link" onClick={props.onSignOut}>
          Sign out
        </button>
      ) : null}
    </header>
  );
}

function KeyPrompt(props: { error: string; onKey: (key: string) => void }) {
  const [key, setKey] = useState("");
  return (
    <main class="key-prompt">
      <h1>Support console</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (key.trim()) props.onKey(key.trim());
        }}
      >
        <label class="field">
          <span>API key</span>
          <input name="apiKey" type="password" autoComplete="off" value={key} onInput={(e) => setKey(e.currentTarget.value)} />
        </label>
        <p class="muted">
          The key stays in this tab only (sessionStorage) and is sent as the Bearer header. A VIEWER key reads; a
          SUPPORT or ADMIN key can also act on customers.
        </p>
        {props.error ? (
          <p class="field-errors" role="alert">
            {props.error}
          </p>
        ) : null}
        <button type="submit" class="primary">
          Open the console
        </button>
      </form>
    </main>
  );
}
