/**
 * The demo service's keys, over HTTP on 127.0.0.1: every entity set's key is `ID`, an `Edm.Int32`
 * in `$metadata`, so a key literal outside -2147483648..2147483647 is no key of the set and is
 * refused 400 `InvalidKey`, as `Products(1.0)` is. The demo took any integer of up to 15 digits: a
 * read of `Products(2147483648)` answered 404 as if such an entity could exist, and `PUT` (an
 * upsert) created `Orders(999999999999)`, an order whose ID a client typed by `$metadata` (Int32)
 * cannot hold. The same applies to a request inside `$batch`.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startDemoService, type DemoService } from "../demo/service.js";

let service: DemoService;
let root: string;
let session: { token: string; cookie: string };

before(async () => {
  service = await startDemoService({ productCount: 30 });
  root = service.serviceUrl;
  const fetched = await fetch(root, { headers: { "X-CSRF-Token": "Fetch" } });
  await fetched.text();
  session = { token: fetched.headers.get("x-csrf-token") ?? "", cookie: (fetched.headers.get("set-cookie") ?? "").split(";")[0] ?? "" };
});
after(() => service.close());

function write(method: string, path: string, body: unknown): Promise<Response> {
  return fetch(root + path, { method, headers: { "X-CSRF-Token": session.token, Cookie: session.cookie, "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

describe("a key outside Edm.Int32", () => {
  test("a read answers 400 InvalidKey, not 404", async () => {
    for (const path of ["Products(2147483648)", "Orders(2147483648)", "ExportJobs(ID=99999999999)", "Products(-2147483649)"]) {
      const response = await fetch(root + path);
      assert.equal(response.status, 400, path);
      const body = (await response.json()) as { error: { code: string } };
      assert.equal(body.error.code, "InvalidKey", path);
    }
  });

  test("the largest Int32 is a key: an entity that is not there is 404", async () => {
    const response = await fetch(`${root}Products(2147483647)`);
    assert.equal(response.status, 404);
    await response.text();
  });

  test("PUT to such a key creates no order", async () => {
    const put = await write("PUT", "Orders(999999999999)", { customer: "X", productID: 1, quantity: 1 });
    assert.equal(put.status, 400, await put.clone().text());
    assert.equal(((await put.json()) as { error: { code: string } }).error.code, "InvalidKey");
    const all = (await (await fetch(`${root}Orders`)).json()) as { value: { ID: number }[] };
    assert.deepEqual(all.value.map((order) => order.ID), [1, 2, 3]);
    // An Int32 key is an upsert as before.
    const inRange = await write("PUT", "Orders(2147483647)", { customer: "X", productID: 1, quantity: 1 });
    assert.equal(inRange.status, 201);
    assert.equal(((await inRange.json()) as { ID: number }).ID, 2147483647);
  });

  test("inside $batch too", async () => {
    const boundary = "batch_k";
    const body = [`--${boundary}`, "Content-Type: application/http", "Content-Transfer-Encoding: binary", "", "GET Products(2147483648) HTTP/1.1", "Accept: application/json", "", "", `--${boundary}--`, ""].join("\r\n");
    const response = await fetch(`${root}$batch`, { method: "POST", headers: { "Content-Type": `multipart/mixed;boundary=${boundary}`, "X-CSRF-Token": session.token, Cookie: session.cookie }, body });
    const text = await response.text();
    assert.equal(response.status, 200, text);
    assert.match(text, /HTTP\/1\.1 400 /);
    assert.match(text, /InvalidKey/);
  });
});
