// `--trust-origin ORIGIN` (repeatable) and a profile's "trustedOrigins": the client's
// trustedOrigins on the command line, so that `query` follows a next link to another origin of the
// same service (SAP CAP's v2 adapter writes its next links on http://localhost:<port>, whatever
// host was asked) and sends it the credentials and headers; the error of an untrusted next link
// names the option, not the library's option. Also: a configured Authorization header that takes
// the place of TRAVERSE_ODATA_TOKEN is warned of. In this process (test/cli-in-process.ts), against a node:http
// service on 127.0.0.1 and against SAP CAP.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { useCap } from "./servers/use-cap.js";
import { cliInProcess } from "./cli-in-process.js";

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

const folders: string[] = [];
process.once("exit", () => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});
function folder(): string {
  const made = mkdtempSync(join(tmpdir(), "traverse-cli-fix-trust-"));
  folders.push(made);
  return made;
}

/** `traverse-odata <args>` in this process, in `cwd` (an empty folder unless given), with `env` added to an empty HOME. */
function cli(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<Outcome> {
  return cliInProcess(args, "", { ...options, cwd: options.cwd ?? folder() });
}

const show = (outcome: Outcome) => `exit ${outcome.code}\n--- stdout\n${outcome.stdout}\n--- stderr\n${outcome.stderr}`;

describe("a node:http service whose next link names localhost", () => {
  let server: Server;
  let port = 0;
  let service = "";
  let localhost = "";
  const sent: { host: string | undefined; url: string; headers: IncomingHttpHeaders }[] = [];

  before(async () => {
    server = createServer((request, response) => {
      sent.push({ host: request.headers.host, url: request.url ?? "", headers: request.headers });
      const json = { "content-type": "application/json", "odata-version": "4.0" };
      const url = new URL(request.url ?? "/", "http://x");
      if (url.pathname !== "/svc/Things") return response.writeHead(404, json).end('{"error":{"code":"NotFound","message":"no"}}');
      if (url.searchParams.get("$skiptoken") === "1") return response.writeHead(200, json).end('{"value":[{"ID":2}]}');
      response.writeHead(200, json).end(JSON.stringify({ value: [{ ID: 1 }], "@odata.nextLink": `${localhost}/svc/Things?$skiptoken=1` }));
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    port = (server.address() as AddressInfo).port;
    service = `http://127.0.0.1:${port}/svc/`;
    localhost = `http://localhost:${port}`;
  });
  after(() => {
    server.close();
    server.closeAllConnections();
  });

  const TOKEN = { TRAVERSE_ODATA_TOKEN: "secret-token-of-the-test" };

  test("without --trust-origin: the next link is not followed, and the message names the option with the origin", async () => {
    sent.length = 0;
    const result = await cli(["query", service, "Things", "--format", "ndjson", "--json"], { env: TOKEN });
    assert.equal(result.code, 1, show(result));
    assert.equal(result.stdout, '{"ID":1}\n');
    const error = (JSON.parse(result.stderr.trim().split("\n").at(-1) as string) as { error: { code: string; message: string } }).error;
    assert.equal(error.code, "UNTRUSTED_NEXT_LINK");
    assert.match(error.message, new RegExp(`to ${localhost}, which is neither the service's origin \\(http://127\\.0\\.0\\.1:${port}\\) nor a trusted one \\(--trust-origin\\)`));
    assert.ok(error.message.includes(`give --trust-origin ${localhost}, if you trust`), error.message);
    assert.doesNotMatch(error.message, /trustedOrigins/);
    assert.deepEqual(sent.map((request) => request.host), [`127.0.0.1:${port}`]);
  });

  test("--trust-origin: the walk goes on at the other origin, which gets the credentials and the -H headers", async () => {
    sent.length = 0;
    const result = await cli(["query", service, "Things", "--format", "ndjson", "--trust-origin", localhost, "-H", "X-Tenant: t1"], { env: TOKEN });
    assert.equal(result.code, 0, show(result));
    assert.equal(result.stdout, '{"ID":1}\n{"ID":2}\n');
    assert.deepEqual(
      sent.map((request) => [request.host, request.url, request.headers.authorization, request.headers["x-tenant"]]),
      [
        [`127.0.0.1:${port}`, "/svc/Things", "Bearer secret-token-of-the-test", "t1"],
        [`localhost:${port}`, "/svc/Things?$skiptoken=1", "Bearer secret-token-of-the-test", "t1"],
      ],
    );
  });

  test('a profile\'s "trustedOrigins" does the same; its message names the profile\'s setting', async () => {
    const cwd = folder();
    const config = join(cwd, "traverse-odata.config.json");
    writeFileSync(config, JSON.stringify({ profiles: { local: { url: service, trustedOrigins: [localhost] }, strict: { url: service } } }));
    sent.length = 0;
    const result = await cli(["query", "local", "Things", "--format", "ndjson"], { cwd, env: TOKEN });
    assert.equal(result.code, 0, show(result));
    assert.equal(result.stdout, '{"ID":1}\n{"ID":2}\n');
    assert.equal(sent[1]?.host, `localhost:${port}`);
    assert.equal(sent[1]?.headers.authorization, "Bearer secret-token-of-the-test");

    const strict = await cli(["query", "strict", "Things", "--format", "ndjson"], { cwd });
    assert.equal(strict.code, 1, show(strict));
    assert.ok(strict.stderr.includes(`give --trust-origin ${localhost} (or "trustedOrigins" in ${config}: profiles.strict)`), strict.stderr);
  });

  test("an --trust-origin or a profile entry that is no origin is a usage error naming where it was given, and nothing is sent", async () => {
    sent.length = 0;
    const option = await cli(["query", service, "Things", "--trust-origin", `${localhost}/svc/`]);
    assert.equal(option.code, 2, show(option));
    assert.match(option.stderr, /^error: --trust-origin holds .*which is not an origin such as "https:\/\/host:8443"/);
    const cwd = folder();
    const config = join(cwd, "traverse-odata.config.json");
    writeFileSync(config, JSON.stringify({ profiles: { p: { url: service, trustedOrigins: ["https://files.example.com", "https://user:secret@files.example.com"] } } }));
    const profile = await cli(["query", "p", "Things"], { cwd });
    assert.equal(profile.code, 2, show(profile));
    assert.ok(profile.stderr.startsWith(`error: ${config}: profiles.p.trustedOrigins[1] must be an origin`), profile.stderr);
    assert.doesNotMatch(profile.stderr, /secret/);
    writeFileSync(config, JSON.stringify({ profiles: { p: { url: service, trustedOrigins: "https://files.example.com" } } }));
    const notArray = await cli(["query", "p", "Things"], { cwd });
    assert.equal(notArray.code, 2, show(notArray));
    assert.match(notArray.stderr, /profiles\.p\.trustedOrigins must be an array of origins/);
    assert.equal(sent.length, 0);
  });

  test("--trust-origin is in every command's help but serve's", async () => {
    for (const command of ["describe", "query", "count", "get", "export", "call", "wait", "cancel", "generate"]) {
      const help = await cli([command, "--help"]);
      assert.match(help.stdout, /--trust-origin ORIGIN +another origin/, command);
    }
    const serve = await cli(["serve", "--help"]);
    assert.doesNotMatch(serve.stdout, /--trust-origin/);
  });

  test("-H Authorization with TRAVERSE_ODATA_TOKEN set: the header is sent, and a warning says so once", async () => {
    sent.length = 0;
    const result = await cli(["query", service, "Things", "--format", "ndjson", "--trust-origin", localhost, "-H", "Authorization: Bearer from-the-header-1234"], { env: TOKEN });
    assert.equal(result.code, 0, show(result));
    assert.deepEqual(
      sent.map((request) => request.headers.authorization),
      ["Bearer from-the-header-1234", "Bearer from-the-header-1234"],
    );
    const warnings = result.stderr.split("\n").filter((line) => line.startsWith("warning:"));
    assert.deepEqual(warnings, ["warning: the Authorization header of --header (-H) is sent, not TRAVERSE_ODATA_TOKEN: a configured Authorization header takes the place of the credentials"]);
    assert.doesNotMatch(result.stderr, /from-the-header-1234|secret-token-of-the-test/);
  });
});

describe("SAP CAP's OData v2 adapter, reached as 127.0.0.1", () => {
  const cap = useCap();
  // The adapter fails on $metadata with Node's default "Accept-Language: *" (test/metadata.test.ts).
  const V2 = ["--odata-version", "2.0", "-H", "Accept-Language: en"];

  test("query of a paged set stops at the first page without --trust-origin, and reads all 23 rows with it", async () => {
    const localhost = cap.origin.replace("127.0.0.1", "localhost");
    const stopped = await cli(["query", cap.v2, "BooksPaged", "--select", "ID", "--format", "csv", ...V2]);
    assert.equal(stopped.code, 1, show(stopped));
    assert.equal(stopped.stdout.trim().split("\r\n").length - 1, 10, "the first page's rows");
    assert.ok(stopped.stderr.includes(`give --trust-origin ${localhost}, if you trust`), stopped.stderr);

    const all = await cli(["query", cap.v2, "BooksPaged", "--select", "ID", "--format", "csv", "--trust-origin", localhost, ...V2]);
    assert.equal(all.code, 0, show(all));
    assert.deepEqual(
      all.stdout.trim().split("\r\n"),
      ["ID", ...Array.from({ length: 23 }, (_, i) => String(i + 1))],
    );
  });
});
