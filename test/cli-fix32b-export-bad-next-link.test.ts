// `export --out FILE` of a service whose next link is not a URL (`https://`, `http://[::1`, a port
// past 65535). The walk hands out the page that carries such a link without it and fails when it
// would follow it (BAD_PAYLOAD); the export took the page for the last one, stopped pulling, and
// exited 0 with the rows after it missing, its checkpoint removed, so `--resume` called the export
// complete. It now lets the walk end by itself: exit 1 with the library's message, as `query` and
// `export --out -` give, and the checkpoint of the page before kept, so that `--resume` reads that
// page again and, once the service sends a good link, the rows after it, each row once.
// One walk, a walk whose first page has the link, and `--parallel 2`, run in-process against node:http services.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { cliInProcess, type InProcessOutcome } from "./cli-in-process.js";
import { sendJson, sendText, startServer, type RecordingServer } from "./servers/recording-server.js";

const folders: string[] = [];
after(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});
function folder(): string {
  const made = mkdtempSync(join(tmpdir(), "traverse-cli-fix32b-link-"));
  folders.push(made);
  return made;
}

const show = (outcome: InProcessOutcome) => `exit ${outcome.code}\nstdout: ${outcome.stdout}\nstderr: ${outcome.stderr}`;

const BAD_LINKS = ["https://", "http://[::1", "http://127.0.0.1:99999/svc/Books?$skiptoken=3"];

const METADATA = `<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="NS" xmlns="http://docs.oasis-open.org/odata/ns/edm"><EntityType Name="Book"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/></EntityType><EntityContainer Name="C"><EntitySet Name="Books" EntityType="NS.Book"/></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;

/**
 * A service of Books 1 to 5 in pages of two (`$skiptoken` 2 and 3 after the first), whose next link
 * after the page of `badAfter` is `service.link` while `service.broken` holds (a link that is no URL);
 * every page is refused (400) while `service.refused` holds.
 */
async function pagedService(badAfter: "first" | "second"): Promise<{ server: RecordingServer; root: string; service: { broken: boolean; link: string; refused: boolean }; paths(from: number): string[] }> {
  const service = { broken: true, link: BAD_LINKS[0] as string, refused: false };
  const server = await startServer((request, res) => {
    const url = new URL(request.path, "http://x");
    if (url.pathname !== "/svc/Books") return sendJson(res, 404, { error: { code: "404", message: `no ${url.pathname}` } });
    const token = url.searchParams.get("$skiptoken");
    if (service.refused) return sendJson(res, 400, { error: { code: "400", message: "not now" } });
    const page = token === null ? 1 : Number(token);
    const rows = [1, 2, 3, 4, 5].slice((page - 1) * 2, page * 2).map((ID) => ({ ID }));
    const broken = service.broken && page === (badAfter === "first" ? 1 : 2);
    const next = page === 3 ? undefined : broken ? service.link : `Books?$skiptoken=${page + 1}`;
    sendJson(res, 200, { value: rows, ...(next === undefined ? {} : { "@odata.nextLink": next }) }, { "odata-version": "4.0" });
  });
  return { server, root: server.url("svc/"), service, paths: (from) => server.requests.slice(from).map((request) => `${request.method} ${request.path}`) };
}

const ROWS = (ids: number[]) => ids.map((ID) => `{"ID":${ID}}\n`).join("");

/**
 * An NDJSON export of a service whose second page's next link is `link`: the export exits 1 after
 * the first two pages, its checkpoint left for `--resume` (read back here).
 */
async function exportBrokenAtSecondPage(t: { after(fn: () => unknown): void }, link: string) {
  const { server, root, service, paths } = await pagedService("second");
  t.after(() => server.close());
  service.link = link;
  const cwd = folder();
  const args = ["export", root, "Books", "--out", "rows.ndjson", "--checkpoint-interval", "0", "--quiet"];
  const failed = await cliInProcess(args, "", { cwd });
  assert.equal(failed.code, 1, `${link}: ${show(failed)}`);
  assert.deepEqual(paths(0), ["GET /svc/Books", "GET /svc/Books?$skiptoken=2"]);
  const checkpoint = JSON.parse(readFileSync(join(cwd, "rows.ndjson.checkpoint.json"), "utf8")) as Record<string, unknown>;
  return { root, service, paths, cwd, args, failed, checkpoint };
}


test("export of one walk to NDJSON whose second page's next link is no URL: exit 1 naming the link, the checkpoint of the first page kept; --resume reads the second page again and on to the end", async (t) => {
  for (const link of BAD_LINKS) {
    const { root, service, paths, cwd, args, failed, checkpoint } = await exportBrokenAtSecondPage(t, link);
    assert.equal(failed.stderr, `error: the service sent a next link that is not a URL: ${JSON.stringify(link)}\n`);
    // The first page's: the second is read again, its next link with it.
    assert.equal(checkpoint["done"], false);
    assert.equal(checkpoint["pages"], 1);
    assert.equal(checkpoint["rows"], 2);
    assert.equal(checkpoint["length"], ROWS([1, 2]).length);
    assert.equal(checkpoint["next"], `${root}Books?$skiptoken=2`);

    // The same service, still broken: the same failure, nothing lost.
    const again = await cliInProcess([...args, "--resume"], "", { cwd });
    assert.equal(again.code, 1, show(again));
    assert.deepEqual(paths(2), ["GET /svc/Books?$skiptoken=2"]);
    assert.ok(existsSync(join(cwd, "rows.ndjson.checkpoint.json")));

    service.broken = false;
    const resumed = await cliInProcess([...args, "--resume"], "", { cwd });
    assert.equal(resumed.code, 0, show(resumed));
    assert.deepEqual(paths(3), ["GET /svc/Books?$skiptoken=2", "GET /svc/Books?$skiptoken=3"]);
    assert.equal(readFileSync(join(cwd, "rows.ndjson"), "utf8"), ROWS([1, 2, 3, 4, 5]));
    assert.deepEqual(readdirSync(cwd), ["rows.ndjson"]);
  }
});

test("export to CSV whose first page's next link is no URL: exit 1, the checkpoint before any page kept with the file; --resume writes the file anew, header once", async (t) => {
  const { server, root, service, paths } = await pagedService("first");
  t.after(() => server.close());
  service.link = "http://[::1";
  const cwd = folder();
  const args = ["export", root, "Books", "--out", "rows.csv", "--select", "ID", "--checkpoint-interval", "0", "--quiet"];
  const failed = await cliInProcess(args, "", { cwd });
  assert.equal(failed.code, 1, show(failed));
  assert.equal(failed.stderr, 'error: the service sent a next link that is not a URL: "http://[::1"\n');
  // CSV reads $metadata first (for the version it declares; this service has none).
  assert.deepEqual(paths(0), ["GET /svc/$metadata", "GET /svc/Books?$select=ID"]);
  const checkpoint = JSON.parse(readFileSync(join(cwd, "rows.csv.checkpoint.json"), "utf8")) as Record<string, unknown>;
  assert.equal(checkpoint["done"], false);
  assert.equal(checkpoint["pages"], 0);
  assert.equal(checkpoint["length"], 0);

  const written = readFileSync(join(cwd, "rows.csv"), "utf8");
  assert.equal(written, "ID\r\n1\r\n2\r\n");

  // A resume refused at that first page keeps the checkpoint: the rows in the file are not all.
  service.refused = true;
  const refused = await cliInProcess([...args, "--resume"], "", { cwd });
  assert.equal(refused.code, 3, show(refused));
  assert.match(refused.stderr, /failed with HTTP 400 Bad Request \[400\]: not now\n$/);
  assert.equal(readFileSync(join(cwd, "rows.csv"), "utf8"), written);
  assert.ok(existsSync(join(cwd, "rows.csv.checkpoint.json")), show(refused));

  service.refused = false;
  service.broken = false;
  const resumed = await cliInProcess([...args, "--resume"], "", { cwd });
  assert.equal(resumed.code, 0, show(resumed));
  assert.deepEqual(paths(3), ["GET /svc/Books?$select=ID", "GET /svc/Books?$skiptoken=2", "GET /svc/Books?$skiptoken=3"]);
  assert.equal(readFileSync(join(cwd, "rows.csv"), "utf8"), "ID\r\n1\r\n2\r\n3\r\n4\r\n5\r\n");
  assert.deepEqual(readdirSync(cwd), ["rows.csv"]);
});

test("export --parallel 2 where one part's next link is no URL: exit 1 naming it, the checkpoints kept; --resume joins every row once", async (t) => {
  let broken = true;
  const server = await startServer((request, res) => {
    const url = new URL(request.path, "http://x");
    if (url.pathname === "/svc/$metadata") {
      res.writeHead(200, { "content-type": "application/xml" });
      res.end(METADATA);
      return;
    }
    if (url.pathname === "/svc/Books/$count") return sendText(res, 200, "6");
    const filter = url.searchParams.get("$filter");
    const token = url.searchParams.get("$skiptoken");
    let rows: number[];
    let next: string | undefined;
    if (filter === null) rows = [4]; // the plan's probe of the boundary
    else if (filter === "ID lt 4") [rows, next] = [[1, 2, 3], undefined];
    else if (token === null) [rows, next] = [[4, 5], broken ? "https://" : "Books?$filter=ID%20ge%204&$skiptoken=2"];
    else rows = [6];
    sendJson(res, 200, { value: rows.map((ID) => ({ ID })), ...(next === undefined ? {} : { "@odata.nextLink": next }) }, { "odata-version": "4.0" });
  });
  t.after(() => server.close());
  const cwd = folder();
  const args = ["export", server.url("svc/"), "Books", "--out", "rows.ndjson", "--parallel", "2", "--checkpoint-interval", "0", "--quiet"];
  const failed = await cliInProcess(args, "", { cwd });
  assert.equal(failed.code, 1, show(failed));
  assert.equal(failed.stderr, 'error: the service sent a next link that is not a URL: "https://"\n');
  assert.ok(!existsSync(join(cwd, "rows.ndjson")), "nothing joined");
  const part = JSON.parse(readFileSync(join(cwd, "rows.ndjson.checkpoint.part-2-of-2.json"), "utf8")) as Record<string, unknown>;
  assert.equal(part["done"], false);
  assert.equal(part["pages"], 0);
  assert.ok(existsSync(join(cwd, "rows.ndjson.checkpoint.json")));

  broken = false;
  const from = server.requests.length;
  const resumed = await cliInProcess([...args, "--resume"], "", { cwd });
  assert.equal(resumed.code, 0, show(resumed));
  // The part that ended is not asked again; the other reads its first page again and on.
  assert.deepEqual(
    server.requests.slice(from).map((request) => decodeURIComponent(request.path)),
    ["/svc/Books?$filter=ID ge 4", "/svc/Books?$filter=ID ge 4&$skiptoken=2"],
  );
  assert.equal(readFileSync(join(cwd, "rows.ndjson"), "utf8"), ROWS([1, 2, 3, 4, 5, 6]));
  assert.deepEqual(readdirSync(cwd), ["rows.ndjson"]);
});

test("export whose second page's next link carries a user name and password: exit 1, and the credentials are never written into the checkpoint (it stays the first page's)", async (t) => {
  const { server, root, service, paths } = await pagedService("second");
  t.after(() => server.close());
  service.link = `${server.origin.replace("://", "://u:Chk-Pt-S3cr3t@")}/svc/Books?$skiptoken=3`;
  const cwd = folder();
  const args = ["export", root, "Books", "--out", "rows.ndjson", "--checkpoint-interval", "0", "--quiet"];
  const failed = await cliInProcess(args, "", { cwd });
  assert.equal(failed.code, 1, show(failed));
  assert.match(failed.stderr, /^error: .*user name or password/);
  assert.deepEqual(paths(0), ["GET /svc/Books", "GET /svc/Books?$skiptoken=2"]);
  const text = readFileSync(join(cwd, "rows.ndjson.checkpoint.json"), "utf8");
  assert.doesNotMatch(text, /Chk-Pt-S3cr3t/);
  const checkpoint = JSON.parse(text) as Record<string, unknown>;
  assert.equal(checkpoint["pages"], 1);
  assert.equal(checkpoint["next"], `${root}Books?$skiptoken=2`);
  assert.doesNotMatch(failed.stderr + failed.stdout, /Chk-Pt-S3cr3t/);
});

test("export whose second page's next link is a URL of another scheme (urn:, ftp:): exit 1 with the checkpoint of the first page, which --resume follows once the service is mended", async (t) => {
  for (const link of ["urn:example:next", "ftp://127.0.0.1/svc/Books?$skiptoken=3"]) {
    const { root, service, paths, cwd, args, checkpoint } = await exportBrokenAtSecondPage(t, link);
    assert.equal(checkpoint["pages"], 1, link);
    assert.equal(checkpoint["next"], `${root}Books?$skiptoken=2`, link);
    service.broken = false;
    const resumed = await cliInProcess([...args, "--resume"], "", { cwd });
    assert.equal(resumed.code, 0, `${link}: ${show(resumed)}`);
    assert.deepEqual(paths(2), ["GET /svc/Books?$skiptoken=2", "GET /svc/Books?$skiptoken=3"]);
    assert.equal(readFileSync(join(cwd, "rows.ndjson"), "utf8"), ROWS([1, 2, 3, 4, 5]));
  }
});
