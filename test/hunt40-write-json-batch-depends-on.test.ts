// A JSON batch request that references (`$<id>`) a request of another atomicity group lists that
// group in its `dependsOn` besides the request (OData JSON Format 4.01 §19.1: "If a request depends
// on another request that is part of a different atomicity group, the atomicity group MUST be
// listed in dependsOn"); SAP's Node.js OData server library refuses the whole batch otherwise
// ("The group 'g1' of the referenced request '1' must be listed in dependsOn"). Before, only the
// request's id was listed. A reference within its own group lists the request alone. Against a
// node:http service on 127.0.0.1 (the wire) and the real SAP CAP server (which still resolves them).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { answerJson, onlyRequest, serveClient } from "./servers/recording-server.js";
import { useCap } from "./servers/use-cap.js";

interface Review {
  ID: number;
  rating?: number;
}

type Sent = { id: string; url: string; atomicityGroup?: string; dependsOn?: string[] };

test("dependsOn names the atomicity group of a referenced request in another group", async (t) => {
  const { server, client } = await serveClient(t, answerJson(200, { responses: [] }), { version: "4.01" });
  const reviews = client.collection<Review>("Reviews");
  const batch = client.batch({ format: "json" });
  let created!: ReturnType<typeof batch.create<Review>>;
  batch.changeset((cs) => {
    created = cs.create(reviews, { ID: 1 });
    cs.update(created.ref(), { rating: 1 });
  });
  batch.update(created.ref(), { rating: 2 });
  batch.request({ method: "GET", url: "$1/book" });
  batch.changeset((cs) => cs.delete(created.ref()));
  await batch.send();
  const { requests } = JSON.parse(onlyRequest(server).body) as { requests: Sent[] };
  assert.deepEqual(
    requests.map(({ id, url, atomicityGroup, dependsOn }) => ({ id, url, atomicityGroup, dependsOn })),
    [
      { id: "1", url: "Reviews", atomicityGroup: "g1", dependsOn: undefined },
      { id: "2", url: "$1", atomicityGroup: "g1", dependsOn: ["1"] },
      { id: "3", url: "$1", atomicityGroup: undefined, dependsOn: ["1", "g1"] },
      { id: "4", url: "$1/book", atomicityGroup: undefined, dependsOn: ["1", "g1"] },
      { id: "5", url: "$1", atomicityGroup: "g2", dependsOn: ["1", "g1"] },
    ],
  );
});

describe("against SAP CAP", () => {
  const cap = useCap();

  test("a JSON batch whose requests reference a create in another atomicity group is applied", async () => {
    const bodies: string[] = [];
    const client = new ODataClient({
      serviceUrl: cap.v4,
      version: "4.01",
      retry: false,
      steps: [{ name: "record", handle: async (request, next) => (bodies.push(String(request.body)), next(request)) }],
    });
    const reviews = client.collection<Review>("Reviews");
    const batch = client.batch({ format: "json" });
    let created!: ReturnType<typeof batch.create<Review>>;
    batch.changeset((cs) => {
      created = cs.create(reviews, { ID: 8201, rating: 1 });
    });
    const fromTop = batch.update(created.ref(), { rating: 2 });
    let fromGroup!: ReturnType<typeof batch.update>;
    batch.changeset((cs) => {
      fromGroup = cs.update(created.ref(), { rating: 3 });
    });
    const results = await batch.send();
    assert.ok(results.ok, JSON.stringify(results.map((result) => (result.ok ? result.status : result.error.message))));
    assert.equal(fromTop.result().status, 200);
    assert.equal(fromGroup.result().status, 200);
    const { requests } = JSON.parse(bodies[0]!) as { requests: Sent[] };
    assert.deepEqual(
      requests.map((request) => request.dependsOn),
      [undefined, ["1", "g1"], ["1", "g1"]],
    );
    assert.equal((await reviews.key(8201).get()).rating, 3);
  });
});
