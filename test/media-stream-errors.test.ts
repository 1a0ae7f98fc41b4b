/**
 * A media stream whose connection is lost midway: the read rejects with the library's
 * `NETWORK_ERROR` naming the request, as a whole-body read does, not with the runtime's own error
 * (undici's `TypeError: terminated`); with the default timeout and with `timeout: 0`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClientError } from "../src/index.js";
import { serveClient } from "./servers/recording-server.js";

for (const timeout of [undefined, 0]) {
  test(`a media stream cut off midway rejects its read with NETWORK_ERROR naming the GET (timeout ${timeout ?? "default"})`, async (t) => {
    const { server, client } = await serveClient(
      t,
      (_request, res) => {
        res.writeHead(200, { "content-type": "application/octet-stream", "content-length": "1000" });
        res.write(Buffer.alloc(100, 7));
        // The rest never comes: the connection goes.
        setTimeout(() => res.socket?.destroy(), 50);
      },
      timeout === undefined ? {} : { timeout },
    );
    const { body } = await client.collection("Files").key(1).media().stream();
    const reader = body.getReader();
    let received = 0;
    let failure: unknown;
    try {
      for (;;) {
        const step = await reader.read();
        if (step.done) break;
        received += step.value.byteLength;
      }
    } catch (error) {
      failure = error;
    }
    assert.equal(received, 100);
    assert.ok(failure instanceof ODataClientError, `got ${String(failure)}`);
    assert.equal(failure.code, "NETWORK_ERROR");
    assert.match(failure.message, new RegExp(`^reading the answer of GET ${server.url("").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\S*Files\\(1\\)/\\$value failed: `));
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0]?.path.endsWith("/Files(1)/$value"), true);
  });
}
