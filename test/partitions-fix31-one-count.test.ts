// A plan asks `GET <set>/$count` once (README, "Parallel partitions"), on every path: the demo
// service, started as one that cannot sort, answers the ordered probe `$orderby=ID&$skip=...` with 501, so the quantiles fall back to
// `$skip` windows of the count. With a `model` given (as the CLI gives it after reading $metadata,
// and as the README's library example does) the windows asked for the count a second time.
// Against the demo service started in-process, over HTTP on 127.0.0.1; its request log is what the
// service was asked.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startDemoService, type DemoService } from "../demo/service.js";
import { ODataClient } from "../src/index.js";
import { runCli, show } from "./cli-harness.js";

let service: DemoService;
/** Every request the demo answered: `METHOD url status`, the URL as the service read it. */
const answered: string[] = [];

before(async () => {
  service = await startDemoService({ productCount: 40, orderBy: false, onRequest: (method, url, status) => answered.push(`${method} ${url} ${status}`) });
});
after(() => service.close());

/** What the service answered since `from`, its URLs relative to the service root. */
function answeredSince(from: number): string[] {
  const root = new URL(service.serviceUrl).pathname;
  return answered.slice(from).map((line) => line.replace(root, ""));
}

const probes = [
  "GET Products?$select=ID&$orderby=ID&$skip=10&$top=1 501",
  "GET Products?$select=ID&$orderby=ID&$skip=20&$top=1 501",
  "GET Products?$select=ID&$orderby=ID&$skip=30&$top=1 501",
];

/**
 * The requests answered are `expected` (in any order: the service logs an answer when it is sent,
 * which need not be the order the client read them in) and some of the boundary probes, each
 * answered 501: one 501 aborts the others, which the service may or may not have answered by then.
 */
function assertAnswered(asked: readonly string[], expected: readonly string[]): void {
  const others = asked.filter((line) => !line.includes("$orderby="));
  assert.deepEqual([...others].sort(), [...expected].sort(), asked.join("\n"));
  const probed = asked.filter((line) => line.includes("$orderby="));
  assert.ok(probed.length >= 1 && probed.every((line) => probes.includes(line)), asked.join("\n"));
}

/** The windows of 40 products in 4 partitions. */
const windows = [
  { skip: 0, top: 10 },
  { skip: 10, top: 10 },
  { skip: 20, top: 10 },
  { skip: 30 },
];

function windowsOf(plan: readonly { kind: string; skip?: number; top?: number; estimatedCount?: number }[]) {
  return plan.map((p) => {
    assert.equal(p.kind, "skip");
    assert.equal(p.estimatedCount, 10);
    return { skip: p.skip, ...(p.top === undefined ? {} : { top: p.top }) };
  });
}

/** Where in a wire log `GET <path>` was sent, and where its answer came. */
function wireOf(lines: readonly string[]) {
  const at = (arrow: ">" | "<", path: string) => {
    const url = `${service.serviceUrl}${path}`;
    const found = lines.map((line, i) => ({ line, i })).filter(({ line }) => (arrow === ">" ? line.includes(` > GET ${url} `) : / < \d{3} GET /.test(line) && line.includes(` GET ${url} `)));
    return found.map(({ i }) => i);
  };
  const firstAnswer = lines.findIndex((line) => / < \d{3} /.test(line));
  return { sent: (path: string) => at(">", path), answered: (path: string) => at("<", path), firstAnswer };
}

test("partitions(4, { model }) with the $skip fallback asks $count once, and the windows are of that count", async () => {
  const lines: string[] = [];
  const client = new ODataClient({ serviceUrl: service.serviceUrl, debug: (line) => lines.push(line) });
  const model = await client.metadata();
  lines.length = 0;
  const from = answered.length;
  const plan = await client.collection("Products").partitions(4, { model });
  assert.deepEqual(windowsOf(plan), windows);
  assertAnswered(answeredSince(from), ["GET Products/$count 200"]);
  const wire = wireOf(lines);
  assert.equal(wire.sent("Products/$count").length, 1, lines.join("\n"));
  assert.equal(wire.sent("$metadata").length, 0, lines.join("\n"));
});

test("partitions(4) without a model asks $count once, while $metadata is read", async () => {
  const lines: string[] = [];
  const client = new ODataClient({ serviceUrl: service.serviceUrl, debug: (line) => lines.push(line) });
  const from = answered.length;
  const plan = await client.collection("Products").partitions(4);
  assert.deepEqual(windowsOf(plan), windows);
  assertAnswered(answeredSince(from), ["GET $metadata 200", "GET Products/$count 200"]);
  // Both were sent before either was answered.
  const wire = wireOf(lines);
  assert.equal(wire.sent("Products/$count").length, 1, lines.join("\n"));
  assert.equal(wire.sent("$metadata").length, 1, lines.join("\n"));
  assert.ok(wire.firstAnswer > Math.max(...wire.sent("Products/$count"), ...wire.sent("$metadata")), lines.join("\n"));
});

test("export --parallel 4 --plan --debug: $metadata, then one $count, the probes answered 501, and the windows printed", async () => {
  const from = answered.length;
  const result = await runCli(["export", service.serviceUrl, "Products", "--parallel", "4", "--plan", "--debug"]);
  assert.equal(result.code, 0, show(result));
  assert.deepEqual(windowsOf(JSON.parse(result.stdout) as { kind: string }[]), windows);
  assertAnswered(answeredSince(from), ["GET $metadata 200", "GET Products/$count 200"]);
  // Without a version set the command reads $metadata first, for the version it declares.
  const wire = wireOf(result.stderr.split("\n"));
  assert.equal(wire.sent("Products/$count").length, 1, result.stderr);
  assert.equal(wire.sent("$metadata").length, 1, result.stderr);
  assert.ok(wire.answered("$metadata")[0]! < wire.sent("Products/$count")[0]!, result.stderr);
});

test("export --parallel 4 --plan --odata-version 4.0 --debug: one $count, sent while $metadata is read", async () => {
  const from = answered.length;
  const result = await runCli(["export", service.serviceUrl, "Products", "--parallel", "4", "--plan", "--odata-version", "4.0", "--debug"]);
  assert.equal(result.code, 0, show(result));
  assert.deepEqual(windowsOf(JSON.parse(result.stdout) as { kind: string }[]), windows);
  assertAnswered(answeredSince(from), ["GET $metadata 200", "GET Products/$count 200"]);
  const wire = wireOf(result.stderr.split("\n"));
  assert.equal(wire.sent("Products/$count").length, 1, result.stderr);
  assert.equal(wire.sent("$metadata").length, 1, result.stderr);
  assert.ok(wire.firstAnswer > Math.max(...wire.sent("Products/$count"), ...wire.sent("$metadata")), result.stderr);
});
