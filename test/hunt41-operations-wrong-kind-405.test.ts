/**
 * An action called as a function (GET), or a function as an action (POST), is answered
 * `405 Method Not Allowed`. In OData v2 the two differ only by the function import's
 * `m:HttpMethod`, which the caller must read in `$metadata` to choose `client.function()` or
 * `client.action()`. Before, the error said "405 Method Not Allowed" alone; now it says which call
 * the service may want. Against the real SAP CAP server (v4 and its v2 adapter); `getAsync()` and
 * `invokeAsync()` say the same.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataHttpError, type PipelineStep } from "../src/index.js";
import { useCap } from "./servers/use-cap.js";
import { sendJson, serveClient } from "./servers/recording-server.js";

async function refused(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ODataHttpError, String(error));
    assert.equal(error.status, 405);
    return error.message;
  }
  assert.fail("the call resolved");
}

describe("an operation called by the other kind's method", () => {
  const cap = useCap();
  const sent: string[] = [];
  const steps: PipelineStep[] = [
    {
      name: "record",
      handle: async (request, next) => {
        const url = new URL(request.url);
        sent.push(`${request.method} ${decodeURIComponent(url.pathname + url.search).replace(/^.*\/catalog\//, "")}`);
        return next(request);
      },
    },
  ];

  test("v4: an action called with get() is told to use action().invoke(), a function called with invoke() to use function().get()", async () => {
    sent.length = 0;
    const client = new ODataClient({ serviceUrl: cap.v4, version: "4.0", retry: false, steps });
    const asFunction = await refused(client.function("submitOrder", { book: 1, quantity: 1 }).get());
    assert.match(asFunction, /^GET .*submitOrder\(book=1,quantity=1\) failed with HTTP 405 .*\(method not allowed: "submitOrder" may be an action, which is called with action\("submitOrder"\)\.invoke\(\) \(POST\), not with GET\)$/);
    const asAction = await refused(client.action("countBooks").invoke({ minStock: 1 }));
    assert.match(asAction, /^POST .*countBooks failed with HTTP 405 .*\(method not allowed: "countBooks" may be a function, which is called with function\("countBooks", params\)\.get\(\) \(GET\), not with POST\)$/);
    const bound = await refused(client.collection("Books").key(1).action("discountedPrice").invoke({ percent: 1 }, { ifMatch: "*" }));
    assert.match(bound, /\(method not allowed: "discountedPrice" may be a function, which is called with function\("discountedPrice", params\)\.get\(\) \(GET\), not with POST\)$/);
    const poller = await refused(client.function("submitOrder", { book: 1, quantity: 1 }).getAsync());
    assert.match(poller, /\(method not allowed: "submitOrder" may be an action, .*not with GET\)$/);
    assert.deepEqual(sent, ["GET submitOrder(book=1,quantity=1)", "POST countBooks", "POST Books(1)/discountedPrice", "GET submitOrder(book=1,quantity=1)"]);
  });

  test("v2: the message names the function import's m:HttpMethod", async () => {
    sent.length = 0;
    const client = new ODataClient({ serviceUrl: cap.v2, version: "2.0", retry: false, steps });
    const asFunction = await refused(client.function("submitOrder", { book: 1, quantity: 1 }).get());
    assert.match(asFunction, /\(method not allowed: "submitOrder" may be a function import declared with m:HttpMethod other than GET, which is called with action\("submitOrder"\)\.invoke\(\) \(POST; option "method" for another\), not with GET\)$/);
    const asAction = await refused(client.action("countBooks").invokeAsync({ minStock: 1 }));
    assert.match(asAction, /\(method not allowed: "countBooks" may be a function import declared with m:HttpMethod="GET", which is called with function\("countBooks", params\)\.get\(\) \(GET\), not with POST\)$/);
    assert.deepEqual(sent, ["GET submitOrder?book=1&quantity=1", "POST countBooks?minStock=1"]);
  });
});

describe("a 405 that is no mix-up of the two kinds", () => {
  test("v2: a service operation sent with the MERGE the caller gave it is not told to be a function; other statuses are not either", async (t) => {
    const { server, client } = await serveClient(t, (request, res) => sendJson(res, request.method === "MERGE" ? 405 : 404, { error: { code: "X", message: { lang: "en", value: "no" } } }), { version: "2.0" });
    const merged = await refused(client.action("setFlag", { method: "MERGE" }).invoke({ on: true }));
    assert.doesNotMatch(merged, /may be/);
    assert.match(merged, /^MERGE .*setFlag\?on=true failed with HTTP 405/);
    await assert.rejects(client.function("countBooks").get(), (error: unknown) => error instanceof ODataHttpError && error.status === 404 && !/may be/.test(error.message));
    assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), ["MERGE /odata/setFlag?on=true", "GET /odata/countBooks"]);
  });
});
