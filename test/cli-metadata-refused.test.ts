/**
 * A service that answers `$metadata` with 401 or 403 refuses the credentials (wrong, or without the
 * rights): the commands that read `$metadata` (`call`, `get`, `query`, `export`, `count --search`,
 * `describe`) stop there with that error, exit 3, in the words a 401 of the command's own request
 * has, rather than taking the service for one without `$metadata` and sending their request with
 * guessed types. An OAuth2 token endpoint that refuses the client stops at `$metadata` alike. A 404
 * or 501 (no `$metadata`) still lets the request go as the data says. Over node:http on 127.0.0.1;
 * the command line runs in this process.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliInProcess } from "./cli-in-process.js";
import { sendJson, startServer, type RecordingServer } from "./servers/recording-server.js";

const show = (o: { code: number; stdout: string; stderr: string }) => `exit ${o.code}\nstdout: ${o.stdout}\nstderr: ${o.stderr}`;

const STATUS_TEXT: Record<number, string> = { 401: "Unauthorized", 403: "Forbidden" };

/** A service whose `$metadata` is answered `status`, every other request with a v4 entity (or count), or 401 where `refusesData`. */
async function service(t: { after(fn: () => Promise<void>): void }, status: number, refusesData = false): Promise<RecordingServer> {
  const server = await startServer((request, res) => {
    if (request.path.endsWith("/$metadata")) return sendJson(res, status, { error: { code: String(status), message: `$metadata answered ${status}` } });
    if (refusesData) return sendJson(res, 401, { error: { code: "401", message: "no access" } });
    if (request.path.includes("/$count")) return sendJson(res, 200, 3, { "odata-version": "4.0" });
    if (request.path.startsWith("/svc/Products?") || request.path === "/svc/Products") return sendJson(res, 200, { value: [{ ID: 1, Name: "Chai" }] }, { "odata-version": "4.0" });
    sendJson(res, 200, { ID: 1, Name: "Chai" }, { "odata-version": "4.0" });
  });
  t.after(() => server.close());
  return server;
}

/** A command that reads `$metadata` before its request, and what a refused `$metadata` leaves on the wire. */
interface Case {
  args: readonly string[];
  /** The command's own request (none for describe). */
  request?: string;
  /** Where the partition planner reads `$metadata` and asks `$count` at the same time. */
  planner?: true;
  /** Where the plan needs the key `$metadata` would give: without `$metadata` it fails (exit 2) before its request. */
  needsKey?: true;
  /** The requests sent where `$metadata` is refused, sorted (the planner's two go at once). */
  refused: readonly string[];
}

const METADATA_ONLY = ["GET /svc/$metadata"];
const PLAN = ["export", "Products", "--parallel", "2", "--plan", "--strategy", "skip"];

const CASES: readonly Case[] = [
  { args: ["get", "Products", "1"], request: "GET /svc/Products(1)", refused: METADATA_ONLY },
  { args: ["call", "Cheapest"], request: "POST /svc/Cheapest", refused: METADATA_ONLY },
  { args: ["query", "Products", "--format", "csv"], request: "GET /svc/Products", refused: METADATA_ONLY },
  { args: ["query", "Products"], request: "GET /svc/Products", refused: METADATA_ONLY },
  { args: ["export", "Products", "--out", "-", "--format", "csv"], request: "GET /svc/Products", refused: METADATA_ONLY },
  // No version given: the export reads $metadata for the version before it plans, and the planner
  // does not ask it again.
  { args: PLAN, request: "GET /svc/Products/$count", needsKey: true, refused: METADATA_ONLY },
  // The planner's $count, asked with $metadata, is aborted when the plan fails for want of a key:
  // it may or may not have reached the server (not counted below).
  { args: [...PLAN, "--odata-version", "4.0"], request: "GET /svc/Products/$count", planner: true, needsKey: true, refused: METADATA_ONLY },
  // With a key the planner would plan without $metadata: the command reads it first, and stops.
  { args: [...PLAN, "--partition-key", "ID", "--odata-version", "4.0"], request: "GET /svc/Products/$count", refused: METADATA_ONLY },
  { args: ["count", "Products", "--search", "tea"], request: "GET /svc/Products/$count", refused: METADATA_ONLY },
  { args: ["describe"], refused: METADATA_ONLY },
];

const run = (server: RecordingServer, [name, ...rest]: readonly string[]) => cliInProcess([name!, server.url("svc/"), ...rest, "--timeout", "2000"]);

for (const status of [401, 403]) {
  test(`$metadata answered ${status}: each command stops there, exit 3, naming $metadata and the status; its own request is not sent`, async (t) => {
    for (const { args, request, planner, refused } of CASES) {
      // A server of its own: a $count aborted late would reach the next command's otherwise.
      const server = await service(t, status);
      const outcome = await run(server, args);
      assert.equal(outcome.code, 3, `${args.join(" ")}\n${show(outcome)}`);
      assert.equal(outcome.stdout, "", args.join(" "));
      assert.equal(outcome.stderr, `error: GET ${server.url("svc/$metadata")} failed with HTTP ${status} ${STATUS_TEXT[status]} [${status}]: $metadata answered ${status}\n`, args.join(" "));
      let sent = server.requests.map((r) => `${r.method} ${r.path}`).sort();
      if (planner && !refused.includes(request!)) sent = sent.filter((line) => line !== request);
      assert.deepEqual(sent, refused, args.join(" "));
    }
  });
}

test("a 401 of $metadata reads as a 401 of the command's own request does (exit 3, the request and its status)", async (t) => {
  const refused = await service(t, 401);
  const ownRefused = await service(t, 404, true);
  const atMetadata = await run(refused, ["get", "Products", "1"]);
  const atRequest = await run(ownRefused, ["get", "Products", "1"]);
  assert.equal(atRequest.code, 3, show(atRequest));
  assert.equal(atRequest.stderr, `error: GET ${ownRefused.url("svc/Products(1)")} failed with HTTP 401 Unauthorized [401]: no access\n`);
  assert.equal(atMetadata.code, atRequest.code);
  assert.equal(atMetadata.stderr, `error: GET ${refused.url("svc/$metadata")} failed with HTTP 401 Unauthorized [401]: $metadata answered 401\n`);
});

for (const status of [404, 501]) {
  test(`$metadata answered ${status} (the service has none): each command asks it once and sends its request without it; a plan that needs the key stops (exit 2)`, async (t) => {
    for (const { args, request, planner, needsKey } of CASES) {
      if (request === undefined) continue;
      const server = await service(t, status);
      const outcome = await run(server, args);
      const sent = server.requests.map((r) => `${r.method} ${r.path.split("?")[0]}`);
      const context = `${args.join(" ")}: ${sent.join(", ")}\n${show(outcome)}`;
      assert.equal(sent.filter((line) => line === "GET /svc/$metadata").length, 1, context);
      assert.equal(outcome.code, needsKey ? 2 : 0, context);
      if (!planner) assert.equal(sent[0], "GET /svc/$metadata", context);
      // The planner's $count, asked beside $metadata, is aborted when the plan fails for want of a
      // key: it may or may not have reached the server.
      if (needsKey && planner) assert.deepEqual(sent.filter((line) => line !== request), METADATA_ONLY, context);
      else if (needsKey) assert.deepEqual(sent, METADATA_ONLY, context);
      // The planner's two go at once, in either order.
      else assert.deepEqual(planner ? [...sent].sort() : sent, ["GET /svc/$metadata", request], context);
    }
  });
}

test("an OAuth2 token endpoint that refuses the client: the command stops at $metadata (exit 1), one token request, nothing else sent", async (t) => {
  const server = await startServer((request, res) => {
    if (request.path === "/oauth/token") return sendJson(res, 401, { error: "invalid_client", error_description: "unknown client" });
    sendJson(res, 200, { ID: 1, Name: "Chai" }, { "odata-version": "4.0" });
  });
  t.after(() => server.close());
  const cwd = mkdtempSync(join(tmpdir(), "traverse-cli-metadata-refused-"));
  t.after(() => rmSync(cwd, { recursive: true, force: true }));
  const config = join(cwd, "traverse-odata.config.json");
  writeFileSync(config, JSON.stringify({ profiles: { gw: { url: server.url("svc/"), oauth2: { tokenUrl: server.url("oauth/token"), clientId: "cli", clientSecretEnv: "GW_SECRET" } } } }));
  const outcome = await cliInProcess(["get", "gw", "Products", "1"], "", { cwd, env: { GW_SECRET: "client-secret-0123456789" } });
  assert.equal(outcome.code, 1, show(outcome));
  assert.equal(outcome.stderr, `error: the OAuth2 token endpoint POST ${server.url("oauth/token")} (${config}: profiles.gw.oauth2.tokenUrl) answered 401: invalid_client: unknown client\n`);
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${request.path}`),
    ["POST /oauth/token"],
  );
});
