/**
 * The environment of demo/serve.ts, run as a script. `DEMO_PAGE_SIZE`: 0 (a page of no products)
 * is refused with one line naming the variable and what it accepts, not a stack trace; a valid
 * value is the page size of Products, seen over HTTP. `DEMO_PORT` naming a port another server
 * holds: one line naming the variable and the port, exit code 2, and no stack trace of listen().
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const projectRoot = fileURLToPath(new URL("..", import.meta.url));

function startServe(env: Record<string, string>) {
  return spawn(process.execPath, ["--import", "tsx", "demo/serve.ts"], {
    cwd: projectRoot,
    env: { ...process.env, DEMO_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Runs demo/serve.ts with `env` until it exits (killed after 30 s): its exit code and output. */
async function serveToExit(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = startServe(env);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill(), 30_000);
  const [code] = (await once(child, "exit")) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

test("DEMO_PAGE_SIZE=0 is refused with one line naming the variable and what it accepts; exit code 2", async () => {
  const { code, stdout, stderr } = await serveToExit({ DEMO_PAGE_SIZE: "0" });
  assert.equal(code, 2, stderr);
  assert.equal(stdout, "", "the service must not have started");
  assert.equal(stderr, 'demo/serve.ts: DEMO_PAGE_SIZE must be an integer >= 1 (the page size of Products when a client asks for none); got "0"\n');
  assert.doesNotMatch(stderr, /pageSize|RangeError|\n\s+at /);
});

test("DEMO_PAGE_SIZE=4 is the page size of Products when the client asks for none", async () => {
  const child = startServe({ DEMO_PAGE_SIZE: "4", DEMO_PRODUCTS: "10" });
  try {
    const lines = createInterface({ input: child.stdout });
    const [first] = (await once(lines, "line")) as [string];
    lines.close();
    const { serviceUrl } = JSON.parse(first) as { serviceUrl: string };
    const response = await fetch(`${serviceUrl}Products`);
    assert.equal(response.status, 200);
    // No Prefer: odata.maxpagesize was sent, so the page is the service's own size.
    assert.equal(response.headers.get("preference-applied"), null);
    const page = (await response.json()) as { value: { ID: number }[]; "@odata.nextLink"?: string };
    assert.deepEqual(page.value.map((product) => product.ID), [1, 2, 3, 4]);
    assert.equal(page["@odata.nextLink"], `${serviceUrl}Products?$skiptoken=4`);
  } finally {
    child.kill();
    if (child.exitCode === null && child.signalCode === null) await once(child, "exit");
  }
});

test("DEMO_PORT naming a port in use is refused with one line naming the variable and the port; exit code 2", async (t) => {
  const holder = createServer((_request, response) => response.end("held"));
  holder.listen(0, "127.0.0.1");
  await once(holder, "listening");
  t.after(() => new Promise<void>((resolve) => holder.close(() => resolve())));
  const { port } = holder.address() as AddressInfo;
  const { code, stdout, stderr } = await serveToExit({ DEMO_PORT: String(port) });
  assert.equal(code, 2, stderr);
  assert.equal(stdout, "", "the service must not have said it listens");
  assert.equal(stderr, `demo/serve.ts: DEMO_PORT ${port} is in use on 127.0.0.1; set DEMO_PORT to a free port, or 0 for any\n`);
  assert.doesNotMatch(stderr, /\n\s+at |errno|syscall/);
  // The server that holds the port still answers: nothing took it over.
  const response = await fetch(`http://127.0.0.1:${port}/`);
  assert.equal(await response.text(), "held");
});
