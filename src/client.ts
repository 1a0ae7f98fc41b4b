/**
 * `ODataClient`: the entry point. It reads as `ODataReader` (reader.ts) does, whose options
 * handling and reading it inherits, and adds what a reader leaves out: writes (through the queries
 * it hands out), operations, `$batch` and long-running operations.
 */
import { Batch, type BatchOptions } from "./batch/batch.js";
import type { AsyncPoller, AsyncPollerOptions } from "./lro/poller.js";
import { resultShapeOf, type AsyncPollerToken } from "./lro/token.js";
import { CollectionQuery, EntityQuery } from "./resources/query.js";
import { ActionCall, FunctionCall, type ActionImportOptions } from "./operations/operation.js";
import { operationPoller } from "./operations/results.js";
import type { OperationParameters } from "./operations/requests.js";
import { pollerFor, resumePoller } from "./lro/resume.js";
import { checkEntitySetName, coreOf, ODataReader, readerOnCore, singletonState } from "./reader.js";
import { ClientCore, type SendInit } from "./core.js";
import { withVersion, type ODataVersion } from "./options.js";

/**
 * A client for one OData service: everything {@link ODataReader} does (its options, collections,
 * singletons, deltas, `$metadata`), with queries that also write and call operations, plus
 * unbound operations, `$batch` and long-running operations.
 * @example
 * const client = new ODataClient({ serviceUrl: "https://host/odata/v4/catalog/", auth: { bearer: getToken } });
 * for await (const book of client.collection<Book>("Books").filter((f) => f.gt("stock", 0))) console.log(book.title);
 */
export class ODataClient extends ODataReader {
  /** A query on the entity set `name`, which reads and writes; sends nothing. */
  override collection<T = Record<string, unknown>>(name: string): CollectionQuery<T> {
    return new CollectionQuery<T>(coreOf(this), { entitySet: checkEntitySetName(name, "collection(name)", "an entity set name") });
  }

  /**
   * The singleton `name` (an entity addressed by its name alone, such as `Me` or `Company`), as an
   * entity query: `get()`, `update()`, `navigate()`, `media()`... Sends nothing. With
   * `{ nullable: true }` (a singleton declared `Nullable="true"`, OData 4.01) `get()` resolves
   * `null` where the service answers `204 No Content`, as {@link ODataReader.singleton} says.
   * @example await client.singleton<Settings>("Settings").update({ theme: "dark" })
   */
  override singleton<T = Record<string, unknown>>(name: string, options?: { readonly nullable?: false | undefined }): EntityQuery<T>;
  /**
   * The singleton `name` that may be null (`{ nullable: true }`, or a boolean that may be true): its
   * `get()` is typed `T | null` and resolves `null` where the service answers `204 No Content`.
   * @example const deputy = await client.singleton<Person>("Deputy", { nullable: true }).get() // Person | null
   */
  override singleton<T = Record<string, unknown>>(name: string, options: { readonly nullable?: boolean | undefined }): EntityQuery<T, never, {}, null>;
  override singleton<T = Record<string, unknown>>(name: string, options?: { readonly nullable?: boolean | undefined }): EntityQuery<T, never, {}, null> {
    return new EntityQuery<T, never, {}, null>(coreOf(this), singletonState(name, options));
  }

  /**
   * An unbound action (an action import): `POST <serviceUrl><name>` with the parameters as a JSON
   * body (OData v2: a function import, parameters as query options, sent with the method its
   * `m:HttpMethod` declares: `{ method: "PUT" }`). Sends nothing until `invoke()`.
   * @example const { stock } = await client.action<{ stock: number }>("submitOrder").invoke({ book: 1, quantity: 2 });
   */
  action<R = unknown, P extends object = OperationParameters>(name: string, options?: ActionImportOptions): ActionCall<R, P> {
    return new ActionCall<R, P>(coreOf(this), { name, method: options?.method });
  }

  /**
   * An unbound function (a function import): `GET <serviceUrl><name>(p=1)` (v4) or
   * `<name>?p=1` (v2), parameters written as literals of the client's version. Sends nothing until
   * `get()`.
   * @example const n = await client.function<number>("countBooks", { minStock: 5 }).get();
   */
  function<R = unknown, P extends object = OperationParameters>(name: string, params?: P): FunctionCall<R> {
    return new FunctionCall<R>(coreOf(this), { name, parameters: params as OperationParameters | undefined });
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
    return new Batch(coreOf(this), options);
  }

  /**
   * A poller for a status monitor the caller already has (for example from an action that answered
   * 202). Relative URLs resolve against `serviceUrl`. Sends nothing.
   */
  asyncPoller<T = unknown>(statusUrl: string, options?: AsyncPollerOptions): AsyncPoller<T> {
    return pollerFor<T>(coreOf(this), statusUrl, options);
  }

  /**
   * Rebuilds a poller from `poller.toJSON()`, so that another process can go on polling. A
   * `maxWait` in `options` is measured from now; otherwise the token's deadline holds. Sends nothing.
   * The result is read as the poller that wrote the token read it: the raw body for `asyncPoller`
   * and for the writes' `...Async` on OData v4, on v2 the entity as `create()` and `update()` read
   * it, unwrapped for `invokeAsync` and `getAsync` (a token that names no result shape, from an
   * earlier release, gives the raw body). A batch's token needs the
   * batch's requests to be read:
   * it is refused with a `TypeError`; resume it with `batch.resumeAsync(token)` on a batch with
   * the same requests.
   * @example
   * const saved = JSON.stringify(poller.toJSON());
   * const again = client.resumeAsync<Report>(JSON.parse(saved), { maxWait: 60_000 });
   */
  resumeAsync<T = unknown>(token: AsyncPollerToken, options?: AsyncPollerOptions): AsyncPoller<T> {
    const poller = resumePoller<unknown>(coreOf(this), token, options);
    const shape = resultShapeOf(token);
    switch (shape.kind) {
      case "raw":
      case "entity":
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

/**
 * `client` speaking OData `version`: its queries, literals and answers are `version`'s, and its
 * requests go through `client`'s pipeline, so that the two share one OAuth2 token, one CSRF
 * session, the secrets sent and one numbering of the wire log. For the command line, which reads
 * a service's `$metadata` with a client before it knows the version the service declares.
 * @internal Not exported from the package.
 * @throws TypeError for version "2.0" where `client` writes keys as path segments (option `keyAsSegment`)
 */
export function speakingVersion(client: ODataClient, version: ODataVersion): ODataClient {
  const core = coreOf(client);
  // Its own pipeline, which its constructor builds, sends nothing: every request goes to `core`'s.
  const speaking = new (class extends ClientCore {
    override readonly sentSecrets = core.sentSecrets;
    override send(init: SendInit): Promise<Response> {
      return core.send(init);
    }
  })(withVersion(core.options, version));
  return readerOnCore(ODataClient, speaking);
}
