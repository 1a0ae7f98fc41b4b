/**
 * The delta of a single entity, over real HTTP (node:http on 127.0.0.1; SAP CAP serves no deltas).
 * OData JSON Format 4.01 §15.1: "The JSON object for a delta response to a single entity is either
 * an added, changed, or deleted entity" (context `…#Customers/$entity/$delta`), the delta link among
 * its members. `client.delta()` refused such a body (BAD_PAYLOAD, no "value" array); it reads it
 * as a page of one: the entity changed, or removed when it is a deleted entity, and the delta link.
 * What describes the response (its context, its delta link) is not left on the entity, as a read's
 * entity carries no context; what the link or the context says was expanded is marked as a read's.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClientError, type DeltaPage } from "../src/index.js";
import { sendJson, serveClient, type RecordedRequest } from "./servers/recording-server.js";

interface Customer {
  ID: string;
  ContactName?: string;
  [name: string]: unknown;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of iterable) all.push(item);
  return all;
}

/** A 4.01 service answering GETs from `bodies` by path and query as sent after `/odata/`, and writes with 204. */
function service(bodies: Record<string, unknown>) {
  return (request: RecordedRequest, res: import("node:http").ServerResponse) => {
    if (request.method !== "GET") return void res.writeHead(204).end();
    const body = bodies[decodeURIComponent(request.path.replace(/^\/odata\//, ""))];
    if (body === undefined) return sendJson(res, 404, { error: { code: "404", message: `no ${request.path}` } });
    sendJson(res, 200, body, { "odata-version": "4.01" });
  };
}

describe("client.delta() of a single entity", () => {
  test("a changed entity is a page of one: changed, without the response's context and delta link, and the next delta link; a collection delta without a value array is still BAD_PAYLOAD", async (t) => {
    const { server, client, root } = await serveClient(
      t,
      service({
        "Customers('ALFKI')?$deltatoken=1": {
          "@context": "$metadata#Customers/$entity/$delta",
          "@id": "Customers('ALFKI')",
          "@etag": 'W/"2"',
          ContactName: "Maria",
          // An entity may have a property named value: the context says this is one entity.
          value: [1, 2],
          "@deltaLink": "Customers('ALFKI')?$deltatoken=9711",
        },
        "Customers?$deltatoken=1": { "@context": "$metadata#Customers/$delta", value: {} },
      }),
      { version: "4.01" },
    );
    const pages: DeltaPage<Customer>[] = await collect(client.delta<Customer>(`${root}Customers('ALFKI')?$deltatoken=1`));
    assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), ["GET /odata/Customers('ALFKI')?$deltatoken=1"]);
    assert.deepEqual(pages, [
      {
        changed: [{ "@id": "Customers('ALFKI')", "@etag": 'W/"2"', ContactName: "Maria", value: [1, 2] }],
        removed: [],
        addedLinks: [],
        removedLinks: [],
        deltaLink: `${root}Customers('ALFKI')?$deltatoken=9711`,
      },
    ]);
    // Neither one entity nor a collection delta.
    const link = `${root}Customers?$deltatoken=1`;
    await assert.rejects(collect(client.delta(link)), (error: unknown) => {
      assert.ok(error instanceof ODataClientError);
      assert.equal(error.code, "BAD_PAYLOAD");
      assert.equal(error.message, `GET ${link}: the delta body has no "value" array`);
      return true;
    });
  });

  test("a deleted entity (4.01 @removed, with or without context; 4.0 $deletedEntity context) is a page with it removed", async (t) => {
    const { server, client, root } = await serveClient(
      t,
      service({
        "Customers('ANTON')?$deltatoken=1": {
          "@context": "$metadata#Customers/$deletedEntity",
          "@removed": { reason: "deleted" },
          "@id": "Customers('ANTON')",
          "@deltaLink": "Customers('ANTON')?$deltatoken=2",
        },
        "Customers('ANTON')?$deltatoken=3": { "@removed": { reason: "changed" }, ID: "ANTON", "@deltaLink": "Customers('ANTON')?$deltatoken=4" },
        "Customers('ANTON')?$deltatoken=5": {
          "@odata.context": "$metadata#Customers/$deletedEntity",
          id: "Customers('ANTON')",
          reason: "deleted",
          "@odata.deltaLink": "Customers('ANTON')?$deltatoken=6",
        },
        // The single entity's own context (`…/$entity/$delta`) names no other set: not kept.
        "Customers('ANTON')?$deltatoken=7": {
          "@context": "$metadata#Customers/$entity/$delta",
          "@removed": { reason: "deleted" },
          "@id": "Customers('ANTON')",
          "@deltaLink": "Customers('ANTON')?$deltatoken=8",
        },
      }),
      { version: "4.01" },
    );
    const empty = { changed: [], addedLinks: [], removedLinks: [] };
    for (const [token, removed, next] of [
      ["1", { id: "Customers('ANTON')", reason: "deleted", context: "$metadata#Customers/$deletedEntity" }, "2"],
      ["3", { key: { ID: "ANTON" }, reason: "changed" }, "4"],
      ["5", { id: "Customers('ANTON')", reason: "deleted", context: "$metadata#Customers/$deletedEntity" }, "6"],
      ["7", { id: "Customers('ANTON')", reason: "deleted" }, "8"],
    ] as const) {
      const pages = await collect(client.delta<Customer>(`${root}Customers('ANTON')?$deltatoken=${token}`));
      assert.deepEqual(pages, [{ ...empty, removed: [removed], deltaLink: `${root}Customers('ANTON')?$deltatoken=${next}` }], token);
    }
    assert.deepEqual(
      server.requests.map((r) => r.path),
      ["1", "3", "5", "7"].map((token) => `/odata/Customers('ANTON')?$deltatoken=${token}`),
    );
  });

  test("what the link's $expand or the context's select list expanded is left out when the entity is written back", async (t) => {
    // No control information on the orders: only the link or the context says they were expanded.
    const orders = [{ ID: 1 }];
    const address = { Street: "Main 1", City: "Bern" };
    const { server, client, root } = await serveClient(
      t,
      service({
        "Customers('ALFKI')?$expand=Orders&$deltatoken=1": {
          "@context": "$metadata#Customers/$entity/$delta",
          "@id": "Customers('ALFKI')",
          ID: "ALFKI",
          ContactName: "Maria",
          Address: address,
          Orders: orders,
          "@deltaLink": "Customers('ALFKI')?$expand=Orders&$deltatoken=2",
        },
        "Customers('ALFKI')?$deltatoken=abc": {
          "@context": "$metadata#Customers(ID,ContactName,Address,Orders())/$entity/$delta",
          ID: "ALFKI",
          ContactName: "Ana",
          Address: address,
          Orders: orders,
          "@deltaLink": "Customers('ALFKI')?$deltatoken=abd",
        },
      }),
      { version: "4.01" },
    );
    const customers = client.collection<Customer>("Customers");
    for (const link of ["Customers('ALFKI')?$expand=Orders&$deltatoken=1", "Customers('ALFKI')?$deltatoken=abc"]) {
      const [page] = await collect(client.delta<Customer>(root + link));
      assert.equal(page?.changed.length, 1, link);
      await customers.key("ALFKI").update({ ...page!.changed[0]!, ContactName: "Lea" });
    }
    const writes = server.requests.filter((r) => r.method !== "GET").map((r) => [r.method, r.path, JSON.parse(r.body) as unknown]);
    assert.deepEqual(writes, [
      ["PATCH", "/odata/Customers('ALFKI')", { ID: "ALFKI", ContactName: "Lea", Address: address }],
      ["PATCH", "/odata/Customers('ALFKI')", { ID: "ALFKI", ContactName: "Lea", Address: address }],
    ]);
  });
});
