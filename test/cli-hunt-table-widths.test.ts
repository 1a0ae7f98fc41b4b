// `query` as a table sizes its columns by the first 200 rows of the walk, whatever the service's
// page size (README, "Progress and output"): a service that pages a few rows at a time (SAP Gateway
// often does) gets the same aligned table as one that sends them in one page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { buildCli, finished, runCli, runInTerminal, shellQuote, show, startCli } from "./cli-harness.js";
import { sendJson, sendText, startServer, type RecordingServer } from "./servers/recording-server.js";

let server: RecordingServer;
/** Rows of `/odata/T`, served `pageSize` at a time with a `$skiptoken` next link. */
let rows: { K: string; N: number }[] = [];
let pageSize = 3;
/** A page that starts at this row answers 500 (an interrupted walk). */
let failAt: number | undefined;
/** A page that starts at this row is left unanswered, `onHeld` called (the test then interrupts). */
let holdAt: number | undefined;
let onHeld = () => {};

before(async () => {
  server = await startServer((request, res) => {
    const url = new URL(request.path, "http://x");
    if (url.pathname === "/odata/$metadata") return sendText(res, 404, "no metadata");
    if (url.pathname !== "/odata/T") return sendJson(res, 404, { error: { code: "404", message: "no such resource" } });
    const skip = Number(url.searchParams.get("$skiptoken") ?? 0);
    if (skip === holdAt) return onHeld();
    if (skip === failAt) return sendJson(res, 500, { error: { code: "E", message: "page lost" } }, { "odata-version": "4.0" });
    const end = Math.min(skip + pageSize, rows.length);
    const body: Record<string, unknown> = { value: rows.slice(skip, end) };
    if (end < rows.length) body["@odata.nextLink"] = `T?$skiptoken=${end}`;
    sendJson(res, 200, body, { "odata-version": "4.0" });
  });
});
after(() => server.close());

/** The paths the service was asked for since `from`, `$metadata` aside. */
function pagesAsked(from: number): string[] {
  return server.requests
    .slice(from)
    .map((request) => request.path)
    .filter((path) => !path.endsWith("/$metadata"));
}

test("pages of 3 rows: a wider value on page 2 sizes its column, and every line is aligned to the header", async () => {
  rows = [
    { K: "a", N: 1 },
    { K: "b", N: 2 },
    { K: "c", N: 3 },
    { K: "O'Neil/#%ü", N: 4 },
    { K: "e", N: 5 },
  ];
  pageSize = 3;
  failAt = undefined;
  const from = server.requests.length;
  const result = await runCli(["query", server.url("odata/"), "T", "--quiet"]);
  assert.equal(result.code, 0, show(result));
  assert.equal(result.stdout, ["K           N", "----------  -", "a           1", "b           2", "c           3", "O'Neil/#%ü  4", "e           5", ""].join("\n"));
  assert.equal(result.stderr, "");
  assert.deepEqual(pagesAsked(from), ["/odata/T", "/odata/T?$skiptoken=3"]);
});

test("pages of 3 rows: the first 200 rows size the columns (row 150 among them), the 201st's wider value is written whole", async () => {
  rows = Array.from({ length: 204 }, (_, i) => ({ K: `k${i}`, N: i }));
  rows[150] = { K: "x".repeat(12), N: 150 };
  rows[200] = { K: "y".repeat(20), N: 200 };
  pageSize = 3;
  failAt = undefined;
  const from = server.requests.length;
  const result = await runCli(["query", server.url("odata/"), "T", "--quiet"]);
  assert.equal(result.code, 0, show(result));
  const lines = result.stdout.split("\n");
  assert.equal(lines.length, 2 + 204 + 1);
  assert.equal(lines[0], `K${" ".repeat(11)}  N`);
  assert.equal(lines[1], `${"-".repeat(12)}  ---`);
  assert.equal(lines[2], `k0${" ".repeat(10)}  0`);
  assert.equal(lines[2 + 150], `${"x".repeat(12)}  150`);
  assert.equal(lines[2 + 199], `k199${" ".repeat(8)}  199`);
  assert.equal(lines[2 + 200], `${"y".repeat(20)}  200`);
  assert.equal(lines[2 + 203], `k203${" ".repeat(8)}  203`);
  assert.equal(lines[2 + 204], "");
  // Every page was asked once, in order: 68 pages of at most 3 rows.
  assert.deepEqual(
    pagesAsked(from),
    Array.from({ length: 68 }, (_, i) => (i === 0 ? "/odata/T" : `/odata/T?$skiptoken=${i * 3}`)),
  );
});

test("a walk that fails or is interrupted after the first pages prints the rows it read, aligned, then the error", async () => {
  rows = [
    { K: "a", N: 1 },
    { K: "b", N: 2 },
    { K: "c", N: 3 },
    { K: "wider", N: 4 },
    { K: "e", N: 5 },
    { K: "f", N: 6 },
    { K: "g", N: 7 },
  ];
  pageSize = 3;
  failAt = 6;
  const from = server.requests.length;
  const result = await runCli(["query", server.url("odata/"), "T", "--quiet"]);
  assert.equal(result.code, 3, show(result));
  assert.equal(result.stdout, ["K      N", "-----  -", "a      1", "b      2", "c      3", "wider  4", "e      5", "f      6", ""].join("\n"));
  assert.equal(result.stderr, `error: GET ${server.url("odata/T")}?$skiptoken=6 failed with HTTP 500 Internal Server Error [E]: page lost\n`);
  assert.deepEqual(pagesAsked(from), ["/odata/T", "/odata/T?$skiptoken=3", "/odata/T?$skiptoken=6"]);

  // Ctrl-C while page 3 is on its way: the same rows, exit 130.
  failAt = undefined;
  holdAt = 6;
  try {
    const held = new Promise<void>((resolve) => (onHeld = resolve));
    const child = await startCli(["query", server.url("odata/"), "T", "--quiet"]);
    const outcome = finished(child);
    await held;
    child.kill("SIGINT");
    const interrupted = await outcome;
    assert.equal(interrupted.code, 130, show(interrupted));
    assert.equal(interrupted.stdout, ["K      N", "-----  -", "a      1", "b      2", "c      3", "wider  4", "e      5", "f      6", ""].join("\n"));
  } finally {
    holdAt = undefined;
  }

  // Refused at its first page: no rows, so no header either.
  failAt = 0;
  const first = server.requests.length;
  const refused = await runCli(["query", server.url("odata/"), "T", "--quiet", "--select", "K,N"]);
  assert.equal(refused.code, 3, show(refused));
  assert.equal(refused.stdout, "");
  assert.deepEqual(pagesAsked(first), ["/odata/T?$select=K,N"]);
});

test("on a terminal, pages of 3 rows: a value on page 2 wider than page 1's is shown whole in its column", async () => {
  rows = [
    { K: "a", N: 1 },
    { K: "b", N: 2 },
    { K: "c", N: 3 },
    { K: "longer value", N: 4 },
  ];
  pageSize = 3;
  failAt = undefined;
  const command = ["node", await buildCli(), "query", server.url("odata/"), "T", "--quiet"].map(shellQuote).join(" ");
  const { code, output } = await runInTerminal(command);
  assert.equal(code, 0, output);
  assert.equal(output.replaceAll("\r\n", "\n"), ["K             N", "------------  -", "a             1", "b             2", "c             3", "longer value  4", ""].join("\n"));
});
