/**
 * What the tests of CSRF refusals share (test/csrf-fix31-*.test.ts): a node:http service that
 * gives a new token to each fetch and refuses every write with 403 `X-CSRF-Token: Required`, the
 * words the client explains such a refusal with, and a reader of the refusal.
 */
import assert from "node:assert/strict";
import { ODataHttpError } from "../src/index.js";
import { sendJson, sendText, startServer, type RecordedRequest, type RecordingServer } from "./servers/recording-server.js";
import { rejectionAs } from "./async-poller-fixtures.js";

/** The explanation of a write whose renewed token was refused too, for the token fetch `fetchUrl`. */
export const refusedAgain = (fetchUrl: string) =>
  `the service refused the CSRF token again: the request, sent once more with a token fetched anew (GET ${fetchUrl} with X-CSRF-Token: Fetch), was answered X-CSRF-Token: Required as well; a token holds only in the session its fetch opened`;

/** The explanation of a refusal for want of a token, to a client without option `csrf`. */
export const SET_OPTION = 'the service requires a CSRF token (X-CSRF-Token: Required): set option "csrf" to true, and the client fetches one for its writes';

/**
 * A service that gives a new token to each fetch and refuses every other request with 403
 * Required; with `staleIfMatch`, one sent with `If-Match` is refused with 412 instead (a token it
 * takes, for a write whose ETag is stale).
 */
export async function refusingService(t: { after(fn: () => Promise<void>): void }, { staleIfMatch = false } = {}): Promise<RecordingServer> {
  let tokens = 0;
  const server = await startServer((request, res) => {
    if (request.headers["x-csrf-token"] === "Fetch") return sendJson(res, 200, {}, { "x-csrf-token": `tok-${++tokens}` });
    if (staleIfMatch && request.headers["if-match"] !== undefined) return sendJson(res, 412, { error: { code: "412", message: "ETag mismatch" } });
    sendText(res, 403, "CSRF token validation failed", { "x-csrf-token": "Required" });
  });
  t.after(() => server.close());
  return server;
}

/** The requests as `METHOD path token prefer`, `-` for a header not sent. */
export function wire(requests: RecordedRequest[]): string[] {
  return requests.map((r) => `${r.method} ${r.path} ${r.headers["x-csrf-token"] ?? "-"} ${r.headers["prefer"] ?? "-"}`);
}

/** The 403 `X-CSRF-Token: Required` refusal `promise` rejects with, as an `ODataHttpError`. */
export async function refusal(promise: Promise<unknown>): Promise<ODataHttpError> {
  const error = await rejectionAs(promise, ODataHttpError);
  assert.equal(error.code, "HTTP_ERROR");
  assert.equal(error.status, 403);
  assert.equal(error.headers["x-csrf-token"], "Required");
  assert.equal(error.body, "CSRF token validation failed");
  return error;
}
