/**
 * `ODataReader`: a client that reads. Its options are validated and merged once, here, as for
 * `ODataClient`, which extends it with operations, `$batch` and long-running operations. The
 * queries it hands out build requests and read (the classes of resources/read-query.ts), so a
 * program that imports it from `traverse-odata/read` bundles none of the writing code.
 */
import { ClientCore } from "./core.js";
import type { ServiceModel } from "./metadata/model.js";
import type { DeltaOptions, DeltaPage } from "./read/delta.js";
import { resolveClientOptions, type ODataClientOptions, type ODataVersion, type RequestOptions } from "./options.js";
import { checkFlag, type EntityState } from "./query/state.js";
import { ReadCollectionQuery, ReadEntityQuery } from "./resources/read-query.js";
import { isIdentifier, isQualifiedName } from "./util/identifiers.js";
import { loadOnce } from "./util/load-once.js";

/**
 * Checks an entity set or singleton name (`what`, for the message): an identifier, or a qualified
 * one (`Container.Set`, the form OData v2 services use for sets of a container that is not the
 * default).
 * @internal Not exported from the package; `ODataClient` checks its names with it too.
 */
export function checkEntitySetName(name: unknown, where: string, what: string): string {
  if (typeof name === "string" && (isIdentifier(name) || isQualifiedName(name))) return name;
  throw new TypeError(`${where}: ${JSON.stringify(name)} is not ${what} (letters, digits, "_" and ".")`);
}

/**
 * The pages of a delta, the delta code (read/delta.ts) loaded by the first delta read: a program
 * that never reads a delta never loads it.
 */
async function* readDelta<T>(core: ClientCore, deltaLink: string, options: DeltaOptions | undefined): AsyncGenerator<DeltaPage<T>, void, undefined> {
  const { walkDelta } = await import("./read/delta.js");
  yield* walkDelta<T>(core, deltaLink, options);
}

/** The `$metadata` cache and readers, loaded by the first `metadata()` call (see there). */
const loadMetadataCache = /* @__PURE__ */ loadOnce(() => import("./metadata/cache.js"));

let readCore: (reader: ODataReader) => ClientCore;

/** The core the reader being made takes in place of one of its options ({@link readerOnCore}). */
let givenCore: ClientCore | undefined;

/**
 * A client for one OData service that reads: collections, entities, singletons, deltas and
 * `$metadata`, with the same options as `ODataClient` (which extends it and also writes, calls
 * operations, sends `$batch` and polls long-running operations). Import it from
 * `traverse-odata/read`: a program that only reads then bundles the walk and little else.
 * @example
 * import { ODataReader } from "traverse-odata/read";
 * const reader = new ODataReader({ serviceUrl: "https://host/odata/v4/catalog/" });
 * for await (const book of reader.collection<Book>("Books").filter((f) => f.gt("stock", 0))) console.log(book.title);
 */
export class ODataReader {
  readonly #core: ClientCore;

  static {
    readCore = (reader) => reader.#core;
  }

  constructor(options: ODataClientOptions) {
    // The errors name the class the program made, or the one its own class extends: a program that
    // made a reader may never import ODataClient, which this module cannot name; only a client batches.
    this.#core = givenCore ?? new ClientCore(resolveClientOptions(options, "batch" in new.target.prototype ? "ODataClient" : "ODataReader"));
  }

  /**
   * The service's `$metadata` as a {@link ServiceModel}, fetched once per client: concurrent calls
   * share one request, the model is kept, a failed fetch is not (the next call asks again). A
   * document that cannot be read rejects with code `"BAD_METADATA"`. A `timeout` bounds this
   * call's wait (from the call to the model, rejecting `TIMEOUT`): the call joins a request in
   * flight that its limit fits, else sends its own, and `0` waits for a request sent without a
   * timeout (the rule in full on `MetadataCache`). It takes no `onResponse`: the request is no one
   * call's own.
   * @example
   * const model = await client.metadata();
   * model.keyOf(model.entitySet("Books")!.entityType); // [{ name: "ID", path: "ID" }]
   */
  async metadata(options?: Omit<RequestOptions, "onResponse">): Promise<ServiceModel> {
    // The EDMX and CSDL JSON readers load with the first call; calls that overlap that load find
    // the one cache the first of them made, and share its request. One load for all calls, so that
    // they reach the cache in the order they were made (which request a caller joins depends on
    // those before it): an import() each may resolve out of order under a module loader's hooks
    // (tsx's did, in a fresh clone's run of s33-call-timeout-metadata).
    const { metadataCacheOf, refuseMetadataOptions } = await loadMetadataCache();
    refuseMetadataOptions(options);
    return metadataCacheOf(this.#core).get(options?.signal, options?.timeout);
  }

  /**
   * The changes since a delta link was issued (`page.deltaLink` of a `trackChanges()` read, or of
   * an earlier delta), page by page: changed entities, removed entities and link changes. The last
   * page carries the next `deltaLink` to save. A next link saved from the middle of a delta
   * resumes there. Links off the service's origin (and `trustedOrigins`) reject with
   * `UNTRUSTED_NEXT_LINK` before anything is sent to them.
   * @example
   * for await (const page of client.delta<Book>(savedDeltaLink)) {
   *   for (const book of page.changed) merge(book); // a Partial<Book>: what changed
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

  /**
   * Whether this client asks for the IEEE754-compatible form of JSON, Int64 and Decimal values as
   * strings (option `ieee754Compatible` on a v4 client; `false` on a v2 client, whose JSON has them
   * as strings anyway). Code from `traverse-odata generate` checks it against the types it was
   * generated with.
   */
  get ieee754Compatible(): boolean {
    return this.#core.options.ieee754Compatible;
  }

  /** A query on the entity set `name`; sends nothing. */
  collection<T = Record<string, unknown>>(name: string): ReadCollectionQuery<T> {
    return new ReadCollectionQuery<T>(this.#core, { entitySet: checkEntitySetName(name, "collection(name)", "an entity set name") });
  }

  /**
   * The singleton `name` (an entity addressed by its name alone, such as `Me` or `Company`), as an
   * entity query: `get()`, `navigate()`... (and from `ODataClient` also `update()`, `media()`...).
   * Sends nothing. A singleton `$metadata` declares `Nullable="true"` (OData 4.01) may have no
   * entity: with `{ nullable: true }` its `get()` resolves `null` where the service answers
   * `204 No Content`, and is typed so; without it a 204 rejects as an answer without the entity.
   * @example const { theme } = await reader.singleton<Settings>("Settings").get()
   */
  singleton<T = Record<string, unknown>>(name: string, options?: { readonly nullable?: false | undefined }): ReadEntityQuery<T>;
  /**
   * The singleton `name` that may be null (`{ nullable: true }`, or a boolean that may be true): its
   * `get()` is typed `T | null` and resolves `null` where the service answers `204 No Content`.
   * @example const deputy = await reader.singleton<Person>("Deputy", { nullable: true }).get() // Person | null
   */
  singleton<T = Record<string, unknown>>(name: string, options: { readonly nullable?: boolean | undefined }): ReadEntityQuery<T, never, {}, "read", null>;
  singleton<T = Record<string, unknown>>(name: string, options?: { readonly nullable?: boolean | undefined }): ReadEntityQuery<T, never, {}, "read", null> {
    return new ReadEntityQuery<T, never, {}, "read", null>(this.#core, singletonState(name, options));
  }
}

/**
 * The state of the singleton `name`, checked, with its `nullable` option.
 * @internal Not exported from the package; `ODataClient` makes its singletons with it too.
 */
export function singletonState(name: unknown, options: { readonly nullable?: unknown } | undefined): EntityState {
  const entitySet = checkEntitySetName(name, "singleton(name)", "a singleton name");
  return { entitySet, keyPredicate: "", nullable: options?.nullable !== undefined && checkFlag(options.nullable, "singleton(options.nullable)") };
}

/**
 * The core of a reader or client, for `ODataClient`'s own methods.
 * @internal Not exported from the package.
 */
export function coreOf(reader: ODataReader): ClientCore {
  return readCore(reader);
}

/**
 * A reader of class `Reader` (`ODataClient`) on `core`, which its options resolved already.
 * @internal Not exported from the package.
 */
export function readerOnCore<R extends ODataReader>(Reader: new (options: ODataClientOptions) => R, core: ClientCore): R {
  givenCore = core;
  try {
    return new Reader(undefined as never);
  } finally {
    givenCore = undefined;
  }
}
