/**
 * `DEMO_PORT` of demo/serve.ts, run as a script, naming a port that another server holds: one line
 * that names the variable and the port, exit code 2, and no stack trace of listen().
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const projectRoot = fileURLToPath(new URL("..", import.meta.url));

test("DEMO_PORT naming a port in use is refused with one line naming the variable and the port; exit code 2", async (t) => {
  const holder = createServer((_request, response) => response.end("held"));
  holder.listen(0, "127.0.0.1");
  await once(holder, "listening");
  t.after(() => new Promise<void>((resolve) => holder.close(() => resolve())));
  const { port } = holder.address() as AddressInfo;

  const child = spawn(process.execPath, ["--import", "tsx", "demo/serve.ts"], {
    cwd: projectRoot,
    env: { ...process.env, DEMO_PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill(), 30_000);
  const [code] = (await once(child, "exit")) as [number | null];
  clearTimeout(timer);

  assert.equal(code, 2, stderr);
  assert.equal(stdout, "", "the service must not have said it listens");
  assert.equal(stderr, `demo/serve.ts: DEMO_PORT ${port} is in use on 127.0.0.1; set DEMO_PORT to a free port, or 0 for any\n`);
  assert.doesNotMatch(stderr, /\n\s+at |errno|syscall/);
  // The server that holds the port still answers: nothing took it over.
  const response = await fetch(`http://127.0.0.1:${port}/`);
  assert.equal(await response.text(), "held");
});
