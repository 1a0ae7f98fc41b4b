/**
 * Compile-time field checking: which property paths the compiler accepts for an entity type `T`.
 * With a loose `T` such as `Record<string, unknown>` every string is accepted, so untyped use is
 * never in the way; with a declared interface, misspelt fields fail to compile.
 */
import type { EdmValue } from "./literals.js";

/** The property values that have no field paths below them (and no related entity type). */
export type PrimitiveValue = string | number | bigint | boolean | symbol | Date | Uint8Array | EdmValue | null | undefined;

/** The element type of a collection-valued property, or the property type itself. */
export type Unwrap<V> = NonNullable<V> extends readonly (infer E)[] ? NonNullable<E> : NonNullable<V>;

/** Whether a property of type `V` is collection-valued (part of {@link FieldPath}). */
export type IsCollection<V> = NonNullable<V> extends readonly unknown[] ? true : false;

/**
 * The paths below a property `K` of type `V` (part of {@link FieldPath}): `K/$count` for a
 * collection, and the field paths of the related type, checked a few levels deep (recursive types
 * such as Book -> Author -> Book stop there and accept any deeper text).
 */
export type SubPaths<K extends string, V, Depth extends unknown[]> = unknown extends V
  ? `${K}/${string}`
  : (IsCollection<V> extends true ? `${K}/$count` : never) | NestedPaths<K, Unwrap<V>, Depth>;

/** The paths into the element type `E` of the property `K` (part of {@link FieldPath}). */
export type NestedPaths<K extends string, E, Depth extends unknown[]> = unknown extends E
  ? `${K}/${string}`
  : E extends PrimitiveValue
    ? never
    : E extends object
      ? `${K}/${FieldPath<E, [...Depth, unknown]>}`
      : never;

/**
 * The property paths of `T` the compiler accepts: its keys, and `key/sub` paths into structured and
 * navigation properties, checked against the related types (three levels deep; deeper segments are
 * free text, still validated as identifiers at run time). Any string when `T` has a string index
 * signature or is `unknown`.
 */
export type FieldPath<T, Depth extends unknown[] = []> = unknown extends T
  ? string
  : string extends keyof T
    ? string
    : Depth["length"] extends 3
      ? string
      : { [K in keyof T & string]-?: K | SubPaths<K, T[K], Depth> }[keyof T & string];

/** What `select()` accepts: a field path of `T`, or `*` for all structural properties. */
export type SelectItem<T> = FieldPath<T> | "*";

/** The type of the entities behind the navigation or collection property `K` of `T` (loose when unknown). */
export type RelatedType<T, K> = K extends keyof T
  ? unknown extends T[K]
    ? Record<string, unknown>
    : Unwrap<T[K]> extends PrimitiveValue
      ? Record<string, unknown>
      : Unwrap<T[K]> extends object
        ? Unwrap<T[K]>
        : Record<string, unknown>
  : Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Entity shapes: what an entity interface tells the compiler beyond its properties. Nothing of it
// exists at run time.

/** The key under which an entity interface carries its {@link EntityShape}; only declared, never set. */
export declare const entityShape: unique symbol;

/** An operation bound to an entity or a collection, as an {@link EntityShape} names it. */
export interface BoundOperation {
  /** The namespace-qualified name the caller passes: `"CatalogService.order"`. */
  name: string;
  /** The parameters as an object type, without the binding parameter. */
  parameters: object;
  /** What the call resolves with (already unwrapped). */
  result: unknown;
}

/**
 * What an entity type is beyond its properties: its key property names, its navigation property
 * names, and the operations bound to it (each a union of {@link BoundOperation}). Every member is
 * optional; a member left out means "not known", and the methods that read it accept anything as
 * they would for an interface without a shape.
 */
export interface EntityShape {
  /** The key property names: `"ID"`, or `"A" | "B"` for a composite key. */
  key?: string;
  /** The navigation property names: `"author" | "reviews"`. */
  navigation?: string;
  /** Actions bound to one entity of this type. */
  actions?: BoundOperation;
  /** Functions bound to one entity of this type. */
  functions?: BoundOperation;
  /** Actions bound to a collection of this type. */
  collectionActions?: BoundOperation;
  /** Functions bound to a collection of this type. */
  collectionFunctions?: BoundOperation;
}

/**
 * Marks an interface as an entity type with the given shape, for the compiler only. The shape sits
 * in a function parameter, so that a derived type (more navigation properties, more bound
 * operations) stays assignable to its base.
 * @example
 * interface Book extends Entity<{ key: "ID"; navigation: "author" | "reviews" }> {
 *   ID: number;
 *   title: string;
 *   author?: Author | null;
 *   reviews?: Review[];
 * }
 */
export type Entity<S extends EntityShape> = { readonly [entityShape]?: (shape: S) => void };
