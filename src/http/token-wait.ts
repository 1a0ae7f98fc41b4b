/**
 * A request that waits for a token before it can be sent (the auth step's token function or OAuth2
 * token request, the CSRF step's token fetch): what it waits for, and the `TIMEOUT` that says so
 * when its timeout ends the wait. Loaded with the steps that wait, not at start.
 */
import { ODataClientError } from "../errors.js";
import { redactUrl } from "../util/redact.js";
import type { ODataRequest } from "./pipeline.js";

/**
 * What a request waits for before it can be sent (a token), by the request's signal, as the clause
 * a `TIMEOUT` says of it ("... got no answer"). The auth steps set it while they wait and remove it
 * once the token is there; a request waiting on that request (a write on its CSRF token fetch)
 * names what held it up when its own timeout ends the wait.
 */
export const WAITING_FOR = new WeakMap<AbortSignal, () => string>();

/**
 * For the wire log, by the answer of an OAuth2 token request that issues a token: what logs its
 * answer line, which waits for the token cache to read the body (oauth2.ts) and give the tokens
 * it issued, to mask them by value in any header that repeats them (a request id, say).
 */
export const TOKEN_ANSWER_READ = new WeakMap<Response, (issued: readonly string[]) => void>();

/**
 * What the wait for a token before `request` is sent rejects with. When the request's timeout
 * ended it, the service was not asked, so instead of the timeout step's "got no answer" for the
 * request, a `TIMEOUT` that says what held it up (`waited`) and what became of the request
 * (`fate`). Any other failure as it is: a caller's own abort rejects with the caller's reason.
 */
function tokenWaitFailure(error: unknown, request: ODataRequest, waited: string, fate = "was not sent"): unknown {
  const reason: unknown = request.signal?.aborted ? request.signal.reason : undefined;
  // The timeout step aborts with its own TIMEOUT error; any other reason is the caller's.
  if (error !== reason || !(reason instanceof ODataClientError) || reason.code !== "TIMEOUT") return error;
  return new ODataClientError("TIMEOUT", `${waited} within the timeout (option "timeout") of ${request.method} ${redactUrl(request.url)}, which ${fate}`, { cause: reason });
}

/**
 * Waits for the token `get` gives for `request` (given the request's signal), saying meanwhile
 * what the request waits for (`waited`, in {@link WAITING_FOR}); a failure as
 * {@link tokenWaitFailure} makes it, with the request's `fate`.
 */
export async function waitForToken<T>(request: ODataRequest, waited: () => string, get: (signal: AbortSignal | undefined) => Promise<T>, fate?: string): Promise<T> {
  const signal = request.signal;
  if (signal) WAITING_FOR.set(signal, waited);
  try {
    const value = await get(signal);
    // Kept when the wait fails: a write waiting on this request (its CSRF token fetch) reads it
    // after this request has unwound.
    if (signal) WAITING_FOR.delete(signal);
    return value;
  } catch (error) {
    throw tokenWaitFailure(error, request, waited(), fate);
  }
}
