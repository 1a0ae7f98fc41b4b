/**
 * A deleted link without `target` in a delta page, over real HTTP (node:http on 127.0.0.1). OData
 * JSON Format 4.01 §15.5: in a payload that is not 4.0, a deleted link of a single-valued navigation
 * property may leave its target out, since the source and relationship say which link went. Such a
 * page was refused with BAD_PAYLOAD, and with it its changed and removed entities and the new delta
 * link were lost. It is read as a removed link without `target`; an added link still needs one, and
 * a target that is sent must be an id.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClientError, type DeltaPage } from "../src/index.js";
import { onlyRequest, sendJson, serveClient } from "./servers/recording-server.js";

interface Order {
  ID: number;
  Status?: string;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of iterable) all.push(item);
  return all;
}

describe("client.delta() and a deleted link without target", () => {
  test("the page is read whole: the link removed without target, beside the changed and removed entities and the delta link", async (t) => {
    const { server, client, root } = await serveClient(
      t,
      (_request, res) =>
        sendJson(
          res,
          200,
          {
            "@context": "$metadata#Orders/$delta",
            value: [
              { "@id": "Orders(1)", Status: "shipped" },
              { "@context": "#Orders/$deletedLink", source: "Orders(2)", relationship: "Customer" },
              { "@context": "#Orders/$deletedLink", source: "Orders(4)", relationship: "Items", target: "Items(7)" },
              { "@removed": { reason: "deleted" }, "@id": "Orders(3)" },
            ],
            "@deltaLink": "Orders?$deltatoken=2",
          },
          { "odata-version": "4.01" },
        ),
      { version: "4.01" },
    );
    const pages: DeltaPage<Order>[] = await collect(client.delta<Order>(`${root}Orders?$deltatoken=1`));
    assert.equal(onlyRequest(server).path, "/odata/Orders?$deltatoken=1");
    assert.deepEqual(pages, [
      {
        changed: [{ "@id": "Orders(1)", Status: "shipped" }],
        removed: [{ id: "Orders(3)", reason: "deleted" }],
        addedLinks: [],
        removedLinks: [
          { source: "Orders(2)", relationship: "Customer" },
          { source: "Orders(4)", relationship: "Items", target: "Items(7)" },
        ],
        deltaLink: `${root}Orders?$deltatoken=2`,
      },
    ]);
    // Typed so: a removed link's target may be absent, an added link's is always there.
    const typed = (page: DeltaPage<Order>): string[] => {
      // @ts-expect-error a removed link's target may be absent
      const removed: string = page.removedLinks[0]!.target;
      const added: string = page.addedLinks[0]!.target;
      return [removed, added];
    };
    assert.equal(typeof typed, "function");
  });

  test("an added link without target, and a deleted link whose target is no id, are still BAD_PAYLOAD", async (t) => {
    const entries = [
      [{ "@context": "#Orders/$link", source: "Orders(2)", relationship: "Customer" }, "a link entry lacks target"],
      [{ "@context": "#Orders/$deletedLink", source: "Orders(2)", relationship: "Customer", target: 5 }, "a deleted link has for its target 5, which is no id"],
      [{ "@context": "#Orders/$deletedLink", relationship: "Customer" }, "a deleted link lacks source"],
      // What is wrong is named: each member missing, the target as sent.
      [{ "@context": "#Orders/$link", target: "Customers(1)" }, "a link entry lacks source and relationship"],
    ] as const;
    for (const [entry, says] of entries) {
      const { server, client, root } = await serveClient(t, (_request, res) =>
        sendJson(res, 200, { value: [{ "@id": "Orders(1)" }, entry], "@deltaLink": "Orders?$deltatoken=2" }),
      { version: "4.01" });
      const link = `${root}Orders?$deltatoken=1`;
      await assert.rejects(collect(client.delta(link)), (error: unknown) => {
        assert.ok(error instanceof ODataClientError);
        assert.equal(error.code, "BAD_PAYLOAD");
        assert.equal(error.message, `GET ${link}: ${says}`);
        return true;
      });
      assert.equal(onlyRequest(server).path, "/odata/Orders?$deltatoken=1");
    }
  });
});
