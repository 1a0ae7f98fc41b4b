/**
 * The errors of a payload that cannot be read: `BAD_PAYLOAD` for a body (a collection, an entity,
 * an Atom document), `BAD_BATCH_RESPONSE` for a `$batch` answer. Each names what is wrong; the
 * reader that finds it says where.
 */
import { ODataClientError } from "../errors.js";

/** `BAD_PAYLOAD`: a body that does not read as the OData payload it should be. */
export function badPayload(message: string, cause?: unknown): ODataClientError {
  return new ODataClientError("BAD_PAYLOAD", message, cause === undefined ? undefined : { cause });
}

/**
 * `BAD_BATCH_RESPONSE`: a `$batch` answer that cannot be read. `answer` says what was read where
 * only one form's reader could tell (`"multipart batch response"`).
 * @example badBatchResponse("part 2 is empty", "multipart batch response").message // "malformed multipart batch response: part 2 is empty"
 */
export function badBatchResponse(what: string, answer = "batch response"): ODataClientError {
  return new ODataClientError("BAD_BATCH_RESPONSE", `malformed ${answer}: ${what}`);
}
