/**
 * Writing back the entity a deep insert answered with, against SAP CAP (test/servers/cap): CAP
 * returns the created reviews nested in the book, and a deep update with them would be taken as
 * "these are all the reviews now", deleting a review added since. The client leaves them out, as
 * it leaves out what a read expanded. OData v4 and v2 (through the adapter).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { startCap, type CapServer } from "./servers/cap.js";
import type { Book, Review } from "./servers/cap/types.js";

let cap: CapServer;

before(async () => {
  cap = await startCap();
});
after(() => cap.stop());

/** A client on CAP whose requests are recorded (method, URL, body) as they leave. */
function recordingClient(serviceUrl: string, version: "4.0" | "2.0"): { client: ODataClient; sent: [string, string, string | undefined][] } {
  const sent: [string, string, string | undefined][] = [];
  const recording: typeof fetch = (input, init) => {
    const request = new Request(input, init);
    sent.push([request.method, request.url, typeof init?.body === "string" ? init.body : undefined]);
    return fetch(input, init);
  };
  return { client: new ODataClient({ serviceUrl, version, retry: false, fetch: recording }), sent };
}

for (const version of ["4.0", "2.0"] as const) {
  test(`OData ${version}: writing back what create() returned for a deep insert sends no reviews, and a review added since stays`, async () => {
    // The v2 adapter writes absolute URIs with `localhost`; addressing it so keeps them on the service's origin.
    const root = version === "2.0" ? cap.v2.replace("127.0.0.1", "localhost") : cap.v4;
    const { client, sent } = recordingClient(root, version);
    const id = version === "2.0" ? 820 : 810;
    const books = client.collection<Book>("Books");
    const reviews = client.collection<Review>("Reviews");
    const created = await books.create({ ID: id, title: "Deep", stock: 1, reviews: [{ ID: id * 10 + 1, rating: 5 }] } as Partial<Book>);
    assert.deepEqual((created as { reviews?: Review[] } | undefined)?.reviews?.map((r) => r.ID), [id * 10 + 1], "CAP returns the created reviews nested");
    await reviews.create({ ID: id * 10 + 2, rating: 1, book_ID: id } as Partial<Review>);

    await books.key(id).update({ ...created, stock: 2 } as Partial<Book>);
    const [method, url, body] = sent[sent.length - 1]!;
    assert.equal(method, version === "2.0" ? "MERGE" : "PATCH");
    assert.equal(url, `${root}Books(${id})`);
    const patch = JSON.parse(body ?? "") as Record<string, unknown>;
    assert.equal(patch["stock"], 2);
    assert.equal("reviews" in patch, false, `sent: ${body}`);

    const now = await reviews.filter(`book_ID eq ${id}`).orderBy("ID").list();
    assert.deepEqual(now.map((r) => r.ID), [id * 10 + 1, id * 10 + 2]);
    assert.equal((await books.key(id).get()).stock, 2);
  });
}
