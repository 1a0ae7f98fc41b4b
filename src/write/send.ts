/**
 * Sending the write requests built in `requests.ts` through the client's pipeline, and reading
 * their answers: the entity the service returned (v2 `d` unwrapped, its `ETag` header kept), or
 * `undefined` when it returned none (204).
 */
import { readBodyText } from "../http/body.js";
import type { ClientCore } from "../core.js";
import { ODataClientError } from "../errors.js";
import { httpErrorFromResponse, redactUrl } from "../http/error-body.js";
import { readAtomEntry } from "../read/atom.js";
import { keepEtag } from "../read/traversal.js";
import { normalizeV2Entity } from "../read/v2-values.js";
import { preconditionExplanation, type WriteRequest } from "./requests.js";

/** Options every sending write method takes. */
export interface SendOptions {
  /** Cancels the request. */
  signal?: AbortSignal;
}

/**
 * Sends one request and checks its status; a failure rejects with `ODataHttpError`, whose message
 * says what a 412 or 428 means.
 */
export async function sendChecked(core: ClientCore, request: WriteRequest, options: SendOptions | undefined): Promise<Response> {
  const signal = options?.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError('option "signal" must be an AbortSignal');
  const init = {
    method: request.method,
    url: request.url,
    headers: request.headers,
    signal,
    retry: request.retry,
    ...(request.body === undefined ? {} : { body: request.body }),
  };
  const response = await core.send(init);
  if (response.ok) return response;
  const error = await httpErrorFromResponse(response, request.method, request.url, { signal });
  const explanation = preconditionExplanation(response.status, request);
  if (explanation !== undefined) error.message = `${error.message} (${explanation})`;
  throw error;
}

/** Sends a write and reads the entity it answers with, or `undefined` for an answer without a body. */
export async function sendWrite<R>(core: ClientCore, request: WriteRequest, options: SendOptions | undefined): Promise<R | undefined> {
  const response = await sendChecked(core, request, options);
  const text = await readBodyText(response, request.method, request.url, options?.signal);
  if (response.status === 204 || text.trim() === "") return undefined;
  const v2 = core.options.version === "2.0";
  const contentType = response.headers.get("content-type") ?? "";
  let entity: unknown;
  if (/\b(atom\+xml|application\/xml|text\/xml)\b/i.test(contentType)) {
    entity = readAtomEntry(text);
  } else {
    try {
      entity = JSON.parse(text);
    } catch (error) {
      throw new ODataClientError("BAD_PAYLOAD", `${request.method} ${redactUrl(request.url)} answered with a body that is not JSON (${(error as Error).message})`, { cause: error });
    }
    if (v2) {
      if (isRecord(entity) && "d" in entity) entity = entity["d"];
      normalizeV2Entity(entity);
    }
  }
  if (!isRecord(entity)) return entity as R;
  const etag = response.headers.get("etag");
  if (etag) keepEtag(entity, etag, v2);
  return entity as R;
}

/** Sends a write whose answer carries nothing the caller needs (delete, `$ref`); the body is discarded. */
export async function sendWithoutResult(core: ClientCore, request: WriteRequest, options: SendOptions | undefined): Promise<void> {
  const response = await sendChecked(core, request, options);
  await response.body?.cancel().catch(() => {});
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Builds a request and sends it, reading the entity it answers with. A builder that throws (a bad
 * argument) rejects the promise instead of throwing synchronously.
 */
export function writeEntity<R>(core: ClientCore, build: () => WriteRequest, options: SendOptions | undefined): Promise<R | undefined> {
  try {
    return sendWrite<R>(core, build(), options);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** As {@link writeEntity}, for writes whose answer is discarded. */
export function writeWithoutResult(core: ClientCore, build: () => WriteRequest, options: SendOptions | undefined): Promise<void> {
  try {
    return sendWithoutResult(core, build(), options);
  } catch (error) {
    return Promise.reject(error);
  }
}
