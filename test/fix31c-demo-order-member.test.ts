/**
 * The demo service (started in-process, over HTTP on 127.0.0.1) answers a path below one order
 * that names no member of Order (`Orders(1)/items`, what `navigate("items")` sends) by saying that
 * Order has no property or navigation property of that name. Before, it said "Order has no
 * operation Demo.items", as if the caller had asked for an operation. A qualified name or one with
 * parentheses is an operation and is still answered so; a property of Order named alone is said to
 * be one whose own path the demo does not serve.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startDemoService, type DemoService } from "../demo/service.js";
import { ODataClient, ODataHttpError } from "../src/index.js";

let service: DemoService;
/** Every request the service answered: `METHOD url status`. */
const answered: string[] = [];

before(async () => {
  service = await startDemoService({ productCount: 5, onRequest: (method, url, status) => answered.push(`${method} ${decodeURIComponent(url)} ${status}`) });
});
after(() => service.close());

/** A GET sent with fetch, the path below the service root as written. */
async function get(path: string): Promise<{ status: number; body: { value?: number; error?: { code: string; message: string } } }> {
  const response = await fetch(service.serviceUrl + path, { headers: { accept: "application/json" } });
  return { status: response.status, body: (await response.json()) as { error?: { code: string; message: string } } };
}

async function failure(run: () => Promise<unknown>): Promise<ODataHttpError> {
  try {
    await run();
  } catch (error) {
    assert.ok(error instanceof ODataHttpError, String(error));
    return error;
  }
  assert.fail("expected a rejection");
}

describe("the demo's answer to a path below an order", () => {
  test("navigate(\"items\") on an order is answered 404: items is not a property or navigation property of Order", async () => {
    const client = new ODataClient({ serviceUrl: service.serviceUrl, retry: false });
    answered.length = 0;
    const error = await failure(() => client.collection("Orders").key(1).navigate("items").list());
    assert.equal(error.status, 404);
    assert.equal(error.odataError?.code, "NotFound");
    assert.equal(error.odataError?.message, "items is not a property or navigation property of Order (which has no navigation properties), nor an operation bound to it");
    assert.deepEqual(answered, ["GET /odata/v4/demo/Orders(1)/items 404"]);
  });

  test("a qualified name or a call is an operation, and one Order has not is still said to be no operation", async () => {
    answered.length = 0;
    const qualified = await get("Orders(1)/Demo.items");
    assert.deepEqual([qualified.status, qualified.body.error?.message], [404, "Order has no operation Demo.items"]);
    const called = await get("Orders(1)/items()");
    assert.deepEqual([called.status, called.body.error?.message], [404, "Order has no operation Demo.items"]);
    assert.deepEqual(answered, ["GET /odata/v4/demo/Orders(1)/Demo.items 404", "GET /odata/v4/demo/Orders(1)/items() 404"]);
  });

  test("a property of Order named alone is said to be one whose own path the demo does not serve (501)", async () => {
    answered.length = 0;
    const answer = await get("Orders(1)/customer");
    assert.equal(answer.status, 501);
    assert.equal(answer.body.error?.message, "The demo service does not serve a property's own path (Orders(1)/customer); read it with $select=customer");
    assert.deepEqual(answered, ["GET /odata/v4/demo/Orders(1)/customer 501"]);
  });

  test("the bound function, named alone, is still called", async () => {
    answered.length = 0;
    const answer = await get("Orders(1)/discountedAmount(percent=50)");
    assert.equal(answer.status, 200);
    assert.equal(typeof answer.body.value, "number");
    assert.deepEqual(answered, ["GET /odata/v4/demo/Orders(1)/discountedAmount(percent=50) 200"]);
  });
});
