// A media stream (`media().stream()`) arms its stall timer only when the caller reads it: one the
// caller drops unread leaves no timer behind that would keep the process alive for up to `timeout`
// ms (the stream no longer pulls a chunk ahead as it starts). A stream that is read is still watched: a body that stalls
// while the caller waits on a read fails with TIMEOUT. node:http on 127.0.0.1.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClientError } from "../src/index.js";
import { serveClient } from "./servers/recording-server.js";

/** The timers the process holds (Node's active resources of kind Timeout). */
function timers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test("a media stream not read arms no timer; its first read gets the body's bytes", async (t) => {
  const { server, client } = await serveClient(
    t,
    (_request, res) => {
      res.writeHead(200, { "content-type": "image/png" });
      res.write(Buffer.alloc(1000, 1));
      // The rest waits: a body not read to its end.
    },
    { timeout: 60_000 },
  );
  const before = timers();
  const { body, contentType } = await client.collection("Photos").key(1).media().stream();
  assert.equal(contentType, "image/png");
  for (let i = 0; i < 5; i++) await settle();
  // A caller that drops the stream here would otherwise wait for the stall timer to let the
  // process go, up to `timeout` ms.
  assert.equal(timers(), before, "a stream nobody read armed a timer");
  const reader = body.getReader();
  const first = await reader.read();
  assert.deepEqual(first.value, new Uint8Array(1000).fill(1));
  assert.equal(server.requests.length, 1);
  assert.equal(server.requests[0]?.path, "/odata/Photos(1)/$value");
  await reader.cancel();
  assert.equal(timers(), before, "a cancelled stream left a timer");
});

test("a media stream that is read still fails with TIMEOUT when its body stalls", async (t) => {
  const { client } = await serveClient(
    t,
    (_request, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.write(Buffer.alloc(10, 2));
    },
    { timeout: 150 },
  );
  const { body } = await client.collection("Files").key(1).media().stream();
  const reader = body.getReader();
  assert.equal((await reader.read()).value?.byteLength, 10);
  const started = Date.now();
  const error = await reader.read().then(
    () => assert.fail("read resolved"),
    (failure: unknown) => failure,
  );
  assert.ok(error instanceof ODataClientError, `got ${String(error)}`);
  assert.equal(error.code, "TIMEOUT");
  assert.match(error.message, /Files\(1\)\/\$value: the answer's body stalled, no data arrived for 150 ms/);
  assert.ok(Date.now() - started < 2000);
});
