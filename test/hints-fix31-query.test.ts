// Query builder calls given OData's own query syntax (what the command line's --orderby and
// --select take): `orderBy("Price desc")`, `select("ID,Name")`, `expand("A,B")` are refused with
// the call's form in the message (`orderBy(path, "desc")`, one path an argument, one expand a
// call); and a raw text that is no whole expression is named once ("the string …", where the
// message said "the raw text the string …"), in the library and on the command line. Nothing is
// sent for a refused query; the form the hint gives is sent as asked. Against node:http services
// on 127.0.0.1.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataReader } from "../src/read.js";
import { sendJson, serveClient, startServer } from "./servers/recording-server.js";
import { cliInProcess } from "./cli-in-process.js";

const PATH_RULE = `is not an OData property path (identifiers made of letters, digits and "_", separated by "/")`;

/** The TypeError message `build` throws; fails the test if it throws nothing or something else. */
function typeErrorOf(build: () => unknown): string {
  try {
    build();
  } catch (error) {
    assert.ok(error instanceof TypeError, `expected a TypeError, got ${String(error)}`);
    return error.message;
  }
  assert.fail("expected a TypeError");
}

test("orderBy(\"Price desc\") is refused naming orderBy(path, \"desc\"), nested too; orderBy(\"Price\", \"desc\") sends $orderby=Price desc", async (t) => {
  const { server, client, root } = await serveClient(t, (_request, res) => sendJson(res, 200, { value: [] }, { "odata-version": "4.0" }));
  const products = client.collection("Products");
  const hint = `; the direction is the second argument: orderBy(path, "desc")`;
  assert.equal(typeErrorOf(() => products.orderBy("Price desc")), `orderBy(field): the string "Price desc" ${PATH_RULE}${hint}`);
  // The direction as written: one who wrote "asc" is not told "desc".
  assert.equal(typeErrorOf(() => products.orderBy("supplier/name asc")), `orderBy(field): the string "supplier/name asc" ${PATH_RULE}; the direction is the second argument: orderBy(path, "asc")`);
  assert.equal(typeErrorOf(() => products.orderBy("Price DESC")), `orderBy(field): the string "Price DESC" ${PATH_RULE}${hint}`);
  assert.equal(typeErrorOf(() => products.expand("items", (q) => q.orderBy("qty desc" as never))), `expand orderBy(field): the string "qty desc" ${PATH_RULE}${hint}`);
  // A reader's query is the same builder.
  const reader = new ODataReader({ serviceUrl: root, retry: false });
  assert.equal(typeErrorOf(() => reader.collection("Products").orderBy("Price desc")), `orderBy(field): the string "Price desc" ${PATH_RULE}${hint}`);
  // A path that holds no direction gets no such hint.
  assert.equal(typeErrorOf(() => products.orderBy("Price,Name")), `orderBy(field): the string "Price,Name" ${PATH_RULE}`);
  assert.equal(server.requests.length, 0, "nothing is sent for a refused query");

  await products.orderBy("Price", "desc").list();
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${decodeURIComponent(request.path)}`),
    ["GET /odata/Products?$orderby=Price desc"],
  );
});

test("select(\"ID,Name\") is refused naming select(\"ID\", \"Name\"), expand(\"A,B\") naming expand(\"A\").expand(\"B\"); those forms send $select=ID,Name and $expand=A,B", async (t) => {
  const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 200, { value: [] }, { "odata-version": "4.0" }));
  const products = client.collection("Products");
  const selectHint = `; a path per argument: select("ID", "Name")`;
  const expandHint = `; a path per call: expand("A").expand("B")`;
  assert.equal(typeErrorOf(() => products.select("ID,Name" as never)), `select(fields): the string "ID,Name" ${PATH_RULE}${selectHint}`);
  assert.equal(typeErrorOf(() => products.select("ID, Name" as never)), `select(fields): the string "ID, Name" ${PATH_RULE}${selectHint}`);
  assert.equal(typeErrorOf(() => products.key(1).select("ID,Name" as never)), `select(fields): the string "ID,Name" ${PATH_RULE}${selectHint}`);
  assert.equal(typeErrorOf(() => products.expand("items", (q) => q.select("a,b" as never))), `expand select(fields): the string "a,b" ${PATH_RULE}${selectHint}`);
  assert.equal(typeErrorOf(() => products.expand("supplier,items" as never)), `expand(nav): the string "supplier,items" ${PATH_RULE}${expandHint}`);
  assert.equal(typeErrorOf(() => products.key(1).expand("supplier,items" as never)), `expand(nav): the string "supplier,items" ${PATH_RULE}${expandHint}`);
  assert.equal(typeErrorOf(() => products.expand("items", (q) => q.expand("a,b" as never))), `expand expand(nav): the string "a,b" ${PATH_RULE}${expandHint}`);
  // A direction in select() is no path either, and no hint of orderBy's.
  assert.equal(typeErrorOf(() => products.select("Price desc" as never)), `select(fields): the string "Price desc" ${PATH_RULE}`);
  assert.equal(server.requests.length, 0, "nothing is sent for a refused query");

  await products.select("ID", "Name").expand("supplier").expand("items").list();
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${decodeURIComponent(request.path)}`),
    ["GET /odata/Products?$select=ID,Name&$expand=supplier,items"],
  );
});

test("a raw filter, search or apply text that is no whole expression is named once: the string \"…\", not the raw text the string \"…\"", async (t) => {
  const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 200, { value: [] }, { "odata-version": "4.0" }));
  const orders = client.collection("Orders");
  const advice = `. Raw text has to stay one operand of what the query puts it in (several filters are ANDed); write values with the filter builder, (f) => ..., whose literals cannot break out`;
  assert.equal(
    typeErrorOf(() => orders.filter("startswith(customer,'A'")),
    `filter(expression): the string "startswith(customer,'A'" is not one whole expression: its "(" at character 11 is never closed${advice}`,
  );
  assert.equal(typeErrorOf(() => orders.apply("groupby((a)")), `apply(expression): the string "groupby((a)" is not one whole expression: its "(" at character 8 is never closed${advice}`);
  assert.equal(typeErrorOf(() => orders.search('"blue')), `search(expression): the string "\\"blue" is not one whole search expression: its phrase starting at character 1 is not closed`);
  // A long text is told by its length, as elsewhere, once.
  const long = `a eq 1) or (${"b eq 2 and ".repeat(8)}true`;
  assert.match(typeErrorOf(() => orders.filter(long)), /^filter\(expression\): a string of 104 characters is not one whole expression: it closes a "\(" at character 7 that it did not open\. /);
  assert.equal(server.requests.length, 0, "nothing is sent for a refused query");
});

test("the command line says --filter: the string \"…\" is not one whole expression, with no words left over, and sends nothing", async (t) => {
  const server = await startServer((_request, res) => sendJson(res, 200, { value: [] }, { "odata-version": "4.0" }));
  t.after(() => server.close());
  const filter = await cliInProcess(["query", server.url("odata/"), "Orders", "--filter", "startswith(customer,'A'"]);
  assert.equal(filter.code, 2);
  assert.equal(filter.stderr, `error: --filter: the string "startswith(customer,'A'" is not one whole expression: its "(" at character 11 is never closed\n`);
  const search = await cliInProcess(["query", server.url("odata/"), "Orders", "--search", '"blue']);
  assert.equal(search.code, 2);
  assert.equal(search.stderr, `error: --search: the string "\\"blue" is not one whole search expression: its phrase starting at character 1 is not closed\n`);
  assert.deepEqual(
    server.requests.filter((request) => request.path.includes("Orders")).map((request) => `${request.method} ${request.path}`),
    [],
  );
});
