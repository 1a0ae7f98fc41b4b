// `traverse-odata serve --port <port>` where another process holds the port: a usage problem
// (exit 2) told in one line that names --port and the port, as demo/serve.ts tells DEMO_PORT,
// not listen()'s EADDRINUSE with exit 1. The command line runs in this process
// (test/cli-in-process.ts); a node:http server on 127.0.0.1 holds the port.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { cliInProcess } from "./cli-in-process.js";

test("serve --port naming a port in use: exit 2, one line naming --port and the port, the holder untouched", async (t) => {
  const holder = createServer((_request, response) => response.end("held"));
  holder.listen(0, "127.0.0.1");
  await once(holder, "listening");
  t.after(() => new Promise<void>((resolve) => holder.close(() => resolve())));
  const { port } = holder.address() as AddressInfo;

  const outcome = await cliInProcess(["serve", "--port", String(port)]);
  assert.equal(outcome.code, 2, outcome.stderr);
  assert.equal(outcome.stdout, "", "no service URL: nothing listens");
  assert.equal(outcome.stderr, `error: serve: --port ${port} is in use on 127.0.0.1; give --port a free port, or --port 0 for any\n`);

  const json = await cliInProcess(["serve", "--port", String(port), "--json"]);
  assert.equal(json.code, 2);
  const { error } = JSON.parse(json.stderr) as { error: { code: string; exitCode: number; message: string } };
  assert.deepEqual([error.code, error.exitCode], ["cli:USAGE", 2]);
  assert.doesNotMatch(error.message, /EADDRINUSE|listen/);

  // The server that holds the port still answers: nothing took it over.
  const response = await fetch(`http://127.0.0.1:${port}/`);
  assert.equal(await response.text(), "held");
});
