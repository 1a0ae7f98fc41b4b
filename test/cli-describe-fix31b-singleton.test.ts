// `describe <service> <singleton>`: a singleton that `describe <service>` lists is described as the
// one entity it is (type, properties, navigation, operations bound to one entity, ETag), as text
// and as JSON; a name that is neither an entity set nor a singleton names both kinds (exit 2).
// Against a node:http service that answers $metadata.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli, show } from "./cli-harness.js";
import { v4MetadataService } from "./servers/v4-metadata-service.js";

const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0"><edmx:DataServices>
<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="NS">
<EntityType Name="Person"><Key><PropertyRef Name="UserName"/></Key>
<Property Name="UserName" Type="Edm.String" Nullable="false"/><Property Name="Age" Type="Edm.Int32"/><Property Name="Version" Type="Edm.Int64" Nullable="false"/>
<NavigationProperty Name="Friends" Type="Collection(NS.Person)"/><NavigationProperty Name="Pet" Type="NS.Pet"/></EntityType>
<EntityType Name="Pet"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/></EntityType>
<Action Name="promote" IsBound="true"><Parameter Name="person" Type="NS.Person"/><Parameter Name="level" Type="Edm.Int32"/></Action>
<Function Name="oldest" IsBound="true"><Parameter Name="people" Type="Collection(NS.Person)"/><ReturnType Type="NS.Person"/></Function>
<EntityContainer Name="C">
<EntitySet Name="People" EntityType="NS.Person"><NavigationPropertyBinding Path="Friends" Target="People"/></EntitySet>
<EntitySet Name="Pets" EntityType="NS.Pet"/>
<Singleton Name="Me" Type="NS.Person"><NavigationPropertyBinding Path="Friends" Target="People"/><NavigationPropertyBinding Path="Pet" Target="Pets"/>
<Annotation Term="Org.OData.Core.V1.OptimisticConcurrency"><Collection><PropertyPath>Version</PropertyPath></Collection></Annotation></Singleton>
</EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

test("describe <singleton> describes it as one entity of its type: properties, navigation, operations bound to one entity, ETag", async (t) => {
  const service = await v4MetadataService(t, METADATA);
  const listed = await runCli(["describe", service.url]);
  assert.match(listed.stdout, /\nSingletons\n {2}Me {2}NS\.Person\n/);
  const text = await runCli(["describe", service.url, "Me"]);
  assert.equal(text.code, 0, show(text));
  assert.equal(
    text.stdout,
    [
      "Me  (singleton of NS.Person)",
      "",
      "Properties",
      "  UserName  Edm.String  not null",
      "  Age       Edm.Int32   nullable",
      "  Version   Edm.Int64   not null",
      "",
      "Navigation",
      "  Friends  Collection(NS.Person)  -> People",
      "  Pet      NS.Pet                 -> Pets",
      "",
      "Bound to Me",
      "  action   NS.promote(level: Edm.Int32)",
      "",
      "ETag: Version",
      "",
      "Capabilities",
      '  Core.OptimisticConcurrency  ["Version"]',
      "",
    ].join("\n"),
  );
  // Only $metadata was asked for.
  assert.deepEqual(service.calls(), []);
});

test("describe <singleton> --json: kind singleton, no key, the operations bound to one entity", async (t) => {
  const service = await v4MetadataService(t, METADATA);
  const result = await runCli(["describe", service.url, "Me", "--json"]);
  assert.equal(result.code, 0, show(result));
  const json = JSON.parse(result.stdout) as Record<string, unknown>;
  assert.equal(json["kind"], "singleton");
  assert.equal(json["name"], "Me");
  assert.equal(json["type"], "NS.Person");
  assert.equal("key" in json, false);
  assert.deepEqual(json["etag"], ["Version"]);
  assert.deepEqual(json["navigation"], [
    { name: "Friends", type: "Collection(NS.Person)", target: "People" },
    { name: "Pet", type: "NS.Pet", target: "Pets" },
  ]);
  assert.deepEqual(json["operations"], [{ kind: "Action", name: "NS.promote", binding: "entity", parameters: [{ name: "level", type: "Edm.Int32" }], returnType: null }]);
  // An entity set of the same type is described as before: its key, and both kinds of bound operations.
  const people = JSON.parse((await runCli(["describe", service.url, "People", "--json"])).stdout) as Record<string, unknown>;
  assert.equal("kind" in people, false);
  assert.deepEqual(people["key"], ["UserName"]);
  assert.deepEqual((people["operations"] as { name: string }[]).map((o) => o.name), ["NS.promote", "NS.oldest"]);
});

test("describe of a name that is neither an entity set nor a singleton names both kinds (exit 2)", async (t) => {
  const service = await v4MetadataService(t, METADATA);
  const result = await runCli(["describe", service.url, "You"]);
  assert.equal(result.code, 2, show(result));
  assert.equal(result.stderr, 'error: describe: the service has no entity set or singleton "You"; it has the entity sets People, Pets and the singletons Me\n');
});
