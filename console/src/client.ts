// The console's GraphQL client: one POST to /graphql per operation, typed by the
// document strings that codegen generates from the *.graphql files beside each card.
import type { TypedDocumentString, UserErrorFieldsFragment } from "./generated/graphql";
import { apiKey, onUnauthorized } from "./session";

export type UserError = UserErrorFieldsFragment;

/** A request the server refused as a whole: 401, FORBIDDEN, a limit, a bug. */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

export async function request<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  ...[variables]: TVariables extends Record<string, never> ? [] : [TVariables]
): Promise<TResult> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  const key = apiKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  const response = await fetch("/graphql", {
    method: "POST",
    headers,
    body: JSON.stringify({ query: document.toString(), variables: variables ?? {} }),
  });
  if (response.status === 401) {
    onUnauthorized(await response.text());
    throw new RequestError("The API key was refused.", 401);
  }
  if (!response.ok) {
    throw new RequestError(`The server answered ${response.status}: ${await response.text()}`, response.status);
  }
  const body = (await response.json()) as GraphQLResponse<TResult>;
  if (body.errors?.length) {
    const first = body.errors[0];
    const code = first.extensions?.code ?? null;
    const message = code === "FORBIDDEN" ? `Your key's role may not do this: ${first.message}` : first.message;
    throw new RequestError(message, response.status, code);
  }
  if (!body.data) throw new RequestError("The server sent no data.", response.status);
  return body.data;
}

/** The userErrors that name this input field (the last part of their path). */
export function errorsFor(errors: readonly UserError[], field: string): UserError[] {
  return errors.filter((error) => error.field?.[error.field.length - 1] === field);
}

/** The userErrors that name none of the fields a form shows. */
export function otherErrors(errors: readonly UserError[], shown: readonly string[]): UserError[] {
  return errors.filter((error) => !shown.includes(error.field?.[error.field.length - 1] ?? ""));
}
