/**
 * Micro-benchmark of the payload layer.
 *
 * 1. Paged reading: rows/s of `readCollectionBody` against `await (await fetch(url)).json()` over
 *    the same pages from a local node:http server that sends prepared JSON, following nextLink,
 *    alternating the readers in one run and taking the median of several runs. The reader is run
 *    twice: with its default buffer limit (pages parsed whole) and with `bufferLimit: 0` (every page
 *    scanned incrementally), which is what the default limit was chosen from.
 * 2. One unpaged response of 1,000,000 rows (~100 bytes each) read in a child process, so that its
 *    peak RSS is its own; for comparison the same body read with `response.json()`.
 *
 * Run on its own with `npx tsx bench/payload.ts`; `benchPayload()` gives the figures to other scripts.
 */

import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath, pathToFileURL } from "node:url";
import { readCollectionBody } from "../src/payload/collection-body.js";
import { median } from "./stats.js";

const RUNS = 9;
const PAGED_ROWS = 100_000;
const UNPAGED_ROWS = 1_000_000;

/** One row of about 100 bytes of JSON. */
function row(id: number): string {
  return `{"ID":${id},"Name":"Product ${id}","Category":"Beverages","Price":${(id % 10000) / 100},"InStock":${id % 3 !== 0},"Rating":${id % 5}}`;
}

/** Pages of `pageSize` rows, each linking to the next, as a v4 service sends them. */
function preparePages(pageSize: number, total: number): Buffer[] {
  const pages: Buffer[] = [];
  for (let start = 0, index = 0; start < total; start += pageSize, index++) {
    const rows: string[] = [];
    for (let id = start; id < Math.min(total, start + pageSize); id++) rows.push(row(id));
    const next = start + pageSize < total ? `,"@odata.nextLink":"/p${pageSize}/${index + 1}"` : "";
    pages.push(Buffer.from(`{"@odata.context":"$metadata#Products","value":[${rows.join(",")}]${next}}`));
  }
  return pages;
}

/** Serves prepared pages at /p<size>/<n> and the unpaged body at /all, streamed as it is made. */
async function startServer(pagesBySize: Map<number, Buffer[]>): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    const paged = /^\/p(\d+)\/(\d+)$/.exec(request.url ?? "");
    if (paged) {
      const page = pagesBySize.get(Number(paged[1]))?.[Number(paged[2])];
      if (!page) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { "content-type": "application/json", "content-length": page.length });
      response.end(page);
      return;
    }
    if (request.url === "/all") {
      void streamUnpaged(response);
      return;
    }
    response.writeHead(404).end();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}` };
}

/** The unpaged body, prepared in blocks of 1000 rows so that serving it costs the server little. */
let unpagedBlocks: Buffer[] | undefined;

function prepareUnpaged(): Buffer[] {
  const blocks: Buffer[] = [Buffer.from('{"@odata.context":"$metadata#Products","@odata.count":1000000,"value":[')];
  const block = 1000;
  for (let start = 0; start < UNPAGED_ROWS; start += block) {
    const rows: string[] = [];
    for (let id = start; id < start + block; id++) rows.push(row(id));
    blocks.push(Buffer.from((start === 0 ? "" : ",") + rows.join(",")));
  }
  blocks.push(Buffer.from("]}"));
  return blocks;
}

async function streamUnpaged(response: import("node:http").ServerResponse): Promise<void> {
  unpagedBlocks ??= prepareUnpaged();
  response.writeHead(200, { "content-type": "application/json" });
  for (const block of unpagedBlocks) {
    if (!response.write(block)) await once(response, "drain");
    if (response.destroyed) return;
  }
  response.end();
}

type Reader = (firstUrl: string, origin: string) => Promise<number>;

const viaFetchJson: Reader = async (firstUrl, origin) => {
  let rows = 0;
  let url: string | undefined = firstUrl;
  while (url !== undefined) {
    const page = (await (await fetch(url)).json()) as { value: unknown[]; "@odata.nextLink"?: string };
    rows += page.value.length;
    url = page["@odata.nextLink"] === undefined ? undefined : origin + page["@odata.nextLink"];
  }
  return rows;
};

function viaReader(bufferLimit: number | undefined): Reader {
  return async (firstUrl, origin) => {
    let rows = 0;
    let url: string | undefined = firstUrl;
    while (url !== undefined) {
      const response = await fetch(url);
      const pages = readCollectionBody(response.body!, "v4", bufferLimit === undefined ? undefined : { bufferLimit });
      for (;;) {
        const step = await pages.next();
        if (step.done) {
          url = step.value.nextLink === undefined ? undefined : origin + step.value.nextLink;
          break;
        }
        rows += step.value.length;
      }
    }
    return rows;
  };
}

async function rowsPerSecond(reader: Reader, url: string, origin: string, expected: number): Promise<number> {
  const started = performance.now();
  const rows = await reader(url, origin);
  const seconds = (performance.now() - started) / 1000;
  if (rows !== expected) throw new Error(`read ${rows} rows, expected ${expected}`);
  return rows / seconds;
}

/** Runs the child that reads the unpaged body and reports its own peak RSS. */
async function measureUnpaged(url: string, mode: "reader" | "json"): Promise<{ rows: number; seconds: number; peakRssMb: number; startRssMb: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--unpaged-child", mode, url], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (text: string) => (output += text));
  const [code] = (await once(child, "exit")) as [number | null];
  if (code !== 0) throw new Error(`the unpaged child (${mode}) exited with ${code}`);
  return JSON.parse(output) as { rows: number; seconds: number; peakRssMb: number; startRssMb: number };
}

/** In the child: read the unpaged body, sampling RSS after every batch and on a timer. */
async function unpagedChild(mode: string, url: string): Promise<void> {
  const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;
  const startRss = process.memoryUsage.rss();
  let peak = startRss;
  const sample = (): void => {
    const rss = process.memoryUsage.rss();
    if (rss > peak) peak = rss;
  };
  const timer = setInterval(sample, 5);
  const started = performance.now();
  let rows = 0;
  const response = await fetch(url);
  if (mode === "json") {
    const body = (await response.json()) as { value: unknown[] };
    sample();
    rows = body.value.length;
  } else {
    for await (const batch of readCollectionBody(response.body!, "v4")) {
      rows += batch.length;
      sample();
    }
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(timer);
  sample();
  process.stdout.write(JSON.stringify({ rows, seconds: Math.round(seconds * 100) / 100, peakRssMb: mb(peak), startRssMb: mb(startRss) }));
}

/**
 * Runs the payload benchmark and returns its figures (rows/s medians, ratios, RSS in MB).
 *
 * @example
 * ```ts
 * const figures = await benchPayload();
 * console.table(figures);
 * ```
 */
export async function benchPayload(): Promise<Record<string, number | string>> {
  const pagesBySize = new Map<number, Buffer[]>([
    [1000, preparePages(1000, PAGED_ROWS)],
    [5000, preparePages(5000, PAGED_ROWS)],
  ]);
  const { server, origin } = await startServer(pagesBySize);
  const figures: Record<string, number | string> = {
    node: process.version,
    pagedRows: PAGED_ROWS,
    runs: RUNS,
  };
  try {
    const readers: [string, Reader][] = [
      ["fetchJson", viaFetchJson],
      ["reader", viaReader(undefined)],
      ["readerIncremental", viaReader(0)],
    ];
    for (const pageSize of [1000, 5000]) {
      const url = `${origin}/p${pageSize}/0`;
      // One warm-up pass each, then the readers take turns so that drift hits them alike.
      for (const [, reader] of readers) await rowsPerSecond(reader, url, origin, PAGED_ROWS);
      const samples = new Map<string, number[]>(readers.map(([name]) => [name, []]));
      for (let run = 0; run < RUNS; run++) {
        for (const [name, reader] of readers) samples.get(name)!.push(await rowsPerSecond(reader, url, origin, PAGED_ROWS));
      }
      const medians = Object.fromEntries([...samples].map(([name, values]) => [name, median(values)]));
      for (const [name, value] of Object.entries(medians)) figures[`page${pageSize}_${name}_rowsPerSec`] = Math.round(value);
      // Ratios are taken run by run (the readers of one run ran back to back) and then the median,
      // which holds up better on a busy machine than a ratio of medians.
      const pairedRatio = (name: string): number =>
        round2(median(samples.get(name)!.map((value, run) => value / samples.get("fetchJson")![run]!)));
      figures[`page${pageSize}_reader_vs_fetchJson`] = pairedRatio("reader");
      figures[`page${pageSize}_incremental_vs_fetchJson`] = pairedRatio("readerIncremental");
    }

    unpagedBlocks = prepareUnpaged();
    const streamed = await measureUnpaged(`${origin}/all`, "reader");
    figures["unpaged1M_reader_rows"] = streamed.rows;
    figures["unpaged1M_reader_rowsPerSec"] = Math.round(streamed.rows / streamed.seconds);
    figures["unpaged1M_reader_peakRssMb"] = streamed.peakRssMb;
    figures["unpaged1M_reader_startRssMb"] = streamed.startRssMb;
    const whole = await measureUnpaged(`${origin}/all`, "json");
    figures["unpaged1M_fetchJson_rowsPerSec"] = Math.round(whole.rows / whole.seconds);
    figures["unpaged1M_fetchJson_peakRssMb"] = whole.peakRssMb;
  } finally {
    unpagedBlocks = undefined;
    server.closeAllConnections();
    server.close();
  }
  return figures;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url) {
  if (process.argv[2] === "--unpaged-child") {
    await unpagedChild(process.argv[3] ?? "reader", process.argv[4] ?? "");
  } else {
    console.log(await benchPayload());
  }
}
