/**
 * Compile-time checking of what a query names: property paths, navigation properties, keys, filter
 * values and the result rows that `select()` and `expand()` shape. With a loose `T` such as
 * `Record<string, unknown>` everything is accepted, so untyped use is never in the way; with a
 * declared interface, misspelt fields and wrong value types fail to compile.
 *
 * Why paths are checked one call at a time: a union of every path of `T` expands the whole model
 * (on a service where every type reaches every other, through back-links to a user entity, that is
 * millions of strings and minutes of `tsc`). Here a method takes the path as a type parameter and
 * checks only that string, one segment after the other, with a depth limit; nothing ever lists the
 * paths of a type.
 */
import type { EntityKey } from "./keys.js";
import type { EdmValue, LiteralValue } from "./literals.js";

/** The property values that have no field paths below them (and no related entity type). */
export type PrimitiveValue = string | number | bigint | boolean | symbol | Date | Uint8Array | EdmValue | null | undefined;

/** The element type of a collection-valued property, or the property type itself. */
export type Unwrap<V> = NonNullable<V> extends readonly (infer E)[] ? NonNullable<E> : NonNullable<V>;

/** Whether a property of type `V` is collection-valued. */
export type IsCollection<V> = NonNullable<V> extends readonly unknown[] ? true : false;

/** Whether `T` accepts any property name (`unknown`, or a type with a string index signature). */
export type IsLoose<T> = unknown extends T ? true : string extends keyof T ? true : false;

/**
 * The properties `T` declares, without its index signatures: of an open type (whose interface has
 * `[property: string]: unknown` for the dynamic properties), those its metadata names, with their
 * types and modifiers, and its entity shape.
 */
export type DeclaredProperties<T> = { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };

/**
 * `T` without the properties `K`. `Omit` maps over `keyof T`, which is `string` for a type with a
 * string index signature, and so would turn every declared property of an open type into
 * `unknown`: such a type keeps each property but `K`, and its index signature, with their types,
 * but not the key of its {@link Entity} shape, which no row holds and which TypeScript, writing this
 * mapped type out in a user's declaration file, could not name (the package exports no such
 * symbol). Any other type is `Omit`'s, as the query types relate it (a query of `any` or `unknown`
 * rows).
 */
export type Without<T, K extends PropertyKey> = unknown extends T
  ? Omit<T, K>
  : string extends keyof T
    ? { [P in keyof T as P extends K | typeof entityShape ? never : P]: T[P] }
    : Omit<T, K>;

/**
 * The type the first segment of path `P` is looked up in: `T` itself; for a type with a string
 * index signature, its {@link DeclaredProperties} when `P` starts with one of them, else
 * `unknown`: a dynamic property of an open type, of no known type, any path below it accepted.
 */
export type PathBase<T, P extends string> = unknown extends T
  ? unknown
  : string extends keyof T
    ? FirstSegment<P> extends keyof DeclaredProperties<T>
      ? DeclaredProperties<T>
      : unknown
    : T;

/** How many segments of a path are checked; deeper segments are free text (validated at run time). */
export type PathDepthLimit = 4;

/**
 * What a path argument may start with: a property of `T`, or a property followed by `/` and more
 * (the rest is checked by {@link ValidPath} for the string actually given). Any string when `T` is
 * loose (`ValidPath` checks an open type's declared names). This type never looks below the first
 * level, so it stays small on any model.
 */
export type FieldPath<T> = IsLoose<T> extends true ? string : (keyof T & string) | `${keyof T & string}/${string}`;

/**
 * `P` when it is a property path of `T` that an expression (`$filter`, `$orderby`) may name, else
 * `never`: checked one segment at a time, into the related or complex type of each single-valued
 * segment, `$count` after a collection, and free text from the fifth segment on or below a loose
 * type. A collection-valued segment ends the path or is followed by `$count` alone: OData reaches
 * into the members of a collection with `any`/`all` only (`reviews/rating` names no one value).
 * Of an open type, a declared property is checked so, any other name is a dynamic property
 * ({@link PathBase}). Only the path given is looked at, never every path of `T`; a union of paths
 * is `P` when each of them is valid, else `never`. The walk is {@link PathCheck}'s.
 */
export type ValidPath<T, P extends string, Depth extends unknown[] = []> = [PathCheck<T, P, "filter", Depth>] extends [true] ? P : never;

/**
 * `P` when it is a path that `$select` may name in `T`, else `never`: a property, or a path through
 * complex properties (single or collection-valued) to one. A navigation property the shape of `T`
 * names may end the path but not lead on (its properties are chosen by a nested select of its
 * expand), and `$count` is no select item. Segments are checked as in {@link ValidPath}, a
 * dynamic property of an open type too, by the same walk ({@link PathCheck}).
 */
export type ValidSelectPath<T, P extends string, Depth extends unknown[] = []> = [PathCheck<T, P, "select", Depth>] extends [true] ? P : never;

/**
 * Whether `P` is a path that {@link ValidPath} (`Mode` "filter"), {@link ValidOrderByPath}
 * (`Mode` "orderby") or {@link ValidSelectPath} (`Mode` "select") accepts in `T`: `true`,
 * `false`, or `boolean` for a union of paths of which some are not. The modes differ at a segment
 * that leads on: an expression's path may take `$count` after a collection and go on through
 * single-valued properties only; a select path goes through complex properties, single or
 * collection-valued, but not through a navigation property the shape names. An ordering's path
 * is an expression's that also ends in one primitive value ({@link OrderableValue}). The answer
 * stands in the check position of those types and their branches are `P` and `never`: the
 * compiler derives a conditional type's constraint from its branches (while it infers a path, or
 * compares two builders), and so never walks the model to find it.
 */
export type PathCheck<T, P extends string, Mode extends "filter" | "orderby" | "select", Depth extends unknown[] = []> = unknown extends T
  ? true
  : string extends keyof T
    ? [T] extends [never]
      ? true // `never`, whose keys are all keys: nothing to look into
      : [keyof DeclaredProperties<T>] extends [never]
        ? true // a record such as `Record<string, unknown>`: any path, and nothing to look at
        : FirstSegment<P> extends keyof DeclaredProperties<T>
          ? PathCheck<DeclaredProperties<T>, P, Mode, Depth>
          : true
    : Depth["length"] extends PathDepthLimit
      ? true
      : P extends `${infer Head}/${infer Rest}`
        ? string extends Rest
          ? true // not a literal path (the constraint itself, when the compiler evaluates it): nothing to look into
          : Head extends keyof T & string
            ? Mode extends "select"
              ? Head extends ShapeNavigation<T>
                ? false
                : unknown extends T[Head]
                  ? true
                  : Unwrap<T[Head]> extends PrimitiveValue
                    ? false
                    : PathCheck<Unwrap<T[Head]>, Rest, Mode, [...Depth, unknown]>
              : Rest extends "$count"
                ? IsCollection<T[Head]>
                : unknown extends T[Head]
                  ? true
                  : IsCollection<T[Head]> extends true
                    ? false
                    : Unwrap<T[Head]> extends PrimitiveValue
                      ? false
                      : PathCheck<Unwrap<T[Head]>, Rest, Mode, [...Depth, unknown]>
            : false
        : P extends keyof T & string
          ? Mode extends "orderby"
            ? OrderableValue<T[P]>
            : true
          : false;

/**
 * Whether a property of type `V` can end an `$orderby` path: OData orders by expressions of a
 * primitive result alone (Part 2 §5.1.4), so a navigation, complex or collection-valued property
 * (of primitive members too) orders nothing, and a service ignores it (CAP) or refuses it. An
 * enumeration or a type definition is typed as the primitive it stands for; `unknown` (a dynamic
 * property, a loose type) may be anything.
 */
export type OrderableValue<V> = unknown extends V ? true : IsCollection<V> extends true ? false : [NonNullable<V>] extends [PrimitiveValue] ? true : false;

/**
 * The path below `$it/` or `$this/`, which name the entity being filtered (inside a lambda too),
 * or `never` for a path that does not start with either.
 */
export type RootRelativePath<P extends string> = P extends `$it/${infer Rest}` | `$this/${infer Rest}` ? Rest : never;

/**
 * The type whose path follows `$it/` or `$this/` in `P`. They differ inside the filter of an
 * expanded navigation property (OData URL Conventions 4.01 §5.1.3): there `$it` is still the
 * outermost entity, of the collection or entity the resource path names, and `$this` the expanded one.
 */
export type FilterRoot<P extends string, Root, This> = P extends `$it/${string}` ? Root : This;

/** What a filter path of `T` may start with: a {@link FieldPath} of `T`, or `$it/` or `$this/` and a path of the entity filtered. */
export type FilterFieldPath<T> = FieldPath<T> | `$it/${string}` | `$this/${string}`;

/**
 * `P` when it is a path a filter builder of `T` may name, else `never`: a {@link ValidPath} of
 * `T`, or `$it/` followed by a valid path of `Root` (the outermost entity), or `$this/` followed by
 * one of `This` (the entity being filtered: `Root` but inside an expand's filter). A union of
 * paths passes when each one does. `Mode` "orderby" asks for a path `$orderby` can sort by
 * ({@link ValidOrderByPath}).
 */
export type ValidFilterPath<T, P extends string, Root = T, This = Root, Mode extends "filter" | "orderby" = "filter"> = [
  P extends `$it/${infer Rest}` ? PathCheck<Root, Rest, Mode> : P extends `$this/${infer Rest}` ? PathCheck<This, Rest, Mode> : PathCheck<T, P, Mode>,
] extends [true]
  ? P
  : never;

/**
 * `P` when `orderBy()` may name it, else `never`: a {@link ValidFilterPath} that ends in a
 * primitive property (an enumeration, a type definition), or in `$count` after a collection
 * (`reviews/$count`); not a navigation, complex or collection-valued property, which `$orderby`
 * cannot sort by (`author/name` and `home/city` can).
 */
export type ValidOrderByPath<T, P extends string, Root = T, This = Root> = ValidFilterPath<T, P, Root, This, "orderby">;

/** The type of the property at filter path `P` of `T` (a `$it/...` path is one of `Root`, a `$this/...` path one of `This`; of a union of paths, the union of their types). */
export type FilterPathType<T, P extends string, Root = T, This = Root> = P extends `$it/${infer Rest}`
  ? PathType<Root, Rest>
  : P extends `$this/${infer Rest}`
    ? PathType<This, Rest>
    : PathType<T, P>;

/** The literal type of the property at filter path `P` of `T`, as {@link PathLiteralType} gives it (of `Root` for `$it/...`, of `This` for `$this/...`). */
export type FilterPathLiteralType<T, P extends string, Root = T, This = Root> = P extends `$it/${infer Rest}`
  ? PathLiteralType<Root, Rest>
  : P extends `$this/${infer Rest}`
    ? PathLiteralType<This, Rest>
    : PathLiteralType<T, P>;

/** The type of the property at path `P` of `T` (`unknown` where it is not known, as for a dynamic property of an open type). */
export type PathType<T, P extends string, Depth extends unknown[] = []> = unknown extends T
  ? unknown
  : string extends keyof T
    ? [T] extends [never]
      ? unknown
      : [keyof DeclaredProperties<T>] extends [never]
        ? unknown
        : FirstSegment<P> extends keyof DeclaredProperties<T>
          ? PathType<DeclaredProperties<T>, P, Depth>
          : unknown
    : Depth["length"] extends PathDepthLimit
      ? unknown
      : P extends `${infer Head}/${infer Rest}`
        ? string extends Rest
          ? unknown
          : Head extends keyof T
            ? Rest extends "$count" ? number : PathType<Unwrap<T[Head]>, Rest, [...Depth, unknown]>
            : unknown
        : P extends keyof T
          ? T[P]
          : unknown;

/**
 * The type a literal of the property at path `P` of `T` is given as: what the shape's `literals`
 * of the type that declares the path's last segment names for it (the entity's own for `ID`, a
 * related entity's for `author/ID`, a complex type's for `address/lat`), else the property's own
 * type, as {@link PathType} gives it. Like `PathType`, it looks into the path given alone.
 */
export type PathLiteralType<T, P extends string, Depth extends unknown[] = []> = Depth["length"] extends PathDepthLimit
  ? unknown
  : P extends `${infer Head}/${infer Rest}`
    ? IsLoose<T> extends true
      ? PathBase<T, P> extends infer B
        ? IsLoose<B> extends true
          ? unknown
          : PathLiteralType<B, P, Depth>
        : never
      : string extends Rest
        ? unknown
        : Head extends keyof T
          ? Rest extends "$count" ? number : PathLiteralType<Unwrap<T[Head]>, Rest, [...Depth, unknown]>
          : unknown
    : ShapeOf<T> extends { literals: { [Q in P]: infer L extends LiteralValue } }
      ? L
      : PathType<T, P, Depth>;

/** What `select()` accepts as a start: a field path of `T`, or `*` for all structural properties. */
export type SelectItem<T> = FieldPath<T> | "*";

/** The `select()` items `F` that are valid for `T` (`*` always is; see {@link ValidSelectPath}). */
export type ValidSelect<T, F extends string> = F extends "*" ? F : ValidSelectPath<T, F>;

/**
 * The row type of a member's value `V`: its object type, out of arrays and `null`, or a loose
 * record where the type says nothing (`unknown`) or is primitive. `V` and its element are taken
 * into `infer` variables first: while `V` is not yet known (an `expand()` whose navigation
 * property is still being inferred), the compiler then sees a plain variable in each test, not
 * `T[K]` for every `K` the constraint allows (every collection of the model, each compared
 * member by member with `object`).
 */
export type RowOf<V> = [V] extends [infer W]
  ? unknown extends W
    ? Record<string, unknown>
    : [Unwrap<W>] extends [infer U]
      ? [U] extends [PrimitiveValue]
        ? Record<string, unknown>
        : [U] extends [object]
          ? U
          : Record<string, unknown>
      : never
  : never;

/**
 * The type of the entities behind the navigation or collection property `K` of `T` (loose when
 * unknown), or behind the last segment of an expand path `K` (`Book` of `author/books`), whose
 * nested options are that segment's. A type cast segment (`author/NS.Writer`) names a type derived
 * from the one before it, which only `$metadata` knows: its properties are those of the base type
 * and any others, `unknown`. The options of `reviews/$count` and `author/$ref` are of the entities
 * counted or referenced, taken so too.
 */
export type RelatedType<T, K> = K extends keyof T
  ? RowOf<T[K]>
  : K extends `${infer Head}/${infer Rest}`
    ? Head extends `${string}.${string}`
      ? RelatedType<T & Record<string, unknown>, Rest>
      : Head extends keyof T
        ? RelatedType<RowOf<T[Head]>, Rest>
        : Record<string, unknown>
    : K extends `${string}.${string}`
      ? T & Record<string, unknown>
      : K extends "$count" | "$ref"
        ? T
        : Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Values: what a filter comparison or a key accepts for a property of a given type.

/**
 * The values that stand for a property of (non-null) type `V` in a literal: the JavaScript type
 * itself, numbers and bigints for each other, and any `edm.*` value (which says its EDM type itself,
 * such as `edm.int64("…")` for a string or number Int64, `edm.date(…)` for a string date). A
 * `string` property also takes a `Date`: the reader gives DateTimeOffset (and v2 DateTime)
 * properties as ISO strings, and a `Date` is their literal. (A string property of EDM type Date is
 * not told apart from them: compare it with `edm.date(…)`, or name it in the shape's `literals`,
 * which `key()` and the comparisons read before this.) A union of string literals (an enum type)
 * takes its members only. Object and collection properties have none.
 */
export type ScalarValue<V> = V extends string
  ? string extends V
    ? string | Date | EdmValue
    : V | EdmValue
  : V extends number | bigint
    ? number | bigint | EdmValue
    : V extends boolean
      ? boolean | EdmValue
      : V extends Date
        ? Date | EdmValue
        : V extends Uint8Array
          ? Uint8Array | EdmValue
          : V extends EdmValue
            ? EdmValue
            : never;

/**
 * What a comparison (`f.eq`, `f.lt`, `f.in`...) accepts as the value for a property of type `V`:
 * its {@link ScalarValue}s and `null`; any literal value when `V` is not known. `V` is taken into
 * an `infer` variable first: while the path is still being inferred, `ScalarValue` (which
 * distributes over its argument) would otherwise reduce `NonNullable` of the whole path walk,
 * working out its constraint for every path the constraint of `P` allows.
 */
export type FilterValue<V> = [V] extends [infer W] ? (unknown extends W ? LiteralValue : ScalarValue<NonNullable<W>> | null) : never;

// ---------------------------------------------------------------------------------------------
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
  /**
   * For properties whose type writes the wrong literal, the type a literal of each must be given
   * as: `{ OrderID: EdmValue; CreatedAt: Date | EdmValue }`. A GUID, a date or an enumeration
   * member read as a string would be written as a quoted string, which is not its literal; named
   * here, `key()` and the filter comparisons of that property (at the end of any path, such as
   * `customer/OrderID`) take the named type only, and `null` in a comparison, instead of the values
   * of the property's own type. A complex type's interface names its own in a shape of this member
   * alone, for paths such as `address/lat`.
   */
  literals?: { readonly [property: string]: LiteralValue };
  /**
   * The alternate keys (`Core.AlternateKeys`): a union of object types, each naming the parts of
   * one as a key predicate names them (by their aliases) with the values `key()` takes for them:
   * `{ accountnumber: string } | { region: string; code: number }`. `key()` takes each of them
   * besides the key (`accounts(accountnumber='A3')`; OData URL Conventions 4.01 §4.3.1).
   */
  alternateKeys?: object;
}

/**
 * Marks an interface as an entity type with the given shape, for the compiler only (or a complex
 * type, with a shape of `literals` alone). The shape sits in a function parameter, so that a
 * derived type (more navigation properties, more bound operations) stays assignable to its base.
 * @example
 * interface Book extends Entity<{ key: "ID"; navigation: "author" | "reviews"; literals: { ID: EdmValue } }> {
 *   ID: string; // an Edm.Guid: key(edm.guid(id)) and f.eq("ID", edm.guid(id)), not key(id)
 *   title: string;
 *   author?: Author | null;
 *   reviews?: Review[];
 * }
 */
export type Entity<S extends EntityShape> = { readonly [entityShape]?: (shape: S) => void };

/**
 * The {@link EntityShape} of `T`, or `{}` (nothing known) when `T` has none. (Not `never`: a
 * pattern such as `{ key: infer K }` matches `never`, and would then read a key out of nothing.)
 */
export type ShapeOf<T> = typeof entityShape extends keyof T
  ? NonNullable<T[typeof entityShape]> extends (shape: infer S) => void
    ? S
    : {}
  : {};

/** The key property names of `T` as its shape names them (`never` when it does not). */
export type KeyNames<T> = ShapeOf<T> extends { key: infer K extends string } ? K : never;

/**
 * The navigation property names of `T`: those its shape names (an open type's too), or, for a type
 * without a shape (or a shape without `navigation`), every property whose value is an object or an
 * array of objects (complex properties included, which the compiler cannot tell apart); any name
 * when `T` is loose and its shape names none.
 */
export type NavigationName<T> = unknown extends T
  ? string
  : ShapeOf<T> extends { navigation: infer N extends string }
    ? N & keyof T
    : string extends keyof T
      ? string
      : { [K in keyof T & string]-?: unknown extends T[K] ? K : Unwrap<T[K]> extends PrimitiveValue ? never : Unwrap<T[K]> extends object ? K : never }[keyof T &
        string];

/** The collection-valued navigation properties of `T` (for `navigate()` and `link()`). */
export type CollectionNavigation<T> = string extends NavigationName<T> ? string : CollectionsOf<T, NavigationName<T>>;

/** The single-valued navigation properties of `T` (for `navigateOne()` and `setLink()`). */
export type SingleNavigation<T> = string extends NavigationName<T> ? string : SinglesOf<T, NavigationName<T>>;

/** The collection-valued ones among the properties `N` of `T`. */
export type CollectionsOf<T, N> = N extends keyof T ? (unknown extends T[N] ? N : IsCollection<T[N]> extends true ? N : never) : never;
/** The single-valued ones among the properties `N` of `T`. */
export type SinglesOf<T, N> = N extends keyof T ? (unknown extends T[N] ? N : IsCollection<T[N]> extends true ? never : N) : never;

/**
 * What `expand()` accepts: a navigation property of `T`, `*`, or a path of navigation properties
 * that starts with one (`author/books`, the books of the author; the segments after the first are
 * checked at run time). A segment with a dot is a type cast (`author/NS.Writer`).
 */
export type ExpandPath<T> = NavigationName<T> | "*" | `${NavigationName<T>}/${string}`;

/**
 * The collection-valued property at path `P` of `T` that `f.any()`/`f.all()` accept: `P` when the
 * path is valid and leads to an array (of entities, complex values or primitive values), else `never`.
 */
export type CollectionPath<T, P extends string> = [
  P extends unknown // each path of a union on its own
    ? [PathCheck<T, P, "filter">] extends [true]
      ? PathType<T, P> extends infer V
        ? unknown extends V
          ? true
          : IsCollection<V>
        : never
      : false
    : never,
] extends [true]
  ? P
  : never;

/**
 * The string-valued property at filter path `P` of `T` (for the string functions), else `never`;
 * a `$it/...` path is one of `Root`, a `$this/...` path one of `This`.
 */
export type StringPath<T, P extends string, Root = T, This = Root> = [
  P extends unknown // each path of a union on its own
    ? [ValidFilterPath<T, P, Root, This>] extends [never]
      ? false
      : FilterPathType<T, P, Root, This> extends infer V
        ? unknown extends V
          ? true
          : [NonNullable<V>] extends [string]
            ? true
            : false
        : never
    : never,
] extends [true]
  ? P
  : never;

/** The type a lambda variable of `f.any(P)`/`f.all(P)` ranges over (loose for primitive members). */
export type LambdaMember<T, P extends string> = RowOf<PathType<T, P>>;

// ---------------------------------------------------------------------------------------------
// Keys

/** `true` when `K` is a union of several types (distributes over `K`, comparing each member with the whole). */
export type IsUnion<K, All = K> = K extends unknown ? ([All] extends [K] ? false : true) : never;

/**
 * A key as an object: every key property `K` of `T` with a value of the type the shape's
 * `literals` names for it, else of its own type (its {@link ScalarValue}s); any literal value for a
 * name that is not a property of `T`.
 */
export type KeyRecord<T, K extends string> = {
  readonly [P in K]: ShapeOf<T> extends { literals: { [Q in P]: infer L extends LiteralValue } } ? L : P extends keyof T ? ScalarValue<NonNullable<T[P]>> : LiteralValue;
};

/**
 * What `key()` accepts for an entity of type `T`. With a shape that names the key: the value of a
 * single key property (`key(1)`, `key("austen")`, or `key({ ID: 1 })`), or an object with every
 * property of a composite key (`key({ A: 1, B: "x" })`), values typed as in a filter comparison
 * (the shape's `literals` first), and each of the shape's `alternateKeys`. Without one: any
 * literal value or object of values.
 */
export type KeyValue<T> = [KeyNames<T>] extends [never]
  ? EntityKey<T>
  : // Alternate keys in each branch, not around the conditional: a message then spells out what
    // key() takes, rather than naming KeyValue<T>.
    true extends IsUnion<KeyNames<T>>
    ? KeyRecord<T, KeyNames<T>> | (ShapeOf<T> extends { alternateKeys: infer A extends object } ? A : never)
    : KeyRecord<T, KeyNames<T>>[KeyNames<T>] | KeyRecord<T, KeyNames<T>> | (ShapeOf<T> extends { alternateKeys: infer A extends object } ? A : never);

// ---------------------------------------------------------------------------------------------
// Result rows: what select() and expand() make of the entity type.

/** The first segment of a path: `address` of `address/city`. */
export type FirstSegment<S extends string> = S extends `${infer Head}/${string}` ? Head : S;

/** The navigation property names the shape of `T` names (`never` without one). */
export type ShapeNavigation<T> = ShapeOf<T> extends { navigation: infer N extends string } ? N : never;

/**
 * The value an expanded navigation property of type `V` has when its rows are `R`: `R[]` for a
 * collection, `R` (or `null` where `V` allows it) for a single entity. Where the type says nothing
 * of the property (`unknown`, as in the rows of an untyped `collection("Authors")`), the query
 * cannot know whether the service sends one entity, an array of them or `null`, so the value is
 * `R | R[] | null`: `Array.isArray()` tells the collection from the single entity, and no use
 * compiles that the other would break at run time.
 */
export type ExpandedValue<V, R> = unknown extends V
  ? R | R[] | null
  : NonNullable<V> extends readonly unknown[]
    ? R[]
    : R | (null extends V ? null : never);

/** The rest of each path of `S` that starts with the segment `K`: `city` of `address/city` for `address`. */
export type SubPaths<S extends string, K extends string> = S extends `${K}/${infer Rest}` ? Rest : never;

/**
 * The properties of `T` that the paths `S` select: each first segment, whole where a path names
 * it alone, else narrowed to the paths below it ({@link SelectedValue}). Optional and readonly
 * properties stay so. Of an open type, a first segment it does not declare is a dynamic property,
 * `unknown`.
 */
export type PickPaths<T, S extends string> = {
  [P in keyof T as P extends FirstSegment<S> ? P : never]: P extends S ? T[P] : SelectedValue<T[P], SubPaths<S, P & string>>;
} & (string extends keyof T ? { [P in Exclude<FirstSegment<S>, keyof DeclaredProperties<T>>]: unknown } : {});

/**
 * A complex value `V` of which only the paths `S` below it are selected (`Zip` of `Home/Zip`): the
 * service sends those alone (OData URL conventions 4.01 §5.1.3), so the object keeps them alone,
 * in each member of a collection, with the `null` (or `undefined`) that `V` allows kept as it is.
 * An open complex type (an index signature beside its declared properties) is narrowed so too, a
 * dynamic property a path names being `unknown` ({@link PickPaths}); only a record that declares
 * nothing (`Record<string, unknown>`) stays whole, there being nothing to narrow it to.
 */
export type SelectedValue<V, S extends string> = unknown extends V
  ? V
  : V extends readonly (infer E)[]
    ? SelectedValue<E, S>[]
    : V extends PrimitiveValue
      ? V
      : string extends keyof V
        ? [keyof DeclaredProperties<V>] extends [never]
          ? V
          : PickPaths<V, S>
        : V extends object
          ? PickPaths<V, S>
          : V;

/**
 * The rows a query of `T` gives: `T` itself when nothing is selected or expanded; with `select()`
 * items `S`, the selected properties (a path such as `address/city` keeps of `address` the
 * properties its paths name, see {@link SelectedValue}) and, as optional properties, the key
 * properties the shape names that were not selected (OData does not promise them, though most
 * services send them); `*` selects every property but the navigation properties the shape names.
 * Expanded navigation properties `X` are added, no longer optional, with the rows of their own
 * nested `select()` and `expand()`; they take the place of the entity type's property of the same
 * name, also where `select()` names it too; a navigation property whose number `/$count` gives
 * (`reviews@odata.count`) is left out ({@link Replaced}). An open type's rows keep its declared
 * properties typed, and its index signature where nothing is selected or `*` is ({@link Without});
 * a dynamic property that `select()` names is `unknown`.
 */
export type Selected<T, S extends string, X> = [S] extends [never]
  ? [keyof X] extends [never]
    ? T
    : Without<T, Replaced<keyof X>> & X
  : "*" extends S
    ? Without<T, ShapeNavigation<T> | keyof X> & X
    : [Extract<S, `${string}/${string}`>] extends [never]
      ? Pick<T, Exclude<S, keyof X> & keyof T> & Partial<Pick<T, Exclude<KeyNames<T>, S | keyof X> & keyof T>> & X
      : PickPaths<Without<T, keyof X>, S> & Partial<Pick<T, Exclude<KeyNames<T>, FirstSegment<S> | keyof X> & keyof T>> & X;

/**
 * The properties of the entity type that the expansions named `K` take the place of: each
 * expanded navigation property, and the one whose number `/$count` gives instead (`reviews` of
 * `reviews@odata.count`), which the service then does not send.
 */
export type Replaced<K> = K | (K extends `${string}@odata.count` ? (K extends `${infer N}@odata.count` ? N : never) : never);

/**
 * An entity reference: what `expand("nav/$ref")` gives for each related entity, its id (relative
 * to the context URL or absolute). A type, not an interface, so that a write's input, whose
 * annotations an index signature types, takes it back (a reference in a deep insert links the entity).
 */
export type EntityReference = { "@odata.id": string };

/**
 * The row properties that an expand of the navigation property `N` of `Row` ending in `/$count`
 * or `/$ref` (`Leaf`) gives: `N@odata.count`, the number of related entities, in place of `N`;
 * or `N` with their references (one, or `null` where `Full[N]` allows it, for a single-valued
 * property), `Full` being the type `Row` was selected from.
 */
export type ExpandedLeaf<Row, Full, N extends string, Leaf> = Without<Row, N | `${N}@odata.count`> &
  (Leaf extends "$count" ? { [P in `${N}@odata.count`]: number } : { [P in N & keyof Full]-?: ExpandedValue<Full[P], EntityReference> });

/**
 * The expansions `X` without the navigation property that `expand(N)` expands anew: `N` itself,
 * whose earlier expand a plain `N` replaces, or the first segment of a path `N`, whose earlier
 * expand the path goes into ({@link Expansion} gives it back, with the path in it), and the
 * number of either that an earlier `/$count` expand gave (`N@odata.count`). `Omit<X, N>`
 * would be the same type for a plain `N`, but TypeScript (5.4 to 5.9) writes an `expand()`
 * result's `Omit<{}, N>` into a declaration file with `N` left unresolved, so a library exporting
 * an expanded query would ship a `.d.ts` that does not compile. This mapped type is written with
 * its arguments resolved; it is exported so that such a file can name it
 * (`import("traverse-odata").Unexpanded<{}, "author">`).
 */
export type Unexpanded<X, N extends PropertyKey> = {
  [P in keyof X as P extends N ? never : N extends `${P & string}/${string}` ? never : P extends `${string}@odata.count` ? (N extends `${P extends `${infer C}@odata.count` ? C : never}${"" | `/${string}`}` ? never : P) : P]: X[P];
};

/**
 * What `expand(nav)` adds to the rows of `T` whose expanded properties so far are `X`: the
 * property `nav` with rows `R` of the related type (`null` where the property's type allows it and
 * no entity is related). A path (`author/books`) adds its first segment with every property of
 * the related type; where the nested options, which are the last segment's, narrow its rows `R`
 * (a `select()`, here or below), the rest of the path is expanded in it with `R` at the end
 * ({@link ExpandedAlong}), else the related type says no more than what is sent and stays as it
 * is. When `X` holds the first segment already, the request puts the rest of the path below that
 * earlier expand (`author($select=name;$expand=books)`), and so does the type: the earlier rows
 * keep their selection and gain the path ({@link MergedExpansion}); but a path whose next segment
 * is a type cast (`author/NS.Writer/books`) is an item of its own, and the earlier rows stay as
 * they were. The caller leaves out of `X` what this replaces ({@link Unexpanded}): the request
 * keeps only the later expand of a property. A path that ends in `/$count` adds the number of
 * related entities (`reviews@odata.count`) and one that ends in `/$ref` their references
 * ({@link EntityReference}), in place of the entities (also at the end of a longer path:
 * {@link ExpandedLeaf}).
 */
export type Expansion<T, K extends string, R, X = {}> = K extends "*"
  ? {}
  : K extends `${infer Head}/${infer Rest}`
    ? Rest extends "$count" | "$ref"
      ? { [P in Rest extends "$count" ? `${Head}@odata.count` : Head & keyof T]-?: Rest extends "$count" ? number : ExpandedValue<T[P & keyof T], EntityReference> }
      : Head extends keyof X
          ? {
              [P in Head & keyof X]: FirstSegment<Rest> extends `${string}.${string}`
                ? X[P]
                : ExpandedValue<P extends keyof T ? T[P] : unknown, MergedExpansion<RowsIn<X[P], RelatedType<T, P>>, RelatedType<T, P>, Rest, R>>;
            }
          : {
              [P in Head & keyof T]-?: ExpandedValue<
                T[P],
                [R] extends [RelatedType<T, K>] ? (Rest extends `${string}/$${"count" | "ref"}` ? ExpandedAlong<RowOf<T[P]>, Rest, R> : RowOf<T[P]>) : ExpandedAlong<RowOf<T[P]>, Rest, R>
              >;
            }
    : { [P in K & keyof T]-?: ExpandedValue<T[P], R> };

/**
 * The rows `Row` of an earlier expand with an expand path `Path` placed below it, as the request
 * places it: level by level into the earlier expands the path passes (their rows keep what they
 * selected and gain the rest of the path), a new expand where there is none (every property of the
 * type, from `Full`, the related type `Row` was selected from), and at the last segment the rows
 * `R` of the path's own options, in place of an earlier expand of it (the later one wins). A type
 * cast segment starts an item of its own in the request, and a segment the type does not know adds
 * nothing: `Row` stays as it is.
 */
export type MergedExpansion<Row, Full, Path extends string, R> = Path extends `${infer Head}/${infer Rest}`
  ? Head extends `${string}.${string}` | "*"
    ? Row
    : FirstSegment<Rest> extends `${string}.${string}`
      ? Row
      : Head extends keyof Full
        ? Rest extends "$count" | "$ref"
          ? ExpandedLeaf<Row, Full, Head, Rest>
          : Without<Row, Head> & { [P in Head & keyof Full]-?: ExpandedValue<Full[P], MergedExpansion<RowsIn<P extends keyof Row ? Row[P] : unknown, RowOf<Full[P]>>, RowOf<Full[P]>, Rest, R>> }
        : Row
  : Path extends `${string}.${string}` | "*"
    ? Row
    : Path extends keyof Full
      ? Without<Row, Path | `${Path}@odata.count`> & { [P in Path & keyof Full]-?: ExpandedValue<Full[P], R> }
      : Row;

/**
 * The rows that the value `V` of an expanded navigation property holds (`R` of `R[]`, of
 * `R | null`, of `R | R[] | null`), or `Fallback` where `V` holds no rows (`unknown`, a property
 * not selected or expanded).
 */
export type RowsIn<V, Fallback> = unknown extends V
  ? Fallback
  : [V extends readonly (infer E)[] ? E : Exclude<V, null | undefined>] extends [infer E]
    ? [E] extends [never]
      ? Fallback
      : [E] extends [object]
        ? E
        : Fallback
    : never;

/**
 * The rows `Row` of an expanded navigation property with the rest of an expand path, `Path`,
 * expanded in them: every property of `Row` (the path's segments before the last carry no nested
 * options, so OData v4's `author($expand=books(...))` and v2's `$select=author/*` send them all),
 * the next segment replaced by its expanded value, and the last one's rows `R`. A type cast
 * segment (`NS.Writer`) stays with the segment before it, whose nested options it takes
 * (`author/NS.Writer` selects of the author); a segment the type does not know adds nothing.
 */
export type ExpandedAlong<Row, Path extends string, R> = Path extends `${infer Head}/${infer Rest}`
  ? Head extends `${string}.${string}`
    ? ExpandedAlong<Row & Record<string, unknown>, Rest, R>
    : Head extends keyof Row
      ? Rest extends "$count" | "$ref"
        ? ExpandedLeaf<Row, Row, Head, Rest>
        : Without<Row, Head> & { [P in Head & keyof Row]-?: ExpandedValue<Row[P], ExpandedAlong<RowOf<Row[P]>, Rest, R>> }
      : Row
  : Path extends `${string}.${string}`
    ? R
    : Path extends "*"
      ? Row
      : Path extends keyof Row
        ? Without<Row, Path> & { [P in Path & keyof Row]-?: ExpandedValue<Row[P], R> }
        : Row;

/**
 * The aliases that a `$compute` text `E` names (`total` of `"price mul qty as total"`; several
 * items are separated by commas), or `never` where `E` is not a literal. The alias is the name
 * after an ` as `, up to the next comma; where what follows an ` as ` is no name (an ` as ` inside
 * a string literal, `concat(title,' as x') as t`), the next ` as ` is tried.
 */
export type ComputedAliases<E extends string> = E extends `${string} as ${infer Rest}`
  ? Rest extends `${infer Alias},${infer More}`
    ? [ComputedAliasName<Alias>] extends [never]
      ? ComputedAliases<Rest>
      : ComputedAliasName<Alias> | ComputedAliases<More>
    : [ComputedAliasName<Rest>] extends [never]
      ? ComputedAliases<Rest>
      : ComputedAliasName<Rest>
  : never;

/** `S` without the spaces around it when that can be a property's name (not empty, no space, quote or parenthesis), else `never`. */
export type ComputedAliasName<S extends string> = S extends ` ${infer R}`
  ? ComputedAliasName<R>
  : S extends `${infer R} `
    ? ComputedAliasName<R>
    : S extends "" | `${string}${" " | "'" | "(" | ")"}${string}`
      ? never
      : S;

/**
 * `T` with the properties that the `$compute` text `E` adds ({@link ComputedAliases}), `unknown`
 * and optional: the service sends a computed property where `$select` names it, or where there is
 * no `$select` (OData 4.01 Part 2 §5.1.3 says SHOULD), and its type is the expression's, which
 * the text alone does not tell. `T` itself where `E` names none (text not known until run time).
 */
export type WithComputed<T, E extends string> = [ComputedAliases<E>] extends [never] ? T : T & ComputedProperties<E>;

/**
 * The properties that the `$compute` text `E` adds to a row, `unknown` and optional as in
 * {@link WithComputed}: what an expand's `compute()` adds to the expanded rows, whose type is the
 * related entity's, not its builder's.
 */
export type ComputedProperties<E extends string> = { [A in ComputedAliases<E>]?: unknown };

/**
 * The rows of a query with `$apply`: what its transformations make of the entities (groups, their
 * aggregates, computed values), which the text alone does not tell; `select()` after `apply()`
 * narrows them to the names it is given.
 */
export type AppliedRow = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Bound operations

/** The operations of member `M` of the shape of `T` (`never` when it names none). */
export type ShapeOperations<T, M extends "actions" | "functions" | "collectionActions" | "collectionFunctions"> =
  ShapeOf<T> extends { [P in M]: infer O } ? (O extends BoundOperation ? O : never) : never;

/** The operation named `N` among the operations `O`. */
export type OperationNamed<O, N> = O extends { name: N } ? O : never;

/** What the operation `N` of member `M` of the shape of `T` resolves with. */
export type OperationResult<T, M extends "actions" | "functions" | "collectionActions" | "collectionFunctions", N> = 0 extends 1 & T
  ? any // eslint-disable-line @typescript-eslint/no-explicit-any -- a query of `any` entities stays assignable from typed ones
  : OperationNamed<ShapeOperations<T, M>, N>["result"];

/** The parameters (an object type) of the operation `N` of member `M` of the shape of `T`. */
export type OperationParams<T, M extends "actions" | "functions" | "collectionActions" | "collectionFunctions", N> = OperationNamed<
  ShapeOperations<T, M>,
  N
>["parameters"];

/**
 * The name an untyped `action()`/`function()` call accepts: any name but those the shape types
 * (`Typed`), so that a typed operation called with wrong parameters does not fall back to the
 * untyped form.
 */
export type UntypedName<N extends string, Typed> = N extends Typed ? never : N;
