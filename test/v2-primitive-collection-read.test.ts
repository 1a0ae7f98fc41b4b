/**
 * An OData v2 function import's primitive collection result (`Collection(Edm.DateTime)`,
 * `Collection(Edm.DateTimeOffset)`) reads the same through get(), stream() and pages():
 * each `/Date(…)/` item is ISO text, whichever page it comes on. Real HTTP (node:http, port 0).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { sendJson, serveClient } from "./servers/recording-server.js";

// Two pages in v2 verbose JSON, the first linking the second with `__next`.
const FIRST = ["/Date(1700000000000)/", "/Date(1700000000000+0060)/", null, "PT13H20M", "plain"];
const SECOND = ["/Date(-86400000)/"];
const ISO = ["2023-11-14T22:13:20Z", "2023-11-14T23:13:20+01:00", null, "PT13H20M", "plain", "1969-12-31T00:00:00Z"];

async function datesService(t: Parameters<typeof serveClient>[0]) {
  const served = await serveClient(
    t,
    (request, res) => {
      if (request.path.includes("skiptoken")) sendJson(res, 200, { d: { results: SECOND } });
      else sendJson(res, 200, { d: { results: FIRST, __next: `${served.root}Dates?$skiptoken=2` } });
    },
    { version: "2.0" },
  );
  return served;
}

test("get() of a v2 Collection(Edm.DateTime) gives ISO text for each /Date(…)/ item", async (t) => {
  const { server, client } = await datesService(t);
  // get() follows the next link too; its items are what stream() and pages() must give.
  assert.deepEqual(await client.function<(string | null)[]>("Dates").get(), ISO);
  assert.deepEqual(
    server.requests.map((r) => `${r.method} ${r.path}`),
    ["GET /odata/Dates", "GET /odata/Dates?$skiptoken=2"],
  );
});

test("stream() of a v2 Collection(Edm.DateTime) gives the items get() gives, on every page", async (t) => {
  const { server, client } = await datesService(t);
  const items: (string | null)[] = [];
  for await (const item of client.function<(string | null)[]>("Dates").stream()) items.push(item);
  assert.deepEqual(items, ISO);
  assert.deepEqual(
    server.requests.map((r) => r.path),
    ["/odata/Dates", "/odata/Dates?$skiptoken=2"],
  );
});

test("pages() of a v2 Collection(Edm.DateTime) gives the items get() gives", async (t) => {
  const { server, client } = await datesService(t);
  const pages: (string | null)[][] = [];
  for await (const page of client.function<(string | null)[]>("Dates").pages()) pages.push(page.value);
  assert.deepEqual(pages, [ISO.slice(0, FIRST.length), ISO.slice(FIRST.length)]);
  assert.deepEqual(
    server.requests.map((r) => r.path),
    ["/odata/Dates", "/odata/Dates?$skiptoken=2"],
  );
});

test("stream() of v2 entities still converts their /Date(…)/ members and drops deferred links", async (t) => {
  const { client } = await serveClient(
    t,
    (_request, res) =>
      sendJson(res, 200, {
        d: { results: [{ __metadata: { uri: "Orders(1)" }, ID: 1, At: "/Date(0)/", Items: { __deferred: { uri: "Orders(1)/Items" } } }] },
      }),
    { version: "2.0" },
  );
  const rows: unknown[] = [];
  for await (const row of client.collection("Orders").stream()) rows.push(row);
  assert.deepEqual(rows, [{ __metadata: { uri: "Orders(1)" }, ID: 1, At: "1970-01-01T00:00:00Z" }]);
});
