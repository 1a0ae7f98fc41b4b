// The service model from `$metadata`: OData v4 EDMX, OData v2 EDMX (associations, function
// imports, sap: attributes) and CSDL JSON read into one model; malformed documents rejected with
// BAD_METADATA; CAP's real documents (v4 XML, v4 CSDL JSON, v2 through the adapter); and
// client.metadata() fetching once per client, observed on the wire.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataClientError, ODataHttpError, ServiceModel, parseMetadata, type EntityType } from "../src/index.js";
import { startCap, type CapServer } from "./servers/cap.js";
import { sendText, startServer, type RecordingServer } from "./servers/recording-server.js";
import { CSDL_JSON, V1_EDMX, V2_EDMX, V4_EDMX } from "./metadata-samples.js";

function badMetadata(run: () => unknown): ODataClientError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ODataClientError, `expected an ODataClientError, got ${String(error)}`);
    assert.equal(error.code, "BAD_METADATA");
    return error;
  }
  assert.fail("expected BAD_METADATA");
}

function mustExist<T>(value: T | undefined, what: string): T {
  assert.ok(value !== undefined, `${what} is missing`);
  return value;
}

// --- OData v4 EDMX ---------------------------------------------------------------------------

describe("OData v4 EDMX", () => {
  const model = parseMetadata(V4_EDMX);
  const book = mustExist(model.entityType("Shop.Model.Book"), "Book");

  test("schemas keep namespace and alias; the version and entity container are read from the document", () => {
    assert.equal(model.format, "edmx");
    assert.equal(model.odataVersion, "4.01");
    assert.deepEqual(
      model.schemas.map((s) => [s.namespace, s.alias]),
      [["Shop.Model", "Shop"]],
    );
    assert.equal(model.entityContainer, "Shop.Model.Default");
    assert.deepEqual(model.references.map((r) => r.includes), [[{ namespace: "Org.OData.Core.V1", alias: "C" }], [{ namespace: "Org.OData.Capabilities.V1", alias: "Cap" }]]);
  });

  test("type names written with the schema alias are stored with the namespace, and lookups accept either", () => {
    assert.equal(book.baseType, "Shop.Model.Item");
    assert.equal(model.entityType("Shop.Book"), book);
    assert.equal(book.navigationProperties[0]?.type, "Shop.Model.Author");
    assert.equal(model.entitySet("Books")?.entityType, "Shop.Model.Book");
  });

  test("properties carry type, collection-ness, nullability and facets", () => {
    const byName = Object.fromEntries(book.properties.map((p) => [p.name, p]));
    assert.deepEqual(byName["Title"], { name: "Title", type: "Edm.String", collection: false, nullable: false, maxLength: "max", annotations: byName["Title"]?.annotations });
    assert.deepEqual(
      [byName["Price"]?.precision, byName["Price"]?.scale, byName["Price"]?.nullable, byName["Ratio"]?.scale],
      [9, 2, true, "variable"],
    );
    assert.deepEqual([byName["Tags"]?.type, byName["Tags"]?.collection], ["Edm.String", true]);
    assert.deepEqual([byName["Format"]?.type, byName["Format"]?.defaultValue], ["Shop.Model.Format", "Paper"]);
    assert.equal(model.complexType("Shop.Address")?.properties[1]?.srid, "4326");
  });

  test("navigation properties carry target type, collection-ness, partner, constraints, containment and OnDelete", () => {
    const [author, chapters] = book.navigationProperties;
    assert.deepEqual(author, {
      name: "Author",
      type: "Shop.Model.Author",
      collection: false,
      nullable: false,
      partner: "Books",
      referentialConstraints: [{ property: "AuthorID", referencedProperty: "ID" }],
      annotations: {},
    });
    assert.deepEqual([chapters?.type, chapters?.collection, chapters?.containsTarget, chapters?.onDelete], ["Shop.Model.Chapter", true, true, "Cascade"]);
  });

  test("base type, abstract, open type and HasStream are read; keyOf and propertiesOf follow the base type", () => {
    assert.equal(model.entityType("Shop.Item")?.abstract, true);
    assert.equal(book.openType, true);
    assert.deepEqual(book.key, []);
    assert.deepEqual(model.keyOf(book), [{ name: "ID", path: "ID" }]);
    assert.deepEqual(model.keyOf("Shop.Chapter"), [{ name: "Number", path: "Home/Number" }]);
    assert.deepEqual(model.propertiesOf("Shop.Book").slice(0, 4).map((p) => p.name), ["ID", "ETag", "Created", "Title"]);
    assert.equal(model.entityType("Shop.Cover")?.hasStream, true);
  });

  test("enum types keep members with implicit and explicit values and IsFlags; type definitions keep facets", () => {
    assert.deepEqual(
      model.enumType("Shop.Format")?.members.map((m) => [m.name, m.value]),
      [["Paper", 0], ["Ebook", 1], ["Audio", 7]],
    );
    assert.equal(model.enumType("Shop.Format")?.underlyingType, "Edm.Byte");
    assert.equal(model.enumType("Shop.Flags")?.isFlags, true);
    const isbn = model.typeDefinition("Shop.Isbn");
    assert.deepEqual([isbn?.underlyingType, isbn?.maxLength, isbn?.unicode], ["Edm.String", 17, false]);
  });

  test("the entity container has entity sets with bindings, singletons and action and function imports", () => {
    const container = mustExist(model.container(), "container");
    assert.deepEqual(container.entitySets.map((s) => [s.name, s.includeInServiceDocument]), [["Books", true], ["Authors", false], ["Covers", true]]);
    assert.deepEqual(model.entitySet("Books")?.navigationPropertyBindings, [{ path: "Author", target: "Authors" }]);
    assert.deepEqual(model.singleton("Bestseller")?.type, "Shop.Model.Book");
    assert.deepEqual(model.actionImport("ResetAll"), { kind: "ActionImport", name: "ResetAll", action: "Shop.Model.ResetAll", annotations: {} });
    assert.deepEqual(model.functionImport("Search"), {
      kind: "FunctionImport",
      name: "Search",
      function: "Shop.Model.Search",
      entitySet: "Books",
      includeInServiceDocument: true,
      annotations: {},
    });
  });

  test("actions and functions keep their overloads, binding, parameters and return types", () => {
    const restock = model.actions("Shop.Restock");
    assert.deepEqual(
      restock.map((a) => [a.bound, a.parameters[0]?.collection, a.returnType?.type]),
      [[true, false, "Edm.Int32"], [true, true, undefined]],
    );
    assert.deepEqual(model.functions("Shop.Search").map((f) => f.parameters.map((p) => p.name)), [["text"], ["text", "limit"]]);
    assert.equal(model.functions("Shop.Search")[0]?.composable, true);
    assert.deepEqual(model.functions("Shop.Search")[0]?.returnType, { type: "Shop.Model.Book", collection: true, nullable: true });
    assert.deepEqual(model.boundOperations("Shop.Book").map((o) => o.name), ["Restock", "BestPrice"]);
    assert.deepEqual(model.boundOperations(book, { collection: true }).map((o) => o.name), ["Restock"]);
    assert.equal(model.functions("Shop.BestPrice")[0]?.entitySetPath, "book");
  });

  test("inline annotations are keyed by the full term name, aliases resolved, a term without value is true", () => {
    const item = mustExist(model.entityType("Shop.Item"), "Item");
    assert.deepEqual(item.properties[1]?.annotations, { "Org.OData.Core.V1.Computed": true });
    assert.deepEqual(item.properties[2]?.annotations, { "Org.OData.Core.V1.Immutable": true });
    assert.equal(model.annotation(book, "Core.Description"), "A book in the catalogue");
    assert.equal(model.annotation(book, "Org.OData.Core.V1.Description"), "A book in the catalogue");
  });

  test("records, collections and paths in annotations take the CSDL JSON shapes", () => {
    const books = mustExist(model.entitySet("Books"), "Books");
    assert.deepEqual(model.annotation(books, "Capabilities.InsertRestrictions"), {
      Insertable: false,
      NonInsertableNavigationProperties: [{ $NavigationPropertyPath: "Author" }],
    });
    assert.deepEqual(model.annotation(books, "Capabilities.FilterRestrictions"), {
      "@type": "Org.OData.Capabilities.V1.FilterRestrictionsType",
      NonFilterableProperties: [{ $PropertyPath: "Tags" }],
    });
    assert.deepEqual(model.annotation(books, "Capabilities.CountRestrictions"), { Countable: true });
    assert.equal(model.annotation(books, "Capabilities.TopSupported"), false);
    assert.equal(model.annotation(model.container()!, "Core.Permissions"), "Read,Write");
  });

  test("Annotations blocks reach their targets: properties, qualified terms, one overload's parameter, enum members", () => {
    const title = book.properties.find((p) => p.name === "Title")!;
    assert.equal(model.annotation(title, "Core.Description"), "The title on the cover");
    assert.equal(model.annotation(title, "Core.Description#short"), "Title");
    const [single, many] = model.actions("Shop.Restock");
    assert.deepEqual(single?.parameters[1]?.annotations, {});
    assert.equal(model.annotation(many!.parameters[1]!, "Core.Description"), "Copies added to each book");
    assert.equal(model.annotation(model.enumType("Shop.Format")!.members[2]!, "Core.Description"), "Read aloud");
  });

  test("targets outside the model are kept in the schema's externalAnnotations", () => {
    assert.deepEqual(model.schemas[0]?.externalAnnotations, { "Other.Service/Thing": { "Org.OData.Core.V1.Description": "not in this model" } });
  });

  test("etagProperties reads Core.OptimisticConcurrency of the entity set", () => {
    assert.deepEqual(model.etagProperties("Books"), ["ETag"]);
    assert.deepEqual(model.etagProperties("Authors"), []);
  });

  test("the model is plain data: JSON round trip gives the same data and working lookups", () => {
    const text = JSON.stringify(model);
    const again = new ServiceModel(JSON.parse(text));
    assert.equal(JSON.stringify(again), text);
    assert.deepEqual(again.keyOf("Shop.Book"), [{ name: "ID", path: "ID" }]);
    assert.deepEqual(again.etagProperties("Books"), ["ETag"]);
  });

  test("a lookup by a name that is not in the model rejects with METADATA_LOOKUP, plain finds give undefined", () => {
    assert.equal(model.entitySet("Nope"), undefined);
    assert.equal(model.entityType("Shop.Nope"), undefined);
    assert.throws(() => model.keyOf("Shop.Nope"), (error: unknown) => error instanceof ODataClientError && error.code === "METADATA_LOOKUP" && /Shop\.Nope/.test(error.message));
  });
});

// --- OData v2 EDMX ---------------------------------------------------------------------------

describe("OData v2 EDMX", () => {
  const model = parseMetadata(V2_EDMX);
  const order = mustExist(model.entityType("ZSALES_SRV.SalesOrder"), "SalesOrder");
  const nav = (type: EntityType, name: string) => mustExist(type.navigationProperties.find((n) => n.name === name), name);

  test("the OData version is the DataServiceVersion; the default entity container is found", () => {
    assert.equal(model.odataVersion, "2.0");
    assert.equal(model.entityContainer, "ZSALES_SRV.ZSALES_SRV_Entities");
  });

  test("navigation properties take target type and multiplicity from their association", () => {
    const items = nav(order, "Items");
    assert.deepEqual([items.type, items.collection, items.nullable], ["ZSALES_SRV.SalesOrderItem", true, false]);
    const customer = nav(order, "Customer");
    assert.deepEqual([customer.type, customer.collection, customer.nullable], ["ZSALES_SRV.Customer", false, true]);
    const back = nav(model.entityType("ZSALES_SRV.SalesOrderItem")!, "Order");
    assert.deepEqual([back.type, back.collection, back.nullable], ["ZSALES_SRV.SalesOrder", false, false]);
    assert.deepEqual(items.association, { name: "ZSALES_SRV.Assoc_Order_Items", fromRole: "FromRole_Order", toRole: "ToRole_Items" });
  });

  test("referential constraints land on the dependent side, and partners are the navigation properties of the same association", () => {
    assert.deepEqual(nav(order, "Customer").referentialConstraints, [{ property: "CustomerID", referencedProperty: "CustomerID" }]);
    assert.deepEqual(nav(order, "Items").referentialConstraints, []);
    assert.deepEqual(nav(model.entityType("ZSALES_SRV.SalesOrderItem")!, "Order").referentialConstraints, [{ property: "OrderID", referencedProperty: "OrderID" }]);
    assert.equal(nav(order, "Items").partner, "Order");
    assert.equal(nav(order, "Customer").partner, "Orders");
  });

  test("association sets become navigation property bindings of both entity sets", () => {
    assert.deepEqual(model.entitySet("SalesOrderSet")?.navigationPropertyBindings, [
      { path: "Items", target: "SalesOrderItemSet" },
      { path: "Customer", target: "CustomerSet" },
    ]);
    assert.deepEqual(model.entitySet("CustomerSet")?.navigationPropertyBindings, [{ path: "Orders", target: "SalesOrderSet" }]);
  });

  test("FunctionImports with m:HttpMethod GET become functions, others actions, each with its import", () => {
    assert.deepEqual(model.functionImport("OpenOrders"), {
      kind: "FunctionImport",
      name: "OpenOrders",
      function: "ZSALES_SRV.OpenOrders",
      includeInServiceDocument: false,
      annotations: {},
      httpMethod: "GET",
      entitySet: "SalesOrderSet",
    });
    const open = model.functions("ZSALES_SRV.OpenOrders")[0];
    assert.deepEqual([open?.bound, open?.returnType?.type, open?.returnType?.collection, open?.parameters[0]?.name], [false, "ZSALES_SRV.SalesOrder", true, "CustomerID"]);
    assert.deepEqual(model.actionImport("ConfirmOrder"), {
      kind: "ActionImport",
      name: "ConfirmOrder",
      action: "ZSALES_SRV.ConfirmOrder",
      annotations: {},
      httpMethod: "POST",
      entitySet: "SalesOrderSet",
    });
    const confirm = model.actions("ZSALES_SRV.ConfirmOrder")[0];
    assert.deepEqual([confirm?.parameters[0]?.maxLength, confirm?.sap], [10, { "action-for": "ZSALES_SRV.SalesOrder" }]);
    assert.equal(model.functionImport("TotalOf")?.httpMethod, "GET");
  });

  test("sap: attributes are kept by local name on types, properties, sets and the container's sets", () => {
    const id = order.properties[0];
    assert.deepEqual(id?.sap, { label: "Order", creatable: "false", updatable: "false" });
    assert.deepEqual(order.sap, { "content-version": "1" });
    assert.equal(model.entitySet("SalesOrderSet")?.sap?.["pageable"], "false");
  });

  test("sap: capability attributes are also read as Capabilities annotations", () => {
    const set = model.entitySet("SalesOrderSet")!;
    assert.deepEqual(model.annotation(set, "Capabilities.InsertRestrictions"), { Insertable: false });
    assert.deepEqual(model.annotation(set, "Capabilities.DeleteRestrictions"), { Deletable: false });
    assert.equal(model.annotation(set, "Capabilities.UpdateRestrictions"), undefined);
    assert.deepEqual(model.annotation(set, "Capabilities.CountRestrictions"), { Countable: false });
    assert.equal(model.annotation(set, "Capabilities.TopSupported"), false);
    assert.deepEqual(model.annotation(set, "Capabilities.FilterRestrictions"), { NonFilterableProperties: [{ $PropertyPath: "Note" }] });
    assert.deepEqual(model.annotation(set, "Capabilities.SortRestrictions"), { NonSortableProperties: [{ $PropertyPath: "Note" }] });
    assert.deepEqual(model.annotation(model.entitySet("SalesOrderItemSet")!, "Capabilities.SearchRestrictions"), { Searchable: true });
  });

  test("v4 Annotations embedded in a v2 schema are applied", () => {
    const note = order.properties.find((p) => p.name === "Note")!;
    assert.equal(model.annotation(note, "Core.Description"), "Free text");
  });

  test("ConcurrencyMode=Fixed properties are the entity set's ETag properties; m:HasStream is read", () => {
    assert.equal(order.properties.find((p) => p.name === "ChangedAt")?.concurrencyMode, "Fixed");
    assert.deepEqual(model.etagProperties("SalesOrderSet"), ["ChangedAt"]);
    assert.equal(model.entityType("ZSALES_SRV.Attachment")?.hasStream, true);
    assert.deepEqual(model.keyOf("ZSALES_SRV.SalesOrderItem").map((k) => k.name), ["OrderID", "ItemPosition"]);
  });

  test("a document of the 2006/04 CSDL vintage reads the same way", () => {
    const legacy = parseMetadata(V1_EDMX);
    assert.equal(legacy.odataVersion, "1.0");
    assert.deepEqual(legacy.keyOf(legacy.entityTypeOf("Regions")), [{ name: "RegionID", path: "RegionID" }]);
  });
});

// --- CSDL JSON -------------------------------------------------------------------------------

describe("CSDL JSON", () => {
  const model = parseMetadata(CSDL_JSON);

  test("text and parsed objects are both accepted and give the same model", () => {
    assert.equal(JSON.stringify(parseMetadata(JSON.stringify(CSDL_JSON))), JSON.stringify(model));
    assert.equal(model.format, "csdl-json");
    assert.equal(model.odataVersion, "4.01");
    assert.equal(model.entityContainer, "Shop.Model.Default");
  });

  test("CSDL JSON defaults apply: $Type is Edm.String and a missing $Nullable means false", () => {
    const title = model.entityType("Shop.Book")!.properties.find((p) => p.name === "Title");
    assert.deepEqual([title?.type, title?.nullable, title?.collection], ["Edm.String", false, false]);
    const price = model.entityType("Shop.Book")!.properties.find((p) => p.name === "Price");
    assert.deepEqual([price?.type, price?.nullable, price?.precision, price?.scale], ["Edm.Decimal", true, 9, 2]);
  });

  test("entity types, keys (aliased too), navigation properties and enum members read as from EDMX", () => {
    const xml = parseMetadata(V4_EDMX);
    assert.deepEqual(model.keyOf("Shop.Book"), xml.keyOf("Shop.Book"));
    assert.deepEqual(model.keyOf("Shop.Chapter"), [{ name: "Number", path: "Home/Number" }]);
    assert.deepEqual(model.entityType("Shop.Book")!.navigationProperties, xml.entityType("Shop.Book")!.navigationProperties);
    assert.deepEqual(
      model.enumType("Shop.Format")!.members,
      xml.enumType("Shop.Format")!.members.map((m) => ({ ...m })),
    );
  });

  test("the container's members are told apart: entity sets, singletons, action and function imports", () => {
    const container = model.container()!;
    assert.deepEqual(container.entitySets.map((s) => [s.name, s.includeInServiceDocument]), [["Books", true], ["Authors", false]]);
    assert.deepEqual(container.singletons.map((s) => [s.name, s.type, s.nullable]), [["Bestseller", "Shop.Model.Book", false]]);
    assert.equal(model.actionImport("ResetAll")?.action, "Shop.Model.ResetAll");
    assert.deepEqual([model.functionImport("Search")?.entitySet, model.functionImport("Search")?.includeInServiceDocument], ["Books", true]);
  });

  test("overload arrays, inline and $Annotations annotations land where EDMX puts them", () => {
    assert.deepEqual(model.actions("Shop.Restock").map((a) => a.parameters[0]?.collection), [false, true]);
    const books = model.entitySet("Books")!;
    assert.deepEqual(model.etagProperties(books), ["ETag"]);
    assert.equal(model.annotation(books, "Capabilities.TopSupported"), false);
    assert.deepEqual(model.annotation(books, "Capabilities.InsertRestrictions"), parseMetadata(V4_EDMX).annotation(parseMetadata(V4_EDMX).entitySet("Books")!, "Capabilities.InsertRestrictions"));
    const title = model.entityType("Shop.Book")!.properties.find((p) => p.name === "Title")!;
    assert.equal(model.annotation(title, "Core.Description#short"), "Title");
    assert.equal(model.annotation(model.actions("Shop.Restock")[1]!.parameters[1]!, "Core.Description"), "Copies added to each book");
    assert.equal(model.annotation(model.enumType("Shop.Format")!.members[2]!, "Core.Description"), "Read aloud");
    assert.equal(model.annotation(model.entityType("Shop.Item")!.properties[1]!, "Core.Computed"), true);
  });
});

// --- malformed metadata ----------------------------------------------------------------------

describe("malformed metadata rejects with BAD_METADATA naming what and where", () => {
  test("XML that is not well-formed names the XML error and its offset", () => {
    const error = badMetadata(() => parseMetadata('<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices></edmx:Edmx>'));
    assert.match(error.message, /does not match <edmx:DataServices>.*offset/);
  });

  test("a root element other than edmx:Edmx is named", () => {
    assert.match(badMetadata(() => parseMetadata("<feed/>")).message, /root element is <feed>/);
  });

  test("EDMX without DataServices or Schema is refused", () => {
    assert.match(badMetadata(() => parseMetadata('<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"/>')).message, /no edmx:DataServices/);
  });

  test("a missing required attribute names the element and its offset", () => {
    const text = V4_EDMX.replace('<Property Name="Price" Type="Edm.Decimal"', '<Property Name="Price"');
    const error = badMetadata(() => parseMetadata(text));
    assert.match(error.message, /<Property Name="Price"> at character offset \d+ has no Type attribute/);
  });

  test("a facet that is not a number is refused", () => {
    const error = badMetadata(() => parseMetadata(V4_EDMX.replace('MaxLength="40"', 'MaxLength="forty"')));
    assert.match(error.message, /<Property Name="ETag">.*MaxLength="forty"/);
  });

  test("a v2 navigation property whose association is not declared is named", () => {
    const error = badMetadata(() => parseMetadata(V2_EDMX.replace('Relationship="ZSALES_SRV.Assoc_Order_Items" FromRole="FromRole_Order"', 'Relationship="ZSALES_SRV.Gone" FromRole="FromRole_Order"')));
    assert.match(error.message, /ZSALES_SRV\.SalesOrder\/Items refers to the association ZSALES_SRV\.Gone/);
  });

  test("CSDL JSON errors name the JSON path", () => {
    assert.match(badMetadata(() => parseMetadata({ "Shop.Model": {} })).message, /\$\["\$Version"\]/);
    const broken = structuredClone(CSDL_JSON) as unknown as Record<string, Record<string, Record<string, unknown>>>;
    broken["Shop.Model"]!["Book"]!["Price"] = { $Type: "Edm.Decimal", $Precision: "nine" };
    assert.match(badMetadata(() => parseMetadata(broken)).message, /\$\["Shop\.Model"\]\["Book"\]\["Price"\]\["\$Precision"\] is the string "nine"/);
    const wrongKind = structuredClone(CSDL_JSON) as unknown as Record<string, Record<string, Record<string, unknown>>>;
    wrongKind["Shop.Model"]!["Isbn"]!["$Kind"] = "Thing";
    assert.match(badMetadata(() => parseMetadata(wrongKind)).message, /\["Isbn"\]\["\$Kind"\] is the string "Thing"/);
  });

  test("text that is neither XML nor JSON, and broken JSON, are refused", () => {
    assert.match(badMetadata(() => parseMetadata("Internal Server Error")).message, /neither EDMX \(XML\) nor CSDL JSON/);
    assert.match(badMetadata(() => parseMetadata('{"$Version": ')).message, /not JSON/);
  });
});

// --- client.metadata(): fetched once ---------------------------------------------------------

describe("client.metadata()", () => {
  /** A service whose `$metadata` answers with `answer(n)` for the n-th request (1-based). */
  async function metadataServer(answer: (n: number) => { status: number; body: string; delay?: number }): Promise<RecordingServer> {
    let count = 0;
    return startServer(async (request, res) => {
      if (!request.path.endsWith("/$metadata")) return sendText(res, 404, "no");
      const { status, body, delay } = answer(++count);
      if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
      res.writeHead(status, { "content-type": "application/xml" });
      res.end(body);
    });
  }
  const metadataRequests = (server: RecordingServer) => server.requests.filter((r) => r.path.endsWith("/$metadata"));

  test("GET $metadata asks for XML without a version header, and concurrent calls share one request and one model", async (t) => {
    const server = await metadataServer(() => ({ status: 200, body: V4_EDMX, delay: 30 }));
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
    const [a, b, c] = await Promise.all([client.metadata(), client.metadata(), client.metadata()]);
    assert.equal(a, b);
    assert.equal(b, c);
    assert.equal(metadataRequests(server).length, 1);
    const sent = metadataRequests(server)[0]!;
    assert.equal(sent.path, "/svc/$metadata");
    assert.equal(sent.headers.accept, "application/xml");
    assert.equal(sent.headers["odata-maxversion"], undefined);
  });

  test("a model once fetched is kept: later calls send nothing", async (t) => {
    const server = await metadataServer(() => ({ status: 200, body: V4_EDMX }));
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
    const first = await client.metadata();
    const second = await client.metadata();
    assert.equal(second, first);
    assert.equal(metadataRequests(server).length, 1);
  });

  test("each client has its own cache", async (t) => {
    const server = await metadataServer(() => ({ status: 200, body: V4_EDMX }));
    t.after(() => server.close());
    await new ODataClient({ serviceUrl: server.url("svc/"), retry: false }).metadata();
    await new ODataClient({ serviceUrl: server.url("svc/"), retry: false }).metadata();
    assert.equal(metadataRequests(server).length, 2);
  });

  test("a failed fetch is not cached: the next call asks again and succeeds", async (t) => {
    const server = await metadataServer((n) => (n === 1 ? { status: 503, body: "<error/>" } : { status: 200, body: V4_EDMX }));
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
    await assert.rejects(client.metadata(), (error: unknown) => error instanceof ODataHttpError && error.status === 503);
    const model = await client.metadata();
    assert.equal(model.entitySet("Books")?.entityType, "Shop.Model.Book");
    assert.equal(metadataRequests(server).length, 2);
  });

  test("metadata that does not parse rejects with BAD_METADATA naming the URL, and is not cached", async (t) => {
    const server = await metadataServer((n) => ({ status: 200, body: n === 1 ? "<edmx:Edmx" : V4_EDMX }));
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
    await assert.rejects(client.metadata(), (error: unknown) => {
      assert.ok(error instanceof ODataClientError);
      assert.equal(error.code, "BAD_METADATA");
      assert.match(error.message, /GET http:\/\/127\.0\.0\.1:\d+\/svc\/\$metadata: .*not well-formed/);
      return true;
    });
    await client.metadata();
    assert.equal(metadataRequests(server).length, 2);
  });

  test("one caller's abort rejects that caller only; the shared request goes on for the others", async (t) => {
    const server = await metadataServer(() => ({ status: 200, body: V4_EDMX, delay: 100 }));
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
    const controller = new AbortController();
    const aborted = client.metadata({ signal: controller.signal });
    const waiting = client.metadata();
    controller.abort(new Error("caller gave up"));
    await assert.rejects(aborted, /caller gave up/);
    assert.equal((await waiting).entityContainer, "Shop.Model.Default");
    assert.equal(metadataRequests(server).length, 1);
  });

  test("when every waiting caller has aborted, the request is cancelled and the next call asks again", async (t) => {
    const server = await metadataServer((n) => ({ status: 200, body: V4_EDMX, delay: n === 1 ? 200 : 0 }));
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
    const controller = new AbortController();
    const first = client.metadata({ signal: controller.signal });
    const second = client.metadata({ signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 30));
    controller.abort(new Error("both gave up"));
    await assert.rejects(first, /both gave up/);
    await assert.rejects(second, /both gave up/);
    const model = await client.metadata();
    assert.equal(model.entityContainer, "Shop.Model.Default");
    assert.equal(metadataRequests(server).length, 2);
  });

  test("a v2 client reads v2 $metadata without a version header", async (t) => {
    const server = await metadataServer(() => ({ status: 200, body: V2_EDMX }));
    t.after(() => server.close());
    const model = await new ODataClient({ serviceUrl: server.url("svc/"), version: "2.0", retry: false }).metadata();
    assert.equal(model.odataVersion, "2.0");
    assert.equal(metadataRequests(server)[0]?.headers.maxdataserviceversion, undefined);
  });
});

// --- CAP -------------------------------------------------------------------------------------

describe("CAP's $metadata", () => {
  let cap: CapServer;
  before(async () => {
    cap = await startCap();
  });
  after(() => cap.stop());

  test("v4 EDMX: entity sets, keys, bindings, bound operations and CAP's annotations", async () => {
    const model = await new ODataClient({ serviceUrl: cap.v4 }).metadata();
    assert.equal(model.odataVersion, "4.0");
    assert.equal(model.entityContainer, "CatalogService.EntityContainer");
    assert.deepEqual(model.keyOf(model.entityTypeOf("Pairs")).map((k) => k.name), ["A", "B"]);
    assert.deepEqual(model.entitySet("Books")?.navigationPropertyBindings, [
      { path: "author", target: "Authors" },
      { path: "reviews", target: "Reviews" },
    ]);
    const books = model.entityTypeOf("Books");
    assert.deepEqual(
      books.navigationProperties.find((n) => n.name === "author")?.referentialConstraints,
      [{ property: "author_ID", referencedProperty: "ID" }],
    );
    assert.ok(model.boundOperations(books).some((o) => o.name === "order" && o.kind === "Action"));
    const createdAt = books.properties.find((p) => p.name === "createdAt")!;
    assert.equal(model.annotation(createdAt, "Core.Computed"), true);
    assert.equal(model.annotation(createdAt, "Core.Immutable"), true);
    assert.deepEqual(model.annotation(model.entitySet("BooksPaged")!, "Capabilities.InsertRestrictions"), {
      "@type": "Org.OData.Capabilities.V1.InsertRestrictionsType",
      Insertable: false,
    });
    // CAP declares Core.OptimisticConcurrency on Books, with an empty list of paths.
    assert.deepEqual(model.annotation(model.entitySet("Books")!, "Core.OptimisticConcurrency"), []);
    assert.equal(model.functionImport("countBooks")?.function, "CatalogService.countBooks");
  });

  test("v4 CSDL JSON ($metadata?$format=json) reads into the same types, container and operations as the EDMX", async () => {
    const response = await fetch(`${cap.v4}$metadata?$format=json`);
    assert.match(response.headers.get("content-type") ?? "", /application\/json/);
    const json = parseMetadata(await response.text());
    const xml = await new ODataClient({ serviceUrl: cap.v4 }).metadata();
    assert.equal(json.format, "csdl-json");
    const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value).replace(/"@type":"[^"]*",?/g, ""));
    const [fromJson, fromXml] = [json.schemas[0]!, xml.schemas[0]!];
    assert.deepEqual(plain(fromJson.entityTypes), plain(fromXml.entityTypes));
    assert.deepEqual(plain(fromJson.complexTypes), plain(fromXml.complexTypes));
    assert.deepEqual(plain(fromJson.entityContainer), plain(fromXml.entityContainer));
    // Operations match in everything but the nullability of collection return types, which CAP
    // leaves unsaid in both forms, and the two formats default differently (XML true, JSON false).
    const signature = (operations: ServiceModel["schemas"][number]["actions"]) =>
      operations.map((o) => [o.kind, o.name, o.bound, o.parameters.map((p) => `${p.name}:${p.type}`), o.returnType?.type, o.returnType?.collection]);
    assert.deepEqual(signature(fromJson.actions), signature(fromXml.actions));
    assert.deepEqual(signature(fromJson.functions), signature(fromXml.functions));
  });

  test("v2 through the adapter: associations, association sets, function imports and the ETag property", async () => {
    // The adapter answers 500 to `$metadata` when Accept-Language is "*" (what Node's fetch sends
    // by default), so the client names a language, as a browser would.
    const client = new ODataClient({ serviceUrl: cap.v2.replace("127.0.0.1", "localhost"), version: "2.0", headers: { "accept-language": "en" } });
    const model = await client.metadata();
    assert.equal(model.odataVersion, "2.0");
    const books = model.entityTypeOf("Books");
    const author = books.navigationProperties.find((n) => n.name === "author")!;
    assert.deepEqual([author.type, author.collection, author.partner], ["CatalogService.Authors", false, "books"]);
    assert.deepEqual(author.referentialConstraints, [{ property: "author_ID", referencedProperty: "ID" }]);
    assert.deepEqual(model.entitySet("Authors")?.navigationPropertyBindings, [{ path: "books", target: "Books" }]);
    assert.equal(model.functionImport("countBooks")?.httpMethod, "GET");
    assert.equal(model.actionImport("submitOrder")?.httpMethod, "POST");
    assert.deepEqual(model.functions("CatalogService.countBooks")[0]?.returnType, { type: "Edm.Int32", collection: false, nullable: true });
    assert.deepEqual(model.etagProperties("Books"), ["modifiedAt"]);
  });
});
