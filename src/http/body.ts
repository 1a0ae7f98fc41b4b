/** Reading a response body whole, with one rule for what a failure while reading becomes. */
import { ODataClientError } from "../errors.js";
import { redactUrl } from "./error-body.js";
import { abortReason } from "./signals.js";

/**
 * What a failure while a body is read becomes: the caller's abort reason when the read was
 * aborted, a library error as it is, and anything else (the connection dropped, say; fetch reports
 * that as a bare `TypeError: terminated`) `NETWORK_ERROR` with the original as its cause.
 */
export function bodyReadFailure(error: unknown, method: string, url: URL, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return abortReason(signal);
  if (error instanceof ODataClientError) return error;
  const detail = error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ""}` : String(error);
  return new ODataClientError("NETWORK_ERROR", `reading the answer of ${method} ${redactUrl(url)} failed: ${detail}`, { cause: error });
}

/** Reads a body whole with `read` (text, bytes ...); failures as in {@link bodyReadFailure}. */
export async function readBody<R>(read: () => Promise<R>, method: string, url: URL, signal: AbortSignal | undefined): Promise<R> {
  try {
    return await read();
  } catch (error) {
    throw bodyReadFailure(error, method, url, signal);
  }
}

/** The whole body as text; failures as in {@link bodyReadFailure}. */
export function readBodyText(response: Response, method: string, url: URL, signal: AbortSignal | undefined): Promise<string> {
  return readBody(() => response.text(), method, url, signal);
}
