/** traverse-odata: the public exports. */
export { ODataClient } from "./client.js";
export type { ODataClientOptions, ODataVersion, AuthOptions, BearerToken, RetryOptions } from "./options.js";
export {
  ODataClientError,
  ODataHttpError,
  AsyncOperationError,
  AsyncOperationFailedError,
  AsyncOperationCancelledError,
  AsyncOperationTimeoutError,
} from "./errors.js";
export type { ODataErrorDetail } from "./errors.js";
export type { AsyncPoller, AsyncPollerOptions } from "./lro/poller.js";
export type { AsyncPollerToken, AsyncResultShape } from "./lro/token.js";
export type { AbortSignalLike } from "./http/signals.js";
export { etagOf, mediaEtagOf } from "./payload/etag.js";
export { redactUrl, redactText } from "./util/redact.js";
export type { PipelineStep, ODataRequest, SendRequest, RedirectMode } from "./http/pipeline.js";
export { CollectionQuery } from "./query/query.js";
export { EntityQuery } from "./query/entity.js";
export type { EntityKey } from "./query/entity.js";
export { ExpandQuery } from "./query/expand.js";
export type { ExpandBuilder } from "./query/expand.js";
export { FilterBuilder, FilterExpression, createFilterBuilder } from "./query/filter.js";
export type { Operand, ValueOperand, LambdaOptions } from "./query/filter.js";
export { edm, EdmValue } from "./query/literals.js";
export type { EdmTypeName, LiteralValue } from "./query/literals.js";
export type { FilterInput, SortDirection } from "./query/state.js";
export type { FieldPath, RelatedType, SelectItem } from "./query/types.js";
export type { Page, ReadOptions } from "./read/traversal.js";
export type { QueryPartition, PartitionOptions, PartitionStrategy } from "./read/partitions.js";
export type { UpdateOptions, UpsertOptions, DeleteOptions, LinkOptions } from "./query/entity.js";
export type { CreateOptions, CreateAsyncOptions, CreateMediaOptions } from "./query/query.js";
export { MediaResource } from "./write/media.js";
export type { MediaWriteOptions } from "./write/media.js";
export type { EntityInput, ODataAnnotations } from "./write/types.js";
export type { SendOptions } from "./write/send.js";
export type {
  WriteRequest,
  WriteContext,
  EtagSource,
  ConditionalOptions,
  ReturnPreference,
  WriteRequestOptions,
  CreateRequestOptions,
  EntityBodyOptions,
  UpdateRequestOptions,
  UpsertRequestOptions,
  DeleteRequestOptions,
  MediaWriteRequestOptions,
  MediaCreateRequestOptions,
} from "./write/requests.js";
export { ActionCall, FunctionCall } from "./operations/operation.js";
export type { OperationOptions, InvokeOptions, InvokeAsyncOptions, FunctionGetOptions, ResultItem } from "./operations/operation.js";
export type { OperationParameters } from "./operations/requests.js";
export { Batch, BatchChangeset, BatchHandle, BatchEntityHandle, BatchReference } from "./batch/batch.js";
export type {
  BatchFormat,
  BatchOptions,
  BatchSendOptions,
  BatchSendAsyncOptions,
  BatchOperationOptions,
  BatchCollectionTarget,
  BatchEntityTarget,
  BatchRawRequest,
} from "./batch/batch.js";
export type { BatchResult, BatchResults, BatchSuccess, BatchFailure, BatchUnanswered, BatchRequestRef } from "./batch/results.js";
export { ServiceModel, STANDARD_VOCABULARY_ALIASES } from "./metadata/model.js";
export { parseMetadata } from "./metadata/parse.js";
export type {
  ServiceModelData,
  Schema,
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
export type { DeltaPage, DeltaOptions, RemovedEntity, LinkChange } from "./read/delta.js";
