// The command line's own copies of answers (the `$metadata` text that `generate` hashes, the
// JSON text that the read commands keep for long numbers) are read to the library's limit of an
// answer read whole (256 MiB): an endless `$metadata` ends `generate` with BAD_PAYLOAD instead of
// filling memory, even with --timeout 0, which leaves nothing else to stop it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { runCli, show, tempDir } from "./cli-harness.js";

const LIMIT = 256 * 1024 * 1024;

/** A service whose `$metadata` never ends; resolves `closed` when the client stops reading. */
async function endlessMetadata(t: { after(fn: () => void): void }) {
  let written = 0;
  let closed!: () => void;
  const closing = new Promise<void>((resolve) => (closed = resolve));
  const server = createServer((_request, res: ServerResponse) => {
    res.writeHead(200, { "content-type": "application/xml" });
    res.write('<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="N" xmlns="http://docs.oasis-open.org/odata/ns/edm">');
    const chunk = Buffer.from('<EntityType Name="T"><Property Name="P" Type="Edm.String"/></EntityType>'.repeat(14_000));
    const more = () => {
      // Bounded for the test's own sake: far past the limit, then the service gives up.
      while (written < LIMIT * 3) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once("drain", more);
      }
      res.destroy();
    };
    res.on("close", closed);
    more();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => server.close());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/svc/`, written: () => written, closing };
}

test("generate --timeout 0 of a $metadata that never ends exits 1 with BAD_PAYLOAD at 256 MiB, and stops reading", { timeout: 120_000 }, async (t) => {
  const service = await endlessMetadata(t);
  const result = await runCli(["generate", service.url, "--out", tempDir(), "--timeout", "0"]);
  assert.equal(result.code, 1, show(result));
  assert.match(result.stderr, new RegExp(`GET ${service.url.replace(/[.$]/g, "\\$&")}\\$metadata answered more than ${LIMIT} bytes`), show(result));
  await service.closing;
  assert.ok(service.written() < LIMIT * 3, `the service wrote ${service.written()} bytes: the client read to its end`);
});
