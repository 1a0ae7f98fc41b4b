/**
 * `export` and a service whose next links lead back to a page already read (README, "What `export`
 * guarantees": resumes "without losing or repeating a row"; a script runs `--resume` until exit 0,
 * stopping on exit 2). The walk stops before the page is read again, its checkpoint says it ended
 * in a loop, and `--resume` of it reads nothing and exits 2: the file never grows by a repeated row.
 * A loop that closes across a resume (a page written before an interruption) is met as well.
 *
 * node:http services on 127.0.0.1 port 0; the command line runs in this process.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cliInProcess } from "./cli-in-process.js";
import { tempDir } from "./cli-harness.js";

interface Service {
  root: string;
  /** Each request's path and query, decoded. */
  requests: string[];
  close(): void;
}

/** A service of pages `p`: `pages(p, base)` gives a page's rows and next link, `undefined` leaves the request unanswered. */
async function startService(pages: (p: string | null, base: string) => { ids: number[]; next?: string } | undefined): Promise<Service> {
  const requests: string[] = [];
  let base = "";
  const server = createServer((req, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", base);
    requests.push(decodeURIComponent(url.pathname + url.search));
    const page = pages(url.searchParams.get("p"), base);
    if (page === undefined) return;
    const body: Record<string, unknown> = { value: page.ids.map((ID) => ({ ID })) };
    if (page.next !== undefined) body["@odata.nextLink"] = page.next;
    res.writeHead(200, { "content-type": "application/json", "odata-version": "4.0" });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    root: `${base}/odata/`,
    requests,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

const folder = (): string => tempDir("export-fix-loop-");

const rows = (ids: number[]) => ids.map((ID) => `{"ID":${ID}}\n`).join("");

test("a next link back to the page it is on: the rows once, exit 1, then every --resume exits 2 reading nothing and the file stays as it is", async (t) => {
  const service = await startService((p, base) => (p === null ? { ids: [1, 2], next: `${base}/odata/T?p=2` } : { ids: [3, 4], next: `${base}/odata/T?p=2` }));
  t.after(() => service.close());
  const cwd = folder();
  const args = ["export", service.root, "T", "--out", "t.ndjson"];

  const first = await cliInProcess(args, "", { cwd });
  assert.equal(first.code, 1, first.stderr);
  assert.match(first.stderr, /^error: the service sent a next link back to a page already read \(http:\/\/127\.0\.0\.1:\d+\/odata\/T\?p=2\); stopping instead of looping/m);
  assert.deepEqual(service.requests, ["/odata/T", "/odata/T?p=2"]);
  assert.equal(readFileSync(join(cwd, "t.ndjson"), "utf8"), rows([1, 2, 3, 4]));
  const saved = JSON.parse(readFileSync(join(cwd, "t.ndjson.checkpoint.json"), "utf8"));
  assert.equal(saved.next, undefined, "the checkpoint does not point at the page already read");
  assert.match(saved.loop, /\/odata\/T\?p=2$/);

  // The README's script: --resume until exit 0, stopping on exit 2.
  for (let run = 0; run < 2; run++) {
    service.requests.length = 0;
    const resumed = await cliInProcess([...args, "--resume"], "", { cwd });
    assert.equal(resumed.code, 2, resumed.stderr);
    assert.match(resumed.stderr, /^error: cannot resume: the export stopped because the service sent a next link back to a page already read \(.*\/odata\/T\?p=2\); .*t\.ndjson holds the 4 rows read until then, and reading on would repeat rows/m);
    assert.deepEqual(service.requests, [], "nothing is asked");
    assert.equal(readFileSync(join(cwd, "t.ndjson"), "utf8"), rows([1, 2, 3, 4]), "no row is written twice");
    assert.ok(existsSync(join(cwd, "t.ndjson.checkpoint.json")));
  }
});

test("a first page whose next link is its own URL: its rows once, and --resume exits 2 without reading it again", async (t) => {
  const service = await startService((_p, base) => ({ ids: [1, 2], next: `${base}/odata/T` }));
  t.after(() => service.close());
  const cwd = folder();
  const args = ["export", service.root, "T", "--out", "t.ndjson"];
  const first = await cliInProcess(args, "", { cwd });
  assert.equal(first.code, 1, first.stderr);
  assert.deepEqual(service.requests, ["/odata/T"]);
  service.requests.length = 0;
  const resumed = await cliInProcess([...args, "--resume"], "", { cwd });
  assert.equal(resumed.code, 2, resumed.stderr);
  assert.deepEqual(service.requests, []);
  assert.equal(readFileSync(join(cwd, "t.ndjson"), "utf8"), rows([1, 2]));
});

test("a loop that closes across a resume (page 3 leads back to page 2, written before Ctrl-C): page 2 is not read again, no row twice", async (t) => {
  let hold = true;
  const service = await startService((p, base) => {
    if (p === null) return { ids: [1, 2], next: `${base}/odata/T?p=2` };
    if (p === "2") return { ids: [3, 4], next: `${base}/odata/T?p=3` };
    // Page 3 is not answered in the first run: the export is interrupted while it waits.
    return hold ? undefined : { ids: [5, 6], next: `${base}/odata/T?p=2` };
  });
  t.after(() => service.close());
  const cwd = folder();
  const args = ["export", service.root, "T", "--out", "t.ndjson"];
  const ctrlC = new AbortController();
  const waiting = setInterval(() => {
    if (service.requests.includes("/odata/T?p=3")) ctrlC.abort(new DOMException("interrupted", "AbortError"));
  }, 5);
  const first = await cliInProcess(args, "", { cwd, signal: ctrlC.signal });
  clearInterval(waiting);
  assert.equal(first.code, 130, first.stderr);
  assert.equal(readFileSync(join(cwd, "t.ndjson"), "utf8"), rows([1, 2, 3, 4]));

  hold = false;
  service.requests.length = 0;
  const resumed = await cliInProcess([...args, "--resume"], "", { cwd });
  assert.equal(resumed.code, 1, resumed.stderr);
  assert.match(resumed.stderr, /a next link back to a page already read \(.*\/odata\/T\?p=2\)/);
  // The resume may have asked for page 2 ahead of time, but writes none of its rows.
  assert.equal(service.requests[0], "/odata/T?p=3");
  assert.equal(readFileSync(join(cwd, "t.ndjson"), "utf8"), rows([1, 2, 3, 4, 5, 6]));

  service.requests.length = 0;
  const again = await cliInProcess([...args, "--resume"], "", { cwd });
  assert.equal(again.code, 2, again.stderr);
  assert.deepEqual(service.requests, []);
  assert.equal(readFileSync(join(cwd, "t.ndjson"), "utf8"), rows([1, 2, 3, 4, 5, 6]));
});

test("a damaged loop in a checkpoint (not a URL) is refused as damaged", async (t) => {
  const service = await startService((_p, base) => ({ ids: [1], next: `${base}/odata/T` }));
  t.after(() => service.close());
  const cwd = folder();
  const args = ["export", service.root, "T", "--out", "t.ndjson"];
  assert.equal((await cliInProcess(args, "", { cwd })).code, 1);
  const file = join(cwd, "t.ndjson.checkpoint.json");
  const saved = JSON.parse(readFileSync(file, "utf8"));
  writeFileSync(file, JSON.stringify({ ...saved, loop: 42 }));
  const resumed = await cliInProcess([...args, "--resume"], "", { cwd });
  assert.equal(resumed.code, 2, resumed.stderr);
  assert.match(resumed.stderr, /is damaged: its loop is not a URL/);
});
