// What the command line tells its user, checked on the wire of node:http servers:
// - the library's options named as the command line's user sets them (the <service> argument, a
//   profile's key, an environment variable, --timeout, --header), never `option "auth"`,
//   `option "steps"` or `option "timeout"`, which the command line does not have; when the client
//   is made and in the errors of its requests;
// - a -H value or a profile header with a control character: exit 2, nothing sent;
// - `generate --check --json`: its failure as the JSON error the README promises;
// - empty TRAVERSE_ODATA_USER and TRAVERSE_ODATA_PASSWORD count as unset, as an empty TOKEN does;
// - a configuration file that is not JSON: the line and column of the mistake, for every mistake;
// - the last progress line of a succeeded operation shows 100%, not the last percentage reported.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { startServer, sendJson, sendText, type RecordingServer } from "./servers/recording-server.js";
import { ROOT, runCli, show, tempDir, writeFile } from "./cli-harness.js";

/** No message of the command line names an option of the library. */
function assertNoLibraryOption(stderr: string): void {
  assert.doesNotMatch(stderr, /option "|ODataClient/, stderr);
}

describe("options named as the command line's user sets them", () => {
  let server: RecordingServer;
  before(async () => {
    server = await startServer((request, res) => {
      if (request.path === "/token") return sendJson(res, 401, { error: "invalid_client", error_description: "unknown client" });
      if (request.path.startsWith("/slow/")) return; // never answered
      if (request.path.endsWith("/$count")) return sendText(res, 200, "5");
      sendJson(res, 404, { error: { code: "404", message: "none" } });
    });
  });
  after(() => server.close());

  test("credentials in the <service> URL or a profile's url: the environment's credentials are named, not option \"auth\"; nothing is sent", async () => {
    const before = server.requests.length;
    const inUrl = await runCli(["count", server.url("svc/").replace("://", "://alice:pw-secret-1234@"), "Things"]);
    assert.equal(inUrl.code, 2, show(inUrl));
    assert.equal(inUrl.stderr, "error: <service> must not carry a user name or password; use the environment's credentials (TRAVERSE_ODATA_USER and TRAVERSE_ODATA_PASSWORD, or TRAVERSE_ODATA_TOKEN)\n");

    const cwd = tempDir();
    const config = writeFile(join(cwd, "traverse-odata.config.json"), JSON.stringify({ profiles: { p: { url: server.url("svc/").replace("://", "://u:pw-secret-1234@") } } }));
    const inProfile = await runCli(["count", "p", "Things"], { cwd });
    assert.equal(inProfile.code, 2, show(inProfile));
    assert.equal(
      inProfile.stderr,
      `error: ${config}: profiles.p.url must not carry a user name or password; use the environment's credentials (TRAVERSE_ODATA_USER and TRAVERSE_ODATA_PASSWORD, or TRAVERSE_ODATA_TOKEN) or the profile's oauth2\n`,
    );
    assert.equal(server.requests.length, before);
  });

  test("a query in the service URL: the message says to send sap-client as a header, not a pipeline step; the header then goes out", async () => {
    const withQuery = await runCli(["count", `${server.url("svc/")}?sap-client=100`, "Things"]);
    assert.equal(withQuery.code, 2, show(withQuery));
    assert.equal(
      withQuery.stderr,
      `error: <service> must not carry a query or fragment; it is the service root (a query option every request needs, such as sap-client, can be sent as a header instead: -H "sap-client: 100", or a profile's "headers")\n`,
    );
    assertNoLibraryOption(withQuery.stderr);

    const asHeader = await runCli(["count", server.url("svc/"), "Things", "-H", "sap-client: 100"]);
    assert.equal(asHeader.code, 0, show(asHeader));
    assert.equal(asHeader.stdout, "5\n");
    const sent = server.requests.at(-1);
    assert.equal(sent?.path, "/svc/Things/$count");
    assert.equal(sent?.headers["sap-client"], "100");
  });

  test("a profile's token endpoint that refuses the credentials: the profile's tokenUrl is named (exit 1)", async () => {
    const cwd = tempDir();
    const config = writeFile(
      join(cwd, "traverse-odata.config.json"),
      JSON.stringify({ profiles: { bad: { url: server.url("svc/"), oauth2: { tokenUrl: server.url("token"), clientId: "cli", clientSecretEnv: "MY_SECRET" } } } }),
    );
    const result = await runCli(["count", "bad", "Things"], { cwd, env: { MY_SECRET: "abcdefghijkl" } });
    assert.equal(result.code, 1, show(result));
    assert.equal(
      result.stderr,
      `error: the OAuth2 token endpoint POST ${server.url("token")} (${config}: profiles.bad.oauth2.tokenUrl) answered 401: invalid_client: unknown client\n`,
    );
    const [token] = server.requests.filter((request) => request.path === "/token");
    assert.equal(token?.method, "POST");
    assert.match(token?.body ?? "", /grant_type=client_credentials/);
  });

  test("a request without an answer in time: --timeout is named (exit 4), in plain text and with --json, the error's code kept", async () => {
    const plain = await runCli(["count", server.url("slow/"), "Things", "--timeout", "300"]);
    assert.equal(plain.code, 4, show(plain));
    assert.equal(plain.stderr, `error: GET ${server.url("slow/")}Things/$count got no answer within 300 ms (--timeout)\n`);

    const json = await runCli(["count", server.url("slow/"), "Things", "--timeout", "300", "--json"]);
    assert.equal(json.code, 4, show(json));
    const { error } = JSON.parse(json.stderr) as { error: { code: string; message: string; exitCode: number } };
    assert.equal(error.code, "TIMEOUT");
    assert.equal(error.exitCode, 4);
    assert.equal(error.message, `GET ${server.url("slow/")}Things/$count got no answer within 300 ms (--timeout)`);
    assert.ok(server.requests.some((request) => request.path === "/slow/Things/$count"));
  });

  test("a -H value that cannot be sent: --header is named, not the client's option; a profile's header names the profile's headers", async () => {
    const before = server.requests.length;
    const euro = await runCli(["count", server.url("svc/"), "Things", "-H", "Authorization: Bearer t\u20acken"]);
    assert.equal(euro.code, 2, show(euro));
    assert.equal(euro.stderr, 'error: --header (-H) has an invalid header "Authorization" (bad name or value)\n');

    const cwd = tempDir();
    const config = writeFile(join(cwd, "traverse-odata.config.json"), JSON.stringify({ profiles: { h: { url: server.url("svc/"), headers: { "X-Api-Key": "k\u20ac" } } } }));
    const inProfile = await runCli(["count", "h", "Things"], { cwd });
    assert.equal(inProfile.code, 2, show(inProfile));
    assert.equal(inProfile.stderr, `error: ${config}: profiles.h.headers has an invalid header "X-Api-Key" (bad name or value)\n`);
    assert.equal(server.requests.length, before, "nothing sent");
  });

  test("a -H value or a profile header with a control character exits 2 as a usage error, not 4 as a network one; nothing is sent and the value is not shown", async () => {
    const before = server.requests.length;
    for (const value of ["abc\u0001def", "abc\u007fdef", "abc\u001b[31mdef"]) {
      const result = await runCli(["count", server.url("svc/"), "Things", "-H", `X-Trace: ${value}`]);
      assert.equal(result.code, 2, show(result));
      assert.equal(result.stderr, 'error: --header (-H) has an invalid header "X-Trace" (bad name or value)\n');
    }
    const cwd = tempDir();
    const config = writeFile(join(cwd, "traverse-odata.config.json"), JSON.stringify({ profiles: { c: { url: server.url("svc/"), headers: { "X-Trace": { env: "TRACE" } } } } }));
    const fromProfile = await runCli(["count", "c", "Things"], { cwd, env: { TRACE: "abc\u0002def" } });
    assert.equal(fromProfile.code, 2, show(fromProfile));
    assert.equal(fromProfile.stderr, `error: ${config}: profiles.c.headers has an invalid header "X-Trace" (bad name or value)\n`);
    assert.equal(server.requests.length, before, "nothing sent");

    // A tab is the one control character a header value may hold: it goes out.
    const tab = await runCli(["count", server.url("svc/"), "Things", "-H", "X-Trace: abc\tdef"]);
    assert.equal(tab.code, 0, show(tab));
    assert.equal(server.requests.at(-1)?.headers["x-trace"], "abc\tdef");
  });
});

describe("empty credential variables count as unset", () => {
  let server: RecordingServer;
  before(async () => {
    server = await startServer((request, res) => {
      if (request.path.endsWith("/$count")) return sendText(res, 200, "3");
      sendJson(res, 404, { error: { code: "404", message: "none" } });
    });
  });
  after(() => server.close());

  test("TRAVERSE_ODATA_USER= and TRAVERSE_ODATA_PASSWORD= send no Authorization (not Basic Og==)", async () => {
    const result = await runCli(["count", server.url("svc/"), "Things"], { env: { TRAVERSE_ODATA_USER: "", TRAVERSE_ODATA_PASSWORD: "" } });
    assert.equal(result.code, 0, show(result));
    assert.equal(result.stdout, "3\n");
    assert.equal(server.requests.at(-1)?.headers.authorization, undefined);
  });

  test("TRAVERSE_ODATA_TOKEN beside an empty TRAVERSE_ODATA_USER is sent as the bearer token, not refused as two kinds of credentials", async () => {
    const result = await runCli(["count", server.url("svc/"), "Things"], { env: { TRAVERSE_ODATA_TOKEN: "tok-abcdefgh-1", TRAVERSE_ODATA_USER: "", TRAVERSE_ODATA_PASSWORD: "" } });
    assert.equal(result.code, 0, show(result));
    assert.equal(server.requests.at(-1)?.headers.authorization, "Bearer tok-abcdefgh-1");
  });

  test("a user with an empty password is refused as a password not set (exit 2), and nothing is sent", async () => {
    const before = server.requests.length;
    const result = await runCli(["count", server.url("svc/"), "Things"], { env: { TRAVERSE_ODATA_USER: "ann", TRAVERSE_ODATA_PASSWORD: "" } });
    assert.equal(result.code, 2, show(result));
    assert.equal(result.stderr, "error: TRAVERSE_ODATA_USER is set but TRAVERSE_ODATA_PASSWORD is not (or is empty); basic authentication needs both\n");
    assert.equal(server.requests.length, before);
  });
});

test("generate --check --json: the failure is the JSON error with exitCode 1, as every --json error", async () => {
  const cwd = tempDir();
  const fixture = join(ROOT, "test", "codegen", "v4.xml");
  const written = await runCli(["generate", fixture, "--out", "out"], { cwd });
  assert.equal(written.code, 0, show(written));
  appendFileSync(join(cwd, "out", "index.ts"), "// edited\n");
  const checked = await runCli(["generate", fixture, "--out", "out", "--check", "--json"], { cwd });
  assert.equal(checked.code, 1, show(checked));
  assert.equal(checked.stdout, "");
  const { error } = JSON.parse(checked.stderr) as { error: { message: string; exitCode: number } };
  assert.equal(error.exitCode, 1);
  assert.equal(error.message, `generate --check: ${join("out", "index.ts")} differs from what v4.xml gives; run traverse-odata generate without --check`);
  // Without --json, the same words as a plain message.
  const plain = await runCli(["generate", fixture, "--out", "out", "--check"], { cwd });
  assert.equal(plain.code, 1, show(plain));
  assert.equal(plain.stderr, `error: ${error.message}\n`);
});

test("a configuration file that is not JSON: the line and column of the mistake, also where V8's message has no position (an unquoted value, a comment)", async () => {
  const cases: [string, string, string][] = [
    ["an unquoted value", '{\n "profiles": {\n  "x": {"url": "http://h/", "headers": {"X-Tenant": tenant-a}}\n }\n}\n', "line 3, column 54"],
    ["a comment", '{\n  // the service\n  "profiles": {}\n}\n', "line 2, column 3"],
    ["a comment after a value", '{\n  "profiles": {} // none yet\n}\n', "line 2, column 18"],
    ["a trailing comma in an array", '{"profiles": {"x": {"url": "http://h/", "headers": {}, "y": [1,]}}}', "line 1, column 64"],
    ["single quotes", "{'profiles': {}}", "line 1, column 2"],
    ["an unfinished literal", '{\n"profiles": nul}', "line 2, column 16"],
    ["a bad escape", '{"profiles": {"x\\q": {}}}', "line 1, column 18"],
    ["the end too soon", '{\n  "profiles": {\n', "line 3, column 1"],
  ];
  for (const [what, text, place] of cases) {
    const cwd = tempDir();
    const file = writeFile(join(cwd, "traverse-odata.config.json"), text);
    const result = await runCli(["count", "x", "Things"], { cwd });
    assert.equal(result.code, 2, `${what}: ${show(result)}`);
    assert.equal(result.stderr, `error: the configuration file ${file} is not valid JSON (${place})\n`, what);
  }
});

test("--progress: the last line of an operation that succeeded shows 100%, not the last percentage the service reported", async (t) => {
  let polls = 0;
  let firstPoll = 0;
  const server = await startServer((request, res) => {
    if (request.path.endsWith("/$metadata")) return sendJson(res, 404, { error: { code: "404", message: "none" } });
    if (request.method === "POST" && request.path === "/svc/startExport") return sendText(res, 202, "", { location: "/svc/monitor/1" });
    if (request.path === "/svc/monitor/1") {
      polls += 1;
      firstPoll ||= Date.now();
      // Running at 56% for a little over a second (a plain line comes once a second), then done: a
      // 200 without a status field (its body the result) reports no percentage.
      if (Date.now() - firstPoll < 1200) return sendJson(res, 202, { status: "Running", percentComplete: 56 });
      return sendJson(res, 200, { rows: 12 });
    }
    sendJson(res, 404, { error: { code: "404", message: "none" } });
  });
  t.after(() => server.close());
  const result = await runCli(["call", server.url("svc/"), "startExport", "--async", "--progress", "--poll-interval", "20"]);
  assert.equal(result.code, 0, show(result));
  assert.deepEqual(JSON.parse(result.stdout), { rows: 12 });
  const lines = result.stderr.trimEnd().split("\n");
  const progress = lines.filter((line) => line.startsWith("startExport ["));
  assert.ok(progress.some((line) => /\s56%\s+Running\s/.test(line)), result.stderr);
  assert.match(progress.at(-1) ?? "", /^startExport \[#{30}\] 100%  Succeeded  \d+:\d\d$/);
  assert.match(lines.at(-1) ?? "", /^startExport: Succeeded in \d+:\d\d$/);
  assert.deepEqual(
    server.requests.filter((request) => !request.path.endsWith("/$metadata")).map((request) => `${request.method} ${request.path}`),
    ["POST /svc/startExport", ...Array.from({ length: polls }, () => "GET /svc/monitor/1")],
  );
});
