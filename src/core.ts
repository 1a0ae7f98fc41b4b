/**
 * The client's inner workings shared by queries, operations and pollers: the resolved options and
 * the pipeline every request goes through. It only sends: what a request means and how its answer
 * is read belong to the layers above (payload, lro, read, write ...). Not exported from the package.
 */
import { composePipeline, IDEMPOTENT_METHODS, lazyStep, type ODataRequest, type RedirectMode, type PipelineStep, type SendRequest } from "./http/pipeline.js";
import { checkedStep, fetchTransport, headersStep, redirectStep, retryStep, SENT_AS, timeoutStep } from "./http/steps.js";
import type { WireLogger } from "./http/debug.js";
import { abortReason } from "./http/signals.js";
import type { RequestOptions, ResolvedClientOptions } from "./options.js";
import { loadHolding } from "./http/body.js";
import { isSecretHeaderName, redactText, SentSecrets } from "./util/redact.js";
import { resolveReference } from "./util/service-root.js";
import { loadOnce } from "./util/load-once.js";

/** What a caller inside the library gives to `send`. */
export interface SendInit {
  method: string;
  url: URL;
  headers?: Record<string, string> | Headers;
  body?: string | Uint8Array;
  signal?: AbortSignal | undefined;
  redirect?: RedirectMode;
  /** Whether the retry step may resend it; defaults to true for idempotent methods. */
  retry?: boolean;
  /** This request's own timeout in ms (`0`: none); `undefined` leaves the client's. */
  timeout?: number | undefined;
  /** What the library sends it for, where the caller did not ask for it as such (see `ODataRequest`). */
  purpose?: ODataRequest["purpose"];
  /** The call's `onResponse`, told of the answer the pipeline gives (see `RequestOptions.onResponse`). */
  onResponse?: RequestOptions["onResponse"];
}

/**
 * The pipeline steps of a client, in order, ending before the transport: retry (outermost, so
 * every attempt runs all the others), timeout (per attempt), redirect (each hop runs the rest), the
 * user's steps, CSRF, then headers and auth (innermost, so they apply the origin rule to the very
 * URL that is sent).
 */
export function buildSteps(options: ResolvedClientOptions, send: SendRequest): PipelineStep[] {
  const steps: PipelineStep[] = [];
  if (options.retry) steps.push(retryStep(options.retry));
  steps.push(timeoutStep(options.timeout), redirectStep(), ...options.steps.map(checkedStep));
  // The CSRF step loads with the first request of a client that asked for it. Its token fetch
  // goes through the whole pipeline (`send`), your steps included: a sap-client or a header they
  // add belongs to the token's session as much as to the write's.
  if (options.csrf) steps.push(lazyStep("csrf", async () => (await import("./http/csrf.js")).csrfStep(options.serviceUrl, send, options.retry)));
  steps.push(headersStep(options));
  const auth = options.auth;
  if (auth && "oauth2" in auth) {
    // The token endpoint's client loads with the first request of a client with OAuth2 credentials.
    steps.push(
      lazyStep("auth", async () => {
        const { OAuth2TokenCache, oauth2Step } = await import("./http/oauth2.js");
        return oauth2Step(new OAuth2TokenCache(auth.oauth2, options), options.trustedOrigins);
      }),
    );
  } else if (auth) {
    // So does the step of a bearer token or basic credentials, with the first request of a client that has them.
    steps.push(lazyStep("auth", async () => (await import("./http/auth.js")).authStep(auth, options.trustedOrigins)));
  }
  return steps;
}

/**
 * The transport with the wire log around it. The log's code loads with the first request (its line
 * numbers and everything after count from there), so that a client whose log is off never loads it.
 */
function loggedTransport(transport: SendRequest, log: WireLogger, retries: number): SendRequest {
  const logged = loadOnce(async () => (await import("./http/wire-log.js")).wireLogTransport(transport, log, retries));
  return (request) => logged().then((send) => send(request));
}

const loadOnResponse = /* @__PURE__ */ loadOnce(() => import("./http/on-response.js"));

/**
 * `response`, once the call's `onResponse` has been told of it (see http/on-response.ts, loaded
 * with the first call that gives one).
 */
async function told(response: Response, onResponse: NonNullable<RequestOptions["onResponse"]>, request: ODataRequest, timeout: number): Promise<Response> {
  return (await loadHolding(loadOnResponse, response)).tellOnResponse(response, onResponse, request, timeout);
}

/** The inner client: the resolved options and the pipeline that queries, operations and pollers send through. */
export class ClientCore {
  readonly options: ResolvedClientOptions;
  /** The secret values this client sends, for failures read from its answers to mask. */
  readonly sentSecrets: SentSecrets;
  readonly #pipeline: SendRequest;
  /**
   * Whether a request's URL is copied before the steps see it: only your own steps may change it
   * in place (the client's never do, they make new ones), and the caller's URL must stay as it was.
   */
  readonly #copyUrl: boolean;

  constructor(options: ResolvedClientOptions) {
    this.options = options;
    // The secrets it sends are kept with its answers, for the failures and the wire log read from
    // them to mask (SentSecrets, util/redact.ts): an OAuth2 client secret too, which a token
    // endpoint may echo in a header of its answer.
    const auth = options.auth;
    const configured = options.headers.filter(([name]) => isSecretHeaderName(name)).map(([, value]) => value);
    const secret = auth && ("bearer" in auth ? auth.bearer : "basic" in auth ? auth.basic.password : auth.oauth2.clientSecret);
    if (typeof secret === "string") configured.push(secret);
    this.sentSecrets = new SentSecrets(configured);
    const fetched = fetchTransport(options.fetch, this.sentSecrets);
    const transport = options.wireLog === undefined ? fetched : loggedTransport(fetched, options.wireLog, options.retry ? options.retry.retries : 0);
    this.#pipeline = composePipeline(
      buildSteps(options, (request) => this.#pipeline(request)),
      transport,
    );
    this.#copyUrl = options.steps.length > 0;
  }

  /**
   * Sends one request through the pipeline. An already aborted signal rejects with its reason
   * before any step runs (no token is fetched, nothing is sent).
   */
  send(init: SendInit): Promise<Response> {
    if (init.signal?.aborted) return Promise.reject(abortReason(init.signal));
    const method = init.method.toUpperCase();
    const request: ODataRequest = {
      method,
      url: this.#copyUrl ? new URL(init.url) : init.url,
      headers: new Headers(init.headers),
      body: init.body,
      signal: init.signal,
      redirect: init.redirect,
      retry: init.retry ?? IDEMPOTENT_METHODS.has(method),
      timeout: init.timeout,
      purpose: init.purpose,
    };
    SENT_AS.set(init, request);
    // The built-in steps that let a request through untouched are not async (a poll costs no
    // promise in them): a step further down that throws at once still rejects here.
    try {
      const answer = this.#pipeline(request);
      const { onResponse } = init;
      return onResponse ? answer.then((response) => told(response, onResponse, request, request.timeout ?? this.options.timeout)) : answer;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Resolves a URL (absolute, or relative to the service root).
   * @throws TypeError when `url` is not a URL
   */
  resolve(url: string): URL {
    const resolved = resolveReference(this.options.serviceUrl, url);
    if (resolved === undefined) throw new TypeError(`${redactText(JSON.stringify(url))} is not a URL`);
    return resolved;
  }
}
