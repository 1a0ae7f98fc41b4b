/**
 * Query options and keys of single-entity requests in the demo service, shared by the product and
 * order handlers (directly and inside a `$batch`): what an entity read honours, and a refusal with
 * an OData error for what it does not.
 */

/** A refusal: the status and OData error of the answer. */
export interface QueryRefusal {
  status: 400 | 501;
  code: string;
  message: string;
  /** The query option the refusal is about, for the error's `target`. */
  target?: string;
}

/** System query options OData defines (Part 2 §5); any other `$name` is unknown. */
const KNOWN_SYSTEM_OPTIONS = new Set([
  "$select", "$expand", "$filter", "$orderby", "$top", "$skip", "$count", "$search", "$format",
  "$compute", "$index", "$schemaversion", "$skiptoken", "$deltatoken", "$apply", "$id",
]);
/** Options that address a collection (or a request other than a read) and mean nothing on one entity. */
const NOT_ON_AN_ENTITY = new Set(["$filter", "$orderby", "$top", "$skip", "$count", "$search", "$skiptoken", "$deltatoken", "$apply", "$index", "$id"]);

/**
 * The `$select` of a single-entity read (undefined: all properties), or why the read is refused.
 * `properties` are the entity type's; it has no navigation properties, so any `$expand` names none
 * (and `$expand=*`, all of them, expands nothing).
 */
export function entityReadOptions<P extends string>(query: URLSearchParams, entityType: string, properties: readonly P[]): { select: P[] | undefined } | QueryRefusal {
  let select: P[] | undefined;
  for (const [name, value] of query) {
    // Custom options (no `$`) and parameter aliases (`@`) are the service's to ignore.
    if (!name.startsWith("$")) continue;
    if (!KNOWN_SYSTEM_OPTIONS.has(name)) return { status: 400, code: "InvalidQuery", message: `${name} is not a system query option of OData` };
    if (NOT_ON_AN_ENTITY.has(name)) return { status: 400, code: "InvalidQuery", message: `${name} does not apply to a single ${entityType}` };
    // `*` asks for every navigation property, and the type has none: nothing to expand (CAP answers
    // such a read as without it).
    if (name === "$expand" && value.trim() === "*") continue;
    if (name === "$expand") return { status: 400, code: "InvalidQuery", message: `$expand names ${JSON.stringify(value)}, but ${entityType} has no navigation properties` };
    if (name === "$format") {
      if (!/^(json|application\/json)(;.*)?$/i.test(value.trim())) return { status: 501, code: "NotImplemented", message: `The demo service answers in JSON only; $format=${value}` };
      continue;
    }
    if (name === "$select") {
      if (value.trim() === "*") continue;
      select = [];
      for (const part of value.split(",").map((text) => text.trim())) {
        if (!properties.includes(part as P)) return { status: 400, code: "InvalidQuery", message: `$select names ${JSON.stringify(part)}, which is not a property of ${entityType}` };
        if (!select.includes(part as P)) select.push(part as P);
      }
      continue;
    }
    return { status: 501, code: "NotImplemented", message: `The demo service does not implement ${name}` };
  }
  return { select };
}

/**
 * The query options of a request's URL, from its query (`search`, with or without the `?`): each
 * name and value percent-decoded (RFC 3986 §2.1) and nothing else. OData's URL syntax lets a `+`
 * stand for itself (its ABNF: SIGN = "+" / "%2B" / "-"), so a `+` is a plus sign here, not the space
 * that HTML forms and `URLSearchParams` read it as: `2024-01-01T00:00:00+01:00` and `'a+b'` arrive
 * as written, sent raw or as `%2B`. A malformed percent-escape is refused (400), not read as text.
 */
export function queryOptions(search: string): URLSearchParams | QueryRefusal {
  const options = new URLSearchParams();
  for (const pair of search.replace(/^\?/, "").split("&")) {
    if (pair === "") continue;
    const equals = pair.indexOf("=");
    const name = equals < 0 ? pair : pair.slice(0, equals);
    const value = equals < 0 ? "" : pair.slice(equals + 1);
    const decodedName = percentDecoded(name);
    const decodedValue = percentDecoded(value);
    if (decodedName === undefined || decodedValue === undefined) {
      const named = decodedName === undefined ? `the query option name ${JSON.stringify(name)}` : `the value of ${decodedName}`;
      const refusal: QueryRefusal = { status: 400, code: "InvalidQuery", message: `A % in ${named} starts no percent-escape of UTF-8 (send a % sign as %25)` };
      if (decodedName !== undefined) refusal.target = decodedName;
      return refusal;
    }
    options.append(decodedName, decodedValue);
  }
  return options;
}

/** `text` percent-decoded (RFC 3986 §2.1), or `undefined` where a `%` starts no escape of UTF-8. */
export function percentDecoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * `options` as the query of a URL the service writes (a next link), each name and value
 * percent-encoded, so that {@link queryOptions} reads them back as they are: a space is `%20` and a
 * `+` is `%2B` (`URLSearchParams` would write a space as `+`). `$` is left as clients write it.
 */
export function queryText(options: URLSearchParams): string {
  const encode = (text: string) => encodeURIComponent(text).replaceAll("%24", "$");
  return [...options].map(([name, value]) => `${encode(name)}=${encode(value)}`).join("&");
}

/**
 * Whether a request names system query options without their `$` too: OData 4.01 services read
 * those names in any case, with or without the `$` (Part 2 §5.1), but a name without `$` is a
 * custom option in OData 4.0, the service's to ignore. So it is one only in a request of OData
 * 4.01: its `OData-Version` says so or, without one, its `OData-MaxVersion` allows 4.01; a part of
 * a `$batch` without either goes by the batch request's (`enclosing`). A request with neither is
 * read as 4.0, the version the service answers in, although Part 1 lets a service assume its
 * highest: this library's clients send no version header on reads, and a 4.0 client's custom
 * option `top` must stay one.
 */
export function readsBareOptionNames(headers: Headers, enclosing?: Headers): boolean {
  const version = [headers, enclosing].map((each) => each?.get("odata-version") ?? each?.get("odata-maxversion")).find((each) => each != null);
  return version !== undefined && Number(version.trim()) >= 4.01;
}

/**
 * The name OData 4.0 gives the system query option that `name` names (`$Top`, and `top` when
 * `bare`, are `$top`), or `name` itself when it names none. A `$` name is read in any case
 * whatever the request's version: no version has a custom option beginning with `$`.
 */
export function systemOptionName(name: string, bare: boolean): string {
  const lower = name.toLowerCase();
  const system = lower.startsWith("$") ? lower : bare ? `$${lower}` : "";
  return KNOWN_SYSTEM_OPTIONS.has(system) ? system : name;
}

/**
 * The request's query options with every system query option under its OData 4.0 name
 * ({@link systemOptionName}), or a refusal (400) when two spellings name the same one
 * (`$top=2&$Top=5`: neither may win unsaid).
 */
export function systemOptionNames(query: URLSearchParams, bare: boolean): URLSearchParams | QueryRefusal {
  const named = new URLSearchParams();
  const spellings = new Map<string, string>();
  for (const [name, value] of query) {
    const system = systemOptionName(name, bare);
    if (KNOWN_SYSTEM_OPTIONS.has(system)) {
      const earlier = spellings.get(system) ?? name;
      if (earlier !== name) return { status: 400, code: "InvalidQuery", message: `${earlier} and ${name} are the same system query option, ${system}` };
      spellings.set(system, name);
    }
    named.append(system, value);
  }
  return named;
}

/**
 * Refuses a `$name` OData does not define (400, naming it): a misspelt `$top` must not pass for a
 * custom option and be ignored. Custom options (no `$`) and parameter aliases (`@`) pass.
 */
export function unknownOptionRefusal(query: URLSearchParams): QueryRefusal | undefined {
  for (const name of query.keys()) {
    if (name.startsWith("$") && !KNOWN_SYSTEM_OPTIONS.has(name)) return { status: 400, code: "InvalidQuery", message: `${name} is not a system query option of OData` };
  }
  return undefined;
}

/**
 * Refuses a system query option OData defines that a collection read does not apply (501, naming
 * it), rather than answering as if it had been applied. `applied` are the options the collection
 * honours; `$format` asking for JSON is always honoured (the service answers nothing else).
 */
export function unappliedOptionRefusal(query: URLSearchParams, applied: ReadonlySet<string>, entitySet: string): QueryRefusal | undefined {
  for (const [name, value] of query) {
    if (!name.startsWith("$") || applied.has(name)) continue;
    // No entity type of the demo has navigation properties, so `$expand=*` (all of them) expands
    // nothing: it is honoured by answering as without it, as for one entity.
    if (name === "$expand" && value.trim() === "*") continue;
    if (name === "$format") {
      if (/^(json|application\/json)(;.*)?$/i.test(value.trim())) continue;
      return { status: 501, code: "NotImplemented", message: `The demo service answers in JSON only; $format=${value}` };
    }
    return { status: 501, code: "NotImplemented", message: `The demo service does not implement ${name} on ${entitySet}` };
  }
  return undefined;
}

/** Entity sets whose key is one `Edm.Int32` property named ID. */
const INTEGER_KEYED_SETS = "Products|ProductsUnpaged|Orders|ExportJobs";

/**
 * A path with its key written as the service reads it: `Set(ID=42)` becomes `Set(42)` (the named
 * form is valid for a single-part key). A key that is no integer literal is a refusal (400), not
 * an entity that does not exist.
 */
export function normaliseKey(path: string): { path: string } | QueryRefusal {
  const match = new RegExp(`^(${INTEGER_KEYED_SETS})\\(([^)]*)\\)(.*)$`, "s").exec(path);
  if (!match) return { path };
  const [, set, keyText, rest] = match as unknown as [string, string, string, string];
  const key = /^\s*(?:ID\s*=\s*)?(-?\d{1,15})\s*$/.exec(keyText);
  // The key is an Edm.Int32 in $metadata: a larger integer names no entity the set could hold, and
  // an upsert (PUT) must not create one whose ID a client typed by $metadata cannot read.
  if (!key || Number(key[1]) !== (Number(key[1]) | 0)) return { status: 400, code: "InvalidKey", message: `The key of ${set} is ID, an Edm.Int32: ${JSON.stringify(keyText)} is not one` };
  return { path: `${set}(${key[1]})${rest}` };
}
