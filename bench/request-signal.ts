/**
 * What an `AbortSignal` given to `fetch` costs by itself, the floor under issue 11's poll row: a
 * poll must give its request a signal (the caller's abort, the deadline and the timeout end it),
 * and the platform's `fetch` (undici, in Node) does work of its own for every signal it is given.
 *
 * 1. `new Request(url, init)` with and without a fresh signal, in-process, no network.
 * 2. `fetch()` + `text()` of a small 202 answer, with no signal, and with a fresh controller's
 *    signal and a 30 s timer cleared after the body (a poll's minimum), against a node:http server
 *    in another process; interleaved in rounds of 100, the order turning each round.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import type { BenchFigure } from "./main.js";
import { median, spread } from "./stats.js";

const SERVER = `
const { createServer } = require("node:http");
const body = JSON.stringify({ status: "Running", percentComplete: 40 });
createServer((req, res) => { req.resume(); req.on("end", () => { res.writeHead(202, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }); res.end(body); }); })
  .listen(0, "127.0.0.1", function () { console.log(this.address().port); });
process.stdin.resume(); process.stdin.on("end", () => process.exit(0));
`;

const HEADERS = { accept: "application/json;odata.metadata=minimal", "odata-maxversion": "4.0", "odata-version": "4.0" };

/** Microseconds per call of `make`, over `count` calls after as many to warm up. */
function perCall(make: () => unknown, count: number): number {
  for (let i = 0; i < count; i++) make();
  const start = performance.now();
  for (let i = 0; i < count; i++) make();
  return ((performance.now() - start) * 1000) / count;
}

export async function benchRequestSignal(): Promise<BenchFigure[]> {
  const url = "http://127.0.0.1:9/monitor/1";
  const plain: number[] = [];
  const signalled: number[] = [];
  for (let round = 0; round < 7; round++) {
    plain.push(perCall(() => new Request(url, { headers: HEADERS }), 20_000));
    signalled.push(perCall(() => new Request(url, { headers: HEADERS, signal: new AbortController().signal }), 20_000));
  }

  const server = spawn(process.execPath, ["-e", SERVER], { stdio: ["pipe", "pipe", "inherit"] });
  try {
    const [port] = (await once(server.stdout!, "data")) as [Buffer];
    const monitor = `http://127.0.0.1:${String(port).trim()}/monitor/1`;
    const bare = async () => {
      const response = await fetch(monitor, { headers: HEADERS });
      await response.text();
    };
    const withSignal = async () => {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 30_000);
      try {
        const response = await fetch(monitor, { headers: HEADERS, signal: controller.signal });
        await response.text();
      } finally {
        clearTimeout(timer);
      }
    };
    const time = async (call: () => Promise<void>): Promise<number> => {
      const start = performance.now();
      await call();
      return (performance.now() - start) * 1000;
    };
    for (let i = 0; i < 300; i++) {
      await bare();
      await withSignal();
    }
    const ratios: number[] = [];
    const bareTimes: number[] = [];
    const signalTimes: number[] = [];
    for (let round = 0; round < 30; round++) {
      const a: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < 100; i++) {
        if ((i + round) % 2 === 0) {
          a.push(await time(bare));
          b.push(await time(withSignal));
        } else {
          b.push(await time(withSignal));
          a.push(await time(bare));
        }
      }
      ratios.push(median(b) / median(a));
      bareTimes.push(...a);
      signalTimes.push(...b);
    }
    return [
      { name: "new Request(), no signal", value: median(plain), unit: "µs", note: `median of 7 rounds of 20,000, ${spread(plain)}` },
      { name: "new Request(), a fresh signal", value: median(signalled), unit: "µs", note: `median of 7 rounds of 20,000, ${spread(signalled)}` },
      { name: "fetch() + text(), no signal", value: median(bareTimes), unit: "µs", note: "a 202 of 40 bytes from another process, 3,000 calls" },
      { name: "the same with a signal and a 30 s timer", value: median(signalTimes), unit: "µs", note: "a fresh AbortController each, the timer cleared after the body" },
      { name: "with a signal / without, median latency", value: median(ratios), unit: "ratio", note: `median of 30 rounds' ratios, spread ${spread(ratios)}: the floor of poll() / fetch` },
    ];
  } finally {
    server.stdin?.end();
    await once(server, "exit");
  }
}
