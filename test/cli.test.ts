// The traverse-odata binary: commands against the demo service (`traverse-odata serve`), usage and
// exit codes, credentials from the environment and profiles (checked on the wire of a node:http
// server), no secret in any output, and describe's singletons (of a node:http service's $metadata).
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { join } from "node:path";
import { ODataClient, redactText, redactUrl } from "../src/index.js";
import { startServer, sendJson, sendText, type RecordingServer } from "./servers/recording-server.js";
import { runCli, serveDemo, show, startCli, tempDir, writeFile, type ServedDemo } from "./cli-harness.js";
import type { DemoServiceModule } from "../src/cli/commands/serve.js";
import { configFiles } from "../src/cli/config.js";
import * as demoService from "../demo/service.js";

// serve loads demo/service.ts by a computed path; this keeps the two in step for the compiler.
demoService satisfies DemoServiceModule;

let demo: ServedDemo;
before(async () => {
  demo = await serveDemo(["--products", "2500", "--job-ms", "600"]);
});
after(async () => {
  await demo?.stop();
});

test("the library exports the redaction its errors use, for the messages of programs such as this one", () => {
  assert.equal(redactUrl("https://bob:pw@host/files?sig=abc&$top=1"), "https://host/files?sig=***&$top=1");
  assert.equal(redactText("GET https://host/x?access_token=t0k3n failed; Authorization: Bearer abcdefgh123"), "GET https://host/x?access_token=*** failed; Authorization: ***");
});

describe("usage and help", () => {
  test("--help lists the commands and exits 0; no command exits 2 with the help", async () => {
    const help = await runCli(["--help"]);
    assert.equal(help.code, 0, show(help));
    for (const name of ["describe", "query", "count", "get", "export", "call", "wait", "cancel", "generate", "serve"]) assert.match(help.stdout, new RegExp(`^  ${name} `, "m"));
    const none = await runCli([]);
    assert.equal(none.code, 2, show(none));
    assert.match(none.stdout, /Usage: traverse-odata <command>/);
    const version = await runCli(["--version"]);
    assert.equal(version.stdout.trim(), "0.1.0");
  });

  test("a command's --help shows its options", async () => {
    const result = await runCli(["export", "--help"]);
    assert.equal(result.code, 0, show(result));
    for (const option of ["--out FILE", "--checkpoint FILE", "--resume", "--parallel N", "--plan", "--partition K/N", "--filter EXPR", "--format F", "--quiet", "--json"]) {
      assert.ok(result.stdout.includes(option), `${option} missing:\n${result.stdout}`);
    }
  });

  test("usage mistakes exit 2 with a message that names what was wrong", async () => {
    // --resume with no checkpoint is refused over an output that holds bytes (with nothing written yet it starts from the beginning).
    const kept = writeFile(join(tempDir(), "kept.ndjson"), '{"ID":1}\n');
    const cases: [string[], RegExp][] = [
      [["frobnicate"], /"frobnicate" is not a command; the commands are describe, query/],
      [["query", demo.serviceUrl], /query: expected <service> <set>; got only/],
      [["query", demo.serviceUrl, "Products", "--fliter", "x"], /query: unknown option --fliter/],
      [["query", demo.serviceUrl, "Products", "--format", "xml"], /--format must be one of table, json, ndjson, csv; got "xml"/],
      [["query", demo.serviceUrl, "Products", "--top=-1"], /option --top must be an integer from 0 up; got "-1"/],
      [["query", demo.serviceUrl, "Products", "--filter", "(a eq 1"], /^error: --filter: the string "\(a eq 1" is not one whole expression: its "\(" at character 1 is never closed\n$/],
      [["count", "ftp://host/x", "Products"], /<service> must be an http or https URL or a profile name; got a ftp: URL/],
      [["count", "no-such-profile", "Products"], /there is no profile named "no-such-profile" in .*traverse-odata\.config\.json or .*config\.json, and it is not an http\(s\) URL/],
      [["export", demo.serviceUrl, "Products"], /export needs --out FILE/],
      // The query options of query but --count (the README's command table says so).
      [["export", demo.serviceUrl, "Products", "--out", "x.ndjson", "--count"], /export: unknown option --count/],
      [["export", demo.serviceUrl, "Products", "--out", "x.ndjson", "--parallel", "2", "--partition", "1/2"], /--parallel and --partition exclude each other/],
      [["export", demo.serviceUrl, "Products", "--out", "x.ndjson", "--partition", "3/2"], /--partition must be K\/N with 1 <= K <= N <= 1000/],
      [["export", demo.serviceUrl, "Products", "--out", kept, "--resume"], /nothing to resume: there is no checkpoint at .*kept\.ndjson\.checkpoint\.json, and .*kept\.ndjson holds 9 bytes, left as they are/],
      [["call", demo.serviceUrl, "exportProducts", "--async", "--no-wait"], /--async and --no-wait exclude each other/],
      [["call", demo.serviceUrl, "nothingHere"], /the service has no action or function import named "nothingHere"/],
      [["call", demo.serviceUrl, "exportProducts", "--param", "colour=red"], /--param colour: the operation has no parameter colour \(its parameters: format, maxRows, resultForm\)/],
      [["call", demo.serviceUrl, "exportProducts", "--param", "maxRows=many"], /--param maxRows: "many" is not an integer/],
      [["get", demo.serviceUrl, "Products", "abc"], /<key>: "abc" is not an integer/],
      [["describe", demo.serviceUrl, "Nope"], /the service has no entity set "Nope"; it has ExportJobs, Products, ProductsUnpaged, Orders/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args);
      assert.equal(result.code, 2, `${args.join(" ")}\n${show(result)}`);
      assert.match(result.stderr, message, `${args.join(" ")}\n${show(result)}`);
      assert.equal(result.stdout, "", `${args.join(" ")} wrote to stdout`);
    }
  });

  test("with --json an error goes to stderr as one JSON object with its code and exit code", async () => {
    const usage = await runCli(["query", demo.serviceUrl, "Products", "--top", "x", "--json"]);
    assert.equal(usage.code, 2);
    assert.deepEqual(JSON.parse(usage.stderr), { error: { code: "cli:USAGE", message: 'option --top must be an integer from 0 up; got "x"', name: "CliUsageError", exitCode: 2 } });
    const http = await runCli(["get", demo.serviceUrl, "Products", "99999", "--json"]);
    assert.equal(http.code, 3, show(http));
    const error = JSON.parse(http.stderr).error;
    assert.equal(error.code, "HTTP_ERROR");
    assert.equal(error.status, 404);
    assert.equal(error.exitCode, 3);
    assert.equal(error.url, `${demo.serviceUrl}Products(99999)`);
    assert.deepEqual(error.odataError, { code: "NotFound", message: "No product with ID 99999" });
    assert.equal(http.stdout, "");
  });
});

describe("reading the demo service", () => {
  test("describe lists the entity sets, their keys and the operations; with a set its properties, navigation and capabilities", async () => {
    const service = await runCli(["describe", demo.serviceUrl]);
    assert.equal(service.code, 0, show(service));
    assert.match(service.stdout, /^ {2}Products\s+Demo\.Product\s+key ID$/m);
    assert.match(service.stdout, /^ {2}action {3}exportProducts\(format: Edm\.String, maxRows: Edm\.Int32, resultForm: Edm\.String\) -> Demo\.Export$/m);
    assert.match(service.stdout, /^ {2}function totalValue\(status: Edm\.String\) -> Edm\.Decimal$/m);
    const orders = await runCli(["describe", demo.serviceUrl, "Orders"]);
    assert.equal(orders.code, 0, show(orders));
    assert.match(orders.stdout, /^ {2}revision\s+Edm\.Int64\s+not null$/m);
    assert.match(orders.stdout, /^ {2}action {3}Demo\.ship\(carrier: Edm\.String\) -> Demo\.Order$/m);
    assert.match(orders.stdout, /^ETag: revision$/m);
    assert.match(orders.stdout, /^ {2}Capabilities\.ChangeTracking\s+\{"Supported":true\}$/m);
    const json = await runCli(["describe", demo.serviceUrl, "Products", "--json"]);
    const described = JSON.parse(json.stdout);
    assert.deepEqual(described.key, ["ID"]);
    assert.deepEqual(described.properties.map((p: { name: string; type: string }) => `${p.name}:${p.type}`), [
      "ID:Edm.Int32",
      "Name:Edm.String",
      "Category:Edm.String",
      "Price:Edm.Decimal",
      "Stock:Edm.Int32",
      "ReleaseDate:Edm.Date",
    ]);
  });

  test("query in every format gives the entities the service has, following next links", async () => {
    const expected = await new ODataClient({ serviceUrl: demo.serviceUrl }).collection("Products").skip(995).top(10).select("ID", "Name", "Price").list();
    const args = ["query", demo.serviceUrl, "Products", "--skip", "995", "--top", "10", "--select", "ID,Name,Price", "--page-size", "4"];

    const ndjson = await runCli([...args, "--format", "ndjson"]);
    assert.equal(ndjson.code, 0, show(ndjson));
    assert.deepEqual(ndjson.stdout.trimEnd().split("\n").map((line) => JSON.parse(line)), expected);
    // Three pages of 4, 4 and 2 (Prefer: odata.maxpagesize=4): the summary goes to stderr.
    assert.match(ndjson.stderr, /^10 rows in 3 pages, \d+\.\d s\n$/);

    const json = await runCli([...args, "--format", "json"]);
    assert.deepEqual(JSON.parse(json.stdout), expected);
    const counted = await runCli([...args, "--format", "json", "--count"]);
    assert.deepEqual(JSON.parse(counted.stdout), { "@odata.count": 2500, value: expected });

    const csv = await runCli([...args, "--format", "csv"]);
    assert.equal(csv.stdout, `ID,Name,Price\r\n${expected.map((p) => `${p["ID"]},${p["Name"]},${p["Price"]}`).join("\r\n")}\r\n`);

    const table = await runCli(args);
    const lines = table.stdout.trimEnd().split("\n");
    assert.equal(lines.length, 12, table.stdout);
    assert.match(lines[0]!, /^ID\s+Name\s+Price$/);
    assert.match(lines[1]!, /^-+\s+-+\s+-+$/);
    assert.match(lines[2]!, new RegExp(`^996\\s+Product 996\\s+${expected[0]!["Price"]}$`));
  });

  test("CSV without $select takes its columns from $metadata", async () => {
    const result = await runCli(["query", demo.serviceUrl, "Products", "--top", "2", "--format", "csv"]);
    assert.equal(result.stdout.split("\r\n")[0], "ID,Name,Category,Price,Stock,ReleaseDate");
  });

  test("count prints the number; get prints one entity as JSON", async () => {
    const count = await runCli(["count", demo.serviceUrl, "Products"]);
    assert.equal(count.stdout, "2500\n");
    const get = await runCli(["get", demo.serviceUrl, "Products", "42"]);
    assert.equal(get.code, 0, show(get));
    assert.deepEqual(JSON.parse(get.stdout), await new ODataClient({ serviceUrl: demo.serviceUrl }).collection("Products").key(42).get());
    const order = await runCli(["get", demo.serviceUrl, "Orders", "ID=2"]);
    assert.equal(JSON.parse(order.stdout).customer, "Grace");
  });
});

describe("singletons", () => {
  test("describe lists the service's singletons with their types, after the entity sets; --json has them too", async (t) => {
    // The demo service has none; a directory service with a signed-in user and its company does.
    const metadata = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="Directory" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="User"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.String" Nullable="false"/></EntityType>
      <EntityType Name="Organization"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.String" Nullable="false"/></EntityType>
      <EntityContainer Name="Default">
        <EntitySet Name="Users" EntityType="Directory.User"/>
        <Singleton Name="Me" Type="Directory.User"/>
        <Singleton Name="Company" Type="Directory.Organization"/>
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;
    const server = await startServer((_request, res) => sendText(res, 200, metadata, { "content-type": "application/xml" }));
    t.after(() => server.close());
    const text = await runCli(["describe", server.url("odata/")]);
    assert.equal(text.code, 0, show(text));
    assert.match(text.stdout, /^Entity sets\n {2}Users\s+Directory\.User\s+key ID\n\nSingletons\n {2}Me\s+Directory\.User\n {2}Company\s+Directory\.Organization\n/m);
    const json = await runCli(["describe", server.url("odata/"), "--json"]);
    assert.equal(json.code, 0, show(json));
    assert.deepEqual(JSON.parse(json.stdout).singletons, [
      { name: "Me", type: "Directory.User" },
      { name: "Company", type: "Directory.Organization" },
    ]);
    assert.deepEqual(server.requests.map((r) => r.path), ["/odata/$metadata", "/odata/$metadata"]);
  });
});

describe("$search", () => {
  test("query and count send --search as $search; the rows come back as the service sent them", async (t) => {
    const server = await startServer((request, res) => {
      if (request.path.endsWith("/$metadata")) return sendJson(res, 404, { error: { code: "404", message: "no metadata" } });
      if (request.path.includes("/$count")) return sendText(res, 200, "1");
      sendJson(res, 200, { value: [{ ID: 7, Name: "blue pen" }] });
    });
    t.after(() => server.close());
    const query = await runCli(["query", server.url("odata/"), "Products", "--search", "blue OR green", "--format", "ndjson"]);
    assert.equal(query.code, 0, show(query));
    assert.equal(query.stdout, '{"ID":7,"Name":"blue pen"}\n');
    const count = await runCli(["count", server.url("odata/"), "Products", "--search", "blue"]);
    assert.equal(count.code, 0, show(count));
    assert.equal(count.stdout.trim(), "1");
    // count --search reads $metadata for the version the service speaks ($search is v4's); this one has none.
    assert.deepEqual(server.requests.map((r) => decodeURIComponent(r.path)), ["/odata/Products?$search=blue OR green", "/odata/$metadata", "/odata/Products/$count?$search=blue"]);
  });
});

describe("exit codes", () => {
  test("3 for an HTTP error, 4 for a network error, each with a message that names it", async () => {
    const missing = await runCli(["get", demo.serviceUrl, "Products", "99999"]);
    assert.equal(missing.code, 3, show(missing));
    assert.equal(missing.stderr, `error: GET ${demo.serviceUrl}Products(99999) failed with HTTP 404 Not Found [NotFound]: No product with ID 99999\n`);
    // A port nobody listens on: connection refused.
    const closed = await startServer(() => {});
    const url = closed.url("odata/");
    await closed.close();
    const refused = await runCli(["count", url, "Things"]);
    assert.equal(refused.code, 4, show(refused));
    assert.equal(refused.stderr.startsWith(`error: GET ${url}Things/$count failed before an answer arrived: `), true, refused.stderr);
  });

  test("1 for any other failure, such as an output file that cannot be written", async () => {
    const result = await runCli(["export", demo.serviceUrl, "Products", "--top", "5", "--out", "/nonexistent-folder/x.ndjson"]);
    assert.equal(result.code, 1, show(result));
    assert.match(result.stderr, /^error: --out \/nonexistent-folder\/x\.ndjson: the folder \/nonexistent-folder does not exist\n$/);
  });

  test("4 for a timeout", async (t) => {
    const server = await startServer(() => {}); // never answers
    t.after(() => server.close());
    const result = await runCli(["count", server.url("odata/"), "Things", "--timeout", "200"]);
    assert.equal(result.code, 4, show(result));
    assert.match(result.stderr, /timed out|TIMEOUT|within 200 ms/i);
  });
});

describe("credentials and profiles", () => {
  let server: RecordingServer;
  before(async () => {
    server = await startServer((request, res) => {
      if (request.path.endsWith("/$count")) return sendText(res, 200, "7");
      if (request.path.includes("/$metadata")) return sendJson(res, 404, { error: { code: "404", message: "none" } });
      sendJson(res, 401, { error: { code: "401", message: `refused ${request.headers.authorization ?? "nothing"}` } });
    });
  });
  after(() => server.close());

  /** The headers of the last request the server saw. */
  const last = () => server.requests.at(-1)!.headers;

  test("TRAVERSE_ODATA_TOKEN is sent as a bearer token, USER and PASSWORD as basic credentials", async () => {
    const token = await runCli(["count", server.url("odata/"), "Things"], { env: { TRAVERSE_ODATA_TOKEN: "tok-3x4mpl3-s3cret" } });
    assert.equal(token.code, 0, show(token));
    assert.equal(last().authorization, "Bearer tok-3x4mpl3-s3cret");
    const basic = await runCli(["count", server.url("odata/"), "Things"], { env: { TRAVERSE_ODATA_USER: "ann", TRAVERSE_ODATA_PASSWORD: "pa55:word" } });
    assert.equal(basic.code, 0, show(basic));
    assert.equal(last().authorization, `Basic ${Buffer.from("ann:pa55:word").toString("base64")}`);
    const half = await runCli(["count", server.url("odata/"), "Things"], { env: { TRAVERSE_ODATA_USER: "ann" } });
    assert.equal(half.code, 2);
    assert.match(half.stderr, /TRAVERSE_ODATA_USER is set but TRAVERSE_ODATA_PASSWORD is not/);
  });

  test("a secret never appears in output or messages, not even when the service echoes it", async () => {
    const secret = "tok-very-secret-12345";
    const result = await runCli(["query", server.url("odata/"), "Things", "--json", "-H", "x-api-key: key-very-secret-678"], { env: { TRAVERSE_ODATA_TOKEN: secret } });
    assert.equal(result.code, 3, show(result));
    assert.equal(last()["x-api-key"], "key-very-secret-678");
    assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), show(result));
    assert.ok(!result.stderr.includes("key-very-secret-678"), show(result));
    assert.match(result.stderr, /refused \*\*\*/);
  });

  test("--debug writes the wire log to stderr, a line per request and answer, the token masked; stdout keeps only the data", async () => {
    const secret = "tok-debug-secret-4242";
    const result = await runCli(["count", server.url("odata/"), "Things", "--debug"], { env: { TRAVERSE_ODATA_TOKEN: secret } });
    assert.equal(result.code, 0, show(result));
    assert.equal(result.stdout, "7\n");
    const lines = result.stderr.split("\n").filter((line) => line.startsWith("traverse-odata #"));
    assert.deepEqual(
      lines.map((line) => line.replace(/ \d+ ms /, " N ms ").replace(/ \{.*$/, "")),
      [`traverse-odata #1 > GET ${server.url("odata/")}Things/$count`, `traverse-odata #1 < 200 GET ${server.url("odata/")}Things/$count N ms`],
    );
    assert.ok(!result.stderr.includes(secret), show(result));
    assert.equal(last().authorization, `Bearer ${secret}`);
    const quiet = await runCli(["count", server.url("odata/"), "Things"]);
    assert.ok(!quiet.stderr.includes("traverse-odata #"), show(quiet));
  });

  test("a profile from traverse-odata.config.json gives the URL, version and headers; a header may name an environment variable", async () => {
    const cwd = tempDir();
    writeFile(join(cwd, "traverse-odata.config.json"), JSON.stringify({
      profiles: { things: { url: server.url("odata/"), version: "2.0", headers: { "sap-client": "100", "x-api-key": { env: "THINGS_KEY" } } } },
    }));
    const result = await runCli(["count", "things", "Things"], { cwd, env: { THINGS_KEY: "k-123" } });
    assert.equal(result.code, 0, show(result));
    assert.equal(result.stdout, "7\n");
    const headers = last();
    assert.equal(headers["sap-client"], "100");
    assert.equal(headers["x-api-key"], "k-123");
    assert.equal(headers["maxdataserviceversion"], undefined); // a v2 read sends no version header, as a v4 one
    assert.equal(server.requests.at(-1)!.path, "/odata/Things/$count");
    const unset = await runCli(["count", "things", "Things"], { cwd });
    assert.equal(unset.code, 2);
    assert.match(unset.stderr, /profile "things": the environment variable THINGS_KEY of header x-api-key is not set/);
  });

  test("profile headers with credential names are masked as *** when the service echoes them bare, --debug included; sap-client stays", async (t) => {
    const apiKey = "k3y-FROM-env-999";
    const authToken = "authtok-VALUE-123456";
    // Each header's value alone, without its name, as a service that quotes what it got.
    const echo = await startServer((request, res) => {
      const { "x-api-key": key, "x-auth-token": token, "sap-client": client } = request.headers;
      sendJson(res, 401, { error: { code: "Denied", message: `echo ${String(key)} ${String(token)} ${String(client)}` } });
    });
    t.after(() => echo.close());
    const cwd = tempDir();
    writeFile(join(cwd, "traverse-odata.config.json"), JSON.stringify({
      profiles: { s4: { url: echo.url("odata/"), headers: { "x-api-key": { env: "S4_API_KEY" }, "x-auth-token": authToken, "sap-client": "100" } } },
    }));
    for (const debug of [false, true]) {
      const result = await runCli(["count", "s4", "Things", ...(debug ? ["--debug"] : [])], { cwd, env: { S4_API_KEY: apiKey } });
      assert.equal(result.code, 3, show(result));
      const sent = echo.requests.at(-1)!;
      assert.equal(sent.path, "/odata/Things/$count");
      assert.equal(sent.headers["x-api-key"], apiKey);
      assert.equal(sent.headers["x-auth-token"], authToken);
      assert.equal(sent.headers["sap-client"], "100");
      assert.ok(!result.stderr.includes(apiKey) && !result.stderr.includes(authToken), show(result));
      assert.ok(!result.stdout.includes(apiKey) && !result.stdout.includes(authToken), show(result));
      assert.match(result.stderr, /^error: GET .*\/odata\/Things\/\$count failed with HTTP 401 Unauthorized \[Denied\]: echo \*\*\* \*\*\* 100$/m, show(result));
      if (debug) {
        const request = result.stderr.split("\n").find((line) => line.startsWith("traverse-odata #1 > GET "));
        assert.ok(request, show(result));
        const headers = JSON.parse(request.slice(request.indexOf("{"))) as Record<string, string>;
        assert.deepEqual([headers["x-api-key"], headers["x-auth-token"], headers["sap-client"]], ["***", "***", "100"], request);
      }
    }
  });

  test("the user's config folder is read when the current directory has no file: XDG_CONFIG_HOME, then ~/.config", async () => {
    const xdg = tempDir();
    writeFile(join(xdg, "traverse-odata", "config.json"), JSON.stringify({ profiles: { mine: { url: server.url("xdg/") } } }));
    const fromXdg = await runCli(["count", "mine", "Things"], { env: { XDG_CONFIG_HOME: xdg } });
    assert.equal(fromXdg.code, 0, show(fromXdg));
    assert.equal(server.requests.at(-1)!.path, "/xdg/Things/$count");
    const home = tempDir();
    writeFile(join(home, ".config", "traverse-odata", "config.json"), JSON.stringify({ profiles: { mine: { url: server.url("home/") } } }));
    const fromHome = await runCli(["count", "mine", "Things"], { env: { HOME: home } });
    assert.equal(fromHome.code, 0, show(fromHome));
    assert.equal(server.requests.at(-1)!.path, "/home/Things/$count");
  });

  test("on Windows the user's configuration file is in %APPDATA%\\traverse-odata; --config names one file instead", () => {
    const appData = "C:\\Users\\ann\\AppData\\Roaming";
    assert.deepEqual(configFiles({ cwd: "/work", env: { APPDATA: appData, XDG_CONFIG_HOME: "/xdg" }, platform: "win32" }), [
      join("/work", "traverse-odata.config.json"),
      join(appData, "traverse-odata", "config.json"),
    ]);
    assert.deepEqual(configFiles({ cwd: "/work", env: { HOME: "/home/ann" }, platform: "linux" }), [join("/work", "traverse-odata.config.json"), "/home/ann/.config/traverse-odata/config.json"]);
    assert.deepEqual(configFiles({ cwd: "/work", env: {}, platform: "linux", configFile: "conf/p.json" }), ["/work/conf/p.json"]);
  });

  test("a profile with csrf: true fetches the X-CSRF-Token that the demo service wants for a write", async () => {
    const cwd = tempDir();
    writeFile(join(cwd, "traverse-odata.config.json"), JSON.stringify({ profiles: { shop: { url: demo.serviceUrl, csrf: true }, plain: { url: demo.serviceUrl } } }));
    const refused = await runCli(["call", "plain", "cancelOpenOrders", "--param", "customer=Nobody"], { cwd });
    assert.equal(refused.code, 3, show(refused));
    assert.match(refused.stderr, /403 Forbidden \[CsrfTokenRequired\]/);
    const written = await runCli(["call", "shop", "cancelOpenOrders", "--param", "customer=Nobody"], { cwd });
    assert.equal(written.code, 0, show(written));
    assert.equal(JSON.parse(written.stdout), 0);
  });

  test("configuration mistakes exit 2 naming the file and the setting, never a value", async () => {
    const cwd = tempDir();
    const file = join(cwd, "traverse-odata.config.json");
    const cases: [unknown, RegExp][] = [
      [{ profiles: { p: { url: "not a url" } } }, /profiles\.p\.url must be the service's http\(s\) URL/],
      [{ profiles: { p: { url: server.url("odata/"), colour: 1 } } }, /profiles\.p\.colour is not a profile setting/],
      [{ profiles: { p: { url: server.url("odata/"), version: "3.0" } } }, /profiles\.p\.version must be "2\.0", "4\.0" or "4\.01"/],
      [{ profiles: { p: { url: server.url("odata/"), oauth2: { tokenUrl: "https://login/t", clientId: "c", clientSecret: "s3cr3t-in-file" } } } }, /profiles\.p\.oauth2 holds "clientSecret", but a secret does not belong in the configuration file/],
      [{ profiles: { p: { url: server.url("odata/"), oauth2: { tokenUrl: "https://login/t", clientId: "c" } } } }, /oauth2\.clientSecretEnv must name the environment variable/],
      [{ profiles: { p: { url: server.url("odata/"), oauth2: { tokenUrl: "https://login/t", clientId: "c", clientSecretEnv: "S", clientAuthentication: "post" } } } }, /oauth2\.clientAuthentication must be "body" or "basic"/],
      [{ profiles: { p: { url: server.url("odata/"), oauth2: { tokenUrl: "https://login/t", clientId: "c", clientSecretEnv: "S", resource: 5 } } } }, /oauth2\.resource must be a non-empty string/],
    ];
    for (const [config, message] of cases) {
      writeFile(file, JSON.stringify(config));
      const result = await runCli(["count", "p", "Things"], { cwd });
      assert.equal(result.code, 2, show(result));
      assert.match(result.stderr, message);
      assert.ok(result.stderr.includes(file), result.stderr);
      assert.ok(!result.stderr.includes("s3cr3t-in-file"), result.stderr);
    }
    writeFile(file, '{ "profiles": { "p": { "url": "x", "headers": { "x-api-key": "k3y-in-broken-json" ');
    const broken = await runCli(["count", "p", "Things"], { cwd });
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /traverse-odata\.config\.json is not valid JSON/);
    assert.ok(!broken.stderr.includes("k3y-in-broken-json"), broken.stderr);
  });

  test("a profile with OAuth2 client credentials fetches a token from its endpoint and sends it as a bearer token; the secret stays out of every output", async (t) => {
    const secret = "graph-5ecret+/=~value";
    const tokens = await startServer((request, res) => {
      const fields = Object.fromEntries(new URLSearchParams(request.body));
      const basic = /^Basic (.+)$/.exec(String(request.headers.authorization ?? ""))?.[1];
      const given = basic === undefined ? fields["client_secret"] : decodeURIComponent(Buffer.from(basic, "base64").toString("utf8").split(":")[1] ?? "");
      if (given !== secret) return sendJson(res, 401, { error: "invalid_client", error_description: `wrong secret in ${request.body}` });
      sendJson(res, 200, { access_token: `cli-token-${tokens.requests.length}`, token_type: "Bearer", expires_in: 3600 });
    });
    t.after(() => tokens.close());
    const cwd = tempDir();
    const tokenUrl = tokens.url("tenant/oauth2/v2.0/token");
    writeFile(join(cwd, "traverse-odata.config.json"), JSON.stringify({
      profiles: {
        graph: { url: server.url("odata/"), oauth2: { tokenUrl, clientId: "cli", clientSecretEnv: "GRAPH_SECRET", scope: "https://graph.microsoft.com/.default" } },
        xsuaa: { url: server.url("odata/"), oauth2: { tokenUrl, clientId: "sb-cli!t1", clientSecretEnv: "GRAPH_SECRET", clientAuthentication: "basic", audience: "api://odata" } },
      },
    }));

    const result = await runCli(["count", "graph", "Things", "--debug"], { cwd, env: { GRAPH_SECRET: secret } });
    assert.equal(result.code, 0, show(result));
    assert.equal(result.stdout, "7\n");
    assert.deepEqual(Object.fromEntries(new URLSearchParams(tokens.requests[0]!.body)), {
      grant_type: "client_credentials",
      client_id: "cli",
      client_secret: secret,
      scope: "https://graph.microsoft.com/.default",
    });
    assert.equal(last().authorization, "Bearer cli-token-1");
    assert.match(result.stderr, new RegExp(`traverse-odata #1 oauth2 > POST ${tokenUrl.replace(/[.?*+^$()[\]{}|\\]/g, "\\$&")} `));
    const everything = `${result.stdout}${result.stderr}`;
    assert.ok(!everything.includes(secret) && !everything.includes(encodeURIComponent(secret)) && !everything.includes("cli-token-1"), show(result));

    const basic = await runCli(["count", "xsuaa", "Things"], { cwd, env: { GRAPH_SECRET: secret } });
    assert.equal(basic.code, 0, show(basic));
    const header = String(tokens.requests[1]!.headers.authorization);
    assert.equal(header, `Basic ${Buffer.from(`sb-cli!t1:${encodeURIComponent(secret)}`).toString("base64")}`);
    assert.deepEqual(Object.fromEntries(new URLSearchParams(tokens.requests[1]!.body)), { grant_type: "client_credentials", audience: "api://odata" });
    assert.equal(last().authorization, "Bearer cli-token-2");

    // A refused secret: the endpoint's error, masked, and no request to the service.
    const before = server.requests.length;
    const wrong = await runCli(["count", "graph", "Things", "--json"], { cwd, env: { GRAPH_SECRET: "wrong-5ecret-123" } });
    assert.equal(wrong.code, 1, show(wrong));
    const error = (JSON.parse(wrong.stderr) as { error: { code: string; message: string } }).error;
    assert.equal(error.code, "AUTH_FAILED");
    assert.match(error.message, /answered 401: invalid_client: wrong secret in grant_type=client_credentials&client_id=cli&client_secret=\*\*\*&scope=/);
    assert.ok(!wrong.stderr.includes("wrong-5ecret-123"), show(wrong));
    assert.equal(server.requests.length, before, "nothing was sent to the service");

    const unset = await runCli(["count", "graph", "Things"], { cwd });
    assert.equal(unset.code, 2, show(unset));
    assert.match(unset.stderr, /profile "graph": the environment variable GRAPH_SECRET \(oauth2\.clientSecretEnv\) is not set/);
  });

  test("a profile whose token endpoint is plain http to another host is refused with exit 2 before anything is sent", async () => {
    const cwd = tempDir();
    writeFile(join(cwd, "traverse-odata.config.json"), JSON.stringify({
      profiles: { graph: { url: server.url("odata/"), oauth2: { tokenUrl: "http://login.example.com/t", clientId: "cli", clientSecretEnv: "GRAPH_SECRET" } } },
    }));
    const before = server.requests.length;
    const result = await runCli(["count", "graph", "Things"], { cwd, env: { GRAPH_SECRET: "very-secret-value" } });
    assert.equal(result.code, 2, show(result));
    assert.equal(result.stderr.split("\n")[0], `error: ${join(cwd, "traverse-odata.config.json")}: profiles.graph.oauth2.tokenUrl must use https, so that the client secret does not cross the network in clear text (http is taken for loopback addresses only); got http://login.example.com/t`);
    assert.ok(!result.stderr.includes("very-secret-value"));
    assert.equal(server.requests.length, before, "nothing was sent");
  });
});

describe("integer keys and parameters", () => {
  // Every integer type of EDM: the key of Items, and a parameter each of the action import record.
  const metadata = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="Ints" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="Item"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/></EntityType>
      <Action Name="record">
        <Parameter Name="b" Type="Edm.Byte"/><Parameter Name="s" Type="Edm.SByte"/><Parameter Name="i16" Type="Edm.Int16"/>
        <Parameter Name="i32" Type="Edm.Int32"/><Parameter Name="i64" Type="Edm.Int64"/>
      </Action>
      <EntityContainer Name="Default">
        <EntitySet Name="Items" EntityType="Ints.Item"/>
        <ActionImport Name="record" Action="Ints.record"/>
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;

  test("a key or --param in another notation than decimal digits, or beyond its type's range, exits 2 naming the argument, the text and the type, and nothing is sent for it; the ends of each range are sent", async (t) => {
    const server = await startServer((request, res) => {
      if (request.path.endsWith("/$metadata")) return sendText(res, 200, metadata, { "content-type": "application/xml" });
      if (request.method === "POST") return sendText(res, 204, "");
      sendJson(res, 200, { ID: 42 });
    });
    t.after(() => server.close());
    const service = server.url("odata/");
    const cases: [string[], string][] = [
      [["get", service, "Items", "0x2A"], '<key>: "0x2A" is not an integer in decimal digits (an Edm.Int32, -2147483648 to 2147483647)'],
      [["get", service, "Items", "4.2e1"], '<key>: "4.2e1" is not an integer in decimal digits (an Edm.Int32, -2147483648 to 2147483647)'],
      [["get", service, "Items", "2147483648"], '<key>: "2147483648" is not an integer in the range of Edm.Int32 (-2147483648 to 2147483647)'],
      [["call", service, "record", "--param", "i32=0b11"], '--param i32: "0b11" is not an integer in decimal digits (an Edm.Int32, -2147483648 to 2147483647)'],
      [["call", service, "record", "--param", "i32=5000000000"], '--param i32: "5000000000" is not an integer in the range of Edm.Int32 (-2147483648 to 2147483647)'],
      [["call", service, "record", "--param", "b=256"], '--param b: "256" is not an integer in the range of Edm.Byte (0 to 255)'],
      [["call", service, "record", "--param", "b=-1"], '--param b: "-1" is not an integer in the range of Edm.Byte (0 to 255)'],
      [["call", service, "record", "--param", "s=128"], '--param s: "128" is not an integer in the range of Edm.SByte (-128 to 127)'],
      [["call", service, "record", "--param", "s=-129"], '--param s: "-129" is not an integer in the range of Edm.SByte (-128 to 127)'],
      [["call", service, "record", "--param", "i16=32768"], '--param i16: "32768" is not an integer in the range of Edm.Int16 (-32768 to 32767)'],
      [["call", service, "record", "--param", "i16=1e3"], '--param i16: "1e3" is not an integer in decimal digits (an Edm.Int16, -32768 to 32767)'],
      [["call", service, "record", "--param", "i64=0x10"], '--param i64: "0x10" is not an integer in decimal digits (an Edm.Int64, -9223372036854775808 to 9223372036854775807)'],
      [["call", service, "record", "--param", "i64=9223372036854775808"], '--param i64: "9223372036854775808" is not an integer in the range of Edm.Int64 (-9223372036854775808 to 9223372036854775807)'],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args);
      assert.equal(result.code, 2, `${args.join(" ")}\n${show(result)}`);
      assert.equal(result.stderr, `error: ${message}\n`, args.join(" "));
      assert.equal(result.stdout, "", args.join(" "));
    }
    assert.deepEqual(server.requests.filter((r) => !r.path.endsWith("/$metadata")), [], "only $metadata was read");

    const key = await runCli(["get", service, "Items", "+042"]);
    assert.equal(key.code, 0, show(key));
    // Spaces around the digits are no other notation (as in "A=1, B=2").
    const spaced = await runCli(["get", service, "Items", " 7 "]);
    assert.equal(spaced.code, 0, show(spaced));
    const ends = await runCli(["call", service, "record", "--param", "b=255", "--param", "s=-128", "--param", "i16=-32768", "--param", "i32=2147483647", "--param", "i64=-9223372036854775808"]);
    assert.equal(ends.code, 0, show(ends));
    assert.deepEqual(server.requests.filter((r) => !r.path.endsWith("/$metadata")).map((r) => `${r.method} ${r.path} ${r.body}`), [
      "GET /odata/Items(42) ",
      "GET /odata/Items(7) ",
      // An Int64 goes as a string in JSON, as the library writes one.
      'POST /odata/record {"b":255,"s":-128,"i16":-32768,"i32":2147483647,"i64":"-9223372036854775808"}',
    ]);
  });
});

describe("floating-point and decimal parameters", () => {
  const metadata = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="Floats" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <Action Name="measure"><Parameter Name="d" Type="Edm.Double"/><Parameter Name="f" Type="Edm.Single"/><Parameter Name="m" Type="Edm.Decimal"/></Action>
      <EntityContainer Name="Default"><ActionImport Name="measure" Action="Floats.measure"/></EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;

  test("a --param of Edm.Double, Edm.Single or Edm.Decimal in another notation than OData's decimal or exponent form (0x2A, 0b11, Infinity, .5), or beyond its type's range, exits 2 naming the parameter and the type, and nothing is sent; OData's forms and INF, -INF, NaN are sent", async (t) => {
    const server = await startServer((request, res) => {
      if (request.path.endsWith("/$metadata")) return sendText(res, 200, metadata, { "content-type": "application/xml" });
      sendText(res, 204, "");
    });
    t.after(() => server.close());
    const service = server.url("odata/");
    const notation = (name: string, text: string, type: string) => `--param ${name}: ${JSON.stringify(text)} is not a number in decimal or exponent notation (an ${type}: 12.5, -1.5e3, INF, -INF or NaN)`;
    const cases: [string, string][] = [
      ["d=0x2A", notation("d", "0x2A", "Edm.Double")],
      ["f=0x2A", notation("f", "0x2A", "Edm.Single")],
      ["m=0x2A", notation("m", "0x2A", "Edm.Decimal")],
      ["d=0b11", notation("d", "0b11", "Edm.Double")],
      ["f=0o17", notation("f", "0o17", "Edm.Single")],
      ["d=Infinity", notation("d", "Infinity", "Edm.Double")],
      ["d=inf", notation("d", "inf", "Edm.Double")],
      ["d=.5", notation("d", ".5", "Edm.Double")],
      ["m=5.", notation("m", "5.", "Edm.Decimal")],
      ["d=1_000", notation("d", "1_000", "Edm.Double")],
      ["d=", notation("d", "", "Edm.Double")],
      ["d=1e400", '--param d: "1e400" is not a number in the range of Edm.Double (up to 1.7976931348623157e308 either way; INF and -INF name the infinities)'],
      ["f=-1e39", '--param f: "-1e39" is not a number in the range of Edm.Single (up to 3.4028234663852886e38 either way; INF and -INF name the infinities)'],
    ];
    for (const [param, message] of cases) {
      const result = await runCli(["call", service, "measure", "--param", param]);
      assert.equal(result.code, 2, `${param}\n${show(result)}`);
      assert.equal(result.stderr, `error: ${message}\n`, param);
      assert.equal(result.stdout, "", param);
    }
    assert.deepEqual(server.requests.filter((r) => !r.path.endsWith("/$metadata")), [], "only $metadata was read");

    const sent = async (...params: string[]) => {
      const before = server.requests.length;
      const result = await runCli(["call", service, "measure", ...params.flatMap((p) => ["--param", p])]);
      assert.equal(result.code, 0, show(result));
      return server.requests.slice(before).filter((r) => r.method === "POST").map((r) => r.body);
    };
    // Spaces around the number are no other notation, as for an integer.
    assert.deepEqual(await sent("d=-1.5e3", "f= 2.5 ", "m=12.50"), ['{"d":-1500,"f":2.5,"m":12.5}']);
    assert.deepEqual(await sent("d=INF", "f=-INF"), ['{"d":"INF","f":"-INF"}']);
    assert.deepEqual(await sent("d=NaN", "f=3.4028234663852886e38", "m=+1E-2"), ['{"d":"NaN","f":3.4028234663852886e+38,"m":0.01}']);
  });
});

test("call sends an OData v2 service operation with the method its m:HttpMethod declares (PUT, DELETE), its parameters as v2 literals in the query", async (t) => {
  const metadata = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">
  <edmx:DataServices m:DataServiceVersion="2.0">
    <Schema Namespace="SALES" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">
      <EntityContainer Name="SALES_Entities" m:IsDefaultEntityContainer="true">
        <FunctionImport Name="ResetLimit" ReturnType="Edm.String" m:HttpMethod="PUT"><Parameter Name="OrderID" Type="Edm.Int64" Mode="In"/></FunctionImport>
        <FunctionImport Name="ClearDrafts" m:HttpMethod="DELETE"/>
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;
  const server = await startServer((request, res) => {
    if (request.path.endsWith("/$metadata")) return sendText(res, 200, metadata, { "content-type": "application/xml" });
    if (request.method === "DELETE") return sendText(res, 204, "");
    sendJson(res, 200, { d: { ResetLimit: "done" } });
  });
  t.after(() => server.close());
  const service = server.url("sap/");
  const reset = await runCli(["call", service, "ResetLimit", "--param", "OrderID=42", "--odata-version", "2.0"]);
  assert.equal(reset.code, 0, show(reset));
  assert.equal(reset.stdout, '"done"\n');
  const clear = await runCli(["call", service, "ClearDrafts", "--odata-version", "2.0"]);
  assert.equal(clear.code, 0, show(clear));
  assert.deepEqual(server.requests.filter((r) => !r.path.endsWith("/$metadata")).map((r) => `${r.method} ${decodeURIComponent(r.path)}`), ["PUT /sap/ResetLimit?OrderID=42L", "DELETE /sap/ClearDrafts"]);
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  test(`${signal} while stdout's reader takes nothing exits at once with 130, saying it was interrupted`, async (t) => {
    // One page of about 1.5 MB: more than the pipe and the streams on either side of it hold.
    const server = await startServer((_request, res) => {
      sendJson(res, 200, { value: Array.from({ length: 20_000 }, (_, i) => ({ ID: i + 1, Name: `Product ${i + 1}`, Note: "x".repeat(40) })) });
    });
    t.after(() => server.close());
    const child = await startCli(["query", server.url("odata/"), "Products", "--format", "ndjson"]);
    // stdout is not read until the end; stderr is.
    let stderr = "";
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
    while (server.requests.length === 0) await sleep(20);
    // The page has arrived and is written: the command waits for the reader.
    await sleep(500);
    child.kill(signal);
    const killedAt = Date.now();
    const outcome = await Promise.race([exited, sleep(3_000).then(() => undefined)]);
    const waited = Date.now() - killedAt;
    // Read now, so that a run that did not exit can end.
    child.stdout!.resume();
    const [code] = outcome ?? (await exited);
    assert.ok(outcome !== undefined, `still running ${waited} ms after ${signal}; then exit ${code}\n${stderr}`);
    assert.equal(code, 130, stderr);
    assert.equal(stderr, "error: interrupted while waiting for the reader of stdout to take more output\n");
  });
}
