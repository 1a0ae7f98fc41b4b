/**
 * The demo service reads system query option names as OData 4.01 services must (Part 2 §5.1): in
 * any case (`$Top`, `$TOP`), and in a request of OData 4.01 without the `$` too (`top`). It
 * refused `$Top=2` with 400 as an unknown option, so a 4.01 client writing the names its own way
 * got no answer. In a request of OData 4.0 a name without `$` stays a custom option, ignored.
 * Against the service started in-process, over HTTP on 127.0.0.1.
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

const V401 = { "OData-MaxVersion": "4.01" };
const V40 = { "OData-Version": "4.0", "OData-MaxVersion": "4.0" };

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: { value?: { ID: number }[]; error?: unknown; "@odata.nextLink"?: string; "@odata.count"?: number } }> {
  const response = await fetch(root + path, { headers: { Accept: "application/json", ...headers } });
  return { status: response.status, body: (await response.json()) as never };
}

const ids = (body: { value?: { ID: number }[] }): number[] | undefined => body.value?.map((entity) => entity.ID);

describe("system query option names under OData 4.01", () => {
  test("Orders?$Top=2 and Orders?$TOP=2 answer two orders", async () => {
    for (const path of ["Orders?$Top=2", "Orders?$TOP=2", "Orders?$top=2"]) {
      const answer = await get(path, V401);
      assert.equal(answer.status, 200, `${path}: ${JSON.stringify(answer.body)}`);
      assert.deepEqual(ids(answer.body), [1, 2], path);
    }
    const all = await get("Orders", V401);
    assert.deepEqual(ids(all.body), [1, 2, 3], "three orders without $top");
  });

  test("OData-Version: 4.01 reads them too, and without the $: top, SKIP, Count", async () => {
    const headers = { "OData-Version": "4.01", "OData-MaxVersion": "4.01" };
    assert.deepEqual(ids((await get("Orders?$Top=2", headers)).body), [1, 2]);
    const bare = await get("Orders?top=1&SKIP=1&Count=true", headers);
    assert.equal(bare.status, 200, JSON.stringify(bare.body));
    assert.deepEqual(ids(bare.body), [2]);
    assert.equal(bare.body["@odata.count"], 3);
  });

  test("Products: $TOP, $Skip and $Select; a next link drops the SkipToken the client wrote", async () => {
    const page = await get("Products?$TOP=2&$Skip=3&$Select=ID", V401);
    assert.equal(page.status, 200, JSON.stringify(page.body));
    assert.deepEqual(page.body.value, [{ ID: 4 }, { ID: 5 }]);
    const paged = await get("Products?top=25&SKIPTOKEN=10", V401);
    assert.deepEqual(ids(paged.body), [11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    assert.equal(paged.body["@odata.nextLink"], `${root}Products?top=25&$skiptoken=20`);
    const next = await get("Products?top=25&$skiptoken=20", V401);
    assert.deepEqual(ids(next.body), [21, 22, 23, 24, 25]);
  });

  test("two spellings of one option are refused (400), not one of them chosen", async () => {
    const answer = await get("Orders?$top=1&$Top=2", V401);
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.body, { error: { code: "InvalidQuery", message: "$top and $Top are the same system query option, $top" } });
  });

  test("a $batch part's $Top under the batch request's OData-Version 4.01", async () => {
    const fetched = await fetch(root, { headers: { "X-CSRF-Token": "Fetch" } });
    const token = fetched.headers.get("x-csrf-token") ?? "";
    const cookie = (fetched.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    await fetched.arrayBuffer();
    const body = ["--b", "Content-Type: application/http", "Content-Transfer-Encoding: binary", "", "GET Orders?$Top=2&skip=1 HTTP/1.1", "Accept: application/json", "", "", "--b--", ""].join("\r\n");
    const response = await fetch(`${root}$batch`, {
      method: "POST",
      headers: { "Content-Type": "multipart/mixed; boundary=b", "OData-Version": "4.01", "OData-MaxVersion": "4.01", "X-CSRF-Token": token, Cookie: cookie },
      body,
    });
    const text = await response.text();
    assert.equal(response.status, 200, text);
    assert.match(text, /HTTP\/1\.1 200 OK\r\n/);
    const json = JSON.parse(text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1)) as { value: { ID: number }[] };
    assert.deepEqual(ids(json), [2, 3]);
  });
});

describe("system query option names under OData 4.0", () => {
  test("a $ name in another case is still read: no custom option begins with $", async () => {
    for (const headers of [V40, {}]) {
      const answer = await get("Orders?$Top=2", headers);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.deepEqual(ids(answer.body), [1, 2]);
    }
  });

  test("a name without $ is a custom option, ignored; without version headers too", async () => {
    for (const headers of [V40, {}, { "OData-Version": "4.0", "OData-MaxVersion": "4.01" }]) {
      const answer = await get("Orders?top=1&Skip=1", headers);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.deepEqual(ids(answer.body), [1, 2, 3], JSON.stringify(headers));
    }
  });
});
