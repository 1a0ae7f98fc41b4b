/**
 * The value in the answer to a GET of one property of an entity (`Books(1)/title`, OData 4.01
 * Part 1 §11.2.6; v2 Part 1 §2.2.6.3.8): a pure function of the answer's body, its type and the
 * property's name.
 *
 * - v4: a primitive or a collection comes as `{"value": …}` beside annotations (the response's
 *   context, SAP CAP's entity ETag) and is unwrapped; a null as `{"value": null}` or, from OData
 *   4.0 services, `{"@odata.null": true}`; a complex value is the object itself, without the
 *   annotations that describe the response or the entity (`@odata.context`, `@odata.etag`).
 * - v2: `{"d": {"<name>": …}}`, a collection's `{"results": [...]}` in it unwrapped, its values
 *   made to read as v4 ones as an entity's are (`/Date(…)/` as ISO 8601; see v2-values.ts).
 *
 * The wrappers are an operation result's too, told by v2-values.ts for both; what is the
 * property's own: its answer is always a wrapper or a complex value (anything else is
 * `BAD_PAYLOAD`), in v2 always wrapped in its name, and an ETag beside a complex value is the
 * entity's.
 *
 * An empty body (`204 No Content`, how a service answers a property that is null) is read by the
 * caller, before this: it has no body to parse.
 */
import type { ODataVersion } from "../options.js";
import { clipText } from "../util/redact.js";
import { describe, isRecord } from "../util/values.js";
import { badPayload } from "./bad-payload.js";
import { parseJsonAnswer } from "./entity-answer.js";
import { dropResponseAnnotations, readCollectionAnnotations } from "./annotations.js";
import { isXmlContentType } from "./content-type.js";
import { isV2ValueCollection, isV4ValueWrapper, v2ValueAsV4 } from "./v2-values.js";

/**
 * The value of property `name` in an answer's JSON body. A body that is not JSON (an HTML page,
 * XML, anything else), or JSON that holds no value of the property, is `BAD_PAYLOAD`, its message
 * starting with `where` (`GET https://...`).
 * @example readPropertyAnswer('{"@odata.context":"$metadata#Books(1)/title","value":"Emma"}', "application/json", "4.0", "title", "GET …") // "Emma"
 * @example readPropertyAnswer('{"d":{"published":"/Date(0)/"}}', "application/json", "2.0", "published", "GET …") // "1970-01-01T00:00:00Z"
 */
export function readPropertyAnswer(body: string, contentType: string | null, version: ODataVersion, name: string, where: string): unknown {
  return readPropertyPage(body, contentType, version, name, where).value;
}

/**
 * As {@link readPropertyAnswer}, with the next link of a collection the service pages (v4: an
 * `@odata.nextLink` beside the collection's `value`, which Microsoft.OData writes as it does for an
 * entity set; v2: a `__next` beside the collection's `results`), as sent; the caller reads the rest of the collection there.
 */
export function readPropertyPage(body: string, contentType: string | null, version: ODataVersion, name: string, where: string): { value: unknown; nextLink?: string } {
  // The client asks for JSON; a v2 service's XML (`<d:title>`) is no such answer. A proxy's page
  // is said to be one, as an entity read says it.
  if (isXmlContentType(contentType)) throw badPayload(`${where} answered with XML (${clipText(contentType ?? "", 100)}), not the property's value as JSON`);
  const json = parseJsonAnswer(body, contentType, where, "the property's value as JSON");
  return version === "2.0" ? v2PropertyValue(json, name, where) : v4PropertyValue(json, where);
}

function v4PropertyValue(json: unknown, where: string): { value: unknown; nextLink?: string } {
  if (!isRecord(json)) throw badPayload(`${where} did not answer with a property's value ({"value": …} or a complex value); got ${describe(json)}`);
  if (isV4ValueWrapper(json)) {
    const value = json["value"] ?? null;
    // Read as a page's links are, so that one that is no string is BAD_PAYLOAD, as it is there.
    const { nextLink } = Array.isArray(value) ? readCollectionAnnotations(json, "v4") : {};
    return nextLink === undefined ? { value } : { value, nextLink };
  }
  // A complex value: the ETag beside it is the entity's (SAP CAP sends it), no member of the value.
  dropResponseAnnotations(json);
  delete json["@odata.etag"];
  delete json["@etag"];
  return { value: json };
}

function v2PropertyValue(json: unknown, name: string, where: string): { value: unknown; nextLink?: string } {
  const d = isRecord(json) && "d" in json ? json["d"] : json;
  if (!isRecord(d) || !(name in d)) throw badPayload(`${where} did not answer with the property's value, {"d": {${JSON.stringify(name)}: …}}`);
  const value = d[name];
  if (!isV2ValueCollection(value)) return { value: v2ValueAsV4(value) };
  // A collection the service pages has its `__next` in its wrapper, as an operation's result has.
  const { nextLink } = readCollectionAnnotations(value, "v2");
  const results = v2ValueAsV4(value.results);
  return nextLink === undefined ? { value: results } : { value: results, nextLink };
}
