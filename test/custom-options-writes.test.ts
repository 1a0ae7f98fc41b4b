// A custom query option set with param() (SAP's `sap-client`) goes with every request made from the
// query: its reads and operations, and also its writes, its media and its references, so that an
// entity read from client 100 is not written, deleted or streamed in the service's default client.
// Parameter aliases (`@p`) and system options ($select, $filter) stay with the reads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { sendJson, startServer, type RecordingServer } from "./servers/recording-server.js";

/** Answers a write with the entity, a media read with bytes, anything else with an empty 204. */
async function service(t: { after(fn: () => Promise<void>): void }): Promise<RecordingServer> {
  const server = await startServer((request, res) => {
    if (request.method === "GET" && request.path.includes("/$value")) {
      res.writeHead(200, { "content-type": "image/png" });
      res.end("PNG");
    } else if (request.method === "POST" && !request.path.includes("$ref") && !request.path.includes("$links")) {
      sendJson(res, 201, { ID: 1 });
    } else {
      res.writeHead(204);
      res.end();
    }
  });
  t.after(() => server.close());
  return server;
}

test("writes, media and references of a query with param(\"sap-client\") send it; its $select, $filter and @p alias stay with the reads (v4)", async (t) => {
  const server = await service(t);
  const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
  const all = client.collection<{ ID: number; Name?: string; Tags?: { ID: number }[]; Owner?: { ID: number } | null }>("Photos").param("sap-client", "100").param("@p", "1");
  const photos = all.filter((f) => f.gt("ID", 0));
  // (key() of the filtered query is refused: the set's $filter has no place in Photos(1).)
  const photo = all.key(1).select("Name");
  await photos.create({ ID: 1 });
  await photos.createMedia("PNG", { contentType: "image/png" });
  await photo.update({ Name: "n" });
  await photo.replace({ ID: 1, Name: "n" });
  await photo.upsert({ ID: 1, Name: "n" });
  await photo.media().put("PNG", { contentType: "image/png" });
  assert.equal(new TextDecoder().decode(await photo.media().bytes()), "PNG");
  await photo.link("Tags", client.collection("Tags").key(5));
  await photo.setLink("Owner", client.collection("People").key(7).param("sap-client", "200"));
  await photo.unlink("Tags", client.collection("Tags").key(5));
  await photo.unlink("Owner");
  await photo.delete();

  assert.equal(photo.media().url(), server.url("svc/Photos(1)/$value?sap-client=100"));
  const target = (path: string) => decodeURIComponent(new URL(path, "http://x").searchParams.get("$id") ?? "");
  assert.deepEqual(
    server.requests.map((r) => `${r.method} ${r.path}`),
    [
      "POST /svc/Photos?sap-client=100",
      "POST /svc/Photos?sap-client=100",
      "PATCH /svc/Photos(1)?sap-client=100",
      "PUT /svc/Photos(1)?sap-client=100",
      "PATCH /svc/Photos(1)?sap-client=100",
      "PUT /svc/Photos(1)/$value?sap-client=100",
      "GET /svc/Photos(1)/$value?sap-client=100",
      "POST /svc/Photos(1)/Tags/$ref?sap-client=100",
      "PUT /svc/Photos(1)/Owner/$ref?sap-client=100",
      `DELETE /svc/Photos(1)/Tags/$ref?$id=${server.url("svc/Tags(5)")}&sap-client=100`,
      "DELETE /svc/Photos(1)/Owner/$ref?sap-client=100",
      "DELETE /svc/Photos(1)?sap-client=100",
    ],
  );
  // A reference names its target by its URL alone: the target query's options are not part of it.
  assert.equal(JSON.parse(server.requests[8]!.body)["@odata.id"], server.url("svc/People(7)"));
  assert.equal(target(server.requests[9]!.path), server.url("svc/Tags(5)"));
});

test("a v2 client's writes and $links of a query with param(\"sap-client\") send it as well", async (t) => {
  const server = await service(t);
  const client = new ODataClient({ serviceUrl: server.url("svc/"), version: "2.0", retry: false });
  const order = client.collection("Orders").param("sap-client", "100").key(1);
  await order.update({ Note: "n" });
  await order.link("Items", client.collection("Items").key(3));
  await order.unlink("Items", client.collection("Items").key(3));
  await order.delete();
  assert.deepEqual(
    server.requests.map((r) => `${r.method} ${r.path}`),
    [
      "MERGE /svc/Orders(1)?sap-client=100",
      "POST /svc/Orders(1)/$links/Items?sap-client=100",
      "DELETE /svc/Orders(1)/$links/Items(3)?sap-client=100",
      "DELETE /svc/Orders(1)?sap-client=100",
    ],
  );
});

test("a $batch part made from a query with param(\"sap-client\") carries it in its request line", async (t) => {
  const server = await startServer((request, res) => {
    const boundary = "b_answer";
    const part = "--b_answer\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n\r\n";
    res.writeHead(200, { "content-type": `multipart/mixed; boundary=${boundary}` });
    res.end(`${part}${part}--b_answer--\r\n`);
  });
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
  const photo = client.collection("Photos").param("sap-client", "100").key(1);
  const batch = client.batch();
  batch.update(photo, { Name: "n" });
  batch.delete(photo);
  await batch.send();
  const body = server.requests[0]!.body;
  assert.match(body, /^PATCH Photos\(1\)\?sap-client=100 HTTP\/1\.1$/m);
  assert.match(body, /^DELETE Photos\(1\)\?sap-client=100 HTTP\/1\.1$/m);
});
