/**
 * Reading one property of an entity alone (`property(name).get()`, `.text()`, `.bytes()`): the single reads
 * of resources/property.ts, apart from read/entity.ts so that neither a program's start nor its
 * first `get()` of an entity loads the reading of property answers; this module loads with the
 * first read of a property. The request is sent and checked as an entity's (`getSingle`).
 */
import { BODY_LIMIT, maskSentSecrets, readBodyBytes, readBodyText, readMasked } from "../http/body.js";
import type { ClientCore } from "../core.js";
import { badPayload } from "../payload/bad-payload.js";
import { readBodyAs } from "../payload/http-envelope.js";
import { readPropertyPage } from "../payload/property-answer.js";
import { redactUrl, SENT_SECRETS } from "../util/redact.js";
import { ENTITY_LIMIT, getSingle } from "./entity.js";
import { nextLinkLoop, refuseV2Property, withVersionHint } from "./payload-failure.js";
import { RecentLinks, resolveNextLink, walkPages, type ReadOptions } from "./traversal.js";

/**
 * GET of one property of an entity (`Books(1)/title`, `property(name).get()`): its value, unwrapped
 * as payload/property-answer.ts reads it, a collection that the service pages read to its last
 * page; `null` where the service answers without a body, as it answers a property that is null
 * (`204 No Content`, OData 4.01 Part 1 §11.2.6). The caller's
 * `headers`, `timeout`, `signal` and `onResponse` go with the request, checked as `get()`'s.
 */
export async function readProperty<V>(core: ClientCore, propertyUrl: URL, name: string, options: ReadOptions | undefined): Promise<V> {
  const call = `property(${JSON.stringify(name)}).get()`;
  // A URL of its own for each request: the query keeps `propertyUrl` for its next reads.
  const first = await readPropertyPageAt(core, new URL(propertyUrl), name, options, call);
  if (first === undefined) return null as V;
  if (first.page.nextLink === undefined || !Array.isArray(first.page.value)) return first.page.value as V;
  // A collection the service pages is read to its last page, as a function's collection result
  // is: its first page alone would pass for the whole collection. The pages go by the walk's
  // rules (the origin of next links, loops) with the caller's signal, timeout, headers and onResponse.
  const items: unknown[] = first.page.value;
  let next = await nextPageUrl(core, first.page.nextLink, first.response);
  if (core.options.version !== "2.0") {
    for await (const more of walkPages<unknown>(core, next, options)) for (const item of more.value) items.push(item);
    return items as V;
  }
  // A v2 service's next page of a property is that property's answer again (`{"d": {name:
  // {"results": [...], "__next": …}}}`), which no page of an entity set reads: read as the first.
  const read = new RecentLinks();
  read.add(propertyUrl.href);
  for (;;) {
    if (read.has(next.href)) throw nextLinkLoop(next);
    read.add(next.href);
    const more = await readPropertyPageAt(core, next, name, options, call);
    // A next page with nothing in it is no last page: the rest of the collection would be lost.
    if (more === undefined || !Array.isArray(more.page.value)) throw badPayload(`GET ${redactUrl(next)} did not answer with the next page of the collection ${JSON.stringify(name)}`);
    for (const item of more.page.value) items.push(item);
    if (more.page.nextLink === undefined) return items as V;
    next = await nextPageUrl(core, more.page.nextLink, more.response);
  }
}

/** One GET of a property's value at `url` (its first page, or a next one), read; `undefined` for an empty body. */
async function readPropertyPageAt(core: ClientCore, url: URL, name: string, options: ReadOptions | undefined, call: string) {
  const { response, signal } = await getSingle(core, url, options, call);
  const text = await readBodyText(response, "GET", url, signal, ENTITY_LIMIT);
  if (text.trim() === "") return undefined;
  const version = core.options.version;
  const where = `GET ${redactUrl(url)}`;
  const page = await readMasked(response, () => {
    refuseV2Property(text, response.headers, version, where);
    try {
      return readPropertyPage(text, response.headers.get("content-type"), version, name, where);
    } catch (error) {
      throw withVersionHint(error, response.headers, version);
    }
  });
  return { response, page };
}

/** A next link as the URL to read, under the walk's origin rule; one that is no URL is quoted masked of what `response`'s request was sent with, as a page's is. */
async function nextPageUrl(core: ClientCore, link: string, response: Response): Promise<URL> {
  try {
    return resolveNextLink(core, link);
  } catch (error) {
    throw await maskSentSecrets(error, SENT_SECRETS.get(response));
  }
}

/**
 * GET of the raw value of one property (`Books(1)/title/$value`, `property(name).text()`), given
 * the property's URL (`Books(1)/title`): its text, decoded by the charset its `Content-Type` names
 * (UTF-8 where it names none), as media content is; `null` where the service answers without a
 * body (`204`: the property is null).
 */
export async function readRawValue(core: ClientCore, propertyUrl: URL, name: string, options: ReadOptions | undefined): Promise<string | null> {
  const raw = await rawValue(core, propertyUrl, options, `property(${JSON.stringify(name)}).text()`);
  return raw && (await readBodyAs(raw.response, "GET", raw.url, raw.signal, false));
}

/**
 * The raw value of one property as the bytes the service sent (`property(name).bytes()`: an
 * `Edm.Binary`'s content, not its base64 form in JSON), to {@link BODY_LIMIT}; `null` where the
 * service answers without a body (`204`).
 */
export async function readRawBytes(core: ClientCore, propertyUrl: URL, name: string, options: ReadOptions | undefined): Promise<Uint8Array | null> {
  const raw = await rawValue(core, propertyUrl, options, `property(${JSON.stringify(name)}).bytes()`);
  return raw && (await readBodyBytes(raw.response, "GET", raw.url, raw.signal, BODY_LIMIT));
}

/** GET `<property>/$value` accepting any type, as `where` (the call); `null` for a `204`. */
async function rawValue(core: ClientCore, propertyUrl: URL, options: ReadOptions | undefined, where: string) {
  const url = new URL(propertyUrl);
  url.pathname += "/$value";
  const { response, signal } = await getSingle(core, url, options, where, "*/*");
  if (response.status === 204) return null;
  return { response, url, signal };
}
