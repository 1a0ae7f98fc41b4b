/**
 * Reading answer bodies whole or as a stream, under the answer's stall watch, with one rule for
 * what a failure while reading becomes.
 */
import { ODataClientError } from "../errors.js";
import { abortReason, type AbortSignalLike } from "./signals.js";
import { bodyStallWatch } from "./stall.js";
import { BODY_FAILURES } from "./pipeline.js";
import { redactUrl, SENT_SECRETS, type SecretSet } from "../util/redact.js";

/**
 * What a failure while a body is read becomes: the caller's abort reason when the read was
 * aborted, a library error as it is (a stall's `TIMEOUT` among them), and anything else (the
 * connection dropped, say; fetch reports that as a bare `TypeError: terminated`) `NETWORK_ERROR`
 * with the original as its cause.
 */
export function bodyReadFailure(error: unknown, method: string, url: URL, signal: AbortSignalLike | undefined): unknown {
  if (signal?.aborted) return abortReason(signal);
  if (error instanceof ODataClientError) return error;
  return new ODataClientError("NETWORK_ERROR", `reading the answer of ${method} ${redactUrl(url)} failed: ${failureDetail(error)}`, { cause: error });
}

/** What a failed body read says of itself: its message, and its cause's (undici's `terminated (other side closed)`). */
export function failureDetail(error: unknown): string {
  return error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ""}` : String(error);
}

/**
 * What `read` makes of an answer's body read before. A payload it cannot read (`BAD_PAYLOAD`, whose
 * message may quote the body, as the JSON parser's does) has the secrets the request carried masked
 * in its message, as a failure's body has: a service may echo a token where JSON should be. The
 * masking loads with the first such failure.
 */
export async function readMasked<T>(response: Response, read: () => T | Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw await maskedPayloadError(error, response);
  }
}

/**
 * `error`, a `BAD_PAYLOAD` (or `BAD_METADATA`), or what a failed read of the body became (a
 * `NETWORK_ERROR`, a stall's `TIMEOUT`, the caller's abort reason), met while reading `response`,
 * with the secrets its request carried masked (see {@link readMasked} and {@link maskSentSecrets}).
 * Every reader of a body fails through here, the walk's pages too: the wire log is told of it
 * here ({@link BODY_FAILURES}).
 */
export function maskedPayloadError(error: unknown, response: Response): Promise<unknown> {
  BODY_FAILURES.get(response)?.(error);
  return maskSentSecrets(error, SENT_SECRETS.get(response));
}

/**
 * `error` with the secret values its request was sent with (`secrets`) masked where the names
 * around them cannot tell ({@link maskedFailure}); the masking loads with the first such failure.
 */
export async function maskSentSecrets(error: unknown, secrets: SecretSet | undefined): Promise<unknown> {
  // (Anything else is the caller's own abort reason, which comes back as it was given.)
  if (secrets === undefined || !(error instanceof ODataClientError)) return error;
  const masked = (await import("../util/secret-values.js")).maskedFailure(error, secrets);
  return masked ? new ODataClientError(error.code, masked.message, masked) : error;
}

/**
 * The abort reasons of readings stopped on purpose (a walk left while its next page's body still
 * arrives): the body did not fail, so the wire log gives it no `!` line (see wire-log.ts).
 */
export const STOPPED_ON_PURPOSE = new WeakSet<object>();

/** Reads a body whole with `read` (text, bytes ...); failures as in {@link bodyReadFailure}. */
export async function readBody<R>(read: () => Promise<R>, method: string, url: URL, signal: AbortSignalLike | undefined): Promise<R> {
  try {
    return await read();
  } catch (error) {
    throw bodyReadFailure(error, method, url, signal);
  }
}

/**
 * The whole body as bytes, read chunk by chunk under the answer's stall watch; failures as in
 * {@link bodyReadFailure}. A body longer than `limit` bytes is cancelled there and rejects with
 * `BAD_PAYLOAD`: where an answer has a size it cannot sensibly exceed, an endless one (which
 * `timeout` does not stop while data flows) must not grow memory without bound. No limit: media
 * the caller asked for whole.
 */
export async function readBodyBytes(response: Response, method: string, url: URL, signal: AbortSignalLike | undefined, limit = Infinity): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of readBodyChunks(response, method, url, signal, limit)) {
    chunks.push(chunk);
    size += chunk.byteLength;
  }
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

/**
 * The body's chunks as they arrive, read under the answer's stall watch; failures as in
 * {@link bodyReadFailure}, with the request's secrets masked ({@link maskedPayloadError}). Past
 * `limit` bytes it rejects with `BAD_PAYLOAD` (see {@link readBodyBytes}). A reading left before
 * the body's end (the loop over it left, a failure, the limit) cancels the rest of the body.
 */
export async function* readBodyChunks(response: Response, method: string, url: URL, signal: AbortSignalLike | undefined, limit = Infinity): AsyncGenerator<Uint8Array, void, undefined> {
  if (response.body === null) return;
  const watch = bodyStallWatch(response);
  const reader = response.body.getReader();
  let size = 0;
  let done = false;
  try {
    for (;;) {
      watch?.reading();
      let step: Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>["read"]>>;
      try {
        step = await reader.read();
      } catch (error) {
        throw await maskedPayloadError(bodyReadFailure(watch ? watch.failure(error) : error, method, url, signal), response);
      }
      watch?.progressed();
      if (step.done) break;
      size += step.value.byteLength;
      if (size > limit) throw new ODataClientError("BAD_PAYLOAD", `${method} ${redactUrl(url)} answered more than ${limit} bytes`);
      yield step.value;
    }
    done = true;
  } finally {
    watch?.end();
    // A body read to its end is closed and needs nothing more (releasing the lock would only
    // make a rejected promise for the reader's `closed`, for nobody); otherwise it is cancelled,
    // not waited for: a body whose cancel never settles (a step's own Response) must not hold
    // the reading's error or a loop's early exit.
    if (!done) void reader.cancel().catch(() => undefined);
  }
}

/**
 * The longest body read as text where the caller sets no tighter bound (256 MiB): an answer that
 * never ends (an operation's result, a status monitor's answer, `$metadata`: `timeout` does not
 * stop a body while data flows) stops here rather than filling memory. No answer parsed whole
 * comes near it: parsing takes several times the text's size, so a longer one would exhaust a
 * default V8 heap in the parse. It stays below the longest string an engine makes (V8's is
 * 512 MiB); a media resource's `text()` has it too, its `stream()` no bound, and a multipart
 * `$batch` answer, read as bytes, has it as well.
 */
export const BODY_LIMIT = 256 * 1024 * 1024;

/** The whole body as text (UTF-8, a BOM dropped); as {@link readBodyBytes}, to {@link BODY_LIMIT} unless told. */
export async function readBodyText(response: Response, method: string, url: URL, signal: AbortSignalLike | undefined, limit = BODY_LIMIT): Promise<string> {
  return (utf8 ??= new TextDecoder()).decode(await readBodyBytes(response, method, url, signal, limit));
}

/**
 * One decoder for every whole body (`decode` without `stream` keeps no state between calls), made
 * with the first: loading the module makes none, so it loads in realms without `TextDecoder`.
 */
let utf8: InstanceType<typeof TextDecoder> | undefined;

/**
 * The body as a stream that reads the answer under its stall watch (for bodies handed to the
 * caller, such as media content). Cancelling it cancels the answer's body. A stall errors it with
 * the watch's `TIMEOUT`, an abort of `signal` (the caller's) with the abort's reason, and a
 * connection lost midway with `NETWORK_ERROR` naming `method` and `url`.
 *
 * The stream keeps `response` alive for as long as it is read: Deno (2.x) holds what errors a
 * body on its request's abort only as long as the `Response` lives, so a body read on after its
 * `Response` was collected hangs on a stall or an abort instead of failing. So it wraps the body
 * with no stall watch too (`timeout: 0`), for the caller's abort.
 */
export function watchedBodyStream(response: Response, method: string, url: URL, signal?: AbortSignalLike): ReadableStream<Uint8Array> {
  if (response.body === null) return new ReadableStream<Uint8Array>({ start: (controller) => controller.close() });
  const watch = bodyStallWatch(response);
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        watch?.reading();
        let step: Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>["read"]>>;
        try {
          step = await (reader ??= (response.body as ReadableStream<Uint8Array>).getReader()).read();
        } catch (error) {
          watch?.end();
          // As the whole-body readers give them: the stall's TIMEOUT, the caller's own reason (a
          // runtime may error the body with a copy of what aborted it: workerd), else NETWORK_ERROR.
          throw await maskedPayloadError(bodyReadFailure(watch ? watch.failure(error) : error, method, url, signal), response);
        }
        watch?.progressed();
        if (step.done) {
          watch?.end();
          controller.close();
        } else {
          controller.enqueue(step.value);
        }
      },
      cancel(reason) {
        watch?.end();
        return (reader ?? (response.body as ReadableStream<Uint8Array>)).cancel(reason);
      },
    },
    // Nothing read ahead of the caller: with the default queue of one, the stream would pull as it
    // starts, and that pull would arm the stall timer of a body the caller never reads, holding
    // the process for up to `timeout` ms.
    { highWaterMark: 0 },
  );
}

/** Lets go of an answer whose body is not read (a redirect's, a 202's, one refused), its connection freed. */
export async function discard(response: Response): Promise<void> {
  bodyStallWatch(response)?.end();
  await response.body?.cancel().catch(() => undefined);
}

/**
 * The module `load` gives, loaded while `response` waits for it: where the load fails (a chunk a
 * browser could not fetch), the answer's body is let go before the failure goes on.
 */
export async function loadHolding<M>(load: () => Promise<M>, response: Response): Promise<M> {
  try {
    return await load();
  } catch (error) {
    await discard(response);
    throw error;
  }
}
