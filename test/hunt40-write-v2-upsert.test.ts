// upsert() on OData v2 sends MERGE (or PUT with `replace: true`) to the key; OData v2 has no upsert
// of its own, and a service that does not create an entity on MERGE answers a key it lacks 404.
// The upsert is not refused on v2 (SAP CAP's v2 adapter upserts on PUT, as SAP Gateway services
// may in their update handler), but its 404 says what it means: the service does not create the
// missing entity by that method, and what to use instead. Before, the error said "404 Not Found"
// alone, as if the URL were wrong. Against the real SAP CAP server (v2 adapter and v4).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataHttpError } from "../src/index.js";
import { useCap } from "./servers/use-cap.js";

interface Pair {
  A: number;
  B: string;
  label?: string;
}

async function notFound(promise: Promise<unknown>): Promise<ODataHttpError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ODataHttpError, String(error));
    assert.equal(error.status, 404);
    return error;
  }
  assert.fail("the upsert resolved");
}

/** What the message says after the request it names (the server's database path names this file). */
const said = (error: Error): string => error.message.slice(error.message.indexOf(" failed with "));

describe("upsert() of a key the service does not have", () => {
  const cap = useCap();

  test("v2: MERGE is answered 404, and the error says so and names { replace: true }; the PUT creates it", async () => {
    const sent: string[] = [];
    const client = new ODataClient({
      serviceUrl: cap.v2,
      version: "2.0",
      retry: false,
      steps: [
        {
          name: "record",
          handle: async (request, next) => {
            sent.push(`${request.method} ${decodeURIComponent(new URL(request.url).pathname).replace(/^.*\/catalog\//, "")}`);
            return next(request);
          },
        },
      ],
    });
    const pair = client.collection<Pair>("Pairs").key({ A: 71, B: "v2" });
    const error = await notFound(pair.upsert({ label: "merged" }));
    assert.match(error.message, /^MERGE .*Pairs\(A=71,B='v2'\) failed with HTTP 404 .*\(not found: .*does not create .*MERGE.*upsert\(entity, \{ replace: true \}\).*create\(\)/);
    const created = await pair.upsert({ label: "put" }, { replace: true });
    assert.equal(created?.label, "put");
    assert.equal((await pair.get()).label, "put");
    assert.deepEqual(sent, ["MERGE Pairs(A=71,B='v2')", "PUT Pairs(A=71,B='v2')", "GET Pairs(A=71,B='v2')"]);
  });

  test("v4: a PATCH upsert answered 404 is explained alike; an insert-only upsert too", async () => {
    const client = new ODataClient({ serviceUrl: cap.v4, retry: false });
    const pair = client.collection<Pair>("Pairs").key({ A: 72, B: "v4" });
    const error = await notFound(pair.upsert({ label: "patched" }));
    assert.match(error.message, /^PATCH .*failed with HTTP 404 .*\(not found: .*does not create .*PATCH.*\{ replace: true \}/);
    const insertOnly = await notFound(pair.upsert({ label: "patched" }, { ifNoneMatch: "*" }));
    assert.match(said(insertOnly), /\(not found: .*does not create .*PATCH/);
  });

  test("an update() answered 404 is not told of upserts", async () => {
    const client = new ODataClient({ serviceUrl: cap.v2, version: "2.0", retry: false });
    const error = await notFound(client.collection<Pair>("Pairs").key({ A: 73, B: "v2" }).update({ label: "x" }));
    assert.doesNotMatch(said(error), /upsert|replace/);
  });
});
