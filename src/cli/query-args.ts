/**
 * The query options of `query`, `count`, `get` and `export`, turned into library calls: the
 * options are OData's own syntax (`--filter "stock gt 0"`, `--orderby "title desc"`,
 * `--expand "author($select=name)"`), and each becomes the builder call that writes it.
 */
import { ODataClientError, type CollectionQuery, type EntityQuery, type ExpandQuery, type FilterBuilder, type FilterExpression, type ServiceModel, type SortDirection } from "../index.js";
import { flag, integerOption, stringOption, type OptionSpec, type ParsedArgs } from "./args.js";
import { CliUsageError } from "./errors.js";
import { columnsOf } from "./formats.js";
import { splitOutside } from "../util/split-outside.js";
import { RAW_TEXT_ADVICE } from "../query/raw-text.js";

/** The options that shape a collection query. */
export const QUERY_OPTIONS: Record<string, OptionSpec> = {
  filter: { type: "string", value: "EXPR", help: '$filter, e.g. "stock gt 0 and contains(title,\'odata\')"' },
  select: { type: "string", value: "A,B", help: "$select: the properties to read" },
  expand: { type: "string", value: "NAV", help: '$expand, nested options in parentheses: "author($select=name)"' },
  orderby: { type: "string", value: "ITEMS", help: '$orderby, e.g. "title desc,ID"' },
  top: { type: "string", value: "N", help: "$top: at most N entities" },
  skip: { type: "string", value: "N", help: "$skip: leave out the first N" },
  search: { type: "string", value: "TEXT", help: "$search (OData v4)" },
  "page-size": { type: "string", value: "N", help: "ask for pages of N entities (Prefer: odata.maxpagesize, v4)" },
};

/** The non-empty parts of `text` at `separator` outside parentheses and string literals, trimmed. */
function splitTopLevel(text: string, separator: string): string[] {
  return splitOutside(text, separator).map((part) => part.trim()).filter((part) => part !== "");
}

/** `$select` items of a comma-separated list. */
function selectList(text: string | undefined): string[] {
  return text === undefined ? [] : splitTopLevel(text, ",");
}

/**
 * The navigation paths of an `$expand` text (without their nested options). A path to the
 * references (`author/$ref`) is the navigation property's: the row holds them in its member.
 */
function expandPaths(text: string | undefined): string[] {
  return text === undefined ? [] : splitTopLevel(text, ",").map((item) => item.replace(/\(.*$/s, "").trim().replace(/\/\$ref$/, ""));
}

/** What `orderBy` of a collection query and of a nested expand have in common. */
interface Ordering<Q> {
  orderBy(field: string | ((f: FilterBuilder) => FilterExpression), direction?: SortDirection): Q;
}

/** The builder calls of one `$orderby` text, applied to `query` (a collection or a nested expand). */
function applyOrderBy<Q extends Ordering<Q>>(query: Q, text: string): Q {
  let result = query;
  for (const item of splitTopLevel(text, ",")) {
    const match = /^(.*?)(?:\s+(asc|desc))?$/is.exec(item);
    const target = (match?.[1] ?? item).trim();
    const direction = match?.[2]?.toLowerCase() as SortDirection | undefined;
    const isPath = /^[\p{L}_][\p{L}\p{N}_]*(?:\/[\p{L}_][\p{L}\p{N}_.]*)*$/u.test(target);
    result = isPath ? result.orderBy(target, direction) : result.orderBy((f) => f.raw(target), direction);
  }
  return result;
}

/** Adds one expand item to a query (a collection or a nested expand). */
type AddExpand<Q> = (query: Q, path: string, build?: (q: ExpandQuery) => ExpandQuery) => Q;

/** Applies an `$expand` text (items with nested options in parentheses) to a query. */
function applyExpand<Q>(query: Q, text: string, add: AddExpand<Q>): Q {
  let result = query;
  for (const item of splitTopLevel(text, ",")) {
    const open = item.indexOf("(");
    if (open < 0) {
      result = add(result, item);
      continue;
    }
    if (!item.endsWith(")")) throw new CliUsageError(`--expand: ${JSON.stringify(item)} opens a parenthesis it does not close at its end`);
    const nested = item.slice(open + 1, -1);
    result = add(result, item.slice(0, open).trim(), (q) => applyNested(q, nested));
  }
  return result;
}

// Field names are checked at run time here: the command line knows no entity types to check them against.
const addToCollection: AddExpand<CollectionQuery> = (query, path, build) => query.expand(path, build as never);
const addToExpand: AddExpand<ExpandQuery> = (query, path, build) => query.expand(path, build as never);
const addToEntity: AddExpand<EntityQuery> = (query, path, build) => query.expand(path, build as never);

/** The nested options of an expand item: `$select=a,b;$filter=...;$orderby=...;$top=n;$skip=n;$count=true;$search=...;$compute=...;$levels=n;$expand=...`. */
function applyNested(query: ExpandQuery, text: string): ExpandQuery {
  let result = query;
  for (const option of splitTopLevel(text, ";")) {
    const equals = option.indexOf("=");
    const name = (equals < 0 ? option : option.slice(0, equals)).trim().replace(/^\$/, "").toLowerCase();
    const value = equals < 0 ? "" : option.slice(equals + 1).trim();
    switch (name) {
      case "select":
        result = result.select(...(selectList(value) as never[]));
        break;
      case "filter":
        result = result.filter(value);
        break;
      case "orderby":
        result = applyOrderBy(result, value);
        break;
      case "top":
      case "skip": {
        if (!/^\d+$/.test(value)) throw new CliUsageError(`--expand: $${name} must be an integer; got ${JSON.stringify(value)}`);
        result = name === "top" ? result.top(Number(value)) : result.skip(Number(value));
        break;
      }
      case "count":
        result = result.count(value !== "false");
        break;
      case "expand":
        result = applyExpand(result, value, addToExpand);
        break;
      case "search":
        result = result.search(value);
        break;
      case "compute":
        result = result.compute(value);
        break;
      case "levels": {
        if (value !== "max" && !/^[1-9]\d*$/.test(value)) throw new CliUsageError(`--expand: $levels must be a positive integer or max; got ${JSON.stringify(value)}`);
        result = result.levels(value === "max" ? "max" : Number(value));
        break;
      }
      default:
        throw new CliUsageError(`--expand: the nested option ${JSON.stringify(option)} is not one of $select, $filter, $orderby, $top, $skip, $count, $search, $compute, $levels, $expand`);
    }
  }
  return result;
}

/**
 * The builder call of one option: a mistake the library finds in its text (`select(fields): the
 * string "ID title" is not ...`) is told as the option's (`--select: the string ...`), exit 2.
 */
function inOption<T>(option: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    // The library's refusal of an option the OData version lacks is a usage mistake too.
    const unsupported = error instanceof ODataClientError && error.code === "UNSUPPORTED_BY_VERSION";
    if (!(error instanceof TypeError || error instanceof RangeError || unsupported)) throw error;
    // The library names its builder calls ("select(fields): ", "expand select(fields): "): the option stands for them.
    // Raw text's advice is the filter builder's, which the command line has not: the option's text is the raw text.
    const unlabelled = error.message.replace(/^(?:[\w$]+ )*[\w$]+\([\w$]*\): /, "");
    const message = unlabelled.endsWith(RAW_TEXT_ADVICE) ? unlabelled.slice(0, -RAW_TEXT_ADVICE.length) : unlabelled;
    throw new CliUsageError(`--${option}: ${message.replace(/^expand\(nav, q => q\.\.\.\): /, "")}`, { cause: error });
  }
}

/** What `buildQuery` may add. */
export interface QueryParts {
  /** `--top` and `--skip` (not for `count`, nor for partitioned exports). */
  paging?: boolean;
  /** `--count` (`$count=true`). */
  count?: boolean;
}

/**
 * A query option's text, refused when blank: `--select "$COLUMNS"` with the variable unset would
 * read every property without a word (as `--expand ""` would expand nothing and `--orderby ""`
 * sort by nothing), where the library refuses an empty `--filter` or `--search` itself.
 */
function queryText(args: ParsedArgs, name: string): string | undefined {
  const text = stringOption(args, name);
  if (text?.trim() === "") throw new CliUsageError(`--${name} is empty; give what it names, or leave it out`);
  return text;
}

/** The collection query the options describe. */
export function buildQuery(base: CollectionQuery, args: ParsedArgs, parts: QueryParts = {}): CollectionQuery {
  let query = base;
  const filter = stringOption(args, "filter");
  if (filter !== undefined) query = inOption("filter", () => query.filter(filter));
  const search = stringOption(args, "search");
  if (search !== undefined) query = inOption("search", () => query.search(search));
  const select = queryText(args, "select");
  if (select !== undefined) query = inOption("select", () => query.select(...(selectList(select) as never[])));
  const expand = queryText(args, "expand");
  if (expand !== undefined) query = inOption("expand", () => applyExpand(query, expand, addToCollection));
  const orderby = queryText(args, "orderby");
  if (orderby !== undefined) query = inOption("orderby", () => applyOrderBy(query, orderby));
  if (parts.paging !== false) {
    const skip = integerOption(args, "skip", 0);
    if (skip !== undefined) query = query.skip(skip);
    const top = integerOption(args, "top", 0);
    if (top !== undefined) query = query.top(top);
  }
  if (parts.count && flag(args, "count")) query = query.count();
  return query;
}

/**
 * The rows a walk with `--skip` and `--top` reads of a collection of `count` entities (what
 * `$count` and `@odata.count` say, which count the whole collection whatever $top and $skip say,
 * OData URL Conventions on $count): the total of the progress bar and its ETA.
 */
export function rowsToRead(count: number | undefined, args: ParsedArgs): number | undefined {
  if (count === undefined) return undefined;
  const left = Math.max(0, count - (integerOption(args, "skip", 0) ?? 0));
  const top = integerOption(args, "top", 0);
  return top === undefined ? left : Math.min(left, top);
}

/**
 * What to say of `--page-size` given to an OData v2 service: it has no way to ask for a page size
 * (`Prefer: odata.maxpagesize` is v4's), so its own paging applies. A warning, where `--search` is
 * refused: without `$search` the rows would be others, without the page size only their pages are.
 */
export function pageSizeWarning(args: ParsedArgs, version: string): string | undefined {
  if (version !== "2.0" || args.values["page-size"] === undefined) return undefined;
  return "--page-size is left out: OData v2 has no way to ask for a page size (Prefer: odata.maxpagesize is v4's), so the service pages as it does";
}

/** The entity query with `--select` and `--expand` (for `get`). */
export function buildEntityQuery(base: EntityQuery, args: ParsedArgs): EntityQuery {
  let query = base;
  const select = queryText(args, "select");
  if (select !== undefined) query = inOption("select", () => query.select(...(selectList(select) as never[])));
  const expand = queryText(args, "expand");
  if (expand !== undefined) query = inOption("expand", () => applyExpand(query, expand, addToEntity));
  return query;
}

/**
 * The columns of a CSV file or a table: the `$select` items plus the expanded navigation
 * properties (for `--expand *` those of the type, from `$metadata`); else the entity type's
 * properties (and the expanded ones) from `$metadata`; else `undefined`, and the first entity's
 * own properties decide. A `*` among the `$select` items stands
 * for the type's properties, after the items named (each column once); without `$metadata` the
 * first entity's properties decide then too. A property of type `Edm.Stream` is a column only when
 * `$select` names it: the service sends no value for it in the row (its media links are annotations).
 */
export function declaredColumns(args: ParsedArgs, set: string, model: ServiceModel | undefined): string[] | undefined {
  const items = selectList(stringOption(args, "select"));
  const named = items.filter((item) => item !== "*");
  const paths = expandPaths(stringOption(args, "expand"));
  let expanded = paths.filter((path) => path !== "*");
  if (expanded.length < paths.length) {
    // `--expand *` expands every navigation property: `$metadata` names them, else the first
    // entity's properties decide (they hold what was expanded).
    const navigation = navigationNames(set, model);
    if (navigation === undefined) return undefined;
    expanded = [...expanded, ...navigation];
  }
  if (named.length > 0 && named.length === items.length) return [...new Set([...named, ...expanded])];
  const properties = typeProperties(set, model);
  return properties === undefined ? undefined : [...new Set([...named, ...properties, ...expanded])];
}

/** The names of the properties of the set's entity type, but its streams; `undefined` without them. */
function typeProperties(set: string, model: ServiceModel | undefined): string[] | undefined {
  const entitySet = model?.entitySet(set);
  if (!model || !entitySet) return undefined;
  try {
    return model
      .propertiesOf(model.entityTypeOf(entitySet))
      .filter((property) => property.type !== "Edm.Stream" || property.collection)
      .map((property) => property.name);
  } catch {
    return undefined;
  }
}

/** The names of the navigation properties of the set's entity type; `undefined` without them. */
function navigationNames(set: string, model: ServiceModel | undefined): string[] | undefined {
  const entitySet = model?.entitySet(set);
  if (!model || !entitySet) return undefined;
  try {
    return model.navigationPropertiesOf(model.entityTypeOf(entitySet)).map((property) => property.name);
  } catch {
    return undefined;
  }
}

/** The columns for rows: the declared ones, or the first entity's own. */
export function columnsFor(declared: string[] | undefined, first: Record<string, unknown> | undefined): string[] {
  return declared ?? columnsOf(first);
}
