// partitions(n) without a model or key reads $metadata for the key. A $metadata read that times
// out, loses its connection or is answered with a status the retry step retries (408, 429, 502,
// 503, 504) may succeed when tried again: it rejects with its own error, not PARTITION_KEY_UNKNOWN
// (which the CLI maps to a usage error, and resume scripts take as final). A service without
// $metadata (404, 500, 501 Not Implemented) or one whose document cannot be read stays
// PARTITION_KEY_UNKNOWN, its failure the cause.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ODataClient, ODataClientError, ODataHttpError } from "../src/index.js";

const TIMEOUT = 400;

type Metadata = "stalls" | "drops" | "503" | "429" | "404" | "500" | "501" | "broken";

async function serve(metadata: Metadata) {
  const seen: string[] = [];
  const server = createServer((req, res: ServerResponse) => {
    seen.push(`${req.method} ${decodeURIComponent(req.url!)}`);
    if (req.url!.includes("$count")) {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("100");
      return;
    }
    if (!req.url!.includes("$metadata")) {
      res.writeHead(500);
      res.end();
      return;
    }
    if (metadata === "drops") res.socket?.destroy();
    else if (/^\d+$/.test(metadata)) res.writeHead(Number(metadata), { "content-type": "text/plain" }).end("no $metadata now");
    else if (metadata === "broken") res.writeHead(200, { "content-type": "application/xml" }).end("<edmx:Edmx Version=");
    // "stalls": no answer at all
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, seen, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

async function planned(metadata: Metadata): Promise<{ error: unknown; seen: string[]; origin: string }> {
  const server = await serve(metadata);
  try {
    const client = new ODataClient({ serviceUrl: `${server.origin}/odata/`, timeout: TIMEOUT, retry: false });
    const error = await client.collection("Items").partitions(4).then(
      (value) => assert.fail(`resolved with ${JSON.stringify(value)}`),
      (error: unknown) => error,
    );
    return { error, seen: [...server.seen].sort(), origin: server.origin };
  } finally {
    await server.close();
  }
}

const asked = ["GET /odata/$metadata", "GET /odata/Items/$count"];

test("partitions(n): a $metadata that gets no answer in time rejects with TIMEOUT", { timeout: 10_000 }, async () => {
  const { error, seen, origin } = await planned("stalls");
  assert.deepEqual(seen, asked);
  assert.ok(error instanceof ODataClientError);
  assert.equal(error.code, "TIMEOUT", error.message);
  assert.equal(error.message, `GET ${origin}/odata/$metadata got no answer within ${TIMEOUT} ms (option "timeout")`);
});

test("partitions(n): a $metadata whose connection drops rejects with NETWORK_ERROR", { timeout: 10_000 }, async () => {
  const { error, seen } = await planned("drops");
  assert.deepEqual(seen, asked);
  assert.ok(error instanceof ODataClientError);
  assert.equal(error.code, "NETWORK_ERROR", error.message);
  assert.match(error.message, /\$metadata/);
});

for (const status of ["503", "429"] as const) {
  test(`partitions(n): a $metadata answered ${status} rejects with that ODataHttpError`, { timeout: 10_000 }, async () => {
    const { error, seen } = await planned(status);
    assert.deepEqual(seen, asked);
    assert.ok(error instanceof ODataHttpError, String(error));
    assert.equal(error.status, Number(status));
    assert.match(error.message, /\$metadata/);
  });
}

for (const [metadata, cause] of [["404", "HTTP_ERROR"], ["500", "HTTP_ERROR"], ["501", "HTTP_ERROR"], ["broken", "BAD_METADATA"]] as const) {
  test(`partitions(n): a $metadata that is ${metadata === "broken" ? "unreadable" : `not there (${metadata})`} stays PARTITION_KEY_UNKNOWN`, { timeout: 10_000 }, async () => {
    const { error, seen } = await planned(metadata);
    assert.deepEqual(seen, asked);
    assert.ok(error instanceof ODataClientError, String(error));
    assert.equal(error.code, "PARTITION_KEY_UNKNOWN", error.message);
    assert.match(error.message, /\$metadata could not be read .*; pass \{ key: "<property>" \}/);
    assert.equal((error.cause as ODataClientError).code, cause);
    if (cause === "HTTP_ERROR") assert.equal((error.cause as ODataHttpError).status, Number(metadata));
  });
}
