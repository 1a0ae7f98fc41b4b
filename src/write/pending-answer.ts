/**
 * A `202 Accepted` with a status monitor, given to a request sent for its answer rather than for a
 * poller: a write or an operation call that the service chose to run asynchronously, unasked
 * (Microsoft Graph's `POST /teams` and `copy` do). Shared by write/send.ts and
 * operations/call.ts, which load it with the first `202`: the reading of its `Location` (or
 * `Operation-Location`) costs a program nothing until a service answers so.
 */
import { discard } from "../http/body.js";
import { ODataClientError } from "../errors.js";
import { answeredUrl, resolveAnswerUrl, resolveLocation } from "../lro/answer-url.js";
import { redactUrl } from "../util/redact.js";

/**
 * `ASYNC_OPERATION_PENDING` for a `202 Accepted` with a `Location`, or without one but with an
 * `Operation-Location`, its body discarded, else `undefined`. Such an answer is not the outcome:
 * the request runs at the service and the outcome comes from the monitor, which the error names so
 * that the caller can follow it with `client.asyncPoller()`. A `202` that names no monitor gives
 * `undefined`, for the caller to read as any other success: the request was accepted and nothing
 * can be followed, and a rejection would invite sending a write or an action a second time.
 * @param asyncTwins - the `...Async` methods that send such a request and give its poller
 * (`"createAsync()"`), for the message; `undefined` where there is none.
 */
export async function pendingAnswerError(response: Response, method: string, url: URL, asyncTwins: string | undefined): Promise<ODataClientError | undefined> {
  if (response.status !== 202) return undefined;
  const location = response.headers.get("location");
  // Microsoft Graph's OneNote copy actions name their monitor in Operation-Location alone: the copy
  // runs, and resolving as done would drop it. The ...Async twins refuse such an answer
  // (ASYNC_NO_LOCATION, spec/async-poller.md), so they are not offered for it.
  const operationLocation = location ? null : response.headers.get("operation-location");
  if (!location && !operationLocation) return undefined;
  await discard(response);
  const origin = { url: answeredUrl(response, url), status: 202, method };
  const sent = `${method} ${redactUrl(url)} was answered 202 Accepted: the operation runs at the service; follow it with client.asyncPoller() on its status monitor`;
  const message = location
    ? `${sent}${asyncTwins === undefined ? "" : `, and send such a request with ${asyncTwins} for a poller from the start`}. The monitor: ${redactUrl(resolveLocation(location, origin))}`
    : `${sent}, which the answer names in Operation-Location. The monitor: ${redactUrl(resolveAnswerUrl(operationLocation ?? "", origin, "Operation-Location"))}`;
  return new ODataClientError("ASYNC_OPERATION_PENDING", message);
}
