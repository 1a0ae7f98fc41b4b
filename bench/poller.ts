/**
 * Poller benchmarks, against the demo service running in a process of its own (demo/serve.ts) with
 * an export job that never ends, so that its status monitor answers 202 for as long as we like:
 *
 * 1. The cost of one `poll()` next to a bare `fetch()` + `text()` of the same monitor, and next to
 *    the same request written by hand (the poll's headers, an AbortSignal, a timeout timer),
 *    sequential on loopback, interleaved in rounds so that all share the machine's noise.
 * 2. `cancel()` of 1,000 pollers at once against 1,000 bare `fetch` DELETEs of their monitors, and
 *    against the same DELETEs written by hand (the client's headers, an AbortSignal, a timer).
 * 3. 10,000 pollers waiting at once (`asyncPoller` + `wait(signal)`, about one poll per second
 *    each), in a child process started with `--expose-gc` (this file bundled with the library for
 *    plain node, see pollersRunner): heap per waiting poller, event-loop delay
 *    while they poll, and polls answered per second; then all are aborted with one signal. The same
 *    with bare fetch loops, for reference; and the cost of starting and aborting 10,000 waits with
 *    no request at all, with one signal for all and with a signal each.
 */
import { fork, spawn, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ODataClient } from "../src/index.js";
import { LIBRARY_VERSION } from "../src/options.js";
import { versionHeaders } from "../src/payload/version-headers.js";
import type { BenchFigure } from "./main.js";
import { median, quantile, spread } from "./stats.js";

const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));
const THIS_FILE = fileURLToPath(import.meta.url);
const DAY = 86_400_000;

/**
 * How the section runs. On a quiet machine the defaults take about a minute; on a busy one the
 * poll interval grows with the measured cost of a poll, and so does the run (a few minutes).
 */
export interface PollerBenchOptions {
  /** Timed requests per variant in part 1. @default 3_000 */
  samples?: number;
  /** Pollers waiting at once in part 2. @default 10_000 */
  pollers?: number;
  /**
   * Their pollInterval, ms. By default 1_000, or longer where one sequential poll shows that this
   * machine cannot answer `pollers` polls per second (the figures say which).
   */
  pollInterval?: number;
  /** How long the event-loop delay and the poll rate are measured, ms. @default max(5_000, pollInterval) */
  measureMs?: number;
}

/** Runs both parts and resolves with their figures. */
export async function benchPoller(options: PollerBenchOptions = {}): Promise<BenchFigure[]> {
  const samples = options.samples ?? envInteger("BENCH_SAMPLES") ?? 3_000;
  const pollers = options.pollers ?? envInteger("BENCH_POLLERS") ?? 10_000;
  const requestedInterval = options.pollInterval ?? envInteger("BENCH_POLL_INTERVAL");

  const service = await startServiceProcess({ DEMO_JOB_MS: String(DAY), DEMO_RETRY_AFTER: "0", DEMO_PRODUCTS: "1000" });
  try {
    const monitorUrl = await startEndlessJob(service.serviceUrl);
    console.log(`  status monitor (answers 202 for a day): ${monitorUrl}`);
    const cost = await measurePollCost(service.serviceUrl, monitorUrl, samples);
    console.log(`  one poll: ${cost.pollMedian.toFixed(1)} µs, bare fetch: ${cost.fetchMedian.toFixed(1)} µs (medians of ${samples} each)`);
    const figures: BenchFigure[] = [
      { name: "bare fetch + text(), median", value: cost.fetchMedian, unit: "µs", note: `sequential GETs of a 202 monitor, ${samples} interleaved` },
      { name: "poll(), median", value: cost.pollMedian, unit: "µs", note: "same monitor, same rounds" },
      { name: "poll() / fetch", value: cost.pollMedian / cost.fetchMedian, unit: "ratio", note: "medians" },
      {
        name: "[issue 11] poll() / fetch, median latency",
        value: median(cost.roundRatios),
        unit: "ratio",
        note: `median of ${cost.roundRatios.length} rounds' ratios (${ROUND_SIZE} of each per round), spread ${spread(cost.roundRatios)}; target <= 1.1`,
      },
      {
        name: "[issue 11] poll() / fetch, client CPU",
        value: median(cost.cpuRatios),
        unit: "ratio",
        note: `median of ${cost.cpuRatios.length} rounds' ratios of process.cpuUsage, spread ${spread(cost.cpuRatios)}; ${(cost.pollCpu / samples).toFixed(0)} µs vs ${(cost.fetchCpu / samples).toFixed(0)} µs per call over all rounds`,
      },
      { name: "the same request by hand, median", value: cost.handMedian, unit: "µs", note: "fetch with the poll's headers, an AbortSignal and a 30 s timer" },
      {
        name: "poll() / the same request by hand, median latency",
        value: median(cost.handRatios),
        unit: "ratio",
        note: `median of ${cost.handRatios.length} rounds' ratios, spread ${spread(cost.handRatios)}; what the poller adds to what a poll must do`,
      },
      {
        name: "the same request by hand / fetch, median latency",
        value: median(cost.handFetchRatios),
        unit: "ratio",
        note: `median of ${cost.handFetchRatios.length} rounds' ratios, spread ${spread(cost.handFetchRatios)}; client CPU ${(cost.handCpu / samples).toFixed(0)} µs per call`,
      },
      { name: "poll() - fetch", value: cost.pollMedian - cost.fetchMedian, unit: "µs", note: "the poller's own work per poll" },
      { name: "bare fetch p90", value: cost.fetchP90, unit: "µs" },
      { name: "poll() p90", value: cost.pollP90, unit: "µs" },
    ];
    const cancel = await measureCancel(service.serviceUrl, CANCEL_COUNT, CANCEL_ROUNDS);
    console.log(`  cancel() of ${CANCEL_COUNT} pollers at once: ${cancel.pollMs.toFixed(0)} ms, ${CANCEL_COUNT} bare DELETEs: ${cancel.bareMs.toFixed(0)} ms (medians of ${CANCEL_ROUNDS} rounds)`);
    figures.push(
      { name: `bare DELETE of ${CANCEL_COUNT} monitors at once, median`, value: cancel.bareMs, unit: "ms", note: `fetch(monitor, { method: "DELETE" }) + text(), all started together` },
      { name: `cancel() of ${CANCEL_COUNT} pollers at once, median`, value: cancel.pollMs, unit: "ms", note: "same service, same rounds" },
      {
        name: `[issue 11] cancel() of ${CANCEL_COUNT} pollers / ${CANCEL_COUNT} bare DELETEs`,
        value: median(cancel.roundRatios),
        unit: "ratio",
        note: `median of ${cancel.roundRatios.length} rounds' ratios, spread ${spread(cancel.roundRatios)}; keep about 1.04`,
      },
      { name: `${CANCEL_COUNT} DELETEs by hand at once, median`, value: cancel.handMs, unit: "ms", note: "the client's headers (OData-Version and OData-MaxVersion among them), redirect manual, an AbortSignal and a 30 s timer each" },
      {
        name: `cancel() of ${CANCEL_COUNT} pollers / ${CANCEL_COUNT} DELETEs by hand`,
        value: median(cancel.handRatios),
        unit: "ratio",
        note: `median of ${cancel.handRatios.length} rounds' ratios, spread ${spread(cancel.handRatios)}; what cancel() adds to what it must do`,
      },
    );
    const count = pollers.toLocaleString("en-US");
    // Asking for more polls per second than this machine can answer does not measure waiting
    // pollers, it measures a collapse: the backlog grows, the connection pool with it, and every
    // request gets slower. So the interval is ~1 s where the machine can serve that, and otherwise
    // long enough to ask for about half of what one sequential poll suggests it can serve.
    const pollInterval = requestedInterval ?? Math.max(1_000, Math.ceil((pollers * cost.pollMedian * 2) / 1_000 / 1_000) * 1_000);
    const measureMs = options.measureMs ?? Math.max(5_000, pollInterval);
    if (requestedInterval === undefined && pollInterval > 1_000) {
      console.log(`  pollInterval ${pollInterval} ms for ${count} pollers: one poll takes ${cost.pollMedian.toFixed(0)} µs here (BENCH_POLL_INTERVAL overrides)`);
    }
    for (const mode of ["one signal", "signal each"] as const) {
      const start = await measureWaitStart(service.serviceUrl, monitorUrl, pollers, mode);
      console.log(`  starting ${count} wait() calls (${mode}): ${start.startMs.toFixed(0)} ms, aborting them: ${start.abortMs.toFixed(0)} ms`);
      figures.push(
        { name: `[${mode}] start ${count} wait()`, value: start.startMs, unit: "ms", note: "no request: pollInterval 1 h, in this process" },
        { name: `[${mode}] abort ${count} wait()`, value: start.abortMs, unit: "ms", note: "until every wait rejected" },
      );
    }
    // Several rounds, the modes taking turns within each (the order rotating), so that each row is
    // a median with its spread and the pollers' figures are ratios against the bare fetch loops of
    // the same round, which hold the same sockets and make the same requests.
    const runs = new Map<WaitMode, ManyWaiting[]>(WAIT_MODES.map((mode) => [mode, []]));
    const heapRatios = new Map<WaitMode, number[]>();
    const delayRatios = new Map<WaitMode, number[]>();
    for (let round = 0; round < WAIT_ROUNDS; round++) {
      const seen = new Map<WaitMode, ManyWaiting>();
      for (let k = 0; k < WAIT_MODES.length; k++) {
        const mode = WAIT_MODES[(k + round) % WAIT_MODES.length] as WaitMode;
        try {
          const many = await runPollersChild({ mode, serviceUrl: service.serviceUrl, monitorUrl, pollers, pollInterval, measureMs });
          console.log(
            `  round ${round + 1}, ${count} waiting (${mode}): ${Math.round(many.heapPerWaiting)} bytes of heap each, ${Math.round(many.pollsPerSecond)} polls/s, event-loop delay p99 ${many.eventLoopDelayP99.toFixed(1)} ms`,
          );
          runs.get(mode)?.push(many);
          seen.set(mode, many);
        } catch (error) {
          console.log(`  round ${round + 1}, ${count} waiting (${mode}): ${(error as Error).message}`);
        }
      }
      const bare = seen.get("bare fetch");
      for (const [mode, many] of seen) {
        if (mode === "bare fetch" || bare === undefined) continue;
        (heapRatios.get(mode) ?? heapRatios.set(mode, []).get(mode)!).push(many.heapPerWaiting / bare.heapPerWaiting);
        (delayRatios.get(mode) ?? delayRatios.set(mode, []).get(mode)!).push(many.eventLoopDelayP99 / bare.eventLoopDelayP99);
      }
    }
    for (const mode of WAIT_MODES) {
      const all = runs.get(mode) ?? [];
      if (all.length === 0) {
        figures.push({ name: `[${mode}] ${count} waiting`, value: "did not finish", unit: "", note: "no round finished (see above)" });
        continue;
      }
      const of = (field: keyof Omit<ManyWaiting, "mode">) => all.map((many) => many[field]);
      const rounds = `median of ${all.length} rounds, spread`;
      const what = mode === "bare fetch" ? "loop" : "poller";
      figures.push(
        { name: `[${mode}] heap per ${what}, created`, value: median(of("heapPerIdle")), unit: "bytes", note: `heap after gc / ${count}, nothing sent yet; ${rounds} ${spread(of("heapPerIdle"))}` },
        { name: `[${mode}] heap per ${what}, waiting`, value: median(of("heapPerWaiting")), unit: "bytes", note: `heap after gc / ${count}, all waiting (sockets included); ${rounds} ${spread(of("heapPerWaiting"))}` },
        { name: `[${mode}] event-loop delay p99`, value: median(of("eventLoopDelayP99")), unit: "ms", note: `${measureMs / 1000} s while polling every ${pollInterval} ms; ${rounds} ${spread(of("eventLoopDelayP99"))}` },
        { name: `[${mode}] event-loop delay max`, value: Math.max(...of("eventLoopDelayMax")), unit: "ms", note: "the largest of the rounds" },
        { name: `[${mode}] polls answered`, value: median(of("pollsPerSecond")), unit: "/s", note: `asked for: ${Math.round((pollers * 1000) / pollInterval)}/s` },
        { name: `[${mode}] failed waits`, value: of("failedWaits").reduce((sum, n) => sum + n, 0), unit: "", note: "rejections other than the final abort, all rounds" },
        { name: `[${mode}] start all waits`, value: median(of("spreadMs")), unit: "ms", note: `spread over ${pollInterval} ms by the clock` },
        { name: `[${mode}] abort all`, value: median(of("abortMs")), unit: "ms", note: "until every wait rejected" },
        { name: `[${mode}] heap left after abort`, value: median(of("heapAfterAbort")), unit: "bytes", note: `per ${what}, all released, after gc` },
      );
      if (mode === "bare fetch") continue;
      const heaps = heapRatios.get(mode) ?? [];
      const delays = delayRatios.get(mode) ?? [];
      figures.push(
        { name: `[issue 11] ${count} pollers waiting (${mode}): heap per poller`, value: median(of("heapPerWaiting")), unit: "bytes", note: `heap after gc / pollers, all waiting; ${rounds} ${spread(of("heapPerWaiting"))}; keep 2.8–4.2 KB` },
        { name: `[issue 11] ${count} pollers waiting (${mode}): heap / bare fetch loops`, value: heaps.length ? median(heaps) : "no pair", unit: "ratio", note: `per round against the bare loops' heap; median of ${heaps.length} rounds' ratios, spread ${heaps.length ? spread(heaps) : "-"}` },
        { name: `[issue 11] ${count} pollers waiting (${mode}): event-loop delay p99`, value: median(of("eventLoopDelayP99")), unit: "ms", note: `${rounds} ${spread(of("eventLoopDelayP99"))}; keep 7–9 ms` },
        { name: `[issue 11] ${count} pollers waiting (${mode}): event-loop delay p99 / bare fetch loops`, value: delays.length ? median(delays) : "no pair", unit: "ratio", note: `median of ${delays.length} rounds' ratios, spread ${delays.length ? spread(delays) : "-"}` },
      );
    }
    return figures;
  } finally {
    await service.stop();
  }
}

// --- Part 1: one poll against one fetch ----------------------------------------------------------

interface PollCost {
  pollMedian: number;
  fetchMedian: number;
  pollP90: number;
  fetchP90: number;
  /** Per round: the median poll over the median fetch of that round. */
  roundRatios: number[];
  /** Per round: the median poll over the median of the same request written by hand. */
  handRatios: number[];
  /** Per round: the median of the request written by hand over the median fetch. */
  handFetchRatios: number[];
  /** Per round: the CPU time of that round's polls over that of its fetches. */
  cpuRatios: number[];
  /** This process's CPU time (µs) of all timed requests written by hand. */
  handCpu: number;
  handMedian: number;
  /** This process's CPU time (µs) of all timed polls and of all timed fetches. */
  pollCpu: number;
  fetchCpu: number;
}

/** Timed calls of each kind per round of part 1. */
const ROUND_SIZE = 100;

async function measurePollCost(serviceUrl: string, monitorUrl: string, samples: number): Promise<PollCost> {
  const client = new ODataClient({ serviceUrl });
  const poller = client.asyncPoller<unknown>(monitorUrl, { maxWait: DAY });
  let pollCpu = 0;
  let fetchCpu = 0;
  const timePoll = async (): Promise<number> => {
    const cpu = process.cpuUsage();
    const start = performance.now();
    const running = await poller.poll();
    const elapsed = performance.now() - start;
    const used = process.cpuUsage(cpu);
    pollCpu += used.user + used.system;
    if (!running) throw new Error("the endless job ended");
    return elapsed;
  };
  const timeFetch = async (): Promise<number> => {
    const cpu = process.cpuUsage();
    const start = performance.now();
    const response = await fetch(monitorUrl, { headers: { accept: "application/json" } });
    await response.text();
    const elapsed = performance.now() - start;
    const used = process.cpuUsage(cpu);
    fetchCpu += used.user + used.system;
    if (response.status !== 202) throw new Error(`the monitor answered ${response.status}`);
    return elapsed;
  };

  // The same request written by hand: what a poll has to do beyond a bare fetch, without the
  // library. The poller's GET carries these headers (Accept; the User-Agent and Accept-Language the
  // client adds), its own AbortSignal (so that a caller's abort or the deadline can end it) and a
  // timer of the client's default 30 s timeout, cleared when the body is in.
  const handHeaders = new Headers({ accept: "application/json", "user-agent": `traverse-odata/${LIBRARY_VERSION}`, "accept-language": "en" });
  let handCpu = 0;
  const timeByHand = async (): Promise<number> => {
    const cpu = process.cpuUsage();
    const start = performance.now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 30_000);
    let response: Response;
    try {
      response = await fetch(monitorUrl, { headers: handHeaders, signal: controller.signal });
      await response.text();
    } finally {
      clearTimeout(timer);
    }
    const elapsed = performance.now() - start;
    const used = process.cpuUsage(cpu);
    handCpu += used.user + used.system;
    if (response.status !== 202) throw new Error(`the monitor answered ${response.status}`);
    return elapsed;
  };

  // Warm up the connection pool and the JIT for all three.
  for (let i = 0; i < 200; i++) {
    await timePoll();
    await timeFetch();
    await timeByHand();
  }
  pollCpu = 0;
  fetchCpu = 0;
  handCpu = 0;
  const polls: number[] = [];
  const fetches: number[] = [];
  const byHand: number[] = [];
  const roundRatios: number[] = [];
  const handRatios: number[] = [];
  const handFetchRatios: number[] = [];
  const cpuRatios: number[] = [];
  const kinds = [
    [timePoll, polls],
    [timeFetch, fetches],
    [timeByHand, byHand],
  ] as const;
  for (let round = 0; polls.length < samples; round++) {
    const batch = Math.min(ROUND_SIZE, samples - polls.length);
    const first = polls.length;
    const cpuBefore = { poll: pollCpu, fetch: fetchCpu };
    // Each round another goes first, so that none always follows the same one's garbage.
    for (let k = 0; k < kinds.length; k++) {
      const [measure, times] = kinds[(k + round) % kinds.length] as (typeof kinds)[number];
      for (let i = 0; i < batch; i++) times.push(await measure());
    }
    const pollRound = median(polls.slice(first));
    const fetchRound = median(fetches.slice(first));
    const handRound = median(byHand.slice(first));
    roundRatios.push(pollRound / fetchRound);
    handRatios.push(pollRound / handRound);
    handFetchRatios.push(handRound / fetchRound);
    cpuRatios.push((pollCpu - cpuBefore.poll) / (fetchCpu - cpuBefore.fetch));
  }
  return {
    roundRatios,
    handRatios,
    handFetchRatios,
    cpuRatios,
    handCpu,
    handMedian: quantile(byHand, 0.5) * 1000,
    pollCpu,
    fetchCpu,
    pollMedian: quantile(polls, 0.5) * 1000,
    fetchMedian: quantile(fetches, 0.5) * 1000,
    pollP90: quantile(polls, 0.9) * 1000,
    fetchP90: quantile(fetches, 0.9) * 1000,
  };
}

// --- cancel() of many pollers at once -------------------------------------------------------------

const CANCEL_COUNT = 1_000;
const CANCEL_ROUNDS = 7;

/**
 * `cancel()` of `count` pollers at once against `count` bare `fetch` DELETEs of their monitors
 * (which is what `cancel()` sends) and against the same DELETEs written by hand, each round on fresh
 * jobs (a cancelled job's monitor is gone), the order rotating each round. Times from the first call
 * until every one has settled.
 */
async function measureCancel(
  serviceUrl: string,
  count: number,
  rounds: number,
): Promise<{ pollMs: number; bareMs: number; handMs: number; roundRatios: number[]; handRatios: number[] }> {
  const client = new ODataClient({ serviceUrl });
  const polls: number[] = [];
  const bares: number[] = [];
  const hands: number[] = [];
  const roundRatios: number[] = [];
  const handRatios: number[] = [];
  const timeCancels = async (): Promise<number> => {
    const pollers = (await startEndlessJobs(serviceUrl, count)).map((monitorUrl) => client.asyncPoller(monitorUrl, { maxWait: DAY }));
    const started = performance.now();
    await Promise.all(pollers.map((poller) => poller.cancel()));
    const elapsed = performance.now() - started;
    if (!pollers.every((poller) => poller.status() === "Cancelled")) throw new Error("a cancel() did not cancel its job");
    return elapsed;
  };
  const timeDeletes = async (): Promise<number> => {
    const monitors = await startEndlessJobs(serviceUrl, count);
    const started = performance.now();
    const statuses = await Promise.all(
      monitors.map(async (monitorUrl) => {
        const response = await fetch(monitorUrl, { method: "DELETE" });
        await response.text();
        return response.status;
      }),
    );
    const elapsed = performance.now() - started;
    if (!statuses.every((status) => status === 204)) throw new Error("a bare DELETE did not cancel its job");
    return elapsed;
  };
  // The DELETE as cancel() must send it, by hand: the headers the client adds (a write's version
  // headers among them, which the service reads: the bare DELETE sends none), redirects not
  // followed, an AbortSignal (a caller's abort or the timeout ends it) and a 30 s timer.
  const handHeaders = { accept: "application/json", ...versionHeaders("4.0", "write"), "user-agent": `traverse-odata/${LIBRARY_VERSION}`, "accept-language": "en" };
  const timeByHand = async (): Promise<number> => {
    const monitors = await startEndlessJobs(serviceUrl, count);
    const started = performance.now();
    const statuses = await Promise.all(
      monitors.map(async (monitorUrl) => {
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), 30_000);
        try {
          const response = await fetch(monitorUrl, { method: "DELETE", headers: handHeaders, redirect: "manual", signal: controller.signal });
          await response.body?.cancel();
          return response.status;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const elapsed = performance.now() - started;
    if (!statuses.every((status) => status === 204)) throw new Error("a DELETE by hand did not cancel its job");
    return elapsed;
  };
  // One round to warm up the connection pool and the JIT.
  const variants = [timeCancels, timeDeletes, timeByHand];
  for (const variant of variants) await variant();
  for (let round = 0; round < rounds; round++) {
    // The order rotates by one each round.
    const times = new Map<unknown, number>();
    for (let i = 0; i < variants.length; i++) {
      const variant = variants[(i + round) % variants.length] as () => Promise<number>;
      times.set(variant, await variant());
    }
    const [poll, bare, hand] = variants.map((variant) => times.get(variant) as number) as [number, number, number];
    polls.push(poll);
    bares.push(bare);
    hands.push(hand);
    roundRatios.push(poll / bare);
    handRatios.push(poll / hand);
  }
  return { pollMs: median(polls), bareMs: median(bares), handMs: median(hands), roundRatios, handRatios };
}

/** Starts `count` endless export jobs, a few at a time, and resolves with their monitors. */
async function startEndlessJobs(serviceUrl: string, count: number): Promise<string[]> {
  const monitors: string[] = [];
  for (let first = 0; first < count; first += 50) {
    monitors.push(...(await Promise.all(Array.from({ length: Math.min(50, count - first) }, () => startEndlessJob(serviceUrl)))));
  }
  return monitors;
}

/**
 * How long it takes to start `count` wait() calls and to abort them, with no request in between
 * (the first poll would come after an hour): the bookkeeping of waiting alone.
 */
async function measureWaitStart(serviceUrl: string, monitorUrl: string, count: number, mode: "one signal" | "signal each"): Promise<{ startMs: number; abortMs: number }> {
  const client = new ODataClient({ serviceUrl });
  // One controller for many waits, as an application sharing one shutdown signal among its pollers
  // would have. Node's MaxListenersExceededWarning is left on: the pollers share one listener per
  // signal, so thousands of waits on it must not set it off.
  const shared = new AbortController();
  const controllers: AbortController[] = [];
  const waits: Array<Promise<unknown>> = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const controller = mode === "one signal" ? shared : new AbortController();
    controllers.push(controller);
    waits.push(client.asyncPoller(monitorUrl, { pollInterval: 3_600_000 }).wait(controller.signal).catch((error: unknown) => error));
  }
  const startMs = performance.now() - started;
  const aborting = performance.now();
  if (mode === "one signal") shared.abort();
  else for (const controller of controllers) controller.abort();
  await Promise.all(waits);
  return { startMs, abortMs: performance.now() - aborting };
}

// --- Part 2: many pollers waiting at once (child process) ----------------------------------------

/** How the waiting operations are run and stopped. */
type WaitMode =
  /** `wait(signal)` of every poller with one AbortSignal, as an application shutting down would. */
  | "one signal"
  /** `wait(signal)` with an AbortController per poller. */
  | "signal each"
  /** No poller: a loop of sleep + bare fetch + text() per operation, for reference. */
  | "bare fetch";

const WAIT_MODES: readonly WaitMode[] = ["one signal", "signal each", "bare fetch"];
/** Rounds of the 10,000 waiting (each mode a child process per round); `BENCH_WAIT_ROUNDS` overrides. */
const WAIT_ROUNDS = envInteger("BENCH_WAIT_ROUNDS") ?? 3;

interface ManyWaiting {
  mode: WaitMode;
  heapPerIdle: number;
  heapPerWaiting: number;
  heapAfterAbort: number;
  eventLoopDelayP99: number;
  eventLoopDelayMax: number;
  pollsPerSecond: number;
  failedWaits: number;
  spreadMs: number;
  abortMs: number;
}

interface PollersTask {
  mode: WaitMode;
  serviceUrl: string;
  monitorUrl: string;
  pollers: number;
  pollInterval: number;
  measureMs: number;
}

async function runPollersChild(task: PollersTask): Promise<ManyWaiting> {
  const runner = await pollersRunner();
  const child = fork(runner.file, ["--pollers-child"], {
    cwd: PROJECT_ROOT,
    execArgv: runner.execArgv,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  child.send(task);
  // A bound on the whole run, so that a machine too busy for the task cannot hang the bench.
  const limitMs = 2 * task.pollInterval + task.measureMs + 45_000;
  const timer = setTimeout(() => child.kill(), limitMs);
  try {
    const [message] = (await Promise.race([
      once(child, "message"),
      once(child, "exit").then(([code, signal]) => {
        throw new Error(`the pollers process (${task.mode}) ended (${signal ?? `code ${code}`}) before reporting; limit ${limitMs} ms`);
      }),
    ])) as [ManyWaiting];
    if (child.exitCode === null) await once(child, "exit");
    return message;
  } finally {
    clearTimeout(timer);
  }
}

/** How the pollers child runs: this file bundled for plain node, or this file under tsx. */
interface PollersRunner {
  file: string;
  execArgv: string[];
}

let runner: Promise<PollersRunner> | undefined;

/**
 * This file with the library bundled into one plain .mjs file (made once a run), so that the heap
 * per poller holds what a program built for production holds. Under tsx every function that the
 * code makes as it runs carries a property array for its name (esbuild's `keepNames`, which tsx
 * turns on): about 2 KB per waiting poller and a few hundred bytes per bare loop that no build of
 * the library has. Without esbuild the child runs under tsx, and says so.
 */
function pollersRunner(): Promise<PollersRunner> {
  return (runner ??= (async () => {
    const viaTsx = { file: THIS_FILE, execArgv: ["--expose-gc", "--import", "tsx"] };
    try {
      const esbuild = await import("esbuild");
      const directory = await mkdtemp(join(tmpdir(), "poller-bench-"));
      const file = join(directory, "poller-child.mjs");
      await esbuild.build({ entryPoints: [THIS_FILE], outfile: file, bundle: true, platform: "node", format: "esm", target: "node20", logLevel: "silent" });
      process.once("exit", () => rmSync(directory, { recursive: true, force: true }));
      return { file, execArgv: ["--expose-gc"] };
    } catch (error) {
      console.log(`  (could not bundle the pollers child, running it with tsx: ${(error as Error).message.split("\n")[0]})`);
      return viaTsx;
    }
  })());
}

/** One waiting operation of the child: started by `start`, ended by aborting. */
interface Waiting {
  start(): Promise<unknown>;
  abort(): void;
}

/** The child's side: runs the waiting operations and reports to the parent. */
async function pollersChild(task: PollersTask): Promise<ManyWaiting> {
  const t0 = performance.now();
  const phase = (name: string) => {
    if (process.env.BENCH_TRACE === "1") console.log(`    [${task.mode}] ${name} at ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  };
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc");
  const heapNow = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  let polls = 0;
  const countPoll = () => {
    polls += 1;
  };

  const baseline = heapNow();
  let operations: Waiting[] | undefined = makeOperations(task, countPoll);
  const idle = heapNow();
  phase("created");

  // The waits start spread over one interval, as operations started by independent users would
  // be (all at once, every poll would go out in the same millisecond). The schedule is kept by the
  // clock, so a busy event loop delays it but does not stretch it.
  let waits: Array<Promise<unknown>> | undefined = [];
  const slices = 100;
  const perSlice = Math.ceil(task.pollers / slices);
  const spreadStart = performance.now();
  for (let slice = 0; slice < slices; slice++) {
    for (const operation of operations.slice(slice * perSlice, (slice + 1) * perSlice)) waits.push(operation.start());
    const due = spreadStart + ((slice + 1) * task.pollInterval) / slices;
    await sleep(Math.max(0, due - performance.now()));
  }
  const spreadMs = performance.now() - spreadStart;
  phase("all started");
  // Every operation makes its first poll before the measurement.
  await sleep(task.pollInterval + 500);

  phase("measuring");
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  polls = 0;
  const measureStart = performance.now();
  await sleep(task.measureMs);
  const pollsPerSecond = (polls * 1000) / (performance.now() - measureStart);
  delay.disable();
  const waiting = heapNow();

  phase("measured");
  const abortStart = performance.now();
  for (const operation of operations) operation.abort();
  const outcomes = await Promise.all(waits);
  const abortMs = performance.now() - abortStart;
  const failedWaits = outcomes.filter((outcome) => (outcome as Error | undefined)?.name !== "AbortError").length;
  phase("aborted");
  operations = undefined;
  waits = undefined;
  await sleep(100);
  const released = heapNow();

  return {
    mode: task.mode,
    heapPerIdle: (idle - baseline) / task.pollers,
    heapPerWaiting: (waiting - baseline) / task.pollers,
    heapAfterAbort: (released - baseline) / task.pollers,
    eventLoopDelayP99: delay.percentile(99) / 1e6,
    eventLoopDelayMax: delay.max / 1e6,
    pollsPerSecond,
    failedWaits,
    spreadMs,
    abortMs,
  };
}

/** The operations of one mode; each `start()` resolves with its outcome (the abort's error). */
function makeOperations(task: PollersTask, countPoll: () => void): Waiting[] {
  const settle = (promise: Promise<unknown>) => promise.then(() => "resolved", (error: unknown) => error);
  const operations: Waiting[] = [];
  if (task.mode === "bare fetch") {
    for (let i = 0; i < task.pollers; i++) {
      const controller = new AbortController();
      const loop = async () => {
        for (;;) {
          await sleep(task.pollInterval, undefined, { signal: controller.signal });
          const response = await fetch(task.monitorUrl, { headers: { accept: "application/json" }, signal: controller.signal });
          await response.text();
          countPoll();
        }
      };
      operations.push({ start: () => settle(loop()), abort: () => controller.abort() });
    }
    return operations;
  }
  const client = new ODataClient({ serviceUrl: task.serviceUrl });
  // One controller for all the waits, as in measureWaitStart.
  const shared = new AbortController();
  for (let i = 0; i < task.pollers; i++) {
    const poller = client.asyncPoller(task.monitorUrl, { pollInterval: task.pollInterval, maxWait: DAY, onProgress: countPoll });
    const controller = task.mode === "one signal" ? shared : new AbortController();
    operations.push({ start: () => settle(poller.wait(controller.signal)), abort: () => controller.abort() });
  }
  return operations;
}

function envInteger(name: string): number | undefined {
  const text = process.env[name];
  return text === undefined || text === "" || !/^\d+$/.test(text) ? undefined : Number(text);
}

// --- The service process -------------------------------------------------------------------------

interface ServiceProcess {
  serviceUrl: string;
  stop(): Promise<void>;
}

/** Starts demo/serve.ts in a process of its own and reads the URL it prints. */
async function startServiceProcess(env: Record<string, string>): Promise<ServiceProcess> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "demo/serve.ts", "--stdin-lifeline"], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout as NonNullable<ChildProcess["stdout"]> });
  const first = await Promise.race([
    once(lines, "line").then(([text]) => text as string),
    once(child, "exit").then(([code]) => {
      throw new Error(`demo/serve.ts exited with code ${code} before it listened`);
    }),
  ]);
  lines.close();
  const { serviceUrl } = JSON.parse(first) as { serviceUrl: string };
  return {
    serviceUrl,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, "exit");
      child.stdin?.end();
      await exited;
    },
  };
}

/** Creates an export job that runs for a day; its monitor is the one everybody polls. */
async function startEndlessJob(serviceUrl: string): Promise<string> {
  const response = await fetch(new URL("ExportJobs", serviceUrl), {
    method: "POST",
    headers: { "content-type": "application/json", prefer: "respond-async" },
    body: JSON.stringify({ format: "csv", maxRows: 1_000 }),
  });
  await response.text();
  const location = response.headers.get("location");
  if (response.status !== 202 || !location) throw new Error(`POST ExportJobs answered ${response.status} without a monitor`);
  return location;
}

if (process.argv.includes("--pollers-child") && import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  process.once("message", (task: PollersTask) => {
    pollersChild(task).then(
      (result) => process.send?.(result, () => process.disconnect()),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
