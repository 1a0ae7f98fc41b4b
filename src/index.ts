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
export { ODataClient } from "./client.js";
export { ODataReader } from "./reader.js";
export type { ODataClientOptions, ODataVersion, RetryOptions, RequestOptions } from "./options.js";
export type { AuthOptions, BearerToken, OAuth2ClientCredentials, OAuth2ClientAuthentication } from "./http/auth.js";
export {
  ODataClientError,
  ODataHttpError,
  AsyncOperationError,
  AsyncOperationFailedError,
  AsyncOperationCancelledError,
  AsyncOperationTimeoutError,
  ODataErrorCode,
  isODataClientError,
  isODataHttpError,
  isAsyncOperationError,
} from "./errors.js";
export type {
  ODataErrorDetail,
  CustomErrorCode,
  AsyncOperationErrorCode,
  ODataClientErrorOptions,
  ODataHttpErrorInit,
  AsyncOperationErrorInit,
} from "./errors.js";
export type { AsyncPoller, AsyncPollerOptions } from "./lro/poller.js";
export type { AsyncPollerToken, AsyncResultShape } from "./lro/token.js";
export type { AbortSignalLike } from "./http/signals.js";
export { etagOf, mediaEtagOf } from "./payload/etag.js";
export { redactUrl, redactText } from "./util/redact.js";
export type { PipelineStep, ODataRequest, SendRequest, RedirectMode } from "./http/pipeline.js";

// Queries and what they take.
export type { CollectionQuery, EntityQuery } from "./resources/query.js";
export type { ReadCollectionQuery, ReadEntityQuery, QueryKinds, QueryKind, CollectionOf, EntityOf } from "./resources/read-query.js";
export type { EntityKey } from "./query/keys.js";
export type { ExpandQuery, ExpandBuilder, ExpandRows } from "./query/expand.js";
export { createFilterBuilder } from "./query/filter.js";
export type { FilterBuilder, FilterExpression, Operand, PathOperand, StringOperand, ComparisonValue, StringValue, ValueOperand, LambdaOptions } from "./query/filter.js";
export { edm, EdmValue } from "./query/literals.js";
export type { EdmTypeName, LiteralValue } from "./query/literals.js";
export type { FilterInput, SortDirection } from "./query/state.js";
export type {
  FieldPath,
  ValidPath,
  PathType,
  RelatedType,
  RowOf,
  SelectItem,
  ValidSelect,
  IsCollection,
  Unwrap,
  PrimitiveValue,
  ScalarValue,
  FilterValue,
  Entity,
  EntityShape,
  BoundOperation,
  ShapeOf,
  KeyNames,
  KeyValue,
  NavigationName,
  CollectionNavigation,
  SingleNavigation,
  ExpandPath,
  Expansion,
  ExpandedValue,
  CollectionPath,
  StringPath,
  LambdaMember,
  Selected,
  ShapeOperations,
  OperationNamed,
  OperationResult,
  OperationParams,
  UntypedName,
  IsLoose,
  PathDepthLimit,
  CollectionsOf,
  SinglesOf,
  IsUnion,
  KeyRecord,
  FirstSegment,
  ShapeNavigation,
} from "./query/types.js";
export type { Page, ReadOptions } from "./read/traversal.js";
export type { DeltaPage, DeltaOptions, RemovedEntity, LinkChange } from "./read/delta.js";
export type { QueryPartition, PartitionOptions, PartitionStrategy } from "./resources/partition.js";

// Writes.
export type {
  WriteOptions,
  CreateOptions,
  CreateAsyncOptions,
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
export type { ActionCall, FunctionCall, OperationOptions, InvokeOptions, InvokeAsyncOptions, ResultItem, ParametersThen } from "./operations/operation.js";
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
export type { BatchResult, BatchResults, BatchSuccess, BatchFailure, BatchUnanswered, BatchRequestRef } from "./batch/results.js";

// $metadata.
export { ServiceModel, STANDARD_VOCABULARY_ALIASES } from "./metadata/model.js";
export { parseMetadata } from "./metadata/parse.js";
export type {
  ServiceModelData,
  Schema,
  StructuredTypeBase,
  EntityType,
  ComplexType,
  EnumType,
  EnumMember,
  TypeDefinition,
  Property,
  NavigationProperty,
  ReferentialConstraint,
  KeyRef,
  TypeFacets,
  TypeReference,
  Operation,
  Parameter,
  EntityContainer,
  EntitySet,
  Singleton,
  ActionImport,
  FunctionImport,
  NavigationPropertyBinding,
  MetadataReference,
  Annotations,
  AnnotationValue,
  Annotatable,
} from "./metadata/model.js";
