/**
 * Services for command-line tests that read `$metadata` first: {@link metadataService} answers it
 * with a document given and every other request as the test says, and the OData v2 EDMX documents
 * the tests of a declared version share ({@link productsV2Metadata}, {@link BOOKS_V2_METADATA}).
 */
import { sendText, startServer, type Handler, type RecordingServer } from "./recording-server.js";

/**
 * A server on 127.0.0.1 whose `$metadata` (any path ending so) is `metadata` as XML, with `headers`
 * (a version header: `dataserviceversion`, `odata-version`); every other request goes to `answer`.
 * Closed when the test ends.
 */
export async function metadataService(t: { after(fn: () => Promise<void>): void }, metadata: string, headers: Record<string, string>, answer: Handler): Promise<RecordingServer> {
  const server = await startServer((request, res, req) => {
    if (request.path.endsWith("/$metadata")) return sendText(res, 200, metadata, { "content-type": "application/xml", ...headers });
    return answer(request, res, req);
  });
  t.after(() => server.close());
  return server;
}

/**
 * An OData v2 EDMX (edmx 1.0) declaring DataServiceVersion `version`: schema `NS` with `types`, the
 * default container `C` with `members`. Its CSDL is 3.0's for a 3.0 service, else 2.0's.
 */
function v2Edmx(version: string, types: string, members: string): string {
  const edm = version === "3.0" ? "http://schemas.microsoft.com/ado/2009/11/edm" : "http://schemas.microsoft.com/ado/2008/09/edm";
  return `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">
  <edmx:DataServices m:DataServiceVersion="${version}">
    <Schema Namespace="NS" xmlns="${edm}">
      ${types}
      <EntityContainer Name="C" m:IsDefaultEntityContainer="true">
        ${members}
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;
}

/** A v2 EDMX declaring DataServiceVersion `version`: the set Products of NS.Product (ID, Name), and the function import Cheapest (GET) returning one. */
export const productsV2Metadata = (version = "2.0"): string =>
  v2Edmx(
    version,
    `<EntityType Name="Product"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="Name" Type="Edm.String"/></EntityType>`,
    `<EntitySet Name="Products" EntityType="NS.Product"/>
        <FunctionImport Name="Cheapest" ReturnType="NS.Product" EntitySet="Products" m:HttpMethod="GET"/>`,
  );

/** A v2 EDMX declaring DataServiceVersion 2.0: the set Books of NS.Book (ID, title). */
export const BOOKS_V2_METADATA = v2Edmx(
  "2.0",
  `<EntityType Name="Book"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="title" Type="Edm.String"/></EntityType>`,
  `<EntitySet Name="Books" EntityType="NS.Book"/>`,
);
