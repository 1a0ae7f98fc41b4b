/**
 * Calling actions and functions: `ActionCall` and `FunctionCall` are immutable values, made by
 * `client.action()`, `client.function()` and the same methods of collection and entity queries.
 * They send nothing until `invoke()` / `get()` (or their `...Async` twins) run, and the code that
 * sends and reads the answer (call.ts) loads then.
 */
import type { ClientCore } from "../core.js";
import type { AsyncPollerOptions } from "../lro/poller.js";
import type { OperationPoller } from "./results.js";
import { walkEntities, walkPages, type Page, type ReadOptions } from "../read/traversal.js";
import { buildOperationRequest, type OperationCall, type OperationParameters, type OperationRequest } from "./requests.js";
import type { RequestOptions } from "../options.js";
import type { ConditionalOptions } from "../write/options.js";

/**
 * The arguments `(params, options)` of a call whose parameters have the type `P`: `params` may be
 * left out when `P` has no required member.
 */
export type ParametersThen<P, O> = {} extends P ? [params?: P, options?: O] : [params: P, options?: O];

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

/** The HTTP methods an OData v2 service operation that changes data may be declared with (`m:HttpMethod`). */
export type ServiceOperationMethod = "POST" | "PUT" | "MERGE" | "DELETE";

/** Options of `client.action(name, options)`: an action import. */
export interface ActionImportOptions {
  /**
   * The HTTP method of an OData v2 service operation declared with another method than `POST`
   * (`m:HttpMethod="PUT"`, `"MERGE"` or `"DELETE"` in its `$metadata`, as SAP Gateway services
   * may declare it): the import is called with that method, its parameters as query options. An
   * OData v4 action is always posted; another method there is refused.
   * @default "POST"
   */
  method?: ServiceOperationMethod | undefined;
}

/**
 * Options of `ActionCall.invoke()`. `etag` (the ETag text, or the entity read earlier) or `ifMatch`
 * (a literal such as `"*"`, winning over `etag`) is sent as `If-Match`, as for entity writes.
 * Services that protect an entity with an ETag may refuse bound actions without it (SAP CAP answers
 * 428 Precondition Required, and 412 to a stale ETag).
 * @example
 * await client.action("Merge").invoke(params, { headers: { "MSCRM.SuppressDuplicateDetection": "false" } });
 */
export interface InvokeOptions extends RequestOptions, ConditionalOptions {
  /**
   * More headers for this call's request alone (Dataverse's `MSCRM.BypassCustomPluginExecution`,
   * `CallerObjectId`), checked as a write's `headers` are; lower-case names win over the defaults.
   * The requests of a paged result's next pages do not carry them.
   */
  headers?: Record<string, string> | undefined;
}

/** Options of `ActionCall.invokeAsync()`: the poller's options, and the `If-Match` and `headers` of {@link InvokeOptions}. */
export interface InvokeAsyncOptions extends AsyncPollerOptions, ConditionalOptions {
  /** More headers for the request that starts the operation (not for its polls), as {@link InvokeOptions} `headers`. */
  headers?: Record<string, string> | undefined;
}

/**
 * An action (`POST`), unbound or bound to an entity or a collection. The result type `R` is the
 * unwrapped result: a v4 `{"value": 9}` gives `9`, a collection the array, an entity or complex
 * value the object, `204 No Content` `undefined`. `P` is the type of the parameters: an object type
 * such as `{ quantity: number }` for a typed operation (its required members must then be given),
 * any object of parameters otherwise.
 * @example
 * const { stock } = await client.action<{ stock: number }>("submitOrder").invoke({ book: 1, quantity: 2 });
 * await client.collection("Books").key(1).action("CatalogService.order").invoke({ quantity: 1 }, { etag: "*" });
 */
export class ActionCall<R = unknown, P extends object = OperationParameters> {
  readonly #core: ClientCore;
  readonly #call: OperationCall;

  /** @internal Made by `client.action()` and the queries' `action()`. */
  constructor(core: ClientCore, call: Omit<OperationCall, "kind" | "parameters" | "etag">) {
    this.#core = core;
    this.#call = { ...call, kind: "action" };
    // Checks the name now, so that a bad one throws where it was written.
    buildOperationRequest(core.options.serviceUrl, core.options.version, this.#call, core.options.ieee754Compatible);
  }

  /** The absolute URL the action is posted to (v2: with the parameters `params` as query options). */
  url(params?: P): string {
    const parameters = params as OperationParameters | undefined;
    return buildOperationRequest(this.#core.options.serviceUrl, this.#core.options.version, { ...this.#call, parameters }, this.#core.options.ieee754Compatible).url.href;
  }

  /**
   * Invokes the action: `POST` with the parameters as a JSON body (v2 function imports: as query
   * options). Resolves with the unwrapped result; a 4xx/5xx rejects with `ODataHttpError`.
   * Actions are never retried (they are not idempotent).
   */
  invoke(...args: ParametersThen<P, InvokeOptions>): Promise<R>;
  async invoke(params?: P, options?: InvokeOptions): Promise<R> {
    const { invokeAction } = await import("./call.js");
    return (await invokeAction(this.#core, this.#call, params as OperationParameters | undefined, options)) as R;
  }

  /**
   * Invokes the action as a long-running operation (`Prefer: respond-async`). Resolves with a
   * poller once the service has answered: running (202 + status monitor) or already done (the
   * service ran it at once). The poller's result is unwrapped as `invoke()` unwraps it.
   * @example
   * const poller = await client.action<Report>("buildReport").invokeAsync({ year: 2024 }, { pollInterval: 1_000 });
   * const report = await poller.wait();
   */
  invokeAsync(...args: ParametersThen<P, InvokeAsyncOptions>): Promise<OperationPoller<R>>;
  async invokeAsync(params?: P, options?: InvokeAsyncOptions): Promise<OperationPoller<R>> {
    const { invokeActionAsync } = await import("./call.js");
    // `return await`: a promise already rejected when returned (an argument refused before
    // sending) would stay unhandled for a turn, which workerd reports as an unhandled rejection.
    return await invokeActionAsync<R>(this.#core, this.#call, params as OperationParameters | undefined, options);
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
    this.#request = buildOperationRequest(core.options.serviceUrl, core.options.version, this.#call, core.options.ieee754Compatible);
  }

  /** The absolute request URL, parameters included, encoded; sends nothing. */
  url(): string {
    return this.#request.url.href;
  }

  /**
   * Calls the function. Resolves with the unwrapped result; a collection result with a next link is
   * followed to its last page (use `stream()` to keep memory bounded). 4xx/5xx rejects with
   * `ODataHttpError`. Like every `GET`, it is retried per the client's retry policy. `headers`
   * are sent as an action's are (see {@link InvokeOptions}).
   */
  async get(options?: RequestOptions & Pick<InvokeOptions, "headers">): Promise<R> {
    const { getFunction } = await import("./call.js");
    return (await getFunction(this.#core, this.#request, this.#call.name, options)) as R;
  }

  /**
   * Calls the function as a long-running operation (`Prefer: respond-async`); see
   * `ActionCall.invokeAsync`. The poller's result is unwrapped as `get()` unwraps it.
   */
  async getAsync(options?: AsyncPollerOptions & Pick<InvokeAsyncOptions, "headers">): Promise<OperationPoller<R>> {
    const { getFunctionAsync } = await import("./call.js");
    return await getFunctionAsync<R>(this.#core, this.#request, this.#call.name, options);
  }

  /**
   * Page after page of a collection-valued function, following next links (the read layer's
   * `pages()`, with its `readAhead`). `{ from: poller.nextLink() }` reads the rest of the result
   * of an `...Async` call. An OData v2 function import whose collection comes wrapped in its name
   * (`{"d":{"f":{"results":[...]}}}`) is read by `get()`; `pages()` and `stream()` take the
   * collection reader's forms only (`d.results`, a `d` array) and refuse it with `BAD_PAYLOAD`.
   */
  pages(options?: ReadOptions): AsyncGenerator<Page<ResultItem<R>>, void, undefined> {
    const where = `function(${JSON.stringify(this.#call.name)}).pages()`;
    return walkPages<ResultItem<R>>(this.#core, this.#request.url, { ...options, operationResult: true, where }, options);
  }

  /** Item after item of a collection-valued function across all pages, in bounded memory. */
  stream(options?: ReadOptions): AsyncGenerator<ResultItem<R>, void, undefined> {
    const where = `function(${JSON.stringify(this.#call.name)}).stream()`;
    return walkEntities<ResultItem<R>>(this.#core, this.#request.url, { ...options, operationResult: true, where }, options);
  }
}
