// Lines the command line fits to a terminal, against a node:http service: the progress line of a
// long-running operation cut by display width at a grapheme's edge with its time kept, a status
// with line separators (U+2028, U+2029) or a secret in it, the table's width of a cluster with a
// prepended character (U+0600 ARABIC NUMBER SIGN before digits), and describe's lines.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, sendText, type RecordingServer } from "./servers/recording-server.js";
import { buildCli, runCli, runInTerminal, shellQuote, show } from "./cli-harness.js";
import { displayWidth } from "../src/cli/formats.js";

let server: RecordingServer;
/** The entities `/v4/T` answers with. */
let rows: unknown[] = [];
/** The status the job's first answer (202) and its monitor report while it runs. */
let running = "";
/** Polls of the monitor so far: the third one ends the job. */
let polls = 0;

const TOKEN = `tok-${"s3cr3t".repeat(30)}`;

const METADATA = `<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="S" xmlns="http://docs.oasis-open.org/odata/ns/edm"><EntityType Name="Line&#10;Break&#x2028;Type"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="Sep&#x2029;arated" Type="Edm.String"/></EntityType><EntityContainer Name="C"><EntitySet Name="Things" EntityType="S.Line&#10;Break&#x2028;Type"/></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;

before(async () => {
  server = await startServer((request, res) => {
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => sendText(res, status, JSON.stringify(body), { "content-type": "application/json", ...headers });
    const path = request.path.replace(/\?.*$/s, "");
    if (path === "/meta/$metadata") return sendText(res, 200, METADATA, { "content-type": "application/xml", "odata-version": "4.0" });
    if (path.endsWith("/$metadata")) return sendText(res, 404, "none");
    if (path === "/v4/T") return json(200, { value: rows });
    if (path === "/job/run") return json(202, { status: running }, { location: server.url("job/monitor") });
    if (path === "/job/monitor") {
      polls += 1;
      return json(200, polls < 3 ? { status: running, percentComplete: 10 } : { status: "Succeeded", value: 1 });
    }
    sendText(res, 404, "");
  });
});
after(() => server.close());

/** `call <job> run --async` on a terminal of `columns` columns, without colour: what it showed, and the requests. */
async function callInTerminal(columns: number, ...extra: string[]): Promise<{ output: string; draws: string[] }> {
  polls = 0;
  server.requests.length = 0;
  const call = ["node", await buildCli(), "call", server.url("job/"), "run", "--async", "--poll-interval", "30", "--max-wait", "10000", ...extra].map(shellQuote).join(" ");
  const { code, output } = await runInTerminal(`stty cols ${columns} 2>/dev/null; ${call}`, { env: { NO_COLOR: "1" } });
  assert.equal(code, 0, output);
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${request.path}`),
    ["GET /job/$metadata", "POST /job/run", "GET /job/monitor", "GET /job/monitor", "GET /job/monitor"],
  );
  // Each draw: a carriage return, the erase of the line, the line.
  const draws = output.split("\r").filter((part) => part.startsWith("\u001b[2K") && part.length > 4).map((part) => part.slice(4));
  assert.ok(draws.length > 0, output);
  return { output, draws };
}

test("on a terminal, an operation's status of CJK and emoji wider than the line is cut at a grapheme's edge within the width, and the time stays", async () => {
  const repeat = "東京😀👩‍👩‍👧🇯🇵";
  running = `処理中 ${repeat.repeat(12)} 残り`;
  // 85 columns: 84 for the line, 43 of them before the status and 6 for the time after it. The
  // status gets 35: 34 and the ellipsis, which end in the middle of the family of three.
  const { output, draws } = await callInTerminal(85);
  assert.ok(!output.includes("\uFFFD"), output);
  const shown = draws.filter((line) => line.includes("処理中"));
  assert.ok(shown.length >= 2, JSON.stringify(draws));
  for (const draw of shown) {
    assert.ok(displayWidth(draw) <= 84, `${displayWidth(draw)} columns: ${JSON.stringify(draw)}`);
    // Before the first poll the status is the first answer's, with no percentage yet.
    const [head, time] = [draw.slice(0, 43), draw.slice(draw.lastIndexOf("  "))];
    assert.match(head, /^run \[(###-{27}\]  10|-{30}\]   \?)%  $/);
    assert.match(time, /^ {2}\d+:\d\d$/);
    assert.equal(draw.slice(43, -time.length), `処理中 ${repeat.repeat(2)}東京😀…`);
  }
});

test("a status with line and paragraph separators is one progress line, on a terminal and with --progress elsewhere, and in the summary", async () => {
  running = "step\u2028two\u2029three\u001b[2J";
  const { output, draws } = await callInTerminal(120);
  assert.ok(!output.includes("\u2028") && !output.includes("\u2029") && !output.includes("\u001b[2J"), JSON.stringify(output));
  assert.ok(draws.some((draw) => /^run \[#*-*\]  10%  step⏎two⏎three␛\[2J  \d+:\d\d$/.test(draw)), JSON.stringify(draws));
  polls = 0;
  const piped = await runCli(["call", server.url("job/"), "run", "--async", "--poll-interval", "30", "--max-wait", "10000", "--progress"]);
  assert.equal(piped.code, 0, show(piped));
  assert.ok(!/[\u2028\u2029\u001b]/.test(piped.stderr), JSON.stringify(piped.stderr));
  // Elsewhere than on a terminal a line comes once a second or with a new status: the first line
  // (the status of the 202, no percentage yet) is the one with this status.
  assert.match(piped.stderr, /^run \[-*\]   \?%  step⏎two⏎three␛\[2J  \d+:\d\d$/m);
  // The summary of --no-wait names the status of the job's first answer.
  const token = await runCli(["call", server.url("job/"), "run", "--no-wait"]);
  assert.equal(token.code, 0, show(token));
  assert.equal(server.requests.at(-1)?.path, "/job/run");
  assert.equal(JSON.parse(token.stdout).statusUrl, server.url("job/monitor"));
  assert.match(token.stderr, /^run: step⏎two⏎three␛\[2J: its resume token is on stdout/);
});

test("on a terminal, a secret in a status is masked before the line is cut: no part of it shows", async () => {
  running = `running as ${TOKEN}`;
  const { output, draws } = await callInTerminal(80, "-H", `Authorization: Bearer ${TOKEN}`);
  assert.equal(server.requests[1]?.headers.authorization, `Bearer ${TOKEN}`);
  assert.ok(!output.includes(TOKEN.slice(0, 8)), JSON.stringify(output));
  assert.ok(draws.some((draw) => /^run \[#*-*\]  10%  running as \*\*\*  \d+:\d\d$/.test(draw)), JSON.stringify(draws));
});

test("a table sizes a cluster with a prepended number sign by the digits it spans, and shows line and paragraph separators in a cell as ⏎", async () => {
  rows = [
    { A: "\u0600123", B: "x" },
    { A: "ab", B: "y\u2028z\u2029w" },
  ];
  const result = await runCli(["query", server.url("v4/"), "T", "--quiet"]);
  assert.equal(result.code, 0, show(result));
  assert.equal(server.requests.at(-1)?.path, "/v4/T");
  assert.equal(result.stdout, ["A    B", "---  -----", "\u0600123  x", "ab   y⏎z⏎w", ""].join("\n"));
});

test("describe shows a line break or separator in a name from $metadata as ⏎ on its own line, the names of its columns too", async () => {
  const result = await runCli(["describe", server.url("meta/"), "Things", "--quiet"]);
  assert.equal(result.code, 0, show(result));
  assert.equal(
    result.stdout,
    [
      "Things  (entity set of S.Line⏎Break⏎Type)",
      "key: ID",
      "",
      "Properties",
      "  ID          Edm.Int32   not null  key",
      "  Sep⏎arated  Edm.String  nullable",
      "",
    ].join("\n"),
  );
});
