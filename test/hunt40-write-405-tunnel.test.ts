// A write refused `405 Method Not Allowed` with no OData error in the answer (an OData v2 `MERGE`,
// or a `PATCH`, `PUT` or `DELETE`, that a proxy in front of the service does not let through: its
// page or empty body) says that `{ tunnel: true }` sends it as `POST` with `X-HTTP-Method`; one
// that was tunnelled already says that the tunnel was refused. The service's own OData error (SAP
// CAP's for a read-only entity) is not told to tunnel, which would be refused alike.
// Before, the error said "HTTP 405 Method Not Allowed" and nothing of the option. A write method
// without the option (`updateAsync()`) and a POST (`create()`) are not told of it, nor is a
// `$batch` part: no proxy sees a part's method (its `tunnel: true` is refused before anything is
// sent: test/hunt41-write-batch-tunnel.test.ts). Against a node:http service on 127.0.0.1 and the
// real SAP CAP server.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataHttpError } from "../src/index.js";
import { onlyRequest, serveClient, sendJson } from "./servers/recording-server.js";
import { useCap } from "./servers/use-cap.js";

interface Pair {
  A: number;
  B: string;
  label?: string;
}

/** What a message says after the request it names (the CAP server's database path names this file). */
const said = (error: Error): string => error.message.slice(error.message.indexOf(" failed with "));

const REFUSED = { error: { code: "405", message: "Method Not Allowed" } };
/** A proxy's refusal: a page, no OData error. */
const PROXY_PAGE = "<html><body><h1>405 Not Allowed</h1><hr><center>nginx</center></body></html>";
const proxy = (_request: unknown, res: import("node:http").ServerResponse) => {
  res.writeHead(405, { "Content-Type": "text/html" });
  res.end(PROXY_PAGE);
};

async function refusal(promise: Promise<unknown>): Promise<ODataHttpError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ODataHttpError, String(error));
    assert.equal(error.status, 405);
    return error;
  }
  assert.fail("the write resolved");
}

test("v2 update (MERGE), upsert, replace (PUT) and delete answered 405 name { tunnel: true }", async (t) => {
  const { server, client } = await serveClient(t, proxy, { version: "2.0" });
  const book = client.collection("Books").key(1);
  const merge = await refusal(book.update({ stock: 1 }));
  assert.match(merge.message, /^MERGE .*Books\(1\) failed with HTTP 405 .*\(method not allowed: .*\{ tunnel: true \} sends it as POST with X-HTTP-Method: MERGE\)$/);
  const upsert = await refusal(book.upsert({ stock: 1 }));
  assert.match(upsert.message, /\{ tunnel: true \} sends it as POST with X-HTTP-Method: MERGE\)$/);
  const put = await refusal(book.replace({ ID: 1 }));
  assert.match(put.message, /\{ tunnel: true \} sends it as POST with X-HTTP-Method: PUT\)$/);
  const del = await refusal(book.delete());
  assert.match(del.message, /\{ tunnel: true \} sends it as POST with X-HTTP-Method: DELETE\)$/);
  assert.deepEqual(
    server.requests.map((request) => [request.method, request.path, request.headers["x-http-method"]]),
    [
      ["MERGE", "/odata/Books(1)", undefined],
      ["MERGE", "/odata/Books(1)", undefined],
      ["PUT", "/odata/Books(1)", undefined],
      ["DELETE", "/odata/Books(1)", undefined],
    ],
  );
});

test("a tunnelled write answered 405 says the service refused the tunnel, not to tunnel", async (t) => {
  const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 405, REFUSED), { version: "2.0" });
  const error = await refusal(client.collection("Books").key(1).update({ stock: 1 }, { tunnel: true }));
  assert.match(error.message, /\(method not allowed: .*refused .*POST with X-HTTP-Method: MERGE/);
  assert.doesNotMatch(error.message, /tunnel: true/);
  const sent = server.requests[0]!;
  assert.equal(sent.method, "POST");
  assert.equal(sent.headers["x-http-method"], "MERGE");
});

test("v4 PATCH answered 405 names the option; create() (POST) and updateAsync(), which has no tunnel, are not told of it", async (t) => {
  const { server, client } = await serveClient(t, proxy);
  const books = client.collection("Books");
  const patch = await refusal(books.key(1).update({ stock: 1 }));
  assert.match(patch.message, /\{ tunnel: true \} sends it as POST with X-HTTP-Method: PATCH\)$/);
  const post = await refusal(books.create({ ID: 1 }));
  assert.doesNotMatch(post.message, /tunnel/);
  const later = await refusal(books.key(1).updateAsync({ stock: 1 }));
  assert.doesNotMatch(later.message, /tunnel/);
  assert.deepEqual(
    server.requests.map((request) => [request.method, request.path]),
    [
      ["PATCH", "/odata/Books(1)"],
      ["POST", "/odata/Books"],
      ["PATCH", "/odata/Books(1)"],
    ],
  );
});

describe("against SAP CAP, which takes no tunnelled PATCH in OData v4 nor a tunnelled part", () => {
  const cap = useCap();

  test("the service's own 405 (a read-only entity set) is not told to tunnel", async () => {
    for (const [serviceUrl, version] of [[cap.v4, "4.0"], [cap.v2, "2.0"]] as const) {
      const client = new ODataClient({ serviceUrl, version, retry: false });
      const error = await refusal(client.collection("BooksPaged").key(1).update({ stock: 1 }));
      assert.match(said(error), /is read-only$/);
    }
  });

  test("a tunnelled v4 update is refused 405 and says the tunnel was refused; the same through the v2 adapter is applied", async () => {
    const v4 = new ODataClient({ serviceUrl: cap.v4, retry: false });
    const error = await refusal(v4.collection<Pair>("Pairs").key({ A: 1, B: "x" }).update({ label: "tunnelled" }, { tunnel: true }));
    assert.match(said(error), /\(method not allowed: the service, or a proxy before it, refused the write tunnelled as POST with X-HTTP-Method: PATCH\)$/);
    const v2 = new ODataClient({ serviceUrl: cap.v2, version: "2.0", retry: false });
    const updated = await v2.collection<Pair>("Pairs").key({ A: 1, B: "y" }).update({ label: "tunnelled" }, { tunnel: true });
    assert.equal(updated?.label, "tunnelled");
    assert.equal((await v4.collection<Pair>("Pairs").key({ A: 1, B: "x" }).get()).label, "one x");
  });
});

test("a $batch part answered 405 without a tunnel is not told to tunnel (no proxy sees its method)", async (t) => {
  const part = "Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json\r\n\r\n" + JSON.stringify(REFUSED) + "\r\n";
  const { server, client } = await serveClient(t, (_request, res) => {
    res.writeHead(200, { "Content-Type": "multipart/mixed; boundary=b" });
    res.end(`--b\r\n${part}--b--\r\n`);
  });
  const batch = client.batch();
  const updated = batch.update(client.collection("Books").key(1), { stock: 1 });
  await batch.send();
  const result = updated.result();
  assert.equal(result.status, 405);
  assert.ok(!result.ok);
  assert.doesNotMatch(result.error.message, /tunnel/);
  assert.match(onlyRequest(server).body, /\r\n\r\nPATCH Books\(1\) HTTP\/1\.1\r\n/);
});
