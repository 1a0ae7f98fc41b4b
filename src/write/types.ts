/** The types of what write methods take. */
import type { Entity, entityShape } from "../query/types.js";

/**
 * Instance annotations a body may carry: `@odata.type` for a derived type, `author@odata.bind`
 * to bind a navigation property, the `@odata.etag` an entity read earlier carries (sent as
 * `If-Match`, never in the body), and v2's `__metadata`.
 */
export interface ODataAnnotations {
  readonly [annotation: `@${string}` | `${string}@${string}`]: unknown;
  readonly __metadata?: unknown;
}

/** What an entity input takes for a property of type `V`: nested values may be entity inputs too. */
export type EntityInputValue<V> = V extends readonly (infer E)[]
  ? EntityInputValue<E>[]
  : V extends Date | Uint8Array
    ? V
    : V extends object
      ? V | EntityInput<V>
      : V;

/**
 * What `create`, `update`, `replace` and `upsert` take for an entity of type `T`: any of its
 * properties (names and types checked against `T`), nested entities for a deep insert, and OData
 * annotations. (Of the two members of the union, the first takes a value of an interface type as
 * it is, since an interface has no index signature to match `ODataAnnotations`; the second takes
 * literals with annotations.)
 */
export type EntityInput<T> = unknown extends T
  ? Record<string, unknown>
  : // The keys are the properties, not the one an {@link Entity} shape is declared under, which no
    // body holds and which a user library's declaration file could not name (TypeScript writes a
    // mapped type's keys out there, and the package exports no such symbol).
    | { [K in keyof T as K extends typeof entityShape ? never : K]?: EntityInputValue<T[K]> }
    | ({ [K in keyof T as K extends typeof entityShape ? never : K]?: EntityInputValue<T[K]> } & ODataAnnotations);
