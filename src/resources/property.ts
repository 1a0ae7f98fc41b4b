/**
 * One property of an entity as a resource of its own (`Books(1)/title`), made by
 * `entity.property(name)`: its value read alone, or its raw value (`Books(1)/title/$value`). Only
 * the URL is made here, at start; the reading (read/property.ts, with payload/property-answer.ts)
 * loads with the first read, so that a program that never reads a property alone does not carry it.
 */
import type { ClientCore } from "../core.js";
import type { RequestOptions } from "../options.js";
import type { EntityState } from "../query/state.js";
import { customOptions, entityPath, resourceUrl } from "../query/url.js";
import { SINGLE_READ_OPTIONS, type ReadOptions } from "../read/traversal.js";
import { refuseUnknownOptions } from "../util/values.js";
import type { DeclaredProperties, IsLoose, ShapeNavigation } from "../query/types.js";

/** The reading of a property (read/property.ts), loaded by the first read. */
const propertyReads = () => import("../read/property.js");

/**
 * One property of an entity, made by `entity.property(name)`. Sends nothing until `get()`,
 * `text()` or `bytes()`.
 * @typeParam V - the property's value, as the entity type declares it.
 * @example
 * const title = await client.collection<Book>("Books").key(1).property("title").get(); // GET Books(1)/title
 * const raw = await client.collection<Book>("Books").key(1).property("title").text(); // GET Books(1)/title/$value
 */
export class PropertyQuery<V = unknown> {
  readonly #core: ClientCore;
  /** The property's URL, with the entity's custom query options; the reads copy it. */
  readonly #url: URL;
  readonly #name: string;

  /** @internal Made by `property()`, which checks the name. */
  constructor(core: ClientCore, state: EntityState, name: string) {
    this.#core = core;
    this.#url = resourceUrl(core.options.serviceUrl, `${entityPath(state)}/${encodeURIComponent(name)}`, customOptions(state));
    this.#name = name;
  }

  /** The absolute URL of the property, encoded; sends nothing. */
  url(): string {
    return this.#url.href;
  }

  /**
   * Reads the property's value: a primitive value (v4's `{"value": …}` unwrapped; v2's
   * `{"d": {"title": …}}`, its values read as an entity's are, `/Date(…)/` as ISO 8601), a complex
   * value as an object, a collection as an array. `null` where the property is null (the service
   * answers `204 No Content`, or with a null value). A missing entity or property rejects with
   * `ODataHttpError` (status 404). `headers` go with the request, as a `get()`'s.
   */
  async get(options?: RequestOptions & Pick<ReadOptions, "headers">): Promise<V> {
    refuseUnknownOptions(options, SINGLE_READ_OPTIONS, `property(${JSON.stringify(this.#name)}).get()`);
    // `return await`, as the other reads' (see ReadCollectionQuery.countAll).
    return await (await propertyReads()).readProperty<V>(this.#core, this.#url, this.#name, options);
  }

  /**
   * Reads the property's raw value (`/$value`) as text, decoded by the charset its `Content-Type`
   * names (UTF-8 where it names none): a number as the service writes it (`12.31`), a v2 date as
   * sent. `null` where the property is null (`204 No Content`).
   */
  async text(options?: RequestOptions & Pick<ReadOptions, "headers">): Promise<string | null> {
    refuseUnknownOptions(options, SINGLE_READ_OPTIONS, `property(${JSON.stringify(this.#name)}).text()`);
    return await (await propertyReads()).readRawValue(this.#core, this.#url, this.#name, options);
  }

  /**
   * Reads the property's raw value (`/$value`) as the bytes the service sent: an `Edm.Binary`'s
   * content itself, where `get()` gives its base64 text. `null` where the property is null
   * (`204 No Content`).
   * @example const png = await client.collection("Photos").key(1).property("thumbnail").bytes(); // GET Photos(1)/thumbnail/$value
   */
  async bytes(options?: RequestOptions & Pick<ReadOptions, "headers">): Promise<Uint8Array | null> {
    refuseUnknownOptions(options, SINGLE_READ_OPTIONS, `property(${JSON.stringify(this.#name)}).bytes()`);
    return await (await propertyReads()).readRawBytes(this.#core, this.#url, this.#name, options);
  }
}

/**
 * The property names `property()` takes: those of `T` but the navigation properties its shape
 * names (`navigateOne()` reads those) and annotations (`@odata.etag`); any name where `T` is loose
 * (`unknown`, or an open type's index signature, for its dynamic properties).
 */
export type PropertyName<T> = IsLoose<T> extends true ? string : Exclude<keyof T & string, ShapeNavigation<T> | `${string}@${string}`>;

/**
 * The value `property(name).get()` gives: the property's type in `T`, with `null` for an optional
 * one (read alone, a property that is absent is null); `unknown` for a name `T` does not declare
 * (a dynamic property of an open type, any name of a loose `T`).
 */
export type PropertyValue<T, N extends string> = unknown extends T
  ? unknown
  : N extends keyof DeclaredProperties<T>
    ? undefined extends DeclaredProperties<T>[N]
      ? Exclude<DeclaredProperties<T>[N], undefined> | null
      : DeclaredProperties<T>[N]
    : unknown;
