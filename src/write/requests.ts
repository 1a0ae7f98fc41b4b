/**
 * Building write requests: pure functions from the service root, the OData version and a query's
 * state to the method, URL, headers and body of one create, update, replace, upsert, delete, `$ref`
 * or media request. Nothing here sends anything, so the same requests can go on the wire one by
 * one (`src/write/send.ts`) or into a `$batch`.
 *
 * The rules they follow:
 * - Headers: the version headers of `versionHeaders` (v4 `OData-Version`/`OData-MaxVersion`, v2
 *   `DataServiceVersion`/`MaxDataServiceVersion` on writes, none on media reads);
 *   `Accept: application/json`; `Content-Type: application/json` on JSON bodies; both with
 *   `IEEE754Compatible=true` where the client asks for that form, whose bodies then carry bigints,
 *   `edm.int64(…)` and `edm.decimal(…)` as strings (a service reading that form refuses numbers there).
 * - Bodies leave out what reading added: v4 control information (`@odata.etag`, `@odata.context`,
 *   `@odata.id`, links, ...; `@odata.type` and `@odata.bind` stay; a nested entity keeps its
 *   `@context` and, but in a create, its `@id`: see `ownControl`), v2 `__metadata` (uri, etag,
 *   media links; a `__metadata` holding only a `type` the caller wrote stays; the v4-named next link
 *   and count the v2 readers keep of an expanded collection), and the navigation
 *   values a read expanded (or an OData v2 service inlined unasked) or a write's answer held
 *   (`payload/expanded.ts`) unless `deep: true` asks for a deep write.
 * - A number that JSON has none for (the infinities, NaN) goes as `"INF"`, `"-INF"`, `"NaN"`, as an
 *   `edm.double()` value does, at any depth: `JSON.stringify` would write `null` and clear the property.
 * - Every object is converted so, whoever made it: a class instance or another realm's object by its
 *   own enumerable members, one with `toJSON()` as what that returns, a `Map`, a `Set` or binary
 *   data but a `Uint8Array` refused (json-replacement.ts; an operation's parameters take plain
 *   objects only, see operations/requests.ts).
 * - v2 bodies write dates as v2 JSON does, `/Date(<ms>)/`: a `Date`, `edm.dateTime()` and
 *   `edm.date()` values (a day at midnight UTC), and the ISO text of a member
 *   the reader made of `/Date(...)/` (see `v2DateText`); any other string is sent as it is, however
 *   much it looks like a date. A `Date` that is invalid is a TypeError.
 * - `If-Match` comes from, in order: `ifMatch` (a literal such as `*`), `etag` (the ETag text or the
 *   entity read earlier), the ETag the body itself carries (an entity read, changed and sent back);
 *   `etag: false` sends none. An `If-Match` among the call's own `headers` takes the place of the
 *   body's ETag, and is refused where it differs from the value `ifMatch` or `etag` gives.
 * - Only idempotent requests (PUT, DELETE) may be retried.
 */
import type { ODataVersion, RequestOptions, ResolvedClientOptions } from "../options.js";
import { checkIdentifier } from "../query/names.js";
import type { EntityState, QueryState } from "../query/state.js";
import { collectionPath, customOptions, entityPath, formatQueryString, mediaPath, type QueryOption } from "../query/url.js";
import { versionHeaders } from "../payload/version-headers.js";
import { jsonMediaType } from "../payload/content-type.js";
import { etagOf, mediaEtagOf } from "../payload/etag.js";
import { isExpandedValue } from "../payload/expanded.js";
import { readDatesOf } from "../payload/v2-values.js";
import { describe, isRecord, optionalFunction } from "../util/values.js";
import { jsonReplacement } from "./json-replacement.js";
import { base64, base64Url, bytesFromHex } from "../util/base64.js";
import { decimalWithoutExponent, edmJsonValue, exactJsonNumber, isEdmValue, jsonNumber, type TypedLiteral } from "../query/literal-format.js";
import { timeOfDayAsDuration } from "../query/edm-text.js";
import { urlBelowRoot } from "../util/service-root.js";
import { IDEMPOTENT_METHODS } from "../http/pipeline.js";
import { ODataHttpError } from "../errors.js";
import { requestHeaders } from "../http/request-headers.js";
import { callTimeout } from "../util/timers.js";
import { EARLIER_ATTEMPTS, isTrustedOrigin, mergePrefer, splitPrefer, withConfigured } from "../http/steps.js";
import { UNANSWERED } from "../http/unanswered.js";
import type {
  ConditionalOptions,
  CreateMediaOptions,
  CreateOptions,
  DeleteOptions,
  MediaWriteOptions,
  ReturnPreference,
  UpdateOptions,
  UpsertOptions,
  WriteOptions,
} from "./options.js";

/** What the request builders need from the client: its service root, OData version and JSON form. */
export interface WriteContext {
  readonly serviceUrl: URL;
  readonly version: ODataVersion;
  /** The client's `ieee754Compatible` (never on for v2). */
  readonly ieee754Compatible: boolean;
}

/** One write request, ready to send or to put into a `$batch`. */
export interface WriteRequest {
  /** The method on the wire (`POST` when tunnelled; the intended one is in `x-http-method`). */
  method: string;
  /** The absolute request URL. */
  url: URL;
  /** The same URL relative to the service root (encoded path and query), as `$batch` parts address it. */
  path: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** Whether the request is idempotent and so may be sent again after a failure (PUT, DELETE). */
  retry: boolean;
  /** The call's `timeout` option, checked; `undefined` leaves the client's (a `$batch` part's is not read). */
  timeout?: number | undefined;
  /** The call's `onResponse` option, checked (a `$batch` part's is refused before it is built). */
  onResponse?: RequestOptions["onResponse"];
  /**
   * The `...Async` method that sends this write with `Prefer: respond-async` (`"createAsync()"`),
   * where there is one, for the error of a `202 Accepted` given to the write sent alone.
   */
  asyncTwin?: string;
  /**
   * The method that made this request where that method has no option for `If-Match`
   * (`"create()"`, `"upsert()"`, `"link()"`): a 428's explanation advises what it can do instead.
   */
  withoutIfMatch?: string;
}

const V4_CONTROL_INFORMATION = new Set([
  "context",
  "etag",
  "id",
  "editlink",
  "readlink",
  "navigationlink",
  "associationlink",
  "mediaeditlink",
  "mediareadlink",
  "mediacontenttype",
  "mediaetag",
  "metadataetag",
  "count",
  "nextlink",
  "deltalink",
]);

function isV2(version: ODataVersion): boolean {
  return version === "2.0";
}

/** The headers every write carries for the client: `Accept`, the version headers of a write, `Content-Type` for JSON. */
export function writeHeaders(context: WriteContext, withJsonBody: boolean): Record<string, string> {
  const json = jsonMediaType(context.ieee754Compatible);
  const headers: Record<string, string> = { accept: json, ...versionHeaders(context.version, "write") };
  if (withJsonBody) headers["content-type"] = json;
  return headers;
}

/** Where the ETag of an entity is found, and how a message names those places. */
export interface EtagLookup {
  /** The members `read` looks in, for a message: `@odata.etag or __metadata.etag`. */
  readonly names: string;
  read(entity: unknown): string | undefined;
}

/** The entity's own ETag, which entity writes send. */
const ENTITY_ETAG: EtagLookup = { names: "@odata.etag or __metadata.etag", read: etagOf };

/**
 * What cannot go into an `If-Match` value: a control character but tab (RFC 9110 §5.5; a line
 * break or NUL would end the header, or a `$batch` part's headers, early) and characters beyond
 * U+00FF (fetch takes header values as bytes).
 */
const NOT_HEADER_TEXT = /[^\t -~\x80-\xff]/;

/**
 * The ETag a write of a media resource sends for an entity read earlier. The stream of a media
 * entity (`$value`) has its ETag in `@odata.mediaEtag` (v2 `__metadata.media_etag`); a stream
 * property has its own, annotated on the property (`cover@odata.mediaEtag`), and the entity's
 * `@odata.mediaEtag` belongs to another stream. Without a media ETag the entity's own is taken,
 * as `mediaEtagOf` does: services such as SAP CAP announce none and guard the stream with it.
 */
function mediaEtagLookup(property: string | undefined): EtagLookup {
  if (property === undefined) return { names: "@odata.mediaEtag, __metadata.media_etag or @odata.etag", read: mediaEtagOf };
  const annotated = [`${property}@odata.mediaEtag`, `${property}@mediaEtag`];
  return {
    names: `${annotated[0]!} or @odata.etag`,
    read(entity) {
      if (!isRecord(entity)) return undefined;
      for (const name of annotated) {
        const etag = entity[name];
        if (typeof etag === "string" && etag !== "") return etag;
      }
      return etagOf(entity);
    },
  };
}

/**
 * The `If-Match` value of a conditional write, or `undefined` for none: `ifMatch`, else `etag`
 * (text or entity), else the ETag of `body`, unless `etag` is `false`. `lookup` says where an
 * entity's ETag is (a media write's is not the entity's).
 */
export function ifMatchFor(options: ConditionalOptions | undefined, body: unknown, where: string, lookup: EtagLookup = ENTITY_ETAG): string | undefined {
  if (options?.ifMatch !== undefined) {
    if (typeof options.ifMatch !== "string" || options.ifMatch.trim() === "" || NOT_HEADER_TEXT.test(options.ifMatch)) {
      throw new TypeError(`${where}: option "ifMatch" must be an ETag or "*"; got ${describe(options.ifMatch)}`);
    }
    return options.ifMatch;
  }
  const etag = options?.etag;
  if (etag === false) return undefined;
  if (typeof etag === "string") {
    if (etag.trim() === "" || NOT_HEADER_TEXT.test(etag)) throw new TypeError(`${where}: option "etag" must be a non-empty ETag without control characters or characters beyond U+00FF; got ${describe(etag)}`);
    return etag;
  }
  if (etag !== undefined) {
    if (!isRecord(etag)) throw new TypeError(`${where}: option "etag" must be an ETag string, an entity read earlier, or false; got ${describe(etag)}`);
    const found = entityEtag(etag, lookup, where);
    if (found === undefined) {
      throw new TypeError(`${where}: the entity given as option "etag" carries no ETag (no ${lookup.names}); pass its ETag, ifMatch: "*", or etag: false`);
    }
    return found;
  }
  return entityEtag(body, lookup, where);
}

/**
 * The ETag `entity` carries, refused as the `etag` option would be when it cannot be a header
 * value: it came from the service, and fetch would otherwise throw a bare error of its own.
 */
function entityEtag(entity: unknown, lookup: EtagLookup, where: string): string | undefined {
  const etag = lookup.read(entity);
  if (etag !== undefined && NOT_HEADER_TEXT.test(etag)) {
    throw new TypeError(
      `${where}: the ETag the entity carries (its ${lookup.names}) cannot be sent as If-Match: it holds a control character or a character beyond U+00FF; got ${describe(etag)}; pass the ETag yourself, ifMatch: "*", or etag: false`,
    );
  }
  return etag;
}

/**
 * The body of a write as JSON text, without the control information reading added (see the
 * module comment) and, unless `deep`, without the navigation values a read expanded. Nested
 * entities (deep insert) are cleaned the same way. `ieee754` writes bigints, `edm.int64` and
 * `edm.decimal` values as strings (the client's option `ieee754Compatible`). `nestedIds` keeps the
 * `@id` of nested entities that also carry properties (an update's, replace's or upsert's: see
 * `ownControl`).
 * @throws TypeError when the body is not an object, cannot be JSON, or held nothing but expanded
 * navigation values (a write that would send nothing the caller meant)
 */
export function writeBody(entity: unknown, version: ODataVersion, where: string, deep = false, ieee754 = false, nestedIds = false): string {
  if (!isRecord(entity)) throw new TypeError(`${where}: expected an entity object; got ${describe(entity)}`);
  if (deep !== true && deep !== false) throw new TypeError(`${where}: option "deep" must be a boolean; got ${describe(deep)}`);
  const left: string[] = [];
  let body: unknown;
  let text: string | undefined;
  try {
    body = cleanForWrite(entity, { v2: isV2(version), ieee754, deep, nestedIds }, "", left);
    text = JSON.stringify(body);
  } catch (error) {
    throw new TypeError(`${where}: the entity cannot be sent as JSON (${(error as Error).message})`, { cause: error });
  }
  // An entity whose toJSON() gave something else than an object.
  if (!isRecord(body)) throw new TypeError(`${where}: expected an entity object; its toJSON() gave ${describe(body)}`);
  if (left.length > 0 && Object.keys(body).length === 0) {
    throw new TypeError(
      `${where}: ${left.join(", ")} ${left.length === 1 ? "is a navigation property" : "are navigation properties"} that a read expanded, which a write leaves out; pass { deep: true } to send ${left.length === 1 ? "it" : "them"} as a deep write, or build new values`,
    );
  }
  return text;
}

/**
 * `at` is the path to `value` in the body (`""` for the body itself: `address/validFrom`,
 * `holidays/2`), for an error to name; `left` collects the names of the top level's expanded
 * values that were left out. `ieee754` writes Int64 and Decimal values as strings (v4's
 * `IEEE754Compatible=true` form).
 */
function cleanForWrite(value: unknown, rules: BodyRules, at: string, left?: string[], replaced = false): unknown {
  const { v2, ieee754, deep } = rules;
  if (typeof value === "number") return jsonNumber(value);
  if (Array.isArray(value)) {
    // A collection's items share one type: where the reader converted some, all are dates (the
    // indexes it remembers move as the caller edits the array; the array stays the same one).
    const dates = v2 && readDatesOf(value) !== undefined;
    return value.map((item, i) => (dates && typeof item === "string" ? (v2DateText(item) ?? item) : cleanForWrite(item, rules, `${at}/${i}`)));
  }
  if (value instanceof Date) {
    // JSON would write it as null, a value the caller never meant.
    if (Number.isNaN(value.getTime())) throw new Error(`${at.slice(1)} is an invalid Date`);
    return v2 ? `/Date(${value.getTime()})/` : value;
  }
  // What JSON would write as something else (a Uint8Array as {"0":104,...}, an edm.* value as its
  // inner object) or not at all (a bigint): the JSON value of its EDM type.
  if (value instanceof Uint8Array) return v2 ? base64(value) : base64Url(value);
  if (typeof value === "bigint") return v2 || ieee754 ? String(value) : exactJsonNumber(String(value));
  if (isEdmValue(value)) return v2 ? v2JsonValue(value, at) : ieee754 && INT64_DECIMAL.test(value.type) ? value.text : edmJsonValue(value);
  // A string, boolean, null, function or symbol: as JSON writes it (a function or symbol member is left out).
  if (typeof value !== "object" || value === null) return value;
  // Any other object by JSON's rule (a class instance, another realm's object, toJSON()): a
  // class instance that skipped the conversions here would send `null` for an infinity.
  const json = jsonReplacement(value, at.slice(at.lastIndexOf("/") + 1), at.slice(1) || "the entity", replaced);
  if (json !== value) return cleanForWrite(json, rules, at, left, true);
  const dates = v2 ? readDatesOf(value) : undefined;
  // No prototype: a member named `__proto__` (a valid OData name, which the readers keep) is then
  // an own member that JSON writes, where assigning it on `{}` would set the prototype instead.
  const out = Object.create(null) as Record<string, unknown>;
  // A nested object of annotations alone (`{ "@odata.id": "Reviews(5)" }`, v2's `__metadata`) is a
  // reference to an entity (a deep insert that links one): its id, or v2 uri, stays.
  const names = Object.keys(value);
  const reference = at !== "" && names.length > 0 && names.every((name) => name.includes("@") || name === "__metadata");
  for (const [name, item] of Object.entries(value)) {
    if (v2 && name === "__metadata") {
      // A type the caller wrote (for a derived type) is needed; what reading added is not. A
      // nested object of `__metadata` alone with a `uri` is a reference to an entity (a deep
      // insert that links one, v2's form of `@odata.id`): its uri stays.
      const uri = reference && isRecord(item) ? item["uri"] : undefined;
      if (typeof uri === "string") out[name] = { uri };
      else if (isRecord(item) && Object.keys(item).length === 1 && typeof item["type"] === "string") out[name] = { type: item["type"] };
      continue;
    }
    // `#NS.action` members advertise operations: never properties. v2 has no annotations: what it
    // holds of them is what the v2 readers keep of an expanded collection's `__next` and `__count`
    // (`Items@odata.nextLink`, `Items@odata.count`), which the service never reads.
    if (v2 ? isControlInformation(name) : name.startsWith("#") || (isControlInformation(name) && !(at !== "" && ownControl(name, reference, rules.nestedIds)))) continue;
    if (!deep && isExpandedValue(item)) {
      left?.push(name);
      continue;
    }
    out[name] = typeof item === "string" && dates?.has(name) ? (v2DateText(item) ?? item) : cleanForWrite(item, rules, `${at}/${name}`);
  }
  return out;
}


/** How `cleanForWrite` writes one body: for v2, with `IEEE754Compatible=true`, deep, keeping nested ids. */
interface BodyRules {
  readonly v2: boolean;
  readonly ieee754: boolean;
  readonly deep: boolean;
  readonly nestedIds: boolean;
}

/**
 * Whether the control information `name` of a nested object is the caller's, which the service
 * reads, rather than what a read put there (the body's own, at the top, always is; so are a
 * nested entity's ETag and links):
 * - `@context` (`@odata.context`): a nested entity inserted into a collection that has no
 *   navigation property binding names its entity set so (OData 4.01 Part 1 §11.4.3.1).
 * - `@id` (`@odata.id`) of an object of annotations alone: a reference to an entity, kept by
 *   every write (4.01 binds it so, §11.4.2.1).
 * - `@id` next to properties, in an update, replace or upsert (`nestedIds`): the related entity
 *   a deep update changes (§11.4.3.1: `{"@id": "Employees(6)", "LastName": "Smith"}` updates
 *   employee 6; without its id the service inserts a new one, and may unlink 6). A create carries
 *   no content for existing entities (§11.4.2), so there such an id can only be one a read
 *   gave an entity now copied into a deep insert, and it goes.
 */
function ownControl(name: string, reference: boolean, nestedIds: boolean): boolean {
  const own = /^@(?:odata\.)?(id|context)$/i.exec(name);
  return own !== null && (own[1]!.toLowerCase() === "context" || reference || nestedIds);
}

/** The types whose JSON values the `IEEE754Compatible=true` form writes as strings. */
const INT64_DECIMAL = /^Edm\.(?:Int64|Decimal)$/;

/**
 * The OData v2 JSON value of an `edm.*` value in a write body, where it differs from v4's
 * (`edmJsonValue`): `Int64` and `Decimal` as strings of plain digits (v2's decimal has no exponent,
 * nor NaN and the infinities, refused as in a URL), binary values base64, a `DateTime` as
 * `/Date(ms)/` (refused, naming the property at `at`, where it has digits beyond the millisecond),
 * a day (`edm.date`) as the `DateTime` of its midnight in UTC, and a time of day as `Edm.Time`'s
 * duration since midnight. A `DateTimeOffset` goes as its ISO text and a duration as it is, which is
 * `Edm.Time`'s JSON form.
 */
function v2JsonValue(value: TypedLiteral, at: string): unknown {
  const { type, text } = value;
  switch (type) {
    case "Edm.Int64":
    case "Edm.Decimal":
      if (!/^-?\d/.test(text)) throw new Error(`${type} ${text} has no OData v2 form`);
      return decimalWithoutExponent(text);
    case "Edm.Binary":
      return base64(bytesFromHex(text));
    case "Edm.DateTime":
      // v2 JSON has one form for a DateTime, `/Date(<milliseconds since 1970>)/` (SAP Gateway's
      // JSON; its Atom and URL forms carry up to seven digits of a second, its JSON three), and
      // strict services refuse ISO text in its place (see v2DateText). Digits beyond the
      // millisecond have no way to the service, and cutting them would store another instant than
      // the one the caller typed: refused, unless they are zeros. The text is UTC without a zone.
      if (/\.\d{3}\d*[1-9]/.test(text)) {
        throw new Error(
          `${at.slice(1)} is edm.dateTime(${JSON.stringify(text)}), whose digits beyond the millisecond OData v2 JSON cannot carry (/Date(ms)/ holds milliseconds); round it to the millisecond`,
        );
      }
      return `/Date(${Date.parse(`${text}Z`)})/`;
    case "Edm.Date":
      // v2 has no Edm.Date: a day is an Edm.DateTime at midnight (as in a URL, `datetime'…T00:00:00'`).
      return `/Date(${Date.parse(`${text}T00:00:00Z`)})/`;
    case "Edm.TimeOfDay":
      return timeOfDayAsDuration(text);
    default:
      return edmJsonValue(value);
  }
}

/**
 * A date and time as the v2 readers give it (`normalizeV2Entity`: `2023-11-14T22:13:20Z`,
 * `2023-11-14T23:13:20.500+01:00`; the Atom reader up to seven digits of a second,
 * `2023-11-14T22:13:20.1234567Z`), with seconds, a fraction or none, and a zone.
 */
const READ_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * The v2 JSON form (`/Date(<ms since 1970 UTC>)/`) of a text in {@link READ_DATE_TIME}'s form, or
 * `undefined` for any other text (and for a day or time that does not exist).
 *
 * Why: v2 JSON writes `Edm.DateTime` (and, at SAP, `Edm.DateTimeOffset`) values in that form, and
 * services such as SAP SuccessFactors refuse ISO text there ("Illegal datetime format"). The reader
 * turns every `/Date(...)/` into ISO text, so an entity read and written back would otherwise send
 * its dates in a form the service did not send them in.
 *
 * Only members the reader converted are given here (`readDatesOf`): v2 JSON carries no types, and
 * text of the same form in a string property (`{ note: "2024-01-02T10:00:00Z" }`) must reach the
 * service as written, not as a date. Such a member is converted whatever reader-form text it holds
 * now, not only the text it was read with: the service sent it as `/Date(...)/`, so it is a date
 * property, and a caller who sets it to a new ISO text means a new date, which the service would
 * refuse as text. Text in another form (no zone, a day alone) is sent as written, for the service
 * to refuse loudly; a `Date` is the sure way. No offset is written: services read `+mmmm`
 * differently (the reader and SAP take the milliseconds as UTC, SAP CAP's v2 adapter adds the
 * minutes), and UTC alone is read alike.
 */
function v2DateText(text: string): string | undefined {
  // A cheap test keeps ordinary strings off the regular expression.
  if (text.length < 20 || text.charCodeAt(10) !== 84 /* T */) return undefined;
  const match = READ_DATE_TIME.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hours, minutes, seconds] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, keeps the years 0 to 99 as they are.
  date.setUTCFullYear(year, month - 1, day);
  // Atom gives up to seven digits of a second (ticks); `/Date(ms)/` holds milliseconds.
  date.setUTCHours(hours, minutes, seconds, Number((match[7] ?? "").padEnd(3, "0").slice(0, 3)));
  // A day or time that does not exist rolls over into another: such a text is not a date.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || date.getUTCHours() !== hours || date.getUTCMinutes() !== minutes) {
    return undefined;
  }
  const offsetHours = Number(match[9] ?? 0);
  const offsetMinutes = Number(match[10] ?? 0);
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  const offset = (match[8] === "-" ? -1 : 1) * (offsetHours * 60 + offsetMinutes);
  return `/Date(${date.getTime() - offset * 60_000})/`;
}

/** `@odata.etag`, `title@odata.mediaReadLink`, `@odata.context`...: written by the service, not by the client. */
function isControlInformation(name: string): boolean {
  const at = name.indexOf("@");
  if (at === -1) return false;
  const annotation = name.slice(at + 1).toLowerCase();
  // `odata.` is optional in OData 4.01 JSON (`@etag`, `@context`).
  const term = annotation.startsWith("odata.") ? annotation.slice(6) : annotation;
  return V4_CONTROL_INFORMATION.has(term);
}

function pathOf(context: WriteContext, path: string, query: readonly QueryOption[] = []): { url: URL; path: string } {
  const queryString = formatQueryString(query);
  const relative = queryString ? `${path}?${queryString}` : path;
  return { url: urlBelowRoot(context.serviceUrl, relative), path: relative };
}

function applyMethod(method: string, options: WriteOptions | undefined, headers: Record<string, string>, where: string): string {
  const tunnel = options?.tunnel;
  if (tunnel !== undefined && typeof tunnel !== "boolean") throw new TypeError(`${where}: option "tunnel" must be a boolean; got ${describe(tunnel)}`);
  if (!tunnel || method === "POST" || method === "GET") return method;
  headers["x-http-method"] = method;
  return "POST";
}

function finish(
  method: string,
  target: { url: URL; path: string },
  headers: Record<string, string>,
  body: string | Uint8Array | undefined,
  options: (WriteOptions & ConditionalOptions) | undefined,
  where: string,
  asyncTwin?: string,
): WriteRequest {
  const wireMethod = applyMethod(method, options, headers, where);
  const own = requestHeaders(options?.headers, where);
  const prefer = headers["prefer"];
  const ifMatch = headers["if-match"];
  Object.assign(headers, own);
  refuseOtherIfMatch(options, ifMatch, headers["if-match"], where);
  // The call's `return=` (its option `prefer`) joins the preferences of its own `Prefer`, as
  // `respond-async` and `odata.maxpagesize` do, rather than giving way to them.
  if (prefer !== undefined && own["prefer"] !== undefined) headers["prefer"] = joinPrefer(prefer, own["prefer"], where);
  const request: WriteRequest = {
    method: wireMethod,
    url: target.url,
    path: target.path,
    headers,
    // Idempotent methods only, as everywhere: the GET of a media read, a PUT, a DELETE.
    retry: IDEMPOTENT_METHODS.has(wireMethod),
  };
  const timeout = callTimeout(options?.timeout, where);
  if (timeout !== undefined) request.timeout = timeout;
  const onResponse = optionalFunction(options?.onResponse, `${where}: option "onResponse"`);
  if (onResponse) request.onResponse = onResponse;
  if (body !== undefined) request.body = body;
  if (asyncTwin !== undefined) request.asyncTwin = asyncTwin;
  return request;
}

function checkPrefer(prefer: unknown, where: string): ReturnPreference | undefined {
  if (prefer === undefined) return undefined;
  if (prefer !== "minimal" && prefer !== "representation") {
    throw new TypeError(`${where}: option "prefer" must be "minimal" or "representation"; got ${describe(prefer)}`);
  }
  return prefer;
}

/**
 * `built` (the option `prefer`'s `return=...`) with the preferences of the call's own `Prefer`
 * header `given`. A `return` among them that asks for the other answer is refused: the option
 * decides what the write resolves with (the entity or `undefined`), and neither of two
 * contradicting wishes of the same call can be taken for the one meant.
 */
function joinPrefer(built: string, given: string, where: string): string {
  for (const preference of splitPrefer(given)) {
    const match = /^\s*return\s*=\s*"?([^";\s]*)/i.exec(preference);
    if (match && `return=${match[1]!.toLowerCase()}` !== built) {
      throw new TypeError(`${where}: option "prefer" asks for ${built} and option "headers" has Prefer: ${preference.trim()}; give one of them`);
    }
  }
  return mergePrefer(given, built);
}

/**
 * Refuses a call's own `If-Match` header that differs from the one its option `ifMatch` or `etag`
 * gave: `built` is the option's value, `sent` what the request carries once its own `headers` are
 * in. Both name the version of the entity the call may change, and neither of two contradicting
 * conditions of the same call can be taken for the one meant (as a `Prefer` header that
 * contradicts option `prefer` is refused). The same value given twice is sent once; the header
 * alone, or with the ETag the body carries (no option gave it), is sent as given.
 * @param where the call, for the message (`update(patch)`, `action("order").invoke()`)
 */
export function refuseOtherIfMatch(options: ConditionalOptions | undefined, built: string | undefined, sent: string | undefined, where: string): void {
  if (built === undefined || sent === undefined || sent.trim() === built.trim()) return;
  const option = options?.ifMatch !== undefined ? "ifMatch" : options?.etag !== undefined && options.etag !== false ? "etag" : undefined;
  if (option === undefined) return;
  throw new TypeError(`${where}: option "${option}" asks for If-Match: ${built} and option "headers" has If-Match: ${sent}; give one of them`);
}

function setPrefer(headers: Record<string, string>, prefer: unknown, where: string): void {
  const checked = checkPrefer(prefer, where);
  if (checked !== undefined) headers["prefer"] = `return=${checked}`;
}

function setIfMatch(headers: Record<string, string>, value: string | undefined): void {
  if (value !== undefined) headers["if-match"] = value;
}

/** `request`, made by `method`, which has no option for `If-Match` ({@link WriteRequest.withoutIfMatch}). */
function madeWithoutIfMatch(request: WriteRequest, method: string): WriteRequest {
  request.withoutIfMatch = method;
  return request;
}

/**
 * `POST <collection>`: creates an entity (with nested entities: deep insert) in an entity set or
 * through a collection-valued navigation (`Books(1)/reviews`).
 */
export function createRequest(context: WriteContext, state: QueryState, entity: unknown, options?: CreateOptions, where = "create(entity)"): WriteRequest {
  const headers = writeHeaders(context, true);
  setPrefer(headers, options?.prefer, where);
  const request = finish("POST", pathOf(context, collectionPath(state), customOptions(state)), headers, writeBody(entity, context.version, where, options?.deep, context.ieee754Compatible), options, where, "createAsync()");
  // `where` names the method: "create(entity)", or "createAsync(body)" for the poller's request.
  return madeWithoutIfMatch(request, `${where.slice(0, where.indexOf("("))}()`);
}

/** `PATCH <entity>` (v2: `MERGE`): changes the properties sent, with `If-Match` as in the module comment. */
export function updateRequest(context: WriteContext, state: EntityState, patch: unknown, options?: UpdateOptions, where = "update(patch)"): WriteRequest {
  const body = writeBody(patch, context.version, where, options?.deep, context.ieee754Compatible, true);
  const headers = writeHeaders(context, true);
  setIfMatch(headers, ifMatchFor(options, patch, where));
  setPrefer(headers, options?.prefer, where);
  return finish(isV2(context.version) ? "MERGE" : "PATCH", pathOf(context, entityPath(state), customOptions(state)), headers, body, options, where, "updateAsync()");
}

/** `PUT <entity>`: replaces the entity (properties not sent get their defaults), with `If-Match` as for update. */
export function replaceRequest(context: WriteContext, state: EntityState, entity: unknown, options?: UpdateOptions, where = "replace(entity)"): WriteRequest {
  const body = writeBody(entity, context.version, where, options?.deep, context.ieee754Compatible, true);
  const headers = writeHeaders(context, true);
  setIfMatch(headers, ifMatchFor(options, entity, where));
  setPrefer(headers, options?.prefer, where);
  return finish("PUT", pathOf(context, entityPath(state), customOptions(state)), headers, body, options, where, "replaceAsync()");
}

/**
 * An upsert (OData 4.01 §11.4.4): `PATCH` (or `PUT` with `replace`) to the key of an entity that
 * may not exist yet, without `If-Match`, so a service that supports upserts inserts it when missing
 * and updates it otherwise. `ifNoneMatch: "*"` makes it insert-only. (For update-only, use
 * `update` with `ifMatch: "*"`.) ETags the body carries are not sent.
 */
export function upsertRequest(context: WriteContext, state: EntityState, entity: unknown, options?: UpsertOptions): WriteRequest {
  const body = writeBody(entity, context.version, "upsert(entity)", options?.deep, context.ieee754Compatible, true);
  const headers = writeHeaders(context, true);
  if (options?.ifNoneMatch !== undefined) {
    if (options.ifNoneMatch !== "*") throw new TypeError(`upsert(entity): option "ifNoneMatch" must be "*"; got ${describe(options.ifNoneMatch)}`);
    headers["if-none-match"] = "*";
  }
  setPrefer(headers, options?.prefer, "upsert(entity)");
  const replace = options?.replace;
  if (replace !== undefined && typeof replace !== "boolean") throw new TypeError(`upsert(entity): option "replace" must be a boolean; got ${describe(replace)}`);
  const method = replace ? "PUT" : isV2(context.version) ? "MERGE" : "PATCH";
  return madeWithoutIfMatch(finish(method, pathOf(context, entityPath(state), customOptions(state)), headers, body, options, "upsert(entity)"), "upsert()");
}

/** `DELETE <entity>`, with `If-Match` from `etag`/`ifMatch` (there is no body to carry one). */
export function deleteRequest(context: WriteContext, state: EntityState, options?: DeleteOptions, where = "delete()"): WriteRequest {
  const headers = writeHeaders(context, false);
  setIfMatch(headers, ifMatchFor(options, undefined, where));
  return finish("DELETE", pathOf(context, entityPath(state), customOptions(state)), headers, undefined, options, where, "deleteAsync()");
}

/** The path of the references of a navigation property: v4 `Books(1)/reviews/$ref`, v2 `Books(1)/$links/reviews`. */
function referencesPath(context: WriteContext, state: EntityState, navigation: string, where: string): string {
  const name = encodeURIComponent(checkIdentifier(navigation, where));
  return isV2(context.version) ? `${entityPath(state)}/$links/${name}` : `${entityPath(state)}/${name}/$ref`;
}

/** The body that names the target of a reference: v4 `{"@odata.id": url}`, v2 `{"uri": url}`. */
function referenceBody(context: WriteContext, target: EntityState): string {
  const id = pathOf(context, entityPath(target)).url.href;
  return JSON.stringify(isV2(context.version) ? { uri: id } : { "@odata.id": id });
}

/**
 * Adds `target` to the collection-valued navigation property `navigation`: v4
 * `POST Books(1)/reviews/$ref` `{"@odata.id": ".../Reviews(5)"}`, v2 `POST Books(1)/$links/reviews`
 * `{"uri": ".../Reviews(5)"}`.
 */
export function linkRequest(context: WriteContext, state: EntityState, navigation: string, target: EntityState, options?: WriteOptions): WriteRequest {
  const path = referencesPath(context, state, navigation, "link(navigation)");
  return madeWithoutIfMatch(finish("POST", pathOf(context, path, customOptions(state)), writeHeaders(context, true), referenceBody(context, target), options, "link(navigation, target)"), "link()");
}

/**
 * Sets the single-valued navigation property `navigation` to `target`: v4
 * `PUT Books(1)/author/$ref`, v2 `PUT Books(1)/$links/author`.
 */
export function setLinkRequest(context: WriteContext, state: EntityState, navigation: string, target: EntityState, options?: WriteOptions): WriteRequest {
  const path = referencesPath(context, state, navigation, "setLink(navigation)");
  return madeWithoutIfMatch(finish("PUT", pathOf(context, path, customOptions(state)), writeHeaders(context, true), referenceBody(context, target), options, "setLink(navigation, target)"), "setLink()");
}

/**
 * Removes a reference. With `target`, from a collection-valued navigation property: v4
 * `DELETE Books(1)/reviews/$ref?$id=<target URL>`, v2 `DELETE Books(1)/$links/reviews(5)`. Without,
 * clears a single-valued one: v4 `DELETE Books(1)/author/$ref`, v2 `DELETE Books(1)/$links/author`.
 */
export function unlinkRequest(context: WriteContext, state: EntityState, navigation: string, target?: EntityState, options?: WriteOptions): WriteRequest {
  const path = referencesPath(context, state, navigation, "unlink(navigation)");
  const headers = writeHeaders(context, false);
  const where = "unlink(navigation)";
  if (target === undefined) return madeWithoutIfMatch(finish("DELETE", pathOf(context, path, customOptions(state)), headers, undefined, options, where), "unlink()");
  if (isV2(context.version)) {
    if (target.keyPredicate === "") throw new TypeError("unlink(navigation, target): in OData v2 the target must be addressed by its key");
    return madeWithoutIfMatch(finish("DELETE", pathOf(context, `${path}${entityPath({ entitySet: "", keyPredicate: target.keyPredicate })}`, customOptions(state)), headers, undefined, options, where), "unlink()");
  }
  const id = pathOf(context, entityPath(target)).url.href;
  return madeWithoutIfMatch(finish("DELETE", pathOf(context, path, [["$id", id], ...customOptions(state)]), headers, undefined, options, where), "unlink()");
}

/** `GET` of a media resource or stream property; `accept` defaults to anything. */
export function mediaReadRequest(context: WriteContext, state: EntityState, property?: string, options?: { headers?: Record<string, string> }): WriteRequest {
  const headers: Record<string, string> = { accept: "*/*", ...versionHeaders(context.version, "read") };
  return finish("GET", pathOf(context, mediaPath(state, property), customOptions(state)), headers, undefined, options, "media()");
}

/** `PUT` of new content for a media resource or stream property, with its `Content-Type` and `If-Match`. */
export function mediaWriteRequest(
  context: WriteContext,
  state: EntityState,
  property: string | undefined,
  content: string | Uint8Array,
  options: MediaWriteOptions,
): WriteRequest {
  const headers = writeHeaders(context, false);
  headers["content-type"] = checkContentType(options?.contentType, "media().put(content)");
  setIfMatch(headers, ifMatchFor(options, undefined, "media().put(content)", mediaEtagLookup(property)));
  return finish("PUT", pathOf(context, mediaPath(state, property), customOptions(state)), headers, checkContent(content, "media().put(content)"), options, "media().put(content)");
}

/** `POST <collection>` with the content of a new media entity (not JSON); the service makes the entity. */
export function mediaCreateRequest(context: WriteContext, state: QueryState, content: string | Uint8Array, options: CreateMediaOptions): WriteRequest {
  const headers = writeHeaders(context, false);
  headers["content-type"] = checkContentType(options?.contentType, "createMedia(content)");
  const slug: unknown = options.slug;
  if (slug !== undefined) {
    if (typeof slug !== "string") throw new TypeError(`createMedia(content): option "slug" must be a string; got ${describe(slug)}`);
    headers["slug"] = encodeURIComponent(slug);
  }
  setPrefer(headers, options.prefer, "createMedia(content)");
  return madeWithoutIfMatch(finish("POST", pathOf(context, collectionPath(state), customOptions(state)), headers, checkContent(content, "createMedia(content)"), options, "createMedia(content)"), "createMedia()");
}

function checkContentType(contentType: unknown, where: string): string {
  if (typeof contentType !== "string" || !/^[\w!#$&^.+-]+\/[\w!#$&^.+-]+(\s*;.*)?$/.test(contentType) || /[\r\n]/.test(contentType)) {
    throw new TypeError(`${where}: option "contentType" must be a media type such as "image/png"; got ${describe(contentType)}`);
  }
  return contentType;
}

function checkContent(content: unknown, where: string): string | Uint8Array {
  if (typeof content === "string" || content instanceof Uint8Array) return content;
  throw new TypeError(`${where}: the content must be a string or a Uint8Array; got ${describe(content)}`);
}

/**
 * What a 428's explanation advises, in the library's words: the options of a write or a call that
 * send `If-Match`. The command line, which has no such options, puts its own in their place.
 */
export const IF_MATCH_ADVICE = 'pass { etag } (the entity read earlier or its ETag), or { ifMatch: "*" } to write whatever version is there';

/**
 * What a 428's explanation advises an action bound to a collection, sent alone, in the library's
 * words; the command line puts its header in place of the option.
 */
export const COLLECTION_IF_MATCH_ADVICE = 'the action is bound to a collection, which has no ETag of its own: pass { ifMatch: "*" } to send If-Match: *';

/**
 * The explanation added to the message of a failed write with status 412 or 428, or `undefined`
 * for other statuses. The error stays an `ODataHttpError` (code `HTTP_ERROR`) with the status.
 * @param request the write as it was sent: its conditions (`If-Match`, `If-None-Match`) are those
 * of its own headers and, where it has none, the client's configured ones
 * ({@link withSentConditions}); its `partKind`, of a `$batch` part, and its method, where given,
 * tell a function part and a raw GET part, which are told of a request to send again rather than
 * of a write.
 */
export function preconditionExplanation(status: number, request: Pick<WriteRequest, "headers" | "withoutIfMatch"> & { method?: string; partKind?: BatchPartKind | undefined; collectionBound?: true | undefined }): string | undefined {
  // A function part and a raw GET part are reads a service may still make conditional: what they
  // are told is of a request to send again, not of a change to reapply.
  const part = request.partKind;
  const reading = part === "function" || (part === "request" && request.method === "GET");
  if (status === 412) {
    const ifMatch = request.headers["if-match"];
    if (reading) {
      if (request.headers["if-none-match"] !== undefined) return "precondition failed: the entity does not meet the request's If-None-Match";
      if (ifMatch === undefined) return "precondition failed: the service refused a condition of its own (no If-Match was sent)";
      if (ifMatch.trim() === "*") return "precondition failed: there is no such entity (If-Match: * asked for one that exists)";
      return "precondition failed: the entity changed since its ETag was read (it no longer matches If-Match); read it again for its ETag and send the request again";
    }
    if (request.headers["if-none-match"] !== undefined) {
      return "precondition failed: the entity already exists (If-None-Match: * asked to insert only)";
    }
    // With If-Match: * a 412 says there is no entity at all; with none, no ETag was compared.
    if (ifMatch?.trim() === "*") return "precondition failed: there is no such entity (If-Match: * asked to write only an entity that exists)";
    if (ifMatch === undefined) return "precondition failed: the service refused a condition of its own (no If-Match was sent)";
    return "precondition failed: the entity changed since it was read (its ETag no longer matches If-Match); read it again and reapply the change";
  }
  if (status === 404 && request.withoutIfMatch === "upsert()") return upsertNotFound(request);
  if (status === 428) {
    const wanted = part === "function" ? "this function call made conditional, as with If-Match" : reading ? "this request made conditional, as with If-Match" : "If-Match for this write";
    return `precondition required: the service wants ${wanted}; ${ifMatchAdvice(request.withoutIfMatch, part, request.collectionBound)}`;
  }
  return undefined;
}

/**
 * What an upsert's `404` means: the key names no entity, and the service does not create one by the
 * upsert's method (OData v2 has no upsert; a 4.01 service need not take one by `PATCH`: SAP CAP
 * creates on `PUT` alone, through its v2 adapter too). The method is the tunnelled one where the
 * request went as `POST`.
 */
function upsertNotFound(request: Pick<WriteRequest, "headers"> & { method?: string }): string {
  const method = request.headers["x-http-method"] ?? request.method ?? "PATCH";
  const instead = method === "PUT" ? "create() it" : "upsert(entity, { replace: true }) sends PUT, which some services (SAP CAP) create a missing entity on, or create() it";
  return `not found: where the entity set exists, the service does not create a missing entity at this key by ${method}; ${instead}`;
}

/**
 * The builder's method that added a `$batch` part whose 412 and 428 are explained in words of its
 * own (batch/plan.ts sets it from the part's call): an action, whose `etag` is its one option for
 * `If-Match`; a function, a GET whose 412 and 428 are explained all the same; a raw request,
 * whose headers are the caller's own (and may make a GET conditional).
 */
export type BatchPartKind = "action" | "function" | "request";

/**
 * What a 428 advises the caller of `method`: {@link IF_MATCH_ADVICE} where the method has options
 * for `If-Match` (`undefined`), else what it can do: an upsert becomes an update with `If-Match`,
 * so that is the method to use once the entity exists; a `$batch` action part (`part`) takes its
 * `etag`, a raw part the header among its own, and a function part, which has no option for a
 * condition (a GET takes no `{ etag }`), is sent as a raw part with the header; the others take
 * the header as any other. A function's URL is not quoted: the error's own is redacted.
 * An action bound to a collection (`collectionBound`) has no ETag to pass: `*` is what it can send
 * (SAP CAP takes it for the collection-bound action of an entity set with an ETag).
 */
function ifMatchAdvice(method: string | undefined, part: BatchPartKind | undefined, collectionBound?: true): string {
  if (collectionBound && part === "action") return `the action is bound to a collection, which has no ETag of its own: pass { etag: "*" } to send If-Match: * (${method} has no ifMatch)`;
  if (collectionBound) return COLLECTION_IF_MATCH_ADVICE;
  if (method === undefined) return IF_MATCH_ADVICE;
  const header = '{ headers: { "If-Match": "<ETag>" } }';
  if (method === "upsert()") {
    return `upsert() sends none, since with one it is no longer an upsert but an update: change an entity that exists with replace() or update() and { etag } (the entity read earlier or its ETag) or { ifMatch: "*" }, or pass ${header}`;
  }
  // The parts of a $batch: an action's one option for it, and a raw request's own headers.
  switch (part) {
    case "action":
      return `pass its ETag as { etag } (${method} has no ifMatch), or { etag: "*" } to act on whatever version is there`;
    case "request":
      return `give the request "If-Match": "<ETag>" in its headers (${method} sends the headers it is given)`;
    case "function":
      return `${method} sends no condition and has no option for one (a GET part takes no { etag }): send the call as request({ method: "GET", url, headers: { "If-Match": "<ETag>" } }), which sends the headers it is given`;
    default:
      return `${method} has no option for it: pass ${header}`;
  }
}

/**
 * The explanation of a write's failure that an earlier attempt of the same request may have
 * caused, or `undefined`: a PUT or DELETE is sent again after a network error or a gateway's 5xx
 * (http/steps.ts retry step), and the attempt that met it may have reached the service and been
 * applied all the same. Sent again, such a write is refused by its own effect: the ETag of its
 * `If-Match` is gone (412), the entity it inserts with `If-None-Match: *` exists (412), the entity it
 * deletes is not found (404). "Read it again and reapply the change" would then apply it twice.
 * @param earlier what each attempt before met, in order: its status, or its network error
 * ({@link EARLIER_ATTEMPTS}).
 */
function retriedWriteExplanation(status: number, request: Pick<WriteRequest, "method" | "headers">, earlier: readonly unknown[]): string | undefined {
  const ifMatch = request.headers["if-match"]?.trim();
  const insertOnly = request.headers["if-none-match"] !== undefined;
  const deleting = request.method === "DELETE";
  // With If-Match: * a PUT that was applied leaves an entity that matches: its 412 is not its own.
  const refusedByItself = status === 412 ? insertOnly || (ifMatch !== undefined && (ifMatch !== "*" || deleting)) : status === 404 && deleting;
  if (!refusedByItself) return undefined;
  // 408 and 429 say that the request was not processed; a 5xx, or no answer to a request that
  // went out, may have come after the service applied it (a gateway that gave up waiting, a
  // dropped connection).
  const applying = earlier.flatMap((outcome, index) =>
    typeof outcome === "number"
      ? outcome === 408 || outcome === 429
        ? []
        : [`attempt ${index + 1} (answered HTTP ${outcome})`]
      : lostAttempt(outcome, index, request),
  );
  if (applying.length === 0) return undefined;
  const refusal = status === 404 ? "not found" : insertOnly ? "precondition failed: the entity exists" : ifMatch === "*" ? "precondition failed: there is no such entity" : "precondition failed: the ETag no longer matches If-Match";
  const effect = deleting ? "deleted the entity" : insertOnly ? "inserted the entity" : "applied the write, so the entity may be as this write left it";
  return `${refusal}, but this answer is to attempt ${earlier.length + 1} of the request, and ${applying.join(" or ")} may already have ${effect}: read it to know`;
}

/**
 * An earlier attempt (the `index`-th, from 0) that went out and got no answer, named with what it
 * met (`attempt 1 (failed before an answer arrived: ...)`), in a list of one; an empty list for any
 * other failure (see {@link sentUnanswered}).
 */
function lostAttempt(error: unknown, index: number, request: Pick<WriteRequest, "method">): string[] {
  return sentUnanswered(error, request) ? [`attempt ${index + 1} (${UNANSWERED.get(error as object)!.detail})`] : [];
}

/**
 * What a failed write's error adds where the retry step sent it again after an attempt that went
 * out and got no answer (`earlier`, {@link EARLIER_ATTEMPTS}): that attempt may have been applied
 * whatever became of the last (refused, answered 500, its connection refused). `undefined` where
 * no such attempt was made.
 * @param answered whether the last attempt was answered (an `ODataHttpError`), or failed (thrown).
 */
export function lostAttemptsExplanation(earlier: readonly unknown[] | undefined, request: Pick<WriteRequest, "method">, answered: boolean): string | undefined {
  const lost = earlier?.flatMap((outcome, index) => lostAttempt(outcome, index, request)) ?? [];
  if (lost.length === 0) return undefined;
  const last = `attempt ${earlier!.length + 1} of the request`;
  return `${answered ? `this answer is to ${last}` : `this was ${last}`}, and ${lost.join(" or ")} may already have applied the write: read it to know`;
}

/**
 * Whether `error` is what the client's own sending of `request` met when it may have reached the
 * service and got no answer: the timeout step's `TIMEOUT` or the transport's `NETWORK_ERROR`, kept
 * as the failure of a request of its method (and URL, where given) by http/unanswered.ts, but for
 * a connection that was never made ({@link neverSent}). Another request's failure (a token fetch
 * the request waited for), your step's own error and the caller's abort reason are not.
 */
export function sentUnanswered(error: unknown, request: { readonly method: string; readonly url?: URL }): boolean {
  const sent = UNANSWERED.get(error as object)?.request;
  return (
    sent !== undefined &&
    sent.method === request.method &&
    (request.url === undefined || sent.url.href === request.url.href) &&
    !neverSent((error as { cause?: unknown }).cause)
  );
}

/**
 * Whether a transport's error (or one it gives as its cause: Node's `fetch failed` wraps the
 * socket's) says that no connection was made, so nothing was sent: refused, unreachable, a host
 * name that does not resolve, a connect that timed out.
 */
function neverSent(cause: unknown): boolean {
  for (let at = cause, depth = 0; at instanceof Object && depth < 4; at = (at as { cause?: unknown }).cause, depth++) {
    if (/^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH|UND_ERR_CONNECT_TIMEOUT)$/.test(String((at as { code?: unknown }).code))) return true;
  }
  return false;
}

/** What a failed write's explanation needs of its request. */
type ExplainedRequest = Pick<WriteRequest, "method" | "headers" | "url" | "withoutIfMatch"> & { collectionBound?: true | undefined };

/** What a failed write's explanation needs of the client's options (`ClientCore.options`). */
export type ExplainingOptions = Pick<ResolvedClientOptions, "csrf" | "headers" | "trustedOrigins">;

/**
 * `request` with the conditions the headers step sent it with: a configured `If-Match` or
 * `If-None-Match` (option `headers`, the command line's `-H`) goes with every request to a trusted
 * origin that has none of its own (http/steps.ts `headersStep`), and a 412 must not say that none
 * was sent. A `$batch` part's headers hold them already (batch/plan.ts).
 */
function withSentConditions(request: ExplainedRequest, options: ExplainingOptions): ExplainedRequest {
  if (!isTrustedOrigin(options.trustedOrigins, request.url)) return request;
  let headers = request.headers;
  for (const [given, value] of options.headers) {
    const name = given.toLowerCase();
    if (name !== "if-match" && name !== "if-none-match") continue;
    headers = { ...headers, [name]: withConfigured(name, value, Object.hasOwn(headers, name) ? headers[name]! : null) };
  }
  return headers === request.headers ? request : { ...request, headers };
}

/**
 * What a failed request's error may say of CSRF, by how it was sent: alone, by a client with option
 * `csrf` on (`true`: its csrf step fetched a token, and says itself why the service refused the
 * request all the same) or off (`false`: the error says to turn it on where the service asked for
 * a token), or as a part of a `$batch` (`"batch-part"`: the `$batch` request carries the token, so
 * a refusal for want of one is the whole batch's, explained with its error, and a part's is
 * nothing of the client's CSRF).
 */
export type CsrfSending = boolean | "batch-part";

/**
 * The explanation added to the message of a request refused with 403 and `X-CSRF-Token: Required`
 * by the service of a client without option `csrf` (SAP Gateway, SAP CAP with CSRF protection), or
 * `undefined`. With the option, the csrf step fetched a token and sent the request again, and says
 * itself why it was refused all the same (`csrfRefusalExplanation`, http/csrf.ts).
 */
function missingCsrfExplanation(error: ODataHttpError, csrf: CsrfSending): string | undefined {
  if (csrf !== false || error.status !== 403 || error.headers["x-csrf-token"]?.toLowerCase() !== "required") return undefined;
  return `the service requires a CSRF token (X-CSRF-Token: Required): ${CSRF_ADVICE}`;
}

/**
 * What {@link missingCsrfExplanation} advises, in the library's words: the option to set. The
 * command line, which sets it in a profile, puts its own in its place.
 */
export const CSRF_ADVICE = 'set option "csrf" to true, and the client fetches one for its writes';

/** The methods that proxies and some services refuse, and that `{ tunnel: true }` sends as `POST`. */
const TUNNELLED = new Set(["MERGE", "PATCH", "PUT", "DELETE"]);

/**
 * `error` with what its `405 Method Not Allowed` may mean added to its message, for a write sent
 * alone by a method that takes the option `tunnel` (write/send.ts): a proxy that refuses `MERGE`,
 * `PATCH`, `PUT` or `DELETE` (its answer holds no OData error) may let it through tunnelled in a
 * `POST`; a request tunnelled already was refused so too. Any other error as it is. A `$batch`
 * part is not told of it: no proxy sees its method, and the plan refuses its `tunnel: true`.
 */
export function explainMethodRefused(error: ODataHttpError, request: Pick<WriteRequest, "method" | "headers">): ODataHttpError {
  if (error.status !== 405) return error;
  const tunnelled = request.method === "POST" ? request.headers["x-http-method"] : undefined;
  if (tunnelled !== undefined) {
    addExplanation(error, `method not allowed: the service, or a proxy before it, refused the write tunnelled as POST with X-HTTP-Method: ${tunnelled}`);
  } else if (TUNNELLED.has(request.method) && error.odataError === undefined) {
    // An OData error is the service's own refusal (SAP CAP's of a read-only entity), which a
    // tunnel would meet too; a proxy's or web server's page or empty body is not.
    addExplanation(error, `method not allowed: the answer holds no OData error, so a proxy or web server before the service may refuse ${request.method} requests; { tunnel: true } sends it as POST with X-HTTP-Method: ${request.method}`);
  }
  return error;
}

/** `explanation` added to the message of `error`, in parentheses, where there is one. */
function addExplanation(error: ODataHttpError, explanation: string | undefined): void {
  if (explanation !== undefined) error.message = `${error.message} (${explanation})`;
}

/**
 * `error` with {@link preconditionExplanation} added to its message where it is the
 * `ODataHttpError` of a write (any method but `GET`: a read sends no precondition) or the 412 or
 * 428 of a `$batch` function part or raw GET part (a GET a service may want made conditional all
 * the same, or that the caller's headers made so), or else
 * {@link missingCsrfExplanation}; any other error as it is. The one step every failed write's
 * error passes, alone (write/send.ts, through {@link explainFailedWrite}), as an action
 * (operations/call.ts) or in a `$batch` (batch/results.ts), so that all say the same.
 * @param csrf how the write was sent ({@link CsrfSending}): the client's option `csrf`, or
 * `"batch-part"` for a part of a `$batch`, which gets no word of CSRF.
 * @param earlier where the answer came to a retry of the request, what each attempt before met
 * ({@link EARLIER_ATTEMPTS}): one of them may have applied the write that is now refused.
 */
export function explainPrecondition<E>(
  error: E,
  request: Pick<WriteRequest, "method" | "headers" | "withoutIfMatch"> & { partKind?: BatchPartKind | undefined; collectionBound?: true | undefined },
  csrf: CsrfSending,
  earlier: readonly unknown[] = [],
): E {
  const part = request.partKind;
  const explained = request.method !== "GET" || ((part === "function" || part === "request") && error instanceof ODataHttpError && (error.status === 412 || error.status === 428));
  if (error instanceof ODataHttpError && explained) {
    const retried = earlier.length === 0 ? undefined : retriedWriteExplanation(error.status, request, earlier);
    addExplanation(error, retried ?? preconditionExplanation(error.status, request) ?? missingCsrfExplanation(error, csrf));
    // An attempt lost to the network may have been applied whatever the last was answered with.
    if (retried === undefined && earlier.length > 0) addExplanation(error, lostAttemptsExplanation(earlier, request, true));
  }
  return error;
}

/**
 * The error of a write, an action or a `$batch` the service answered with `response`, a failure
 * (the answer to a request sent alone, or the initial answer of an `...Async` one: lro/start.ts
 * `StartReading.explain`): explained as {@link explainPrecondition} explains it, and, where the
 * client's csrf step returned that 403 as it was (no token could be had, or the service refused
 * the token fetched anew), why. The step's module is already loaded whenever option `csrf` is on,
 * so the import costs nothing then.
 * @param request the write's or action's request, whose conditions a 412 or 428 is explained by;
 * `"$batch"` for the `$batch` request itself, which has none of its own (its parts' failures are
 * explained with their results), and so gets the words of CSRF alone.
 * @param client the client's options: its `csrf`, and the configured headers and trusted origins
 * that tell which conditions the request was sent with ({@link withSentConditions}).
 */
export async function explainFailedWrite(
  error: ODataHttpError,
  request: ExplainedRequest | "$batch",
  client: ExplainingOptions,
  response: Response,
): Promise<ODataHttpError> {
  const csrf = client.csrf;
  if (request === "$batch") addExplanation(error, missingCsrfExplanation(error, csrf));
  else explainPrecondition(error, withSentConditions(request, client), csrf, EARLIER_ATTEMPTS.get(response));
  // A 403 the csrf step returned as it was, or the answer it made for a write it did not send.
  if (csrf) addExplanation(error, (await import("../http/csrf.js")).csrfRefusalExplanation(response));
  return error;
}
