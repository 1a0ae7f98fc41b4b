/**
 * Which request a failure without an answer is about. The timeout step's `TIMEOUT` ("got no answer
 * within") and the transport's `NETWORK_ERROR` ("failed before an answer arrived") keep it with
 * their errors, out of sight, so that a write tells its own request's failure (which may have
 * reached the service and been applied) from another's (a token request's, your step's) by what
 * the error was made for, not by the words of its message (write/requests.ts `sentUnanswered`).
 */
import type { ODataRequest } from "./pipeline.js";

/** What a failure without an answer keeps of its request. */
export interface Unanswered {
  /**
   * The request. Where the timeout step sent it, the attempt as that step sent it, whichever hop or
   * URL it went to then: the step makes a failure of a request sent with the attempt's signal and
   * method its own (a redirect's hop, the URL your step rewrote, the request sent again with a
   * CSRF or OAuth2 token). A request of a step's own (a token fetch) has a signal of its own.
   */
  request: Pick<ODataRequest, "method" | "url" | "signal">;
  /** What became of it, as the error's message says after the request it names first. */
  readonly detail: string;
}

/** The failures without an answer, each with its request: set where such an error is made. */
export const UNANSWERED = new WeakMap<object, Unanswered>();
