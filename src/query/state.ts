/**
 * The immutable state behind queries, and the pure functions that derive a new state from an old
 * one. Query classes are thin shells around these: every builder call is `new Query(core, next)`.
 * Expressions are turned into text when they are added, with the client's OData version, so a state
 * is plain data that URL building reads without further context (its shapes: state-types.ts).
 */
import type { ODataVersion } from "../options.js";
import { builderExpression, createFilterBuilder, expressionText, requireV4, type FilterBuilder, type FilterExpression } from "./filter.js";
import { checkWellFormed, formatLiteral, isV2 } from "./literal-format.js";
import { checkPath, checkQualifiedName } from "./names.js";
import { checkRawExpression, checkRawSearch } from "./raw-text.js";
import { formatQueryOptions } from "./url.js";
import { describe } from "../util/values.js";
import { isQualifiedName } from "../util/identifiers.js";
import type { EntityState, QueryOptionsState, QueryState } from "./state-types.js";

export type { EntityState, ExpandItem, QueryOptionsState, QueryState } from "./state-types.js";

/**
 * What `filter()` accepts: raw text, an expression, or a function of the filter builder (whose
 * `$it/...` paths are of `Root` and `$this/...` paths of `This`, see {@link FilterBuilder}).
 */
export type FilterInput<T, Root = T, This = Root> = string | FilterExpression | ((f: FilterBuilder<T, Root, This>) => FilterExpression);

/** The sort direction of `orderBy`. */
export type SortDirection = "asc" | "desc";

/** Turns a filter input into text for `version`. */
export function filterText<T>(input: FilterInput<T>, version: ODataVersion, where: string): string {
  if (typeof input === "function") return builtText(input, version, where);
  const text = expressionText(input, version, where);
  checkWellFormed(text, where);
  // Expressions from the builder are whole by construction (f.raw checks its text when made).
  if (typeof input === "string") checkRawExpression(text, where);
  return text;
}

/** The text of the expression that `build`, the function given to `filter()` or `orderBy()`, returns. */
function builtText<T>(build: (f: FilterBuilder<T>) => unknown, version: ODataVersion, call: string): string {
  const where = `${call} result`;
  return expressionText(builderExpression(build(createFilterBuilder<T>(version)), where), version, where);
}

/** A new state with one more `$filter` expression. */
export function addFilter<S extends QueryOptionsState>(state: S, text: string): S {
  return { ...state, filters: [...(state.filters ?? []), text] };
}

/** A new state with more `$select` items (duplicates dropped). */
export function addSelect<S extends QueryOptionsState>(state: S, fields: readonly unknown[], where: string): S {
  const added = fields.map((field) => checkPath(field, where, { star: true, call: "select" }));
  return { ...state, select: [...new Set([...(state.select ?? []), ...added])] };
}

/** A new state with one more `$orderby` item. */
export function addOrderBy<S extends QueryOptionsState>(state: S, item: string, direction: unknown, where: string): S {
  if (direction !== undefined && direction !== "asc" && direction !== "desc") {
    throw new TypeError(`${where}: the direction must be "asc" or "desc"; got ${describe(direction)}`);
  }
  const text = direction === undefined ? item : `${item} ${direction}`;
  return { ...state, orderBy: [...(state.orderBy ?? []), text] };
}

/** The text of an `orderBy` target: a field path, or an expression made with the builder. */
export function orderByTarget<T>(
  target: string | ((f: FilterBuilder<T>) => FilterExpression),
  version: ODataVersion,
  where: string,
): string {
  if (typeof target === "function") return builtText(target, version, where);
  const path = checkPath(target, where, { count: true, variables: true, call: "orderBy" });
  // $count, $it and $this are OData v4's; $this is 4.01's alone, which its field expression carries
  // to the check that a 4.0 query's expressions pass.
  if (path.includes("$")) requireV4(version, where, `the path ${path}`);
  return expressionText(createFilterBuilder(version).field(path), version, where);
}

/** Checks a `$top`/`$skip` count. */
export function checkCount(value: unknown, where: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${where}: expected a non-negative integer; got ${describe(value)}`);
  }
  return value;
}

/** Checks a switch such as `count(enabled)`: a boolean, not something truthy. */
export function checkFlag(value: unknown, where: string): boolean {
  if (typeof value !== "boolean") throw new TypeError(`${where}: expected true or false; got ${describe(value)}`);
  return value;
}


/**
 * Checks raw option text: a `$search` expression (`syntax: "search"`), or a `$apply` or `$compute`
 * expression. It must be one whole expression (see `raw-text.ts`), since the query puts it inside
 * what it builds (a nested `$expand`'s parentheses, for one).
 */
export function checkOptionText(text: unknown, where: string, syntax: "expression" | "search" = "expression"): string {
  if (typeof text !== "string" || text.trim() === "") {
    throw new TypeError(`${where}: expected non-empty text; got ${describe(text)}`);
  }
  checkWellFormed(text, where);
  if (syntax === "search") checkRawSearch(text, where);
  else checkRawExpression(text, where);
  return text;
}

/** A new state with one more `$compute` item (OData v4): `compute(expression)` of a set or an entity. */
export function addCompute<S extends QueryOptionsState>(state: S, expression: unknown, version: ODataVersion): S {
  requireV4(version, "compute(expression)", "$compute");
  return { ...state, compute: [...(state.compute ?? []), checkOptionText(expression, "compute(expression)")] };
}

/**
 * Throws a `TypeError` naming `where` when the query an operation is bound to (`function()`,
 * `action()`, a `$batch` part's `bound`) has system query options or `trackChanges()`: the
 * operation is called on the query's resource without them, so `filter()`, `search()`, `top()`,
 * `skip()` or `apply()` would let an action meant for some rows run on all, and `select()`,
 * `expand()`, `orderBy()`, `count()` or `compute()` would be dropped without a word. So would
 * `trackChanges()`: the track-changes preference asks for the changes of the answer it goes with
 * (OData 4.01 Part 1, 8.2.8.9), which for a bound function is its result, not the set, and an
 * action's answer has none to track. The options are named as sent, in the order a URL sends them
 * (by `formatQueryOptions`, so that there is one list of them). `navigate()` and `navigateOne()`
 * refuse the options of the entity they start from here too, and `key()` those of the set it picks
 * the entity from, each saying `why` in its own words.
 * @example checkWholeSet({ entitySet: "Books", top: 3 }, 'action("NS.a")') // TypeError: action("NS.a"): the query's $top would not be sent: an operation's own query options apply to its result
 */
export function checkWholeSet(state: QueryOptionsState & Pick<QueryState, "trackChanges">, where: string, why = "an operation's own query options apply to its result"): void {
  // Custom options go with the call; the names are v4's whatever the version ($count for v2's $inlinecount).
  const lost = formatQueryOptions({ ...state, params: [] }, "4.0").map(([name]) => name);
  if (state.trackChanges) lost.push("trackChanges()");
  if (lost.length) throw new TypeError(`${where}: the query's ${lost.join(", ")} would not be sent: ${why}`);
}

// System query options have their own builder methods; a custom option must not shadow one.
const MANAGED_OPTIONS = new Set(["filter", "select", "expand", "orderby", "top", "skip", "count", "inlinecount", "search", "apply", "compute", "levels"]);
// The other system query options (OData 4.01 Part 2 §5.1): those the client sends itself
// ($skiptoken and $deltatoken in the links it follows, $id beside a $ref) are refused; `$format`,
// `$index` and `$schemaversion` go as given (the client has no other way to send them), but not
// without `$` on 4.01, where a name meant as a custom option would be read as theirs.
const SENT_BY_CLIENT = new Set(["skiptoken", "deltatoken", "id"]);
const OTHER_SYSTEM_OPTIONS = new Set(["format", "index", "schemaversion"]);
const PARAM_NAME = /^[@$]?[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * A new state with a custom query option or parameter alias set (replacing one of the same name).
 * A number is written as the filter builder writes it for `version` (an alias's value is a literal),
 * or for a custom option as a v4 literal, without v2's type suffixes: exact digits beyond 2^53, no
 * `+` in an exponent.
 */
export function setParam<S extends QueryOptionsState>(state: S, name: unknown, value: unknown, version: ODataVersion): S {
  if (typeof name !== "string" || !PARAM_NAME.test(name)) {
    throw new TypeError(`param(name): ${describe(name)} is not a query option name (letters, digits, "_", "-", ".", optionally after "@" or "$")`);
  }
  // OData 4.01 reads a system query option's name without its `$` and in any case (Part 2 §5);
  // 4.0 and v2 read such a name as a custom option. An alias's `@` keeps its name off the list.
  // (`inlinecount` is v2's and `levels` belongs inside `$expand`: without `$` they are custom.)
  const dollar = name.startsWith("$");
  const system = name.toLowerCase().slice(dollar ? 1 : version === "4.01" ? 0 : name.length);
  const managed = MANAGED_OPTIONS.has(system) && (dollar || (system !== "inlinecount" && system !== "levels"));
  const sent = SENT_BY_CLIENT.has(system);
  if (managed || sent || (!dollar && OTHER_SYSTEM_OPTIONS.has(system))) {
    throw new TypeError(`param(name): ${name} is a system query option${managed ? "; use its builder method" : sent ? " the client sends itself (a saved next link goes as option from)" : `; write $${system} for it`}`);
  }
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
    throw new TypeError(`param(${name}, value): expected a string, number or boolean; got ${describe(value)}`);
  }
  const text = typeof value === "number" ? formatLiteral(value, name.startsWith("@") ? version : "4.0") : String(value);
  checkWellFormed(text, `param(${name}, value)`);
  const params = (state.params ?? []).filter(([existing]) => existing !== name);
  return { ...state, params: [...params, [name, text] as const] };
}

/**
 * A new state whose resource is the one at `path` (encoded) restricted to the derived type `type`
 * (OData v4 URL Conventions, Addressing Derived Types). The cast is one more path segment, so it
 * goes where a navigation goes: `path` becomes the parent and the type name the last segment, and
 * whatever builds a URL from the state (reads, `$count`, keys, writes, bound operations, `$batch`
 * parts) appends it. The options stay: they apply to the cast's result. A state that is a cast
 * already, with no key after it, is refused with a `TypeError` naming both types: OData's resource
 * path takes one type segment after a collection, a key or a single-valued navigation, never two
 * in a row (`Persons/NS.Employee/NS.Manager`); `Persons/NS.Employee(1)/NS.Manager` is a path.
 */
export function castState<S extends { readonly entitySet: string; readonly parentPath?: string; readonly keyPredicate?: string }>(
  state: S,
  path: string,
  type: unknown,
  version: ODataVersion,
): S {
  requireV4(version, "cast(type)", "a type cast segment");
  const name = checkQualifiedName(type, "cast(type)");
  // Only a cast puts a qualified name below a parent: navigations are simple identifiers, and an
  // entity set named with its container's name (`Container.Persons`) has no parent.
  if (state.parentPath !== undefined && !state.keyPredicate && isQualifiedName(state.entitySet)) {
    throw new TypeError(`cast(type): the query is cast to ${state.entitySet} already; OData has no second cast (${name}) right after one`);
  }
  return { ...state, parentPath: path, entitySet: name };
}

/** A copy of the state for reading just the first entity: `$top=1` (or `$top=0` if it already was). */
export function firstEntityState(state: QueryState): QueryState {
  return { ...state, top: Math.min(state.top ?? 1, 1) };
}
