/**
 * The poller against a model of its contract (spec/async-poller.md): for a few hundred seeds, a
 * random sequence of status monitor answers (every form rules 1 to 11 read, runs of transient
 * answers, Retry-After in seconds and as dates, result URLs whose GET answers something, a cancel()
 * in between) is played by the async test service, and the poller, driven by `wait()` or by
 * repeated `poll()` on fake time, must end exactly where a small reference model of the contract,
 * written below from the spec alone, says it does: the outcome (value, or error class and code),
 * every request on the wire and when it went out, `status()`, `percentComplete()`, `isDone()`,
 * `statusUrl`, `result()` and the `onProgress` calls. The rule-by-rule tests live in
 * test/async-poller-*.test.ts; this file is about sequences and combinations.
 *
 * A mismatch prints the seed, the sequence, and both outcomes. Seeds 78, 171, 281 and 282 found
 * that rules 2 and 3 were applied to a 201 (they are for a 200; a 201 falls to rule 5), since mended.
 */
import { after, before, describe, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import {
  AsyncOperationCancelledError,
  AsyncOperationError,
  AsyncOperationFailedError,
  AsyncOperationTimeoutError,
  ODataClient,
  ODataClientError,
  ODataHttpError,
  type AsyncPoller,
  type AsyncPollerToken,
} from "../src/index.js";
import { FAKE_START, useFakeTime, type FakeTime } from "./fake-time.js";
import { Random } from "./fuzz-random.js";
import { httpDate, httpMessage, startAsyncService, type Answer, type AsyncService, type Scenario } from "./servers/async-service.js";

// --- the sequences ------------------------------------------------------------------------------

/** A `Retry-After` as the generator means it; the service writes it when it answers. */
type RetryAfter = { kind: "seconds"; seconds: number } | { kind: "date"; offset: number } | { kind: "junk"; text: string };

/** A URL as an answer writes it (`ref`) and the path it resolves to. */
interface Link {
  ref: string;
  path: string;
}

/** One answer to a GET of a result URL. */
type ResultAnswer =
  | { kind: "json"; value: unknown }
  | { kind: "text"; text: string }
  | { kind: "empty" }
  | { kind: "badJson" }
  | { kind: "transient"; status: number; retryAfter?: RetryAfter }
  | { kind: "error"; status: number };

/** A result URL and the answers its GETs get in turn (the last one repeats). */
interface ResultPlan extends Link {
  answers: ResultAnswer[];
}

/** One answer of the status monitor. */
type Step =
  | { kind: "accepted"; location?: Link; retryAfter?: RetryAfter; body?: Record<string, unknown> | "invalid" }
  | { kind: "statusBody"; status: 200 | 201; contentType: string; body: Record<string, unknown>; retryAfter?: RetryAfter; results: Record<string, ResultPlan> }
  | { kind: "envelope"; status: 200 | 201; inner: number | "malformed"; innerJson?: unknown; innerText?: string; lf: boolean }
  | { kind: "asyncResult"; status: 200 | 201; value: string; body?: unknown }
  | { kind: "plain"; status: 200 | 201; body: { json: unknown } | { text: string } | "empty" | "invalid" }
  | { kind: "noContent"; result?: ResultPlan }
  | { kind: "seeOther"; result?: ResultPlan }
  | { kind: "gone"; status: 404 | 410 }
  | { kind: "transient"; status: number | "network"; retryAfter?: RetryAfter }
  | { kind: "error"; status: number }
  | { kind: "redirect"; status: number; location: Link };

/** Everything one seed plays: how the poller is made and driven, and every answer. */
interface Plan {
  seed: number;
  /** The fake clock when the poller is made (not always on a whole second, for HTTP-dates). */
  t0: number;
  start: { kind: "asyncPoller" } | { kind: "createAsync"; retryAfter?: RetryAfter; body?: Record<string, unknown> | "invalid" };
  /**
   * wait(), or poll() by hand with the clock moved on before each poll but the first, and at
   * `resumeAt` the poller replaced by `resumeAsync(toJSON())` (another process going on).
   */
  driver: { kind: "wait" } | { kind: "poll"; advances: number[]; resumeAt?: number };
  pollInterval: number;
  maxWait: number;
  steps: Step[];
  /** A cancel() once the monitor has had `at` polls (for wait(): at the first sleep after that). */
  cancel?: { at: number; answer: 200 | 204 | 202 | 405 };
}

const TRANSIENT = [408, 429, 500, 502, 503, 504] as const;
const OTHER_ERRORS = [400, 401, 403, 405, 409, 418, 422, 501, 505] as const;
const RUNNING_WORDS = ["notStarted", "running", "inProgress", "accepted", "started", "waiting", "updating", "provisioning", "canceling", "cancelling", "deletePending"];
const SUCCEEDED_WORDS = ["succeeded", "completed", "complete", "done"];
const FAILED_WORDS = ["failed", "deleteFailed", "invalid"];
const CANCELLED_WORDS = ["canceled", "cancelled"];
const UNKNOWN_WORDS = ["queued", "Paused", "rolling-back", "NotAState"];
const STATUS_FIELDS = ["status", "Status", "backgroundOperationStatusCode"] as const;
const RESULT_URL_FIELDS = ["resourceLocation", "ResultURL", "resultUrl", "resultLocation"] as const;
const PROGRESS_FIELDS = ["percentComplete", "PercentComplete", "percentageComplete", "progress"] as const;
/** Dataverse `backgroundOperationStatusCode` values, and two it does not define (read as running). */
const DATAVERSE_CODES = [0, 20, 22, 30, 31, 32, 21, 99];

/** The same word in another case: the spec reads status values case-insensitively. */
function recase(rng: Random, word: string): string {
  switch (rng.int(4)) {
    case 0:
      return word.toUpperCase();
    case 1:
      return word.toLowerCase();
    case 2:
      return word[0]!.toUpperCase() + word.slice(1);
    default:
      return word;
  }
}

function retryAfterOf(rng: Random): RetryAfter {
  const roll = rng.int(10);
  if (roll < 5) return { kind: "seconds", seconds: rng.between(0, 3) };
  if (roll < 9) return { kind: "date", offset: rng.between(-2, 3) };
  return { kind: "junk", text: rng.pick(["soon", "-1", "1.5", "Tomorrow"]) };
}

function maybeRetryAfter(rng: Random, p: number): RetryAfter | undefined {
  return rng.chance(p) ? retryAfterOf(rng) : undefined;
}

function resultValue(rng: Random): unknown {
  switch (rng.int(4)) {
    case 0:
      return { ID: rng.int(1000), file: `export-${rng.text("abcxyz", 1, 5)}.csv` };
    case 1:
      return [rng.int(10), rng.text("pqr", 0, 3)];
    case 2:
      return rng.int(10_000);
    default:
      return { value: [{ ID: rng.int(9) }], rows: rng.int(50) };
  }
}

/** Progress fields of a body: zero to two of the spec's names, with values of every kind. */
function progressFields(rng: Random): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (let n = rng.int(3); n > 0; n--) {
    fields[rng.pick(PROGRESS_FIELDS)] = rng.pick<unknown>([
      rng.int(101),
      rng.int(1000) / 10,
      -rng.between(1, 30),
      rng.between(101, 400),
      String(rng.int(101)),
      `${rng.int(100)}.${rng.between(1, 9)}`,
      "250",
      "n/a",
      "",
      null,
      true,
    ]);
  }
  return fields;
}

/** A status field with a value of the given kind, in one of the spellings the spec lists. */
function statusFields(rng: Random, outcome: "running" | "succeeded" | "failed" | "cancelled" | "unknown"): Record<string, unknown> {
  const words = { running: RUNNING_WORDS, succeeded: SUCCEEDED_WORDS, failed: FAILED_WORDS, cancelled: CANCELLED_WORDS, unknown: UNKNOWN_WORDS }[outcome];
  const codes = { running: [0, 20, 22], succeeded: [30], failed: [31], cancelled: [32], unknown: [21, 99] }[outcome];
  const field = rng.pick(STATUS_FIELDS);
  const fields: Record<string, unknown> = field === "backgroundOperationStatusCode" ? { [field]: rng.pick(codes) } : { [field]: recase(rng, rng.pick(words)) };
  // A second status field, later in the spec's order, which the first one must win over.
  if (field === "status" && rng.chance(0.2)) fields.Status = recase(rng, rng.pick([...SUCCEEDED_WORDS, ...FAILED_WORDS, ...RUNNING_WORDS]));
  return fields;
}

class Generator {
  #results = 0;
  #monitors = 0;
  constructor(
    readonly rng: Random,
    readonly origin: string,
  ) {}

  /** A result URL (absolute, root-relative or relative to the monitor) and what its GETs get. */
  result(): ResultPlan {
    const rng = this.rng;
    const name = `r${rng.seed}-${this.#results++}`;
    const path = `/odata/result/${name}`;
    const ref = rng.pick([`${this.origin}${path}`, path, `../result/${name}`]);
    const answers: ResultAnswer[] = [];
    if (rng.chance(0.12)) answers.push({ kind: "transient", status: rng.pick(TRANSIENT), ...optional("retryAfter", maybeRetryAfter(rng, 0.3)) });
    const roll = rng.int(20);
    if (roll < 13) answers.push({ kind: "json", value: resultValue(rng) });
    else if (roll < 16) answers.push({ kind: "text", text: `rows=${rng.int(100)}` });
    else if (roll < 18) answers.push({ kind: "empty" });
    else if (roll < 19) answers.push({ kind: "badJson" });
    else answers.push({ kind: "error", status: rng.pick([403, 404]) });
    return { ref, path, answers };
  }

  monitorLink(): Link {
    const rng = this.rng;
    const name = `m${rng.seed}-${++this.#monitors}`;
    const path = `/odata/monitor/${name}`;
    // Every monitor URL is /odata/monitor/<name>, so each form resolves to the same path.
    return { ref: rng.pick([`${this.origin}${path}`, path, name, `../monitor/${name}`]), path };
  }

  running(): Step {
    const rng = this.rng;
    if (rng.chance(0.75)) {
      const step: Step = { kind: "accepted" };
      if (rng.chance(0.25)) step.location = this.monitorLink();
      const retryAfter = maybeRetryAfter(rng, 0.35);
      if (retryAfter) step.retryAfter = retryAfter;
      if (rng.chance(0.03)) step.body = "invalid";
      else if (rng.chance(0.55)) step.body = { ...(rng.chance(0.8) ? statusFields(rng, rng.pick(["running", "running", "unknown", "succeeded"])) : {}), ...progressFields(rng) };
      return step;
    }
    // A 200 that says the operation still runs (rule 4), with a result URL it must not follow yet.
    const results: Record<string, ResultPlan> = {};
    if (rng.chance(0.2)) results[rng.pick(RESULT_URL_FIELDS)] = this.result();
    const body = { ...statusFields(rng, rng.pick(["running", "unknown"])), ...progressFields(rng), ...refsOf(results) };
    return { kind: "statusBody", status: rng.pick([200, 200, 201]), contentType: this.jsonType(), body, results, ...optional("retryAfter", maybeRetryAfter(rng, 0.3)) };
  }

  jsonType(): string {
    return this.rng.pick(["application/json", "application/json; charset=utf-8", "application/json;odata.metadata=minimal"]);
  }

  transientRun(): Step[] {
    const rng = this.rng;
    const run: Step[] = [];
    for (let n = rng.pick([1, 1, 2, 3, 4, 4, 5, 6]); n > 0; n--) {
      const status = rng.chance(0.1) ? "network" : rng.pick(TRANSIENT);
      // A destroyed connection has no headers, so no Retry-After either.
      run.push({ kind: "transient", status, ...optional("retryAfter", status === "network" ? undefined : maybeRetryAfter(rng, 0.3)) });
    }
    return run;
  }

  /** An answer that ends the operation or the poll: rules 2 to 8, 10 and 11. */
  final(): Step {
    const rng = this.rng;
    const roll = rng.int(100);
    if (roll < 22) {
      const outcome = rng.pick(["succeeded", "succeeded", "failed", "cancelled"] as const);
      const results: Record<string, ResultPlan> = {};
      if (outcome === "succeeded" && rng.chance(0.65)) {
        results[rng.pick(RESULT_URL_FIELDS)] = this.result();
        if (rng.chance(0.2)) results[rng.pick(RESULT_URL_FIELDS)] = this.result();
      }
      const extra = outcome === "failed" && rng.chance(0.5) ? { error: { code: "E42", message: "the export died" } } : { note: rng.text("ab", 0, 3) };
      const body = { ...statusFields(rng, outcome), ...progressFields(rng), ...refsOf(results), ...extra };
      return { kind: "statusBody", status: rng.pick([200, 200, 201]), contentType: this.jsonType(), body, results };
    }
    if (roll < 36) {
      const inner = rng.chance(0.1) ? "malformed" : rng.pick([200, 200, 201, 204, 400, 404, 500, 503, 304]);
      const step: Step = { kind: "envelope", status: rng.chance(0.06) ? 201 : 200, inner, lf: rng.chance(0.3) };
      if (inner === 204 || inner === "malformed") return step;
      if (typeof inner === "number" && inner >= 400) step.innerJson = { error: { code: `C${inner}`, message: "inner failure" } };
      else if (rng.chance(0.75)) step.innerJson = resultValue(rng);
      else step.innerText = `${rng.int(100)} rows exported`;
      return step;
    }
    if (roll < 46) {
      const value = rng.pick(["200", "201", " 204 ", "404", "500", "503", "302", "abc", "2000"]);
      const body = Number(value) >= 400 ? { error: { code: "ASYNC", message: "it failed" } } : rng.chance(0.8) ? resultValue(rng) : undefined;
      return { kind: "asyncResult", status: rng.chance(0.06) ? 201 : 200, value, ...optional("body", body) };
    }
    if (roll < 56) {
      const kind = rng.int(10);
      const body = kind < 6 ? { json: rng.chance(0.2) ? { ...resultValue(rng) as object, percentComplete: 100 } : resultValue(rng) } : kind < 8 ? { text: `done ${rng.int(9)}` } : kind < 9 ? ("empty" as const) : ("invalid" as const);
      return { kind: "plain", status: rng.pick([200, 201]), body };
    }
    if (roll < 64) return rng.chance(0.6) ? { kind: "noContent", result: this.result() } : { kind: "noContent" };
    if (roll < 72) return rng.chance(0.9) ? { kind: "seeOther", result: this.result() } : { kind: "seeOther" };
    if (roll < 82) return { kind: "gone", status: rng.pick([404, 410]) };
    if (roll < 92) return { kind: "error", status: rng.pick(OTHER_ERRORS) };
    return { kind: "redirect", status: rng.pick([301, 302, 307, 308]), location: this.monitorLink() };
  }
}

function refsOf(results: Record<string, ResultPlan>): Record<string, string> {
  return Object.fromEntries(Object.entries(results).map(([field, plan]) => [field, plan.ref]));
}

/** `{ [name]: value }`, or nothing when the value is undefined (exactOptionalPropertyTypes). */
function optional<K extends string, V>(name: K, value: V | undefined): { [key in K]?: V } {
  return (value === undefined ? {} : { [name]: value }) as { [key in K]?: V };
}

function generate(seed: number, origin: string): Plan {
  const rng = new Random(seed);
  const gen = new Generator(rng, origin);
  const driver: Plan["driver"] = rng.chance(0.6) ? { kind: "wait" } : { kind: "poll", advances: [] };
  const steps: Step[] = [];
  const length = rng.between(0, 10);
  while (steps.length < length) {
    const roll = rng.int(10);
    if (roll < 6) steps.push(gen.running());
    else if (roll < 8) steps.push(...gen.transientRun());
    // Poll by hand goes on after a failure that leaves the operation running (rules 9 to 11).
    else if (roll < 9 && driver.kind === "poll") steps.push(gen.final());
    else steps.push(gen.running());
  }
  steps.push(gen.final());
  if (rng.chance(0.1)) steps.push(gen.final());
  const plan: Plan = {
    seed,
    t0: FAKE_START + seed * 10_000 + rng.int(1000),
    start: rng.chance(0.5) ? { kind: "asyncPoller" } : { kind: "createAsync" },
    driver,
    pollInterval: rng.pick([0, 5, 40, 250, 1000]),
    maxWait: rng.pick([333, 1777, 5111, 30_000]),
    steps,
  };
  if (plan.start.kind === "createAsync") {
    const retryAfter = maybeRetryAfter(rng, 0.4);
    if (retryAfter) plan.start.retryAfter = retryAfter;
    if (rng.chance(0.05)) plan.start.body = "invalid";
    else if (rng.chance(0.4)) plan.start.body = { ...statusFields(rng, rng.pick(["running", "unknown"])), ...progressFields(rng) };
  }
  if (driver.kind === "poll") {
    for (let i = 0; i < steps.length + 8; i++) driver.advances.push(rng.pick([0, 0, 7, 120, 1000, 2900]));
    if (rng.chance(0.35)) driver.resumeAt = rng.between(1, steps.length);
  }
  if (rng.chance(0.3)) {
    const answer = rng.pick([200, 204, 202, 202, 405] as const);
    plan.cancel = { at: rng.between(0, steps.length), answer };
    // After a cancellation that runs (202), the monitor that expires means "cancelled" (rule 8).
    if (answer === 202 && rng.chance(0.6)) steps.splice(Math.min(steps.length - 1, plan.cancel.at + rng.int(3)), 0, { kind: "gone", status: rng.pick([404, 410]) });
  }
  return plan;
}

// --- what the service answers -------------------------------------------------------------------

/** The monitor answers after the sequence: 202 a few times (a poller that over-polls), then 410. */
const FILLER_RUNNING = 4;

function retryAfterText(retryAfter: RetryAfter): string {
  if (retryAfter.kind === "seconds") return String(retryAfter.seconds);
  if (retryAfter.kind === "date") return httpDate((Math.floor(Date.now() / 1000) + retryAfter.offset) * 1000);
  return retryAfter.text;
}

function withRetryAfter(headers: Record<string, string>, retryAfter: RetryAfter | undefined): Record<string, string> {
  return retryAfter === undefined ? headers : { ...headers, "retry-after": retryAfterText(retryAfter) };
}

const INVALID_JSON = '{"status": "Running", "percentComplete": 3';

function errorJson(status: number): Answer {
  return { status, json: { error: { code: `E${status}`, message: `answer ${status}` } } };
}

function stepAnswer(step: Step | undefined): Answer {
  if (step === undefined) return { status: 410, json: { error: { code: "GONE", message: "past the sequence" } } };
  switch (step.kind) {
    case "accepted": {
      const headers = withRetryAfter(step.location ? { location: step.location.ref } : {}, step.retryAfter);
      if (step.body === "invalid") return { status: 202, headers: { ...headers, "content-type": "application/json" }, text: INVALID_JSON };
      return step.body === undefined ? { status: 202, headers } : { status: 202, headers, json: step.body };
    }
    case "statusBody":
      return { status: step.status, headers: withRetryAfter({ "content-type": step.contentType }, step.retryAfter), json: step.body };
    case "envelope": {
      const text =
        step.inner === "malformed"
          ? "HTTP/1.1 two hundred OK\r\n\r\n{}"
          : step.innerJson !== undefined
            ? httpMessage(`${step.inner} X`, { "content-type": "application/json" }, JSON.stringify(step.innerJson))
            : step.innerText !== undefined
              ? httpMessage(`${step.inner} X`, { "content-type": "text/plain" }, step.innerText)
              : httpMessage(`${step.inner} X`, {}, "");
      return { status: step.status, headers: { "content-type": "application/http" }, text: step.lf ? text.replace(/\r\n/g, "\n") : text };
    }
    case "asyncResult":
      return step.body === undefined ? { status: step.status, headers: { asyncresult: step.value } } : { status: step.status, headers: { asyncresult: step.value }, json: step.body };
    case "plain":
      if (step.body === "empty") return { status: step.status };
      if (step.body === "invalid") return { status: step.status, headers: { "content-type": "application/json" }, text: INVALID_JSON };
      if ("text" in step.body) return { status: step.status, headers: { "content-type": "text/plain" }, text: step.body.text };
      return { status: step.status, json: step.body.json };
    case "noContent":
      return { status: 204, headers: step.result ? { location: step.result.ref } : {} };
    case "seeOther":
      return { status: 303, headers: step.result ? { location: step.result.ref } : {} };
    case "gone":
      return errorJson(step.status);
    case "transient":
      if (step.status === "network") return { status: 0, destroy: true };
      return { ...errorJson(step.status), headers: withRetryAfter({}, step.retryAfter) };
    case "error":
      return errorJson(step.status);
    case "redirect":
      return { status: step.status, headers: { location: step.location.ref } };
  }
}

function resultAnswer(answer: ResultAnswer): Answer {
  switch (answer.kind) {
    case "json":
      return { status: 200, json: answer.value };
    case "text":
      return { status: 200, headers: { "content-type": "text/plain" }, text: answer.text };
    case "empty":
      return { status: 200 };
    case "badJson":
      return { status: 200, headers: { "content-type": "application/json" }, text: INVALID_JSON };
    case "transient":
      return { ...errorJson(answer.status), headers: withRetryAfter({}, answer.retryAfter) };
    case "error":
      return errorJson(answer.status);
  }
}

function fillerStep(index: number): Step | undefined {
  return index < FILLER_RUNNING ? { kind: "accepted" } : undefined;
}

/** The results every step of the plan names, by path. */
function resultsOf(plan: Plan): Map<string, ResultPlan> {
  const results = new Map<string, ResultPlan>();
  for (const step of plan.steps) {
    if (step.kind === "statusBody") for (const result of Object.values(step.results)) results.set(result.path, result);
    if ((step.kind === "noContent" || step.kind === "seeOther") && step.result) results.set(step.result.path, step.result);
  }
  return results;
}

function scenarioOf(plan: Plan): Scenario {
  const results = resultsOf(plan);
  const asked = new Map<string, number>();
  const start = plan.start;
  return {
    description: `poller model fuzz, seed ${plan.seed}`,
    initial: [
      () => {
        const headers = withRetryAfter({ location: "monitor/first" }, start.kind === "createAsync" ? start.retryAfter : undefined);
        const body = start.kind === "createAsync" ? start.body : undefined;
        if (body === "invalid") return { status: 202, headers: { ...headers, "content-type": "application/json" }, text: INVALID_JSON };
        return body === undefined ? { status: 202, headers } : { status: 202, headers, json: body };
      },
    ],
    // The n-th GET of a monitor, whatever its URL, gets the n-th answer of the sequence.
    monitor: [(context) => stepAnswer(plan.steps[context.index] ?? fillerStep(context.index - plan.steps.length))],
    result: [
      (context) => {
        const path = context.request.path;
        const n = asked.get(path) ?? 0;
        asked.set(path, n + 1);
        const answers = results.get(path)?.answers;
        if (answers === undefined) return errorJson(404);
        return resultAnswer(answers[Math.min(n, answers.length - 1)]!);
      },
    ],
    cancel: [() => (plan.cancel ? { status: plan.cancel.answer, ...(plan.cancel.answer === 405 ? { json: { error: { code: "NO", message: "cannot cancel" } } } : {}) } : errorJson(405))],
  };
}

// --- what a run is compared by ------------------------------------------------------------------

/** Where one seed ended, as the real poller or the model says. */
interface Observed {
  /** Each driver call in turn: `poll() -> true`, `wait() -> resolved ...`, `cancel() -> ...`. */
  calls: string[];
  /** `METHOD path @ms` of every request after the initial one, ms from t0 on the fake clock. */
  requests: string[];
  status: string;
  percentComplete: number;
  isDone: boolean;
  statusUrl: string;
  result: string;
  /** `status|percent` of each onProgress call. */
  progress: string[];
}

function shown(value: unknown): string {
  return value === undefined ? "undefined" : JSON.stringify(value);
}

/** An error as both sides name it: class, code, and the fields the spec gives it. */
function describeError(error: unknown): string {
  if (!(error instanceof ODataClientError)) return `foreign ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  const state = error instanceof AsyncOperationError ? ` [${error.status}|${error.percentComplete}]` : "";
  if (error instanceof AsyncOperationTimeoutError) return `AsyncOperationTimeoutError ${error.code} cause=(${error.cause === undefined ? "none" : describeError(error.cause)})${state}`;
  if (error instanceof AsyncOperationFailedError) return `AsyncOperationFailedError ${error.code} httpStatus=${error.httpStatus}${state}`;
  if (error instanceof AsyncOperationCancelledError) return `AsyncOperationCancelledError ${error.code}${state}`;
  if (error instanceof ODataHttpError) return `ODataHttpError ${error.code} ${error.status}`;
  return `${error.constructor.name} ${error.code}`;
}

/** Whether poll by hand goes on after this rejection: the fifth transient answer in a row (rule 9). */
function goesOnAfter(description: string): boolean {
  return /^ODataHttpError HTTP_ERROR (408|429|500|502|503|504)$/.test(description) || description === "ODataClientError NETWORK_ERROR";
}

// --- the model ----------------------------------------------------------------------------------

/** An error the model predicts, by its description (and, for "same error again", its identity). */
class Predicted extends Error {
  constructor(readonly description: string) {
    super(description);
  }
}

type ModelPhase = { name: "running" } | { name: "fetching"; result: ResultPlan } | { name: "succeeded"; value: unknown } | { name: "failed"; error: Predicted } | { name: "cancelled"; error: Predicted };

/** What one monitor answer means by rules 1 to 11. */
type Reading =
  | { kind: "running"; status?: string; percent?: number; location?: string; retryAfter?: RetryAfter }
  | { kind: "succeeded"; value: unknown; status?: string; percent?: number }
  | { kind: "fetch"; result: ResultPlan; status?: string; percent?: number }
  | { kind: "failed"; httpStatus?: number; status?: string; percent?: number }
  | { kind: "cancelled"; status?: string; percent?: number }
  | { kind: "gone"; httpStatus: number }
  | { kind: "transient"; error: string; retryAfter?: RetryAfter }
  | { kind: "error"; error: string };

const BAD = "ODataClientError ASYNC_BAD_RESPONSE";

/** The first status field of a JSON body (rule 4), in the spec's order. */
function statusValue(body: Record<string, unknown>): string | number | undefined {
  for (const field of STATUS_FIELDS) {
    const value = body[field];
    if (typeof value === "string" || typeof value === "number") return value;
  }
  return undefined;
}

function outcomeOfStatus(value: string | number): "running" | "succeeded" | "failed" | "cancelled" {
  if (typeof value === "number") return value === 30 ? "succeeded" : value === 31 ? "failed" : value === 32 ? "cancelled" : "running";
  const word = value.toLowerCase();
  if (SUCCEEDED_WORDS.some((known) => known.toLowerCase() === word)) return "succeeded";
  if (FAILED_WORDS.some((known) => known.toLowerCase() === word)) return "failed";
  if (CANCELLED_WORDS.some((known) => known.toLowerCase() === word)) return "cancelled";
  return "running";
}

/** Progress: the first of the spec's fields that is a number or a numeric string, clamped and rounded. */
function percentOf(body: Record<string, unknown>): number | undefined {
  for (const field of PROGRESS_FIELDS) {
    const value = body[field];
    const number = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
    if (Number.isFinite(number)) return Math.min(100, Math.max(0, Math.round(number)));
  }
  return undefined;
}

/** Status and progress of a JSON body, where it has them. */
function serviceProgress(body: Record<string, unknown> | undefined): { status?: string; percent?: number } {
  if (body === undefined) return {};
  const value = statusValue(body);
  const percent = percentOf(body);
  return { ...optional("status", value === undefined ? undefined : String(value)), ...optional("percent", percent) };
}

/** A 2xx body read as a result: JSON under a JSON type, text otherwise, `undefined` when empty. */
function bodyResult(body: { json: unknown } | { text: string } | "empty" | "invalid"): unknown {
  if (body === "empty") return undefined;
  if (body === "invalid") throw new Predicted(BAD);
  return "json" in body ? body.json : body.text;
}

/** Rules 4 and 5 for a 200/201 whose body is JSON (or none). */
function readJsonFinal(body: Record<string, unknown> | unknown, results: Record<string, ResultPlan>): Reading {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { kind: "succeeded", value: body };
  const record = body as Record<string, unknown>;
  const value = statusValue(record);
  if (value === undefined) return { kind: "succeeded", value: body };
  const progress = serviceProgress(record);
  switch (outcomeOfStatus(value)) {
    case "running":
      return { kind: "running", ...progress };
    case "failed":
      return { kind: "failed", ...progress };
    case "cancelled":
      return { kind: "cancelled", ...progress };
    case "succeeded": {
      const field = RESULT_URL_FIELDS.find((name) => typeof record[name] === "string");
      return field ? { kind: "fetch", result: results[field]!, ...progress } : { kind: "succeeded", value: body, ...progress };
    }
  }
}

function readStep(step: Step | undefined): Reading {
  if (step === undefined) return { kind: "gone", httpStatus: 410 };
  switch (step.kind) {
    // Rule 1 (a body that is no JSON under a JSON type carries no status or progress: a 202 runs).
    case "accepted": {
      return { kind: "running", ...(step.body === "invalid" ? {} : serviceProgress(step.body)), ...optional("location", step.location?.path), ...optional("retryAfter", step.retryAfter) };
    }
    // Rule 4 (every statusBody has a status field), with the Retry-After of its answer.
    case "statusBody": {
      const reading = readJsonFinal(step.body, step.results);
      return reading.kind === "running" && step.retryAfter ? { ...reading, retryAfter: step.retryAfter } : reading;
    }
    case "envelope": {
      // Rule 2 is for 200; a 201 with such a body has no JSON status field: rule 5, its text the result.
      if (step.status === 201) return { kind: "succeeded", value: stepAnswer(step).text };
      if (step.inner === "malformed") throw new Predicted(BAD);
      if (step.inner >= 200 && step.inner < 300) return { kind: "succeeded", value: step.innerJson ?? step.innerText };
      if (step.inner >= 400) return { kind: "failed", httpStatus: step.inner };
      throw new Predicted(BAD);
    }
    case "asyncResult": {
      // Rule 3 is for 200; a 201 is read by rules 4 and 5.
      if (step.status === 201) return readJsonFinal(step.body, {});
      const text = step.value.trim();
      if (!/^\d{3}$/.test(text)) throw new Predicted(BAD);
      const code = Number(text);
      if (code >= 200 && code < 300) return { kind: "succeeded", value: step.body };
      if (code >= 400 && code < 600) return { kind: "failed", httpStatus: code };
      throw new Predicted(BAD);
    }
    case "plain":
      return { kind: "succeeded", value: bodyResult(step.body) };
    case "noContent":
      return step.result ? { kind: "fetch", result: step.result } : { kind: "succeeded", value: undefined };
    case "seeOther":
      if (!step.result) throw new Predicted(BAD);
      return { kind: "fetch", result: step.result };
    case "gone":
      return { kind: "gone", httpStatus: step.status };
    case "transient":
      return { kind: "transient", error: step.status === "network" ? "ODataClientError NETWORK_ERROR" : `ODataHttpError HTTP_ERROR ${step.status}`, ...optional("retryAfter", step.retryAfter) };
    case "error":
      return { kind: "error", error: `ODataHttpError HTTP_ERROR ${step.status}` };
    case "redirect":
      throw new Predicted(BAD);
  }
}

/** The contract, as a state machine on a clock of its own. */
class Model {
  now: number;
  readonly deadline: number;
  retryAfterAt: number | undefined;
  status = "Running";
  percent = -1;
  statusPath = "/odata/monitor/first";
  phase: ModelPhase = { name: "running" };
  cancelRequested = false;
  transientInRow = 0;
  lastTransient: string | undefined;
  monitorPolls = 0;
  readonly resultGets = new Map<string, number>();
  readonly requests: string[] = [];
  readonly progress: string[] = [];
  readonly calls: string[] = [];

  constructor(readonly plan: Plan) {
    this.now = plan.t0;
    this.deadline = plan.t0 + plan.maxWait;
    const start = plan.start;
    if (start.kind === "createAsync") {
      // The 202's body is an extra: unreadable, it costs nothing (the poller exists once the 202 is in).
      if (start.body !== undefined && start.body !== "invalid") {
        const progress = serviceProgress(start.body);
        this.status = progress.status ?? "Running";
        this.percent = progress.percent ?? -1;
      }
      if (start.retryAfter) this.retryAfterAt = this.retryAt(start.retryAfter);
    }
  }

  get settled(): boolean {
    return this.phase.name === "succeeded" || this.phase.name === "failed" || this.phase.name === "cancelled";
  }

  retryAt(retryAfter: RetryAfter | undefined): number | undefined {
    if (retryAfter === undefined || retryAfter.kind === "junk") return undefined;
    if (retryAfter.kind === "seconds") return this.now + retryAfter.seconds * 1000;
    return Math.max(this.now, (Math.floor(this.now / 1000) + retryAfter.offset) * 1000);
  }

  request(method: string, path: string): void {
    this.requests.push(`${method} ${path} @${this.now - this.plan.t0}`);
  }

  stateOf(): string {
    return ` [${this.status}|${this.percent}]`;
  }

  timeout(): Predicted {
    return new Predicted(`AsyncOperationTimeoutError ASYNC_OPERATION_TIMEOUT cause=(${this.lastTransient ?? "none"})${this.stateOf()}`);
  }

  report(): void {
    this.progress.push(`${this.status}|${this.percent}`);
  }

  /** A non-transient answer: the transient run is over; the next wait is its Retry-After. */
  answered(retryAfter: RetryAfter | undefined): void {
    this.transientInRow = 0;
    this.lastTransient = undefined;
    this.retryAfterAt = this.retryAt(retryAfter);
  }

  transient(error: string, retryAfter: RetryAfter | undefined): boolean {
    this.transientInRow += 1;
    this.lastTransient = error;
    this.retryAfterAt = this.retryAt(retryAfter);
    if (this.transientInRow >= 5) {
      this.transientInRow = 0;
      throw new Predicted(error);
    }
    return true;
  }

  settle(phase: ModelPhase, fallbackStatus: string, reading: { status?: string; percent?: number }): void {
    this.status = reading.status ?? fallbackStatus;
    if (reading.percent !== undefined) this.percent = reading.percent;
    this.phase = phase;
  }

  fail(httpStatus: number | undefined): ModelPhase & { name: "failed" } {
    return { name: "failed", error: new Predicted(`AsyncOperationFailedError ASYNC_OPERATION_FAILED httpStatus=${httpStatus}${this.stateOf()}`) };
  }

  cancelled(): ModelPhase & { name: "cancelled" } {
    return { name: "cancelled", error: new Predicted(`AsyncOperationCancelledError ASYNC_OPERATION_CANCELLED${this.stateOf()}`) };
  }

  /** `poll()`: true while running, false on success; throws a Predicted. */
  poll(): boolean {
    if (this.phase.name === "succeeded") return false;
    if (this.phase.name === "failed" || this.phase.name === "cancelled") throw this.phase.error;
    if (this.now >= this.deadline) throw this.timeout();
    if (this.phase.name === "fetching") {
      // A later result GET is reported only when it ends the operation: a transient or error
      // answer of it is no answer of rules 1 to 8.
      const running = this.fetchResult(this.phase.result);
      if (!running) this.report();
      return running;
    }
    const index = this.monitorPolls++;
    const step = index < this.plan.steps.length ? this.plan.steps[index] : fillerStep(index - this.plan.steps.length);
    this.request("GET", this.statusPath);
    let reading: Reading;
    try {
      reading = readStep(step);
    } catch (error) {
      this.answered(undefined);
      throw error;
    }
    switch (reading.kind) {
      case "transient":
        return this.transient(reading.error, reading.retryAfter);
      case "error":
        this.answered(undefined);
        throw new Predicted(reading.error);
      case "running":
        this.answered(reading.retryAfter);
        this.status = reading.status ?? "Running";
        if (reading.percent !== undefined) this.percent = reading.percent;
        if (reading.location) this.statusPath = reading.location;
        this.report();
        return true;
      case "succeeded":
        this.answered(undefined);
        this.settle({ name: "succeeded", value: reading.value }, "Succeeded", reading);
        this.report();
        return false;
      case "fetch":
        this.answered(undefined);
        this.settle({ name: "fetching", result: reading.result }, "Succeeded", reading);
        try {
          return this.fetchResult(reading.result);
        } finally {
          this.report();
        }
      case "failed":
        this.answered(undefined);
        this.settle({ name: "running" }, "Failed", reading);
        this.phase = this.fail(reading.httpStatus);
        this.report();
        throw (this.phase as ModelPhase & { name: "failed" }).error;
      case "cancelled":
        this.answered(undefined);
        this.settle({ name: "running" }, "Cancelled", reading);
        this.phase = this.cancelled();
        this.report();
        throw (this.phase as ModelPhase & { name: "cancelled" }).error;
      case "gone": {
        this.answered(undefined);
        this.status = this.cancelRequested ? "Cancelled" : "Failed";
        const phase = this.cancelRequested ? this.cancelled() : this.fail(reading.httpStatus);
        this.phase = phase;
        this.report();
        throw phase.error;
      }
    }
  }

  /**
   * The GET of a result that lives elsewhere (rules 4, 6, 7). A transient answer is read as rule 9
   * reads the monitor's; any other failure rejects the poll and the result is asked for again on
   * the next one.
   */
  fetchResult(result: ResultPlan): boolean {
    const n = this.resultGets.get(result.path) ?? 0;
    this.resultGets.set(result.path, n + 1);
    this.request("GET", result.path);
    const answer = result.answers[Math.min(n, result.answers.length - 1)]!;
    switch (answer.kind) {
      case "transient":
        return this.transient(`ODataHttpError HTTP_ERROR ${answer.status}`, answer.retryAfter);
      case "error":
        throw new Predicted(`ODataHttpError HTTP_ERROR ${answer.status}`);
      case "badJson":
        throw new Predicted(BAD);
      default:
        this.answered(undefined);
        this.phase = { name: "succeeded", value: answer.kind === "json" ? answer.value : answer.kind === "text" ? answer.text : undefined };
        return false;
    }
  }

  cancel(): void {
    const answer = this.plan.cancel!.answer;
    this.request("DELETE", this.statusPath);
    if (answer === 405) {
      this.calls.push("cancel() -> rejected ODataHttpError HTTP_ERROR 405");
      return;
    }
    if (answer === 202) this.cancelRequested = true;
    else {
      this.status = "Cancelled";
      this.phase = this.cancelled();
    }
    this.calls.push("cancel() -> resolved");
  }

  /** `wait()`, with the plan's cancel() at the first sleep once the monitor has had its polls. */
  wait(): void {
    let cancelDue = this.plan.cancel !== undefined;
    const outcome = (): string => {
      for (;;) {
        if (this.phase.name === "succeeded") return `resolved ${shown(this.phase.value)}`;
        if (this.phase.name === "failed" || this.phase.name === "cancelled") return `rejected ${this.phase.error.description}`;
        if (this.now >= this.deadline) return `rejected ${this.timeout().description}`;
        const pollAt = this.retryAfterAt ?? this.now + this.plan.pollInterval;
        const wakeAt = Math.min(pollAt, this.deadline);
        if (wakeAt > this.now && cancelDue && this.monitorPolls >= this.plan.cancel!.at) {
          cancelDue = false;
          this.cancel();
          const phase = this.phase as ModelPhase;
          if (phase.name === "cancelled") return `rejected ${phase.error.description}`;
        }
        if (wakeAt > this.now) this.now = wakeAt;
        if (pollAt >= this.deadline) return `rejected ${this.timeout().description}`;
        try {
          this.poll();
        } catch (error) {
          return `rejected ${(error as Predicted).description}`;
        }
      }
    };
    this.calls.splice(0, 0, `wait() -> ${outcome()}`);
  }

  /** poll() by hand, with the clock moved on before each but the first. */
  pollByHand(advances: readonly number[], resumeAt: number | undefined): void {
    let last: Predicted | undefined;
    for (let i = 0; i < advances.length; i++) {
      if (resumeAt === i && !this.settled) {
        // The token holds the monitor, status, progress, deadline, Retry-After, a cancel that runs
        // and a result URL; a run of transient answers is the old process's and ends with it.
        this.transientInRow = 0;
        this.lastTransient = undefined;
        this.calls.push("resumeAsync()");
      }
      if (this.plan.cancel?.at === i && !this.settled) this.cancel();
      if (i > 0) this.now += advances[i]!;
      try {
        const running = this.poll();
        this.calls.push(`poll() -> ${running}`);
        if (!running) break;
      } catch (error) {
        last = error as Predicted;
        this.calls.push(`poll() -> rejected ${last.description}`);
        if (!goesOnAfter(last.description)) break;
        last = undefined;
      }
    }
    // Once the outcome is known a poll sends nothing: false after success, the same error after a failure.
    if (last !== undefined && !this.settled) return;
    try {
      this.calls.push(`poll() again -> ${this.poll()}`);
    } catch (error) {
      this.calls.push(`poll() again -> rejected ${error === last ? "the same error" : (error as Predicted).description}`);
    }
  }

  observed(): Observed {
    const phase = this.phase;
    const result =
      phase.name === "succeeded"
        ? `returns ${shown(phase.value)}`
        : phase.name === "failed" || phase.name === "cancelled"
          ? `throws ${phase.error.description}`
          : "throws ODataClientError ASYNC_OPERATION_PENDING";
    return {
      calls: this.calls,
      requests: this.requests,
      status: this.status,
      percentComplete: this.percent,
      isDone: this.settled,
      statusUrl: this.statusPath,
      result,
      progress: this.progress,
    };
  }
}

function predict(plan: Plan): Observed {
  const model = new Model(plan);
  if (plan.driver.kind === "wait") model.wait();
  else model.pollByHand(plan.driver.advances, plan.driver.resumeAt);
  return model.observed();
}

// --- the real poller ----------------------------------------------------------------------------

const realSetImmediate = globalThis.setImmediate;

/**
 * The sleeps of `wait()` among the fake timers: the driver lets those pass, and only those (a
 * poll's deadline timer must not fire while its request is on the wire, or the poll would time
 * out early). Told apart by the stack that sets them (polling.ts's WaitSignal.sleep).
 */
const WAIT_SLEEP = /\bsleep\b[^\n]*polling/;

function settledText(promise: Promise<unknown>, what: string, last?: { error?: unknown }): Promise<string> {
  return promise.then(
    (value) => `${what} -> ${what.startsWith("poll") ? String(value) : what.startsWith("cancel") ? "resolved" : `resolved ${shown(value)}`}`,
    (error: unknown) => {
      const same = last !== undefined && last.error !== undefined && error === last.error;
      if (last) last.error = error;
      return `${what} -> rejected ${same ? "the same error" : describeError(error)}`;
    },
  );
}

async function driveWait(plan: Plan, poller: AsyncPoller<unknown>, service: AsyncService, time: FakeTime): Promise<string[]> {
  const calls: string[] = [];
  let outcome: string | undefined;
  const waiting = settledText(poller.wait(), "wait()").then((text) => (outcome = text));
  let cancelDue = plan.cancel !== undefined;
  const giveUp = performance.now() + 10_000;
  while (outcome === undefined) {
    if (performance.now() > giveUp) return [...calls, "wait() -> still pending after 10 s of real time"];
    const due = time.soonestDue(WAIT_SLEEP);
    if (due === undefined) {
      await new Promise<void>((resolve) => realSetImmediate(resolve));
      continue;
    }
    if (cancelDue && service.requestsOf("monitor").length >= plan.cancel!.at) {
      cancelDue = false;
      calls.push(await settledText(poller.cancel(), "cancel()"));
      continue;
    }
    time.tick(Math.max(0, due - Date.now()));
  }
  await waiting;
  return [outcome, ...calls];
}

async function drivePolls(plan: Plan, first: AsyncPoller<unknown>, time: FakeTime, resume: (token: unknown) => AsyncPoller<unknown>): Promise<{ calls: string[]; poller: AsyncPoller<unknown> }> {
  const { advances, resumeAt } = plan.driver as Plan["driver"] & { kind: "poll" };
  const calls: string[] = [];
  const last: { error?: unknown } = {};
  let stoppedRunning = false;
  let poller = first;
  for (let i = 0; i < advances.length; i++) {
    if (resumeAt === i && !poller.isDone()) {
      poller = resume(JSON.parse(JSON.stringify(poller.toJSON())));
      calls.push("resumeAsync()");
    }
    if (plan.cancel?.at === i && !poller.isDone()) calls.push(await settledText(poller.cancel(), "cancel()"));
    if (i > 0) time.tick(advances[i]!);
    const text = await time.within(settledText(poller.poll(), "poll()", last));
    calls.push(text);
    if (text === "poll() -> false") break;
    if (text.startsWith("poll() -> rejected")) {
      if (!goesOnAfter(text.slice("poll() -> rejected ".length))) {
        stoppedRunning = !poller.isDone();
        break;
      }
      delete last.error;
    }
  }
  if (!stoppedRunning) calls.push(await time.within(settledText(poller.poll(), "poll() again", last)));
  return { calls, poller };
}

async function observe(t: TestContext, plan: Plan, service: AsyncService): Promise<Observed> {
  const time = useFakeTime(t, plan.t0);
  service.scenario(scenarioOf(plan));
  // No request timeout: its timers would sit among the fake ones, and no answer here is slow.
  const client = new ODataClient({ serviceUrl: service.serviceUrl, timeout: 0 });
  const progress: string[] = [];
  const options = { pollInterval: plan.pollInterval, maxWait: plan.maxWait, onProgress: (status: string, percent: number) => progress.push(`${status}|${percent}`) };
  let poller =
    plan.start.kind === "createAsync" ? await client.collection("Jobs").createAsync<unknown>({ run: plan.seed }, options) : client.asyncPoller<unknown>("monitor/first", options);
  let calls: string[];
  if (plan.driver.kind === "wait") calls = await driveWait(plan, poller, service, time);
  else {
    // A resumed poller keeps the token's deadline (no new maxWait) and is told the rest again.
    const resumed = await drivePolls(plan, poller, time, (token) => client.resumeAsync<unknown>(token as AsyncPollerToken, { pollInterval: plan.pollInterval, onProgress: options.onProgress }));
    calls = resumed.calls;
    poller = resumed.poller;
  }
  let result: string;
  try {
    result = `returns ${shown(poller.result())}`;
  } catch (error) {
    result = `throws ${describeError(error)}`;
  }
  return {
    calls,
    requests: service.requests.filter((request) => request.kind !== "initial").map((request) => `${request.method} ${request.path} @${request.receivedAt - plan.t0}`),
    status: poller.status(),
    percentComplete: poller.percentComplete(),
    isDone: poller.isDone(),
    statusUrl: new URL(poller.statusUrl).pathname,
    result,
    progress,
  };
}

// --- the tests ----------------------------------------------------------------------------------

const SEEDS = Number(process.env.FUZZ_SEEDS ?? 300);


let service: AsyncService;

async function check(t: TestContext, seed: number): Promise<void> {
  const plan = generate(seed, service.origin);
  const expected = predict(plan);
  const actual = await observe(t, plan, service);
  const differences = (Object.keys(expected) as (keyof Observed)[])
    .filter((key) => JSON.stringify(actual[key]) !== JSON.stringify(expected[key]))
    .map((key) => `${key}:\n  real:  ${JSON.stringify(actual[key])}\n  model: ${JSON.stringify(expected[key])}`);
  assert.deepEqual(differences, [], `seed ${seed}: the poller does not end where the model says\n${differences.join("\n")}\nplan: ${JSON.stringify(plan)}`);
}

describe("the poller against the model of its contract", () => {
  before(async () => {
    service = await startAsyncService();
  });
  after(() => service.close());

  test(`${SEEDS} random sequences of monitor answers end where the model says`, async (t) => {
    const failures: string[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) {
      await t.test(`seed ${seed}`, async (t) => {
        try {
          await check(t, seed);
        } catch (error) {
          failures.push(`seed ${seed}`);
          throw error;
        }
      });
    }
    assert.deepEqual(failures, []);
  });
});
