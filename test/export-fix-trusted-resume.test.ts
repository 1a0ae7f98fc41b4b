/**
 * `export --resume` of a walk whose next link is on a trusted other origin (`--trust-origin`, a
 * profile's `trustedOrigins`; SAP CAP's v2 adapter writes its next links on http://localhost:<port>):
 * the walk follows such links, so its checkpoint may go on at one, and the same command with
 * `--resume` goes on from it, a single walk and the parts of `--parallel` alike. A link on an origin
 * the command does not trust is still refused, naming the option that would trust it.
 *
 * A node:http service on 127.0.0.1 port 0, reached as `localhost` for the pages after the first;
 * the command line runs in this process, and Ctrl-C is its signal.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cliInProcess } from "./cli-in-process.js";
import { tempDir } from "./cli-harness.js";

interface Sent {
  host: string | undefined;
  path: string;
}

interface Service {
  root: string;
  /** The origin the next links are on: the same server, named `localhost`. */
  other: string;
  sent: Sent[];
  /** While true, the pages on the other origin are not answered. */
  hold: boolean;
  close(): void;
}

async function startService(): Promise<Service> {
  const service: Service = { root: "", other: "", sent: [], hold: true, close: () => {} };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    service.sent.push({ host: req.headers.host, path: decodeURIComponent(url.pathname + url.search) });
    const json = (body: unknown) => {
      res.writeHead(200, { "content-type": "application/json", "odata-version": "4.0" });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === "/odata/$metadata") return res.writeHead(404).end();
    if (url.pathname === "/odata/T/$count") return res.writeHead(200, { "content-type": "text/plain" }).end("4");
    const p = url.searchParams.get("p");
    if (p !== null) {
      if (service.hold) return;
      return json({ value: { one: [{ ID: 3 }, { ID: 4 }], a: [{ ID: 2 }], b: [{ ID: 4 }] }[p] ?? [] });
    }
    // The first page of the whole set, or of a $skip window of --parallel: its next link on the other origin.
    const skip = url.searchParams.get("$skip");
    if (skip === null) return json({ value: [{ ID: 1 }, { ID: 2 }], "@odata.nextLink": `${service.other}/odata/T?p=one` });
    return json(skip === "0" ? { value: [{ ID: 1 }], "@odata.nextLink": `${service.other}/odata/T?p=a` } : { value: [{ ID: 3 }], "@odata.nextLink": `${service.other}/odata/T?p=b` });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  service.root = `http://127.0.0.1:${port}/odata/`;
  service.other = `http://localhost:${port}`;
  service.close = () => {
    server.closeAllConnections();
    server.close();
  };
  return service;
}

const folder = (): string => tempDir("export-fix-trusted-");

/** Runs the command, pressing Ctrl-C once `held` requests wait on the other origin. */
async function interrupted(service: Service, args: string[], cwd: string, held: number) {
  const ctrlC = new AbortController();
  const watch = setInterval(() => {
    if (service.sent.filter((s) => s.path.includes("?p=")).length >= held) ctrlC.abort(new DOMException("interrupted", "AbortError"));
  }, 5);
  try {
    return await cliInProcess(args, "", { cwd, signal: ctrlC.signal });
  } finally {
    clearInterval(watch);
  }
}

const rows = (ids: number[]) => ids.map((ID) => `{"ID":${ID}}\n`).join("");

test("--trust-origin: a walk interrupted while its next page on the trusted origin is read resumes there with the same command", async (t) => {
  const service = await startService();
  t.after(() => service.close());
  const cwd = folder();
  const args = ["export", service.root, "T", "--out", "t.ndjson", "--trust-origin", service.other];
  const first = await interrupted(service, args, cwd, 1);
  assert.equal(first.code, 130, first.stderr);
  assert.equal(JSON.parse(readFileSync(join(cwd, "t.ndjson.checkpoint.json"), "utf8")).next, `${service.other}/odata/T?p=one`);

  service.hold = false;
  service.sent.length = 0;
  const resumed = await cliInProcess([...args, "--resume"], "", { cwd });
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual(service.sent.filter((s) => s.path.startsWith("/odata/T?")), [{ host: new URL(service.other).host, path: "/odata/T?p=one" }]);
  assert.equal(readFileSync(join(cwd, "t.ndjson"), "utf8"), rows([1, 2, 3, 4]));
  assert.equal(existsSync(join(cwd, "t.ndjson.checkpoint.json")), false);
});

test('a profile\'s "trustedOrigins" lets --resume go on at its origin too', async (t) => {
  const service = await startService();
  t.after(() => service.close());
  const cwd = folder();
  writeFileSync(join(cwd, "traverse-odata.config.json"), JSON.stringify({ profiles: { local: { url: service.root, trustedOrigins: [service.other] } } }));
  const args = ["export", "local", "T", "--out", "t.ndjson"];
  const first = await interrupted(service, args, cwd, 1);
  assert.equal(first.code, 130, first.stderr);
  service.hold = false;
  service.sent.length = 0;
  const resumed = await cliInProcess([...args, "--resume"], "", { cwd });
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual(service.sent.map((s) => s.path), ["/odata/T?p=one"]);
  assert.equal(readFileSync(join(cwd, "t.ndjson"), "utf8"), rows([1, 2, 3, 4]));
});

test("--parallel 2 with --trust-origin: the parts' checkpoints on the trusted origin are gone on from, and the parts joined", async (t) => {
  const service = await startService();
  t.after(() => service.close());
  const cwd = folder();
  const args = ["export", service.root, "T", "--out", "t.ndjson", "--parallel", "2", "--strategy", "skip", "--partition-key", "ID", "--trust-origin", service.other, "--quiet"];
  const first = await interrupted(service, args, cwd, 2);
  assert.equal(first.code, 130, first.stderr);

  service.hold = false;
  service.sent.length = 0;
  const resumed = await cliInProcess([...args, "--resume"], "", { cwd });
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual(
    service.sent.map((s) => `${s.host} ${s.path}`).sort(),
    [`${new URL(service.other).host} /odata/T?p=a`, `${new URL(service.other).host} /odata/T?p=b`],
  );
  assert.equal(readFileSync(join(cwd, "t.ndjson"), "utf8"), rows([1, 2, 3, 4]));
  assert.deepEqual(readdirSync(cwd), ["t.ndjson"]);
});

test("a checkpoint on an origin the command does not trust is refused naming --trust-origin, nothing asked; with it, the export goes on", async (t) => {
  const service = await startService();
  t.after(() => service.close());
  service.hold = false;
  const cwd = folder();
  const args = ["export", service.root, "T", "--out", "t.ndjson"];
  const first = await cliInProcess(args, "", { cwd });
  assert.equal(first.code, 1, first.stderr);
  assert.match(first.stderr, /give --trust-origin/);

  service.sent.length = 0;
  const refused = await cliInProcess([...args, "--resume"], "", { cwd });
  assert.equal(refused.code, 2, refused.stderr);
  assert.ok(refused.stderr.includes(`nor on a trusted origin (it is on ${service.other}: if the service sent it, give --trust-origin ${service.other} to go on`), refused.stderr);
  assert.equal(service.sent.length, 0, "nothing is asked");

  const resumed = await cliInProcess([...args, "--resume", "--trust-origin", service.other], "", { cwd });
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual(service.sent.map((s) => s.path), ["/odata/T?p=one"]);
  assert.equal(readFileSync(join(cwd, "t.ndjson"), "utf8"), rows([1, 2, 3, 4]));
});
