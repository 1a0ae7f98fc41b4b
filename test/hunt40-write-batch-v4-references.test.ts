// A `$<Content-ID>` reference from one changeset to another, or from a top-level request to a
// write in a changeset, is sent as it is by an OData 4.0 (the default) multipart batch, and refused
// only on v2 (batch/plan.ts checkV2References). OData 4.0 §11.7.3.1 speaks of references within a
// change set, but 4.01 allows references to any earlier request, and SAP CAP, served to the
// default "4.0" client, resolves them all: refusing them would refuse batches that work. Against
// the real SAP CAP server.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { useCap } from "./servers/use-cap.js";

interface Review {
  ID: number;
  rating?: number;
}

describe("v4 multipart $<Content-ID> references across changesets", () => {
  const cap = useCap();

  test("a changeset's create is updated from another changeset and from the top level", async () => {
    const bodies: string[] = [];
    const client = new ODataClient({
      serviceUrl: cap.v4,
      retry: false,
      steps: [{ name: "record", handle: async (request, next) => (bodies.push(String(request.body)), next(request)) }],
    });
    const reviews = client.collection<Review>("Reviews");
    const batch = client.batch();
    let first!: ReturnType<typeof batch.create<Review>>;
    let second!: ReturnType<typeof batch.create<Review>>;
    batch.changeset((cs) => {
      first = cs.create(reviews, { ID: 8101, rating: 1 });
    });
    batch.changeset((cs) => {
      second = cs.create(reviews, { ID: 8102, rating: 1 });
      cs.update(first.ref(), { rating: 2 });
    });
    const fromTop = batch.update(second.ref(), { rating: 3 });
    const results = await batch.send();
    assert.ok(results.ok, JSON.stringify(results.map((result) => (result.ok ? result.status : result.error.message))));
    assert.equal(fromTop.result().status, 200);

    assert.equal(bodies.length, 1);
    const parts = bodies[0]!.split(/\r\n--/).filter((part) => /HTTP\/1\.1/.test(part));
    const lines = parts.map((part) => /Content-ID: (\d+)\r\n\r\n(\w+ \S+) HTTP\/1\.1/.exec(part)?.slice(1, 3).join(" "));
    assert.deepEqual(lines, ["1 POST Reviews", "2 POST Reviews", "3 PATCH $1", "4 PATCH $2"]);
    assert.equal((await reviews.key(8101).get()).rating, 2);
    assert.equal((await reviews.key(8102).get()).rating, 3);
  });
});
