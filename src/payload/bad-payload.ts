/**
 * The errors of a payload that cannot be read: `BAD_PAYLOAD` for a body (a collection, an entity,
 * an Atom document), `BAD_BATCH_RESPONSE` for a `$batch` answer. Each names what is wrong; the
 * reader that finds it says where.
 */
import { ODataClientError } from "../errors.js";
import { clipText } from "../util/redact.js";
import { isHtmlContentType } from "./content-type.js";

/** `BAD_PAYLOAD`: a body that does not read as the OData payload it should be. */
export function badPayload(message: string, cause?: unknown): ODataClientError {
  return new ODataClientError("BAD_PAYLOAD", message, cause === undefined ? undefined : { cause });
}

/**
 * An answer's JSON body, parsed. A body that is no JSON is `BAD_PAYLOAD`, and where it is labelled
 * `text/html` it is said to be an HTML page (a proxy's or a sign-in page answering in the service's
 * place), not `what` was due; JSON mislabelled `text/html` is read as JSON. `where` names the
 * request (`GET https://…`); none, a body given alone.
 */
export function parseJsonAnswer(body: string, contentType: string | null | undefined, where: string | undefined, what: string): unknown {
  try {
    return JSON.parse(body);
  } catch (error) {
    if (isHtmlContentType(contentType)) {
      throw badPayload(`${where === undefined ? "the body is" : `${where} answered with`} an HTML page (${clipText(contentType ?? "", 100)}), not ${what}`, error);
    }
    throw badPayload(`${where === undefined ? "the body is" : `${where} answered with a body that is`} not JSON (${(error as Error).message})`, error);
  }
}

/**
 * `BAD_BATCH_RESPONSE`: a `$batch` answer that cannot be read. `answer` says what was read where
 * only one form's reader could tell (`"multipart batch response"`).
 * @example badBatchResponse("part 2 is empty", "multipart batch response").message // "malformed multipart batch response: part 2 is empty"
 */
export function badBatchResponse(what: string, answer = "batch response"): ODataClientError {
  return new ODataClientError("BAD_BATCH_RESPONSE", `malformed ${answer}: ${what}`);
}
