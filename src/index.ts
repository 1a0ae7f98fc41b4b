/**
 * traverse-odata: the public exports.
 *
 * Values are what a user calls, constructs or tests with `instanceof`: the client and the reader it
 * extends (`ODataReader`, also the entry point of traverse-odata/read, src/read.ts), the error
 * classes and their guards, `edm` and `EdmValue`, `createFilterBuilder`, `parseMetadata` and
 * `ServiceModel`, `etagOf`. Classes that only the client makes (queries, operation calls, media,
 * batches and their handles, the filter and expand builders) are exported as types: their
 * constructors are not part of the API. `api/traverse-odata.api.md` shows the whole surface.
 * @packageDocumentation
 */
// Everything traverse-odata/read exports (the reader, its queries, the options, the error classes a
// reading program catches, the filter builder and literals, the query types, pages and deltas, the
// $metadata types), then what only the whole client has.
export * from "./read.js";
export { ODataClient } from "./client.js";
export {
  AsyncOperationError,
  AsyncOperationFailedError,
  AsyncOperationCancelledError,
  AsyncOperationTimeoutError,
  isAsyncOperationError,
} from "./errors.js";
export type { AsyncOperationErrorCode, AsyncOperationErrorInit } from "./errors.js";
export type { AsyncPoller, AsyncPollerOptions } from "./lro/poller.js";
export type { AsyncPollerToken, AsyncResultShape } from "./lro/token.js";
export type { OperationPoller } from "./operations/results.js";
export { mediaEtagOf } from "./payload/etag.js";

// Queries that write, and partitions.
export type { CollectionQuery, EntityQuery } from "./resources/query.js";
export type { QueryPartition, PartitionOptions, PartitionStrategy } from "./resources/partition.js";

// Writes.
export type {
  WriteOptions,
  CreateOptions,
  AsyncStartHeaders,
  CreateAsyncOptions,
  DeleteAsyncOptions,
  UpdateAsyncOptions,
  CreateMediaOptions,
  UpdateOptions,
  UpsertOptions,
  DeleteOptions,
  MediaWriteOptions,
  ConditionalOptions,
  EntityBodyOptions,
  EtagSource,
  ReturnPreference,
} from "./write/options.js";
export type { MediaResource } from "./write/media.js";
export type { EntityInput, EntityInputValue, ODataAnnotations } from "./write/types.js";

// Actions and functions.
export type { ActionCall, FunctionCall, ActionImportOptions, ServiceOperationMethod, OperationOptions, InvokeOptions, InvokeAsyncOptions, ResultItem, ParametersThen } from "./operations/operation.js";
export type { OperationParameters } from "./operations/requests.js";

// $batch.
export type {
  Batch,
  BatchWrites,
  BatchChangeset,
  BatchHandle,
  BatchEntityHandle,
  BatchReference,
  BatchOptions,
  BatchOperationOptions,
  BatchCollectionTarget,
  BatchEntityTarget,
  BatchRawRequest,
} from "./batch/batch.js";
export type { BatchFormat } from "./batch/plan.js";
export type { BatchBoundaries } from "./batch/wire.js";
export type { BatchSendOptions, BatchSendAsyncOptions } from "./batch/send.js";
export type { BatchResult, BatchResults, BatchSuccess, BatchFailure, BatchUnreadable, BatchUnanswered, BatchRequestRef } from "./batch/results.js";

// $metadata.
export { ServiceModel, STANDARD_VOCABULARY_ALIASES } from "./metadata/model.js";
export { parseMetadata } from "./metadata/parse.js";
