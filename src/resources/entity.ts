/**
 * A single entity addressed by its key: `Books(1)`, `Books('O''Brien')`, `Pairs(A=1,B='x')`. An
 * immutable value like the collection query it comes from; reading and writing methods (get,
 * update, replace, delete, operations) build on its state.
 */
import type { ClientCore } from "../core.js";
import type { ODataVersion } from "../options.js";
import { addExpand, type ExpandBuilder } from "../query/expand.js";
import { formatLiteral, type LiteralValue } from "../query/literals.js";
import { checkIdentifier } from "../query/names.js";
import { addSelect, setParam, type EntityState } from "../query/state.js";
import type { FieldPath, RelatedType, SelectItem } from "../query/types.js";
import { entityUrl } from "../query/url.js";
import { readEntity } from "../read/traversal.js";
import { CollectionQuery } from "./query.js";
import { checkIdentifier as checkNavigation } from "../query/names.js";
import { entityPath } from "../query/url.js";
import { MediaResource } from "../write/media.js";
import {
  deleteRequest,
  linkRequest,
  replaceRequest,
  setLinkRequest,
  unlinkRequest,
  updateRequest,
  upsertRequest,
  type DeleteRequestOptions,
  type UpdateRequestOptions,
  type UpsertRequestOptions,
  type WriteRequestOptions,
} from "../write/requests.js";
import { writeEntity, writeWithoutResult, type SendOptions } from "../write/send.js";
import type { EntityInput } from "../write/types.js";
import { ActionCall, FunctionCall, type OperationOptions } from "../operations/operation.js";
import type { OperationParameters } from "../operations/requests.js";
import type { AbortSignalLike } from "../http/signals.js";
import { describe, isPlainObject } from "../util/values.js";

/** A key: one value, or an object naming the values of a compound key (names checked against `T`). */
export type EntityKey<T> = LiteralValue | { readonly [K in keyof T & string]?: LiteralValue };

/**
 * The key predicate `(…)` for `key` in `version`, before percent-encoding.
 * @example formatKeyPredicate({ A: 1, B: "x" }, "4.0") // "(A=1,B='x')"
 */
export function formatKeyPredicate(key: unknown, version: ODataVersion): string {
  if (isPlainObject(key)) {
    const entries = Object.entries(key);
    if (entries.length === 0) throw new TypeError("key({ ... }): a compound key needs at least one property");
    const parts = entries.map(([name, value]) => `${checkIdentifier(name, "key({ name })")}=${keyLiteral(value, version, `key({ ${name} })`)}`);
    return `(${parts.join(",")})`;
  }
  return `(${keyLiteral(key, version, "key(value)")})`;
}

function keyLiteral(value: unknown, version: ODataVersion, where: string): string {
  if (value === null || value === undefined) throw new TypeError(`${where}: a key value cannot be ${describe(value)}`);
  try {
    return formatLiteral(value, version);
  } catch (error) {
    if (error instanceof TypeError) throw new TypeError(`${where}: ${error.message}`, { cause: error });
    throw error;
  }
}

/** Options of `update` and `replace`: ETag handling, `prefer`, `tunnel`, `headers`, `signal`. */
export type UpdateOptions = UpdateRequestOptions & SendOptions;
/** Options of `upsert`. */
export type UpsertOptions = UpsertRequestOptions & SendOptions;
/** Options of `delete`. */
export type DeleteOptions = DeleteRequestOptions & SendOptions;
/** Options of `link`, `setLink` and `unlink`. */
export type LinkOptions = WriteRequestOptions & SendOptions;

let readEntityInternals: <T>(query: EntityQuery<T>) => { core: ClientCore; state: EntityState };

/**
 * One entity of an entity set, made by `collection.key(...)`. Sends nothing until a reading or
 * writing method runs.
 * @typeParam T - the entity type.
 */
export class EntityQuery<T = Record<string, unknown>> {
  readonly #core: ClientCore;
  readonly #state: EntityState;

  static {
    readEntityInternals = (query) => ({ core: query.#core, state: query.#state });
  }

  /** @internal Made by `CollectionQuery.key()`. */
  constructor(core: ClientCore, state: EntityState) {
    this.#core = core;
    this.#state = state;
  }

  /** Adds `$select` items. */
  select(...fields: SelectItem<T>[]): EntityQuery<T> {
    return this.#next(addSelect(this.#state, fields, "select(fields)"));
  }

  /** Adds an `$expand` item, with nested options from `build` (see `CollectionQuery.expand`). */
  expand<K extends FieldPath<T>>(nav: K, build?: ExpandBuilder<RelatedType<T, K>>): EntityQuery<T> {
    return this.#next(addExpand(this.#state, this.#core.options.version, nav, build, "expand(nav)"));
  }

  /** Sets a custom query option (such as `sap-client`) or a parameter alias (`@p`). */
  param(name: string, value: string | number | boolean): EntityQuery<T> {
    return this.#next(setParam(this.#state, name, value));
  }

  /** The absolute request URL of this entity, encoded; sends nothing. */
  url(): string {
    return entityUrl(this.#core.options.serviceUrl, this.#core.options.version, this.#state).href;
  }

  // --- reading --------------------------------------------------------------------------------

  /**
   * Reads the entity. v2's `d` wrapper is removed; an `ETag` header is kept as `@odata.etag` (v4)
   * when the body has none. A missing entity rejects with `ODataHttpError` (status 404).
   */
  get(options?: { signal?: AbortSignalLike | undefined }): Promise<T> {
    return readEntity<T>(this.#core, new URL(this.url()), options, this.#state.expand);
  }

  // --- writing --------------------------------------------------------------------------------

  /**
   * Changes the properties in `patch`: `PATCH` (OData v2 `MERGE`; `tunnel: true` sends `POST` with
   * `X-HTTP-Method`). `If-Match` is `ifMatch`, else `etag` (an ETag, or the entity read earlier),
   * else the ETag `patch` itself carries; `etag: false` sends none. Navigation values that a read
   * expanded (as a `{ ...entity }` copy holds them) are left out unless `deep: true`. Resolves with
   * the entity when the service returns it, `undefined` on 204. 412 and 428 reject with
   * `ODataHttpError`.
   * @example
   * const book = await books.key(1).get();
   * await books.key(1).update({ stock: 3 }, { etag: book }); // If-Match: W/"..."
   * await books.key(1).update({ ...book, stock: 3 });         // every property read, and its ETag
   */
  update(patch: EntityInput<T>, options?: UpdateOptions): Promise<T | undefined> {
    return writeEntity<T>(this.#core, () => updateRequest(this.#core.options, this.#state, patch, options), options);
  }

  /** Replaces the entity: `PUT`, `If-Match` as for {@link update}. Properties not sent get their defaults. */
  replace(entity: EntityInput<T>, options?: UpdateOptions): Promise<T | undefined> {
    return writeEntity<T>(this.#core, () => replaceRequest(this.#core.options, this.#state, entity, options), options);
  }

  /**
   * Creates or updates the entity at this key (OData 4.01 §11.4.4): `PATCH` (or `PUT` with
   * `replace: true`) without `If-Match`, which a service that supports upserts turns into an insert
   * when the key does not exist yet. `ifNoneMatch: "*"` inserts only (412 when it exists); for
   * update-only use `update(patch, { ifMatch: "*" })`.
   */
  upsert(entity: EntityInput<T>, options?: UpsertOptions): Promise<T | undefined> {
    return writeEntity<T>(this.#core, () => upsertRequest(this.#core.options, this.#state, entity, options), options);
  }

  /** Deletes the entity: `DELETE`, with `If-Match` from `etag` (an ETag, or the entity read earlier) or `ifMatch`. */
  delete(options?: DeleteOptions): Promise<void> {
    return writeWithoutResult(this.#core, () => deleteRequest(this.#core.options, this.#state, options), options);
  }

  /**
   * Adds `target` to the collection-valued navigation property `navigation`: v4
   * `POST Books(1)/reviews/$ref`, v2 `POST Books(1)/$links/reviews`.
   * @example await books.key(1).link("reviews", client.collection("Reviews").key(5))
   */
  link<R>(navigation: keyof T & string, target: EntityQuery<R>, options?: LinkOptions): Promise<void> {
    return writeWithoutResult(this.#core, () => linkRequest(this.#core.options, this.#state, navigation, entityInternals(target).state, options), options);
  }

  /**
   * Points the single-valued navigation property `navigation` at `target`: v4
   * `PUT Books(1)/author/$ref`, v2 `PUT Books(1)/$links/author`.
   * @example await books.key(1).setLink("author", client.collection("Authors").key("austen"))
   */
  setLink<R>(navigation: keyof T & string, target: EntityQuery<R>, options?: LinkOptions): Promise<void> {
    return writeWithoutResult(this.#core, () => setLinkRequest(this.#core.options, this.#state, navigation, entityInternals(target).state, options), options);
  }

  /**
   * Removes a reference: `target` from a collection-valued navigation property (v4
   * `DELETE Books(1)/reviews/$ref?$id=...`, v2 `DELETE Books(1)/$links/reviews(5)`), or, without
   * `target`, clears a single-valued one (`DELETE Books(1)/author/$ref`).
   */
  unlink<R>(navigation: keyof T & string, target?: EntityQuery<R>, options?: LinkOptions): Promise<void> {
    return writeWithoutResult(
      this.#core,
      () => unlinkRequest(this.#core.options, this.#state, navigation, target === undefined ? undefined : entityInternals(target).state, options),
      options,
    );
  }

  // --- navigation and media -------------------------------------------------------------------

  /**
   * The entities of the collection-valued navigation property `navigation`, as a collection query
   * on `Books(1)/reviews`: read it (filter, page, stream...) or `create()` in it. Sends nothing.
   * @example const reviews = await books.key(1).navigate("reviews").filter((f) => f.ge("rating", 4)).list()
   */
  navigate<K extends keyof T & string, R = RelatedType<T, K>>(navigation: K): CollectionQuery<R> {
    return new CollectionQuery<R>(this.#core, {
      entitySet: checkNavigation(navigation, "navigate(navigation)"),
      parentPath: entityPath(this.#state),
      ...(this.#state.params ? { params: this.#state.params } : {}),
    });
  }

  /**
   * The entity of the single-valued navigation property `navigation`, as an entity query on
   * `Books(1)/author`. Sends nothing.
   */
  navigateOne<K extends keyof T & string, R = RelatedType<T, K>>(navigation: K): EntityQuery<R> {
    return new EntityQuery<R>(this.#core, {
      entitySet: checkNavigation(navigation, "navigateOne(navigation)"),
      parentPath: entityPath(this.#state),
      keyPredicate: "",
      ...(this.#state.params ? { params: this.#state.params } : {}),
    });
  }

  /**
   * The content of this media entity (`Photos(1)/$value`), or of its stream property `property`
   * (`Books(1)/cover`): read as bytes, text or a stream, or replaced with `put`. Sends nothing.
   */
  media(property?: keyof T & string): MediaResource {
    return new MediaResource(this.#core, this.#state, property);
  }

  // --- operations -----------------------------------------------------------------------------

  /**
   * An action bound to this entity (`POST Books(1)/NS.name`); sends nothing until `invoke()`. Pass
   * `{ etag }` to `invoke()` where the service protects the entity with an ETag.
   * @example await client.collection("Books").key(1).action<{ stock: number }>("CatalogService.order").invoke({ quantity: 2 }, { etag: "*" })
   */
  action<R = unknown>(name: string, options?: OperationOptions): ActionCall<R> {
    return new ActionCall<R>(this.#core, this.#operation(name, options));
  }

  /**
   * A function bound to this entity (`GET Books(1)/NS.name(p=1)`); sends nothing until `get()`.
   * @example const price = await client.collection("Books").key(1).function<number>("CatalogService.discountedPrice", { percent: 10 }).get()
   */
  function<R = unknown>(name: string, params?: OperationParameters, options?: OperationOptions): FunctionCall<R> {
    return new FunctionCall<R>(this.#core, { ...this.#operation(name, options), parameters: params });
  }

  #operation(name: string, options: OperationOptions | undefined) {
    return {
      name,
      binding: { entitySet: this.#state.entitySet, keyPredicate: this.#state.keyPredicate },
      namespace: options?.namespace,
      queryOptions: this.#state.params,
    };
  }

  #next(state: EntityState): EntityQuery<T> {
    return new EntityQuery<T>(this.#core, state);
  }
}

/**
 * The client core and the state behind an entity query, for the reading and writing layers.
 * @internal Not exported from the package.
 */
export function entityInternals<T>(query: EntityQuery<T>): { core: ClientCore; state: EntityState } {
  return readEntityInternals(query);
}
