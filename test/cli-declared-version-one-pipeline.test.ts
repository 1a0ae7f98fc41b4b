/**
 * A command that reads `$metadata` and then speaks the version it declares (an OData v2 service
 * named without `--odata-version`) is still one client on the wire: one OAuth2 token request for
 * the command, every request sent with that token, and one numbering of the `--debug` wire log
 * (a request line and its answer line share a number, no two requests share one). Over node:http
 * on 127.0.0.1; the command line runs in this process.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliInProcess } from "./cli-in-process.js";
import { sendJson } from "./servers/recording-server.js";
import { metadataService, productsV2Metadata } from "./servers/metadata-service.js";

const show = (o: { code: number; stdout: string; stderr: string }) => `exit ${o.code}\nstdout: ${o.stdout}\nstderr: ${o.stderr}`;

const CHAI = { ID: 1, Name: "Chai" };

test("an OData v2 service named without --odata-version: one token request per command, one numbering of the wire log", async (t) => {
  let issued = 0;
  const v2 = { dataserviceversion: "2.0" };
  const server = await metadataService(t, productsV2Metadata(), v2, (request, res) => {
    if (request.path === "/oauth/token") return sendJson(res, 200, { access_token: `access-token-${++issued}-abcdef`, token_type: "Bearer", expires_in: 3600 });
    if (request.path.startsWith("/svc/Products(1)") || request.path.startsWith("/svc/Cheapest")) return sendJson(res, 200, { d: CHAI }, v2);
    sendJson(res, 200, { d: { results: [CHAI] } }, v2);
  });
  const cwd = mkdtempSync(join(tmpdir(), "traverse-cli-one-pipeline-"));
  t.after(() => rmSync(cwd, { recursive: true, force: true }));
  writeFileSync(join(cwd, "traverse-odata.config.json"), JSON.stringify({ profiles: { gw: { url: server.url("svc/"), oauth2: { tokenUrl: server.url("oauth/token"), clientId: "cli", clientSecretEnv: "GW_SECRET" } } } }));

  for (const [args, sent, stdout] of [
    [["get", "gw", "Products", "1"], "GET /svc/Products(1)", '{\n  "ID": 1,\n  "Name": "Chai"\n}\n'],
    [["query", "gw", "Products", "--format", "csv"], "GET /svc/Products", "ID,Name\r\n1,Chai\r\n"],
    [["call", "gw", "Cheapest"], "GET /svc/Cheapest", '{\n  "ID": 1,\n  "Name": "Chai"\n}\n'],
  ] as const) {
    const from = server.requests.length;
    const before = issued;
    const outcome = await cliInProcess([...args, "--debug"], "", { cwd, env: { GW_SECRET: "client-secret-0123456789" } });
    assert.equal(outcome.code, 0, show(outcome));
    assert.equal(outcome.stdout, stdout);
    const requests = server.requests.slice(from);
    // One token for the command, sent with $metadata and with the request read as v2.
    assert.deepEqual(
      requests.map((request) => `${request.method} ${request.path.split("?")[0]} ${String(request.headers.authorization ?? "-")}`),
      ["POST /oauth/token -", `GET /svc/$metadata Bearer access-token-${before + 1}-abcdef`, `${sent} Bearer access-token-${before + 1}-abcdef`],
      args.join(" "),
    );
    // The wire log numbers the three requests 1, 2, 3, each request line with its answer line.
    const numbered = outcome.stderr
      .split("\n")
      .map((line) => /^traverse-odata #(\d+) (?:\w+ )?([<>]) /.exec(line))
      .filter((match) => match !== null)
      .map((match) => `${match[1]}${match[2]}`);
    assert.deepEqual(numbered, ["1>", "1<", "2>", "2<", "3>", "3<"], show(outcome));
  }
});

test("--key-as-segment on a service whose $metadata declares OData 2.0: refused with exit 2 naming the option, nothing sent after $metadata", async (t) => {
  const server = await metadataService(t, productsV2Metadata(), { dataserviceversion: "2.0" }, (_request, res) => sendJson(res, 200, { d: CHAI }, { dataserviceversion: "2.0" }));
  const outcome = await cliInProcess(["get", server.url("svc/"), "Products", "1", "--key-as-segment"]);
  assert.equal(outcome.code, 2, show(outcome));
  assert.equal(outcome.stderr, 'error: --key-as-segment needs OData v4, not version "2.0"\n');
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${request.path}`),
    ["GET /svc/$metadata"],
  );
});
