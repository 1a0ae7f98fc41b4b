// An entity container that extends another (`Extends`, OData CSDL 4.01 §13.1.2) has the entity
// sets, singletons and imports of the one it extends as well as its own: the model lists them
// after its own, and the lookups find them, in EDMX and CSDL JSON alike. A base container the
// document should declare and does not, and a chain of Extends that runs in a circle, are refused
// with BAD_METADATA naming the container.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataClientError, ServiceModel, parseMetadata } from "../src/index.js";
import { badMetadata } from "./metadata-samples.js";
import { startServer } from "./servers/recording-server.js";

const EDM = 'xmlns="http://docs.oasis-open.org/odata/ns/edm"';

/** A v4 document with the schemas `schemas` and the references `references`. */
function edmx(schemas: string, references = ""): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">${references}
  <edmx:DataServices>${schemas}
  </edmx:DataServices>
</edmx:Edmx>`;
}

const TYPES = `
    <Schema Namespace="Types" Alias="T" ${EDM}>
      <EntityType Name="Order"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/></EntityType>
      <EntityType Name="RushOrder" BaseType="Types.Order"/>
      <EntityType Name="Customer"><Key><PropertyRef Name="Code"/></Key><Property Name="Code" Type="Edm.String" Nullable="false"/></EntityType>
      <Function Name="TopOrders"><ReturnType Type="Collection(Types.Order)"/></Function>
      <Action Name="Reset"/>
    </Schema>`;

/** The service's container (first), extending Base.Core, which extends Deep.Root. */
const SERVICE = edmx(`
    <Schema Namespace="Shop" ${EDM}>
      <EntityContainer Name="Service" Extends="Base.Core">
        <EntitySet Name="Orders" EntityType="T.RushOrder"/>
        <EntitySet Name="Returns" EntityType="T.Order"/>
        <Annotation Term="Org.OData.Core.V1.Description" String="the service"/>
      </EntityContainer>
      <Annotations Target="Shop.Service/Customers"><Annotation Term="Org.OData.Core.V1.Description" String="reached through the extending container"/></Annotations>
    </Schema>
    <Schema Namespace="Base" ${EDM}>
      <EntityContainer Name="Core" Extends="Deep.Root">
        <EntitySet Name="Orders" EntityType="T.Order"/>
        <EntitySet Name="Customers" EntityType="T.Customer"><NavigationPropertyBinding Path="Orders" Target="Orders"/></EntitySet>
        <Singleton Name="Me" Type="T.Customer"/>
        <FunctionImport Name="TopOrders" Function="T.TopOrders" EntitySet="Orders"/>
      </EntityContainer>
    </Schema>
    <Schema Namespace="Deep" ${EDM}>
      <EntityContainer Name="Root">
        <ActionImport Name="Reset" Action="T.Reset"/>
        <EntitySet Name="Archive" EntityType="T.Order"/>
      </EntityContainer>
    </Schema>
${TYPES}`);

/** The same service as CSDL JSON, the base containers first. */
const SERVICE_JSON = {
  $Version: "4.01",
  $EntityContainer: "Shop.Service",
  Deep: {
    Root: { $Kind: "EntityContainer", Reset: { $Action: "Types.Reset" }, Archive: { $Collection: true, $Type: "Types.Order" } },
  },
  Base: {
    Core: {
      $Kind: "EntityContainer",
      $Extends: "Deep.Root",
      Orders: { $Collection: true, $Type: "Types.Order" },
      Customers: { $Collection: true, $Type: "Types.Customer", $NavigationPropertyBinding: { Orders: "Orders" } },
      Me: { $Type: "Types.Customer" },
      TopOrders: { $Function: "Types.TopOrders", $EntitySet: "Orders" },
    },
  },
  Shop: {
    Service: { $Kind: "EntityContainer", $Extends: "Base.Core", Orders: { $Collection: true, $Type: "Types.RushOrder" }, Returns: { $Collection: true, $Type: "Types.Order" } },
  },
  Types: {
    Order: { $Kind: "EntityType", $Key: ["ID"], ID: { $Type: "Edm.Int32" } },
    RushOrder: { $Kind: "EntityType", $BaseType: "Types.Order" },
    Customer: { $Kind: "EntityType", $Key: ["Code"], Code: {} },
    TopOrders: [{ $Kind: "Function", $ReturnType: { $Collection: true, $Type: "Types.Order" } }],
    Reset: [{ $Kind: "Action" }],
  },
};

const names = (items: readonly { name: string }[] | undefined) => (items ?? []).map((item) => item.name);

describe("a container that extends another has its members too", () => {
  test("client.metadata(): the container lists its own members, then those it inherits through two levels of Extends", async (t) => {
    const server = await startServer((_request, res) => {
      res.writeHead(200, { "content-type": "application/xml" });
      res.end(SERVICE);
    });
    t.after(() => server.close());
    const model = await new ODataClient({ serviceUrl: server.url("svc/"), retry: false }).metadata();
    assert.deepEqual(server.requests.map((r) => [r.method, r.path]), [["GET", "/svc/$metadata"]]);
    assert.equal(model.entityContainer, "Shop.Service");
    const container = model.container();
    assert.equal(container?.qualifiedName, "Shop.Service");
    assert.equal(container?.extends, "Base.Core");
    assert.deepEqual(container?.annotations, { "Org.OData.Core.V1.Description": "the service" });
    // Orders of the service redefines the base's Orders (a more derived type): its own one counts.
    assert.deepEqual(names(container?.entitySets), ["Orders", "Returns", "Customers", "Archive"]);
    assert.deepEqual(names(container?.singletons), ["Me"]);
    assert.deepEqual(names(container?.actionImports), ["Reset"]);
    assert.deepEqual(names(container?.functionImports), ["TopOrders"]);
    assert.equal(model.entitySet("Orders")?.entityType, "Types.RushOrder");
    assert.equal(model.entityTypeOf("Customers").name, "Customer");
    assert.deepEqual(model.keyOf(model.entityTypeOf("Archive")), [{ name: "ID", path: "ID" }]);
    assert.equal(model.singleton("Me")?.type, "Types.Customer");
    assert.equal(model.functionImport("TopOrders")?.function, "Types.TopOrders");
    assert.equal(model.actionImport("Reset")?.action, "Types.Reset");
  });

  test("the inherited members are those of the base containers, annotations targeted through the extending container included", () => {
    const model = parseMetadata(SERVICE);
    const core = model.schemas.find((schema) => schema.namespace === "Base")?.entityContainer;
    assert.equal(model.entitySet("Customers"), core?.entitySets[1]);
    assert.deepEqual(model.entitySet("Customers")?.annotations, { "Org.OData.Core.V1.Description": "reached through the extending container" });
    assert.deepEqual(model.schemas[0]?.externalAnnotations, {});
  });

  test("every container of the chain lists what it inherits; the model data holds the lists, so a model rebuilt from it has them", () => {
    const model = parseMetadata(SERVICE);
    const containers = Object.fromEntries(model.schemas.flatMap((schema) => (schema.entityContainer ? [[schema.namespace, schema.entityContainer]] : [])));
    assert.deepEqual(
      ["Shop", "Base", "Deep"].map((namespace) => [namespace, names(containers[namespace]?.entitySets), names(containers[namespace]?.actionImports), containers[namespace]?.extends]),
      [
        ["Shop", ["Orders", "Returns", "Customers", "Archive"], ["Reset"], "Base.Core"],
        ["Base", ["Orders", "Customers", "Archive"], ["Reset"], "Deep.Root"],
        ["Deep", ["Archive"], ["Reset"], undefined],
      ],
    );
    // The same objects: an annotation of the base container's member is the extending one's.
    assert.equal(containers["Shop"]?.entitySets[3], containers["Deep"]?.entitySets[0]);
    const rebuilt = new ServiceModel(JSON.parse(JSON.stringify(model)) as ServiceModel);
    assert.deepEqual(names(rebuilt.container()?.entitySets), ["Orders", "Returns", "Customers", "Archive"]);
    assert.equal(rebuilt.singleton("Me")?.type, "Types.Customer");
  });

  test("CSDL JSON reads into the same containers and lookups", () => {
    const fromJson = parseMetadata(SERVICE_JSON);
    const fromXml = parseMetadata(SERVICE);
    for (const model of [fromJson, fromXml]) {
      assert.deepEqual(names(model.container()?.entitySets), ["Orders", "Returns", "Customers", "Archive"]);
      assert.deepEqual([names(model.container()?.singletons), names(model.container()?.actionImports), names(model.container()?.functionImports)], [["Me"], ["Reset"], ["TopOrders"]]);
    }
    assert.deepEqual(fromJson.entitySet("Customers")?.navigationPropertyBindings, fromXml.entitySet("Customers")?.navigationPropertyBindings);
  });

  test("the service's container is the one that extends the others, wherever the document puts it", () => {
    const baseFirst = edmx(`
    <Schema Namespace="Base" ${EDM}><EntityContainer Name="Core"><EntitySet Name="Customers" EntityType="T.Customer"/></EntityContainer></Schema>
    <Schema Namespace="Shop" ${EDM}><EntityContainer Name="Service" Extends="Base.Core"><EntitySet Name="Orders" EntityType="T.Order"/></EntityContainer></Schema>
${TYPES}`);
    const model = parseMetadata(baseFirst);
    assert.equal(model.entityContainer, "Shop.Service");
    assert.deepEqual(names(model.container()?.entitySets), ["Orders", "Customers"]);
  });

  test("a base container of a referenced document is not at hand: the container keeps its Extends and its own members", () => {
    const model = parseMetadata(
      edmx(
        `<Schema Namespace="Shop" ${EDM}><EntityContainer Name="Service" Extends="Remote.Core"><EntitySet Name="Orders" EntityType="T.Order"/></EntityContainer></Schema>${TYPES}`,
        `<edmx:Reference Uri="https://example.invalid/remote/$metadata"><edmx:Include Namespace="Remote"/></edmx:Reference>`,
      ),
    );
    assert.equal(model.container()?.extends, "Remote.Core");
    assert.deepEqual(names(model.container()?.entitySets), ["Orders"]);
  });

  test("a base container the document does not declare: the container keeps its Extends and its own members", () => {
    // Neither in a schema of the document (Base.Missing beside Base.Core) nor in a namespace it
    // declares or references (Elsewhere.Core): nothing to inherit, and the service stays readable.
    for (const [base, more] of [
      ["Base.Missing", `<Schema Namespace="Base" ${EDM}><EntityContainer Name="Core"/></Schema>`],
      ["Elsewhere.Core", ""],
    ] as const) {
      const model = parseMetadata(
        edmx(`<Schema Namespace="Shop" ${EDM}><EntityContainer Name="Service" Extends="${base}"><EntitySet Name="Orders" EntityType="T.Order"/></EntityContainer></Schema>${more}${TYPES}`),
      );
      assert.equal(model.container()?.extends, base);
      assert.deepEqual(names(model.container()?.entitySets), ["Orders"]);
    }
  });
});

describe("Extends that cannot be followed is refused with BAD_METADATA", () => {
  const service = (extendsName: string, more = "") =>
    edmx(`
    <Schema Namespace="Shop" ${EDM}><EntityContainer Name="Service" Extends="${extendsName}"><EntitySet Name="Orders" EntityType="T.Order"/></EntityContainer></Schema>${more}
${TYPES}`);

  test("a container that extends itself", () => {
    const error = badMetadata(() => parseMetadata(service("Shop.Service")));
    assert.match(error.message, /extends Shop\.Service, and the chain of Extends runs in a circle \(Shop\.Service → Shop\.Service\)$/);
  });

  test("containers that extend each other, in EDMX and in CSDL JSON, with the base named by its alias", () => {
    const xml = badMetadata(() => parseMetadata(service("Shop.Service", `<Schema Namespace="Base" Alias="B" ${EDM}><EntityContainer Name="Core" Extends="Shop.Service"/></Schema>`).replace('Extends="Shop.Service"><EntitySet', 'Extends="B.Core"><EntitySet')));
    assert.match(xml.message, /<EntityContainer Name="Service"> at character offset \d+ extends Base\.Core, and the chain of Extends runs in a circle \(Shop\.Service → Base\.Core → Shop\.Service\)$/);
    const json = badMetadata(() =>
      parseMetadata({
        $Version: "4.01",
        Shop: { Service: { $Kind: "EntityContainer", $Extends: "Base.Core" } },
        Base: { Core: { $Kind: "EntityContainer", $Extends: "Shop.Service" } },
      }),
    );
    assert.match(json.message, /^the service metadata cannot be read: \$\["Shop"\]\["Service"\] extends Base\.Core, and the chain of Extends runs in a circle \(Shop\.Service → Base\.Core → Shop\.Service\)$/);
  });

  test("CSDL JSON whose $Extends is not a name", () => {
    const error = badMetadata(() => parseMetadata({ $Version: "4.01", Shop: { Service: { $Kind: "EntityContainer", $Extends: 42 } } }));
    assert.match(error.message, /\$\["Shop"\]\["Service"\]\["\$Extends"\] is .*not a name/);
  });
});
