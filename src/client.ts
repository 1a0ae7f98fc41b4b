/**
 * `ODataClient`: the entry point. Its options are validated and merged once, here; everything
 * else (queries, operations, pollers) is reached from it.
 */
import { Batch, type BatchOptions } from "./batch/batch.js";
import { ClientCore } from "./core.js";
import type { ServiceModel } from "./metadata/model.js";
import type { DeltaOptions, DeltaPage } from "./read/delta.js";
import type { AsyncPoller, AsyncPollerOptions } from "./lro/poller.js";
import { resultShapeOf, type AsyncPollerToken } from "./lro/token.js";
import { resolveClientOptions, type ODataClientOptions, type ODataVersion, type RequestOptions } from "./options.js";
import { CollectionQuery, EntityQuery } from "./resources/query.js";
import { ActionCall, FunctionCall } from "./operations/operation.js";
import { operationPoller } from "./operations/results.js";
import type { OperationParameters } from "./operations/requests.js";
import { isIdentifier, isQualifiedName } from "./util/identifiers.js";
import { pollerFor, resumePoller } from "./lro/resume.js";

/**
 * An entity set or singleton name: an identifier, or a qualified one (`Container.Set`, the form
 * OData v2 services use for sets of a container that is not the default).
 */
function isEntitySetName(name: unknown): name is string {
  return typeof name === "string" && (isIdentifier(name) || isQualifiedName(name));
}

/**
 * The pages of a delta, the delta code (read/delta.ts) loaded by the first delta read: a program
 * that never reads a delta never loads it.
 */
async function* readDelta<T>(core: ClientCore, deltaLink: string, options: DeltaOptions | undefined): AsyncGenerator<DeltaPage<T>, void, undefined> {
  const { walkDelta } = await import("./read/delta.js");
  yield* walkDelta<T>(core, deltaLink, options);
}

/**
 * A client for one OData service.
 * @example
 * const client = new ODataClient({ serviceUrl: "https://host/odata/v4/catalog/", auth: { bearer: getToken } });
 * for await (const book of client.collection<Book>("Books").filter((f) => f.gt("stock", 0))) console.log(book.title);
 */
export class ODataClient {
  readonly #core: ClientCore;

  constructor(options: ODataClientOptions) {
    this.#core = new ClientCore(resolveClientOptions(options));
  }

  /**
   * The service's `$metadata` as a {@link ServiceModel}, fetched once per client: concurrent calls
   * share one request, the model is kept, a failed fetch is not (the next call asks again). A
   * document that cannot be read rejects with code `"BAD_METADATA"`.
   * @example
   * const model = await client.metadata();
   * model.keyOf(model.entitySet("Books")!.entityType); // [{ name: "ID", path: "ID" }]
   */
  async metadata(options?: RequestOptions): Promise<ServiceModel> {
    // The EDMX and CSDL JSON readers load with the first call; calls that overlap that load find
    // the one cache the first of them made, and share its request.
    const { metadataCacheOf } = await import("./metadata/cache.js");
    return metadataCacheOf(this.#core).get(options?.signal);
  }

  /**
   * The changes since a delta link was issued (`page.deltaLink` of a `trackChanges()` read, or of
   * an earlier delta), page by page: changed entities, removed entities and link changes. The last
   * page carries the next `deltaLink` to save. A next link saved from the middle of a delta
   * resumes there. Links off the service's origin (and `trustedOrigins`) reject with
   * `UNTRUSTED_NEXT_LINK` before anything is sent to them.
   * @example
   * for await (const page of client.delta<Book>(savedDeltaLink)) {
   *   for (const book of page.changed) upsert(book);
   *   for (const gone of page.removed) remove(gone.id ?? gone.key);
   *   if (page.deltaLink) savedDeltaLink = page.deltaLink;
   * }
   */
  delta<T = Record<string, unknown>>(deltaLink: string, options?: DeltaOptions): AsyncGenerator<DeltaPage<T>, void, undefined> {
    return readDelta<T>(this.#core, deltaLink, options);
  }

  /** The service root this client talks to (always ends in `/`). */
  get serviceUrl(): string {
    return this.#core.options.serviceUrl.href;
  }

  /** The OData version this client speaks. */
  get version(): ODataVersion {
    return this.#core.options.version;
  }

  /** A query on the entity set `name`; sends nothing. */
  collection<T = Record<string, unknown>>(name: string): CollectionQuery<T> {
    if (!isEntitySetName(name)) {
      throw new TypeError(`collection(name): ${JSON.stringify(name)} is not an entity set name (letters, digits, "_" and ".")`);
    }
    return new CollectionQuery<T>(this.#core, { entitySet: name });
  }

  /**
   * The singleton `name` (an entity addressed by its name alone, such as `Me` or `Company`), as an
   * entity query: `get()`, `update()`, `navigate()`, `media()`... Sends nothing.
   * @example await client.singleton<Settings>("Settings").update({ theme: "dark" })
   */
  singleton<T = Record<string, unknown>>(name: string): EntityQuery<T> {
    if (!isEntitySetName(name)) {
      throw new TypeError(`singleton(name): ${JSON.stringify(name)} is not a singleton name (letters, digits, "_" and ".")`);
    }
    return new EntityQuery<T>(this.#core, { entitySet: name, keyPredicate: "" });
  }

  /**
   * An unbound action (an action import): `POST <serviceUrl><name>` with the parameters as a JSON
   * body (OData v2: a function import, parameters as query options). Sends nothing until `invoke()`.
   * @example const { stock } = await client.action<{ stock: number }>("submitOrder").invoke({ book: 1, quantity: 2 });
   */
  action<R = unknown, P extends object = OperationParameters>(name: string): ActionCall<R, P> {
    return new ActionCall<R, P>(this.#core, { name });
  }

  /**
   * An unbound function (a function import): `GET <serviceUrl><name>(p=1)` (v4) or
   * `<name>?p=1` (v2), parameters written as literals of the client's version. Sends nothing until
   * `get()`.
   * @example const n = await client.function<number>("countBooks", { minStock: 5 }).get();
   */
  function<R = unknown, P extends object = OperationParameters>(name: string, params?: P): FunctionCall<R> {
    return new FunctionCall<R>(this.#core, { name, parameters: params as OperationParameters | undefined });
  }

  /**
   * A new `$batch`: add requests (each gives a typed handle), changesets of writes that succeed or
   * fail together, then `send()` them as one request. Sends nothing until then.
   * @example
   * const batch = client.batch();
   * const book = batch.get(client.collection<Book>("Books").key(1));
   * const results = await batch.send();
   * const result = book.result(); // BatchResult<Book>
   */
  batch(options?: BatchOptions): Batch {
    return new Batch(this.#core, options);
  }

  /**
   * A poller for a status monitor the caller already has (for example from an action that answered
   * 202). Relative URLs resolve against `serviceUrl`. Sends nothing.
   */
  asyncPoller<T = unknown>(statusUrl: string, options?: AsyncPollerOptions): AsyncPoller<T> {
    return pollerFor<T>(this.#core, statusUrl, options);
  }

  /**
   * Rebuilds a poller from `poller.toJSON()`, so that another process can go on polling. A
   * `maxWait` in `options` is measured from now; otherwise the token's deadline holds. Sends nothing.
   * The result is read as the poller that wrote the token read it: the raw body for `createAsync`
   * and `asyncPoller`, unwrapped for `invokeAsync` and `getAsync` (a version 1 token, from an
   * earlier release, gives the raw body). A batch's token needs the batch's requests to be read:
   * it is refused with a `TypeError`; resume it with `batch.resumeAsync(token)` on a batch with
   * the same requests.
   * @example
   * const saved = JSON.stringify(poller.toJSON());
   * const again = client.resumeAsync<Report>(JSON.parse(saved), { maxWait: 60_000 });
   */
  resumeAsync<T = unknown>(token: AsyncPollerToken, options?: AsyncPollerOptions): AsyncPoller<T> {
    const poller = resumePoller<unknown>(this.#core, token, options);
    const shape = resultShapeOf(token);
    switch (shape.kind) {
      case "raw":
        return poller as AsyncPoller<T>;
      case "operation":
        return operationPoller<T>(poller, shape.version, shape.name);
      case "batch":
        throw new TypeError(
          `resumeAsync(token): the token is from a $batch poller (batch.sendAsync() or results.continuation), whose result only the batch's own requests can read; build a batch with the same requests in the same order and call batch.resumeAsync(token) on it`,
        );
    }
  }
}
