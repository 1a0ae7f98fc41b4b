/**
 * Calling actions and functions: `ActionCall` and `FunctionCall` are immutable values, made by
 * `client.action()`, `client.function()` and the same methods of collection and entity queries.
 * They send nothing until `invoke()` / `get()` (or their `...Async` twins) run.
 */
import { readBodyText } from "../http/body.js";
import { mapPoller } from "../lro/mapped-poller.js";
import type { ClientCore } from "../core.js";
import { ODataClientError } from "../errors.js";
import { httpErrorFromResponse } from "../payload/error-body.js";
import type { AsyncPoller, AsyncPollerOptions } from "../lro/poller.js";
import { resolveNextLink, walkEntities, walkPages, type Page, type ReadOptions } from "../read/traversal.js";
import { buildOperationRequest, type OperationCall, type OperationParameters, type OperationRequest } from "./requests.js";
import { readOperationResult } from "./results.js";
import { ifMatchFor } from "../write/requests.js";
import type { ConditionalOptions } from "../write/options.js";
import type { ODataVersion, RequestOptions } from "../options.js";
import { toAbortSignal } from "../http/signals.js";
import { redactUrl } from "../util/redact.js";
import { startPoller } from "../lro/start.js";
import { isJsonContentType } from "../payload/content-type.js";

/** Options of `action(name, options)` and `function(name, params, options)`. */
export interface OperationOptions {
  /**
   * The namespace that qualifies a simple name of a bound OData v4 operation: with
   * `{ namespace: "CatalogService" }`, `key(1).action("order")` is `Books(1)/CatalogService.order`.
   * A qualified name (`"CatalogService.order"`) needs none. Without either, a bound operation is
   * addressed by its simple name, which OData 4.01 services with a default namespace (SAP CAP, for
   * one) accept. Unbound calls (action and function imports) and OData v2 ignore it.
   */
  namespace?: string | undefined;
}

/**
 * Options of `ActionCall.invoke()`. `etag` (the ETag text, or the entity read earlier) or `ifMatch`
 * (a literal such as `"*"`, winning over `etag`) is sent as `If-Match`, as for entity writes.
 * Services that protect an entity with an ETag may refuse bound actions without it (SAP CAP answers
 * 428 Precondition Required, and 412 to a stale ETag).
 */
export interface InvokeOptions extends RequestOptions, ConditionalOptions {}

/** Options of `ActionCall.invokeAsync()`: the poller's options and the `If-Match` of {@link InvokeOptions}. */
export interface InvokeAsyncOptions extends AsyncPollerOptions, ConditionalOptions {}

/**
 * An action (`POST`), unbound or bound to an entity or a collection. The result type `R` is the
 * unwrapped result: a v4 `{"value": 9}` gives `9`, a collection the array, an entity or complex
 * value the object, `204 No Content` `undefined`.
 * @example
 * const { stock } = await client.action<{ stock: number }>("submitOrder").invoke({ book: 1, quantity: 2 });
 * await client.collection("Books").key(1).action("CatalogService.order").invoke({ quantity: 1 }, { etag: "*" });
 */
export class ActionCall<R = unknown> {
  readonly #core: ClientCore;
  readonly #call: OperationCall;

  /** @internal Made by `client.action()` and the queries' `action()`. */
  constructor(core: ClientCore, call: Omit<OperationCall, "kind" | "parameters" | "etag">) {
    this.#core = core;
    this.#call = { ...call, kind: "action" };
    // Checks the name now, so that a bad one throws where it was written.
    buildOperationRequest(core.options.serviceUrl, core.options.version, this.#call);
  }

  /** The absolute URL the action is posted to (v2: with the parameters `params` as query options). */
  url(params?: OperationParameters): string {
    return this.#request(params, undefined).url.href;
  }

  /**
   * Invokes the action: `POST` with the parameters as a JSON body (v2 function imports: as query
   * options). Resolves with the unwrapped result; a 4xx/5xx rejects with `ODataHttpError`.
   * Actions are never retried (they are not idempotent).
   */
  async invoke(params?: OperationParameters, options?: InvokeOptions): Promise<R> {
    const request = this.#request(params, options);
    return (await sendOperation(this.#core, request, this.#call.name, toAbortSignal(options?.signal))) as R;
  }

  /**
   * Invokes the action as a long-running operation (`Prefer: respond-async`). Resolves with a
   * poller once the service has answered: running (202 + status monitor) or already done (the
   * service ran it at once). The poller's result is unwrapped as `invoke()` unwraps it.
   * @example
   * const poller = await client.action<Report>("buildReport").invokeAsync({ year: 2024 }, { pollInterval: 1_000 });
   * const report = await poller.wait();
   */
  async invokeAsync(params?: OperationParameters, options?: InvokeAsyncOptions): Promise<AsyncPoller<R>> {
    const { etag, ifMatch, ...pollerOptions } = options ?? {};
    const request = this.#request(params, { ...(etag === undefined ? {} : { etag }), ...(ifMatch === undefined ? {} : { ifMatch }) });
    return startOperation<R>(this.#core, request, this.#call.name, options === undefined ? undefined : pollerOptions);
  }

  #request(params: OperationParameters | undefined, conditions: ConditionalOptions | undefined): OperationRequest {
    const etag = ifMatchFor(conditions, undefined, `action(${JSON.stringify(this.#call.name)}).invoke()`);
    const call: OperationCall = { ...this.#call, parameters: params, ...(etag === undefined ? {} : { etag }) };
    return buildOperationRequest(this.#core.options.serviceUrl, this.#core.options.version, call);
  }
}

/** The element type of a collection result, for `stream()` and `pages()`. */
export type ResultItem<R> = R extends readonly (infer E)[] ? E : unknown;

/**
 * A function (`GET`, no side effects), unbound or bound, with its parameters written into the URL
 * as literals of the client's version. The result type `R` is unwrapped as for actions; a paged
 * collection result is read to its end by `get()`, or page by page with `pages()` and `stream()`.
 * @example
 * const n = await client.function<number>("countBooks", { minStock: 5 }).get();
 * const price = await client.collection("Books").key(1).function<number>("CatalogService.discountedPrice", { percent: 10 }).get();
 */
export class FunctionCall<R = unknown> {
  readonly #core: ClientCore;
  readonly #call: OperationCall;
  readonly #request: OperationRequest;

  /** @internal Made by `client.function()` and the queries' `function()`. */
  constructor(core: ClientCore, call: Omit<OperationCall, "kind" | "etag">) {
    this.#core = core;
    this.#call = { ...call, kind: "function" };
    this.#request = buildOperationRequest(core.options.serviceUrl, core.options.version, this.#call);
  }

  /** The absolute request URL, parameters included, encoded; sends nothing. */
  url(): string {
    return this.#request.url.href;
  }

  /**
   * Calls the function. Resolves with the unwrapped result; a collection result with a next link is
   * followed to its last page (use `stream()` to keep memory bounded). 4xx/5xx rejects with
   * `ODataHttpError`. Like every `GET`, it is retried per the client's retry policy.
   */
  async get(options?: RequestOptions): Promise<R> {
    return (await sendOperation(this.#core, this.#request, this.#call.name, toAbortSignal(options?.signal))) as R;
  }

  /**
   * Calls the function as a long-running operation (`Prefer: respond-async`); see
   * `ActionCall.invokeAsync`. The poller's result is unwrapped as `get()` unwraps it.
   */
  getAsync(options?: AsyncPollerOptions): Promise<AsyncPoller<R>> {
    return startOperation<R>(this.#core, this.#request, this.#call.name, options);
  }

  /**
   * Page after page of a collection-valued function, following next links (the read layer's
   * `pages()`, with its `readAhead`).
   */
  pages(options?: ReadOptions): AsyncGenerator<Page<ResultItem<R>>, void, undefined> {
    return walkPages<ResultItem<R>>(this.#core, this.#request.url, options);
  }

  /** Item after item of a collection-valued function across all pages, in bounded memory. */
  stream(options?: ReadOptions): AsyncGenerator<ResultItem<R>, void, undefined> {
    return walkEntities<ResultItem<R>>(this.#core, this.#request.url, options);
  }
}

/** Sends an operation request and reads its result (see `results.ts`). */
async function sendOperation(core: ClientCore, request: OperationRequest, name: string, signal: AbortSignal | undefined): Promise<unknown> {
  const { method, url } = request;
  const response = await core.send({
    method,
    url,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
    signal,
  });
  if (!response.ok) throw await httpErrorFromResponse(response, method, url, { signal });
  const text = await readBodyText(response, method, url, signal);
  if (response.status === 204 || text.trim() === "") return undefined;
  const contentType = response.headers.get("content-type");
  if (contentType !== null && !isJsonContentType(contentType)) return text;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new ODataClientError("BAD_PAYLOAD", `${method} ${redactUrl(url)} answered with a body that is not JSON (${(error as Error).message})`);
  }
  const result = readOperationResult(body, core.options.version, name);
  if (result.nextLink === undefined || !Array.isArray(result.value)) return result.value;
  const items: unknown[] = result.value;
  const readOptions = signal === undefined ? undefined : { signal };
  for await (const page of walkPages<unknown>(core, resolveNextLink(core, result.nextLink), readOptions)) {
    for (const item of page.value) items.push(item);
  }
  return items;
}

/** Starts an operation with `Prefer: respond-async` and unwraps the result the poller yields. */
async function startOperation<R>(
  core: ClientCore,
  request: OperationRequest,
  name: string,
  options: AsyncPollerOptions | undefined,
): Promise<AsyncPoller<R>> {
  const init = { method: request.method, url: request.url, headers: request.headers, ...(request.body === undefined ? {} : { body: request.body }) };
  const poller = await startPoller<unknown>(core, init, options);
  return operationPoller<R>(poller, core.options.version, name);
}

/**
 * A poller whose result is the operation's result unwrapped as `invoke()` and `get()` unwrap it;
 * its token names the operation, so `client.resumeAsync()` unwraps the same way. Also used on
 * resume.
 */
export function operationPoller<R>(poller: AsyncPoller<unknown>, version: ODataVersion, name: string): AsyncPoller<R> {
  // A collection result's next link is not followed inside the poller (its result is one answer);
  // the rest can be read with `FunctionCall.pages({ from })`.
  return mapPoller(poller, (raw) => readOperationResult(raw, version, name).value as R, { kind: "operation", name, version });
}

