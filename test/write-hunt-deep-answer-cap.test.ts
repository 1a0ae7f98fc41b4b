/**
 * Writing back the entity a deep insert answered with, against SAP CAP (test/servers/cap): CAP
 * returns the created reviews nested in the book, and a deep update with them is taken as "these
 * are all the reviews now", deleting a review added since. The client leaves out only related
 * entities it can tell from complex values by their control information: v2 (through the adapter)
 * gives each one its `__metadata.uri`, so they stay out; CAP's v4 answers give the reviews (which
 * have no ETag in this model) none, so they are sent as they came, which the README states.
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

/**
 * Creates book `id` with one review in a deep insert, adds a second review on its own, and writes
 * back what create() returned with `stock: 2`; gives what create() returned and the PATCH or MERGE
 * sent.
 */
async function writeBackDeepInsert(version: "4.0" | "2.0", id: number): Promise<{ root: string; created: Partial<Book> & { reviews?: Review[] }; method: string; url: string; patch: Record<string, unknown> }> {
  // The v2 adapter writes absolute URIs with `localhost`; addressing it so keeps them on the service's origin.
  const root = version === "2.0" ? cap.v2.replace("127.0.0.1", "localhost") : cap.v4;
  const { client, sent } = recordingClient(root, version);
  const books = client.collection<Book>("Books");
  const created = (await books.create({ ID: id, title: "Deep", stock: 1, reviews: [{ ID: id * 10 + 1, rating: 5 }] } as Partial<Book>)) as (Partial<Book> & { reviews?: Review[] }) | undefined;
  assert.ok(created);
  assert.deepEqual(created.reviews?.map((r) => r.ID), [id * 10 + 1], "CAP returns the created reviews nested");
  await client.collection<Review>("Reviews").create({ ID: id * 10 + 2, rating: 1, book_ID: id } as Partial<Review>);
  await books.key(id).update({ ...created, stock: 2 } as Partial<Book>);
  const [method, url, body] = sent[sent.length - 1]!;
  return { root, created, method, url, patch: JSON.parse(body ?? "") as Record<string, unknown> };
}

/** The IDs of book `id`'s reviews now, and its stock, read anew. */
async function reviewsAndStock(root: string, version: "4.0" | "2.0", id: number): Promise<[number[], number | null | undefined]> {
  const client = new ODataClient({ serviceUrl: root, version, retry: false });
  const reviews = await client.collection<Review>("Reviews").filter(`book_ID eq ${id}`).orderBy("ID").list();
  return [reviews.map((r) => r.ID), (await client.collection<Book>("Books").key(id).get()).stock];
}

test("OData 2.0: writing back what create() returned for a deep insert sends no reviews (each carries __metadata.uri), and a review added since stays", async () => {
  const { root, method, url, patch } = await writeBackDeepInsert("2.0", 820);
  assert.deepEqual([method, url], ["MERGE", `${root}Books(820)`]);
  assert.equal(patch["stock"], 2);
  assert.equal("reviews" in patch, false, `sent: ${JSON.stringify(patch)}`);
  assert.deepEqual(await reviewsAndStock(root, "2.0", 820), [[8201, 8202], 2]);
});

test("OData 4.0: CAP gives the reviews of a deep insert's answer no control information, so writing the answer back sends them as they came: a deep update, after which only they remain", async () => {
  const { root, created, method, url, patch } = await writeBackDeepInsert("4.0", 810);
  assert.equal(Object.keys(created.reviews?.[0] ?? {}).some((name) => name.startsWith("@")), false, "CAP gives a related entity no control information");
  assert.deepEqual([method, url], ["PATCH", `${root}Books(810)`]);
  assert.equal(patch["stock"], 2);
  assert.deepEqual(patch["reviews"], [{ ID: 8101, book_ID: 810, rating: 5, text: null }]);
  assert.deepEqual(await reviewsAndStock(root, "4.0", 810), [[8101], 2]);
});
