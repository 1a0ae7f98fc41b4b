/**
 * Queries: immutable values naming an entity set (and later its options, key and paths). Every
 * builder call returns a new query; nothing is sent until a reading or writing method runs.
 */
import type { ClientCore } from "../core.js";
import type { AsyncPoller, AsyncPollerOptions } from "../lro/poller.js";

/** The immutable state behind a query. */
export interface QueryState {
  /** The entity set name, as given to `client.collection(name)`. */
  readonly entitySet: string;
}

/**
 * A query on one entity set of the service, made by `client.collection<T>(name)`.
 * @typeParam T - the entity type, used to check field names and to type results.
 */
export class CollectionQuery<T = Record<string, unknown>> {
  readonly #core: ClientCore;
  readonly #state: QueryState;

  /** @internal Made by `client.collection()`. */
  constructor(core: ClientCore, state: QueryState) {
    this.#core = core;
    this.#state = state;
  }

  /** The absolute request URL of this query, encoded; sends nothing. */
  url(): string {
    return this.#resourceUrl().href;
  }

  /**
   * Creates an entity as a long-running operation: `POST` with `Prefer: respond-async`. Resolves
   * with a poller once the service has answered the initial request.
   * @example
   * const poller = await client.collection("ExportJobs").createAsync<ExportResult>({ format: "csv" });
   * const result = await poller.wait();
   */
  createAsync<R = T>(body: unknown, options?: AsyncPollerOptions): Promise<AsyncPoller<R>> {
    let text: string;
    try {
      text = JSON.stringify(body);
    } catch (error) {
      return Promise.reject(new TypeError(`createAsync(body): the body cannot be sent as JSON (${(error as Error).message})`));
    }
    return this.#core.startAsync<R>({ method: "POST", url: this.#resourceUrl(), body: text }, options);
  }

  #resourceUrl(): URL {
    return new URL(encodeURIComponent(this.#state.entitySet), this.#core.options.serviceUrl);
  }
}
