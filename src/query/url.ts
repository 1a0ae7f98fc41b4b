/**
 * Building request URLs from query state: pure functions of the service root, the OData version and
 * the state. Each system query option value is percent-encoded on its own, so whatever a literal
 * holds (`&`, `#`, `+`, `%`, `?`, line breaks, any Unicode) reaches the service as the same text.
 */
import type { ODataVersion } from "../options.js";
import { checkWellFormed, isV2 } from "./literal-format.js";
import type { EntityState, ExpandItem, QueryOptionsState, QueryState } from "./state-types.js";
import { urlBelowRoot } from "../util/service-root.js";
import { checkIdentifier } from "./names.js";
import { ODataClientError } from "../errors.js";

/** One `name=value` pair of a query string, before encoding. */
export type QueryOption = readonly [name: string, value: string];

// The escapes encodeURIComponent makes of characters that are safe, and easier to read, inside a
// query option value (`$select=a,b`, `$expand=A($select=x;$top=1)`, `Tags/any(t:t/Name eq 'x')`)
// or a key predicate: `$ , / : ; = @` and `$ , : = @`. Each is decoded back to its character.
// `&`, `#`, `+`, `%`, `?`, spaces and everything non-ASCII stay escaped.
const READABLE_IN_QUERY = /%(?:24|2C|2F|3A|3B|3D|40)/g;
const READABLE_IN_PATH = /%(?:24|2C|3A|3D|40)/g;

/**
 * Percent-encodes one query option value. `'` is escaped as well (the URL parser would do so for
 * http URLs anyway), so the result is what a request actually carries.
 */
export function encodeQueryValue(text: string): string {
  checkWellFormed(text, "a query option value");
  return encodeURIComponent(text)
    .replace(READABLE_IN_QUERY, (escape) => decodeURIComponent(escape))
    .replaceAll("'", "%27");
}

/**
 * Percent-encodes a key predicate for the URL path. `/`, `?`, `#`, `%` and spaces inside key
 * values are escaped, so a key can never add a path segment or start the query.
 */
export function encodePathText(text: string): string {
  checkWellFormed(text, "a URL path segment");
  return encodeURIComponent(text).replace(READABLE_IN_PATH, (escape) => decodeURIComponent(escape));
}

/** Joins options into a query string (without `?`); empty when there are none. */
export function formatQueryString(options: readonly QueryOption[]): string {
  return options.map(([name, value]) => `${encodeQueryValue(name)}=${encodeQueryValue(value)}`).join("&");
}

function filterValue(filters: readonly string[]): string {
  // One expression goes as it is; several are each parenthesised so that an `or` in one cannot
  // swallow the others.
  return filters.length === 1 ? (filters[0] as string) : filters.map((text) => `(${text})`).join(" and ");
}

/** The system query options of a state, in the order they are sent, for `version`. */
export function formatQueryOptions(state: QueryOptionsState, version: ODataVersion): QueryOption[] {
  const options: QueryOption[] = [];
  const v2 = isV2(version);
  if (state.filters?.length) options.push(["$filter", filterValue(state.filters)]);
  if (state.search !== undefined) options.push(["$search", state.search]);
  if (v2) {
    const { select, expand } = flattenForV2(state);
    if (select.length) options.push(["$select", select.join(",")]);
    if (expand.length) options.push(["$expand", expand.join(",")]);
  } else {
    if (state.select?.length) options.push(["$select", state.select.join(",")]);
    if (state.expand?.length) options.push(["$expand", state.expand.map(formatExpandItem).join(",")]);
  }
  if (state.orderBy?.length) options.push(["$orderby", state.orderBy.join(",")]);
  if (state.skip !== undefined) options.push(["$skip", String(state.skip)]);
  if (state.top !== undefined) options.push(["$top", String(state.top)]);
  if (state.count) options.push(v2 ? ["$inlinecount", "allpages"] : ["$count", "true"]);
  if (state.apply?.length) options.push(["$apply", state.apply.join("/")]);
  if (state.compute?.length) options.push(["$compute", state.compute.join(",")]);
  for (const param of state.params ?? []) options.push(param);
  return options;
}

/** A v4 `$expand` item: `Path` or `Path($select=...;$filter=...;...)`. */
function formatExpandItem(item: ExpandItem): string {
  const nested: string[] = [];
  const o = item.options;
  if (o.select?.length) nested.push(`$select=${o.select.join(",")}`);
  if (o.filters?.length) nested.push(`$filter=${filterValue(o.filters)}`);
  if (o.search !== undefined) nested.push(`$search=${o.search}`);
  if (o.orderBy?.length) nested.push(`$orderby=${o.orderBy.join(",")}`);
  if (o.skip !== undefined) nested.push(`$skip=${o.skip}`);
  if (o.top !== undefined) nested.push(`$top=${o.top}`);
  if (o.count) nested.push("$count=true");
  if (o.compute?.length) nested.push(`$compute=${o.compute.join(",")}`);
  if (o.expand?.length) nested.push(`$expand=${o.expand.map(formatExpandItem).join(",")}`);
  if (o.levels !== undefined) nested.push(`$levels=${o.levels}`);
  return nested.length ? `${item.path}(${nested.join(";")})` : item.path;
}

/**
 * OData v2 has no nested options: an expand below an expand is the path `A/B`, and a select below
 * one is `A/x`. Once anything is selected, v2 returns only what is selected, so an expanded
 * property must be selected too (whole, unless a selected path already goes through it), and a
 * level without its own select gets `*` (`A/*`). A path selected above a level (`A/x`) is that
 * level's select.
 */
function flattenForV2(state: QueryOptionsState): { select: string[]; expand: string[] } {
  const expand: string[] = [];
  const select = v2Selection("", state, expand);
  return { select, expand };
}

/** The `$select` items of a level at `prefix`; `own` holds the paths selected above it that go through it. */
function v2Selection(prefix: string, options: QueryOptionsState, expandOut: string[], own: string[] = []): string[] {
  for (const field of options.select ?? []) {
    checkV2SelectPath(prefix, field, options.expand ?? []);
    own.push(`${prefix}${field}`);
  }
  const children = (options.expand ?? []).map((item) => {
    const path = `${prefix}${item.path}`;
    if (!item.options.expand?.length) expandOut.push(path);
    // `A/x` selected here selects in A: A gets no `A/*`, and what A expands is selected in it.
    return { path, selection: v2Selection(`${path}/`, item.options, expandOut, own.filter((field) => field.startsWith(`${path}/`))) };
  });
  const restricted = own.length > 0 || children.some((child) => child.selection.length > 0);
  if (!restricted) return [];
  const items = own.length > 0 ? own : [`${prefix}*`];
  // A child with a path through it (`Customer/Name`) has a selection: selected whole beside the
  // path, it would bring all its properties.
  for (const child of children) items.push(...(child.selection.length > 0 ? child.selection : [child.path]));
  return [...new Set(items)];
}

/**
 * Refuses a v2 `$select` path into a complex property (`Address/City`) or through a navigation
 * property the request does not expand (`Customer/Name` without `expand("Customer")`): OData v2
 * selects a complex property whole, and only a navigation property that the request expands may be
 * followed by `/` (MS-ODATA 2.2.3.6.1.11). Without `$metadata` the query cannot tell the two
 * apart, so the message gives both ways out: expand the first segment not expanded, or select it
 * whole. A path is sent where each segment before its last is expanded (`author/books/title` with
 * `expand("author/books")`, or `books` expanded in `author`'s expand); else a service may answer
 * without a word with the property deferred (SAP CAP's v2 adapter does).
 */
function checkV2SelectPath(prefix: string, field: string, expanded: readonly ExpandItem[]): void {
  let path = "";
  for (const segment of field.split("/").slice(0, -1)) {
    // A type cast (`NS.Special/x`) is no property; what follows it is left to the service.
    if (segment.includes(".")) return;
    path += segment;
    if (!isExpanded(path, expanded)) {
      const select = `select("${field}")`;
      throw new ODataClientError(
        "UNSUPPORTED_BY_VERSION",
        `${prefix ? `expand("${prefix.slice(0, -1)}", q => q.${select})` : select}: OData 2.0 follows only an expanded navigation property in $select: expand("${path}"), or select "${path}" whole`,
      );
    }
    path += "/";
  }
}

/** Whether `path` (`A/B`) is expanded by `items`: as an item's path or the start of one, or below one. */
function isExpanded(path: string, items: readonly ExpandItem[]): boolean {
  return items.some((item) => `${item.path}/`.startsWith(`${path}/`) || (path.startsWith(`${item.path}/`) && isExpanded(path.slice(item.path.length + 1), item.options.expand ?? [])));
}

/** An absolute URL for an encoded path below the service root and query options. */
export function resourceUrl(serviceUrl: URL, path: string, options: readonly QueryOption[]): URL {
  const url = urlBelowRoot(serviceUrl, path);
  const query = formatQueryString(options);
  if (query) url.search = `?${query}`;
  return url;
}

function entitySetPath(entitySet: string): string {
  return encodePathText(entitySet);
}

/** The encoded path of a collection below the service root: `Books`, or `Books(1)/reviews` after navigation. */
export function collectionPath(state: { readonly entitySet: string; readonly parentPath?: string | undefined }): string {
  const own = entitySetPath(state.entitySet);
  return state.parentPath === undefined ? own : `${state.parentPath}/${own}`;
}

/**
 * The encoded path of an entity below the service root: `Books(1)`, `Books/1` (a key as a segment),
 * `Me` (a singleton), `Books(1)/author`. A key segment's text is encoded as a whole, its `/` too.
 */
export function entityPath(state: { readonly entitySet: string; readonly parentPath?: string | undefined; readonly keyPredicate: string }): string {
  const key = state.keyPredicate;
  return `${collectionPath(state)}${key.startsWith("/") ? `/${encodePathText(key.slice(1))}` : encodePathText(key)}`;
}

/**
 * The encoded path of a media resource: the entity's `$value` (a media entity), or a stream
 * property (`Books(1)/cover`), whose name is checked (a `TypeError` naming `media(property)`).
 */
export function mediaPath(state: Pick<EntityState, "entitySet" | "parentPath" | "keyPredicate">, property: string | undefined): string {
  if (property === undefined) return `${entityPath(state)}/$value`;
  return `${entityPath(state)}/${encodeURIComponent(checkIdentifier(property, "media(property)"))}`;
}

/** The request URL of a collection query, with all its options. */
export function collectionUrl(serviceUrl: URL, version: ODataVersion, state: QueryState): URL {
  return resourceUrl(serviceUrl, collectionPath(state), formatQueryOptions(state, version));
}

/**
 * The URL of `GET <set>/$count` for a query: every option that decides which entities the query
 * reads goes along, so the number is of those. Besides `$filter` and `$search` (OData 4.01 Part 2
 * §4.8) that is `$apply`, which the Data Aggregation extension (§3) evaluates before `/$count`
 * counts its result, and `$compute`, whose properties `$filter` may name. Ordering, paging, select
 * and expand do not change the number and are left out.
 */
export function countUrl(serviceUrl: URL, version: ODataVersion, state: QueryState): URL {
  const { select, expand, orderBy, top, skip, count, ...counted } = state;
  return resourceUrl(serviceUrl, `${collectionPath(state)}/$count`, formatQueryOptions(counted, version));
}

/**
 * The custom query options of the query a write or media request is made from (`sap-client`), which
 * go with it as they go with the query's reads and operations; its parameter aliases (`@p`), which
 * only a read's or a function's expressions name, do not.
 */
export function customOptions(state: { readonly params?: readonly QueryOption[] | undefined }): readonly QueryOption[] {
  return state.params?.filter(([name]) => !name.startsWith("@")) ?? [];
}

/** The request URL of an entity query, with its `$select`, `$expand` and custom options. */
export function entityUrl(serviceUrl: URL, version: ODataVersion, state: EntityState): URL {
  return resourceUrl(serviceUrl, entityPath(state), formatQueryOptions(state, version));
}
