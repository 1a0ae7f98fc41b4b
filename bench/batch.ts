/**
 * Benchmark of reading `$batch` answers: the time grows with the number of parts, not with its
 * square.
 *
 * 1. `batch.readAnswer()` (the reading `send()` does) of a JSON batch answer of 4,000 and of
 *    16,000 `get()` parts, against `JSON.parse` of the same answer in the same run; and the time
 *    per part at 16,000 over the time per part at 4,000 (about 1 where the reading is linear).
 * 2. `send()` of a JSON batch of 8,000 `get()` parts that a local node:http server answers in 8
 *    pieces, each naming the next by `@nextLink` (JSON Format 4.01 §19.4), against the same batch
 *    answered at once, in the same run; and against fetching and parsing the 8 pieces by hand.
 *
 * Run on its own with `npx tsx bench/batch.ts`; `benchBatch()` gives the figures to other scripts.
 */

import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { ODataClient } from "../src/index.js";
import type { BenchFigure } from "./main.js";
import { median } from "./stats.js";

const RUNS = 3;

/**
 * The process's CPU time so far in ms: the figures are CPU time, not wall time, so that other work
 * on the machine weighs little on them (the server of section 2 runs in this process, as its work
 * does in both the figures it compares).
 */
function cpuNow(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
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
    let started = cpuNow();
    const results = await batch.readAnswer({ contentType: "application/json", body });
    const read = cpuNow() - started;
    if (!results.ok || results.length !== size) throw new Error(`readAnswer() of ${size} parts gave ${results.length} results, ok ${results.ok}`);
    started = cpuNow();
    JSON.parse(body);
    const parse = cpuNow() - started;
    if (run === 0) continue;
    reads.push(read);
    parses.push(parse);
    ratios.push(read / parse);
  }
  return { readMs: median(reads), parseMs: median(parses), ratio: median(ratios) };
}

const PIECES_REQUESTS = 8_000;
const PIECES = 8;

/**
 * Medians of `send()` of a batch answered in `PIECES` pieces, of the same answered at once, and of
 * the pieces fetched and parsed by hand; each run takes the three in turn.
 */
async function piecesCost(): Promise<{ piecesMs: number; onceMs: number; handMs: number; onceRatio: number; handRatio: number }> {
  let ids: string[] = [];
  // The size of the pieces of the answer, set before each send.
  let piece = PIECES_REQUESTS;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      let from = 0;
      if (request.method === "POST") ids = (JSON.parse(Buffer.concat(chunks).toString()) as { requests: { id: string }[] }).requests.map((sent) => sent.id);
      else from = Number(new URL(request.url ?? "", "http://127.0.0.1").searchParams.get("from"));
      const body = JSON.parse(jsonAnswer(ids.slice(from, from + piece))) as Record<string, unknown>;
      if (from + piece < ids.length) body["@nextLink"] = `/svc/$batch?from=${from + piece}`;
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const client = new ODataClient({ serviceUrl: `${origin}/svc/`, version: "4.01" });
    const { batch } = await readsOf(client, PIECES_REQUESTS);
    const sendWith = async (size: number) => {
      piece = size;
      const started = cpuNow();
      const results = await batch.send();
      if (!results.ok || results.length !== PIECES_REQUESTS) throw new Error(`send() of ${PIECES_REQUESTS} parts in pieces of ${size} gave ${results.length} results, ok ${results.ok}`);
      return cpuNow() - started;
    };
    const pieces: number[] = [];
    const whole: number[] = [];
    const hand: number[] = [];
    for (let run = 0; run <= RUNS; run++) {
      const inPieces = await sendWith(PIECES_REQUESTS / PIECES);
      const atOnce = await sendWith(PIECES_REQUESTS);
      // The same pieces (the server still cuts them so), fetched and parsed by hand.
      piece = PIECES_REQUESTS / PIECES;
      const started = cpuNow();
      for (let from = 0; from < PIECES_REQUESTS; from += piece) await (await fetch(`${origin}/svc/$batch?from=${from}`)).json();
      const byHand = cpuNow() - started;
      if (run === 0) continue;
      pieces.push(inPieces);
      whole.push(atOnce);
      hand.push(byHand);
    }
    return {
      piecesMs: median(pieces),
      onceMs: median(whole),
      handMs: median(hand),
      onceRatio: median(pieces.map((time, run) => time / (whole[run] as number))),
      handRatio: median(pieces.map((time, run) => time / (hand[run] as number))),
    };
  } finally {
    server.close();
  }
}

export async function benchBatch(): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  const costs = new Map<number, number>();
  for (const size of SIZES) {
    const cost = await readAnswerCost(size);
    costs.set(size, cost.readMs);
    const parts = `${size.toLocaleString("en")} parts`;
    figures.push(
      { name: `readAnswer() JSON, ${parts}`, value: cost.readMs, unit: "ms", note: `CPU time, median of ${RUNS}` },
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
  const pieces = await piecesCost();
  const name = `send() JSON, ${PIECES_REQUESTS.toLocaleString("en")} parts in ${PIECES} pieces (@nextLink)`;
  figures.push(
    { name, value: pieces.piecesMs, unit: "ms", note: `CPU time, median of ${RUNS}, a local node:http server` },
    { name: `${name} / answered at once`, value: pieces.onceRatio, unit: "ratio", note: `at once ${pieces.onceMs.toFixed(0)} ms` },
    { name: `${name} / fetch + JSON.parse`, value: pieces.handRatio, unit: "ratio", note: `the ${PIECES} pieces fetched and parsed by hand ${pieces.handMs.toFixed(0)} ms` },
  );
  return figures;
}

if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url) {
  console.log(await benchBatch());
}
