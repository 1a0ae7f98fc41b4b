// The demo service's status monitor does not take a DELETE of a finished export job for a
// cancellation: it answers 409 Conflict (as Dataverse does for a finished background operation),
// keeps the monitor, and still gives the outcome; a job whose time has passed has finished whether
// or not anyone polled it. `traverse-odata cancel` then exits 3 saying that nothing was cancelled,
// where it used to report "cancelled". A running job is still cancelled (204, then 404). The demo
// runs in this process (startDemoService, node:http on 127.0.0.1), the command line too (test/cli-in-process.ts).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { startDemoService, type DemoService } from "../demo/service.js";
import { cliInProcess } from "./cli-in-process.js";

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}


const cli = (args: readonly string[], stdin = ""): Promise<Outcome> => cliInProcess(args, stdin);

const show = (outcome: Outcome) => `exit ${outcome.code}\n--- stdout\n${outcome.stdout}\n--- stderr\n${outcome.stderr}`;

const JOB_MS = 1_000;
let demo: DemoService;
const answered: { method: string; url: string; status: number }[] = [];

before(async () => {
  demo = await startDemoService({ productCount: 50, jobDuration: JOB_MS, retryAfter: 0, onRequest: (method, url, status) => answered.push({ method, url, status }) });
});
after(async () => {
  await demo?.close();
});

/** A job started with call --no-wait: its token, and the path of its monitor. */
async function startJob(format = "csv"): Promise<{ token: string; monitor: string }> {
  const started = await cli(["call", demo.serviceUrl, "exportProducts", "--param", `format=${format}`, "--param", "maxRows=5", "--no-wait", "-q"]);
  assert.equal(started.code, 0, show(started));
  const statusUrl = (JSON.parse(started.stdout) as { statusUrl: string }).statusUrl;
  return { token: started.stdout, monitor: new URL(statusUrl).pathname };
}

/** The statuses the monitor answered to `method`, in order. */
const answers = (monitor: string, method: string) => answered.filter((a) => a.url === monitor && a.method === method).map((a) => a.status);

test("cancel of a job that finished unpolled: 409, nothing cancelled (exit 3), and the monitor still gives the export", async () => {
  const { token, monitor } = await startJob();
  await sleep(JOB_MS + 300);
  const cancelled = await cli(["cancel", "-"], token);
  assert.equal(cancelled.code, 3, show(cancelled));
  assert.equal(cancelled.stdout, "");
  assert.match(cancelled.stderr, /^error: DELETE \S+ failed with HTTP 409 Conflict \[AlreadyFinished\]: The export job has already succeeded \(export \d+\); there is nothing to cancel; exportProducts was not cancelled \(traverse-odata wait with its token tells how it ends\)\n$/);
  assert.doesNotMatch(cancelled.stderr, /^cancelled \(/m);
  assert.deepEqual(answers(monitor, "DELETE"), [409]);
  assert.deepEqual(answers(monitor, "GET"), []);

  const waited = await cli(["wait", "-", "-q"], token);
  assert.equal(waited.code, 0, show(waited));
  assert.equal((JSON.parse(waited.stdout) as { rowCount: number }).rowCount, 5);
  assert.deepEqual(answers(monitor, "GET"), [200]);
});

test("cancel after wait has read the result: 409 again, and the export stays listed", async () => {
  const { token, monitor } = await startJob();
  const waited = await cli(["wait", "-", "--poll-interval", "100", "-q"], token);
  assert.equal(waited.code, 0, show(waited));
  const id = (JSON.parse(waited.stdout) as { ID: number }).ID;
  const cancelled = await cli(["cancel", "-"], token);
  assert.equal(cancelled.code, 3, show(cancelled));
  assert.match(cancelled.stderr, /HTTP 409 Conflict \[AlreadyFinished\]/);
  assert.deepEqual(answers(monitor, "DELETE"), [409]);
  const exported = await fetch(`${demo.serviceUrl}ExportJobs(${id})`);
  assert.equal(exported.status, 200, "the export was not removed");
  await exported.body?.cancel();
});

test("cancel of a job that has failed: 409 as well", async () => {
  const { token, monitor } = await startJob("xml");
  await sleep(JOB_MS / 10 + 200);
  const cancelled = await cli(["cancel", "-"], token);
  assert.equal(cancelled.code, 3, show(cancelled));
  assert.match(cancelled.stderr, /HTTP 409 Conflict \[AlreadyFinished\]: The export job has already failed/);
  assert.deepEqual(answers(monitor, "DELETE"), [409]);
});

test("cancel of a running job still cancels it: 204, then the monitor is gone", async () => {
  const { token, monitor } = await startJob();
  const cancelled = await cli(["cancel", "-"], token);
  assert.equal(cancelled.code, 0, show(cancelled));
  assert.equal(cancelled.stderr, "cancelled (Cancelled)\n");
  assert.deepEqual(answers(monitor, "DELETE"), [204]);
  const gone = await fetch(new URL(monitor, demo.serviceUrl));
  assert.equal(gone.status, 404);
  await gone.body?.cancel();
});
