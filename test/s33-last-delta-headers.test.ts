// client.delta(link, { headers }) against a node:http service: the caller's headers go with every
// request of the delta (the delta link's and each next link's), checked and joined to the read's
// own as a collection read's are (a `Prefer` joins odata.maxpagesize, an `Accept` wins).
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClientError, type DeltaPage } from "../src/index.js";
import { sendJson, serveClient, type RecordedRequest } from "./servers/recording-server.js";

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of iterable) all.push(item);
  return all;
}

/** A two-page delta: the delta link's page sends a next link, whose page sends the new delta link. */
function twoPageDelta(request: RecordedRequest, res: import("node:http").ServerResponse) {
  if (request.path.includes("$skiptoken=2")) return sendJson(res, 200, { value: [{ ID: 2 }], "@odata.deltaLink": "Customers?$deltatoken=t2" });
  return sendJson(res, 200, { value: [{ ID: 1 }], "@odata.nextLink": "Customers?$deltatoken=t1&$skiptoken=2" });
}

test("delta headers go with the delta link's request and the next link's, a Prefer joined to odata.maxpagesize", async (t) => {
  const { server, client } = await serveClient(t, twoPageDelta);
  const pages: DeltaPage<{ ID: number }>[] = await collect(
    client.delta<{ ID: number }>("Customers?$deltatoken=t1", { maxPageSize: 2, headers: { "X-Tenant": "t-7", Prefer: 'odata.include-annotations="*"', Accept: "application/json;odata.metadata=full" } }),
  );
  assert.deepEqual(pages.map((page) => page.changed), [[{ ID: 1 }], [{ ID: 2 }]]);
  assert.equal(pages[1]?.deltaLink, server.url("odata/Customers?$deltatoken=t2"));
  assert.deepEqual(
    server.requests.map((r) => [decodeURIComponent(r.path), r.headers["x-tenant"], r.headers["prefer"], r.headers["accept"]]),
    [
      ["/odata/Customers?$deltatoken=t1", "t-7", 'odata.maxpagesize=2, odata.include-annotations="*"', "application/json;odata.metadata=full"],
      ["/odata/Customers?$deltatoken=t1&$skiptoken=2", "t-7", 'odata.maxpagesize=2, odata.include-annotations="*"', "application/json;odata.metadata=full"],
    ],
  );
});

test("delta headers are checked as a read's: a line break in a value is refused with a TypeError naming delta(link), nothing sent", async (t) => {
  const { server, client } = await serveClient(t, twoPageDelta);
  await assert.rejects(collect(client.delta("Customers?$deltatoken=t1", { headers: { "X-Tenant": "a\r\nX-Injected: 1" } })), (error: unknown) => {
    assert.ok(error instanceof TypeError && !(error instanceof ODataClientError));
    assert.match(error.message, /^delta\(link\): option "headers"/);
    return true;
  });
  await assert.rejects(collect(client.delta("Customers?$deltatoken=t1", { headers: "X-Tenant: a" as never })), /delta\(link\): option "headers" must be an object/);
  assert.equal(server.requests.length, 0);
});
