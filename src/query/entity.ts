/**
 * A single entity addressed by its key: `Books(1)`, `Books('O''Brien')`, `Pairs(A=1,B='x')`. An
 * immutable value like the collection query it comes from; reading and writing methods (get,
 * update, replace, delete, operations) build on its state.
 */
import type { ClientCore } from "../core.js";
import { describe, type ODataVersion } from "../options.js";
import { addExpand, type ExpandBuilder } from "./expand.js";
import { formatLiteral, type LiteralValue } from "./literals.js";
import { checkIdentifier } from "./names.js";
import { addSelect, setParam, type EntityState } from "./state.js";
import type { FieldPath, RelatedType, SelectItem } from "./types.js";
import { entityUrl } from "./url.js";
import { readEntity } from "../read/traversal.js";
import { ActionCall, FunctionCall, type OperationOptions } from "../operations/operation.js";
import type { OperationParameters } from "../operations/requests.js";

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

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

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
  get(options?: { signal?: AbortSignal }): Promise<T> {
    return readEntity<T>(this.#core, new URL(this.url()), options);
  }

  // --- writing --------------------------------------------------------------------------------
  // update(), replace(), delete() and the bound operations address `entityResourceUrl(...)`.

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
