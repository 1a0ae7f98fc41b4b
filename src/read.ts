/**
 * traverse-odata/read: the client that reads, on its own. `ODataReader` takes the options of
 * `ODataClient` and reads as it does (collections page by page and entity by entity, single
 * entities, singletons, counts, deltas, `$metadata`); its queries have no writing verbs and no
 * operations. A program that imports only this entry point bundles the walk and its checks, not
 * the writing, operation, partition, `$batch` or long-running-operation code.
 *
 * `traverse-odata` (src/index.ts) exports all of this too (`export *`), so every name here is the
 * same value or type there. The `ServiceModel` that `metadata()` gives is a type here; the class
 * is a value of `traverse-odata` only, for `instanceof`.
 * @packageDocumentation
 */
export { ODataReader } from "./reader.js";
export type { ReadCollectionQuery, ReadEntityQuery, QueryKinds, QueryKind, CollectionOf, EntityOf } from "./resources/read-query.js";
export type { PropertyQuery, PropertyName, PropertyValue } from "./resources/property.js";
export type { ODataClientOptions, ODataVersion, RetryOptions, RequestOptions, ResponseInfo } from "./options.js";
export type { AuthOptions, BearerToken, OAuth2ClientCredentials, OAuth2ClientAuthentication } from "./http/auth.js";
export { ODataClientError, ODataHttpError, ODataErrorCode, isODataClientError, isODataHttpError } from "./errors.js";
export type { ODataErrorDetail, CustomErrorCode, ODataClientErrorOptions, ODataHttpErrorInit } from "./errors.js";
export type { AbortSignalLike } from "./http/signals.js";
export { etagOf } from "./payload/etag.js";
export { sapMessages } from "./payload/sap-messages.js";
export type { SapMessage } from "./payload/sap-messages.js";
export { redactUrl, redactText } from "./util/redact.js";
export type { PipelineStep, ODataRequest, SendRequest, RedirectMode } from "./http/pipeline.js";

// Queries and what they take.
export type { EntityKey } from "./query/keys.js";
export type { ExpandQuery, ExpandBuilder, ExpandRows } from "./query/expand.js";
export { createFilterBuilder } from "./query/filter.js";
export type { FilterBuilder, FilterExpression, FieldExpression, OrderByExpression, Operand, PathOperand, StringOperand, ComparisonValue, StringValue, ValueOperand, LambdaOptions } from "./query/filter.js";
export { edm, EdmValue } from "./query/literals.js";
export type { EdmTypeName, LiteralValue } from "./query/literals.js";
export type { FilterInput, SortDirection } from "./query/state.js";
export type {
  FieldPath,
  ValidPath,
  PathLiteralType,
  PathType,
  FilterFieldPath,
  ValidFilterPath,
  ValidOrderByPath,
  OrderableValue,
  ExpandedAlong,
  MergedExpansion,
  RowsIn,
  AppliedRow,
  WithComputed,
  ComputedProperties,
  ComputedAliases,
  ComputedAliasName,
  FilterPathType,
  FilterPathLiteralType,
  RootRelativePath,
  FilterRoot,
  ValidSelectPath,
  PathCheck,
  PickPaths,
  SelectedValue,
  SubPaths,
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
  ExpandedLeaf,
  EntityReference,
  Replaced,
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
  DeclaredProperties,
  Without,
  Unexpanded,
  PathBase,
  PathDepthLimit,
  CollectionsOf,
  SinglesOf,
  IsUnion,
  KeyRecord,
  FirstSegment,
  ShapeNavigation,
} from "./query/types.js";
export type { Page, ReadOptions } from "./read/traversal.js";
export type { DeltaPage, DeltaOptions, RemovedEntity, LinkChange, ChangedEntity, DeltaEntityControl } from "./read/delta.js";

// $metadata, as metadata() gives it.
export type {
  ServiceModel,
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
