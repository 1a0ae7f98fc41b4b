// `--odata-version 2.0` (or a profile's "version": "2.0") against an OData v4 service: when what
// the service answered shows v4 (an OData-Version: 4.0 header, or a collection without the "d" of
// every v2 JSON answer), the error says the service looks like OData v4 and names the setting to
// change. A v2 service whose answer cannot be read gets no such hint, nor does a v4-looking answer
// to a command that set no version. Over node:http services on 127.0.0.1; the command line runs in
// this process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliInProcess } from "./cli-in-process.js";
import { sendJson, startServer } from "./servers/recording-server.js";

const show = (o: { code: number; stdout: string; stderr: string }) => `exit ${o.code}\nstdout: ${o.stdout}\nstderr: ${o.stderr}`;

/** A service answering every request with `body` and `headers` (`status` 200 unless given). */
async function service(t: { after(fn: () => Promise<void>): void }, body: unknown, headers: Record<string, string>, status = 200) {
  const server = await startServer((_request, res) => sendJson(res, status, body, headers));
  t.after(() => server.close());
  return server;
}

const V4_PAGE = { "@odata.context": "$metadata#Products", value: [{ ID: 1 }] };

test("--odata-version 2.0, a v4 service that says so: the error names OData-Version: 4.0 and the option", async (t) => {
  const server = await service(t, V4_PAGE, { "odata-version": "4.0" });
  for (const args of [
    ["query", server.url("svc/"), "Products", "--format", "json"],
    ["export", server.url("svc/"), "Products", "--out", "-"],
  ]) {
    const outcome = await cliInProcess([...args, "--odata-version", "2.0"]);
    assert.equal(outcome.code, 1, show(outcome));
    assert.equal(outcome.stdout, "");
    assert.ok(
      outcome.stderr.endsWith(
        'the v2 collection body has no "d" member; the service looks like OData v4 (it answered OData-Version: 4.0), which the command read as OData 2.0 (--odata-version 2.0): leave the option out, or give --odata-version 4.0\n',
      ),
      show(outcome),
    );
  }
  // One page each (an export of one walk to stdout reads no $metadata).
  assert.deepEqual(
    server.requests.map((r) => `${r.method} ${r.path}`),
    ["GET /svc/Products", "GET /svc/Products"],
  );
});

test("--odata-version 2.0, a v4 body without a version header: the missing \"d\" is the sign, and the option is named", async (t) => {
  const server = await service(t, V4_PAGE, {});
  const outcome = await cliInProcess(["query", server.url("svc/"), "Products", "--format", "ndjson", "--odata-version", "2.0", "--json"]);
  assert.equal(outcome.code, 1, show(outcome));
  const { error } = JSON.parse(outcome.stderr.trim()) as { error: { code: string; message: string } };
  assert.equal(error.code, "BAD_PAYLOAD");
  assert.match(error.message, /; the service looks like OData v4 \(every OData v2 JSON answer has a "d" member\), which the command read as OData 2\.0 \(--odata-version 2\.0\): leave the option out, or give --odata-version 4\.0$/);
  assert.equal(server.requests.length, 1);
});

test("a 400 of a service that answered OData-Version: 4.0 to a v2 query ($inlinecount) names the option too", async (t) => {
  const server = await service(t, { error: { code: "400", message: "Unknown query option $inlinecount" } }, { "odata-version": "4.0" }, 400);
  const outcome = await cliInProcess(["query", server.url("svc/"), "Products", "--format", "json", "--count", "--odata-version", "2.0"]);
  assert.equal(outcome.code, 3, show(outcome));
  assert.match(outcome.stderr, /Unknown query option \$inlinecount; the service looks like OData v4 \(it answered OData-Version: 4\.0\), which the command read as OData 2\.0 \(--odata-version 2\.0\)/);
  assert.match(server.requests[0]?.path ?? "", /\$inlinecount=allpages/);
});

test("a profile's \"version\": \"2.0\" is named as the setting to change", async (t) => {
  const server = await service(t, V4_PAGE, { "odata-version": "4.0" });
  const home = mkdtempSync(join(tmpdir(), "traverse-cli-minor-version-"));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  writeFileSync(join(home, "traverse-odata.config.json"), JSON.stringify({ profiles: { old: { url: server.url("svc/"), version: "2.0" } } }));
  const outcome = await cliInProcess(["query", "old", "Products", "--format", "json"], "", { cwd: home });
  assert.equal(outcome.code, 1, show(outcome));
  assert.match(
    outcome.stderr,
    /the service looks like OData v4 \(it answered OData-Version: 4\.0\), which the command read as OData 2\.0 \("version": "2\.0" in .*traverse-odata\.config\.json: profiles\.old\): give --odata-version 4\.0, or set the profile's version to 4\.0\n$/,
  );
  assert.equal(server.requests.length, 1);
});

test("no hint where nothing shows v4: a v2 service's unreadable answer, and a command that set no version", async (t) => {
  // A v2 service (DataServiceVersion) whose collection has no "d": broken, but not v4.
  const v2 = await service(t, { results: [] }, { dataserviceversion: "2.0" });
  const broken = await cliInProcess(["query", v2.url("svc/"), "Products", "--format", "json", "--odata-version", "2.0"]);
  assert.equal(broken.code, 1, show(broken));
  assert.match(broken.stderr, /the v2 collection body has no "d" member\n$/);
  assert.doesNotMatch(broken.stderr, /looks like OData v4/);
  // No --odata-version: the v4 reading of a body without "value", with its own hint (v2's "d").
  const v4 = await service(t, { items: [] }, { "odata-version": "4.0" });
  const unset = await cliInProcess(["query", v4.url("svc/"), "Products", "--format", "json"]);
  assert.equal(unset.code, 1, show(unset));
  assert.doesNotMatch(unset.stderr, /looks like OData v4/);
  assert.equal(v2.requests.length + v4.requests.length, 2);
});
