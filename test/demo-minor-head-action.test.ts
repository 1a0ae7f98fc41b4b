/**
 * HEAD on the demo service, over HTTP on 127.0.0.1. HEAD is GET without the body, so a resource
 * that takes POST only (an action, `$batch`) refuses it with 405 and `Allow: POST`, and the refusal
 * names HEAD, the method used, not GET. A HEAD answer carries no body: its `Content-Length` is that
 * of the error it would have sent, which is how the wording shows on the wire. Inside a `$batch`,
 * HEAD is answered as GET without the body too, and `Allow` names HEAD wherever GET is allowed.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startDemoService, type DemoService } from "../demo/service.js";

let service: DemoService;
let root: string;
let session: Record<string, string>;
const received: string[] = [];

before(async () => {
  service = await startDemoService({ productCount: 20, jobDuration: 0, retryAfter: 0, onRequest: (method, url, status) => received.push(`${status} ${method} ${url}`) });
  root = service.serviceUrl;
  const fetched = await fetch(root, { headers: { "X-CSRF-Token": "Fetch" } });
  await fetched.text();
  session = { "X-CSRF-Token": fetched.headers.get("x-csrf-token") as string, Cookie: (fetched.headers.get("set-cookie") as string).split(";")[0] as string };
});
after(() => service.close());

/** The error body the service writes for a 405, whose length a HEAD answer declares. */
function refusal(message: string): string {
  return JSON.stringify({ error: { code: "MethodNotAllowed", message } });
}

async function until(found: () => boolean): Promise<void> {
  // The request log is written once the answer is handed to the socket, possibly after the client read it.
  for (let turns = 0; turns < 100 && !found(); turns++) await new Promise((resolve) => setImmediate(resolve));
}

describe("HEAD of a POST-only resource", () => {
  test("answers 405 with Allow: POST, and the refusal names HEAD (its Content-Length is that of the HEAD message)", async () => {
    for (const path of ["exportProducts", "cancelOpenOrders", "Orders(1)/Demo.ship", "$batch"]) {
      const response = await fetch(root + path, { method: "HEAD", headers: session });
      assert.equal(response.status, 405, path);
      assert.equal(response.headers.get("allow"), "POST", path);
      assert.equal(await response.text(), "", path);
      assert.match(response.headers.get("content-type") ?? "", /^application\/json/, path);
      const expected = refusal("HEAD is not allowed here; use POST");
      assert.equal(response.headers.get("content-length"), String(Buffer.byteLength(expected)), `${path}: the refusal is not ${expected}`);
      await until(() => received.includes(`405 HEAD /odata/v4/demo/${path}`));
      assert.ok(received.includes(`405 HEAD /odata/v4/demo/${path}`), path);
    }
  });

  test("GET there still says GET; HEAD where GET is allowed is answered as GET, without a body", async () => {
    const get = await fetch(`${root}exportProducts`);
    assert.equal(get.status, 405);
    assert.equal(await get.text(), refusal("GET is not allowed here; use POST"));
    for (const path of ["Orders(1)", "ExportJobs", "Products?$top=2"]) {
      const head = await fetch(root + path, { method: "HEAD" });
      assert.equal(head.status, 200, path);
      assert.equal(await head.text(), "", path);
    }
  });

  test("a refusal on an order resource lists HEAD in Allow wherever GET is allowed, as the other resources do", async () => {
    const post = await fetch(`${root}Orders(1)`, { method: "POST", headers: { ...session, "Content-Type": "application/json" }, body: "{}" });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET, PATCH, PUT, DELETE, HEAD");
    assert.equal(await post.text(), refusal("POST is not allowed here; use GET or PATCH or PUT or DELETE or HEAD"));
    const put = await fetch(`${root}Products`, { method: "PUT", headers: session });
    assert.equal(put.headers.get("allow"), "GET, HEAD");
    await put.text();
  });
});

describe("HEAD inside a $batch", () => {
  test("is answered as GET without the body (orders and products); on an action it is 405 with Allow: POST", async () => {
    const boundary = "batch_head";
    const part = (request: string) => `--${boundary}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n${request}\r\n\r\n`;
    const body = `${part("HEAD Orders(1) HTTP/1.1")}${part("HEAD Products(2) HTTP/1.1")}${part("HEAD Orders(1)/Demo.ship HTTP/1.1")}--${boundary}--\r\n`;
    const response = await fetch(`${root}$batch`, {
      method: "POST",
      headers: { ...session, "Content-Type": `multipart/mixed; boundary=${boundary}`, Prefer: "odata.continue-on-error" },
      body,
    });
    assert.equal(response.status, 200);
    const answer = await response.text();
    const parts = answer.split(/--batchresponse_[\w-]+(?:--)?\r\n/).filter((text) => text.trim() !== "");
    assert.equal(parts.length, 3, answer);
    const [order, product, ship] = parts as [string, string, string];
    assert.match(order, /HTTP\/1\.1 200 OK\r\n/);
    assert.match(order, /ETag: W\/"1"\r\n/);
    // The headers end with an empty line, and nothing follows but the part's closing CRLF.
    assert.match(order, /\r\n\r\n\r\n$/);
    assert.doesNotMatch(order, /"customer"/);
    assert.match(product, /HTTP\/1\.1 200 OK\r\nContent-Type: application\/json;odata\.metadata=minimal\r\n\r\n\r\n$/);
    assert.match(ship, /HTTP\/1\.1 405 Method Not Allowed\r\n/);
    assert.match(ship, /Allow: POST\r\n/);
    assert.match(ship, /\r\n\r\n\r\n$/);
  });
});
