/**
 * A `202 Accepted` with a status monitor, given to a request sent for its answer rather than for a
 * poller: a write or an operation call that the service chose to run asynchronously, unasked
 * (Microsoft Graph's `POST /teams` and `copy` do). Shared by write/send.ts and
 * operations/call.ts, which load it with the first `202`: the reading of its `Location` costs a
 * program nothing until a service answers so.
 */
import { discard } from "../http/body.js";
import { ODataClientError } from "../errors.js";
import { answeredUrl, resolveLocation } from "../lro/answer-url.js";
import { redactUrl } from "../util/redact.js";

/**
 * `ASYNC_OPERATION_PENDING` for a `202 Accepted` with a `Location`, its body discarded, else
 * `undefined`. Such an answer is not the outcome: the request runs at the service and the outcome
 * comes from the monitor, which the error names so that the caller can follow it with
 * `client.asyncPoller()`. A `202` without `Location` gives `undefined`, for the caller to read as
 * any other success: the request was accepted and nothing can be followed, and a rejection would
 * invite sending a write or an action a second time.
 * @param asyncTwins - the `...Async` methods that send such a request and give its poller
 * (`"createAsync()"`), for the message; `undefined` where there is none.
 */
export async function pendingAnswerError(response: Response, method: string, url: URL, asyncTwins: string | undefined): Promise<ODataClientError | undefined> {
  const location = response.status === 202 ? response.headers.get("location") : null;
  if (!location) return undefined;
  await discard(response);
  const monitor = resolveLocation(location, { url: answeredUrl(response, url), status: 202, method });
  return new ODataClientError(
    "ASYNC_OPERATION_PENDING",
    `${method} ${redactUrl(url)} was answered 202 Accepted: the operation runs at the service; follow it with client.asyncPoller() on its status monitor${asyncTwins === undefined ? "" : `, and send such a request with ${asyncTwins} for a poller from the start`}. The monitor: ${redactUrl(monitor)}`,
  );
}
