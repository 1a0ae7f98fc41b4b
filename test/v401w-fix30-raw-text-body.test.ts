/**
 * A `batch.request()` whose body is text and which names no `Content-Type` goes under
 * `application/octet-stream`, as `BatchRawRequest.body` says: a JSON batch must name the type of
 * every body (JSON Format 4.01 §19.1) and carries a body of that type base64url-encoded, and a
 * multipart part names the same type over the same text. Against node:http on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { sendJson, startServer } from "./servers/recording-server.js";

const TEXT = "Zoë, 1 € — raw";

test("JSON batch (4.01): a text body without a Content-Type goes as application/octet-stream, its UTF-8 base64url-encoded; a text/plain one as a string; each part's answer comes back", async (t) => {
  const server = await startServer((r, res) => {
    const { requests } = JSON.parse(r.body) as { requests: { id: string; headers?: Record<string, string>; body?: string }[] };
    // Refuses a body without a type as a strict JSON batch reader would, else echoes the bytes read.
    if (requests.some((part) => part.body !== undefined && part.headers?.["content-type"] === undefined)) {
      sendJson(res, 400, { error: { code: "400", message: "A Content-Type header has to be specified for a body" } });
      return;
    }
    const read = (part: (typeof requests)[number]) => (part.headers?.["content-type"]?.startsWith("text/") ? part.body : Buffer.from(part.body ?? "", "base64url").toString("utf8"));
    sendJson(res, 200, { responses: requests.map((part) => ({ id: part.id, status: 200, headers: { "content-type": "text/plain" }, body: `got ${read(part)}` })) });
  });
  t.after(() => server.close());
  const batch = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, version: "4.01" }).batch();
  assert.equal(batch.format, "json");
  const untyped = batch.request<string>({ method: "PUT", url: "Notes(1)/$value", body: TEXT });
  const typed = batch.request<string>({ method: "PUT", url: "Notes(2)/$value", body: TEXT, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  await batch.send();

  const { requests } = JSON.parse(server.requests[0]!.body) as { requests: { headers: Record<string, string>; body: string }[] };
  assert.equal(requests[0]!.headers["content-type"], "application/octet-stream");
  assert.equal(requests[0]!.body, Buffer.from(TEXT, "utf8").toString("base64url"));
  assert.deepEqual([requests[1]!.headers["content-type"], requests[1]!.body], ["text/plain; charset=utf-8", TEXT]);
  const [first, second] = [untyped.result(), typed.result()];
  assert.ok(first.ok && second.ok, JSON.stringify([first, second]));
  assert.deepEqual([first.value, second.value], [`got ${TEXT}`, `got ${TEXT}`]);
});

test("multipart: the same text body without a Content-Type goes untyped, its text as given (a service reads it by its own rule, as before)", async (t) => {
  const server = await startServer((_r, res) => {
    const part = "--r\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n\r\n--r--\r\n";
    res.writeHead(200, { "content-type": "multipart/mixed; boundary=r" });
    res.end(part);
  });
  t.after(() => server.close());
  const batch = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, version: "4.0" }).batch({ boundaries: { batch: "b", changeset: (n) => `cs${n}` } });
  const upload = batch.request({ method: "PUT", url: "Notes(1)/$value", body: TEXT });
  await batch.send();

  const body = server.requests[0]!.body;
  const part = body.slice(body.indexOf("PUT Notes(1)/$value HTTP/1.1"), body.indexOf("\r\n--b--"));
  const [head = "", sent] = part.split("\r\n\r\n");
  assert.ok(!/^content-type:/im.test(head), head);
  assert.equal(sent, TEXT);
  const result = upload.result();
  assert.deepEqual([result.ok, result.status], [true, 204]);
});
