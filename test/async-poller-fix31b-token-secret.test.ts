// A status monitor whose status text echoes the credential it was polled with: the resume token
// (`poller.toJSON()`, and the one `call --no-wait` or a `call --async` that gives up prints on
// stdout) carries the status with the secrets the client sent masked, as errors do. Against a
// node:http service: an action import `job` answered 202 with a monitor that stays running.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { runCli, show } from "./cli-harness.js";
import { sendJson, sendText, startServer, type RecordingServer } from "./servers/recording-server.js";

const TOKEN = "tok-ABCDEFGH12345";
const API_KEY = "key-0123456789abcdef";

const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0"><edmx:DataServices>
<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="NS">
<Action Name="job"/>
<EntityContainer Name="C"><ActionImport Name="job" Action="NS.job"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

/** Every answer's status says whom it serves: the bearer token and the API key it was sent. */
async function echoingMonitor(t: { after(fn: () => Promise<void>): void }): Promise<RecordingServer> {
  const server = await startServer((request, res) => {
    const v4 = { "odata-version": "4.0" };
    const bearer = String(request.headers["authorization"] ?? "").replace(/^Bearer /, "");
    const key = String(request.headers["x-api-key"] ?? "");
    const who = [bearer, key].filter(Boolean).join(" and ");
    if (request.path === "/svc/$metadata") return sendText(res, 200, METADATA, { "content-type": "application/xml", ...v4 });
    if (request.path === "/svc/job") return sendJson(res, 202, { status: `Accepted for ${who}` }, { location: server.url("svc/monitor/1"), "retry-after": "0", ...v4 });
    sendJson(res, 202, { status: `Running as ${who}`, percentComplete: 10 }, { "retry-after": "0", ...v4 });
  });
  t.after(() => server.close());
  return server;
}

test("poller.toJSON() masks the bearer token and a secret header the monitor echoes in its status", async (t) => {
  const server = await echoingMonitor(t);
  const client = new ODataClient({ serviceUrl: server.url("svc/"), auth: { bearer: TOKEN }, headers: { "x-api-key": API_KEY } });
  const poller = await client.action("job").invokeAsync({});
  assert.equal(poller.toJSON().status, "Accepted for *** and ***");
  assert.equal(await poller.poll(), true, "still running");
  const token = poller.toJSON();
  assert.equal(token.status, "Running as *** and ***");
  assert.equal(token.percentComplete, 10);
  assert.equal(poller.status(), "Running as *** and ***");
  const text = JSON.stringify(token);
  assert.ok(!text.includes(TOKEN) && !text.includes(API_KEY), text);
  // The secrets did go on the wire: the service echoed what it got.
  assert.deepEqual(
    server.requests.map((r) => `${r.method} ${r.path} ${String(r.headers["authorization"])} ${String(r.headers["x-api-key"])}`),
    [`POST /svc/job Bearer ${TOKEN} ${API_KEY}`, `GET /svc/monitor/1 Bearer ${TOKEN} ${API_KEY}`],
  );
});

test("call --no-wait and a call --async that gives up print a resume token without the bearer token the monitor echoes", async (t) => {
  const server = await echoingMonitor(t);
  const env = { TRAVERSE_ODATA_TOKEN: TOKEN };
  const started = await runCli(["call", server.url("svc/"), "job", "--no-wait"], { env });
  assert.equal(started.code, 0, show(started));
  assert.equal((JSON.parse(started.stdout) as { status: string }).status, "Accepted for ***");
  const waited = await runCli(["call", server.url("svc/"), "job", "--async", "--poll-interval", "20", "--max-wait", "300"], { env });
  assert.equal(waited.code, 5, show(waited));
  assert.equal((JSON.parse(waited.stdout) as { status: string }).status, "Running as ***");
  for (const result of [started, waited]) assert.ok(!result.stdout.includes(TOKEN) && !result.stderr.includes(TOKEN), show(result));
  const polls = server.requests.filter((r) => r.path === "/svc/monitor/1");
  assert.ok(polls.length > 0 && polls.every((r) => r.headers["authorization"] === `Bearer ${TOKEN}`));
});
