/**
 * Telling a call's `onResponse` (RequestOptions) of the answer it reads, loaded with the first
 * call that gives one: a client whose calls give none never loads it, and its requests run nothing
 * of it.
 */
import { ODataClientError } from "../errors.js";
import { redactUrl } from "../util/redact.js";
import { MAX_TIMER_DELAY } from "../util/timers.js";
import { discard } from "./body.js";
import type { ODataRequest } from "./pipeline.js";
import { throwIfAborted, untilAborted } from "./signals.js";

/**
 * The URL of the last hop a followed redirect ended at, by its answer: the redirect step sets it
 * (redirects.ts, which loads this module with it), for `onResponse` to be told that URL where the
 * answer has none (a custom `fetch` that makes each `Response` anew, whose `url` is empty).
 */
export const REDIRECT_TARGETS = new WeakMap<Response, URL>();

/** A call's `onResponse`, as the pipeline sees it (`RequestOptions.onResponse`). */
export type ResponseListener = (answer: { status: number; headers: Headers; url: string }) => void | PromiseLike<void>;

/**
 * `response`, once `onResponse` has been told of it (and has settled, where it gave a promise);
 * what it throws lets go of the body and rejects in the answer's place. The wait on its promise is
 * part of the call: the request's signal (the caller's, a walk's, a poller's, which its deadline
 * aborts) ends it with the signal's reason, and so does `timeout` ms of it (`0`: none) with code
 * `"TIMEOUT"`; either way the body is let go, and what the promise does later is nobody's.
 */
export async function tellOnResponse(response: Response, onResponse: ResponseListener, request: ODataRequest, timeout: number): Promise<Response> {
  const signal = request.signal;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    throwIfAborted(signal);
    // A Response a custom fetch made anew has no URL: the redirect step knows the hop it sent.
    const url = response.url || (REDIRECT_TARGETS.get(response) ?? request.url).href;
    const result = onResponse({ status: response.status, headers: new Headers(response.headers), url });
    if (typeof (result as PromiseLike<void> | undefined)?.then === "function") {
      let settled = Promise.resolve(result);
      if (timeout > 0 && timeout <= MAX_TIMER_DELAY) {
        const expired = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new ODataClientError("TIMEOUT", `${request.method} ${redactUrl(request.url)}: its onResponse did not settle within ${timeout} ms (option "timeout")`)), timeout);
        });
        settled = Promise.race([settled, expired]);
      }
      await untilAborted(settled, signal);
    }
  } catch (error) {
    await discard(response);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return response;
}
