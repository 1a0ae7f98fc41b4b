/**
 * Building the request of one operation call (action or function, bound or unbound, OData v4 or a
 * v2 function import): pure functions of the service root, the version and the call, so that the
 * client, `$batch` and tests build exactly the same method, URL, headers and body.
 *
 * Wire forms:
 * - v4 function: `GET [<binding>/]<name>(a=1,b='x')`; a plain object or array parameter goes as a
 *   parameter alias with JSON text, `f(p=@p)?@p={"x":1}` (OData 4.01 Part 2, §5.1.1.13.1).
 * - v4 action: `POST [<binding>/]<name>` with the parameters as a JSON object body.
 * - JSON is asked for and sent as `application/json`, with `IEEE754Compatible=true` where the client
 *   asks for that form (option `ieee754Compatible`); an action body then carries bigints,
 *   `edm.int64(…)` and `edm.decimal(…)` as strings.
 * - v2 function import (either HTTP method): `<name>?a=1&b='x'`, the parameters as query options
 *   with v2 literals; v2 has no bound operations and no JSON action bodies.
 * Bound v4 operations are addressed by their namespace-qualified name (`Books(1)/NS.order`). A
 * simple name is qualified with the call's `namespace`; without one it is sent as it is (OData 4.01
 * services may accept unqualified bound operations under a default namespace; SAP CAP does).
 */
import type { ODataVersion } from "../options.js";
import { edmJsonValue, exactJsonNumber, formatLiteral, isEdmValue, isoFromDate, isV2, jsonNumber } from "../query/literal-format.js";
import { checkIdentifier } from "../query/names.js";
import { collectionPath, encodePathText, entityPath, formatQueryString, type QueryOption } from "../query/url.js";
import { ODataClientError } from "../errors.js";
import { versionHeaders } from "../payload/version-headers.js";
import { jsonMediaType } from "../payload/content-type.js";
import { describe } from "../util/values.js";
import { base64Url } from "../util/base64.js";
import { isIdentifier, isQualifiedName } from "../util/identifiers.js";
import { urlBelowRoot } from "../util/service-root.js";

/**
 * The methods an OData v2 service operation that changes data is called with: the one its
 * `m:HttpMethod` declares, `POST` unless it says otherwise.
 */
export const SERVICE_OPERATION_METHODS = ["POST", "PUT", "MERGE", "DELETE"] as const;

/** Whether an operation changes data (action, `POST`) or only reads (function, `GET`). */
export type OperationKind = "action" | "function";

/** The parameters of an operation call, by name; `undefined` values are left out. */
export type OperationParameters = Readonly<Record<string, unknown>>;

/** What an operation is bound to: an entity set (collection-bound) or one entity of it. */
export interface OperationBinding {
  /** The entity set name, as given to `client.collection(name)`. */
  readonly entitySet: string;
  /** The key predicate before percent-encoding (`(1)`, `('x')`); absent when bound to the collection. */
  readonly keyPredicate?: string;
  /**
   * The encoded path of the entity the binding is reached from by navigation (`Books(1)` for an
   * operation bound to `Books(1)/reviews`); absent for an entity set.
   */
  readonly parentPath?: string | undefined;
}

/** One operation call, as the query classes describe it. */
export interface OperationCall {
  readonly kind: OperationKind;
  /** The operation's name: simple (`order`, `countBooks`) or namespace-qualified (`CatalogService.order`). */
  readonly name: string;
  readonly parameters?: OperationParameters | undefined;
  /** Absent for an unbound call (an action or function import). */
  readonly binding?: OperationBinding | undefined;
  /** The namespace that qualifies a simple name of a bound v4 operation. */
  readonly namespace?: string | undefined;
  /** Sent as `If-Match` (`"*"` matches any version of the entity). */
  readonly etag?: string | undefined;
  /** Custom query options (such as `sap-client`), sent after the parameters, already checked. */
  readonly queryOptions?: readonly QueryOption[] | undefined;
  /** The method of an OData v2 service operation declared with another than `POST`; absent: `POST`. */
  readonly method?: string | undefined;
}

/** The request of one operation call. */
export interface OperationRequest {
  readonly method: "GET" | "POST" | "PUT" | "MERGE" | "DELETE";
  /**
   * The resource path and query relative to the service root, percent-encoded, such as
   * `Books(1)/CatalogService.order` or `countBooks(minStock=5)` (what a `$batch` part carries).
   */
  readonly path: string;
  /** The absolute request URL (`path` resolved against the service root). */
  readonly url: URL;
  /** Request headers, names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The JSON body of a v4 action; absent otherwise. */
  readonly body?: string;
  /**
   * Of an action bound to a collection (`Books/NS.lowStock`), which has no ETag of its own: a 428's
   * explanation advises `If-Match: *` (write/requests.ts `ifMatchAdvice`). Set where an action is
   * sent alone (operations/call.ts; a `$batch` part's by batch/plan.ts from its binding), not here:
   * this module loads at every client's start.
   */
  readonly collectionBound?: true;
}

/**
 * Builds the request of an operation call; `ieee754Compatible` is the client's option of that name.
 * @throws TypeError for a bad name or a parameter that cannot be written; `ODataClientError`
 * `UNSUPPORTED_BY_VERSION` for a bound operation on an OData v2 client.
 * @example
 * buildOperationRequest(new URL("https://host/odata/v4/catalog/"), "4.0",
 *   { kind: "function", name: "countBooks", parameters: { minStock: 5 } }, false).path // "countBooks(minStock=5)"
 */
export function buildOperationRequest(serviceUrl: URL, version: ODataVersion, call: OperationCall, ieee754Compatible: boolean): OperationRequest {
  const where = `${call.kind}(${JSON.stringify(call.name)})`;
  const parameters = definedParameters(call.parameters, where);
  const v2 = isV2(version);
  let path: string;
  let body: string | undefined;
  if (v2) {
    if (call.binding) {
      throw new ODataClientError(
        "UNSUPPORTED_BY_VERSION",
        `${where}: OData v2 has no bound operations; call the service's function import with client.${call.kind}(name) instead`,
      );
    }
    const name = encodePathText(checkIdentifier(call.name, `${where} name`));
    const options = parameters.map(([key, value]): QueryOption => [key, v2Literal(value, `${where} parameter "${key}"`)]);
    const query = formatQueryString([...options, ...(call.queryOptions ?? [])]);
    path = query ? `${name}?${query}` : name;
  } else {
    const segment = operationSegment(call, where);
    const target = call.binding ? `${bindingPath(call.binding)}/${segment}` : segment;
    if (call.kind === "function") {
      const { inline, aliases } = v4FunctionParameters(parameters, version, where);
      // A custom option of the same name would give an alias two values.
      const taken = call.queryOptions?.find(([name]) => aliases.some(([alias]) => alias === name))?.[0];
      if (taken) throw new TypeError(`${where}: param("${taken}") is the alias of the parameter ${taken.slice(1)}`);
      const query = formatQueryString([...aliases, ...(call.queryOptions ?? [])]);
      path = `${target}${encodePathText(`(${inline.join(",")})`)}${query ? `?${query}` : ""}`;
    } else {
      const query = formatQueryString(call.queryOptions ?? []);
      path = query ? `${target}?${query}` : target;
      body = JSON.stringify(Object.fromEntries(parameters.map(([key, value]) => [key, jsonValue(value, `${where} parameter "${key}"`, ieee754Compatible)])));
    }
  }

  // A function is a read; an action (and a v2 function import called with POST) a write, whose
  // body, even an empty one, is in the client's version.
  const json = jsonMediaType(ieee754Compatible);
  const headers: Record<string, string> = { accept: json, ...versionHeaders(version, call.kind === "action" ? "write" : "read") };
  // A v2 POST gets a Content-Type although it has no body: SAP CAP's v2 adapter passes the query
  // parameters of an action import on only when one is present.
  if (call.kind === "action") headers["content-type"] = json;
  if (call.etag !== undefined) headers["if-match"] = checkEtag(call.etag, where);

  const method = callMethod(call, v2, where);
  // "./" keeps a first segment that contains ":" from being read as a URL scheme.
  const url = urlBelowRoot(serviceUrl, path);
  return body === undefined ? { method, path, url, headers } : { method, path, url, headers, body };
}

/**
 * The method of the call: `GET` for a function, `POST` for an action, or for an OData v2 service
 * operation the one its `m:HttpMethod` declares (v2 has no other way to say that an import
 * replaces or deletes).
 */
function callMethod({ kind, method }: OperationCall, v2: boolean, where: string): OperationRequest["method"] {
  if (method === undefined) return kind === "action" ? "POST" : "GET";
  const allowed: readonly string[] = kind === "function" ? ["GET"] : v2 ? SERVICE_OPERATION_METHODS : ["POST"];
  if (allowed.includes(method)) return method as OperationRequest["method"];
  throw new TypeError(`${where}: option "method" is ${describe(method)}, not ${allowed.join(", ")}`);
}

/** The name segment of a v4 operation, qualified when it is bound and a namespace is known. */
function operationSegment(call: OperationCall, where: string): string {
  const { name, namespace } = call;
  if (typeof name !== "string" || !(isIdentifier(name) || isQualifiedName(name))) {
    throw new TypeError(`${where}: ${describe(name)} is not an operation name (an identifier such as "order", or a qualified one such as "Service.order")`);
  }
  if (namespace !== undefined && (typeof namespace !== "string" || !namespace.split(".").every(isIdentifier))) {
    throw new TypeError(`${where}: the namespace ${describe(namespace)} is not a namespace such as "CatalogService" or "com.example.Service"`);
  }
  const qualified = call.binding && namespace !== undefined && isIdentifier(name) ? `${namespace}.${name}` : name;
  return encodePathText(qualified);
}

function bindingPath(binding: OperationBinding): string {
  checkEntitySetName(binding.entitySet);
  return binding.keyPredicate === undefined ? collectionPath(binding) : entityPath({ ...binding, keyPredicate: binding.keyPredicate });
}

function checkEntitySetName(name: unknown): void {
  if (typeof name !== "string" || !(isIdentifier(name) || isQualifiedName(name))) {
    throw new TypeError(`${describe(name)} is not an entity set name`);
  }
}

/** The parameters as `[name, value]` pairs, `undefined` values left out, names checked. */
function definedParameters(parameters: unknown, where: string): [string, unknown][] {
  if (parameters === undefined || parameters === null) return [];
  if (typeof parameters !== "object" || Array.isArray(parameters)) {
    throw new TypeError(`${where}: the parameters must be an object of name and value; got ${describe(parameters)}`);
  }
  return Object.entries(parameters as Record<string, unknown>)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => [checkIdentifier(name, `${where} parameter name`), value]);
}

/**
 * v4 function parameters: primitives inline as literals; plain objects and arrays (complex and
 * collection values, which have no URL literal) as aliases `p=@p` with JSON text.
 */
function v4FunctionParameters(parameters: [string, unknown][], version: ODataVersion, where: string): { inline: string[]; aliases: QueryOption[] } {
  const inline: string[] = [];
  const aliases: QueryOption[] = [];
  for (const [name, value] of parameters) {
    if (isStructured(value)) {
      inline.push(`${name}=@${name}`);
      aliases.push([`@${name}`, JSON.stringify(jsonValue(value, `${where} parameter "${name}"`))]);
    } else {
      inline.push(`${name}=${formatLiteral(value, version, `${where} parameter "${name}"`)}`);
    }
  }
  return { inline, aliases };
}

function v2Literal(value: unknown, where: string): string {
  if (isStructured(value)) throw new TypeError(`${where}: OData v2 function imports take primitive parameters only; got ${describe(value)}`);
  return formatLiteral(value, "2.0", where);
}

function isStructured(value: unknown): boolean {
  if (Array.isArray(value)) return true;
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A value as it goes into a JSON payload (an action body or an alias): `Date` as ISO 8601, bigint
 * and the numeric `edm.*` values as JSON numbers where that keeps them exact and as strings
 * otherwise (the IEEE754Compatible form), `Uint8Array` as base64url, other `edm.*` values as
 * their text, objects and arrays walked. `ieee754` (the `IEEE754Compatible=true` form) writes bigints and
 * `edm.int64`/`edm.decimal` values as strings always.
 */
export function jsonValue(value: unknown, where: string, ieee754 = false): unknown {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return jsonNumber(value);
  if (typeof value === "bigint") return ieee754 ? value.toString() : exactJsonNumber(value.toString());
  // An Edm.DateTimeOffset as an inline literal is: valid, within the years 0000-9999.
  if (value instanceof Date) return isoFromDate(value, where);
  if (value instanceof Uint8Array) return base64Url(value);
  if (isEdmValue(value)) return ieee754 && /^Edm\.(?:Int64|Decimal)$/.test(value.type) ? value.text : edmJsonValue(value);
  if (Array.isArray(value)) return value.map((item, index) => jsonValue(item, `${where}[${index}]`, ieee754));
  if (isStructured(value)) {
    // No prototype: a member named `__proto__` (a valid OData name) is then a member that JSON
    // writes, where assigning it on `{}` would set the prototype instead.
    const out = Object.create(null) as Record<string, unknown>;
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) if (item !== undefined) out[key] = jsonValue(item, `${where}.${key}`, ieee754);
    return out;
  }
  throw new TypeError(`${where}: ${describe(value)} cannot be sent as a JSON value`);
}

function checkEtag(etag: unknown, where: string): string {
  // As a write's If-Match (write/requests.ts NOT_HEADER_TEXT): no control character but tab, nothing beyond U+00FF.
  if (typeof etag !== "string" || etag === "" || /[^\t -~\x80-\xff]/.test(etag)) {
    throw new TypeError(`${where}: option "etag" must be a non-empty ETag without control characters or characters beyond U+00FF; got ${describe(etag)}`);
  }
  return etag;
}
