/**
 * Reading collections: one page, pages after pages following next links, and entity after entity,
 * with the next page read ahead while the caller works on the current one. Memory is bounded by
 * the pages in flight: the current one, the ones read ahead, and for a huge unpaged response only
 * the part of it being parsed.
 */
import { bodyReadFailure, maskedPayloadError, maskSentSecrets, STOPPED_ON_PURPOSE } from "../http/body.js";
import { bodyStallWatch } from "../http/stall.js";
import { httpErrorOf } from "../payload/failed-answer.js";
import type { ClientCore } from "../core.js";
import type { ODataVersion, RequestOptions } from "../options.js";
import { ODataClientError } from "../errors.js";
import { abortReason, followAbort, requestController, toAbortSignal, type AbortSignalLike } from "../http/signals.js";
import { BoundedChannel } from "./channel.js";
import { readCollectionBody } from "../payload/collection-body.js";
import type { CollectionAnnotations } from "../payload/annotations.js";
import { versionHeaders } from "../payload/version-headers.js";
import type { ExpandItem } from "../query/state.js";
import { clipText, redactUrl } from "../util/redact.js";
import { resolveReference } from "../util/service-root.js";
import { loadOnce } from "../util/load-once.js";
import { isXmlContentType, jsonMediaType } from "../payload/content-type.js";
import { mergePrefer } from "../http/steps.js";
import { callTimeout } from "../util/timers.js";
import { optionalFunction, refuseUnknownOptions, type OptionNames } from "../util/values.js";

/** One page of a collection. */
export interface Page<T> {
  /** The entities of this page. */
  value: T[];
  /** Where the next page is (absolute), when there is one. */
  nextLink?: string;
  /** The total count, when `count()` asked for it. */
  count?: number;
  /** The delta link, at the end of a change-tracked collection. */
  deltaLink?: string;
  /**
   * The collection's other instance annotations, by name as sent
   * (`"@Microsoft.Dynamics.CRM.morerecords"`), values as parsed; absent when it has none.
   * Dataverse pages a FetchXML query with `@Microsoft.Dynamics.CRM.fetchxmlpagingcookie` and
   * `morerecords` instead of a next link (asked for with `Prefer: odata.include-annotations="*"`).
   * The count, the links and `@odata.context` are not among them.
   */
  annotations?: Record<string, unknown>;
}

/** Options of the reading methods: the {@link RequestOptions} `signal`, `timeout` and `onResponse`, headers, and how pages are read. */
export interface ReadOptions extends RequestOptions {
  /**
   * More headers for this read, sent with each of its requests (every page of a walk, those read
   * ahead and those of next links among them) and checked as a write's are. Lower-case names win
   * over the read's own (`Accept`); a `Prefer` joins the read's own preferences
   * (`odata.maxpagesize`, `odata.track-changes`), its own winning where both name one, as the
   * client's `headers` join a request's. They go where the request goes (next links are followed
   * to the service's origin and `trustedOrigins` only); a redirect to another origin drops those
   * named like a credential, as it drops a write's.
   * @example { ConsistencyLevel: "eventual" } // Microsoft Graph's $count and $search on directory objects
   */
  headers?: Record<string, string> | undefined;
  /**
   * How many pages are requested ahead of the one the caller works on; `0` reads strictly one
   * page at a time. Memory holds the current page plus these. Within one page too large to be
   * parsed whole (a huge unpaged answer), the unit is a piece of the page of some hundred
   * entities, so the network reading stays just ahead of the caller.
   * @default 1
   */
  readAhead?: number | undefined;
  /**
   * Start from a next link saved earlier (for example `page.nextLink`) instead of the query's URL.
   * Such a walk cannot know how many entities were read before the link, so the query's `top(n)`
   * does not bound it: it follows next links to their end.
   */
  from?: string | undefined;
  /** Sent as `Prefer: odata.maxpagesize=N` (v4), overriding the client's `maxPageSize`. */
  maxPageSize?: number | undefined;
}

/**
 * The options a walk or a page takes from its caller (`page()`, `pages()`, `stream()`, `list()`,
 * a function's `pages()`), by name, for `refuseUnknownOptions`: those of {@link TraversalOptions}
 * are the reading layer's own, and refused from a caller.
 */
export const READ_OPTIONS = { signal: 1, timeout: 1, onResponse: 1, headers: 1, readAhead: 1, from: 1, maxPageSize: 1 } satisfies OptionNames<ReadOptions>;

/** The options a read of one answer takes (`get()`, `first()`, `countAll()`, a property's), by name. */
export const SINGLE_READ_OPTIONS = { signal: 1, timeout: 1, onResponse: 1, headers: 1 } satisfies OptionNames<RequestOptions & Pick<ReadOptions, "headers">>;

/** What the query layer adds to the caller's reading options (not exported from the package). */
export interface TraversalOptions extends ReadOptions {
  /** Adds `Prefer: odata.track-changes` (v4), so that the last page carries a delta link. */
  trackChanges?: boolean | undefined;
  /**
   * The query's `$expand`: the values it puts into the entities are remembered (`payload/expanded.ts`),
   * as are those of each page link's own `$expand` (a walk resumed `from` a saved link).
   */
  expand?: readonly ExpandItem[] | undefined;
  /**
   * The pages are an operation's result, whose related entities no `$expand` names: they are
   * remembered by their own look, as a write's answer's are (`markReturnedEntities`).
   */
  operationResult?: boolean | undefined;
  /**
   * Called with the text, the entities and the bytes of every v4 JSON page read whole, and of each
   * run of entities parsed together from a page too long for that (`piece` true; see
   * `readCollectionBody`): the command line's export keeps the entities' text to write it as is.
   */
  onWholeBody?: ((text: string, entities: unknown[], bytes: Uint8Array, piece?: boolean) => void) | undefined;
  /**
   * The query's `$top`: a walk from the query's URL hands out at most this many entities and sends
   * no request past the page that reaches it, since some services (Microsoft Graph) read `$top` as
   * a page size and send next links beyond it (OData 4.01 URL Conventions §5.1.4: it bounds the
   * result). Not applied from `from`.
   */
  top?: number | undefined;
  /**
   * For `first()`: each page's body is scanned from its first chunk as it is buffered for one
   * whole parse (`eager` of `readCollectionBody`), and each piece is handed on as it is parsed,
   * the annotations in a last piece of no entities. A service that ignores `$top=1` and sends a
   * large collection, or sends it slowly, is then read no further than the network chunk that
   * brings the `,` or `]` after its first entity.
   */
  eager?: boolean | undefined;
  /** The call the caller made (`first()`), as option errors name it; else the reading function's. */
  where?: string | undefined;
}

/** A piece of a page as it comes off the network; `end` marks the page's last piece. */
interface PagePart<T> {
  entities: T[];
  end?: CollectionAnnotations;
}

export const DEFAULT_READ_AHEAD = 1;

/**
 * The reading options after checks: the signal as a real `AbortSignal`, `readAhead` with its
 * default, the headers with their names in lower case.
 */
export interface ResolvedReadOptions extends Omit<TraversalOptions, "signal" | "readAhead"> {
  signal: AbortSignal | undefined;
  readAhead: number;
}

/**
 * Checks the reading options; errors name the option, and `where` (or `options.where`) the call.
 * A promise only where `headers` are given, which resolves once their checker has loaded: a read
 * without them goes on to send in the same turn (partitions(n) sends its count beside $metadata).
 */
export function resolveReadOptions(options: TraversalOptions | undefined, where: string): ResolvedReadOptions | Promise<ResolvedReadOptions> {
  where = options?.where ?? where;
  const timeout = callTimeout(options?.timeout, where);
  const readAhead = options?.readAhead === undefined ? DEFAULT_READ_AHEAD : options.readAhead;
  if (!Number.isInteger(readAhead) || readAhead < 0) {
    throw new RangeError(`${where}: option "readAhead" must be an integer >= 0; got ${String(readAhead)}`);
  }
  const signal = toAbortSignal(options?.signal);
  if (options?.maxPageSize !== undefined && (!Number.isInteger(options.maxPageSize) || options.maxPageSize <= 0)) {
    throw new RangeError(`${where}: option "maxPageSize" must be a positive integer; got ${String(options.maxPageSize)}`);
  }
  if (options?.from !== undefined && (typeof options.from !== "string" || options.from === "")) {
    throw new TypeError(`${where}: option "from" must be a next link string`);
  }
  optionalFunction(options?.onResponse, `${where}: option "onResponse"`);
  const resolved: ResolvedReadOptions = { ...options, readAhead, signal, timeout, headers: undefined };
  const given = options?.headers;
  // Checked as a write's are: the same refusals, in the same words; the checker loads with the
  // first read that gives headers.
  return given === undefined ? resolved : import("../http/request-headers.js").then(({ requestHeaders }) => ({ ...resolved, headers: requestHeaders(given, where) }));
}

/**
 * Resolves a next link against the service root and checks that it may be followed: http(s), on
 * the service's origin or a trusted one. Anything else rejects with `UNTRUSTED_NEXT_LINK` rather
 * than sending the client's credentials (or any request) elsewhere. The URL comes without its
 * fragment, which is never sent. `given` says the caller gave the link (`whose` names the
 * argument): one that is no URL is then a `TypeError`, else `BAD_PAYLOAD`.
 */
export function resolveNextLink(core: ClientCore, link: string, whose = "the service sent a next link", given?: boolean): URL {
  const url = resolveReference(core.options.serviceUrl, link);
  if (url === undefined) {
    throw badLink(link, whose, given);
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || !core.options.trustedOrigins.has(url.origin)) {
    throw new ODataClientError(
      "UNTRUSTED_NEXT_LINK",
      `${whose} to ${url.protocol === "http:" || url.protocol === "https:" ? url.origin : url.protocol}, which is neither the service's origin (${core.options.serviceUrl.origin}) nor listed in trustedOrigins; it was not followed`,
    );
  }
  // The fragment is never sent: a link that differs only in it is the same page (and, kept, would
  // let a service answer every page with a new `#n` and defeat NEXT_LINK_LOOP).
  url.hash = "";
  return url;
}

/**
 * The links of the pages read last, to stop a walk that the service sends round in a loop. Only
 * the most recent ones are kept, so that memory stays bounded on walks of millions of pages; a
 * loop through more than `limit` distinct links before it comes back is not caught.
 */
export class RecentLinks {
  readonly #limit: number;
  readonly #links = new Set<string>();

  constructor(limit = 1024) {
    this.#limit = limit;
  }

  add(link: string): void {
    this.#links.delete(link);
    this.#links.add(link);
    // A Set iterates in insertion order: the first entry is the oldest.
    if (this.#links.size > this.#limit) this.#links.delete(this.#links.values().next().value as string);
  }

  has(link: string): boolean {
    return this.#links.has(link);
  }
}

/**
 * The headers of a collection or entity read for the client's version: `Accept` only (JSON, with
 * `IEEE754Compatible=true` where the client asks for that form), since a read
 * sends no version headers (`versionHeaders` gives none for one), so that a plain read is a
 * CORS-simple request.
 * `maxPageSize` and `trackChanges` add `Prefer` (v4; v2 has neither preference), on every page:
 * services read the page size from each request (Dataverse pages by the `Prefer` of the next-link
 * request). `Prefer` is not CORS-safelisted, so in a browser such a read on another origin is
 * preflighted. `maxPageSize` `0`: no page size, not even the client's (a read that is no page:
 * an entity, a count). `given`: the caller's headers (checked, names in lower case), which win over
 * these but for `Prefer`, whose preferences join them (see `ReadOptions.headers`).
 */
export function readHeaders(core: ClientCore, maxPageSize: number | undefined, trackChanges = false, given?: Record<string, string>): Headers {
  const headers = new Headers({ accept: jsonMediaType(core.options.ieee754Compatible), ...versionHeaders(core.options.version, "read"), ...given });
  if (core.options.version !== "2.0") {
    const preferences: string[] = [];
    const pageSize = maxPageSize ?? core.options.maxPageSize;
    if (pageSize) preferences.push(`odata.maxpagesize=${pageSize}`);
    if (trackChanges) preferences.push("odata.track-changes");
    const own = given?.["prefer"];
    if (preferences.length > 0) headers.set("prefer", own ? mergePrefer(preferences.join(", "), own) : preferences.join(", "));
  }
  return headers;
}

/** Sends the GET of one page, with the read's preferences, headers and timeout, and checks the answer. */
async function requestPage(core: ClientCore, url: URL, signal: AbortSignal | undefined, options: ResolvedReadOptions): Promise<Response> {
  const headers = readHeaders(core, options.maxPageSize, options.trackChanges, options.headers);
  const response = await core.send({ method: "GET", url, headers, signal, timeout: options.timeout, onResponse: options.onResponse });
  if (!response.ok) throw await httpErrorOf(response, "GET", url, { signal });
  // A 202's body is the status of a read the service runs asynchronously, never the page.
  if (response.status === 202) throw await (await import("./pending-read.js")).pendingReadError(response, url);
  return response;
}

/**
 * What only some reads need, loaded with the first of them: the marks of expanded values with the
 * first read that expands (by the query or by its link), OData v2's value forms with the first v2 page.
 */
const loadExpanded = /* @__PURE__ */ loadOnce(() => import("../payload/expanded.js"));
const loadV2Values = /* @__PURE__ */ loadOnce(() => import("../payload/v2-values.js"));

/** What a walk gives the reading of one of its pages (see walkParts). */
interface WalkHooks {
  /** The page's GET, sent before the page before it was parsed. */
  sent?: Promise<Response> | undefined;
  /** Told the next link that the page's text ends with, before the text is parsed. */
  onNextLink?: ((link: string) => void) | undefined;
}

/**
 * The pieces of one page, the last one carrying the page's annotations. A JSON body is parsed as
 * it streams; an Atom body (v2 services that answer XML) is read whole, up to `ATOM_PAGE_LIMIT`,
 * but for an `eager` reading, which has the entries up to the first one as they come (atom-page.ts).
 */
async function* pageParts<T>(core: ClientCore, url: URL, options: ResolvedReadOptions, signal = options.signal, walk?: WalkHooks): AsyncGenerator<PagePart<T>> {
  const response = await (walk?.sent ?? requestPage(core, url, signal, options));
  const v2 = core.options.version === "2.0";
  // What the page expanded: the query's `$expand`, and the page link's own (a walk from a saved
  // link); a URL without the word needs no look at its options.
  const mark = options.expand || options.operationResult || url.search.includes("expand") ? (await loadExpanded()).pageMarks(url, v2, options) : undefined;
  const contentType = response.headers.get("content-type");
  if (isXmlContentType(contentType)) {
    // Atom (and the XML reader under it) is loaded by the first XML page: JSON readers never need it.
    for await (const part of (await import("./atom-page.js")).atomPageParts(response, url, signal, options.eager)) {
      if (mark) for (const entity of part.entities) mark(entity);
      yield part as PagePart<T>;
    }
    return;
  }
  if (!response.body) throw new ODataClientError("BAD_PAYLOAD", `GET ${redactUrl(url)} answered ${response.status} without a body`);
  const normalizeV2Entity = v2 ? (await loadV2Values()).normalizeV2Entity : undefined;
  const body = readCollectionBody(response.body, v2 ? "v2" : "v4", {
    eager: options.eager,
    stallWatch: bodyStallWatch(response),
    onWholeBody: options.onWholeBody,
    onTrailingNextLink: walk?.onNextLink,
  });
  // One piece is held back so that the last one can carry the annotations the body ends with.
  let held: T[] | undefined;
  try {
    for (;;) {
      let next: IteratorResult<unknown[], CollectionAnnotations>;
      try {
        next = await body.next();
      } catch (error) {
        throw await maskedPayloadError(await pageReadFailure(error, url, signal, response, core.options.version), response);
      }
      if (next.done) {
        yield { entities: held ?? [], end: next.value };
        return;
      }
      const entities = next.value as T[];
      // The piece is read as one collection value, as get() reads an operation's collection result
      // (operations/results.ts): a primitive item (a function import's `Collection(Edm.DateTime)`)
      // is converted in its place as well as an entity's members.
      normalizeV2Entity?.(entities);
      if (mark) for (const entity of entities) mark(entity);
      if (held) yield { entities: held };
      // An eager reader holds nothing back: what it waits for is the entity, not the annotations.
      if (options.eager) yield { entities };
      else held = entities;
    }
  } finally {
    // A walk left while the body is read (a break, an abort) ends the reading, whose own finally
    // cancels the body and clears its stall timer (which kept the process up to `timeout` alive).
    await body.return(undefined as never);
  }
}

/**
 * A failure while a page is read. A body that did not read as a collection is told by
 * read/payload-failure.ts, loaded with the first: the page's request named, a page labelled
 * `text/html` said to be one, a body of the other OData version said to be one where the answer's
 * headers say so.
 */
async function pageReadFailure(error: unknown, url: URL, signal: AbortSignalLike | undefined, response: Response, version: ODataVersion): Promise<unknown> {
  if (error instanceof ODataClientError && error.code === "BAD_PAYLOAD" && !signal?.aborted) {
    return (await import("./payload-failure.js")).pagePayloadError(error, url, response, version);
  }
  return bodyReadFailure(error, "GET", url, signal);
}

/** Reads one page whole. */
export async function readPage<T>(core: ClientCore, url: URL, options: TraversalOptions | undefined): Promise<Page<T>> {
  const resolved = await resolveReadOptions(options, "page()");
  const start = resolved.from === undefined ? url : resolveNextLink(core, resolved.from, "option from is a next link", true);
  const value: T[] = [];
  for await (const part of pageParts<T>(core, start, resolved)) {
    for (const entity of part.entities) value.push(entity);
    if (part.end) {
      try {
        return toPage(core, value, part.end);
      } catch (error) {
        throw await maskedLinkError(core, error);
      }
    }
  }
  throw new ODataClientError("BAD_PAYLOAD", `GET ${redactUrl(start)}: the page ended without its annotations`);
}

/**
 * A page with its links made absolute (against the service root). A link that is not a URL is a
 * broken payload; in a walk (`walk: true`) the page is still delivered without it, since the walk
 * rejects right after it (when it tries to follow the next link; walkPages for a delta link).
 */
export function toPage<T>(core: ClientCore, value: T[], annotations: CollectionAnnotations, walk = false): Page<T> {
  const page: Page<T> = { value };
  if (annotations.nextLink !== undefined) {
    const nextLink = absoluteLink(core, annotations.nextLink, "next link", !walk);
    if (nextLink !== undefined) page.nextLink = nextLink;
  }
  if (annotations.count !== undefined) page.count = annotations.count;
  if (annotations.deltaLink !== undefined) {
    const deltaLink = absoluteLink(core, annotations.deltaLink, "delta link", !walk);
    if (deltaLink !== undefined) page.deltaLink = deltaLink;
  }
  if (annotations.others) page.annotations = annotations.others;
  return page;
}

function absoluteLink(core: ClientCore, link: string, what: string, strict: true): string;
function absoluteLink(core: ClientCore, link: string, what: string, strict: boolean): string | undefined;
function absoluteLink(core: ClientCore, link: string, what: string, strict: boolean): string | undefined {
  const url = resolveReference(core.options.serviceUrl, link);
  if (url !== undefined || !strict) return url?.href;
  throw badLink(link, `the service sent a ${what}`);
}

/**
 * A link that is no URL: one the caller gives (`given`) is a wrong argument, as the other argument
 * checks' are; only one an answer carries is a payload that is not what OData prescribes.
 */
function badLink(link: string, whose: string, given?: boolean): Error {
  const message = `${whose} that is not a URL: ${JSON.stringify(clipText(link, 200))}`;
  return given ? new TypeError(message) : new ODataClientError("BAD_PAYLOAD", message);
}

/**
 * The error of a link an answer carries, with the secrets the client sent masked, as a page's
 * BAD_PAYLOAD has them: a service may echo a token as its link. (Those sent so far: the page's
 * answer is no longer at hand where its links are judged.)
 */
const maskedLinkError = (core: ClientCore, error: unknown): Promise<unknown> => maskSentSecrets(error, core.sentSecrets.current());

/**
 * Walks a collection: a producer follows next links and parses bodies while the consumer works,
 * running at most `readAhead` page pieces ahead. Leaving the loop early (break, return, throw)
 * aborts whatever is in flight.
 */
async function* walkParts<T>(core: ClientCore, url: URL, options: TraversalOptions | undefined, where: string, given: unknown): AsyncGenerator<PagePart<T>> {
  refuseUnknownOptions(given, READ_OPTIONS, options?.where ?? where);
  const resolved = await resolveReadOptions(options, where);
  const first = resolved.from === undefined ? url : resolveNextLink(core, resolved.from, "option from is a next link", true);
  const caller = resolved.signal;
  const stop = new AbortController();
  // The walk's signal, which the caller's aborts (see followAbort) until the walk ends.
  const signal = stop.signal;
  const unfollow = followAbort(caller, stop);
  // Each page is read with a signal of its own, which the walk's aborts. `fetch` leaves a listener
  // on every signal it is given until that request is garbage: one signal for all the pages
  // gathered one per page (undici counts them on every request, and the walk's end ran them all),
  // about a hundredth of a walk's time. The pages are read one at a time and any failure ends the
  // walk: the pipeline's timeout step aborts a page's own signal (see REQUEST_CONTROLLERS), so
  // that no page costs a second controller and an `AbortSignal.any`.
  let reading: AbortController | undefined;
  // The next page's GET when it was sent early (below), with the link it was sent to.
  let early: { href: string; controller: AbortController; sent: Promise<Response> } | undefined;
  signal.addEventListener(
    "abort",
    () => {
      reading?.abort(abortReason(signal));
      early?.controller.abort(abortReason(signal));
    },
    { once: true },
  );
  const channel = new BoundedChannel<PagePart<T>>(resolved.readAhead);
  const visited = new RecentLinks();
  // The entities the query's `$top` still allows; none is known to a walk resumed from a link.
  let left = resolved.from === undefined ? resolved.top : undefined;
  // The most entities a page of this walk held so far.
  let largest = 0;
  // While a page is parsed, the next link its text ends with is requested already, if the caller
  // waits for this page: it would be requested as soon as the page is handed over anyway. So the
  // service answers while the client parses, and memory holds no more pages than read-ahead
  // allows. The link is checked as any other first; the parsed page must then name the same link,
  // or the early GET is aborted as soon as the page is read and the right one sent.
  const dropGuess = (unless: string | undefined): void => {
    if (early?.href === unless) return;
    early?.controller.abort(new DOMException("the page named another next link", "AbortError"));
    early = undefined;
  };
  const onNextLink = (link: string): void => {
    // Under `$top`, the page being parsed may be the one that reaches it: the next one is asked
    // for only while more is left than any page before held, none for the first (the guess saves
    // only the parsing's time, and a page past `$top` is one the service should not be asked for).
    if (resolved.readAhead === 0 || (left !== undefined && (largest === 0 || left <= largest)) || !channel.starved || signal.aborted) return;
    let url: URL;
    try {
      url = resolveNextLink(core, link);
    } catch {
      return; // the parsed page's link gives the error
    }
    if (visited.has(url.href)) return;
    const controller = requestController();
    const sent = requestPage(core, url, controller.signal, resolved);
    sent.catch(() => undefined); // awaited when the guess holds; an aborted guess fails unheard
    early = { href: url.href, controller, sent };
  };

  const produce = async () => {
    let next: URL | undefined = first;
    while (next) {
      visited.add(next.href);
      await channel.room();
      if (channel.closed) return;
      let end: CollectionAnnotations | undefined;
      // What dropGuess left is the GET of this very link.
      const guessed = early;
      early = undefined;
      const page = (reading = guessed?.controller ?? requestController());
      if (signal.aborted) page.abort(abortReason(signal));
      let held = 0;
      for await (const part of pageParts<T>(core, next, resolved, page.signal, { sent: guessed?.sent, onNextLink })) {
        held += part.entities.length;
        await channel.room();
        if (channel.closed) return;
        if (left !== undefined) {
          if (part.entities.length >= left) {
            // `$top` reached: the rest of the page and the next link are past it.
            const last = { ...part.end };
            delete last.nextLink;
            channel.push({ entities: part.entities.length > left ? part.entities.slice(0, left) : part.entities, end: last });
            return;
          }
          left -= part.entities.length;
        }
        channel.push(part);
        end = part.end;
      }
      largest = Math.max(largest, held);
      reading = undefined;
      try {
        next = end?.nextLink === undefined ? undefined : resolveNextLink(core, end.nextLink);
      } catch (error) {
        dropGuess(undefined);
        throw await maskedLinkError(core, error);
      }
      // A guess that the parsed page does not confirm goes at once (a loop is never guessed).
      dropGuess(next?.href);
      // As payload-failure.ts's nextLinkLoop words it for a delta and a paged property.
      if (next && visited.has(next.href)) {
        throw new ODataClientError("NEXT_LINK_LOOP", `the service sent a next link back to a page already read (${redactUrl(next)}); stopping instead of looping`);
      }
    }
  };
  const producing = produce().then(
    () => channel.close(),
    (error: unknown) => channel.close({ error: signal.aborted ? abortReason(signal) : error }),
  );

  try {
    for (;;) {
      if (caller?.aborted) throw abortReason(caller);
      const part = await channel.take();
      if (part === undefined) return;
      yield part;
    }
  } finally {
    unfollow();
    channel.close();
    // A page still arriving is stopped on purpose, which the wire log does not report as a failure.
    const left = new DOMException("the traversal was left", "AbortError");
    STOPPED_ON_PURPOSE.add(left);
    stop.abort(left);
    await producing;
  }
}

/**
 * Pages after pages, following next links. `given`, a public method's caller's own options (beside
 * `options`, which the query layer adds to), is checked (`refuseUnknownOptions`) at the first step,
 * before anything is sent: a public method's wrong
 * options reject its walk's first step, as a wrong value of one of them does.
 */
export async function* walkPages<T>(core: ClientCore, url: URL, options: TraversalOptions | undefined, given?: unknown): AsyncGenerator<Page<T>> {
  let value: T[] = [];
  for await (const part of walkParts<T>(core, url, options, "pages()", given)) {
    if (!part.end) {
      for (const entity of part.entities) value.push(entity);
      continue;
    }
    // A page read in one piece (every page a JSON.parse reads whole) is its array as parsed. The
    // command line's export finds the page's text by this very array (EntityTexts of
    // payload/entity-text.ts): a copy here would leave every page's text in its store.
    if (value.length === 0) value = part.entities;
    else for (const entity of part.entities) value.push(entity);
    const page = toPage(core, value, part.end, true);
    yield page;
    value = [];
    // A delta link that is no URL (left out of the page) fails the walk after it, as a next link does.
    if (part.end.deltaLink !== undefined && page.deltaLink === undefined) throw await maskedLinkError(core, badLink(part.end.deltaLink, "the service sent a delta link"));
  }
}

/**
 * Entities after entities across all pages. Once the caller's signal aborts, no further entity is
 * handed out, not even one of a piece already read: the next step rejects with the signal's reason.
 * `given` as {@link walkPages} takes it.
 */
export function walkEntities<T>(core: ClientCore, url: URL, options: TraversalOptions | undefined, given?: unknown): AsyncGenerator<T, void, undefined> {
  // The caller's signal as given: the stream only reads whether it has aborted and why.
  return new EntityStream<T>(walkParts<T>(core, url, options, "stream()", given), options?.signal);
}

/**
 * The iterator behind {@link walkEntities}. An async generator yielding each entity costs several
 * promise turns per entity: about 0.5 µs each as measured with bench/traversal.ts, a quarter or
 * more of a whole walk's client CPU. Here an entity of a piece already read costs one resolved
 * promise; only the end of a piece waits, for the next one. Calls made while one is still waiting
 * run after it, in order, as a generator's would.
 */
class EntityStream<T> implements AsyncGenerator<T, void, undefined> {
  /** The walk's pieces; let go when the walk ends, with what it keeps (its last 1,024 links). */
  #parts: AsyncGenerator<PagePart<T>> | undefined;
  readonly #signal: AbortSignalLike | undefined;
  #entities: T[] = [];
  #index = 0;
  #finished = false;
  /** Steps queued and not yet done, and the settling of the last one, which the next waits for. */
  #pending = 0;
  #last: Promise<unknown> = Promise.resolve();

  constructor(parts: AsyncGenerator<PagePart<T>>, signal: AbortSignalLike | undefined) {
    this.#parts = parts;
    this.#signal = signal;
  }

  next(): Promise<IteratorResult<T, void>> {
    if (this.#pending === 0 && this.#index < this.#entities.length && !this.#signal?.aborted) {
      return Promise.resolve({ value: this.#entities[this.#index++] as T, done: false });
    }
    return this.#enqueue(() => this.#step());
  }

  return(): Promise<IteratorResult<T, void>> {
    return this.#enqueue(async () => {
      await this.#finish();
      return { value: undefined, done: true };
    });
  }

  throw(error: unknown): Promise<IteratorResult<T, void>> {
    return this.#enqueue(async () => {
      await this.#finish();
      throw error;
    });
  }

  [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    return this;
  }

  /**
   * `await using` leaves the walk as `return()` does, as it leaves an async generator. Where the
   * runtime has no `Symbol.asyncDispose` (Node 18), the key is a symbol nothing uses.
   */
  async [Symbol.asyncDispose ?? Symbol()](): Promise<void> {
    await this.return();
  }

  async #step(): Promise<IteratorResult<T, void>> {
    for (;;) {
      if (this.#finished) return { value: undefined, done: true };
      if (this.#signal?.aborted) {
        await this.#finish();
        throw abortReason(this.#signal);
      }
      if (this.#index < this.#entities.length) return { value: this.#entities[this.#index++] as T, done: false };
      let part: IteratorResult<PagePart<T>>;
      try {
        part = await this.#parts!.next();
      } catch (error) {
        this.#release();
        throw error;
      }
      if (part.done) {
        this.#release();
      } else {
        this.#entities = part.value.entities;
        this.#index = 0;
      }
    }
  }

  /** Stops the walk (aborting what is in flight) and forgets the piece in hand. */
  async #finish(): Promise<void> {
    if (this.#finished) return;
    const parts = this.#parts!;
    this.#release();
    await parts.return(undefined);
  }

  #release(): void {
    this.#finished = true;
    this.#parts = undefined;
    this.#entities = [];
    this.#index = 0;
  }

  #enqueue<R>(step: () => Promise<R>): Promise<R> {
    // The count drops as the step ends, before its result reaches the caller, so that the caller's
    // next call already takes the short way.
    const run = async (): Promise<R> => {
      try {
        return await step();
      } finally {
        this.#pending--;
      }
    };
    const result = this.#pending++ === 0 ? run() : this.#last.then(run, run);
    this.#last = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
