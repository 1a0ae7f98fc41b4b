/** traverse-odata: the public exports. */
export { ODataClient } from "./client.js";
export type { ODataClientOptions, ODataVersion, RetryOptions } from "./options.js";
export type { AuthOptions, BearerToken } from "./http/steps.js";
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
export type { ODataErrorDetail, CustomErrorCode, AsyncOperationErrorCode } from "./errors.js";
export type { AsyncPoller, AsyncPollerOptions } from "./lro/poller.js";
export type { AsyncPollerToken, AsyncResultShape } from "./lro/token.js";
export type { AbortSignalLike } from "./http/signals.js";
export { etagOf, mediaEtagOf } from "./payload/etag.js";
export type { PipelineStep, ODataRequest, SendRequest, RedirectMode } from "./http/pipeline.js";
export { CollectionQuery, EntityQuery } from "./resources/query.js";
export type { EntityKey } from "./query/keys.js";
export { ExpandQuery } from "./query/expand.js";
export type { ExpandBuilder } from "./query/expand.js";
export { FilterBuilder, FilterExpression, createFilterBuilder } from "./query/filter.js";
export type { Operand, ValueOperand, LambdaOptions } from "./query/filter.js";
export { edm, EdmValue } from "./query/literals.js";
export type { EdmTypeName, LiteralValue } from "./query/literals.js";
export type { FilterInput, SortDirection } from "./query/state.js";
export type { FieldPath, RelatedType, SelectItem } from "./query/types.js";
export type { Page, ReadOptions } from "./read/traversal.js";
export type { UpdateOptions, UpsertOptions, DeleteOptions, LinkOptions } from "./resources/query.js";
export type { CreateOptions, CreateAsyncOptions, CreateMediaOptions } from "./resources/query.js";
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
export type { BatchOptions, BatchOperationOptions, BatchCollectionTarget, BatchEntityTarget, BatchRawRequest } from "./batch/batch.js";
export type { BatchFormat } from "./batch/plan.js";
export type { BatchSendOptions, BatchSendAsyncOptions } from "./batch/send.js";
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
