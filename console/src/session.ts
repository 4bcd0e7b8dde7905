// Who is using the console: the API key (production), its role and what it may do.
// The key lives in sessionStorage only: it is gone when the tab closes.

const KEY_STORAGE = "customer-profile-console.api-key";

export interface Limits {
  noteMaxLength: number;
  notesPerCustomer: number;
  attributeKeyPattern: string;
  attributeKeyMaxLength: number;
  attributeValueMaxLength: number;
  reservedAttributeKeys: string[];
}

export interface Session {
  environment: "development" | "production";
  keyName: string;
  role: "SDK" | "VIEWER" | "SUPPORT" | "ADMIN";
  mayRead: boolean;
  mayAct: boolean;
  limits: Limits;
}

export type SessionResult = { ok: true; session: Session } | { ok: false; keyRequired: boolean; error: string };

export function apiKey(): string | null {
  return sessionStorage.getItem(KEY_STORAGE);
}

export function storeApiKey(key: string | null): void {
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
}

let unauthorized: (reason: string) => void = () => undefined;

/** The app registers what to do when the server refuses the key mid-session. */
export function setUnauthorizedHandler(handler: (reason: string) => void): void {
  unauthorized = handler;
}

export function onUnauthorized(reason: string): void {
  unauthorized(reason);
}

export async function loadSession(): Promise<SessionResult> {
  const key = apiKey();
  const response = await fetch("/console/session", {
    headers: key ? { Authorization: `Bearer ${key}` } : {},
  });
  const body = await response.json();
  if (response.ok) return { ok: true, session: body as Session };
  // Without a key the refusal is expected; with one, say why the key was refused.
  return { ok: false, keyRequired: Boolean(body.keyRequired) || Boolean(key), error: key ? String(body.error) : "" };
}

export function describeRole(session: Session): string {
  switch (session.role) {
    case "ADMIN":
      return "reads everything, acts on customers and configures the project";
    case "SUPPORT":
      return "reads everything and acts on customers";
    case "VIEWER":
      return "reads everything; no actions";
    case "SDK":
      return "an app's key: it cannot open the console";
  }
}
