// `call`, `wait` and `cancel` of the traverse-odata binary against the demo service's long-running
// export jobs (the action import exportProducts: 202 + status monitor with Prefer: respond-async).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { writeFileSync } from "node:fs";
import { EXPORT_RESULT, accepted, json, startAsyncService, type Scenario } from "./servers/async-service.js";
import { finished, runCli, runInTerminal, serveDemo, shellQuote, show, startCli, tempDir, buildCli, type ServedDemo } from "./cli-harness.js";

let demo: ServedDemo;
before(async () => {
  demo = await serveDemo(["--products", "5000", "--job-ms", "800"]);
});
after(async () => {
  await demo?.stop();
});

interface ExportResult {
  ID: number;
  format: string;
  rowCount: number;
  createdAt: string;
  finishedAt: string;
}

/** How long the job ran at the service: 0 for one run at once, about --job-ms for one polled. */
const ranFor = (result: ExportResult) => Date.parse(result.finishedAt) - Date.parse(result.createdAt);

test("call without --async: the action runs while the request waits; the result is printed as JSON", async () => {
  const result = await runCli(["call", demo.serviceUrl, "exportProducts", "--param", "format=csv", "--param", "maxRows=100"]);
  assert.equal(result.code, 0, show(result));
  const exported = JSON.parse(result.stdout) as ExportResult;
  assert.equal(exported.format, "csv");
  assert.equal(exported.rowCount, 100);
  assert.ok(ranFor(exported) < 100, `the job ran ${ranFor(exported)} ms: at once`);
  assert.match(result.stderr, /^action exportProducts: done in 0:0\d\n$/);
});

test("a function, unbound and bound to an entity (--key), with typed parameters", async () => {
  const total = await runCli(["call", demo.serviceUrl, "totalValue", "--param", "status=open"]);
  assert.equal(total.code, 0, show(total));
  assert.equal(typeof JSON.parse(total.stdout), "number");
  const discounted = await runCli(["call", demo.serviceUrl, "Orders/Demo.discountedAmount", "--key", "1", "--param", "percent=10"]);
  assert.equal(discounted.code, 0, show(discounted));
  const full = JSON.parse((await runCli(["get", demo.serviceUrl, "Orders", "1"])).stdout).amount as number;
  assert.equal(JSON.parse(discounted.stdout), Math.round(full * 0.9 * 100) / 100);
});

test("call --async waits for the long-running operation to complete and prints its result", async () => {
  const result = await runCli(["call", demo.serviceUrl, "exportProducts", "--param", "format=json", "--param", "maxRows=2000", "--async", "--poll-interval", "100"]);
  assert.equal(result.code, 0, show(result));
  const exported = JSON.parse(result.stdout) as ExportResult;
  assert.equal(exported.rowCount, 2000);
  assert.ok(ranFor(exported) >= 600, `the job ran ${ranFor(exported)} ms, so it was polled, not run at once`);
  // stderr is no terminal: no progress, the summary only.
  assert.match(result.stderr, /^exportProducts: Succeeded in 0:0\d\n$/);
});

test("call --no-wait prints the resume token; wait takes it from a file or stdin; cancel stops an operation", async (t) => {
  const cwd = tempDir();
  const started = await runCli(["call", demo.serviceUrl, "exportProducts", "--param", "format=csv", "--no-wait"], { cwd });
  assert.equal(started.code, 0, show(started));
  const token = JSON.parse(started.stdout);
  assert.equal(token.type, "traverse-odata/async-poller");
  assert.ok(token.statusUrl.startsWith(`${demo.serviceUrl}$monitor/`), token.statusUrl);
  assert.match(started.stderr, /its resume token is on stdout/);
  writeFileSync(join(cwd, "job.json"), started.stdout);
  const waited = await runCli(["wait", "job.json", "--poll-interval", "100"], { cwd });
  assert.equal(waited.code, 0, show(waited));
  assert.equal((JSON.parse(waited.stdout) as ExportResult).rowCount, 5000);

  const second = await runCli(["call", demo.serviceUrl, "exportProducts", "--param", "format=csv", "--param", "maxRows=10", "--no-wait"]);
  const fromStdin = await runCli(["wait", "--poll-interval", "100"], { stdin: second.stdout });
  assert.equal(fromStdin.code, 0, show(fromStdin));
  assert.equal((JSON.parse(fromStdin.stdout) as ExportResult).rowCount, 10);

  // A job that runs until it is cancelled, however slowly the two processes start on a loaded
  // machine (with the 800 ms jobs above, one finished before its cancel came).
  const longJobs = await serveDemo(["--job-ms", "60000"]);
  t.after(() => longJobs.stop());
  const third = await runCli(["call", longJobs.serviceUrl, "exportProducts", "--param", "format=csv", "--no-wait"]);
  const cancelled = await runCli(["cancel", "-"], { stdin: third.stdout });
  assert.equal(cancelled.code, 0, show(cancelled));
  assert.match(cancelled.stderr, /^cancelled \(Cancelled\)\n$/);
  // The monitor is gone after the cancellation: waiting on the token now fails (exit 5).
  const afterCancel = await runCli(["wait", "-", "--poll-interval", "50"], { stdin: third.stdout });
  assert.equal(afterCancel.code, 5, show(afterCancel));
  assert.match(afterCancel.stderr, /^error: .*\$monitor\/.* (failed|cancelled)/m);
});

test("an operation that fails at the service exits 5 with the service's message; --max-wait exits 5 when it runs too long", async () => {
  const failed = await runCli(["call", demo.serviceUrl, "exportProducts", "--param", "format=xml", "--async", "--poll-interval", "50"]);
  assert.equal(failed.code, 5, show(failed));
  assert.match(failed.stderr, /failed: the operation ended with HTTP 400: Export format 'xml' is not supported; use one of: csv, json/);
  assert.equal(failed.stdout, "");
  const slow = await runCli(["call", demo.serviceUrl, "exportProducts", "--param", "format=csv", "--async", "--poll-interval", "50", "--max-wait", "150"]);
  assert.equal(slow.code, 5, show(slow));
  assert.match(slow.stderr, /^error: the operation still ran after --max-wait 150 ms \(\w+\); it goes on at the service: its resume token is on stdout/m);
  assert.equal(JSON.parse(slow.stdout).type, "traverse-odata/async-poller");
});

for (const [signal, what] of [
  ["SIGINT", "Ctrl-C"],
  ["SIGTERM", "SIGTERM"],
] as const) {
  test(`${what} while call --async waits exits 130 and prints the token, which wait then completes`, async () => {
    const child = await startCli(["call", demo.serviceUrl, "exportProducts", "--param", "format=csv", "--async", "--poll-interval", "50", "--progress"]);
    const done = finished(child);
    // Interrupted once it waits: its first progress line is drawn as the wait begins.
    await new Promise<void>((resolve) => {
      let seen = "";
      child.stderr!.on("data", (chunk: Buffer | string) => {
        seen += String(chunk);
        if (seen.includes("exportProducts [")) resolve();
      });
    });
    await sleep(100);
    child.kill(signal);
    const interrupted = await done;
    assert.equal(interrupted.code, 130, show(interrupted));
    assert.match(interrupted.stderr, /interrupted; the operation goes on at the service: its resume token is on stdout/);
    const resumed = await runCli(["wait", "--poll-interval", "100"], { stdin: interrupted.stdout });
    assert.equal(resumed.code, 0, show(resumed));
    assert.equal((JSON.parse(resumed.stdout) as ExportResult).rowCount, 5000);
  });
}

test("call --async on a terminal draws a progress bar with the percentage and status on stderr", async (t) => {
  // A job of 2.5 s polled every second (the service's Retry-After): the bar moves while it runs.
  const slow = await serveDemo(["--job-ms", "2500"]);
  t.after(() => slow.stop());
  const main = await buildCli();
  const command = ["node", main, "call", slow.serviceUrl, "exportProducts", "--param", "format=csv", "--async", "--poll-interval", "100"].map(shellQuote).join(" ");
  const { code, output } = await runInTerminal(`${command} > /dev/null`);
  assert.equal(code, 0, output);
  // Redrawn in place: carriage return and erase-line, a bar, a percentage and the status.
  assert.match(output, /\r\u001b\[2K(\u001b\[2m)?exportProducts \[#+-*\] +[1-9]\d*%  Running  0:0\d/);
  assert.match(output, /exportProducts: Succeeded in 0:0\d\r?\n/);
});

test("against the async test service's Graph-style monitor: call --no-wait, then wait --service, whose polls carry that service's credentials and headers", async (t) => {
  const service = await startAsyncService();
  t.after(() => service.close());
  service.scenario("graph-status-resource");
  const cwd = tempDir();
  writeFileSync(join(cwd, "traverse-odata.config.json"), JSON.stringify({ profiles: { jobs: { url: service.serviceUrl, headers: { "x-tenant": "acme" } } } }));
  const env = { TRAVERSE_ODATA_TOKEN: "tok-jobs-1" };
  // No $metadata here: an operation is called as an action (POST) unless --function says otherwise.
  const started = await runCli(["call", "jobs", "startExport", "--param", "format=csv", "--no-wait"], { cwd, env });
  assert.equal(started.code, 0, show(started));
  const [initial] = service.requestsOf("initial");
  assert.equal(initial?.method, "POST");
  assert.equal(initial?.headers["prefer"], "respond-async");
  assert.equal(initial?.body, '{"format":"csv"}');

  const waited = await runCli(["wait", "--service", "jobs", "--poll-interval", "20"], { cwd, env, stdin: started.stdout });
  assert.equal(waited.code, 0, show(waited));
  assert.deepEqual(JSON.parse(waited.stdout), EXPORT_RESULT);
  const polls = [...service.requestsOf("monitor"), ...service.requestsOf("result")];
  assert.ok(polls.length >= 3, `${polls.length} polls`);
  for (const poll of polls) {
    assert.equal(poll.headers["authorization"], "Bearer tok-jobs-1");
    assert.equal(poll.headers["x-tenant"], "acme");
  }
  // The token names the service it was called on: without --service, wait polls with that
  // service's credentials and headers.
  service.scenario("graph-status-resource");
  const again = await runCli(["call", "jobs", "startExport", "--no-wait"], { cwd, env });
  assert.equal((JSON.parse(again.stdout) as { service?: string }).service, "jobs");
  const named = await runCli(["wait", "--poll-interval", "20"], { cwd, env, stdin: again.stdout });
  assert.equal(named.code, 0, show(named));
  const namedPolls = service.requestsOf("monitor");
  assert.ok(namedPolls.length >= 1);
  for (const poll of namedPolls) {
    assert.equal(poll.headers["authorization"], "Bearer tok-jobs-1");
    assert.equal(poll.headers["x-tenant"], "acme");
  }
  // A token that names no service (one a program made with toJSON()) is polled from the monitor's
  // origin without the environment's credentials: the monitor may be elsewhere than the service.
  service.scenario("graph-status-resource");
  const third = await runCli(["call", "jobs", "startExport", "--no-wait"], { cwd, env });
  const { service: _named, ...bare } = JSON.parse(third.stdout) as Record<string, unknown>;
  const plain = await runCli(["wait", "--poll-interval", "20"], { cwd, env, stdin: JSON.stringify(bare) });
  assert.equal(plain.code, 0, show(plain));
  const plainPolls = service.requestsOf("monitor");
  assert.ok(plainPolls.length >= 1);
  for (const poll of plainPolls) {
    assert.equal(poll.headers["authorization"], undefined);
    assert.equal(poll.headers["x-tenant"], undefined);
  }
});

test("--param name:=<json> puts the JSON value in the action's body as it is (an object, an array); text after := that is not JSON exits 2 naming the parameter, and nothing is sent", async (t) => {
  const service = await startAsyncService();
  t.after(() => service.close());
  service.scenario("sync-200");
  // No $metadata here, so name=value is a string: := is the only way to send a number, an object
  // or an array; label=100 beside maxRows:=100 shows the difference on the wire.
  const result = await runCli(["call", service.serviceUrl, "startExport", "--param", 'filter:={"status":["open","late"],"minTotal":10.5,"region":null}', "--param", "ids:=[3,1,2]", "--param", "maxRows:=100", "--param", "label=100"]);
  assert.equal(result.code, 0, show(result));
  assert.deepEqual(JSON.parse(result.stdout), EXPORT_RESULT);
  const [initial, ...more] = service.requestsOf("initial");
  assert.equal(more.length, 0);
  assert.equal(initial?.method, "POST");
  assert.equal(initial?.body, '{"filter":{"status":["open","late"],"minTotal":10.5,"region":null},"ids":[3,1,2],"maxRows":100,"label":"100"}');

  service.scenario("sync-200");
  const malformed = await runCli(["call", service.serviceUrl, "startExport", "--param", "ids:=[3,1,2]", "--param", 'filter:={"status":']);
  assert.equal(malformed.code, 2, show(malformed));
  assert.match(malformed.stderr, /^error: --param filter:= must be followed by JSON; got "\{\\"status\\":"$/m);
  assert.equal(malformed.stdout, "");
  // A usage error: the action is never called with the parameters that did parse.
  assert.deepEqual(service.requestsOf("initial"), []);
});

/**
 * A job at the async test service that runs until the test calls `finish()`: a 202 without
 * Retry-After, then `inProgress` until it succeeds with EXPORT_RESULT at its result URL.
 */
function jobUntilFinished(): { scenario: Scenario; finish(): void } {
  let finished = false;
  return {
    scenario: {
      description: "a job that runs until the test finishes it",
      initial: [accepted("monitor/1")],
      monitor: [(c) => (finished ? json(200, { status: "succeeded", resourceLocation: `${c.serviceUrl}result/7` }) : json(200, { status: "inProgress" }))],
      result: [json(200, EXPORT_RESULT)],
    },
    finish: () => {
      finished = true;
    },
  };
}

test("wait counts its own --max-wait from its start and polls at once: a token whose deadline has passed (call --max-wait, or call --no-wait ten minutes ago) gives the result", async (t) => {
  const service = await startAsyncService();
  t.after(() => service.close());
  const job = jobUntilFinished();
  service.scenario(job.scenario);
  const timedOut = await runCli(["call", service.serviceUrl, "startExport", "--async", "--poll-interval", "20", "--max-wait", "150"]);
  assert.equal(timedOut.code, 5, show(timedOut));
  const token = JSON.parse(timedOut.stdout) as { deadline: number; maxWait: number };
  assert.equal(token.maxWait, 150);
  assert.ok(token.deadline <= Date.now(), "the deadline in the token has passed");
  job.finish();
  service.scenario(job.scenario);
  // Neither --max-wait nor --poll-interval: the poll that gets the result goes out at once.
  const waited = await runCli(["wait", "-"], { stdin: timedOut.stdout });
  assert.equal(waited.code, 0, show(waited));
  assert.deepEqual(JSON.parse(waited.stdout), EXPORT_RESULT);
  assert.deepEqual(service.requests.map((r) => `${r.method} ${r.kind}`), ["GET monitor", "GET result"]);

  // A token of call --no-wait holds the default deadline, 600,000 ms after the call: this one is
  // moved back by as much, as if it had been written ten minutes ago.
  service.scenario(job.scenario);
  const started = await runCli(["call", service.serviceUrl, "startExport", "--no-wait"]);
  assert.equal(started.code, 0, show(started));
  const written = JSON.parse(started.stdout) as { deadline: number };
  service.scenario(job.scenario);
  const late = await runCli(["wait", "-"], { stdin: JSON.stringify({ ...written, deadline: written.deadline - 600_000 }) });
  assert.equal(late.code, 0, show(late));
  assert.deepEqual(JSON.parse(late.stdout), EXPORT_RESULT);
  assert.deepEqual(service.requests.map((r) => `${r.method} ${r.kind}`), ["GET monitor", "GET result"]);
});

test("wait polls once at its start even when --max-wait is shorter than the poll interval: its timeout names that --max-wait and the status the service gave, and the token it prints can be waited for again", async (t) => {
  const service = await startAsyncService();
  t.after(() => service.close());
  const job = jobUntilFinished();
  service.scenario(job.scenario);
  const started = await runCli(["call", service.serviceUrl, "startExport", "--no-wait"]);
  assert.equal(started.code, 0, show(started));
  assert.equal((JSON.parse(started.stdout) as { status: string }).status, "Running");
  service.scenario(job.scenario);
  const short = await runCli(["wait", "-", "--max-wait", "300", "--poll-interval", "5000"], { stdin: started.stdout });
  assert.equal(short.code, 5, show(short));
  assert.match(short.stderr, /^error: the operation still ran after --max-wait 300 ms \(inProgress\); it goes on at the service: its resume token is on stdout/m);
  assert.deepEqual(service.requests.map((r) => `${r.method} ${r.kind}`), ["GET monitor"]);
  // The token printed holds that wait's deadline, past when the next wait starts: it counts its own.
  job.finish();
  service.scenario(job.scenario);
  const again = await runCli(["wait", "-"], { stdin: short.stdout });
  assert.equal(again.code, 0, show(again));
  assert.deepEqual(JSON.parse(again.stdout), EXPORT_RESULT);
  assert.deepEqual(service.requests.map((r) => `${r.method} ${r.kind}`), ["GET monitor", "GET result"]);
});
