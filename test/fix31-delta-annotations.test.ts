/**
 * A delta page carries the delta's other instance annotations as `annotations`, as a collection
 * page does (`page.annotations`), over real HTTP (node:http on 127.0.0.1). Before, `DeltaPage` had
 * no such member and `client.delta()` dropped them: a service's note beside the delta link (or
 * Dataverse's paging annotations) was lost, though the same body read as a page kept it.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { DeltaPage } from "../src/index.js";
import { sendJson, serveClient, type RecordedRequest } from "./servers/recording-server.js";

interface Customer {
  ID: string;
  name?: string;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of iterable) all.push(item);
  return all;
}

/** A v4 service answering GETs from `bodies` by path and query as sent after `/odata/`. */
function service(bodies: Record<string, unknown>) {
  return (request: RecordedRequest, res: import("node:http").ServerResponse) => {
    const body = bodies[decodeURIComponent(request.path.replace(/^\/odata\//, ""))];
    if (body === undefined) return sendJson(res, 404, { error: { code: "404", message: `no ${request.path}` } });
    sendJson(res, 200, body);
  };
}

describe("DeltaPage.annotations", () => {
  test("each delta page carries its own other annotations, the count, the links and the context left out; a page with none has no annotations", async (t) => {
    const { server, client, root } = await serveClient(
      t,
      service({
        "Customers?$deltatoken=1": {
          "@odata.context": "$metadata#Customers/$delta",
          "@odata.count": 3,
          "@com.example.note": { source: "nightly", rows: 3 },
          value: [{ ID: "C1", name: "Ann" }],
          "@odata.nextLink": "Customers?$deltatoken=1&$skiptoken=2",
        },
        "Customers?$deltatoken=1&$skiptoken=2": {
          "@odata.context": "$metadata#Customers/$delta",
          value: [{ "@odata.context": "$metadata#Customers/$deletedEntity", id: "Customers('C2')", reason: "deleted" }],
          "@odata.deltaLink": "Customers?$deltatoken=2",
        },
        "Customers?$deltatoken=2": {
          "@odata.context": "$metadata#Customers/$delta",
          value: [],
          "@com.example.note": "quiet",
          "@odata.deltaLink": "Customers?$deltatoken=3",
        },
      }),
    );
    const first: DeltaPage<Customer>[] = await collect(client.delta<Customer>(`${root}Customers?$deltatoken=1`));
    const second: DeltaPage<Customer>[] = await collect(client.delta<Customer>(first[1]?.deltaLink ?? ""));
    assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), [
      "GET /odata/Customers?$deltatoken=1",
      "GET /odata/Customers?$deltatoken=1&$skiptoken=2",
      "GET /odata/Customers?$deltatoken=2",
    ]);
    assert.deepEqual(first, [
      {
        changed: [{ ID: "C1", name: "Ann" }],
        removed: [],
        addedLinks: [],
        removedLinks: [],
        nextLink: `${root}Customers?$deltatoken=1&$skiptoken=2`,
        count: 3,
        annotations: { "@com.example.note": { source: "nightly", rows: 3 } },
      },
      {
        changed: [],
        removed: [{ id: "Customers('C2')", reason: "deleted", context: "$metadata#Customers/$deletedEntity" }],
        addedLinks: [],
        removedLinks: [],
        deltaLink: `${root}Customers?$deltatoken=2`,
      },
    ]);
    assert.equal(Object.hasOwn(first[1] ?? {}, "annotations"), false);
    assert.deepEqual(second.map((page) => page.annotations), [{ "@com.example.note": "quiet" }]);
  });

  test("a delta page's annotations are those a collection page of the same body gives; a single entity's delta keeps its own annotations on the entity", async (t) => {
    const body = {
      "@odata.context": "$metadata#Customers/$delta",
      "@odata.count": 1,
      "@Microsoft.Dynamics.CRM.morerecords": false,
      "@com.example.note": "beside the delta link",
      value: [{ ID: "C1" }],
      "@odata.deltaLink": "Customers?$deltatoken=2",
    };
    const { server, client, root } = await serveClient(
      t,
      service({
        Customers: body,
        "Customers?$deltatoken=1": body,
        "Customers('C1')?$deltatoken=1": {
          "@odata.context": "$metadata#Customers/$entity/$delta",
          "@odata.etag": 'W/"5"',
          ID: "C1",
          "@odata.deltaLink": "Customers('C1')?$deltatoken=2",
        },
      }),
    );
    const page = await client.collection<Customer>("Customers").trackChanges().page();
    const [delta] = await collect(client.delta<Customer>(`${root}Customers?$deltatoken=1`));
    const single = await collect(client.delta<Customer>(`${root}Customers('C1')?$deltatoken=1`));
    assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path} ${r.headers.prefer ?? ""}`), [
      "GET /odata/Customers odata.track-changes",
      "GET /odata/Customers?$deltatoken=1 ",
      "GET /odata/Customers('C1')?$deltatoken=1 ",
    ]);
    const expected = { "@Microsoft.Dynamics.CRM.morerecords": false, "@com.example.note": "beside the delta link" };
    assert.deepEqual(page.annotations, expected);
    assert.equal(page.count, 1);
    assert.deepEqual(delta?.annotations, expected);
    assert.deepEqual(single, [
      {
        changed: [{ "@odata.etag": 'W/"5"', ID: "C1" }],
        removed: [],
        addedLinks: [],
        removedLinks: [],
        deltaLink: `${root}Customers('C1')?$deltatoken=2`,
      },
    ]);
  });
});
