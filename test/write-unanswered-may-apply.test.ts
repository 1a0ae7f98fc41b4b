/**
 * A write or an action whose request may have reached the service but got no answer (none within
 * the `timeout`: `TIMEOUT`; the connection closed after the request: `NETWORK_ERROR`) keeps its
 * code and says that the service may have applied the write (run the action) and to read before
 * sending it again: the client never sends a POST twice, so the program decides. A request that
 * was certainly not sent (a connection refused) and a read say nothing of the kind. Against
 * node:http services on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { ODataClient } from "../src/index.js";
import { clientRejection, serveClient, type Handler } from "./servers/recording-server.js";

const WRITE_HINT = "; the service may have received and applied the write: read before sending it again";
const ACTION_HINT = "; the service may have received it and run the action: read before sending it again";

/** Never answers: the request is read and left hanging. */
const silent: Handler = () => undefined;

/** Closes the connection once the request is read, without an answer. */
const dropping: Handler = (_request, res) => void res.socket?.destroy();

/** The calls under test, each with the request it sends and the hint its failure carries. */
const CALLS = [
  { name: "create()", sent: "POST Books", hint: WRITE_HINT, call: (client: ODataClient) => client.collection("Books").create({ ID: 1 }) },
  { name: "update()", sent: "PATCH Books(1)", hint: WRITE_HINT, call: (client: ODataClient) => client.collection("Books").key(1).update({ title: "x" }) },
  { name: "delete()", sent: "DELETE Books(1)", hint: WRITE_HINT, call: (client: ODataClient) => client.collection("Books").key(1).delete() },
  { name: "an action's invoke()", sent: "POST Shelve", hint: ACTION_HINT, call: (client: ODataClient) => client.action("Shelve").invoke({ shelf: 2 }) },
  { name: "createAsync()", sent: "POST Books", hint: WRITE_HINT, call: (client: ODataClient) => client.collection("Books").createAsync({ ID: 1 }) },
  { name: "an action's invokeAsync()", sent: "POST Shelve", hint: ACTION_HINT, call: (client: ODataClient) => client.action("Shelve").invokeAsync({ shelf: 2 }) },
] as const;

for (const { name, sent, hint, call } of CALLS) {
  const [method, path] = sent.split(" ") as [string, string];

  test(`${name} that gets no answer within the timeout rejects with TIMEOUT saying the service may have applied it; sent once`, async (t) => {
    const { server, client, root } = await serveClient(t, silent, { timeout: 300 });
    const error = await clientRejection(call(client));
    assert.equal(error.code, "TIMEOUT");
    assert.equal(error.message, `${method} ${root}${path} got no answer within 300 ms (option "timeout")${hint}`);
    // The timeout's own error stays as the cause.
    assert.equal((error.cause as { code?: unknown } | undefined)?.code, "TIMEOUT");
    assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), [`${method} /odata/${path}`]);
  });

  test(`${name} whose connection closes after the request rejects with NETWORK_ERROR saying the service may have applied it; sent once`, async (t) => {
    const { server, client, root } = await serveClient(t, dropping);
    const error = await clientRejection(call(client));
    assert.equal(error.code, "NETWORK_ERROR");
    assert.ok(error.message.startsWith(`${method} ${root}${path} failed before an answer arrived: `), error.message);
    assert.ok(error.message.endsWith(hint), error.message);
    // The transport's error stays the cause, as NETWORK_ERROR's documentation has it.
    assert.ok(error.cause instanceof TypeError, `cause: ${String(error.cause)}`);
    assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), [`${method} /odata/${path}`]);
  });
}

/** A port nothing listens on: one listened on, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test("a create() whose connection is refused was not sent: NETWORK_ERROR (ECONNREFUSED) without the hint", async () => {
  const root = `http://127.0.0.1:${await closedPort()}/odata/`;
  const client = new ODataClient({ serviceUrl: root, retry: false, timeout: 2_000 });
  for (const call of [() => client.collection("Books").create({ ID: 1 }), () => client.action("Shelve").invoke({})]) {
    const error = await clientRejection(call());
    assert.equal(error.code, "NETWORK_ERROR");
    assert.match(error.message, /^POST http:\/\/127\.0\.0\.1:\d+\/odata\/(Books|Shelve) failed before an answer arrived: .*ECONNREFUSED/);
    assert.ok(!error.message.includes("may have"), error.message);
  }
});

test("a read (get()) and a function that time out say nothing of a write applied", async (t) => {
  const { server, client, root } = await serveClient(t, silent, { timeout: 300 });
  const read = await clientRejection(client.collection("Books").key(1).get());
  assert.equal(read.code, "TIMEOUT");
  assert.equal(read.message, `GET ${root}Books(1) got no answer within 300 ms (option "timeout")`);
  const called = await clientRejection(client.function("Count").get());
  assert.equal(called.code, "TIMEOUT");
  assert.equal(called.message, `GET ${root}Count() got no answer within 300 ms (option "timeout")`);
  assert.equal(server.requests.length, 2);
});
