/**
 * Reading one property of an entity alone (`property(name).get()`, `.text()`, `.bytes()`): the single reads
 * of resources/property.ts, apart from read/entity.ts so that neither a program's start nor its
 * first `get()` of an entity loads the reading of property answers; this module loads with the
 * first read of a property. The request is sent and checked as an entity's (`getSingle`).
 */
import { BODY_LIMIT, maskSentSecrets, readBodyBytes, readBodyText, readMasked } from "../http/body.js";
import type { ClientCore } from "../core.js";
import { readBodyAs } from "../payload/http-envelope.js";
import { readPropertyPage } from "../payload/property-answer.js";
import { redactUrl, SENT_SECRETS } from "../util/redact.js";
import { ENTITY_LIMIT, getSingle } from "./entity.js";
import { refuseV2Property, withVersionHint } from "./payload-failure.js";
import { resolveNextLink, walkPages, type ReadOptions } from "./traversal.js";

/**
 * GET of one property of an entity (`Books(1)/title`, `property(name).get()`): its value, unwrapped
 * as payload/property-answer.ts reads it, a collection that the service pages read to its last
 * page; `null` where the service answers without a body, as it answers a property that is null
 * (`204 No Content`, OData 4.01 Part 1 §11.2.6). The caller's
 * `headers`, `timeout`, `signal` and `onResponse` go with the request, checked as `get()`'s.
 */
export async function readProperty<V>(core: ClientCore, propertyUrl: URL, name: string, options: ReadOptions | undefined): Promise<V> {
  // A URL of its own for each request: the query keeps `propertyUrl` for its next reads.
  const url = new URL(propertyUrl);
  const { response, signal } = await getSingle(core, url, options, `property(${JSON.stringify(name)}).get()`);
  const text = await readBodyText(response, "GET", url, signal, ENTITY_LIMIT);
  if (text.trim() === "") return null as V;
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
  if (page.nextLink === undefined || !Array.isArray(page.value)) return page.value as V;
  // A collection the service pages is read to its last page, as a function's collection result
  // is: its first page alone would pass for the whole collection. The pages go by the walk's
  // rules (the origin of next links, loops) with the caller's signal, timeout, headers and onResponse.
  const items: unknown[] = page.value;
  let next: URL;
  try {
    next = resolveNextLink(core, page.nextLink);
  } catch (error) {
    // A link that is no URL is quoted: masked of what the read was sent with, as a page's is.
    throw await maskSentSecrets(error, SENT_SECRETS.get(response));
  }
  for await (const more of walkPages<unknown>(core, next, options)) for (const item of more.value) items.push(item);
  return items as V;
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
