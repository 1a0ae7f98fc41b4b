/**
 * The writing verbs of the query classes (query.ts): each builds its request (write/requests.ts)
 * and sends it (write/send.ts), or starts a long-running operation. Loaded by a query's first
 * write, so that a program that only reads never loads the writing code.
 */
import type { ClientCore } from "../core.js";
import type { AsyncPoller } from "../lro/poller.js";
import type { EntityState, QueryState } from "../query/state.js";
import {
  createRequest,
  deleteRequest,
  explainFailedWrite,
  linkRequest,
  mediaCreateRequest,
  replaceRequest,
  setLinkRequest,
  unlinkRequest,
  updateRequest,
  upsertRequest,
  type WriteRequest,
} from "../write/requests.js";
import { refuseUnknownOptions, type OptionNames } from "../util/values.js";
import { appliedAnswerFailure, unansweredFailure, unreadableAnswer, writeEntity, writeWithoutResult } from "../write/send.js";
import type { CreateAsyncOptions, CreateMediaOptions, CreateOptions, DeleteAsyncOptions, DeleteOptions, UpdateAsyncOptions, UpdateOptions, UpsertOptions, WriteOptions } from "../write/options.js";

// The options each writing verb takes, by name: any other member of its options is refused
// (refuseUnknownOptions), as typed code cannot pass one. Each is written out whole, so that the
// compiler holds it to its type both ways (a member spread in from another is not checked).
const CREATE = { signal: 1, timeout: 1, onResponse: 1, headers: 1, tunnel: 1, deep: 1, prefer: 1 } satisfies OptionNames<CreateOptions>;
const CREATE_MEDIA = { signal: 1, timeout: 1, onResponse: 1, headers: 1, tunnel: 1, contentType: 1, slug: 1, prefer: 1 } satisfies OptionNames<CreateMediaOptions>;
const UPDATE = { signal: 1, timeout: 1, onResponse: 1, headers: 1, tunnel: 1, etag: 1, ifMatch: 1, deep: 1, prefer: 1 } satisfies OptionNames<UpdateOptions>;
const UPSERT = { signal: 1, timeout: 1, onResponse: 1, headers: 1, tunnel: 1, deep: 1, replace: 1, ifNoneMatch: 1, prefer: 1 } satisfies OptionNames<UpsertOptions>;
const DELETE = { signal: 1, timeout: 1, onResponse: 1, headers: 1, tunnel: 1, etag: 1, ifMatch: 1 } satisfies OptionNames<DeleteOptions>;
const LINK = { signal: 1, timeout: 1, onResponse: 1, headers: 1, tunnel: 1 } satisfies OptionNames<WriteOptions>;
const CREATE_ASYNC = { signal: 1, timeout: 1, onResponse: 1, pollInterval: 1, maxWait: 1, onProgress: 1, deep: 1, headers: 1 } satisfies OptionNames<CreateAsyncOptions>;
const UPDATE_ASYNC = { signal: 1, timeout: 1, onResponse: 1, pollInterval: 1, maxWait: 1, onProgress: 1, etag: 1, ifMatch: 1, deep: 1, headers: 1 } satisfies OptionNames<UpdateAsyncOptions>;
const DELETE_ASYNC = { signal: 1, timeout: 1, onResponse: 1, pollInterval: 1, maxWait: 1, onProgress: 1, etag: 1, ifMatch: 1, headers: 1 } satisfies OptionNames<DeleteAsyncOptions>;

/** `CollectionQuery.create()`. */
export function create<T>(core: ClientCore, state: QueryState, entity: unknown, options: CreateOptions | undefined): Promise<T | undefined> {
  return writeEntity<T>(core, () => {
    refuseUnknownOptions(options, CREATE, "create(entity)");
    return createRequest(core.options, state, entity, options);
  }, options);
}

/** `CollectionQuery.createMedia()`. */
export function createMedia<T>(core: ClientCore, state: QueryState, content: string | Uint8Array, options: CreateMediaOptions): Promise<T | undefined> {
  return writeEntity<T>(core, () => {
    refuseUnknownOptions(options, CREATE_MEDIA, "createMedia(content)");
    return mediaCreateRequest(core.options, state, content, options);
  }, options);
}

/** `CollectionQuery.createAsync()`: the request of `create()` with `Prefer: respond-async`. */
export async function createAsync<R>(core: ClientCore, state: QueryState, body: unknown, options: CreateAsyncOptions | undefined): Promise<AsyncPoller<R>> {
  refuseUnknownOptions(options, CREATE_ASYNC, "createAsync(body)");
  // The request takes what it reads of the options (deep, headers); the poller the rest.
  const request: WriteRequest = createRequest(core.options, state, body, { deep: options?.deep, headers: options?.headers }, "createAsync(body)");
  return startAsync<R>(core, request, options, "createAsync(body)");
}

/**
 * `EntityQuery.updateAsync()`, `replaceAsync()`, `deleteAsync()`: the request of the write with
 * `Prefer: respond-async`, and a poller of the operation the service starts.
 */
export async function writeAsync<R>(
  core: ClientCore,
  state: EntityState,
  kind: "update" | "replace" | "delete",
  body: unknown,
  options: UpdateAsyncOptions | DeleteAsyncOptions | undefined,
): Promise<AsyncPoller<R>> {
  const where = kind === "delete" ? "deleteAsync()" : `${kind}Async(${kind === "update" ? "patch" : "entity"})`;
  refuseUnknownOptions(options, kind === "delete" ? DELETE_ASYNC : UPDATE_ASYNC, where);
  // The request takes what it reads of the options (conditions, deep, headers); the poller the rest.
  const taken = { etag: options?.etag, ifMatch: options?.ifMatch, deep: (options as UpdateAsyncOptions | undefined)?.deep, headers: options?.headers };
  const request: WriteRequest =
    kind === "delete"
      ? deleteRequest(core.options, state, taken, where)
      : (kind === "update" ? updateRequest : replaceRequest)(core.options, state, body, taken, where);
  return startAsync<R>(core, request, options, where);
}

/**
 * Starts the poller of a write sent with `Prefer: respond-async`; a failed answer (a 412 or 428, a
 * 403 for want of a CSRF token) says what it means, as the write's own does, and so does a success
 * whose body then stalls, breaks off or cannot be read (the write applied). `where` names the
 * call, as the refusal of a poller option names it.
 */
async function startAsync<R>(core: ClientCore, request: WriteRequest, options: CreateAsyncOptions | UpdateAsyncOptions | DeleteAsyncOptions | undefined, where: string): Promise<AsyncPoller<R>> {
  // Starting a long-running operation (the initial answer's table) loads here, not with every write.
  const { startWritePoller } = await import("../lro/start.js");
  const { method, url, headers } = request;
  const init = { method, url, headers, ...(request.body === undefined ? {} : { body: request.body }) };
  return startWritePoller<R>(core, init, options, {
    explain: (error, response) => explainFailedWrite(error, request, core.options, response),
    // No answer: the write may have been applied all the same, as the write's own says.
    unanswered: (error, earlier) => unansweredFailure(error, request, "write", earlier),
    // Answered with success at once (the service did not go async), the write was applied.
    bodyFailure: (error, response) => appliedAnswerFailure(error, request, response, "write"),
    atOnce: (response) => (error) => unreadableAnswer(error, request, response, "write"),
    where,
  });
}

/** `EntityQuery.update()`. */
export function update<T>(core: ClientCore, state: EntityState, patch: unknown, options: UpdateOptions | undefined): Promise<T | undefined> {
  return writeEntity<T>(core, () => {
    refuseUnknownOptions(options, UPDATE, "update(patch)");
    return updateRequest(core.options, state, patch, options);
  }, options);
}

/** `EntityQuery.replace()`. */
export function replace<T>(core: ClientCore, state: EntityState, entity: unknown, options: UpdateOptions | undefined): Promise<T | undefined> {
  return writeEntity<T>(core, () => {
    refuseUnknownOptions(options, UPDATE, "replace(entity)");
    return replaceRequest(core.options, state, entity, options);
  }, options);
}

/** `EntityQuery.upsert()`. */
export function upsert<T>(core: ClientCore, state: EntityState, entity: unknown, options: UpsertOptions | undefined): Promise<T | undefined> {
  return writeEntity<T>(core, () => {
    refuseUnknownOptions(options, UPSERT, "upsert(entity)");
    return upsertRequest(core.options, state, entity, options);
  }, options);
}

/** `EntityQuery.delete()`. */
export function remove(core: ClientCore, state: EntityState, options: DeleteOptions | undefined): Promise<void> {
  return writeWithoutResult(core, () => {
    refuseUnknownOptions(options, DELETE, "delete()");
    return deleteRequest(core.options, state, options);
  }, options);
}

/** `EntityQuery.link()`. */
export function link(core: ClientCore, state: EntityState, navigation: string, target: EntityState, options: WriteOptions | undefined): Promise<void> {
  return writeWithoutResult(core, () => {
    refuseUnknownOptions(options, LINK, "link(navigation, target)");
    return linkRequest(core.options, state, navigation, target, options);
  }, options);
}

/** `EntityQuery.setLink()`. */
export function setLink(core: ClientCore, state: EntityState, navigation: string, target: EntityState, options: WriteOptions | undefined): Promise<void> {
  return writeWithoutResult(core, () => {
    refuseUnknownOptions(options, LINK, "setLink(navigation, target)");
    return setLinkRequest(core.options, state, navigation, target, options);
  }, options);
}

/** `EntityQuery.unlink()`. */
export function unlink(core: ClientCore, state: EntityState, navigation: string, target: EntityState | undefined, options: WriteOptions | undefined): Promise<void> {
  return writeWithoutResult(core, () => {
    refuseUnknownOptions(options, LINK, "unlink(navigation)");
    return unlinkRequest(core.options, state, navigation, target, options);
  }, options);
}
