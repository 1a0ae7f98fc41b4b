/**
 * Benchmark of reading `$batch` answers: the time grows with the number of parts, not with its
 * square.
 *
 * 1. `batch.readAnswer()` (the reading `send()` does) of a JSON batch answer of 4,000 and of
 *    16,000 `get()` parts, against `JSON.parse` of the same answer in the same run; and the time
 *    per part at 16,000 over the time per part at 4,000 (about 1 where the reading is linear).
 *
 * Run on its own with `npx tsx bench/batch.ts`; `benchBatch()` gives the figures to other scripts.
 */

import { pathToFileURL } from "node:url";
import { ODataClient } from "../src/index.js";
import type { BenchFigure } from "./main.js";
import { median } from "./stats.js";

const RUNS = 5;
const SIZES = [4_000, 16_000] as const;

interface Book {
  ID: number;
  title: string;
}

/** A JSON batch answer of 200s, one per request id, each with a small entity. */
function jsonAnswer(ids: readonly string[]): string {
  const responses = ids.map((id) => ({ id, status: 200, headers: { "content-type": "application/json" }, body: { ID: Number(id), title: `Book ${id}` } }));
  return JSON.stringify({ responses });
}

/** A batch of `size` reads by key, and the ids its requests go with. */
async function readsOf(client: ODataClient, size: number) {
  const books = client.collection<Book>("Books");
  const batch = client.batch({ format: "json" });
  for (let key = 1; key <= size; key++) batch.get(books.key(key));
  const sent = JSON.parse((await batch.toRequest()).body) as { requests: { id: string }[] };
  return { batch, ids: sent.requests.map((request) => request.id) };
}

/** Medians of `readAnswer()` and of `JSON.parse` of the same answer, each run taking both in turn. */
async function readAnswerCost(size: number): Promise<{ readMs: number; parseMs: number; ratio: number }> {
  const client = new ODataClient({ serviceUrl: "http://127.0.0.1:1/svc/", version: "4.0" });
  const { batch, ids } = await readsOf(client, size);
  const body = jsonAnswer(ids);
  const reads: number[] = [];
  const parses: number[] = [];
  const ratios: number[] = [];
  // The first run warms up and is not counted.
  for (let run = 0; run <= RUNS; run++) {
    let started = performance.now();
    const results = await batch.readAnswer({ contentType: "application/json", body });
    const read = performance.now() - started;
    if (!results.ok || results.length !== size) throw new Error(`readAnswer() of ${size} parts gave ${results.length} results, ok ${results.ok}`);
    started = performance.now();
    JSON.parse(body);
    const parse = performance.now() - started;
    if (run === 0) continue;
    reads.push(read);
    parses.push(parse);
    ratios.push(read / parse);
  }
  return { readMs: median(reads), parseMs: median(parses), ratio: median(ratios) };
}

export async function benchBatch(): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  const costs = new Map<number, number>();
  for (const size of SIZES) {
    const cost = await readAnswerCost(size);
    costs.set(size, cost.readMs);
    const parts = `${size.toLocaleString("en")} parts`;
    figures.push(
      { name: `readAnswer() JSON, ${parts}`, value: cost.readMs, unit: "ms", note: `median of ${RUNS}` },
      { name: `readAnswer() JSON, ${parts} / JSON.parse`, value: cost.ratio, unit: "ratio", note: `JSON.parse of the same answer ${cost.parseMs.toFixed(1)} ms` },
    );
  }
  const [small, large] = SIZES;
  figures.push({
    name: `readAnswer() JSON, per part at ${large.toLocaleString("en")} / at ${small.toLocaleString("en")}`,
    value: ((costs.get(large) as number) / large) / ((costs.get(small) as number) / small),
    unit: "ratio",
    note: "about 1 when linear, 4 when quadratic",
  });
  return figures;
}

if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url) {
  console.log(await benchBatch());
}
