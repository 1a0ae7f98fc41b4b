/**
 * The demo service's collections and an unknown system query option, over HTTP on 127.0.0.1: a
 * `$name` OData does not define (`$foo`, a misspelt `$top`) is answered 400 with an OData error
 * naming it, as an OData service answers it, rather than being ignored; one OData defines that the
 * collection does not apply is 501. Custom options and parameter aliases still pass.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startDemoService, type DemoService } from "../demo/service.js";

let service: DemoService;
let root: string;

before(async () => {
  service = await startDemoService({ productCount: 30, pageSize: 10 });
  root = service.serviceUrl;
});
after(() => service.close());

async function get(path: string): Promise<{ status: number; type: string; body: unknown }> {
  const response = await fetch(root + path);
  const type = response.headers.get("content-type") ?? "";
  return { status: response.status, type, body: type.startsWith("application/json") ? await response.json() : await response.text() };
}

describe("an unknown system query option", () => {
  test("Products, ProductsUnpaged and Orders answer 400 with an OData error naming it", async () => {
    for (const path of ["Products?$foo=1", "ProductsUnpaged?$foo=1", "Orders?$foo=1", "Products?$top=2&$foo=1", "Orders?$count=true&$foo=1"]) {
      const answer = await get(path);
      assert.equal(answer.status, 400, path);
      assert.match(answer.type, /^application\/json/, path);
      assert.deepEqual(answer.body, { error: { code: "InvalidQuery", message: "$foo is not a system query option of OData" } }, path);
    }
  });

  test("a misspelt option is not taken for the real one: $tpo is refused, not ignored", async () => {
    const answer = await get("Products?$tpo=1");
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.body, { error: { code: "InvalidQuery", message: "$tpo is not a system query option of OData" } });
  });

  test("the counts of Products and Orders refuse it too", async () => {
    for (const path of ["Products/$count?$foo=1", "Orders/$count?$foo=1"]) {
      const answer = await get(path);
      assert.equal(answer.status, 400, path);
      assert.deepEqual(answer.body, { error: { code: "InvalidQuery", message: "$foo is not a system query option of OData" } }, path);
    }
  });

  test("custom options (no $) and parameter aliases (@) are still the service's to ignore", async () => {
    const products = await get("Products?$top=2&sap-client=100&@p=1");
    assert.equal(products.status, 200);
    assert.deepEqual((products.body as { value: { ID: number }[] }).value.map((product) => product.ID), [1, 2]);
    const orders = await get("Orders?trace=1");
    assert.equal(orders.status, 200);
    assert.equal((orders.body as { value: unknown[] }).value.length, 3);
  });
});

describe("a system query option the collection does not apply", () => {
  test("Products and Orders answer 501 naming it, rather than answering as if it were applied", async () => {
    for (const [path, name, set] of [
      ["Products?$deltatoken=1", "$deltatoken", "Products"],
      ["ProductsUnpaged?$index=1", "$index", "ProductsUnpaged"],
      ["Orders?$select=customer", "$select", "Orders"],
      ["Orders?$search=x", "$search", "Orders"],
    ] as const) {
      const answer = await get(path);
      assert.equal(answer.status, 501, path);
      assert.deepEqual(answer.body, { error: { code: "NotImplemented", message: `The demo service does not implement ${name} on ${set}` } }, path);
    }
  });

  test("$format asking for JSON is applied (it is all the service writes); another format is 501", async () => {
    assert.equal((await get("Products?$top=1&$format=json")).status, 200);
    assert.equal((await get("Orders?$format=application/json")).status, 200);
    for (const path of ["Products?$format=xml", "Orders?$format=atom"]) {
      const answer = await get(path);
      assert.equal(answer.status, 501, path);
      assert.equal((answer.body as { error: { code: string } }).error.code, "NotImplemented", path);
    }
  });
});
