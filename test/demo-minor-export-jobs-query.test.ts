/**
 * The demo service's `ExportJobs` collection and its query options, over HTTP on 127.0.0.1: the ones
 * it applies (`$top`, `$skip`, `$count`, `$select`) are applied, and the ones it does not are
 * refused with an OData error (501, or 400 for one OData does not define), never ignored.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startDemoService, type DemoService } from "../demo/service.js";

let service: DemoService;
let root: string;
/** Each request as the service received it: `<status> <method> <url>`. */
const received: string[] = [];

before(async () => {
  service = await startDemoService({ productCount: 50, jobDuration: 0, retryAfter: 0, exportRows: 5, onRequest: (method, url, status) => received.push(`${status} ${method} ${url}`) });
  root = service.serviceUrl;
  // Three finished exports: without respond-async the service runs each while the client waits.
  for (const format of ["csv", "json", "csv"]) {
    const created = await fetch(`${root}ExportJobs`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ format, maxRows: 2 }) });
    assert.equal(created.status, 201, await created.text());
  }
});
after(() => service.close());

async function get(query: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const path = query === "" ? "ExportJobs" : `ExportJobs?${query}`;
  const response = await fetch(root + path);
  const body = (await response.json()) as Record<string, unknown>;
  // What the service received is the query as written (fetch does not rewrite `$` or `,`). The log
  // line is written when the answer has been handed to the socket, which may come after the client
  // has read it: a few turns of the event loop are waited for.
  const line = `${response.status} GET /odata/v4/demo/${path}`;
  for (let turns = 0; turns < 100 && !received.includes(line); turns++) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(received.includes(line), `the service did not log ${line}`);
  received.length = 0;
  return { status: response.status, body };
}

function ids(body: Record<string, unknown>): unknown[] {
  return (body["value"] as Record<string, unknown>[]).map((entity) => entity["ID"]);
}

describe("ExportJobs applies the query options it takes", () => {
  test("$top and $skip choose a window of the exports", async () => {
    assert.deepEqual(ids((await get("")).body), [1, 2, 3]);
    const window = await get("$skip=1&$top=1");
    assert.equal(window.status, 200);
    assert.deepEqual(ids(window.body), [2]);
    assert.deepEqual(ids((await get("$top=0")).body), []);
    assert.deepEqual(ids((await get("$skip=5")).body), []);
  });

  test("$count=true counts every export, whatever $top and $skip keep", async () => {
    const counted = await get("$count=true&$top=1");
    assert.equal(counted.body["@odata.count"], 3);
    assert.deepEqual(ids(counted.body), [1]);
    assert.equal((await get("$count=false")).body["@odata.count"], undefined);
  });

  test("$select keeps the named properties and names them in the context URL", async () => {
    const selected = await get("$select=ID,format&$top=2");
    assert.equal(selected.status, 200);
    assert.deepEqual(selected.body, {
      "@odata.context": `${root}$metadata#ExportJobs(ID,format)`,
      value: [
        { ID: 1, format: "csv" },
        { ID: 2, format: "json" },
      ],
    });
  });

  test("a bad value is a 400 with an OData error that says what is wrong", async () => {
    for (const [query, words] of [
      ["$top=abc", /\$top must be a non-negative integer/],
      ["$skip=-1", /\$skip must be a non-negative integer/],
      ["$count=yes", /\$count must be true or false/],
      ["$select=Nope", /\$select names "Nope", which is not a property of Export/],
    ] as const) {
      const answer = await get(query);
      assert.equal(answer.status, 400, query);
      const error = answer.body["error"] as { code: string; message: string };
      assert.equal(error.code, "InvalidQuery", query);
      assert.match(error.message, words, query);
    }
  });
});

describe("ExportJobs refuses the query options it does not apply", () => {
  test("$filter, $orderby, $expand, $search, $skiptoken: 501 Not Implemented, naming the option", async () => {
    for (const query of ["$filter=ID%20eq%201", "$orderby=ID%20desc", "$expand=Nope", "$search=csv", "$apply=aggregate(size%20with%20sum%20as%20total)", "$skiptoken=1"]) {
      const answer = await get(query);
      assert.equal(answer.status, 501, query);
      const name = query.slice(0, query.indexOf("="));
      assert.deepEqual(answer.body["error"], { code: "NotImplemented", message: `The demo service does not implement ${name} on ExportJobs` }, query);
    }
  });

  test("an option OData does not define is a 400 naming it; a custom option (no $) is the service's to ignore", async () => {
    const unknown = await get("$foo=1");
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.body["error"], { code: "InvalidQuery", message: "$foo is not a system query option of OData" });
    assert.deepEqual(ids((await get("foo=1")).body), [1, 2, 3]);
  });

  test("$format: JSON is what it answers; any other format is 501", async () => {
    assert.deepEqual(ids((await get("$format=json")).body), [1, 2, 3]);
    const xml = await get("$format=xml");
    assert.equal(xml.status, 501);
    assert.equal((xml.body["error"] as { code: string }).code, "NotImplemented");
  });

  test("ExportJobs/$count refuses an unknown option too, and counts the exports", async () => {
    const unknown = await fetch(`${root}ExportJobs/$count?$foo=1`);
    assert.equal(unknown.status, 400);
    assert.deepEqual(await unknown.json(), { error: { code: "InvalidQuery", message: "$foo is not a system query option of OData" } });
    const count = await fetch(`${root}ExportJobs/$count`);
    assert.deepEqual([count.status, await count.text()], [200, "3"]);
  });
});
