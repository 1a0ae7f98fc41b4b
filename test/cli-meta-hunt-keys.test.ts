// The command line's keys and parameters by what $metadata declares of them: a type definition is
// written as its underlying type's literal, a key part with an Alias is named by the alias and typed
// by the property it stands for (describe shows both), and generate --name takes the names the
// library's generate() takes. Each against a node:http service serving the $metadata document.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startServer, sendJson, sendText, type RecordingServer } from "./servers/recording-server.js";
import { runCli, show, tempDir, writeFile } from "./cli-harness.js";

const TYPE_DEFINITIONS = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="Shop" xmlns="http://docs.oasis-open.org/odata/ns/edm">
  <TypeDefinition Name="OrderNo" UnderlyingType="Edm.Int32"/>
  <TypeDefinition Name="Id" UnderlyingType="Edm.Guid"/>
  <EntityType Name="Order"><Key><PropertyRef Name="No"/></Key><Property Name="No" Type="Shop.OrderNo" Nullable="false"/></EntityType>
  <EntityType Name="Item"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Shop.Id" Nullable="false"/></EntityType>
  <Function Name="Count"><Parameter Name="min" Type="Shop.OrderNo" Nullable="false"/><ReturnType Type="Edm.Int32"/></Function>
  <EntityContainer Name="C"><EntitySet Name="Orders" EntityType="Shop.Order"/><EntitySet Name="Items" EntityType="Shop.Item"/><FunctionImport Name="Count" Function="Shop.Count"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

// SAP S/4HANA's shape: a key of two properties inside a complex property, each named by an alias.
const ALIASED_KEY = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="com.sap.gateway.srvd.c_salesorder.v0001" Alias="SAP__self" xmlns="http://docs.oasis-open.org/odata/ns/edm">
  <EntityType Name="ByAddressType">
    <Key><PropertyRef Name="Address/Country" Alias="Country"/><PropertyRef Name="Address/PostalCode" Alias="Zip"/></Key>
    <Property Name="Address" Type="SAP__self.AddressType" Nullable="false"/>
    <Property Name="Count" Type="Edm.Int32"/>
  </EntityType>
  <ComplexType Name="AddressType">
    <Property Name="Country" Type="Edm.String" Nullable="false"/>
    <Property Name="PostalCode" Type="Edm.String" Nullable="false"/>
  </ComplexType>
  <EntityContainer Name="Container"><EntitySet Name="ByAddress" EntityType="SAP__self.ByAddressType"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

/** A v4 service under /svc/ answering $metadata with `metadata` and every other GET with `answer`. */
async function serve(metadata: string, answer: (path: string) => unknown): Promise<RecordingServer> {
  return startServer((request, res) => {
    if (request.path.endsWith("/$metadata")) return sendText(res, 200, metadata, { "content-type": "application/xml", "odata-version": "4.0" });
    sendJson(res, 200, answer(request.path), { "odata-version": "4.0" });
  });
}

/** The paths the command sent after $metadata. */
function sentAfterMetadata(server: RecordingServer): string[] {
  return server.requests.filter((request) => !request.path.endsWith("/$metadata")).map((request) => `${request.method} ${request.path}`);
}

test("get and call write a key or parameter of a type definition as its underlying type's literal: Orders(42), Items(<guid>), Count(min=5)", async (t) => {
  const server = await serve(TYPE_DEFINITIONS, (path) => (path.startsWith("/svc/Count") ? { value: 3 } : path.startsWith("/svc/Orders") ? { No: 42 } : { ID: "6f1c1b5e-0000-0000-0000-000000000001" }));
  t.after(() => server.close());
  const service = server.url("svc/");

  const order = await runCli(["get", service, "Orders", "42"]);
  assert.equal(order.code, 0, show(order));
  assert.deepEqual(JSON.parse(order.stdout), { No: 42 });
  const item = await runCli(["get", service, "Items", "6f1c1b5e-0000-0000-0000-000000000001"]);
  assert.equal(item.code, 0, show(item));
  assert.deepEqual(JSON.parse(item.stdout), { ID: "6f1c1b5e-0000-0000-0000-000000000001" });
  const count = await runCli(["call", service, "Count", "--param", "min=5"]);
  assert.equal(count.code, 0, show(count));
  assert.equal(count.stdout.trim(), "3");
  assert.deepEqual(sentAfterMetadata(server), ["GET /svc/Orders(42)", "GET /svc/Items(6f1c1b5e-0000-0000-0000-000000000001)", "GET /svc/Count(min=5)"]);

  // The underlying type's checks hold too: an OrderNo is an Edm.Int32, so "x5" is refused unsent.
  const refused = await runCli(["call", service, "Count", "--param", "min=x5"]);
  assert.equal(refused.code, 2, show(refused));
  assert.equal(refused.stderr.trim(), 'error: --param min: "x5" is not an integer in decimal digits (an Edm.Int32, -2147483648 to 2147483647)');
  assert.equal(sentAfterMetadata(server).length, 3);
});

test("describe names an aliased key part by its alias with the path it stands for; get takes the aliases and types each part by that path's property (Zip='10115', a string)", async (t) => {
  const server = await serve(ALIASED_KEY, () => ({ Address: { Country: "DE", PostalCode: "10115" }, Count: 7 }));
  t.after(() => server.close());
  const service = server.url("svc/");

  const summary = await runCli(["describe", service]);
  assert.equal(summary.code, 0, show(summary));
  assert.match(summary.stdout, /^ {2}ByAddress {2}com\.sap\.gateway\.srvd\.c_salesorder\.v0001\.ByAddressType {2}key Country \(Address\/Country\), Zip \(Address\/PostalCode\)$/m);
  const set = await runCli(["describe", service, "ByAddress"]);
  assert.equal(set.code, 0, show(set));
  assert.match(set.stdout, /^key: Country \(Address\/Country\), Zip \(Address\/PostalCode\)$/m);
  // Address holds the key's parts but is no key property itself.
  assert.match(set.stdout, /^ {2}Address {2}com\.sap\.gateway\.srvd\.c_salesorder\.v0001\.AddressType {2}not null$/m);
  const json = await runCli(["describe", service, "ByAddress", "--json"]);
  assert.equal(json.code, 0, show(json));
  const described = JSON.parse(json.stdout) as { key: string[]; keyAliases: Record<string, string> };
  assert.deepEqual(described.key, ["Country", "Zip"]);
  assert.deepEqual(described.keyAliases, { Country: "Address/Country", Zip: "Address/PostalCode" });
  const summaryJson = JSON.parse((await runCli(["describe", service, "--json"])).stdout) as { entitySets: unknown[] };
  assert.deepEqual(summaryJson.entitySets, [{ name: "ByAddress", type: "com.sap.gateway.srvd.c_salesorder.v0001.ByAddressType", key: ["Country", "Zip"], keyAliases: { Country: "Address/Country", Zip: "Address/PostalCode" } }]);

  const entity = await runCli(["get", service, "ByAddress", "Country=DE,Zip=10115"]);
  assert.equal(entity.code, 0, show(entity));
  assert.deepEqual(JSON.parse(entity.stdout), { Address: { Country: "DE", PostalCode: "10115" }, Count: 7 });
  assert.deepEqual(sentAfterMetadata(server), ["GET /svc/ByAddress(Country='DE',Zip='10115')"]);
});

test("generate --name takes a name in letters of any script, as generate() does (服务), and still refuses one that is no identifier", async () => {
  const folder = tempDir();
  const metadata = writeFile(join(folder, "s4.xml"), ALIASED_KEY);
  const written = await runCli(["generate", metadata, "--out", join(folder, "out"), "--name", "服务"]);
  assert.equal(written.code, 0, show(written));
  assert.match(readFileSync(join(folder, "out", "index.ts"), "utf8"), /^export function 服务\(client: ODataClient\)/m);
  for (const name of ["my-shop", "class"]) {
    const refused = await runCli(["generate", metadata, "--out", join(folder, "refused"), "--name", name]);
    assert.equal(refused.code, 2, show(refused));
    assert.equal(refused.stderr.trim(), `error: generate: option --name must be a JavaScript identifier that is not a reserved word or a name the generated file uses; got ${JSON.stringify(name)}`);
  }
});
