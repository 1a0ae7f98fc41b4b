/**
 * Nested `$expand` options: the immutable builder that `expand(nav, (q) => ...)` passes in. OData
 * v4 nests options in parentheses; OData v2 has only `$select` and `$expand` below an expanded
 * property (written as paths such as `Author/Name`), so other nested options are refused there.
 */
import { ODataClientError } from "../errors.js";
import type { ODataVersion } from "../options.js";
import { requireV4, type FilterBuilder, type FilterExpression, type OrderByExpression } from "./filter.js";
import { isV2 } from "./literal-format.js";
import { checkPath } from "./names.js";
import {
  addFilter,
  addOrderBy,
  addSelect,
  checkCount,
  checkFlag,
  checkOptionText,
  filterText,
  orderByTarget,
  type ExpandItem,
  type FilterInput,
  type QueryOptionsState,
  type SortDirection,
} from "./state.js";
import type {
  ComputedProperties,
  ExpandPath,
  Expansion,
  Unexpanded,
  FilterFieldPath,
  RelatedType,
  Selected,
  SelectItem,
  ValidOrderByPath,
  ValidSelect,
  WithComputed,
} from "./types.js";

/**
 * The callback of `expand()`: receives the nested options builder and returns it refined. What it
 * selects and expands (`S`, `X`) shapes the expanded property in the result rows; `Root` is the
 * entity of the query expanding, at any depth, which its filter names as `$it`.
 */
export type ExpandBuilder<R, S extends string = never, X = {}, Root = R> = (q: ExpandQuery<R, never, {}, Root>) => ExpandQuery<R, S, X, Root>;

/** The rows of the related type `R` that a nested expand builder returning `ExpandQuery<R, S, X>` gives. */
export type ExpandRows<R, S extends string, X> = Selected<R, S, X>;

/**
 * The options of one expanded navigation property. Immutable: every call returns a new value.
 * @typeParam T - the related entity type.
 * @typeParam S - the names given to `select()` so far (`never`: none, all properties).
 * @typeParam X - the navigation properties expanded so far, with their rows.
 * @typeParam Root - the entity of the collection or entity that the query's resource path names,
 * however deep the expand: in a nested filter or orderBy `$it/...` names its properties, while
 * `$this/...` names the expanded entity's (OData URL Conventions 4.01 §5.1.3). A builder written
 * as a function of its own, `(q: ExpandQuery<Author>) => ...`, is still one for
 * `expand("author", ...)` of any query; its filter's `$it/...` paths are then checked against
 * `Author`.
 * @example
 * q.expand("author", (a) => a.select("name").expand("books", (b) => b.orderBy("year", "desc").top(3)))
 */
export class ExpandQuery<T = Record<string, unknown>, in out S extends string = never, out X = {}, Root = T> {
  readonly #version: ODataVersion;
  readonly #options: QueryOptionsState;

  // As FilterBuilder's, the variance is written out where it can be, so that the compiler need not
  // measure it member by member (once per program that infers an `expand()` builder), a measure
  // that found no parameter to matter. `S` is invariant: no selection stands for another (`never`
  // is every property); the compiler checks no `in out`, which lets nothing through. `X` only adds
  // to the rows, `out` as the compiler checks. `T` cannot be annotated (a nested `expand()` builds on
  // `RelatedType<T, K>`, which the compiler cannot relate for two `T`s): `entity` makes its measure
  // covariant. `Root` is left to the measure, which finds it free, because `filter()` and
  // `orderBy()` take it as the default of their own `R`: a builder written for the related entity
  // alone still fits any query.

  /** Never set: the type of the related entity the options are for, for the compiler alone. */
  declare protected readonly entity?: T | undefined;

  /** @internal Made by `expand()`. */
  constructor(version: ODataVersion, options: QueryOptionsState = {}) {
    this.#version = version;
    this.#options = options;
  }

  /** @internal The nested options collected so far. */
  get options(): QueryOptionsState {
    return this.#options;
  }

  /** Nested `$select`. */
  select<const F extends SelectItem<T>>(...fields: (F & ValidSelect<T, F>)[]): ExpandQuery<T, S | F, X, Root> {
    return this.#next<S | F>(addSelect(this.#options, fields, "expand select(fields)"));
  }

  /** Nested `$filter` (OData v4). */
  filter<R = Root>(expression: FilterInput<T, R, T>): ExpandQuery<T, S, X, Root> {
    this.#nestedV4("$filter");
    // The builder that filterText makes is one for any Root: the $it/... paths are checked by the
    // compiler alone.
    return this.#next(addFilter(this.#options, filterText(expression as FilterInput<T>, this.#version, "expand filter(expression)")));
  }

  /**
   * Nested `$orderby` (OData v4): a path to a primitive property or an expression, as the query's own `orderBy()` takes.
   * @typeParam Q - the path of the bare `f.field(path)` that the function form returns, if it does, inferred and checked.
   */
  orderBy<P extends FilterFieldPath<T>, R = Root, Q extends string = never>(
    field: (P & ValidOrderByPath<T, P, R, T>) | ((f: FilterBuilder<T, R, T>) => OrderByExpression<T, Q, R, T>),
    direction?: SortDirection,
  ): ExpandQuery<T, S, X, Root> {
    this.#nestedV4("$orderby");
    const where = "expand orderBy(field)";
    return this.#next(addOrderBy(this.#options, orderByTarget(field as string | ((f: FilterBuilder<T>) => FilterExpression), this.#version, where), direction, where));
  }

  /** Nested `$top` (OData v4). */
  top(n: number): ExpandQuery<T, S, X, Root> {
    this.#nestedV4("$top");
    return this.#next({ ...this.#options, top: checkCount(n, "top(n)") });
  }

  /** Nested `$skip` (OData v4). */
  skip(n: number): ExpandQuery<T, S, X, Root> {
    this.#nestedV4("$skip");
    return this.#next({ ...this.#options, skip: checkCount(n, "skip(n)") });
  }

  /** Nested `$count=true` (OData v4; `count(false)`, which sends nothing, on v2 too). */
  count(enabled = true): ExpandQuery<T, S, X, Root> {
    // count(false) sends nothing, so OData v2 takes it too (code shared by both versions).
    if (enabled) this.#nestedV4("$count");
    return this.#next({ ...this.#options, count: checkFlag(enabled, "count(enabled)") });
  }

  /** Nested `$search` (OData v4). */
  search(expression: string): ExpandQuery<T, S, X, Root> {
    this.#nestedV4("$search");
    return this.#next({ ...this.#options, search: checkOptionText(expression, "expand search(expression)", "search") });
  }

  /**
   * Nested `$compute` items (OData v4); several calls append. As the query's own `compute()`, the
   * aliases of a literal text are properties that `select()`, `filter()` and `orderBy()` may name,
   * and the expanded rows carry them, `unknown` and optional ({@link WithComputed}).
   * @typeParam C - the properties of the aliases of `E`, worked out from it: a type parameter of
   * its own rather than a type in the result, so that the compiler, which compares the builder's
   * methods to learn how a builder type relates to another, need not read the text's aliases.
   */
  compute<const E extends string, C = ComputedProperties<E>>(expression: E): ExpandQuery<T & C, S, X & C, Root> {
    this.#nestedV4("$compute");
    const text = checkOptionText(expression, "expand compute(expression)");
    // The rows of an expand are those of the related type (the callback's), so the aliases go with
    // the expansions X, which the rows take in whole, as well as into the type the paths are of.
    return new ExpandQuery<T & C, S, X & C, Root>(this.#version, { ...this.#options, compute: [...(this.#options.compute ?? []), text] });
  }

  /** `$levels` of a recursive expand: a positive integer or `"max"` (OData v4). */
  levels(n: number | "max"): ExpandQuery<T, S, X, Root> {
    this.#nestedV4("$levels");
    const levels = n === "max" ? n : checkCount(n, "levels(n)");
    if (levels === 0) throw new RangeError('levels(n): expected a positive integer or "max"; got 0');
    return this.#next({ ...this.#options, levels });
  }

  /**
   * A nested `$expand`; as the query's own `expand()`, a later expand of a navigation property
   * replaces the earlier one, and a path may end in `/$count` or `/$ref` (OData v4).
   */
  expand<const K extends ExpandPath<T>, NS extends string = never, NX = {}>(
    nav: K,
    build?: ExpandBuilder<RelatedType<T, K>, NS, NX, Root>,
  ): ExpandQuery<T, S, Unexpanded<X, K> & Expansion<T, K, Selected<RelatedType<T, K>, NS, NX>, X>, Root> {
    return this.#next<S, Unexpanded<X, K> & Expansion<T, K, Selected<RelatedType<T, K>, NS, NX>, X>>(
      addExpand(this.#options, this.#version, nav, build, "expand expand(nav)"),
    );
  }

  #next<S2 extends string = S, X2 = X>(options: QueryOptionsState): ExpandQuery<T, S2, X2, Root> {
    return new ExpandQuery<T, S2, X2, Root>(this.#version, options);
  }

  #nestedV4(option: string): void {
    if (isV2(this.#version)) {
      throw new ODataClientError(
        "UNSUPPORTED_BY_VERSION",
        `expand(nav, q => q...): a nested ${option} does not exist in OData ${this.#version}; below an expanded navigation property OData v2 allows only select() and expand()`,
      );
    }
  }
}

/**
 * A new state with an `$expand` item added (an item for the same navigation property is replaced,
 * so the later call wins). A path of navigation properties (`author/books`) is kept as nested
 * items (`author` expanding `books`), placed below an item of its first segment if there is one:
 * OData v4 allows no navigation property before the last one of an expand path (ABNF
 * `expandPath`), so it is written `author($expand=books)`, and v2 writes the nested items back as
 * the path. The library has no `$metadata` here, so every segment is taken for a navigation
 * property (the typed `expand()` asks for one first); only a type cast, a segment with a dot,
 * stays with the property before it (`author/NS.Writer`).
 */
export function addExpand<S extends QueryOptionsState, R, NS extends string, NX, Root>(
  state: S,
  version: ODataVersion,
  nav: unknown,
  build: ExpandBuilder<R, NS, NX, Root> | undefined,
  where: string,
): S {
  const path = checkPath(nav, where, { star: true, count: true, ref: true, call: "expand" });
  // `Items/$count` (the number of related entities) and `Items/$ref` (their references) give no entities.
  const leaf = /\/\$(?:ref|count)$/.exec(path)?.[0];
  const star = path.endsWith("*");
  // OData v2 expands named navigation properties only; `*`, `/$ref` and `/$count` came with v4.
  if (star || leaf) requireV4(version, where, `"${leaf ?? "*"}" in $expand`);
  let options: QueryOptionsState = {};
  if (build !== undefined) {
    if (typeof build !== "function") throw new TypeError(`${where}: the second argument must be a function (q) => q.select(...)...`);
    const result: unknown = build(new ExpandQuery<R, never, {}, Root>(version));
    if (!(result instanceof ExpandQuery)) {
      throw new TypeError(`${where}: the function must return the nested query it was given (after select(), filter()...)`);
    }
    options = result.options;
    // What OData writes after the item (ABNF expandItem): after `*`, `$levels` alone (SAP CAP's
    // whole process dies on `*($select=ID)`); after `/$count`, `$filter` and `$search`; after
    // `/$ref`, those and `$orderby`, `$skip`, `$top` and `$count`. The state's names are the
    // calls' own, but `filters`.
    const allowed = star ? ["levels"] : leaf && ["filters", "search", "orderBy", "skip", "top", "count"].slice(0, leaf === "/$ref" ? 6 : 2);
    const refused = allowed && Object.keys(options).find((name) => !allowed.includes(name));
    if (refused) throw new TypeError(`${where}: expand("${star ? "*" : path}") ${star ? "allows only levels(n)" : `takes no ${refused}()`}`);
  }
  return { ...state, expand: placeExpand(state.expand ?? [], path, options) };
}

// The first step of an expand path: one navigation property with the type casts (segments with a
// dot) after it, and before it when the path starts with one (`NS.Special/author/NS.Writer`). A
// cast segment matches one way only (up to its first dot), so a long path cannot backtrack much.
const FIRST_STEP = /^(?:[^/.]*\.[^/]*\/)*[^/.]+(?:\/[^/.]*\.[^/]*)*(?=\/|$)/;

/**
 * The items with `options` expanded at `path`: its last step replaces an item of the same
 * navigation property (the later call wins, whether it expands the entities, their references
 * `/$ref` or their number `/$count`, which stay in the item's path); an earlier step is expanded
 * with the rest of the path below it, in the item there or in a new one. The changed item moves to
 * the end (the order of `$expand` items means nothing).
 */
function placeExpand(items: readonly ExpandItem[], path: string, options: QueryOptionsState): ExpandItem[] {
  const step = FIRST_STEP.exec(path)?.[0] ?? path;
  const below = path.slice(step.length + 1);
  const parent = items.find((item) => item.path === step);
  const placed: ExpandItem = below && below[0] !== "$" ? { path: step, options: { ...parent?.options, expand: placeExpand(parent?.options.expand ?? [], below, options) } } : { path, options };
  return [...items.filter((item) => FIRST_STEP.exec(item.path)?.[0] !== step), placed];
}
