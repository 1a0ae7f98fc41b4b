/**
 * Reading the result of an operation call from its parsed JSON body: a pure function, shared by
 * direct calls, the `...Async` twins' pollers and `$batch` parts.
 *
 * - v4: a primitive or a collection comes as `{"value": ...}` (OData JSON Format §7, §12) and is
 *   unwrapped, and a null as `{"@odata.null": true}` (OData 4.0 services); an entity or a complex
 *   value is the object itself, its own annotations kept and the response's `@odata.context` left
 *   out (`payload/entity-answer.ts`).
 * - v2: the `d` wrapper goes; a primitive or complex result is wrapped once more in the function
 *   import's name (`{"d":{"countBooks":9}}`), and a collection in `results`. Entities and dates
 *   are made to read like v4 ones (see `payload/v2-values.ts`).
 * The wrappers are told by payload/v2-values.ts, for a property read alone (property-answer.ts)
 * too; what is the operation's own: a body that is none of them is the result itself (an entity's
 * ETag kept), and a collection result's next link is given.
 *
 * The body itself is read by its `Content-Type` in result-body.ts; a poller's result, whose
 * `Content-Type` is gone, is refused here when it is an HTML page given as text.
 */
import type { ODataVersion } from "../options.js";
import { isV2 } from "../query/literal-format.js";
import { isV2ValueCollection, isV4ValueWrapper, v2ValueAsV4 } from "../payload/v2-values.js";
import { dropResponseAnnotations, readCollectionAnnotations } from "../payload/annotations.js";
import { isRecord } from "../util/values.js";
import { mapPoller } from "../lro/mapped-poller.js";
import { succeededPhaseOf, type AsyncPoller } from "../lro/poller.js";
import { ODataClientError } from "../errors.js";
import { redactUrl } from "../util/redact.js";
import { isHtmlContentType } from "../payload/content-type.js";

/** An operation's result value, and where the rest of a paged collection result is. */
export interface OperationResult {
  value: unknown;
  /** `@odata.nextLink` (v4) or `__next` (v2) of a collection result, as sent. */
  nextLink?: string;
}

/**
 * Unwraps a parsed result body. `name` is the operation's name as called (a qualified name's last
 * segment is what a v2 service wraps the result in). `undefined` (no body) stays `undefined`.
 * @example
 * readOperationResult({ "@odata.context": "$metadata#Edm.Int32", value: 9 }, "4.0", "countBooks") // { value: 9 }
 * readOperationResult({ d: { countBooks: 9 } }, "2.0", "countBooks") // { value: 9 }
 */
export function readOperationResult(body: unknown, version: ODataVersion, name: string): OperationResult {
  return isV2(version) ? readV2Result(body, name) : readV4Result(body);
}

function readV4Result(body: unknown): OperationResult {
  if (!isRecord(body)) return { value: body };
  // An entity or complex result is the object itself, without the response's context.
  dropResponseAnnotations(body);
  // `{"value": ...}` beside annotations is a primitive or collection result, `{"@odata.null": true}` a null.
  if (!isV4ValueWrapper(body)) return { value: body };
  // A null so written has no `value`, and no next link is read beside it.
  const { nextLink } = "value" in body ? readCollectionAnnotations(body, "v4") : {};
  return nextLink === undefined ? { value: body["value"] ?? null } : { value: body["value"], nextLink };
}

function readV2Result(body: unknown, name: string): OperationResult {
  let value = isRecord(body) && "d" in body ? body["d"] : body;
  const importName = name.slice(name.lastIndexOf(".") + 1);
  // The name wraps the result only where it is all `d` holds: an entity result is `d` itself, and
  // one of its properties may be called as the function import is (a property's value, read
  // alone, is always wrapped in its name: property-answer.ts takes it whatever else is beside it).
  if (isRecord(value) && Object.keys(value).length === 1 && importName in value) value = value[importName];
  let nextLink: string | undefined;
  if (isV2ValueCollection(value)) {
    nextLink = readCollectionAnnotations(value, "v2").nextLink;
    value = value.results;
  }
  value = v2ValueAsV4(value);
  return nextLink === undefined ? { value } : { value, nextLink };
}

/**
 * The poller of `invokeAsync()` and `getAsync()`: an {@link AsyncPoller} whose result is unwrapped
 * as `invoke()` and `get()` unwrap it, and which gives the next link of a collection result that
 * the service paged. The poller's result is that one answer, its first page; the rest is read with
 * `pages({ from: poller.nextLink() })` of the function (or of any query of the client).
 * @example
 * const poller = await client.function<Book[]>("topSellers", { n: 5000 }).getAsync();
 * const books = await poller.wait();
 * const rest = poller.nextLink();
 * if (rest) for await (const page of client.function<Book[]>("topSellers", { n: 5000 }).pages({ from: rest })) books.push(...page.value);
 */
export interface OperationPoller<T> extends AsyncPoller<T> {
  /**
   * `@odata.nextLink` (v4) or `__next` (v2) of the result as the service sent it (a relative one is
   * relative to the service root, as `pages({ from })` reads it); `undefined` when the result is not
   * a paged collection. Like `result()`, throws `ASYNC_OPERATION_PENDING` before success and the
   * failure after one.
   */
  nextLink(): string | undefined;
}

/**
 * A poller whose result is the operation's result unwrapped as `invoke()` and `get()` unwrap it;
 * its token names the operation, so `client.resumeAsync()` unwraps the same way. Also used on
 * resume. `where` names the request that started the operation in an error about its result, given
 * the status monitor's URL; a resumed poller, which no longer knows that request, names the
 * operation. `check` judges a parsed result by the version headers of the answer that carried it,
 * as a direct call judges its answer (call.ts gives `refuseV2Result`; given there, it costs the
 * start nothing). `atOnce`, for a result the service answered at once, makes an error about it
 * what `invoke()` would throw (an action's says that it ran): its message then says what the body
 * is without naming the request, which `atOnce` names. `keepEtag` is given the result and the
 * `ETag` of the answer that carried it, for an entity result to keep as `invoke()`'s does (call.ts
 * gives it, so that the code it runs does not load with the client, which imports this module).
 */
export function operationPoller<R>(
  poller: AsyncPoller<unknown>,
  version: ODataVersion,
  name: string,
  where?: (statusUrl: string) => string,
  check?: (body: unknown, headers: Headers, where: string | undefined) => void,
  atOnce?: (error: unknown) => unknown,
  keepEtag?: (value: unknown, etag: string | undefined) => void,
): OperationPoller<R> {
  let nextLink: string | undefined;
  const named = () => where?.(poller.statusUrl) ?? `the operation ${JSON.stringify(name)} (status monitor ${redactUrl(poller.statusUrl)})`;
  const read = (raw: unknown): R => {
    try {
      const phase = succeededPhaseOf(poller);
      // The poller gives a final body that is not JSON as its text (rule 5 of spec/async-poller.md);
      // one sent as text/html is refused as invoke() refuses it (result-body.ts). A poller resumed
      // from a token written before the token kept the type does not know it: there the text's
      // start tells.
      if (typeof raw === "string" && isHtmlResult(raw, phase?.resultType)) {
        throw new ODataClientError("BAD_PAYLOAD", `${atOnce ? "the body is" : `${named()} answered with`} an HTML page, not the operation's result`);
      }
      // A v2 service's `{"d": …}`, which a client of v4 would take for an object result, is known
      // by the headers of the answer that carried it, as invoke() knows it.
      if (phase?.versions !== undefined) check?.(raw, new Headers(phase.versions), atOnce ? undefined : named());
      // A collection result's next link is not followed inside the poller (its result is one
      // answer): `nextLink()` gives it, for `pages({ from })` to read the rest.
      const result = readOperationResult(raw, version, name);
      keepEtag?.(result.value, phase?.versions?.["etag"]);
      nextLink = result.nextLink;
      return result.value as R;
    } catch (error) {
      throw atOnce ? atOnce(error) : error;
    }
  };
  const mapped = mapPoller(poller, read, { kind: "operation", name, version }) as OperationPoller<R>;
  // The link is the result's: read (or refused) with it, by result().
  mapped.nextLink = () => (mapped.result(), nextLink);
  return mapped;
}

/** Whether a text result is an HTML page: by its `Content-Type` where known, else by how it starts. */
function isHtmlResult(text: string, contentType: string | undefined): boolean {
  return contentType !== undefined ? isHtmlContentType(contentType) : HTML_PAGE.test(text);
}

/**
 * How an HTML page starts, for a result whose type is not known (a poller resumed from an older
 * token):
 * a document type declaration or the `html` element, after white space. Not every text with a tag
 * in it: a raw value such as `<b>9</b>` is a result.
 */
const HTML_PAGE = /^\s*<(?:!doctype\s+html|html)[\s>]/i;
