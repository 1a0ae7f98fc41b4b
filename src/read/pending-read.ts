/**
 * Reads answered `202 Accepted`: apart from read/entity.ts, so that a walk (read/traversal.ts) and
 * a delta load it on such an answer alone, without the entity reader, which imports the walk.
 */
import { discard, maskSentSecrets } from "../http/body.js";
import { ODataClientError } from "../errors.js";
import { redactUrl, SENT_SECRETS } from "../util/redact.js";

/**
 * The error of a read (an entity, a page, a count, a delta page) answered `202 Accepted`, its body
 * discarded: that body is the status of a read the service runs asynchronously, not its answer.
 * With a `Location`, `ASYNC_OPERATION_PENDING` naming the status monitor; without one,
 * `ASYNC_NO_LOCATION` (as a media read gives). A read is safe to send again, so both reject.
 *
 * The refusal that write/pending-answer.ts gives writes and calls, written apart: a program built
 * on `ODataReader` reaches no code of write/ or lro/ (test/treeshake.test.ts), and this message
 * names no method that a reader lacks. A relative monitor is resolved against the URL that
 * answered, as the spec has it, so that `asyncPoller()` given it polls that monitor (which would
 * resolve it against the service root); Microsoft Graph's paths below its version root are named
 * as sent (lro/answer-url.ts's rule, not loaded by a reader).
 */
export async function pendingReadError(response: Response, url: URL): Promise<ODataClientError> {
  await discard(response);
  const where = `GET ${redactUrl(url)} was answered 202 Accepted`;
  // Graph's OneNote copies name their monitor in Operation-Location alone.
  const location = (response.headers.get("location") ?? response.headers.get("operation-location"))?.trim();
  if (!location) {
    return new ODataClientError("ASYNC_NO_LOCATION", `${where} without a status monitor: the service runs the read asynchronously (in a browser it must also expose Location)`);
  }
  let monitor: string;
  try {
    monitor = location.startsWith("/") ? location : new URL(location, response.url || url).href;
  } catch {
    monitor = location;
  }
  // The service wrote the monitor's URL: a secret the request carried, echoed in it, is masked.
  const pending = new ODataClientError(
    "ASYNC_OPERATION_PENDING",
    `${where}: the service runs the read asynchronously; its status monitor, which asyncPoller() of traverse-odata's ODataClient follows, is ${redactUrl(monitor)}`,
  );
  return (await maskSentSecrets(pending, SENT_SECRETS.get(response))) as ODataClientError;
}
