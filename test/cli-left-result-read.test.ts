// A long-running operation whose monitor said it succeeded, and whose result's read then failed
// (a dropped connection, past the retries): the resume token is printed, and the message says the
// operation has succeeded and that the token's wait reads the result, as the Ctrl-C case says
// (test/cli-minor-result-interrupt.test.ts), not that the operation "may go on" (it is over, and
// cancel has nothing to stop). `call --async` and `wait` alike. Over a node:http service on
// 127.0.0.1; the command line runs in this process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliInProcess } from "./cli-in-process.js";
import { sendJson, startServer } from "./servers/recording-server.js";

const show = (o: { code: number; stdout: string; stderr: string }) => `exit ${o.code}\nstdout: ${o.stdout}\nstderr: ${o.stderr}`;

const SUCCEEDED = /; the operation has succeeded at the service, but its result could not be read: its resume token is on stdout, and traverse-odata wait with it reads the result\n$/;

test("call --async and wait whose result's read drops the connection: the token, and words saying the operation has succeeded", async (t) => {
  let healed = false;
  const server = await startServer((request, res, req) => {
    const json = { "odata-version": "4.0" };
    if (request.path === "/svc/$metadata") return sendJson(res, 404, { error: { code: "NoMetadata", message: "none" } }, json);
    if (request.path === "/svc/go" && request.method === "POST") {
      res.writeHead(202, { location: "mon/1", ...json }).end();
      return;
    }
    if (request.path === "/svc/mon/1") return sendJson(res, 200, { status: "succeeded", resourceLocation: "../result/1" }, json);
    if (request.path === "/svc/result/1") {
      if (healed) sendJson(res, 200, { value: "late" }, json);
      else req.socket.destroy();
      return;
    }
    sendJson(res, 404, { error: { code: "404", message: "no such path" } }, json);
  });
  t.after(() => server.close());

  const called = await cliInProcess(["call", server.url("svc/"), "go", "--async", "--poll-interval", "1"]);
  assert.equal(called.code, 4, show(called));
  assert.match(called.stderr, /failed before an answer arrived/);
  assert.match(called.stderr, SUCCEEDED);
  assert.doesNotMatch(called.stderr, /may go on|cancel/);
  const token = JSON.parse(called.stdout) as { statusUrl: string; resultUrl?: string; service?: string };
  assert.equal(token.statusUrl, server.url("svc/mon/1"));
  assert.equal(token.resultUrl, server.url("svc/result/1"));
  const reads = () => server.requests.filter((r) => r.path === "/svc/result/1").length;
  assert.ok(reads() > 1, "the dropped read was retried before the command gave up");

  // wait with that token: its read drops too, and it says the same, printing the token again.
  const before = reads();
  const waited = await cliInProcess(["wait", "-", "--poll-interval", "1"], called.stdout);
  assert.equal(waited.code, 4, show(waited));
  assert.match(waited.stderr, SUCCEEDED);
  assert.equal((JSON.parse(waited.stdout) as { resultUrl?: string }).resultUrl, server.url("svc/result/1"));
  assert.ok(reads() > before);

  // The result can be read later: the token's wait reads it, as the message says.
  healed = true;
  const later = await cliInProcess(["wait", "-", "-q"], waited.stdout);
  assert.equal(later.code, 0, show(later));
  assert.equal(later.stdout, '"late"\n');
  assert.equal(server.requests.at(-1)?.path, "/svc/result/1");
});
