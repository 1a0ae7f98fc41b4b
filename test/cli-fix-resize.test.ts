// The progress line on a terminal follows the terminal's width as it changes (a resize: Node
// updates the stream's `columns` on SIGWINCH), not the width it had when the command started: a
// line wider than the terminal wraps, and each redraw then leaves a row behind. `call --async`
// runs in this process (runCli) against a node:http status monitor on 127.0.0.1; its stderr is a
// terminal-like stream whose `columns` the test changes between two polls.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { AddressInfo } from "node:net";
import { runCli } from "../src/cli/run.js";

const RESIZED = "<<resized>>";
/** The terminal-like stderr: what was written, and its width, which a resize changes. */
const terminal = { text: "", columns: 100 };
const polls: number[] = [];
let server: Server;
let base = "";

before(async () => {
  server = createServer((request, response) => {
    request.resume();
    const path = new URL(request.url ?? "/", "http://x").pathname;
    const json = { "content-type": "application/json", "odata-version": "4.0" };
    if (path === "/svc/$metadata") return response.writeHead(404, json).end('{"error":{"code":"NoMetadata","message":"none"}}');
    if (path === "/svc/go" && request.method === "POST") return response.writeHead(202, { location: `${base}/svc/mon` }).end();
    if (path !== "/svc/mon") return response.writeHead(404, json).end('{"error":{"code":"NotFound","message":"no"}}');
    polls.push(terminal.columns);
    if (polls.length === 3) {
      // The terminal narrows while the command waits.
      terminal.columns = 40;
      terminal.text += RESIZED;
    }
    if (polls.length < 6) return response.writeHead(202, json).end(JSON.stringify({ status: "Running the export of every product there is", percentComplete: polls.length * 15 }));
    response.writeHead(200, json).end('{"value":"done"}');
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.close();
  server.closeAllConnections();
});

/**
 * The widths of the progress lines drawn in `text` (each starts with "\r", then erases the line),
 * escape sequences aside; the summary, a line of its own, is left out.
 */
function lineWidths(text: string): number[] {
  return text
    .split("\r")
    .map((line) => line.replace(/\u001b\[[0-9;]*[A-Za-z]/g, ""))
    .filter((line) => line.trim() !== "" && !line.includes("\n"))
    .map((line) => [...line].length);
}

test("call --async on a terminal: after a resize from 100 to 40 columns every progress line fits in 39", async () => {
  const home = mkdtempSync(join(tmpdir(), "traverse-cli-fix-resize-"));
  process.once("exit", () => rmSync(home, { recursive: true, force: true }));
  let stdout = "";
  const stderr = {
    write(chunk: string, callback?: (error?: Error | null) => void): boolean {
      terminal.text += chunk;
      callback?.();
      return true;
    },
    once: () => stderr,
    removeListener: () => stderr,
    isTTY: true,
    get columns() {
      return terminal.columns;
    },
  };
  const code = await runCli({
    argv: ["call", `${base}/svc/`, "go", "--async", "--poll-interval", "150"],
    stdout: {
      write(chunk: string, callback?: (error?: Error | null) => void): boolean {
        stdout += chunk;
        callback?.();
        return true;
      },
      once: () => undefined,
      removeListener: () => undefined,
      isTTY: false,
    },
    stderr,
    stdin: Readable.from([]),
    environment: { env: { HOME: home }, cwd: home, platform: "linux" },
    signal: new AbortController().signal,
  });
  assert.equal(code, 0, terminal.text);
  assert.equal(stdout, '"done"\n');
  assert.deepEqual(polls, [100, 100, 100, 40, 40, 40], "six polls, the terminal narrowed while the third was answered");
  const [before = "", after = ""] = terminal.text.split(RESIZED);
  const wide = lineWidths(before);
  const narrow = lineWidths(after);
  assert.ok(wide.length > 0 && wide.every((width) => width <= 99), `before: ${wide.join(", ")}`);
  assert.ok(wide.some((width) => width > 40), `the line was wider than 40 before: ${wide.join(", ")}`);
  assert.ok(narrow.length >= 3, `lines drawn after the resize: ${narrow.join(", ")}`);
  assert.ok(narrow.every((width) => width <= 39), `after the resize to 40 columns: ${narrow.join(", ")}`);
});
