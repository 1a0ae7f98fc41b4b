/**
 * Compile-time field checking: which property paths the compiler accepts for an entity type `T`.
 * With a loose `T` such as `Record<string, unknown>` every string is accepted, so untyped use is
 * never in the way; with a declared interface, misspelt fields fail to compile.
 */
import type { EdmValue } from "./literals.js";

type Primitive = string | number | bigint | boolean | symbol | Date | Uint8Array | EdmValue | null | undefined;

/** The element type of a collection-valued property, or the property type itself. */
export type Unwrap<V> = NonNullable<V> extends readonly (infer E)[] ? NonNullable<E> : NonNullable<V>;

type IsCollection<V> = NonNullable<V> extends readonly unknown[] ? true : false;

// Paths below a property `K` of type `V`: the next segment is checked against V's keys; deeper
// segments are free text (still validated as identifiers at run time).
type SubPaths<K extends string, V> = unknown extends V
  ? `${K}/${string}`
  : (IsCollection<V> extends true ? `${K}/$count` : never) | NestedPaths<K, Unwrap<V>>;

type NestedPaths<K extends string, E> = unknown extends E
  ? `${K}/${string}`
  : E extends Primitive
    ? never
    : E extends object
      ? string extends keyof E
        ? `${K}/${string}`
        : `${K}/${keyof E & string}` | `${K}/${keyof E & string}/${string}`
      : never;

/**
 * The property paths of `T` the compiler accepts: its keys, and `key/sub` paths into structured and
 * navigation properties (the segment after the first `/` is checked against the related type).
 * Any string when `T` has a string index signature or is `unknown`.
 */
export type FieldPath<T> = unknown extends T
  ? string
  : string extends keyof T
    ? string
    : { [K in keyof T & string]-?: K | SubPaths<K, T[K]> }[keyof T & string];

/** The type of the entities behind the navigation or collection property `K` of `T` (loose when unknown). */
export type RelatedType<T, K> = K extends keyof T
  ? unknown extends T[K]
    ? Record<string, unknown>
    : Unwrap<T[K]> extends Primitive
      ? Record<string, unknown>
      : Unwrap<T[K]> extends object
        ? Unwrap<T[K]>
        : Record<string, unknown>
  : Record<string, unknown>;
