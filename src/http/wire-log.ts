/**
 * The wire log (client option `debug`, or `NODE_DEBUG=traverse-odata`): one line for every request
 * the library puts on the wire and one for its answer, including those no pipeline step of the
 * caller sees (the CSRF token fetch, each retry and redirect hop, polls), and one line per part of
 * a `$batch` answer. Each line names the headers that matter when debugging an OData service (the
 * CSRF handshake, conditional writes, preferences, versions, where an answer points to), with
 * every secret masked by the redaction rules of util/redact.ts, and an answer's headers also by the
 * secret values its request was sent with (a service may echo a token bare in a header of its own).
 *
 * Off, it costs nothing: the client then uses the transport as it is (and never loads this module,
 * see core.ts), and the steps only mark the few requests that are not the caller's own (a retry, a
 * redirect hop, a token fetch, a poll) with constants and counters on the request; no line is built
 * and no closure made per request. The switch itself (`debug`, `NODE_DEBUG`) is read by debug.ts.
 */
import type { WireLogger } from "./debug.js";
import { BODY_FAILURES, type ODataRequest, type SendRequest } from "./pipeline.js";
import { STOPPED_ON_PURPOSE } from "./body.js";
import { clipText, redactHeaders, redactUrl, SENT_SECRETS, type SecretSet } from "../util/redact.js";
import { maskSecretValues } from "../util/secret-values.js";
import { TOKEN_ANSWER_READ } from "./token-wait.js";

/**
 * The headers a line leaves out: credentials (never logged, not even masked) and what the HTTP
 * transport sets for itself and tells nothing about OData. Every other header is shown, the ones
 * whose name says they hold a secret (`X-CSRF-Token`, `X-API-Key` ...) masked: what the service's
 * version, format, preference, ETag and CSRF headers said is what one debugs a service with, and a
 * list of names to show would need this layer to know the protocol's header names.
 */
const UNLOGGED_HEADERS: ReadonlySet<string> = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "set-cookie2",
  "accept-encoding",
  "connection",
  "content-length",
  "date",
  "host",
  "keep-alive",
  "transfer-encoding",
  "user-agent",
]);

/**
 * Wraps the transport (the end of the pipeline, where every request arrives as it goes on the
 * wire) so that each request and its answer, failure or abort is logged, a failure or abort while
 * its answer's body is read included; gives `transport` back as it is when `log` is `undefined`.
 * `retries` is the client's retry count, for "retry 2/3".
 */
export function wireLogTransport(transport: SendRequest, log: WireLogger | undefined, retries: number): SendRequest {
  if (log === undefined) return transport;
  let sent = 0;
  return async (request: ODataRequest) => {
    // A number per request ties its answer line to it when requests overlap.
    const tag = `#${++sent}${labelOf(request, retries)}`;
    const target = `${request.method} ${redactUrl(request.url)}`;
    emit(log, `${tag} > ${target}${headersText(request.headers)}`);
    const started = performance.now();
    // The signal alone is kept for the body's failure, not the request (its body may be large).
    const { signal } = request;
    const failed = (error: unknown, secrets?: SecretSet) => {
      const outcome = signal?.aborted ? "aborted" : "failed";
      emit(log, `${tag} ! ${target} ${outcome} after ${elapsed(started)} ms: ${maskSecretValues(describeFailure(error), secrets)}`);
    };
    let response: Response;
    try {
      response = await transport(request);
    } catch (error) {
      failed(error);
      throw error;
    }
    const secrets = SENT_SECRETS.get(response);
    // The body's readers (http/body.ts) tell how its reading ended when it did not end well. Only
    // the transfer's failures get a line: a stall's TIMEOUT, an abort, a dropped connection. A body
    // that arrived and cannot be parsed has its answer line already, and one the caller stopped
    // reading on purpose (a walk left: its abort reason is in STOPPED_ON_PURPOSE; a stream
    // cancelled) did not fail.
    BODY_FAILURES.set(response, (error) => {
      const code = (error as { code?: unknown } | undefined)?.code;
      if ((!signal?.aborted && code !== "TIMEOUT" && code !== "NETWORK_ERROR") || STOPPED_ON_PURPOSE.has(error as object)) return;
      BODY_FAILURES.delete(response);
      // A token answer's line, still waiting for its body, goes first.
      TOKEN_ANSWER_READ.get(response)?.([]);
      failed(error, secrets);
    });
    // A browser's answer to a manual redirect hides status and headers (see the redirect step).
    const opaque = response.type === "opaqueredirect" ? " (opaque redirect)" : "";
    // A token endpoint may echo the tokens it issues in a header of its answer, known only from the
    // body the token cache reads: the line of an answer that issues them (2xx) waits for that
    // reading, its headers shown by an allow-list, the others masked, and the tokens masked by
    // value in those shown; a refusal's are shown as any answer's. (Reading a copy of the body here
    // would change how the body itself ends in Node 20, whose fetch ends the original cleanly once
    // a copy's reading is aborted.)
    // The CSRF token fetch's answer issues the token and the session that the writes after it send
    // (and whose answers mask them as sent secrets): a service may repeat them in a header of its
    // own (`sap-message`) in this very answer, where nothing has sent them yet.
    const masked = request.purpose === "csrf" ? withIssuedSession(response.headers, secrets) : secrets;
    const answered = `${tag} < ${response.status} ${target} ${elapsed(started)} ms${opaque}`;
    if (request.purpose === "oauth2" && response.ok) {
      // Its allowed headers (a request id) may repeat the token too: the line waits for the token
      // cache to read the tokens out of the body, and masks them by value.
      TOKEN_ANSWER_READ.set(response, (issued) => {
        TOKEN_ANSWER_READ.delete(response);
        emit(log, `${answered}${headersText(response.headers, { values: [...(secrets?.values ?? []), ...issued], authorizations: secrets?.authorizations ?? [] }, true)}`);
      });
    } else emit(log, `${answered}${headersText(response.headers, masked)}`);
    return response;
  };
}

/**
 * `secrets` with what a CSRF token fetch's answer issues: its `X-CSRF-Token` (not the protocol
 * word `Required`) and its cookies' `name=value` pairs, given as one `Cookie` value so that each
 * value that looks like a session id is masked on its own as well (util/secret-values.ts).
 */
function withIssuedSession(headers: Headers, secrets: SecretSet | undefined): SecretSet | undefined {
  const issued: string[] = [];
  const token = headers.get("x-csrf-token");
  if (token && token.toLowerCase() !== "required") issued.push(token);
  const pairs = (typeof headers.getSetCookie === "function" ? headers.getSetCookie() : []).map((cookie) => cookie.split(";")[0]!.trim()).filter((pair) => pair.includes("="));
  if (pairs.length > 0) issued.push(pairs.join("; "));
  return issued.length === 0 ? secrets : { values: [...(secrets?.values ?? []), ...issued], authorizations: secrets?.authorizations ?? [] };
}

/** What the batch log needs of a planned request (the batch layer's own type fits). */
interface BatchPartRequest {
  readonly id: string;
  readonly method: string;
  readonly url: URL;
}

/**
 * What the batch log needs of an answer matched to a request (the batch layer's own type fits):
 * `failed`, of a failed changeset's answer, is the member it failed at, where the service said which.
 */
interface BatchPartAnswer {
  readonly kind: string;
  readonly message?: { readonly status: number; readonly headers: Headers };
  readonly failed?: BatchPartRequest | undefined;
}

/**
 * Logs the answer to each request of a `$batch`, one line per request (Content-ID, status, method
 * and URL of the part): `answers[i]` belongs to `requests[i]`, and a request without an answer in
 * this reading (answered in an earlier one) is left out. The parts' headers have `secrets` masked,
 * the values the batch was sent with (its own and its parts' credentials), as an answer's have.
 * Of a failed changeset, the member it failed at is logged with the answer as any part is, and the
 * others as not applied, naming that member, as their errors do (batch/results.ts); where the
 * service did not say which member failed, each is logged with the answer and that its changeset
 * failed. A JSON batch and a multipart one thus log the same failure alike. Does nothing when
 * `log` is `undefined`.
 */
export function logBatchParts(log: WireLogger | undefined, requests: readonly BatchPartRequest[], answers: readonly (BatchPartAnswer | undefined)[], secrets?: SecretSet): void {
  if (log === undefined) return;
  requests.forEach((request, index) => {
    const answer = answers[index];
    if (answer === undefined || answer.kind === "earlier") return;
    const target = `${request.method} ${redactUrl(request.url)}`;
    const tag = `batch part ${request.id}`;
    if (answer.message === undefined) {
      const why = answer.kind === "pending" ? "answer to come from the status monitor" : answer.kind === "unreadable" ? "answer cannot be read" : "no answer";
      emit(log, `${tag} ! ${target} ${why}`);
      return;
    }
    const { failed } = answer;
    if (answer.kind === "changeset-failed" && failed !== undefined && failed.id !== request.id) {
      emit(log, `${tag} ! ${target} not applied: its changeset failed at batch part ${failed.id} (${failed.method} ${redactUrl(failed.url)})`);
      return;
    }
    const unnamed = answer.kind === "changeset-failed" && failed === undefined ? " (its changeset failed)" : "";
    emit(log, `${tag} < ${answer.message.status} ${target}${unnamed}${headersText(answer.message.headers, secrets)}`);
  });
}

/** What a request is, where the library sent it on its own account: " csrf", " retry 2/3", " poll redirect 1". */
function labelOf(request: ODataRequest, retries: number): string {
  let label = request.purpose === undefined ? "" : ` ${request.purpose}`;
  if (request.attempt) label += ` retry ${request.attempt}/${retries}`;
  if (request.hop) label += ` redirect ${request.hop}`;
  return label;
}

/** The headers of an answer that issues a token shown as they are; any other's value is `***`. */
const TOKEN_ANSWER_HEADERS = /^(?:content-(?:type|length|encoding)|cache-control|pragma|date|expires|retry-after|www-authenticate|vary|(?:x-ms-|x-|client-)?request-id|x-correlation-id)$/;

/**
 * The logged headers present, as JSON (one line whatever the values hold), secrets masked: by the
 * headers' names, and for an answer's also by the values its request was sent with (`secrets`),
 * which a service may echo bare in a header of its own (a debug header, `sap-message`); with
 * `tokenAnswer`, by {@link TOKEN_ANSWER_HEADERS}.
 */
function headersText(headers: Headers, secrets?: SecretSet, tokenAnswer = false): string {
  let present: Record<string, string> | undefined;
  headers.forEach((value, name) => {
    if (!UNLOGGED_HEADERS.has(name)) (present ??= {})[name] = tokenAnswer && !TOKEN_ANSWER_HEADERS.test(name) ? "***" : maskSecretValues(value, secrets);
  });
  if (present === undefined) return "";
  const shown = redactHeaders(present);
  const out: Record<string, string> = {};
  // redactHeaders leaves a secret out; here it stays in, masked, because that a token was sent
  // (or came back) is exactly what a CSRF problem is debugged with.
  for (const name of Object.keys(present)) out[name] = shown[name] ?? "***";
  return ` ${JSON.stringify(out)}`;
}

function describeFailure(error: unknown): string {
  const fields = (typeof error === "object" && error !== null ? error : {}) as { code?: unknown; name?: unknown; message?: unknown };
  const kind = typeof fields.code === "string" ? fields.code : typeof fields.name === "string" ? fields.name : "Error";
  const message = typeof fields.message === "string" ? fields.message : String(error);
  // The code goes before the message once it is masked: read together, `CREDENTIALS_IN_URL: …`
  // would pass for a header whose name holds a secret word, and its value be masked whole.
  return `${kind}: ${clipText(message.replace(/\s+/g, " "), 300)}`;
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

function emit(log: WireLogger, line: string): void {
  try {
    const written: unknown = log(line);
    // An async logger (one that appends to a file) fails by rejecting: that is dropped here, not
    // awaited, so that the log neither holds a request up nor fails it, nor ends the process with
    // an unhandled rejection.
    if (typeof (written as PromiseLike<unknown> | undefined)?.then === "function") (written as PromiseLike<unknown>).then(undefined, () => {});
  } catch {
    // A logger that fails must not fail the request it reports on.
  }
}
