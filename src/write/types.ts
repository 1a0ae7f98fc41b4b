/** The types of what write methods take. */
import type { EdmValue } from "../query/literals.js";
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

/**
 * What an entity input takes for a property of type `V`: besides values of `V` itself, the values
 * every write body converts to the JSON value of an EDM type (see the README's "Writing entities"):
 * - a `string` property (the type a reader gives DateTimeOffset, v2 DateTime, Binary, Guid, and
 *   v2 or IEEE754Compatible Int64 and Decimal values) also takes a `Date`, a `Uint8Array` and any
 *   `edm.*` value: a v2 `DateTime` goes as `/Date(ms)/` only when written as a `Date` or
 *   `edm.dateTime()` (text is sent as written), and binary data as base64;
 * - a `number` property (Int64 and Decimal among them) also takes a `bigint` and any `edm.*`
 *   value: a number beyond 2^53 keeps its digits only as one of those;
 * - a union of string literals (an enumeration type) takes its members, or `edm.enumMember()`;
 * - a boolean, `Date` or `Uint8Array` property also takes an `edm.*` value;
 * - nested values may be entity inputs too. `null` is taken where `V` has it.
 *
 * @example
 * ```ts
 * // Order { At: string | null; Qty: number; Photo: string | null }
 * await orders.create({ At: new Date(), Qty: 9007199254740993n, Photo: new Uint8Array([1, 2]) });
 * ```
 */
export type EntityInputValue<V> = V extends readonly (infer E)[]
  ? EntityInputValue<E>[]
  : V extends Date | Uint8Array | EdmValue
    ? V | EdmValue
    : V extends object
      ? V | EntityInput<V>
      : V extends string | number | bigint | boolean
        ? V extends string
          ? string extends V
            ? string | Date | Uint8Array | EdmValue
            : V | (EdmValue & { readonly type: "Enum" })
          : V extends boolean
            ? V | EdmValue
            : number | bigint | EdmValue
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
