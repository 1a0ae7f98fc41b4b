/**
 * A client that sends a bearer token and an `x-api-key` to services that echo them back, and the
 * checks of the secrets tests (test/secrets-fix32b-*.test.ts): what was sent, and an error that
 * quotes neither secret in any of its forms.
 */
import assert from "node:assert/strict";
import type { IncomingHttpHeaders } from "node:http";
import { inspect } from "node:util";
import { ODataClient, ODataClientError } from "../src/index.js";
import { startServer, type Handler, type RecordedRequest } from "./servers/recording-server.js";

export const BEARER = "zBearerTok-8f3a9c2e71";
export const API_KEY = "zApiKey-55d2e8b1c4";
/** Any piece of either secret long enough to tell it. */
export const LEAK = /8f3a9c2e71|55d2e8b1c4|zBearerTok|zApiKey-/;

/** The secrets of a request as a hostile service echoes them: bare, the token without its scheme. */
export function echoed(headers: IncomingHttpHeaders): string {
  return `${String(headers.authorization).replace(/^Bearer /, "")} ${String(headers["x-api-key"])}`;
}

export async function serve(t: { after(fn: () => Promise<void>): void }, handler: Handler, version?: "2.0") {
  const server = await startServer(handler);
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, auth: { bearer: BEARER }, headers: { "x-api-key": API_KEY }, ...(version ? { version } : {}) });
  return { server, client };
}

/** Every request carried both secrets: the echo is of what was sent. */
export function assertSent(requests: readonly RecordedRequest[]): void {
  assert.ok(requests.length > 0);
  for (const request of requests) {
    assert.equal(request.headers.authorization, `Bearer ${BEARER}`);
    assert.equal(request.headers["x-api-key"], API_KEY);
  }
}

/** The error with `code` and `message` exactly, no secret in any of its forms. */
export function assertMasked(error: unknown, code: string, message: string): void {
  assert.ok(error instanceof ODataClientError, `not an ODataClientError: ${inspect(error)}`);
  assert.equal(error.code, code);
  assert.equal(error.message, message);
  for (const text of [error.message, String(error.stack), inspect(error, { depth: 10 }), JSON.stringify(error)]) assert.doesNotMatch(text, LEAK);
}

export async function rejection(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  assert.fail("it did not reject");
}
