// A header value with a control character other than HTAB (or DEL) is no field value (RFC 9110
// §5.5). `Headers` takes it; Node's HTTP client then refuses the request as it sends, so the
// mistake in the options looked like a network failure. The client's `headers` option and a
// request's own `headers` refuse it with a TypeError that names the header, not the value (it may
// be a secret), and nothing goes on the wire; HTAB, the one control character a value may hold, is
// sent as given.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ODataClient } from "../src/index.js";
import { sendJson, startServer } from "./servers/recording-server.js";

const CONTROLS: ReadonlyArray<readonly [string, string]> = [
  ["U+0001", "abc\u0001def"],
  ["ESC", "abc\u001b[2Jdef"],
  ["vertical tab", "abc\u000bdef"],
  ["form feed", "abc\u000cdef"],
  ["DEL", "abc\u007fdef"],
];

async function startService() {
  const server = await startServer((request, res) => {
    if (request.method === "POST") return sendJson(res, 201, { ID: 1 });
    sendJson(res, 200, { value: [] });
  });
  return server;
}

test("the client's headers option: a value with a control character other than HTAB is refused when the client is made, naming the header and not the value; nothing is sent", async (t) => {
  const server = await startService();
  t.after(() => server.close());
  for (const [what, value] of CONTROLS) {
    assert.throws(
      () => new ODataClient({ serviceUrl: server.url("odata/"), retry: false, headers: { "X-Trace": value } }),
      (error: unknown) => {
        assert.ok(error instanceof TypeError, `${what}: ${String(error)}`);
        assert.equal(error.message, 'ODataClient option "headers" has an invalid header "X-Trace" (bad name or value)');
        return true;
      },
      what,
    );
  }
  assert.equal(server.requests.length, 0);

  // HTAB may stand inside a field value: it goes out as given.
  const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false, headers: { "X-Trace": "abc\tdef" } });
  await client.collection("Items").list();
  assert.equal(server.requests.length, 1);
  assert.equal(server.requests[0]?.headers["x-trace"], "abc\tdef");
});

test("a write's own headers: a value with a control character other than HTAB is refused before anything is sent, the value not quoted", async (t) => {
  const server = await startService();
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false });
  for (const [what, value] of CONTROLS) {
    await assert.rejects(
      client.collection("Items").create({ Name: "x" }, { headers: { "X-Trace": value } }),
      (error: unknown) => {
        assert.ok(error instanceof TypeError, `${what}: ${String(error)}`);
        assert.match(error.message, /option "headers" must give "X-Trace" a string without control characters or characters beyond U\+00FF; got one with them$/);
        assert.ok(!error.message.includes("abc"), "the value is not quoted");
        return true;
      },
      what,
    );
  }
  assert.equal(server.requests.length, 0);

  await client.collection("Items").create({ Name: "x" }, { headers: { "X-Trace": "abc\tdef" } });
  assert.deepEqual(
    server.requests.map((request) => [request.method, request.headers["x-trace"]]),
    [["POST", "abc\tdef"]],
  );
});
