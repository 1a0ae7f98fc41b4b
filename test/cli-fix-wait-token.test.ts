// `call --async` and `wait` that end on a failed poll print the resume token, as Ctrl-C and
// --max-wait do (the operation's outcome is unknown: async-poller.md rules 9 and 10), and none
// where the operation is over (failed, cancelled, its monitor gone, or succeeded and its result's
// read failed after); `call --no-wait` of an operation answered at once
// keeps the digits of a long number in its token, so that `wait` prints what the service sent.
// The command line runs in this process (test/cli-in-process.ts) against node:http services on 127.0.0.1.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { cliInProcess } from "./cli-in-process.js";

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

const home = mkdtempSync(join(tmpdir(), "traverse-cli-fix-wait-"));
process.once("exit", () => rmSync(home, { recursive: true, force: true }));

const cli = (args: readonly string[], stdin = ""): Promise<Outcome> => cliInProcess(args, stdin);

const show = (outcome: Outcome) => `exit ${outcome.code}\n--- stdout\n${outcome.stdout}\n--- stderr\n${outcome.stderr}`;

/** How each monitor answers after two 202s; `healed` ones answer the result from then on. */
type Mode = "e401" | "e403" | "e500" | "drop" | "failed" | "gone" | "bad" | "over303" | "completed" | "cancelled" | "busy";
const sent: { method: string; path: string; status: number | "dropped" }[] = [];
const healed = new Set<string>();
const polls = new Map<string, number>();
let server: Server;
let base = "";

function answer(request: IncomingMessage, respond: (status: number, headers: Record<string, string>, body?: string) => void, drop: () => void): void {
  const path = new URL(request.url ?? "/", "http://x").pathname;
  const json = { "content-type": "application/json", "odata-version": "4.0" };
  if (path === "/svc/$metadata") return respond(404, json, '{"error":{"code":"NoMetadata","message":"none here"}}');
  if (path === "/t/fbig()") return respond(200, json, '{"value":9007199254740993}');
  const started = /^\/svc\/go_(\w+)$/.exec(path);
  if (started && request.method === "POST") {
    polls.set(started[1] as string, 0);
    return respond(202, { location: `${base}/svc/mon/${started[1]}` });
  }
  // A result the service cannot give for now (503 until healed): the operation succeeded, its
  // result is still there for a later read.
  if (path === "/svc/busyresult/busy") {
    return healed.has("busyresult") ? respond(200, json, '{"value":"late"}') : respond(503, json, '{"error":{"code":"Busy","message":"try later"}}');
  }
  // A result the service kept for a while only: the operation is over, its result gone.
  if (/^\/svc\/result\/\w+$/.test(path)) return respond(404, json, '{"error":{"code":"Gone","message":"the result has expired"}}');
  const monitor = /^\/svc\/mon\/(\w+)$/.exec(path);
  if (!monitor) return respond(404, json, '{"error":{"code":"NotFound","message":"no such path"}}');
  const mode = monitor[1] as Mode;
  const count = (polls.get(mode) ?? 0) + 1;
  polls.set(mode, count);
  if (count <= 2) return respond(202, json, JSON.stringify({ status: "Running", percentComplete: count * 10 }));
  if (healed.has(mode)) return respond(200, json, '{"value":"done"}');
  switch (mode) {
    case "e401":
      return respond(401, { "content-type": "text/plain" }, "token expired");
    case "e403":
      return respond(403, json, '{"error":{"code":"Forbidden","message":"not yours"}}');
    case "e500":
      return respond(500, json, '{"error":{"code":"boom","message":"monitor exploded"}}');
    case "drop":
      return drop();
    case "failed":
      return respond(200, json, '{"status":"Failed","error":{"code":"X","message":"the job failed"}}');
    case "gone":
      return respond(404, json, '{"error":{"code":"NotFound","message":"no such monitor"}}');
    case "bad":
      return respond(200, { "content-type": "application/http" }, "this is no HTTP message");
    case "over303":
      return respond(303, { location: `${base}/svc/result/${mode}` });
    case "completed":
      return respond(200, json, JSON.stringify({ status: "completed", resourceLocation: `${base}/svc/result/${mode}` }));
    case "cancelled":
      return respond(200, json, '{"status":"cancelled"}');
    case "busy":
      return respond(200, json, JSON.stringify({ status: "succeeded", resourceLocation: `${base}/svc/busyresult/busy` }));
  }
}

before(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      const path = new URL(request.url ?? "/", "http://x").pathname;
      answer(
        request,
        (status, headers, body) => {
          sent.push({ method: request.method ?? "", path, status });
          response.writeHead(status, headers).end(body);
        },
        () => {
          sent.push({ method: request.method ?? "", path, status: "dropped" });
          request.socket.destroy();
        },
      );
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.close();
  server.closeAllConnections();
});

const polled = (mode: string) => sent.filter((request) => request.path === `/svc/mon/${mode}`);

for (const [mode, code, why] of [
  ["e401", 3, /HTTP 401/],
  ["e403", 3, /HTTP 403 Forbidden \[Forbidden\]: not yours/],
  ["e500", 3, /HTTP 500 Internal Server Error \[boom\]: monitor exploded/],
  ["drop", 4, /failed before an answer arrived/],
  ["bad", 1, /application\/http/],
] as const) {
  test(`call --async ending on a poll that failed (${mode}): exit ${code}, the resume token on stdout; wait takes it and gets the result`, async () => {
    const called = await cli(["call", `${base}/svc/`, `go_${mode}`, "--async", "--poll-interval", "1"]);
    assert.equal(called.code, code, show(called));
    assert.match(called.stderr, why);
    assert.match(called.stderr, /the operation may go on at the service: its resume token is on stdout \(traverse-odata wait or cancel take it\)\n$/);
    const token = JSON.parse(called.stdout) as { statusUrl: string; status: string; service: string; outcome?: string };
    assert.equal(token.statusUrl, `${base}/svc/mon/${mode}`);
    assert.equal(token.service, `${base}/svc/`);
    assert.equal(token.outcome, undefined, "the outcome is unknown");
    // Two 202s, then the failing answers: one (401, 403, a body it cannot read), or five transient ones in a row.
    const monitorAnswers = polled(mode).map((request) => request.status);
    assert.deepEqual(monitorAnswers.slice(0, 2), [202, 202]);
    assert.equal(monitorAnswers.length, mode === "e500" || mode === "drop" ? 7 : 3, JSON.stringify(monitorAnswers));

    // The service recovers: wait picks the operation up from the token.
    healed.add(mode);
    const waited = await cli(["wait", "-", "--poll-interval", "1"], called.stdout);
    assert.equal(waited.code, 0, show(waited));
    assert.equal(waited.stdout, '"done"\n');
    assert.equal(polled(mode).at(-1)?.status, 200);
  });
}

test("wait ending on a poll that failed prints the token again, for the next wait", async () => {
  healed.delete("e403");
  const called = await cli(["call", `${base}/svc/`, "go_e403", "--no-wait"]);
  assert.equal(called.code, 0, show(called));
  const waited = await cli(["wait", "-", "--poll-interval", "1", "--json"], called.stdout);
  assert.equal(waited.code, 3, show(waited));
  assert.equal((JSON.parse(waited.stdout) as { statusUrl: string }).statusUrl, `${base}/svc/mon/e403`);
  const error = (JSON.parse(waited.stderr) as { error: { status: number; message: string } }).error;
  assert.equal(error.status, 403);
  assert.match(error.message, /its resume token is on stdout/);
});

for (const [mode, why] of [
  ["failed", /the job failed/],
  ["gone", /404/],
] as const) {
  test(`call --async whose operation is over (${mode}): exit 5 and no token`, async () => {
    const called = await cli(["call", `${base}/svc/`, `go_${mode}`, "--async", "--poll-interval", "1"]);
    assert.equal(called.code, 5, show(called));
    assert.equal(called.stdout, "");
    assert.match(called.stderr, why);
    assert.doesNotMatch(called.stderr, /resume token/);
    assert.deepEqual(
      polled(mode).map((request) => request.status),
      [202, 202, mode === "failed" ? 200 : 404],
    );
  });
}

for (const mode of ["over303", "completed"] as const) {
  test(`call --async whose operation succeeded but whose result's read failed (${mode}, then 404): exit 3 and no token`, async () => {
    const called = await cli(["call", `${base}/svc/`, `go_${mode}`, "--async", "--poll-interval", "1"]);
    assert.equal(called.code, 3, show(called));
    assert.equal(called.stdout, "", "no token: a wait with it would fail the same way");
    assert.match(called.stderr, /GET http:\/\/127\.0\.0\.1:\d+\/svc\/result\/\w+ failed with HTTP 404 Not Found \[Gone\]: the result has expired/);
    assert.match(called.stderr, new RegExp(`the operation is over at the service \\(${mode === "over303" ? "Succeeded" : "completed"}\\), so no resume token is printed\n$`));
    assert.doesNotMatch(called.stderr, /may go on/);
    assert.deepEqual(
      polled(mode).map((request) => request.status),
      [202, 202, mode === "over303" ? 303 : 200],
    );
    assert.deepEqual(
      sent.filter((request) => request.path === `/svc/result/${mode}`).map((request) => [request.method, request.status]),
      [["GET", 404]],
    );
  });
}

test("wait whose operation succeeded but whose result's read failed prints no token", async () => {
  const called = await cli(["call", `${base}/svc/`, "go_over303", "--no-wait"]);
  assert.equal(called.code, 0, show(called));
  assert.equal((JSON.parse(called.stdout) as { statusUrl: string }).statusUrl, `${base}/svc/mon/over303`);
  const waited = await cli(["wait", "-", "--poll-interval", "1"], called.stdout);
  assert.equal(waited.code, 3, show(waited));
  assert.equal(waited.stdout, "");
  assert.match(waited.stderr, /the result has expired; the operation is over at the service \(Succeeded\), so no resume token is printed\n$/);
});

test("call --async whose operation succeeded but whose result answers 503: the token is printed, and a later wait reads the result", async () => {
  const called = await cli(["call", `${base}/svc/`, "go_busy", "--async", "--poll-interval", "1"]);
  assert.equal(called.code, 3, show(called));
  assert.match(called.stderr, /failed with HTTP 503 Service Unavailable \[Busy\]: try later; the operation has succeeded at the service, but its result could not be read: its resume token is on stdout, and traverse-odata wait with it reads the result\n$/);
  assert.doesNotMatch(called.stderr, /may go on|cancel/, "the operation is over: nothing goes on, nothing to cancel");
  const token = JSON.parse(called.stdout) as { statusUrl: string; resultUrl?: string };
  assert.equal(token.statusUrl, `${base}/svc/mon/busy`);
  assert.equal(token.resultUrl, `${base}/svc/busyresult/busy`);
  healed.add("busyresult");
  const waited = await cli(["wait", "-", "--poll-interval", "1"], called.stdout);
  assert.equal(waited.code, 0, show(waited));
  assert.equal(waited.stdout.trim(), '"late"');
});

test("call --async whose monitor says cancelled: exit 5 and no token", async () => {
  const called = await cli(["call", `${base}/svc/`, "go_cancelled", "--async", "--poll-interval", "1"]);
  assert.equal(called.code, 5, show(called));
  assert.equal(called.stdout, "");
  assert.match(called.stderr, /cancel/i);
  assert.doesNotMatch(called.stderr, /resume token|may go on/);
  assert.deepEqual(
    polled("cancelled").map((request) => request.status),
    [202, 202, 200],
  );
});

test("call --no-wait of a function answered at once: the token keeps the digits, and wait prints them without a request", async () => {
  const called = await cli(["call", `${base}/t/`, "fbig", "--function", "--no-wait", "-q"]);
  assert.equal(called.code, 0, show(called));
  assert.equal(called.stdout.split("\n").length, 2, "the token is one line");
  assert.match(called.stdout, /"result":\{"value":9007199254740993\}/);
  const token = JSON.parse(called.stdout) as { outcome: string; result: unknown };
  assert.equal(token.outcome, "succeeded");
  assert.deepEqual(token.result, { value: 9007199254740992 }, "JSON.parse reads the digits as JavaScript holds them");
  assert.deepEqual(
    sent.filter((request) => request.path === "/t/fbig()").map((request) => [request.method, request.status]),
    [["GET", 200]],
  );

  const folder = mkdtempSync(join(home, "token-"));
  writeFileSync(join(folder, "big.json"), called.stdout);
  const before = sent.length;
  const waited = await cli(["wait", join(folder, "big.json"), "-q"]);
  assert.equal(waited.code, 0, show(waited));
  assert.equal(waited.stdout, "9007199254740993\n");
  assert.equal(sent.length, before, "the token held the result: wait sent nothing");

  // As the plain call prints it.
  const plain = await cli(["call", `${base}/t/`, "fbig", "--function", "-q"]);
  assert.equal(plain.stdout, "9007199254740993\n");
});
