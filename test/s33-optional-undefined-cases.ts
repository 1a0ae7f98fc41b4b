// The type-level half of test/s33-optional-undefined.test.ts, which type-checks this file on its
// own with the project's compiler options (exactOptionalPropertyTypes among them): each input the
// library takes back from JSON or a spread is built here with an optional member set to
// `undefined` and passed to the call that takes it. Before, each such member was typed without
// `| undefined`, and every call below failed to compile.
import { ODataClient, ODataHttpError, ServiceModel, type AsyncPollerToken, type ODataErrorDetail, type QueryPartition, type ServiceModelData } from "../src/index.js";

/** A token as `JSON.parse` plus a spread of optional fields may give it. */
export function resumeWithUndefined(client: ODataClient, statusUrl: string) {
  const token: AsyncPollerToken = {
    type: "traverse-odata/async-poller",
    version: 2,
    statusUrl,
    status: "running",
    percentComplete: -1,
    deadline: null,
    maxWait: undefined,
    retryAfterAt: undefined,
    cancelRequested: undefined,
    resultUrl: undefined,
    outcome: undefined,
    resultDates: undefined,
    resultType: undefined,
    resultBinary: undefined,
    failure: undefined,
    resultShape: undefined,
  };
  const failed: AsyncPollerToken = { ...token, outcome: "failed", failure: { message: "no", httpStatus: undefined, odataError: undefined } };
  const batchShape: AsyncPollerToken["resultShape"] = { kind: "batch", format: "json", requests: 1, fingerprint: "f", from: undefined, pending: undefined, nextLink: undefined, later: undefined, followed: undefined };
  return { poller: client.resumeAsync<unknown>(token, { pollInterval: 5 }), failed: client.resumeAsync(failed), batchShape };
}

/** A partition as a plan file read back may hold it. */
export function partitionWithUndefined(client: ODataClient, url: string) {
  const partition: QueryPartition = {
    type: "traverse-odata/partition",
    version: 1,
    entitySet: "Readings",
    index: 0,
    of: 2,
    kind: "key-range",
    key: ["ID"],
    from: undefined,
    to: [100],
    filter: "ID lt 100",
    orderBy: undefined,
    url,
  };
  return client.collection("Readings").partition({ ...partition, key: undefined });
}

/** Model data whose optional members (data, schema, container, set, type, property) are undefined. */
export function modelWithUndefined(): ServiceModel {
  const data: ServiceModelData = {
    format: "csdl-json",
    odataVersion: "4.0",
    references: [{ uri: "https://example.org/vocab.xml", includes: [{ namespace: "Org.OData.Core.V1", alias: undefined }] }],
    schemas: [
      {
        namespace: "S",
        alias: undefined,
        entityTypes: [
          {
            kind: "EntityType",
            name: "Reading",
            qualifiedName: "S.Reading",
            baseType: undefined,
            abstract: false,
            openType: false,
            key: [{ name: "ID", path: "ID" }],
            hasStream: false,
            properties: [{ name: "ID", type: "Edm.Int32", collection: false, nullable: false, maxLength: undefined, precision: undefined, scale: undefined, srid: undefined, unicode: undefined, defaultValue: undefined, concurrencyMode: undefined, sap: undefined, annotations: {} }],
            navigationProperties: [{ name: "next", type: "S.Reading", collection: false, nullable: true, partner: undefined, containsTarget: undefined, onDelete: undefined, association: undefined, sap: undefined, referentialConstraints: [], annotations: {} }],
            sap: undefined,
            annotations: {},
          },
        ],
        complexTypes: [],
        enumTypes: [],
        typeDefinitions: [],
        actions: [],
        functions: [{ kind: "Function", name: "Latest", qualifiedName: "S.Latest", bound: false, composable: undefined, entitySetPath: undefined, sap: undefined, parameters: [], annotations: {} }],
        entityContainer: {
          name: "C",
          qualifiedName: "S.C",
          extends: undefined,
          entitySets: [{ kind: "EntitySet", name: "Readings", entityType: "S.Reading", navigationPropertyBindings: [], includeInServiceDocument: true, annotations: {}, sap: undefined }],
          singletons: [],
          actionImports: [],
          functionImports: [{ kind: "FunctionImport", name: "Latest", function: "S.Latest", entitySet: undefined, includeInServiceDocument: true, annotations: {} }],
          annotations: {},
        },
        annotations: {},
        externalAnnotations: {},
      },
    ],
    entityContainer: "S.C",
  };
  return new ServiceModel(data);
}

/** An error detail as a parsed body spread into a new one may give it. */
export function httpErrorWithUndefined(url: string): ODataHttpError {
  const odataError: ODataErrorDetail = { code: "E1", message: "broken", target: undefined, details: undefined, innererror: undefined, annotations: undefined };
  return new ODataHttpError({ status: 500, method: "GET", url, headers: {}, body: "", odataError: { ...odataError, details: [{ code: "E2", message: "inner", target: undefined }] } });
}
