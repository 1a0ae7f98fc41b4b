// The service model from `$metadata`: OData v4 EDMX, OData v2 EDMX (associations, function
// imports, sap: attributes) and CSDL JSON read into one model; malformed documents rejected with
// BAD_METADATA; CAP's real documents (v4 XML, v4 CSDL JSON, v2 through the adapter); and
// client.metadata() fetching once per client, observed on the wire.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { ODataClient, ODataClientError, ODataHttpError, ServiceModel, parseMetadata, type EntityType, type ServiceModelData } from "../src/index.js";
import { parseXml, textContent } from "../src/payload/xml.js";
import { startCap, type CapServer } from "./servers/cap.js";
import { sendText, startServer, type RecordingServer } from "./servers/recording-server.js";
import { GRAPH_V1_SHAPE, graphShapedMetadata } from "../bench/metadata-document.js";
import { generate } from "../src/codegen/index.js";
import { CATALOG_EDMX, SALES_EDMX } from "./metadata-documents.js";
import { eventually } from "./async-poller-fixtures.js";
import { badMetadata, CSDL_JSON, SAP_V2_EDMX, V1_EDMX, V2_EDMX, V3_EDMX, V4_EDMX } from "./metadata-samples.js";

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
      NonInsertableNavigationProperties: ["Author"],
    });
    assert.deepEqual(model.annotation(books, "Capabilities.FilterRestrictions"), {
      "@type": "Org.OData.Capabilities.V1.FilterRestrictionsType",
      NonFilterableProperties: ["Tags"],
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

  test("FunctionImports with m:HttpMethod GET become functions, other methods actions, each with its import", () => {
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
    // Without m:HttpMethod it is no service operation but a v3-style one, side-effecting by default.
    assert.deepEqual(model.actionImport("TotalOf"), { kind: "ActionImport", name: "TotalOf", action: "ZSALES_SRV.TotalOf", annotations: {} });
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
    assert.deepEqual(model.annotation(set, "Capabilities.FilterRestrictions"), { NonFilterableProperties: ["Note"] });
    assert.deepEqual(model.annotation(set, "Capabilities.SortRestrictions"), { NonSortableProperties: ["Note"] });
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

// --- SAP Gateway v2 references (v4 EDMX namespace redeclared on edmx:Reference) ----------------

describe("SAP Gateway v2 document whose edmx:Reference elements rebind the edmx prefix to v4", () => {
  const model = parseMetadata(SAP_V2_EDMX);
  const travel = mustExist(model.entitySet("Travel"), "Travel");

  test("the references and their includes are read, aliases included", () => {
    assert.deepEqual(
      model.references.map((r) => r.includes),
      [
        [
          { namespace: "com.sap.vocabularies.Common.v1", alias: "Common" },
          { namespace: "com.sap.vocabularies.Common.v1", alias: "SAP__common" },
        ],
        [{ namespace: "Org.OData.Core.V1", alias: "SAP__core" }],
      ],
    );
    assert.match(model.references[1]!.uri, /VOC_CORE/);
  });

  test("terms written under the include aliases are stored with the namespace and found by the standard alias", () => {
    assert.deepEqual(Object.keys(travel.annotations), ["Org.OData.Core.V1.OptimisticConcurrency"]);
    assert.deepEqual(model.annotation(travel, "Core.OptimisticConcurrency"), []);
    const status = model.entityType("ZTRAVEL_SRV.TravelType")!.properties.find((p) => p.name === "Status")!;
    assert.equal(model.annotation(status, "Common.Label"), "Travel status");
    assert.equal(model.annotation(status, "com.sap.vocabularies.Common.v1.ValueListWithFixedValues"), true);
  });

  test("an empty Core.OptimisticConcurrency leaves the ETag to the ConcurrencyMode=Fixed properties", () => {
    assert.deepEqual(model.etagProperties(travel), ["ChangedAt"]);
  });

  test("a prefix rebound on an element applies to that element and its children only", () => {
    const root = parseXml('<a:r xmlns:a="urn:one"><a:s xmlns:a="urn:two"><a:t/></a:s><a:u/></a:r>');
    const [s, u] = root.children as [ReturnType<typeof parseXml>, ReturnType<typeof parseXml>];
    assert.deepEqual([root.namespace, s.namespace, (s.children[0] as typeof s).namespace, u.namespace], ["urn:one", "urn:two", "urn:two", "urn:one"]);
  });
});

// --- CSDL v3 function imports ----------------------------------------------------------------

describe("CSDL 3.0 function imports", () => {
  const model = parseMetadata(V3_EDMX);

  test("one without m:HttpMethod and without IsSideEffecting is side-effecting: an action with an action import", () => {
    assert.equal(model.functionImport("Recalculate"), undefined);
    assert.deepEqual(model.actionImport("Recalculate"), { kind: "ActionImport", name: "Recalculate", action: "Store.Recalculate", annotations: {} });
    assert.deepEqual(
      model.actions("Store.Recalculate").map((a) => [a.kind, a.bound, a.returnType?.type]),
      [["Action", false, "Edm.Int32"]],
    );
  });

  test("IsSideEffecting=false makes a function; overloads share one function import", () => {
    assert.deepEqual(
      model.functions("Store.TopOrders").map((f) => [f.bound, f.composable, f.parameters.map((p) => p.name)]),
      [
        [false, true, ["count"]],
        [false, false, ["count", "since"]],
      ],
    );
    assert.deepEqual(model.container()!.functionImports.map((i) => [i.name, i.function, i.entitySet]), [["TopOrders", "Store.TopOrders", "Orders"], ["LegacyCount", "Store.LegacyCount", undefined]]);
  });

  test("IsBindable makes the operation bound to its first parameter, with no import in the container", () => {
    assert.equal(model.actionImport("Approve"), undefined);
    assert.equal(model.functionImport("Discount"), undefined);
    assert.deepEqual(
      model.boundOperations("Store.Order").map((o) => `${o.kind} ${o.name}(${o.parameters.map((p) => p.name).join(",")})`),
      ["Action Approve(order,note)", "Function Discount(order)"],
    );
    assert.deepEqual(model.boundOperations("Store.Order", { collection: true }).map((o) => o.name), ["ArchiveAll"]);
    assert.deepEqual(model.functions("Store.Discount")[0]?.returnType, { type: "Edm.Decimal", collection: false, nullable: true, precision: 12, scale: 2 });
  });

  test("service operations (m:HttpMethod) stay what the method says, with their method", () => {
    assert.equal(model.functionImport("LegacyCount")?.httpMethod, "GET");
    assert.equal(model.actionImport("LegacyPurge")?.httpMethod, "POST");
    assert.equal(model.actions("Store.LegacyPurge")[0]?.bound, false);
  });
});

// --- navigation property binding targets -----------------------------------------------------

describe("navigation property binding targets", () => {
  const model = parseMetadata(CATALOG_EDMX);

  test("a target in the same container is the set's name, however the document wrote it; another container's stays qualified", () => {
    assert.deepEqual(model.entitySet("Products")?.navigationPropertyBindings, [
      { path: "Category", target: "Categories" },
      { path: "Supplier", target: "Suppliers" },
      { path: "Related", target: "Products" },
      { path: "Stored", target: "Example.Warehouse.Stores/Bins" },
      { path: "Shipping/Region", target: "Regions" },
      { path: "Example.Catalog.DigitalProduct/Related/Example.Catalog.DigitalProduct", target: "Products" },
    ]);
    assert.deepEqual(model.entitySet("Suppliers")?.navigationPropertyBindings, [{ path: "Address/Region", target: "Regions" }]);
    assert.deepEqual(model.singleton("Bestseller")?.navigationPropertyBindings, [{ path: "Category", target: "Categories" }]);
  });

  test("the entity sets of action and function imports follow the same rule", () => {
    assert.equal(model.actionImport("RestockBySku")?.entitySet, "Products");
    assert.equal(model.functionImport("Search")?.entitySet, "Products");
    assert.equal(model.functionImport("SearchElsewhere")?.entitySet, "Example.Warehouse.Stores/Products");
  });

  test("CSDL JSON targets are normalised the same way", () => {
    const json = structuredClone(CSDL_JSON) as unknown as Record<string, Record<string, Record<string, Record<string, unknown>>>>;
    json["Shop.Model"]!["Default"]!["Books"]!["$NavigationPropertyBinding"] = { Author: "Shop.Default/Authors", "Shop.Book/Author": "Shop.Model.Default/Authors", Other: "Shop.Elsewhere/Authors" };
    assert.deepEqual(parseMetadata(json).entitySet("Books")?.navigationPropertyBindings, [
      { path: "Author", target: "Authors" },
      { path: "Shop.Model.Book/Author", target: "Authors" },
      { path: "Other", target: "Shop.Model.Elsewhere/Authors" },
    ]);
  });
});

// --- annotation values -----------------------------------------------------------------------

describe("annotation values read from EDMX", () => {
  const model = parseMetadata(CATALOG_EDMX);
  const product = mustExist(model.entityType("Example.Catalog.Product"), "Product");
  const value = (term: string) => model.annotation(product, term);

  test("a Qualifier on an Annotations block qualifies each of its terms", () => {
    assert.equal(value("Core.Description#Tablet"), "Product on a tablet");
    assert.deepEqual(value("Capabilities.SearchRestrictions#Tablet"), { Searchable: false });
    assert.equal(value("Capabilities.SearchRestrictions"), undefined);
  });

  test("string values are kept exactly, white space and line breaks included", () => {
    assert.equal(value("Core.Description"), "A product\n  on two lines, kept as written  ");
    const example = value("Core.Example") as Record<string, unknown>;
    assert.equal(example["String"], "  spaced  ");
    assert.equal(example["StringElement"], "\n    indented text\n  ");
    assert.equal(example["StringEmpty"], "");
    assert.equal(example["StringEscaped"], 'a <b> & "c" \u263A');
  });

  test("line ends in strings become LF: CR LF written literally or as character references", () => {
    assert.equal(value("Core.LongDescription"), "line one\nline two\nline three");
    const crlf = parseMetadata(CATALOG_EDMX.replace("<String>A product\n  on two lines", "<String>A product\r\n  on two lines"));
    assert.equal(crlf.annotation(crlf.entityType("Example.Catalog.Product")!, "Core.Description"), "A product\n  on two lines, kept as written  ");
  });

  test("the XML reader keeps character references in attributes and normalises literal line ends (XML 1.0 §2.11, §3.3.3)", () => {
    const root = parseXml('<a b="one&#xD;&#xA;two&#9;three" c="x\r\ny\tz">p\r\nq\rr&#xD;</a>');
    assert.deepEqual(root.attributes.map((a) => a.value), ["one\r\ntwo\tthree", "x y z"]);
    assert.equal(textContent(root), "p\nq\nr\r");
  });

  test("UrlRef in attribute and element notation", () => {
    assert.deepEqual(value("Core.Description#url"), { $UrlRef: "https://example.org/products/help" });
    assert.deepEqual(value("Core.Description#urlElement"), {
      $UrlRef: {
        $Apply: [
          "https://example.org/products/{id}/help",
          { $LabeledElement: { $Apply: [{ $Path: "ID" }], $Function: "odata.uriEncode" }, $Name: "id" },
        ],
        $Function: "odata.fillUriTemplate",
      },
    });
  });

  test("LabeledElement (attribute and element notation) and LabeledElementReference", () => {
    assert.deepEqual(value("Core.Description#labeled"), { $LabeledElement: { $Path: "Name" }, $Name: "ProductName" });
    assert.deepEqual(value("Core.Description#labeledElement"), {
      $LabeledElement: { $Apply: ["P-", { $Path: "Code" }], $Function: "odata.concat" },
      $Name: "ProductCode",
    });
    assert.deepEqual(value("Core.Description#reference"), { $LabeledElementReference: "Example.Catalog.ProductName" });
  });

  test("annotations inside Null, Eq, If, Apply, Cast, IsOf and Not are kept as @Term members", () => {
    const description = "@Org.OData.Core.V1.Description";
    assert.equal(value("Core.Description#null"), null);
    assert.deepEqual(value("Core.Description#annotatedNull"), { $Null: null, [description]: "Not told" });
    assert.deepEqual(value("Core.Description#match"), {
      $Apply: [{ $Path: "Name" }, "^[A-Z]"],
      $Function: "odata.matchesPattern",
      [description]: "Names start with a capital",
    });
    assert.deepEqual(value("Core.Description#nested"), {
      $If: [
        { $Eq: [{ $Path: "Color" }, "Red"], [description]: "inside Eq" },
        { $Cast: "red", $Type: "Edm.String", [description]: "inside Cast" },
        { $Not: true, [description]: "inside Not" },
      ],
      [description]: "inside If",
    });
    assert.deepEqual(value("Core.Description#isOf"), { $IsOf: { $Path: "Related" }, $Type: "Example.Catalog.Product", $Collection: true, [description]: "inside IsOf" });
  });

  test("annotations inside LabeledElement and UrlRef are kept too", () => {
    const text = CATALOG_EDMX.replace(
      '<LabeledElement Name="ProductName" Path="Name"/>',
      '<LabeledElement Name="ProductName" Path="Name"><Annotation Term="Core.Description" String="label"/></LabeledElement>',
    ).replace(
      '<UrlRef>\n',
      '<UrlRef>\n<Annotation Term="Core.Description" String="url"/>\n',
    );
    const again = parseMetadata(text);
    const at = (term: string) => again.annotation(again.entityType("Example.Catalog.Product")!, term) as Record<string, unknown>;
    assert.equal(at("Core.Description#labeled")["@Org.OData.Core.V1.Description"], "label");
    assert.equal(at("Core.Description#urlElement")["@Org.OData.Core.V1.Description"], "url");
  });

  test("every operator takes its CSDL JSON shape: two operands in an array, Not and Neg one operand", () => {
    assert.deepEqual(value("Core.Operators#logic"), [
      { $And: [{ $Path: "Active" }, { $Not: { $Path: "Discontinued" } }] },
      { $Or: [{ $Path: "Active" }, false] },
      { $Eq: [null, { $Path: "Name" }] },
      { $Ne: [{ $Path: "Name" }, "x"] },
      { $Gt: [{ $Path: "Price" }, 20] },
      { $Ge: [{ $Path: "Price" }, 10.5] },
      { $Lt: [{ $Path: "Stock" }, 5] },
      { $Le: [{ $Path: "Stock" }, 100] },
      { $Has: [{ $Path: "Access" }, { $Cast: "Read", $Type: "Example.Catalog.Access" }] },
      { $In: [{ $Path: "Currency" }, ["EUR", "USD"]] },
    ]);
    assert.deepEqual(value("Core.Operators#arithmetic"), [
      { $Add: [{ $Path: "Price" }, { $Path: "Exact" }] },
      { $Sub: [{ $Path: "Price" }, 1] },
      { $Neg: { $Path: "Price" } },
      { $Mul: [{ $Path: "Price" }, 1.19] },
      { $Div: [{ $Path: "Stock" }, 12] },
      { $DivBy: [{ $Path: "Stock" }, 12] },
      { $Mod: [{ $Path: "Stock" }, 12] },
    ]);
    assert.deepEqual(value("Core.Computed#dynamic"), {
      $If: [
        { $IsOf: { $Path: "$It" }, $Type: "Example.Catalog.DigitalProduct" },
        { $Cast: { $Path: "Price" }, $Type: "Edm.Decimal", $Precision: 10, $Scale: 2 },
        { $Cast: { $Path: "Tags" }, $Type: "Edm.String", $Collection: true, $MaxLength: 10 },
      ],
    });
  });

  test("records keep their type, their own annotations and those of their property values; If without else in a collection", () => {
    assert.deepEqual(value("Core.Description#records"), [
      {
        "@type": "Example.Catalog.Address",
        "@Org.OData.Core.V1.Description": "on the record",
        City: "Walldorf",
        "City@Org.OData.Core.V1.Description": "on the property value",
        Street: null,
      },
      { "@type": "Example.Catalog.Address" },
      {},
      { $If: [{ $Path: "Active" }, "only when active"] },
    ]);
  });
});

// --- the same model from XML and from JSON ---------------------------------------------------

describe("one service, the same model from its XML and its CSDL JSON", () => {
  test("Scale: XML without it means 0, CSDL JSON without it means variable; variable and floating read alike", () => {
    const xml = parseMetadata(CATALOG_EDMX);
    const product = xml.entityType("Example.Catalog.Product")!;
    const scaleOf = (name: string) => product.properties.find((p) => p.name === name)?.scale;
    assert.deepEqual([scaleOf("Price"), scaleOf("Discount"), scaleOf("Weight"), scaleOf("Exact"), scaleOf("Name")], [0, "variable", "floating", 4, undefined]);
    assert.deepEqual(xml.schemas[0]!.typeDefinitions.map((t) => [t.name, t.scale]), [["Sku", undefined], ["Money", 0], ["Share", "variable"], ["Measurement", "floating"], ["Checksum", undefined]]);
    assert.equal(xml.actions("Example.Catalog.Restock")[1]?.parameters[2]?.scale, 0);
    const json = parseMetadata({
      $Version: "4.01",
      Ns: { T: { $Kind: "ComplexType", A: { $Type: "Edm.Decimal" }, B: { $Type: "Edm.Decimal", $Scale: 0 }, C: { $Type: "Edm.Decimal", $Scale: "Floating" }, D: {} } },
    });
    assert.deepEqual(json.complexType("Ns.T")!.properties.map((p) => p.scale), ["variable", 0, "floating", undefined]);
  });

  test("a temporal value without Precision has precision 0 in XML; facets that only repeat a default are left out", () => {
    const xml = parseMetadata(CATALOG_EDMX);
    const resource = xml.entityType("Example.Catalog.Resource")!;
    assert.deepEqual(resource.properties.map((p) => p.precision), [undefined, 0, 7]);
    const unicodeTrue = parseMetadata(V4_EDMX.replace('Unicode="false"', 'Unicode="true"'));
    assert.equal(Object.hasOwn(unicodeTrue.typeDefinition("Shop.Isbn")!, "unicode"), false);
  });

  test("model paths are strings, value paths { $Path } with aliases resolved; large Int and long Decimal values are numbers in both", () => {
    const xml = parseMetadata(CATALOG_EDMX);
    const product = xml.entityType("Example.Catalog.Product")!;
    const links = xml.annotation(product, "Core.Links#paths") as Record<string, unknown>;
    assert.deepEqual(links, {
      AnnotationPath: "Category/@Core.Description",
      AnnotationPathElement: "@Cap.InsertRestrictions",
      ModelElementPath: "/self.Container/Products",
      ModelElementPathElement: "/self.Restock",
      NavigationPropertyPath: "Category",
      NavigationPropertyPathElement: "self.DigitalProduct/Files",
      PropertyPath: "Name",
      PropertyPathElement: "Shipping/City",
      Path: { $Path: "Name" },
      PathCast: { $Path: "Example.Catalog.DigitalProduct/DownloadSize" },
      PathTerm: { $Path: "Example.Catalog.DigitalProduct/@Org.OData.Core.V1.Description" },
      PathElement: { $Path: "Category/Name" },
    });
    const example = xml.annotation(product, "Core.Example") as Record<string, unknown>;
    assert.equal(example["IntLarge"], 9007199254740992);
    assert.equal(example["DecimalLong"], 12345678901234567000);
    assert.equal(example["DecimalExponent"], 100000);
    assert.deepEqual([example["FloatElement"], example["FloatNaN"], example["DecimalElement"]], ["INF", "NaN", -0.5]);
    assert.deepEqual(xml.etagProperties("Products"), ["ChangedAt"]);
  });

  test("records' types read the same from @type and from CSDL JSON 4.0's @odata.type", () => {
    const json = parseMetadata({
      $Version: "4.0",
      $Reference: { "https://example.org/ui": { $Include: [{ $Namespace: "com.sap.vocabularies.UI.v1", $Alias: "X" }] } },
      Ns: { T: { $Kind: "ComplexType", "@UI.Identification": [{ "@odata.type": "https://example.org/ui#X.DataField", Value: { $Path: "a" } }, { "@type": "#X.DataField" }] } },
    });
    assert.deepEqual(json.annotation(json.complexType("Ns.T")!, "UI.Identification"), [
      { "@type": "com.sap.vocabularies.UI.v1.DataField", Value: { $Path: "a" } },
      { "@type": "com.sap.vocabularies.UI.v1.DataField" },
    ]);
  });

  for (const [name, xml] of [["the 4.01 catalogue", CATALOG_EDMX], ["the 4.0 SAP-style sales service", SALES_EDMX]] as const) {
    test(`${name}: parseMetadata(xml) equals parseMetadata(its CSDL JSON from the OASIS converter)`, () => {
      const { json, messages } = convertToCsdlJson(xml);
      assert.deepEqual(messages, []);
      const fromXml = comparable(parseMetadata(xml));
      const fromJson = comparable(parseMetadata(JSON.stringify(json)));
      // The converter points references to the OASIS and SAP vocabularies at their JSON form.
      for (const reference of fromXml.references) reference.uri = reference.uri.replace(/^(https:\/\/(?:oasis-tcs|sap)\.github\.io\/odata-vocabularies\/vocabularies\/.*)\.xml$/, "$1.json");
      assert.deepEqual(fromJson, fromXml);
    });
  }
});

describe("the bench's Graph-shaped document", () => {
  test("reads into Microsoft Graph v1.0's counts of types, members, properties and operations, at about its size", () => {
    const xml = graphShapedMetadata();
    assert.ok(xml.length > 3.2e6 && xml.length < 3.7e6, `${xml.length} characters`);
    const model = parseMetadata(xml);
    const total = (pick: (schema: ServiceModel["schemas"][number]) => number) => model.schemas.reduce((sum, schema) => sum + pick(schema), 0);
    assert.deepEqual(
      {
        schemas: model.schemas.length,
        enumTypes: total((s) => s.enumTypes.length),
        enumMembers: total((s) => s.enumTypes.reduce((n, t) => n + t.members.length, 0)),
        entityTypes: total((s) => s.entityTypes.length),
        complexTypes: total((s) => s.complexTypes.length),
        properties: total((s) => [...s.entityTypes, ...s.complexTypes].reduce((n, t) => n + t.properties.length, 0)),
        navigationProperties: total((s) => s.entityTypes.reduce((n, t) => n + t.navigationProperties.length, 0)),
        actions: total((s) => s.actions.filter((a) => a.bound).length),
        functions: total((s) => s.functions.filter((f) => f.bound).length),
        entitySets: model.container()!.entitySets.length,
        singletons: model.container()!.singletons.length,
      },
      {
        schemas: GRAPH_V1_SHAPE.extraSchemas + 1,
        enumTypes: GRAPH_V1_SHAPE.enumTypes,
        enumMembers: GRAPH_V1_SHAPE.enumMembers,
        entityTypes: GRAPH_V1_SHAPE.entityTypes,
        complexTypes: GRAPH_V1_SHAPE.complexTypes,
        properties: GRAPH_V1_SHAPE.properties,
        navigationProperties: GRAPH_V1_SHAPE.navigationProperties,
        actions: GRAPH_V1_SHAPE.actions,
        functions: GRAPH_V1_SHAPE.functions,
        entitySets: GRAPH_V1_SHAPE.entitySets,
        singletons: GRAPH_V1_SHAPE.singletons,
      },
    );
    const described = total((s) => [...s.entityTypes, ...s.complexTypes].reduce((n, t) => n + t.properties.filter((p) => p.annotations["Org.OData.Core.V1.Description"] !== undefined).length, 0));
    assert.ok(described > 3000, `${described} described properties`);
    assert.equal(graphShapedMetadata(), xml, "the same document on every run");
  });

  test("names no type as its own base, so the generator (the codegen bench's Graph section) takes it", () => {
    const model = parseMetadata(graphShapedMetadata());
    const selfBased = model.schemas.flatMap((s) => s.complexTypes.filter((t) => t.baseType === `${s.namespace}.${t.name}`).map((t) => t.name));
    assert.deepEqual(selfBased, []);
    const withBase = model.schemas.reduce((n, s) => n + s.complexTypes.filter((t) => t.baseType !== undefined).length, 0);
    assert.ok(withBase > 50, `${withBase} complex types with a base type`);
    const files = generate(model, {});
    assert.ok(Object.keys(files).length > 0, "the generator wrote its files");
  });
});

/** The CSDL JSON the OASIS reference converter (npm `odata-csdl`) makes of an EDMX document. */
function convertToCsdlJson(xml: string): { json: unknown; messages: unknown[] } {
  const { xml2json } = createRequire(import.meta.url)("odata-csdl") as { xml2json: (xml: string, options: { messages: unknown[] }) => unknown };
  const messages: unknown[] = [];
  return { json: xml2json(xml, { messages }), messages };
}

/** The model's plain data without the one member that names the form it was read from. */
function comparable(model: ServiceModel): Omit<ServiceModelData, "format"> {
  const { format: _format, ...rest } = JSON.parse(JSON.stringify(model)) as ServiceModelData;
  return rest;
}

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

  test("an enumeration member's value must be an integer its underlying type holds, in EDMX and CSDL JSON alike", () => {
    const edmx = (underlying: string, members: string) =>
      `<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="S" xmlns="http://docs.oasis-open.org/odata/ns/edm"><EnumType Name="E"${underlying ? ` UnderlyingType="${underlying}"` : ""}>${members}</EnumType></Schema></edmx:DataServices></edmx:Edmx>`;
    const json = (underlying: string, members: Record<string, unknown>) =>
      JSON.stringify({ $Version: "4.01", S: { E: { $Kind: "EnumType", ...(underlying ? { $UnderlyingType: underlying } : {}), ...members } } });
    const valuesOf = (text: string) => parseMetadata(text).enumType("S.E")?.members.map((member) => member.value);
    // What each type's width holds, read signed or unsigned (flag bits written unsigned, such as
    // 2147483648 for an Int32's highest), at its ends; Int64's ends as the nearest numbers.
    const fitting: [string, number[]][] = [
      ["Edm.Byte", [-128, 0, 255]],
      ["Edm.SByte", [-128, 127, 255]],
      ["Edm.Int16", [-32768, 32767, 65535]],
      ["", [-(2 ** 31), 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1]],
      ["Edm.Int64", [-(2 ** 63), 2 ** 63, 2 ** 64]],
    ];
    for (const [underlying, values] of fitting) {
      const written = values.map((value) => (value === 2 ** 64 ? "18446744073709551615" : value === -(2 ** 63) ? "-9223372036854775808" : BigInt(value).toString()));
      assert.deepEqual(valuesOf(edmx(underlying, written.map((value, i) => `<Member Name="M${i}" Value="${value}"/>`).join(""))), values, `EDMX ${underlying}`);
      assert.deepEqual(valuesOf(json(underlying, Object.fromEntries(values.map((value, i) => [`M${i}`, value])))), values, `JSON ${underlying}`);
    }
    const beyond: [string, number][] = [
      ["Edm.Byte", 256],
      ["Edm.Byte", -129],
      ["Edm.SByte", 256],
      ["Edm.Int16", -32769],
      ["Edm.Int16", 65536],
      ["", 2 ** 32],
      ["Edm.Int32", 2 ** 40],
      ["Edm.Int64", 1e20],
      ["Edm.Int64", 1e300],
    ];
    for (const [underlying, value] of beyond) {
      const type = underlying || "Edm.Int32";
      const text = value === 1e300 ? "1" + "0".repeat(300) : BigInt(value).toString();
      assert.match(badMetadata(() => parseMetadata(edmx(underlying, `<Member Name="A" Value="${text}"/>`))).message, new RegExp(`<Member Name="A">.* has Value="${text.slice(0, 40)}.*", which its enumeration's ${type} does not hold`), `EDMX ${type} ${value}`);
      assert.match(badMetadata(() => parseMetadata(json(underlying, { A: value }))).message, new RegExp(`\\$\\["S"\\]\\["E"\\]\\["A"\\] is .*, which its enumeration's ${type} does not hold`), `JSON ${type} ${value}`);
    }
    // A member without a value follows the one before it, and must fit too.
    assert.match(
      badMetadata(() => parseMetadata(edmx("Edm.Byte", '<Member Name="Last" Value="255"/><Member Name="Next"/>'))).message,
      /<Member Name="Next">.* has the value 256 that follows the member before it, which its enumeration's Edm\.Byte does not hold/,
    );
    // Value is an integer as XML Schema writes one: not empty, no exponent, no hexadecimal, no fraction.
    for (const value of ["", " ", "1e3", "0x10", "1.0", "+-1", "Infinity"]) {
      assert.match(badMetadata(() => parseMetadata(edmx("", `<Member Name="A" Value="${value}"/>`))).message, /<Member Name="A">.* has Value=".*", which is not an integer/, JSON.stringify(value));
    }
    assert.deepEqual(valuesOf(edmx("", '<Member Name="A" Value=" +7 "/><Member Name="B" Value="-3"/>')), [7, -3]);
    // An underlying type that is none of the five (a name an object has, too) is kept, its values held to exact integers.
    for (const odd of ["toString", "__proto__", "Edm.String"]) {
      assert.deepEqual(valuesOf(edmx(odd, '<Member Name="A" Value="5"/>')), [5], odd);
      assert.deepEqual(valuesOf(json(odd, { A: 5 })), [5], odd);
      assert.equal(parseMetadata(edmx(odd, '<Member Name="A" Value="5"/>')).enumType("S.E")?.underlyingType, odd);
    }
    assert.match(badMetadata(() => parseMetadata(json("", { A: 1.5 }))).message, /\$\["S"\]\["E"\]\["A"\] is 1\.5, not an integer/);
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
    const server = await metadataServer((n) => ({ status: 200, body: V4_EDMX, delay: n === 1 ? 2_000 : 0 }));
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
    const controller = new AbortController();
    const first = client.metadata({ signal: controller.signal });
    const second = client.metadata({ signal: controller.signal });
    // Aborted while the shared request is on the wire (the server holds its answer back).
    await eventually(() => metadataRequests(server).length === 1, "the shared $metadata request", 10_000);
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
