// `call Set/<alias>.name`: an operation bound to the set's type, qualified by its schema's Alias
// (`self.total` of a schema `my.svc` Alias `self`), is the one `Set/my.svc.total` names; the call
// goes with the namespace. Over a node:http service on 127.0.0.1; the command line runs in this process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliInProcess } from "./cli-in-process.js";
import { sendJson, sendText, startServer, type RecordedRequest } from "./servers/recording-server.js";

const show = (o: { code: number; stdout: string; stderr: string }) => `exit ${o.code}\nstdout: ${o.stdout}\nstderr: ${o.stderr}`;

const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="my.svc" Alias="self" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="Order"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="false"/></EntityType>
      <Function Name="total" IsBound="true"><Parameter Name="o" Type="Collection(self.Order)"/><Parameter Name="cur" Type="Edm.String"/><ReturnType Type="Edm.Decimal"/></Function>
      <Action Name="ship" IsBound="true"><Parameter Name="o" Type="self.Order"/><Parameter Name="days" Type="Edm.Int32"/></Action>
      <EntityContainer Name="Svc"><EntitySet Name="Orders" EntityType="self.Order"/></EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;

/** A v4 service that knows its operations by their namespace-qualified names only. */
async function service(t: { after(fn: () => Promise<void>): void }) {
  const server = await startServer((request: RecordedRequest, res) => {
    const headers = { "odata-version": "4.0" };
    if (request.path.endsWith("/$metadata")) return sendText(res, 200, METADATA, { ...headers, "content-type": "application/xml" });
    if (request.path.startsWith("/svc/Orders/my.svc.total(")) return sendJson(res, 200, { "@odata.context": "$metadata#Edm.Decimal", value: 42.5 }, headers);
    if (request.method === "POST" && request.path === "/svc/Orders(7)/my.svc.ship") return sendJson(res, 200, { "@odata.context": "$metadata#Edm.String", value: "shipped" }, headers);
    sendJson(res, 404, { error: { code: "404", message: `no ${request.path}` } }, headers);
  });
  t.after(() => server.close());
  return server;
}

const wire = (requests: RecordedRequest[]) => requests.map((r) => `${r.method} ${decodeURIComponent(r.path)}${r.body ? ` ${r.body}` : ""}`);

test("call Orders/self.total (the schema's alias) calls the bound function my.svc.total", async (t) => {
  const server = await service(t);
  const outcome = await cliInProcess(["call", server.url("svc/"), "Orders/self.total", "--param", "cur=EUR"]);
  assert.equal(outcome.code, 0, show(outcome));
  assert.equal(outcome.stdout.trim(), "42.5");
  assert.deepEqual(wire(server.requests), ["GET /svc/$metadata", "GET /svc/Orders/my.svc.total(cur='EUR')"]);
  // A qualifier that is neither the alias nor the namespace names nothing, and nothing is called.
  const unknown = await cliInProcess(["call", server.url("svc/"), "Orders/other.total", "--param", "cur=EUR"]);
  assert.equal(unknown.code, 2, show(unknown));
  assert.match(unknown.stderr, /call: Orders has no bound action or function "other\.total"/);
  assert.deepEqual(wire(server.requests).slice(2), ["GET /svc/$metadata"]);
});

test("call Orders/self.ship --key 7 (alias) invokes the action bound to one entity, its parameters typed by $metadata", async (t) => {
  const server = await service(t);
  const outcome = await cliInProcess(["call", server.url("svc/"), "Orders/self.ship", "--key", "7", "--param", "days=3"]);
  assert.equal(outcome.code, 0, show(outcome));
  assert.equal(outcome.stdout.trim(), '"shipped"');
  // days=3 goes as the number $metadata says it is.
  assert.deepEqual(wire(server.requests), ["GET /svc/$metadata", 'POST /svc/Orders(7)/my.svc.ship {"days":3}']);
});

test("call Orders/self.ship without --key (alias): the action is found, and said to need the key", async (t) => {
  const server = await service(t);
  const outcome = await cliInProcess(["call", server.url("svc/"), "Orders/self.ship", "--param", "days=3"]);
  assert.equal(outcome.code, 2, show(outcome));
  assert.match(outcome.stderr, /call: my\.svc\.ship is bound to one entity of Orders: it needs --key/);
  assert.deepEqual(wire(server.requests), ["GET /svc/$metadata"]);
});
