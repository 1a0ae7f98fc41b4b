// The command line's default --max-wait (README: `wait` "gives up after its own --max-wait (default
// 600000 ms)", exit code 5 "or its default of 600000 ms; its token is then on stdout"): `call
// --async` and `wait` without --max-wait poll a monitor that never finishes for 600,000 ms, at the
// default poll interval of 2,000 ms, then exit 5 naming the default and print the resume token.
// The library's own default is pinned in async-poller-wait.test.ts; this pins the command line's,
// which passes its own maxWait to `wait` and names the limit in its message.
//
// Ten minutes cannot pass in a test: the command line runs in this process (runCli) on fake time
// (fake-time.ts), and every sleep of the poller passes as soon as it is set. The service is a
// node:http server on 127.0.0.1 whose clock is the same fake one, so the polls' times are exact.
// The mock is process-wide: the tests of this file run one after the other.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliInProcess, type InProcessOutcome } from "./cli-in-process.js";
import { useFakeTime, type FakeTime } from "./fake-time.js";
import { sendText, startServer, type RecordingServer } from "./servers/recording-server.js";

const realSetImmediate = globalThis.setImmediate;

/** The poller's sleeps between polls, told from a poll's deadline timer by the code that sets them (polling.ts, WaitSignal). */
const WAIT_SLEEP = /\bsleep\b[^\n]*polling/;

const cli = cliInProcess;

/**
 * A service whose action `runJob` answers `202 Accepted` with a status monitor that answers a bare
 * `202` to every poll, without `Retry-After`: only the poll interval sets the pace, and the
 * operation never ends. `$metadata` is not there, so `call` sends the action as a POST unasked.
 */
async function neverEndingJob(t: { after(fn: () => Promise<void>): void }): Promise<{ server: RecordingServer; serviceUrl: string; monitorUrl: string; polls: () => number[] }> {
  const server = await startServer((request, res) => {
    if (request.method === "POST" && request.path === "/svc/runJob") return sendText(res, 202, "", { location: "monitor/1" });
    if (request.method === "GET" && request.path === "/svc/monitor/1") return sendText(res, 202, "");
    sendText(res, 404, "");
  });
  t.after(() => server.close());
  return {
    server,
    serviceUrl: server.url("svc/"),
    monitorUrl: server.url("svc/monitor/1"),
    polls: () => server.requests.filter((r) => r.method === "GET" && r.path === "/svc/monitor/1").map((r) => r.at),
  };
}

/**
 * Settles `running` by letting each sleep of the poller pass as soon as it is set, as a real clock
 * would; resolves with its outcome and the length of every sleep passed. A poll's deadline timer
 * is left alone: it fires only if the clock reaches the deadline while that poll is on the wire.
 */
async function passSleeps(time: FakeTime, running: Promise<InProcessOutcome>): Promise<{ outcome: InProcessOutcome; sleeps: number[] }> {
  let outcome: InProcessOutcome | undefined;
  const settled = running.then((value) => (outcome = value));
  const sleeps: number[] = [];
  const giveUp = performance.now() + 20_000;
  while (outcome === undefined) {
    assert.ok(performance.now() < giveUp, `still running after 20 s of real time, ${sleeps.length} sleeps passed; timers pending: [${time.pending().join(", ")}]`);
    const due = time.soonestDue(WAIT_SLEEP);
    if (due === undefined) {
      await new Promise<void>((resolve) => realSetImmediate(resolve));
      continue;
    }
    const sleep = due - time.now();
    sleeps.push(sleep);
    time.tick(sleep);
  }
  await settled;
  return { outcome, sleeps };
}

/** What the command line printed on stdout, read as the resume token. */
function tokenOf(outcome: InProcessOutcome): Record<string, unknown> {
  const lines = outcome.stdout.trim().split("\n");
  assert.equal(lines.length, 1, `one line, the token, on stdout: ${outcome.stdout}`);
  return JSON.parse(lines[0] as string) as Record<string, unknown>;
}

/** The checks common to both commands: exit 5, the default named, the token on stdout. */
function assertGaveUpAtDefault(outcome: InProcessOutcome, job: { serviceUrl: string; monitorUrl: string }, deadline: number): void {
  const shown = `exit ${outcome.code}\n--- stdout\n${outcome.stdout}\n--- stderr\n${outcome.stderr}`;
  assert.equal(outcome.code, 5, shown);
  assert.match(outcome.stderr, /^error: the operation still ran after the default --max-wait of 600000 ms \(\w+\); it goes on at the service: its resume token is on stdout/m, shown);
  const token = tokenOf(outcome);
  assert.equal(token["type"], "traverse-odata/async-poller");
  assert.equal(token["statusUrl"], job.monitorUrl);
  assert.equal(token["service"], job.serviceUrl);
  assert.equal(token["maxWait"], 600_000);
  assert.equal(token["deadline"], deadline);
  assert.equal(token["outcome"], undefined, "the operation has not ended");
}

test("call --async without --max-wait polls every 2000 ms for 600000 ms, then exits 5 naming the default and prints the token", async (t) => {
  const time = useFakeTime(t);
  const job = await neverEndingJob(t);
  const started = time.now();
  const { outcome, sleeps } = await passSleeps(time, cli(["call", job.serviceUrl, "runJob", "--async"]));
  assertGaveUpAtDefault(outcome, job, started + 600_000);
  // The deadline counts from the 202 (answered at `started`: the clock moves only by the sleeps).
  assert.equal(time.now() - started, 600_000);
  assert.equal(sleeps.reduce((sum, sleep) => sum + sleep, 0), 600_000);
  // A sleep before each poll, and the last one until the deadline, which no poll follows.
  assert.deepEqual(sleeps, Array<number>(300).fill(2_000));
  const polls = job.polls().map((at) => at - started);
  assert.deepEqual(polls, Array.from({ length: 299 }, (_, i) => (i + 1) * 2_000), "a poll every 2000 ms, the last at 598000 ms");
  assert.deepEqual(
    job.server.requests.slice(0, 2).map((r) => `${r.method} ${r.path}`),
    ["GET /svc/$metadata", "POST /svc/runJob"],
  );
  assert.equal(job.server.requests.length, 2 + 299);
});

test("wait - without --max-wait polls at once and every 2000 ms for 600000 ms from its own start, then exits 5 naming the default and prints the token", async (t) => {
  const time = useFakeTime(t);
  const job = await neverEndingJob(t);
  const printed = await time.within(cli(["call", job.serviceUrl, "runJob", "--no-wait"]));
  assert.equal(printed.code, 0, printed.stderr);
  assert.equal(job.polls().length, 0);
  // The token's own deadline (600000 ms from the call) has long passed when wait starts: it does not hold.
  time.tick(3_600_000);
  const started = time.now();
  const { outcome, sleeps } = await passSleeps(time, cli(["wait", "-"], printed.stdout));
  assertGaveUpAtDefault(outcome, job, started + 600_000);
  assert.equal(time.now() - started, 600_000);
  assert.equal(sleeps.reduce((sum, sleep) => sum + sleep, 0), 600_000);
  // The first poll goes at once (no Retry-After was given); a sleep follows each poll, the last until the deadline.
  assert.deepEqual(sleeps, Array<number>(300).fill(2_000));
  const polls = job.polls().map((at) => at - started);
  assert.deepEqual(polls, Array.from({ length: 300 }, (_, i) => i * 2_000), "a poll at once and every 2000 ms, the last at 598000 ms");
});
