/**
 * A static OData v4 JSON service for benchmarks, run in a process of its own so that serving costs
 * the measuring process nothing: its event loop and its core stay the client's.
 *
 * Entity sets are named after what they serve, and prepared in memory as ready `Buffer`s the first
 * time they are asked for (`prepare()` does that before anything is timed):
 *
 * - `Rows_<total>_<pageSize>`: `total` rows in pages of `pageSize`, linked by a relative
 *   `@odata.nextLink` (`Rows_..?$skiptoken=<n>`), no link on the last page.
 * - `Rows_<total>_<pageSize>_d<ms>`: the same pages, each answered `ms` milliseconds after the
 *   request arrived (a slow service).
 * - `Unpaged_<total>`: all rows in one body without a length, written block by block with
 *   backpressure (the next block waits for `drain`), as a service streaming a huge result would.
 *
 * Every row is about 100 bytes of JSON. Start it with {@link startStaticService}; the process ends
 * when its parent closes its stdin (or exits).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";

const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));
const THIS_FILE = fileURLToPath(import.meta.url);

/** A running static service. */
export interface StaticService {
  /** The service root, `http://127.0.0.1:<port>/svc/`. */
  serviceUrl: string;
  /** Process id of the serving process. */
  pid: number;
  /** Has the service build the named entity sets now, so that no timed request pays for it. */
  prepare(...entitySets: string[]): Promise<void>;
  /** Ends the serving process. */
  stop(): Promise<void>;
}

/** One row of about 100 bytes (the same shape and size for every ID). */
export function rowJson(id: number): string {
  const site = String(id % 10_000).padStart(4, "0");
  return `{"ID":${id},"sensor":"S${id % 7}","site":"Plant ${site}","zone":"Z${id % 4}","value":${(id % 100_000) / 100},"ok":${id % 3 !== 0},"unit":"kWh"}`;
}

/** The name of a paged entity set of the static service. */
export function pagedSet(total: number, pageSize: number, delayMs = 0): string {
  return `Rows_${total}_${pageSize}${delayMs > 0 ? `_d${delayMs}` : ""}`;
}

/** The name of the unpaged entity set of the static service. */
export function unpagedSet(total: number): string {
  return `Unpaged_${total}`;
}

/** Starts the service in a child process and resolves once it listens. */
export async function startStaticService(): Promise<StaticService> {
  const child = spawn(process.execPath, ["--import", "tsx", THIS_FILE, "--serve"], {
    cwd: PROJECT_ROOT,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const killOnExit = (): void => {
    child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);
  const lines = createInterface({ input: child.stdout });
  const [first] = (await Promise.race([
    once(lines, "line"),
    once(child, "exit").then(([code]) => {
      throw new Error(`the static service exited before listening (code ${String(code)})`);
    }),
  ])) as [string];
  const origin = /^listening (http:\/\/\S+)$/.exec(first)?.[1];
  if (!origin) throw new Error(`the static service said ${JSON.stringify(first)} instead of where it listens`);
  const serviceUrl = `${origin}/svc/`;
  return {
    serviceUrl,
    pid: child.pid as number,
    async prepare(...entitySets) {
      for (const name of entitySets) {
        const response = await fetch(`${origin}/prepare/${name}`);
        await response.text();
        if (!response.ok) throw new Error(`the static service could not prepare ${name}: ${response.status}`);
      }
    },
    async stop() {
      process.off("exit", killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.stdin.end();
      const grace = setTimeout(() => child.kill("SIGKILL"), 2_000);
      await exited;
      clearTimeout(grace);
    },
  };
}

// --- the serving process ----------------------------------------------------------------------

const UNPAGED_BLOCK_ROWS = 1000;

interface PagedSet {
  pages: Buffer[];
  pageSize: number;
}

const pagedSets = new Map<string, PagedSet>();
const unpagedSets = new Map<string, Buffer[]>();

function rowsJson(from: number, to: number): string {
  const rows: string[] = [];
  for (let id = from; id < to; id++) rows.push(rowJson(id));
  return rows.join(",");
}

/** The pages of `Rows_<total>_<pageSize>[_d<ms>]`, whose next links lead to the same set. */
function pagesOf(total: number, pageSize: number, delayMs: number): PagedSet {
  const name = pagedSet(total, pageSize, delayMs);
  let set = pagedSets.get(name);
  if (set) return set;
  const pages: Buffer[] = [];
  for (let start = 0; start < total; start += pageSize) {
    const end = Math.min(total, start + pageSize);
    const next = end < total ? `,"@odata.nextLink":"${name}?$skiptoken=${end}"` : "";
    pages.push(Buffer.from(`{"@odata.context":"$metadata#${name}","value":[${rowsJson(start, end)}]${next}}`));
  }
  set = { pages, pageSize };
  pagedSets.set(name, set);
  return set;
}

/** The blocks of `Unpaged_<total>`: an opening, blocks of 1000 rows, and the closing. */
function blocksOf(total: number): Buffer[] {
  let blocks = unpagedSets.get(String(total));
  if (blocks) return blocks;
  blocks = [Buffer.from(`{"@odata.context":"$metadata#${unpagedSet(total)}","value":[`)];
  for (let start = 0; start < total; start += UNPAGED_BLOCK_ROWS) {
    blocks.push(Buffer.from((start === 0 ? "" : ",") + rowsJson(start, Math.min(total, start + UNPAGED_BLOCK_ROWS))));
  }
  blocks.push(Buffer.from("]}"));
  unpagedSets.set(String(total), blocks);
  return blocks;
}

type Resolved = { kind: "paged"; set: PagedSet; delayMs: number } | { kind: "unpaged"; blocks: Buffer[] };

function resolveSet(name: string): Resolved | undefined {
  const paged = /^Rows_(\d+)_(\d+)(?:_d(\d+))?$/.exec(name);
  if (paged) {
    const delayMs = Number(paged[3] ?? 0);
    return { kind: "paged", set: pagesOf(Number(paged[1]), Number(paged[2]), delayMs), delayMs };
  }
  const unpaged = /^Unpaged_(\d+)$/.exec(name);
  if (unpaged) return { kind: "unpaged", blocks: blocksOf(Number(unpaged[1])) };
  return undefined;
}

async function writeBlocks(response: ServerResponse, blocks: Buffer[]): Promise<void> {
  response.writeHead(200, { "content-type": "application/json;odata.metadata=minimal" });
  for (const block of blocks) {
    if (response.destroyed) return;
    if (!response.write(block)) await drainedOrClosed(response);
  }
  response.end();
}

/** Resolves on the response's next `drain`, or when it closes first (the client went away). */
function drainedOrClosed(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      response.off("drain", done);
      response.off("close", done);
      resolve();
    };
    response.on("drain", done);
    response.on("close", done);
  });
}

function serve(): void {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://static");
    const preparing = /^\/prepare\/([\w.]+)$/.exec(url.pathname);
    if (preparing) {
      const found = resolveSet(preparing[1] as string);
      response.writeHead(found ? 204 : 404).end();
      return;
    }
    const match = /^\/svc\/([\w.]+)$/.exec(url.pathname);
    const found = match ? resolveSet(match[1] as string) : undefined;
    if (!found) {
      response.writeHead(404, { "content-type": "application/json" }).end('{"error":{"code":"404","message":"no such entity set"}}');
      return;
    }
    if (found.kind === "unpaged") {
      void writeBlocks(response, found.blocks);
      return;
    }
    const skip = Number(url.searchParams.get("$skiptoken") ?? 0);
    const page = found.set.pages[Math.floor(skip / found.set.pageSize)];
    if (!page) {
      response.writeHead(404).end();
      return;
    }
    const answer = (): void => {
      response.writeHead(200, { "content-type": "application/json;odata.metadata=minimal", "content-length": page.length });
      response.end(page);
    };
    if (found.delayMs > 0) setTimeout(answer, found.delayMs);
    else answer();
  });
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as AddressInfo;
    process.stdout.write(`listening http://127.0.0.1:${port}\n`);
  });
  // The parent holds our stdin: when it closes it (or dies), we go.
  process.stdin.on("end", () => process.exit(0)).on("error", () => process.exit(0)).resume();
}

if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url && process.argv[2] === "--serve") {
  serve();
}
