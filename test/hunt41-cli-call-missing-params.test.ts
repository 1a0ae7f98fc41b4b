// `call` of an operation without the parameters $metadata says it needs used to send it anyway
// (`GET topN()`, which the service answers 404 or 400, or an action's body without them): refused
// before anything is sent (exit 2), naming each missing parameter and its type. Needed is a
// parameter declared Nullable="false" that is no collection and not annotated
// Core.OptionalParameter; a nullable one left out is left to the service, which takes it as null.
// Against a node:http service that answers $metadata and records what else it was sent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliInProcess } from "./cli-in-process.js";
import { v4MetadataService } from "./servers/v4-metadata-service.js";

const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0"><edmx:DataServices>
<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="NS">
<EntityType Name="Item"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/></EntityType>
<Function Name="topN"><Parameter Name="n" Type="Edm.Int32" Nullable="false"/><Parameter Name="label" Type="Edm.String"/><ReturnType Type="Edm.String"/></Function>
<Function Name="search"><Parameter Name="text" Type="Edm.String" Nullable="false"/>
<Parameter Name="limit" Type="Edm.Int32" Nullable="false"><Annotation Term="Org.OData.Core.V1.OptionalParameter"/></Parameter><ReturnType Type="Edm.String"/></Function>
<Function Name="ping"><ReturnType Type="Edm.String"/></Function>
<Function Name="near" IsBound="true"><Parameter Name="item" Type="NS.Item"/><Parameter Name="km" Type="Edm.Double" Nullable="false"/><ReturnType Type="Edm.String"/></Function>
<Action Name="restock"><Parameter Name="qty" Type="Edm.Int32" Nullable="false"/><Parameter Name="note" Type="Edm.String"/><Parameter Name="tags" Type="Collection(Edm.String)"/></Action>
<EntityContainer Name="C">
<EntitySet Name="Items" EntityType="NS.Item"/>
<FunctionImport Name="topN" Function="NS.topN"/><FunctionImport Name="search" Function="NS.search"/><FunctionImport Name="ping" Function="NS.ping"/>
<ActionImport Name="restock" Action="NS.restock"/>
</EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

test("call of a function without its non-nullable parameters is refused before anything is sent, naming them", async (t) => {
  const service = await v4MetadataService(t, METADATA);
  const none = await cliInProcess(["call", service.url, "topN"]);
  assert.equal(none.code, 2, none.stderr);
  assert.match(none.stderr, /call: function topN needs the parameter n \(Edm\.Int32\), which \$metadata declares not nullable: give --param n=…\n/);
  assert.deepEqual(service.calls(), []);
  // The nullable one is left to the service.
  const part = await cliInProcess(["call", service.url, "topN", "--param", "n=3"]);
  assert.equal(part.code, 0, part.stderr);
  assert.deepEqual(service.calls(), ["GET /svc/topN(n=3)"]);
});

test("a parameter annotated Core.OptionalParameter may be left out; a function of none needs none", async (t) => {
  const service = await v4MetadataService(t, METADATA);
  const missing = await cliInProcess(["call", service.url, "search", "--param", "limit=5"]);
  assert.equal(missing.code, 2, missing.stderr);
  assert.match(missing.stderr, /needs the parameter text \(Edm\.String\)/);
  assert.doesNotMatch(missing.stderr, /limit/);
  for (const args of [["search", "--param", "text=a"], ["ping"]]) {
    const result = await cliInProcess(["call", service.url, ...args]);
    assert.equal(result.code, 0, result.stderr);
  }
  assert.deepEqual(service.calls(), ["GET /svc/search(text='a')", "GET /svc/ping()"]);
});

test("a bound function's parameters are needed too, the binding parameter aside", async (t) => {
  const service = await v4MetadataService(t, METADATA);
  const result = await cliInProcess(["call", service.url, "Items/NS.near", "--key", "1"]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /call: function NS\.near needs the parameter km \(Edm\.Double\)/);
  assert.doesNotMatch(result.stderr, /item/);
  assert.deepEqual(service.calls(), []);
});

test("an action needs its non-nullable parameters; nullable ones and collections may be left out", async (t) => {
  const service = await v4MetadataService(t, METADATA);
  const result = await cliInProcess(["call", service.url, "restock", "--param", "note=x"]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /call: action restock needs the parameter qty \(Edm\.Int32\)/);
  assert.doesNotMatch(result.stderr, /note|tags/);
  assert.deepEqual(service.calls(), []);
  const sent = await cliInProcess(["call", service.url, "restock", "--param", "qty=2"]);
  assert.equal(sent.code, 0, sent.stderr);
  assert.deepEqual(service.calls(), ['POST /svc/restock {"qty":2}']);
});

test("several missing are named together", async (t) => {
  const service = await v4MetadataService(t, METADATA.replace('<Parameter Name="label" Type="Edm.String"/>', '<Parameter Name="label" Type="Edm.String" Nullable="false"/>'));
  const result = await cliInProcess(["call", service.url, "topN"]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /needs the parameters n \(Edm\.Int32\) and label \(Edm\.String\), which \$metadata declares not nullable: give --param n=… --param label=…/);
  assert.deepEqual(service.calls(), []);
});
