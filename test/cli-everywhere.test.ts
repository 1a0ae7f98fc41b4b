// The command line against bad input, systematically: every command with wrong arguments (a usage
// error naming the argument, exit 2, nothing on stdout, nothing sent), hostile values that must stay
// inside their literal, the files it reads and writes (profiles, checkpoints, outputs: a clear
// error naming the file, nothing exported lost), and secrets (never in an output, a file, or at
// another origin). The command line runs in this process (runCli of src/cli/run.ts) against
// node:http services on 127.0.0.1 that record every request.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { ServerResponse } from "node:http";
import { runCli as runInProcess } from "../src/cli/run.js";
import { startServer, sendJson, sendText, type RecordedRequest, type RecordingServer } from "./servers/recording-server.js";

// ---------------------------------------------------------------------------------------------
// Running the command line in this process

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** A stream that collects what is written (the part of process.stdout the command line uses). */
function collector(): { stream: Parameters<typeof runInProcess>[0]["stdout"]; text: () => string } {
  let text = "";
  const stream = {
    write(chunk: string, callback?: (error?: Error | null) => void): boolean {
      text += chunk;
      callback?.();
      return true;
    },
    once: () => stream,
    removeListener: () => stream,
    isTTY: false,
  };
  return { stream, text: () => text };
}

const folders: string[] = [];
/** A fresh folder under the system's temporary folder (removed when the process ends). */
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "traverse-cli-everywhere-"));
  folders.push(dir);
  return dir;
}
process.once("exit", () => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

/** An empty home: no profile of the machine is read. */
const HOME = tempDir();

/** Runs `traverse-odata <args>` in this process, in `cwd`, with only `env` (and an empty HOME) as its environment. */
async function cli(args: readonly string[], options: { cwd?: string; env?: Record<string, string>; stdin?: string } = {}): Promise<Outcome> {
  const stdout = collector();
  const stderr = collector();
  const code = await runInProcess({
    argv: args,
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdin: Readable.from([Buffer.from(options.stdin ?? "")]),
    environment: { env: { HOME, ...options.env }, cwd: options.cwd ?? tempDir(), platform: "linux" },
    signal: new AbortController().signal,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

function show(args: readonly string[], outcome: Outcome): string {
  return `traverse-odata ${args.map((a) => JSON.stringify(a)).join(" ")}\nexit ${outcome.code}\n--- stdout\n${outcome.stdout.slice(-2000)}\n--- stderr\n${outcome.stderr.slice(-2000)}`;
}

// ---------------------------------------------------------------------------------------------
// A small OData v4 service that records what it is asked

const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="Shop" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="Product"><Key><PropertyRef Name="ID"/></Key>
        <Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="Name" Type="Edm.String"/>
      </EntityType>
      <EntityType Name="Person"><Key><PropertyRef Name="UserName"/></Key>
        <Property Name="UserName" Type="Edm.String" Nullable="false"/>
      </EntityType>
      <Action Name="run"><Parameter Name="format" Type="Edm.String"/><Parameter Name="count" Type="Edm.Int32"/><ReturnType Type="Edm.String"/></Action>
      <Function Name="lookup"><Parameter Name="code" Type="Edm.String"/><ReturnType Type="Edm.String"/></Function>
      <Action Name="greet" IsBound="true"><Parameter Name="person" Type="Shop.Person"/><Parameter Name="text" Type="Edm.String"/><ReturnType Type="Edm.String"/></Action>
      <EntityContainer Name="Default">
        <EntitySet Name="Products" EntityType="Shop.Product"/>
        <EntitySet Name="People" EntityType="Shop.Person"/>
        <ActionImport Name="run" Action="Shop.run"/>
        <FunctionImport Name="lookup" Function="Shop.lookup"/>
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;

const ROWS = [{ ID: 1, Name: "one" }, { ID: 2, Name: "two" }];

/** The ordinary answers of the service: $metadata, counts, pages, one entity, operations, a monitor. */
function answer(server: () => RecordingServer, request: RecordedRequest, res: ServerResponse): void {
  const path = decodeURIComponent(request.path.replace(/\?.*$/s, ""));
  if (path.endsWith("/$metadata")) return sendText(res, 200, METADATA, { "content-type": "application/xml" });
  if (path.endsWith("/$count")) return sendText(res, 200, "2");
  if (path.startsWith("/odata/run")) {
    if (request.headers.prefer === "respond-async") return sendText(res, 202, "", { location: server().url("monitor/1") });
    return sendJson(res, 200, { value: "ran" });
  }
  if (path.startsWith("/monitor/")) return sendJson(res, 200, { status: "running" });
  if (/^\/odata\/[A-Za-z]+\(/.test(path)) {
    if (path.includes("/")) return sendJson(res, 200, { value: "greeted" }); // a bound action
    return sendJson(res, 200, { ID: 1, Name: "one" });
  }
  if (path.startsWith("/odata/lookup")) return sendJson(res, 200, { value: "found" });
  return sendJson(res, 200, { value: ROWS });
}

let shop: RecordingServer;
let SERVICE: string;
before(async () => {
  shop = await startServer((request, res) => answer(() => shop, request, res));
  SERVICE = shop.url("odata/");
});
after(() => shop.close());

/** The requests the shop saw during `run`. */
async function requestsDuring<T>(server: RecordingServer, run: () => Promise<T>): Promise<{ result: T; requests: RecordedRequest[] }> {
  const before = server.requests.length;
  const result = await run();
  return { result, requests: server.requests.slice(before) };
}

/** Runs a usage mistake and asserts: exit 2, stderr names it, stdout empty, nothing sent. */
async function assertUsage(args: readonly string[], message: RegExp, options: UsageOptions = {}): Promise<Outcome> {
  const { result, requests } = await requestsDuring(shop, () => cli(args, options));
  assert.equal(result.code, 2, show(args, result));
  assert.match(result.stderr, /^error: /, show(args, result));
  assert.match(result.stderr, message, show(args, result));
  if (!options.lines) assert.equal(result.stderr.split("\n").filter(Boolean).length, 1, `one line on stderr\n${show(args, result)}`);
  assert.equal(result.stdout, "", show(args, result));
  // A mistake that only $metadata can show (a parameter's type, a key property) may read it; nothing else is sent.
  const sent = requests.map((r) => `${r.method} ${r.path}`).filter((line) => !(options.metadata && line.endsWith("/$metadata")));
  assert.deepEqual(sent, [], `nothing is sent\n${show(args, result)}`);
  return result;
}

interface UsageOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** $metadata may be read before the mistake shows. */
  metadata?: boolean;
  /** The message may take several lines. */
  lines?: boolean;
  /** Text on stdin (a resume token). */
  stdin?: string;
}

// ---------------------------------------------------------------------------------------------
// 1. Every command with wrong arguments

/** [name, arguments (SERVICE stands for the shop's URL), what stderr says]. */
type UsageCase = [string, () => string[], RegExp, UsageOptions?];
const S = () => SERVICE;

const COMMANDS_WITH_SERVICE: Array<[string, string[]]> = [
  ["describe", []],
  ["query", ["Products"]],
  ["count", ["Products"]],
  ["get", ["Products", "1"]],
  ["export", ["Products", "--out", "x.ndjson"]],
  ["call", ["run"]],
];

const USAGE_CASES: UsageCase[] = [
  // Unknown options, options without their value, booleans given a value, for every command.
  ...COMMANDS_WITH_SERVICE.map(([name, rest]): UsageCase => [`${name}: an unknown option`, () => [name, S(), ...rest, "--colour", "red"], new RegExp(`^error: ${name}: unknown option --colour`)]),
  ...COMMANDS_WITH_SERVICE.map(([name, rest]): UsageCase => [`${name}: --timeout without its value`, () => [name, S(), ...rest, "--timeout"], /option --timeout <value> needs a value/]),
  ...COMMANDS_WITH_SERVICE.map(([name, rest]): UsageCase => [`${name}: --quiet given a value`, () => [name, S(), ...rest, "--quiet=yes"], /option -q, --quiet takes no value/]),
  ...COMMANDS_WITH_SERVICE.map(([name, rest]): UsageCase => [`${name}: --timeout not a number`, () => [name, S(), ...rest, "--timeout", "soon"], /option --timeout must be an integer from 0 to 2147483647; got "soon"/]),
  ...COMMANDS_WITH_SERVICE.map(([name, rest]): UsageCase => [`${name}: --odata-version 3.0`, () => [name, S(), ...rest, "--odata-version", "3.0"], /--odata-version must be "4\.0", "4\.01" or "2\.0"; got "3\.0"/]),
  ...COMMANDS_WITH_SERVICE.map(([name, rest]): UsageCase => [`${name}: a header without a name`, () => [name, S(), ...rest, "-H", "no colon here"], /--header must be "Name: value"/]),
  ...COMMANDS_WITH_SERVICE.map(([name, rest]): UsageCase => [`${name}: a service URL of another scheme`, () => [name, "ftp://127.0.0.1/odata/", ...rest], /<service> must be an http or https URL or a profile name; got a ftp: URL/]),
  ...COMMANDS_WITH_SERVICE.map(([name, rest]): UsageCase => [`${name}: a service that is neither URL nor profile name`, () => [name, "../odata", ...rest], /<service> "\.\.\/odata" is neither an http\(s\) URL nor a profile name/]),
  // Too few and too many positionals.
  ["describe: no service", () => ["describe"], /^error: describe: expected <service> \[set\]; got no arguments/],
  ["describe: one argument too many", () => ["describe", S(), "Products", "extra"], /describe: unexpected argument "extra"/],
  ["query: one argument too many", () => ["query", S(), "Products", "extra"], /query: unexpected argument "extra"/],
  ["count: no set", () => ["count", S()], /count: expected <service> <set>; got only/],
  ["count: one argument too many", () => ["count", S(), "Products", "x"], /count: unexpected argument "x"/],
  // Without a key the name is read as a singleton: an entity set of $metadata is refused, naming its key.
  ["get: no key", () => ["get", S(), "Products"], /get: "Products" is an entity set: give the key \(ID\) of the entity to read/, { metadata: true }],
  ["get: no set", () => ["get", S()], /get: expected <service> <set> <key>, or <service> <singleton>; got only/],
  ["get: one argument too many", () => ["get", S(), "Products", "1", "2"], /get: unexpected argument "2"/],
  ["export: one argument too many", () => ["export", S(), "Products", "Orders", "--out", "x.ndjson"], /export: unexpected argument "Orders"/],
  ["call: no operation", () => ["call", S()], /call: expected <service> <operation>; got only/],
  ["call: one argument too many", () => ["call", S(), "run", "now"], /call: unexpected argument "now"/],
  ["wait: two token files", () => ["wait", "a.json", "b.json"], /wait: unexpected argument "b\.json"/],
  ["cancel: two token files", () => ["cancel", "a.json", "b.json"], /cancel: unexpected argument "b\.json"/],
  ["serve: an argument", () => ["serve", "now"], /serve: unexpected argument "now"/],
  ["generate: nothing", () => ["generate"], /^error: generate: /],
  // Values of the wrong form.
  ["query --top -1 (dash form)", () => ["query", S(), "Products", "--top", "-1"], /--top/, { lines: true }],
  ["query --top=-1", () => ["query", S(), "Products", "--top=-1"], /option --top must be an integer from 0 up; got "-1"/],
  ["query --top x", () => ["query", S(), "Products", "--top", "x"], /option --top must be an integer from 0 up; got "x"/],
  ["query --top 1.5", () => ["query", S(), "Products", "--top", "1.5"], /option --top must be an integer from 0 up; got "1\.5"/],
  ["query --top empty", () => ["query", S(), "Products", "--top", ""], /option --top must be an integer from 0 up; got ""/],
  ["query --skip 1e3", () => ["query", S(), "Products", "--skip", "1e3"], /option --skip must be an integer from 0 up; got "1e3"/],
  ["query --top beyond a safe integer", () => ["query", S(), "Products", "--top", "99999999999999999999"], /option --top must be an integer from 0 up; got "99999999999999999999"/],
  ["query --page-size 0", () => ["query", S(), "Products", "--page-size", "0"], /option --page-size must be an integer from 1 up; got "0"/],
  ["export --page-size 0", () => ["export", S(), "Products", "--out", "x.ndjson", "--page-size", "0"], /option --page-size must be an integer from 1 up; got "0"/],
  ["query --format xml", () => ["query", S(), "Products", "--format", "xml"], /--format must be one of table, json, ndjson, csv; got "xml"/],
  ["export --format xml", () => ["export", S(), "Products", "--out", "x.ndjson", "--format", "xml"], /--format must be one of ndjson, csv, json for export; got "xml"/],
  ["export --format table", () => ["export", S(), "Products", "--out", "x.ndjson", "--format", "table"], /--format must be one of ndjson, csv, json for export; got "table"/],
  ["export --parallel 0", () => ["export", S(), "Products", "--out", "x.ndjson", "--parallel", "0"], /option --parallel must be an integer from 1 to 64; got "0"/],
  ["export --parallel 1000", () => ["export", S(), "Products", "--out", "x.ndjson", "--parallel", "1000"], /option --parallel must be an integer from 1 to 64; got "1000"/],
  ["export --parallel two", () => ["export", S(), "Products", "--out", "x.ndjson", "--parallel", "two"], /option --parallel must be an integer from 1 to 64; got "two"/],
  ["export --partition 0/4", () => ["export", S(), "Products", "--out", "x.ndjson", "--partition", "0/4"], /--partition must be K\/N with 1 <= K <= N <= 1000, such as 2\/4; got "0\/4"/],
  ["export --partition 2", () => ["export", S(), "Products", "--out", "x.ndjson", "--partition", "2"], /--partition must be K\/N .*got "2"/],
  ["export --strategy random", () => ["export", S(), "Products", "--out", "x.ndjson", "--parallel", "2", "--strategy", "random"], /--strategy must be one of auto, quantiles, aggregate, skip; got "random"/],
  ["export --plan without --parallel", () => ["export", S(), "Products", "--plan"], /--plan needs --parallel N/],
  ["export --plan with --partition (it printed all N)", () => ["export", S(), "Products", "--plan", "--partition", "1/2"], /--plan needs --parallel N/],
  ["export --orderby with --parallel (the parts are joined in key order)", () => ["export", S(), "Products", "--out", "x.ndjson", "--parallel", "2", "--orderby", "Name desc"], /--orderby cannot be used with --parallel/],
  ["export --plan-file, --strategy, --partition-key without partitions (ignored before)", () => ["export", S(), "Products", "--out", "x.ndjson", "--plan-file", "p.json", "--strategy", "skip", "--partition-key", "ID"], /--plan-file and --strategy and --partition-key plan the partitions of --parallel N or --partition K\/N; without either there is nothing to plan/],
  ["export --strategy with --plan-file (ignored before)", () => ["export", S(), "Products", "--out", "x.ndjson", "--parallel", "2", "--plan-file", "p.json", "--strategy", "bogus"], /--strategy cannot be used with --plan-file/],
  ["export --checkpoint-interval -5", () => ["export", S(), "Products", "--out", "x.ndjson", "--checkpoint-interval=-5"], /option --checkpoint-interval must be an integer from 0 to 3600000; got "-5"/],
  ["export --top with --parallel", () => ["export", S(), "Products", "--out", "x.ndjson", "--parallel", "2", "--top", "5"], /--top cannot be used with --parallel/],
  ["export --plan-file that does not exist", () => ["export", S(), "Products", "--out", "x.ndjson", "--partition", "1/2", "--plan-file", "no-plan.json"], /--plan-file no-plan\.json: no such file/],
  ["export --plan-file that is a folder", () => ["export", S(), "Products", "--out", "x.ndjson", "--partition", "1/2", "--plan-file", "."], /--plan-file \.: cannot be read \(EISDIR\)/],
  ["call --poll-interval x", () => ["call", S(), "run", "--async", "--poll-interval", "x"], /option --poll-interval must be an integer from 1 up; got "x"/],
  // 0 would poll as fast as the service answers (--max-wait: a run that takes it ends soon).
  ["call --poll-interval 0", () => ["call", S(), "run", "--async", "--poll-interval", "0", "--max-wait", "50"], /option --poll-interval must be an integer from 1 up; got "0"/],
  ["call --no-wait --poll-interval=-5", () => ["call", S(), "run", "--no-wait", "--poll-interval=-5"], /option --poll-interval must be an integer from 1 up; got "-5"/],
  ["wait --poll-interval 0", () => ["wait", "-", "--poll-interval", "0", "--max-wait", "50"], /option --poll-interval must be an integer from 1 up; got "0"/, { stdin: JSON.stringify({ statusUrl: "http://127.0.0.1:9/monitor/1", status: "running" }) }],
  ["wait --poll-interval 2.5", () => ["wait", "-", "--poll-interval", "2.5", "--max-wait", "50"], /option --poll-interval must be an integer from 1 up; got "2\.5"/, { stdin: JSON.stringify({ statusUrl: "http://127.0.0.1:9/monitor/1", status: "running" }) }],
  ["call --max-wait 0", () => ["call", S(), "run", "--async", "--max-wait", "0"], /option --max-wait must be an integer from 1 up; got "0"/],
  ["wait --max-wait soon", () => ["wait", "-", "--max-wait", "soon"], /option --max-wait must be an integer from 1 up|token on stdin is not JSON/],
  ["serve --port x", () => ["serve", "--port", "x"], /--port/],
  // Query text that the library refuses before sending.
  ["query --filter with an unbalanced parenthesis", () => ["query", S(), "Products", "--filter", "(ID eq 1"], /filter/i],
  ["count --filter with an unbalanced parenthesis", () => ["count", S(), "Products", "--filter", "ID eq 1)"], /filter/i],
  ["query --filter with an unterminated string", () => ["query", S(), "Products", "--filter", "Name eq 'x"], /filter/i],
  ["query --select with a space inside a name", () => ["query", S(), "Products", "--select", "ID,Na me"], /select|Na me/i],
  ["query --select with a query option inside", () => ["query", S(), "Products", "--select", "ID&$top=1"], /select|\$top/i],
  ["query --expand that does not close its parenthesis", () => ["query", S(), "Products", "--expand", "author($select=name"], /--expand: "author\(\$select=name" opens a parenthesis it does not close at its end/],
  ["query --expand with a nested option it does not know", () => ["query", S(), "Products", "--expand", "author($apply=groupby((ID)))"], /--expand: the nested option "\$apply=groupby\(\(ID\)\)" is not one of/],
  ["query --expand with a nested $top that is not a number", () => ["query", S(), "Products", "--expand", "author($top=x)"], /--expand: \$top must be an integer; got "x"/],
  ["query --expand of a path with a query option inside", () => ["query", S(), "Products", "--expand", "author&$top=1"], /expand|\$top/i],
  ["query --expand with a stray closing parenthesis", () => ["query", S(), "Products", "--expand", "author)"], /expand|author\)/i],
  ["query of a set whose name holds a query", () => ["query", S(), "Products?$top=1"], /Products\?\$top=1|entity set|name/i],
  // Parameters and keys of call and get.
  ["call --param without =", () => ["call", S(), "run", "--param", "format"], /--param must be name=value \(or name:=json\); got "format"/],
  ["call --param with an empty name", () => ["call", S(), "run", "--param", "=csv"], /--param must be name=value \(or name:=json\); got "=csv"/],
  ["call --param := with invalid JSON", () => ["call", S(), "run", "--param", "count:={x"], /--param count:= must be followed by JSON; got "\{x"/],
  ["call --param of the wrong type", () => ["call", S(), "run", "--param", "count=many"], /--param count: "many" is not an integer/, { metadata: true }],
  ["call --param the operation does not have", () => ["call", S(), "run", "--param", "colour=red"], /--param colour: the operation has no parameter colour \(its parameters: format, count\)/, { metadata: true }],
  ["call --async with --no-wait", () => ["call", S(), "run", "--async", "--no-wait"], /--async and --no-wait exclude each other/],
  ["call of an import the service does not have", () => ["call", S(), "nothing"], /the service has no action or function import named "nothing"/, { metadata: true }],
  ["call --key on an import", () => ["call", S(), "run", "--key", "1"], /--key is for an operation bound to an entity/],
  ["get with a key that is not an integer", () => ["get", S(), "Products", "abc"], /<key>: "abc" is not an integer/, { metadata: true }],
  ["get with a key property the set does not have", () => ["get", S(), "Products", "Code=1"], /<key>: "Code=1" is not an integer/, { metadata: true }],
  ["get with an integer beyond Int32", () => ["get", S(), "Products", "99999999999999999999"], /<key>: "99999999999999999999" is not an integer/, { metadata: true }],
  // A service URL that carries credentials: they would be sent, and printed, as part of every URL.
  ["a service URL with user:password@", () => ["count", SERVICE.replace("http://", "http://ann:pw-in-url-123@"), "Products"], /must not carry a user name or password/],
  // A token that names no service is polled through a client of its monitor's origin: a mistake there is the token's, named so.
  ...(["wait", "cancel"] as const).map((name): UsageCase => [
    `${name}: a token whose statusUrl has user:password@`,
    () => [name, "-"],
    /^error: the token's statusUrl must not carry a user name or password/m,
    { stdin: JSON.stringify({ statusUrl: "http://ann:pw-in-url-123@127.0.0.1:9/monitor/1", status: "running" }) },
  ]),
];

describe("1. wrong arguments: exit 2, a message naming the argument, nothing on stdout, nothing sent", () => {
  for (const [name, args, message, options] of USAGE_CASES) {
    test(name, async () => {
      const result = await assertUsage(args(), message, options);
      assert.ok(!result.stderr.includes("pw-in-url-123"), "a password of the URL is not echoed");
    });
  }
});

// ---------------------------------------------------------------------------------------------
// 2. Hostile values stay inside their literal or parameter

/** The path of the one request (other than $metadata) the shop saw during a run, with the run's outcome. */
async function sentPath(args: string[]): Promise<{ path: string; body: string; outcome: Outcome }> {
  const { result, requests } = await requestsDuring(shop, () => cli(args));
  assert.equal(result.code, 0, show(args, result));
  const sent = requests.filter((r) => !r.path.endsWith("/$metadata"));
  assert.equal(sent.length, 1, sent.map((r) => r.path).join("\n"));
  return { path: sent[0]!.path, body: sent[0]!.body, outcome: result };
}

const HOSTILE = "O'Brien&$top=1#x";
const HOSTILE_CASES: Array<[string, () => string[], string, string?]> = [
  ["get: a string key with a quote, &, $top= and #", () => ["get", S(), "People", HOSTILE], "/odata/People('O''Brien%26$top=1%23x')"],
  ["get: a string key with CR and LF", () => ["get", S(), "People", "a\r\nb"], "/odata/People('a%0D%0Ab')"],
  ["call --key of a bound action: the key in its literal, the parameter in the JSON body", () => ["call", S(), "People/Shop.greet", "--key", "x'&$top=1#", "--param", "text=a&b#c'\r\n"], "/odata/People('x''%26$top=1%23')/Shop.greet", '{"text":"a&b#c\'\\r\\n"}'],
  ["call of a function: a parameter with a quote, & and # in its literal", () => ["call", S(), "lookup", "--param", "code=a'&$filter=x#y"], "/odata/lookup(code='a''%26$filter=x%23y')"],
  ["query --filter: & and # inside a string literal stay in $filter", () => ["query", S(), "Products", "--filter", "Name eq 'a&$top=1#b'", "--format", "ndjson"], "/odata/Products?$filter=Name%20eq%20%27a%26$top=1%23b%27"],
  ["query --filter: CR LF & stay in $filter", () => ["query", S(), "Products", "--filter", "Name eq 'a'\r\n&$top=1", "--format", "ndjson"], "/odata/Products?$filter=Name%20eq%20%27a%27%0D%0A%26$top=1"],
  ["query --search: & and # stay in $search", () => ["query", S(), "Products", "--search", "a&$top=1#", "--format", "ndjson"], "/odata/Products?$search=a%26$top=1%23"],
  ["query --orderby: & stays in $orderby", () => ["query", S(), "Products", "--orderby", "ID&$top=1", "--format", "ndjson"], "/odata/Products?$orderby=ID%26$top=1"],
  ["count --filter: & and # stay in $filter", () => ["count", S(), "Products", "--filter", "Name eq '#&$skip=1'"], "/odata/Products/$count?$filter=Name%20eq%20%27%23%26$skip=1%27"],
];

describe("2. hostile values stay inside their literal or parameter (the exact request)", () => {
  for (const [name, args, path, body] of HOSTILE_CASES) {
    test(name, async () => {
      const sent = await sentPath(args());
      assert.equal(sent.path, path);
      if (body !== undefined) assert.equal(sent.body, body);
      // One query option each, whatever the text held.
      const query = new URL(sent.path, SERVICE).searchParams;
      assert.ok([...query.keys()].length <= 1, `one query option: ${sent.path}`);
    });
  }

  test("a header value with CR LF is refused before anything is sent, naming the header and not its value", async () => {
    const result = await assertUsage(["count", SERVICE, "Products", "-H", "X-Note: a\r\nX-Injected: b"], /invalid header "X-Note"/);
    assert.ok(!result.stderr.includes("X-Injected"), result.stderr);
  });

  test("a partition key that is not a property path is refused before anything is sent", async () => {
    await assertUsage(["export", SERVICE, "Products", "--out", join(tempDir(), "x.ndjson"), "--parallel", "2", "--partition-key", "ID&$top=1"], /"ID&\$top=1" is not an OData property path/);
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Files the command line reads and writes

describe("3a. configuration files: a mistake exits 2 naming the file and the setting, nothing sent", () => {
  const url = () => SERVICE;
  const CONFIG_CASES: Array<[string, () => string, RegExp]> = [
    ["an empty file", () => "", /is not valid JSON/],
    ["JSON cut short", () => `{"profiles":{"p":{"url":"${url()}"`, /is not valid JSON/],
    // The place of a mistake counts from after a byte order mark, as the parse reads the file.
    ["with a byte order mark, a mistake on line 2", () => '\uFEFF{\n}}', /is not valid JSON \(line 2, column 2\)/],
    ["a top level that is an array", () => "[]", /the top level must be an object with "profiles"/],
    ["a top level that is a string", () => '"p"', /the top level must be an object with "profiles"/],
    ["a setting it does not know at the top", () => JSON.stringify({ profile: {} }), /: profile is not a setting of traverse-odata \(expected "profiles"\)/],
    ["profiles as an array", () => JSON.stringify({ profiles: [{ url: url() }] }), /: profiles must be an object of named profiles/],
    ["a profile that is a string", () => JSON.stringify({ profiles: { p: url() } }), /profiles\.p must be an object with at least "url"/],
    ["a profile without url", () => JSON.stringify({ profiles: { p: { version: "4.0" } } }), /profiles\.p\.url must be the service's http\(s\) URL/],
    ["a profile url of another scheme", () => JSON.stringify({ profiles: { p: { url: "file:///etc/" } } }), /profiles\.p\.url must be the service's http\(s\) URL/],
    ["a profile setting it does not know", () => JSON.stringify({ profiles: { p: { url: url(), timeout: 5 } } }), /profiles\.p\.timeout is not a profile setting \(url, version, headers, csrf, keyAsSegment, trustedOrigins, oauth2\)/],
    ["csrf that is not a boolean", () => JSON.stringify({ profiles: { p: { url: url(), csrf: "yes" } } }), /profiles\.p\.csrf must be true or false/],
    ["headers as an array", () => JSON.stringify({ profiles: { p: { url: url(), headers: ["a: b"] } } }), /profiles\.p\.headers must be an object of header names and values/],
    ["a header name with a space", () => JSON.stringify({ profiles: { p: { url: url(), headers: { "x note": "v" } } } }), /profiles\.p\.headers: "x note" is not a header name/],
    ["a header value that is a number", () => JSON.stringify({ profiles: { p: { url: url(), headers: { "x-n": 5 } } } }), /profiles\.p\.headers\.x-n must be a string or \{ "env": "VARIABLE_NAME" \}/],
    ["a header from an env with a bad name", () => JSON.stringify({ profiles: { p: { url: url(), headers: { "x-n": { env: "A-B" } } } } }), /profiles\.p\.headers\.x-n must be a string or \{ "env": "VARIABLE_NAME" \}/],
    ["a profile name with a slash", () => JSON.stringify({ profiles: { "a/b": { url: url() } } }), /profiles\.a\/b: a profile name has letters, digits/],
    ["oauth2 that is a string", () => JSON.stringify({ profiles: { p: { url: url(), oauth2: "x" } } }), /profiles\.p\.oauth2 must be an object with tokenUrl, clientId and clientSecretEnv/],
    ["oauth2 with a setting it does not know", () => JSON.stringify({ profiles: { p: { url: url(), oauth2: { tokenUrl: "https://l/t", clientId: "c", clientSecretEnv: "S", grant: "x" } } } }), /profiles\.p\.oauth2\.grant is not an OAuth2 setting/],
  ];
  for (const [name, text, message] of CONFIG_CASES) {
    test(name, async () => {
      const cwd = tempDir();
      const file = join(cwd, "traverse-odata.config.json");
      writeFileSync(file, text());
      const result = await assertUsage(["count", "p", "Products"], message, { cwd });
      assert.ok(result.stderr.includes(file), `names the file\n${result.stderr}`);
    });
  }

  test("a profile's oauth2 tokenUrl or url that the client refuses is named as the profile's key in the file, not as the library's option", async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ["a tokenUrl with a user name and password", { tokenUrl: "https://ann:pw-in-url-123@login.example.com/token" }, /profiles\.p\.oauth2\.tokenUrl must not carry a user name or password/],
      ["a tokenUrl with a fragment", { tokenUrl: "https://login.example.com/token#x" }, /profiles\.p\.oauth2\.tokenUrl must not carry a fragment/],
      ["a tokenUrl in plain http to another host", { tokenUrl: "http://login.example.com/token" }, /profiles\.p\.oauth2\.tokenUrl must use https, so that the client secret does not cross the network in clear text/],
    ];
    for (const [name, oauth2, message] of cases) {
      const cwd = tempDir();
      const file = join(cwd, "traverse-odata.config.json");
      writeFileSync(file, JSON.stringify({ profiles: { p: { url: SERVICE, oauth2: { clientId: "cli", clientSecretEnv: "P_SECRET", ...oauth2 } } } }));
      const result = await assertUsage(["count", "p", "Products"], message, { cwd, env: { P_SECRET: "s3cret-value-456" } });
      assert.ok(result.stderr.startsWith(`error: ${file}: profiles.p.oauth2.tokenUrl `), `${name}: names the file and the key\n${result.stderr}`);
      assert.ok(!/ODataClient option|auth\.oauth2/.test(result.stderr), `${name}: no library option\n${result.stderr}`);
      assert.ok(!result.stderr.includes("s3cret-value-456") && !result.stderr.includes("pw-in-url-123"), result.stderr);
    }
    const cwd = tempDir();
    const file = join(cwd, "traverse-odata.config.json");
    writeFileSync(file, JSON.stringify({ profiles: { p: { url: `${SERVICE}?sap-client=100` } } }));
    const url = await assertUsage(["count", "p", "Products"], /must not carry a query or fragment/, { cwd });
    assert.ok(url.stderr.startsWith(`error: ${file}: profiles.p.url must not carry a query or fragment`), url.stderr);
  });

  test("--config naming a file that does not exist, or a folder, says so naming it", async () => {
    const cwd = tempDir();
    await assertUsage(["count", "p", "Products", "--config", "missing.json"], new RegExp(`cannot read the configuration file ${join(cwd, "missing.json").replace(/[.]/g, "\\.")}: ENOENT`), { cwd });
    mkdirSync(join(cwd, "folder.json"));
    await assertUsage(["count", "p", "Products", "--config", "folder.json"], /cannot read the configuration file .*folder\.json: EISDIR/, { cwd });
  });

  test("a header value in the file that holds CR LF is refused, naming the header and not its value", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "traverse-odata.config.json"), JSON.stringify({ profiles: { p: { url: SERVICE, headers: { "x-note": "v\r\nx-injected: k3y-in-file" } } } }));
    const result = await assertUsage(["count", "p", "Products"], /x-note/i, { cwd });
    assert.ok(!result.stderr.includes("k3y-in-file"), result.stderr);
  });
});

/** The NDJSON of the shop's two rows: an export written before. */
const WRITTEN = '{"ID":1,"Name":"one"}\n{"ID":2,"Name":"two"}\n';

/** A folder with `out.ndjson` (holding WRITTEN) and its checkpoint `checkpoint` (text or object merged into a valid one). */
function exportFolder(checkpoint: string | Record<string, unknown>): { cwd: string; out: string; file: string; args: string[] } {
  const cwd = tempDir();
  const out = join(cwd, "out.ndjson");
  const file = `${out}.checkpoint.json`;
  writeFileSync(out, WRITTEN);
  const valid = {
    type: "traverse-odata/export-checkpoint",
    version: 1,
    request: `${SERVICE}Products`,
    format: "ndjson",
    out,
    whole: true,
    next: `${SERVICE}Products?$skiptoken=2`,
    length: Buffer.byteLength(WRITTEN),
    rows: 2,
    pages: 1,
    done: false,
    savedAt: "2024-01-01T00:00:00.000Z",
  };
  writeFileSync(file, typeof checkpoint === "string" ? checkpoint : JSON.stringify({ ...valid, ...checkpoint }));
  return { cwd, out, file, args: ["export", SERVICE, "Products", "--out", "out.ndjson", "--quiet"] };
}

describe("3b. export checkpoints: a damaged or foreign one exits 2 naming the file, the rows written stay", () => {
  const CHECKPOINT_CASES: Array<[string, string | Record<string, unknown>, string[], RegExp]> = [
    ["not JSON, with --resume", "{not json", ["--resume"], /the checkpoint .*out\.ndjson\.checkpoint\.json is not JSON/],
    ["not JSON, without --resume", "{not json", [], /the checkpoint .*out\.ndjson\.checkpoint\.json is not JSON/],
    ["cut short (a truncated save)", '{"type":"traverse-odata/export-checkpoint","vers', ["--resume"], /the checkpoint .*out\.ndjson\.checkpoint\.json is not JSON/],
    ["empty", "", ["--resume"], /the checkpoint .*out\.ndjson\.checkpoint\.json is not JSON/],
    ["of another kind of file", JSON.stringify({ profiles: {} }), ["--resume"], /the checkpoint .*out\.ndjson\.checkpoint\.json is not a traverse-odata export checkpoint \(version 1\)/],
    // A byte order mark (an editor's) is no reason to call it "not JSON": it is read, and then found foreign.
    ["of another kind of file, with a byte order mark", `\uFEFF${JSON.stringify({ profiles: {} })}`, ["--resume"], /the checkpoint .*out\.ndjson\.checkpoint\.json is not a traverse-odata export checkpoint \(version 1\)/],
    ["of a later version", { version: 2 }, ["--resume"], /is not a traverse-odata export checkpoint \(version 1\)/],
    ["without its length", { length: "18" }, ["--resume"], /the checkpoint .*out\.ndjson\.checkpoint\.json lacks its request, output, length, rows or pages/],
    ["a valid one, without --resume", {}, [], /a checkpoint of an unfinished export is at .*out\.ndjson\.checkpoint\.json: add --resume/],
    ["of another query", { request: `${SERVICE}Products?$filter=ID gt 1` }, ["--resume"], /the checkpoint .*out\.ndjson\.checkpoint\.json is of another export \(its query differs from this one\)/],
    ["of another service", { request: "http://127.0.0.1:9/odata/Products" }, ["--resume"], /is of another export \(its query differs from this one\)/],
    ["of another output", { out: "/tmp/elsewhere.ndjson" }, ["--resume"], /is of another export \(its output is \/tmp\/elsewhere\.ndjson, not .*out\.ndjson\)/],
    ["of another format", { format: "csv" }, ["--resume"], /is of another export \(format csv, not ndjson\)/],
    ["of a parallel export, resumed as one walk", { type: "traverse-odata/export-parallel" }, ["--resume"], /is of another export \(--parallel, not a single walk\)/],
    ["longer than the output", { length: 9999 }, ["--resume"], /cannot resume: .*out\.ndjson holds 44 bytes, fewer than the 9999 the checkpoint saved/],
    ["whose next link is not a string", { next: 42 }, ["--resume"], /checkpoint .*out\.ndjson\.checkpoint\.json/],
    ["whose next link is not a URL", { next: "not a url" }, ["--resume"], /checkpoint .*out\.ndjson\.checkpoint\.json/],
    ["of a parallel export without its plan", { type: "traverse-odata/export-parallel", plan: undefined }, ["--resume", "--parallel", "2"], /checkpoint .*out\.ndjson\.checkpoint\.json/],
    ["whose CSV columns are not a list", { format: "csv", columns: "ID" }, ["--resume", "--format", "csv"], /checkpoint .*out\.ndjson\.checkpoint\.json/],
    ["whose partition is not one", { partition: { kind: "nonsense" } }, ["--resume", "--partition", "1/1"], /checkpoint .*out\.ndjson\.checkpoint\.json/],
  ];
  for (const [name, checkpoint, extra, message] of CHECKPOINT_CASES) {
    test(name, async () => {
      const folder = exportFolder(checkpoint);
      const savedCheckpoint = readFileSync(folder.file, "utf8");
      const args = [...folder.args, ...extra];
      const { result, requests } = await requestsDuring(shop, () => cli(args, { cwd: folder.cwd }));
      // Whatever happened, the rows written before are still there, and the checkpoint too.
      assert.equal(readFileSync(folder.out, "utf8"), WRITTEN, `the output is kept\n${show(args, result)}`);
      assert.equal(readFileSync(folder.file, "utf8"), savedCheckpoint, "the checkpoint is kept");
      assert.equal(result.code, 2, show(args, result));
      assert.match(result.stderr, message, show(args, result));
      assert.equal(result.stdout, "");
      assert.deepEqual(requests.filter((r) => !r.path.endsWith("/$metadata")).map((r) => r.path), [], "no page is read");
    });
  }

  test("a next link on another origin is not followed: the token never reaches it; the error names the checkpoint", async (t) => {
    const other = await startServer((_request, res) => sendJson(res, 200, { value: [{ ID: 99 }] }));
    t.after(() => other.close());
    const folder = exportFolder({ next: other.url("odata/Products?$skiptoken=2") });
    const result = await cli([...folder.args, "--resume"], { cwd: folder.cwd, env: { TRAVERSE_ODATA_TOKEN: "tok-checkpoint-s3cret" } });
    assert.deepEqual(other.requests.map((r) => r.headers.authorization), [], "the other origin is not asked");
    assert.equal(readFileSync(folder.out, "utf8"), WRITTEN);
    assert.ok(!`${result.stdout}${result.stderr}`.includes("tok-checkpoint-s3cret"));
    assert.equal(result.code, 2, show(folder.args, result));
    assert.match(result.stderr, /checkpoint .*out\.ndjson\.checkpoint\.json/);
  });

  test("a valid checkpoint resumes: the rows written stay and the next page is appended", async () => {
    const folder = exportFolder({});
    const result = await cli([...folder.args, "--resume"], { cwd: folder.cwd });
    assert.equal(result.code, 0, show(folder.args, result));
    assert.equal(readFileSync(folder.out, "utf8"), WRITTEN + WRITTEN, "the shop answers every page with its two rows");
    assert.equal(existsSync(folder.file), false);
  });
});

describe("3c. output and checkpoint paths that cannot be written: a clear error naming the path, nothing lost", () => {
  test("an output in a folder that does not exist: exit 1 naming it, nothing asked", async () => {
    const cwd = tempDir();
    const { result, requests } = await requestsDuring(shop, () => cli(["export", SERVICE, "Products", "--out", "nope/x.ndjson"], { cwd }));
    assert.equal(result.code, 1, show([], result));
    assert.match(result.stderr, /nope\/x\.ndjson/);
    assert.deepEqual(requests.map((r) => r.path), []);
  });

  test("an output that cannot take the rows (a full device): exit 1 naming the file and the system's code", { skip: !existsSync("/dev/full") && "no /dev/full here" }, async () => {
    // The checkpoint in a folder of the test's, not beside the device.
    const run = await cli(["export", S(), "Products", "--out", "/dev/full", "--checkpoint", "full.checkpoint.json", "--quiet"], { cwd: tempDir() });
    assert.equal(run.code, 1, show([], run));
    assert.match(run.stderr, /^error: writing \/dev\/full failed: ENOSPC$/m);
  });

  test("an output that is a folder: exit 1 naming the option and the folder, nothing sent, with or without --resume", async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, "adir"));
    for (const extra of [[], ["--resume"]]) {
      const { result, requests } = await requestsDuring(shop, () => cli(["export", SERVICE, "Products", "--out", "adir", ...extra], { cwd }));
      assert.equal(result.code, 1, show([], result));
      assert.equal(result.stderr, `error: --out ${join(cwd, "adir")} is a folder; name a file in it\n`);
      assert.deepEqual(requests.map((r) => r.path), []);
    }
  });

  test("an output under a file (not a folder): exit 1 naming the output", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "afile"), "x");
    const result = await cli(["export", SERVICE, "Products", "--out", "afile/x.ndjson"], { cwd });
    assert.equal(result.code, 1, show([], result));
    assert.match(result.stderr, /afile\/x\.ndjson['\s:]/);
  });

  test("a --checkpoint that is a folder: an error naming it", async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, "cp"));
    const result = await cli(["export", SERVICE, "Products", "--out", "x.ndjson", "--checkpoint", "cp"], { cwd });
    assert.equal(result.code, 1, show([], result));
    assert.equal(result.stderr, `error: --checkpoint ${join(cwd, "cp")} is a folder; name a file in it\n`);
  });

  test("a --checkpoint in a folder that does not exist: refused naming the checkpoint, before the output is emptied or anything is asked", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "kept.ndjson"), WRITTEN);
    const { result, requests } = await requestsDuring(shop, () => cli(["export", SERVICE, "Products", "--out", "kept.ndjson", "--checkpoint", "nope/c.json"], { cwd }));
    assert.equal(readFileSync(join(cwd, "kept.ndjson"), "utf8"), WRITTEN);
    assert.match(result.stderr, /nope\/c\.json(?!\.\d)/);
    assert.deepEqual(requests.map((r) => r.path), []);
  });

  test("a --checkpoint that cannot be written (a name too long for the file system): exit 1 naming it, no --out file made, nothing asked", async () => {
    const cwd = tempDir();
    const name = `${"c".repeat(250)}.json`;
    const { result, requests } = await requestsDuring(shop, () => cli(["export", SERVICE, "Products", "--out", "new.ndjson", "--checkpoint", name], { cwd }));
    assert.equal(result.code, 1, show([], result));
    assert.equal(result.stderr, `error: --checkpoint ${join(cwd, name)} cannot be written: ENAMETOOLONG\n`);
    assert.deepEqual(readdirSync(cwd), [], "no output, no checkpoint, no temporary file");
    assert.deepEqual(requests.map((r) => r.path), []);
  });

  test("a --checkpoint that cannot be written leaves an earlier export's --out as it was, with --parallel and --partition too", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "kept.ndjson"), WRITTEN);
    const name = `${"c".repeat(250)}.json`;
    for (const extra of [[], ["--parallel", "2"], ["--partition", "1/2"], ["--resume"]]) {
      const { result, requests } = await requestsDuring(shop, () => cli(["export", SERVICE, "Products", "--out", "kept.ndjson", "--checkpoint", name, ...extra], { cwd }));
      assert.equal(result.code, 1, show(extra, result));
      assert.match(result.stderr, /^error: --checkpoint .*c{250}\.json cannot be written: ENAMETOOLONG$/m);
      assert.deepEqual(readdirSync(cwd), ["kept.ndjson"], extra.join(" "));
      assert.equal(readFileSync(join(cwd, "kept.ndjson"), "utf8"), WRITTEN);
      assert.deepEqual(requests.map((r) => r.path), [], extra.join(" "));
    }
  });

  test("--checkpoint the same file as --out: refused, so that the checkpoint never replaces the rows", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "same.ndjson"), WRITTEN);
    const { result, requests } = await requestsDuring(shop, () => cli(["export", SERVICE, "Products", "--out", "same.ndjson", "--checkpoint", "same.ndjson"], { cwd }));
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /--checkpoint must name another file than --out/);
    assert.equal(readFileSync(join(cwd, "same.ndjson"), "utf8"), WRITTEN, "the earlier export is kept");
    assert.deepEqual(requests.map((r) => r.path), []);
  });

  test("an export over a longer earlier file leaves only its own rows", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "over.ndjson"), `${WRITTEN}${"x".repeat(5000)}\n`);
    const result = await cli(["export", SERVICE, "Products", "--out", "over.ndjson", "--quiet"], { cwd });
    assert.equal(result.code, 0, result.stderr);
    const text = readFileSync(join(cwd, "over.ndjson"), "utf8");
    assert.ok(!text.includes("xxxx"), "the earlier file's bytes are gone");
    assert.ok(text.length > 0 && text.split("\n").filter(Boolean).every((line) => JSON.parse(line) !== null));
  });

  test("a service that fails on the first page leaves an earlier export's file as it was and no checkpoint, however often the export is run again", async (t) => {
    let down = true;
    const failing = await startServer((_request, res) => {
      if (down) sendJson(res, 500, { error: { code: "Down", message: "down" } });
      else sendJson(res, 200, { value: [{ ID: 1, Name: "new" }] });
    });
    t.after(() => failing.close());
    const cwd = tempDir();
    writeFileSync(join(cwd, "earlier.ndjson"), WRITTEN);
    const args = ["export", failing.url("odata/"), "Products", "--out", "earlier.ndjson", "--quiet"];
    // Nothing was written, so no checkpoint is left to block the command run again (with a typo
    // fixed, say); each failing run keeps the file.
    for (let run = 0; run < 2; run++) {
      const failed = await cli(args, { cwd });
      assert.equal(failed.code, 3, show([], failed));
      assert.equal(readFileSync(join(cwd, "earlier.ndjson"), "utf8"), WRITTEN, `run ${run + 1}`);
      assert.ok(!existsSync(join(cwd, "earlier.ndjson.checkpoint.json")), `run ${run + 1}: no checkpoint is left`);
    }
    const resumed = await cli([...args, "--resume"], { cwd });
    assert.equal(resumed.code, 2, show([], resumed));
    assert.match(resumed.stderr, /nothing to resume: there is no checkpoint at /);
    assert.equal(readFileSync(join(cwd, "earlier.ndjson"), "utf8"), WRITTEN);
    down = false;
    const done = await cli(args, { cwd });
    assert.equal(done.code, 0, show([], done));
    assert.equal(readFileSync(join(cwd, "earlier.ndjson"), "utf8"), `${JSON.stringify({ ID: 1, Name: "new" })}\n`);
    assert.ok(!existsSync(join(cwd, "earlier.ndjson.checkpoint.json")), "the checkpoint is removed");
    assert.deepEqual(
      failing.requests.map((request) => request.path),
      Array.from({ length: 3 }, () => "/odata/Products"),
    );
  });

  test("CSV of an empty collection: no header line when nothing names the columns, the $select items' header when it does", async (t) => {
    const empty = await startServer((request, res) => {
      if (request.path.startsWith("/odata/$metadata")) sendJson(res, 404, { error: { code: "NotFound", message: "no metadata" } });
      else if (request.path.includes("/$count")) sendText(res, 200, "0");
      else sendJson(res, 200, { value: [] });
    });
    t.after(() => empty.close());
    const cwd = tempDir();
    const bare = await cli(["export", empty.url("odata/"), "Products", "--out", "none.csv", "--quiet"], { cwd });
    assert.equal(bare.code, 0, show([], bare));
    assert.equal(readFileSync(join(cwd, "none.csv"), "utf8"), "");
    // The same in parts: no empty header line either (it was CRLF alone).
    const parts = await cli(["export", empty.url("odata/"), "Products", "--out", "parts.csv", "--parallel", "2", "--partition-key", "ID", "--quiet"], { cwd });
    assert.equal(parts.code, 0, show([], parts));
    assert.equal(readFileSync(join(cwd, "parts.csv"), "utf8"), "");
    const selected = await cli(["export", empty.url("odata/"), "Products", "--out", "some.csv", "--select", "ID,Name", "--quiet"], { cwd });
    assert.equal(selected.code, 0, show([], selected));
    assert.equal(readFileSync(join(cwd, "some.csv"), "utf8"), "ID,Name\r\n");
    assert.ok(empty.requests.some((request) => request.path.startsWith("/odata/$metadata")), "the columns were asked of $metadata");
    assert.ok(empty.requests.some((request) => decodeURIComponent(request.path).includes("$select=ID,Name")));
  });

  test("a CSV warning of a property left out is said once with --parallel, not once for each part", async () => {
    const cwd = tempDir();
    const run = await cli(["export", S(), "Products", "--out", "parts.csv", "--select", "ID", "--parallel", "2"], { cwd });
    assert.equal(run.code, 0, show([], run));
    const warnings = run.stderr.split("\n").filter((line) => line.includes('a property "Name" that is not one of the CSV columns'));
    assert.equal(warnings.length, 1, run.stderr);
    assert.match(readFileSync(join(cwd, "parts.csv"), "utf8"), /^ID\r\n1\r\n2\r\n/);
  });

  test("--orderby is taken where the order holds: with --plan (nothing is joined) and with --partition K/N", async () => {
    const cwd = tempDir();
    const plan = await cli(["export", S(), "Products", "--parallel", "2", "--plan", "--orderby", "Name desc"], { cwd });
    assert.equal(plan.code, 0, show([], plan));
    const partitions = JSON.parse(plan.stdout) as { url: string }[];
    assert.equal(partitions.length, 2);
    assert.ok(partitions.every((p) => decodeURIComponent(p.url).includes("$orderby=Name desc")), plan.stdout);
    const { result: part, requests } = await requestsDuring(shop, () => cli(["export", S(), "Products", "--partition", "1/2", "--orderby", "Name desc", "--out", "p1.ndjson", "--quiet"], { cwd }));
    assert.equal(part.code, 0, show([], part));
    // The partition's pages are asked in that order, within its range.
    const pages = requests.filter((r) => /\/Products(\?|$)/.test(r.path) && !decodeURIComponent(r.path).includes("$top=1"));
    assert.ok(pages.length > 0 && pages.every((r) => decodeURIComponent(r.path).includes("$orderby=Name desc")), requests.map((r) => r.path).join("\n"));
  });

  test("CSV keeps the digits the service sent of an Int64 beyond 2^53 and of a long Decimal, as NDJSON does", async (t) => {
    // Compact v4 JSON, bare numbers (no IEEE754Compatible), a long number in a string too.
    const rows = [
      { ID: 1, Big: "9007199254740995", Dec: "1234567890.123456789012345671", Note: '"n 12345678901234567"', Small: "1.50" },
      { ID: 2, Big: "9007199254740997", Dec: "-0.1000000000000000055511151231257827", Note: '"two"', Small: "2" },
    ];
    // A complex value and a collection hold them too: written as JSON text, numbers still.
    const page = `{"@odata.context":"$metadata#Items","value":[${rows.map((r) => `{"ID":${r.ID},"Big":${r.Big},"Dec":${r.Dec},"Note":${r.Note},"Small":${r.Small},"Obj":{"n":${r.Big},"f":0.1234567890123456},"List":[${r.Dec},1]}`).join(",")}]}`;
    const service = await startServer((request, res) => {
      if (request.path.includes("$metadata")) return sendJson(res, 404, { error: { code: "NotFound", message: "none" } });
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(page) });
      res.end(page);
    });
    t.after(() => service.close());
    const cwd = tempDir();
    const single = await cli(["export", service.url("odata/"), "Items", "--out", "items.csv", "--quiet"], { cwd });
    assert.equal(single.code, 0, show([], single));
    assert.equal(
      readFileSync(join(cwd, "items.csv"), "utf8"),
      [
        "ID,Big,Dec,Note,Small,Obj,List",
        '1,9007199254740995,1234567890.123456789012345671,n 12345678901234567,1.5,"{""n"":9007199254740995,""f"":0.1234567890123456}","[1234567890.123456789012345671,1]"',
        '2,9007199254740997,-0.1000000000000000055511151231257827,two,2,"{""n"":9007199254740997,""f"":0.1234567890123456}","[-0.1000000000000000055511151231257827,1]"',
        "",
      ].join("\r\n"),
    );
  });

  test("--plan-file is read relative to the run's directory, as --out is, a byte order mark at its start dropped", async () => {
    const cwd = tempDir();
    const plan = await cli(["export", S(), "Products", "--parallel", "2", "--plan"], { cwd });
    assert.equal(plan.code, 0, show([], plan));
    // With a byte order mark, as some editors save a file.
    writeFileSync(join(cwd, "plan.json"), `\uFEFF${plan.stdout}`);
    const { result: run, requests } = await requestsDuring(shop, () => cli(["export", S(), "Products", "--partition", "1/2", "--plan-file", "plan.json", "--out", "p1.ndjson", "--quiet"], { cwd }));
    assert.equal(run.code, 0, show([], run));
    // The plan came from the file: no probe of the key's order was sent to plan again.
    assert.deepEqual(requests.filter((r) => decodeURIComponent(r.path).includes("$orderby")), []);
    // And the rows are the first partition's: every page asked for is filtered to its range.
    const pages = requests.filter((r) => /\/Products(\?|$)/.test(r.path));
    assert.ok(pages.length > 0 && pages.every((r) => decodeURIComponent(r.path).includes("$filter=")), requests.map((r) => r.path).join("\n"));
    assert.ok(readFileSync(join(cwd, "p1.ndjson"), "utf8").length > 0);
  });

  test("wait and cancel: a token file that is missing, not JSON, or names no monitor exits 2 naming it", async () => {
    // Relative paths: the token file is read relative to the run's directory.
    const cwd = tempDir();
    const at = (name: string) => name;
    writeFileSync(join(cwd, "bad.json"), "{nope");
    // With a byte order mark: read as JSON all the same, and then found to name no monitor.
    writeFileSync(join(cwd, "nomonitor.json"), `\uFEFF${JSON.stringify({ statusUrl: "file:///etc/passwd" })}`);
    writeFileSync(join(cwd, "badservice.json"), JSON.stringify({ statusUrl: shop.url("monitor/1"), service: 5 }));
    for (const command of ["wait", "cancel"]) {
      await assertUsage([command, at("missing.json")], /cannot read the token file .*missing\.json: ENOENT/, { cwd });
      await assertUsage([command, at("bad.json")], /the token in .*bad\.json is not JSON/, { cwd });
      await assertUsage([command, at("nomonitor.json")], /the token names no status monitor \(statusUrl\)/, { cwd });
      await assertUsage([command, at("badservice.json")], /the token's service must be a URL or a profile name/, { cwd });
      await assertUsage([command], /the token on stdin is not JSON/, { cwd });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Secrets

const TOKEN = "tok-S3CRET-abcdef123";
const USER = "ann";
const PASSWORD = "pw-S3CRET-987";
const BASIC = Buffer.from(`${USER}:${PASSWORD}`).toString("base64");

describe("4. secrets: never in stdout, stderr, a file written, nor at another origin", () => {
  test("NODE_DEBUG=traverse-odata writes the wire log to the run's stderr, through its mask, as --debug does", async () => {
    const result = await cli(["count", SERVICE, "Products"], { env: { NODE_DEBUG: "traverse-odata", TRAVERSE_ODATA_TOKEN: "tok-node-debug-s3cret" } });
    assert.equal(result.code, 0, show(["count"], result));
    assert.match(result.stderr, /^traverse-odata #1 > GET \S*Products\/\$count/m);
    assert.match(result.stderr, /^traverse-odata #1 < 200 GET \S*Products\/\$count/m);
    assert.ok(!result.stderr.includes("tok-node-debug-s3cret"), result.stderr);
  });

  let echo: RecordingServer;
  let elsewhere: RecordingServer;
  before(async () => {
    elsewhere = await startServer((_request, res) => sendJson(res, 200, { value: [{ ID: 7 }] }));
    echo = await startServer((request, res): void => {
      const path = decodeURIComponent(request.path);
      const authorization = String(request.headers.authorization ?? "");
      if (path.startsWith("/redirect/")) {
        res.writeHead(302, { location: elsewhere.url(path.replace("/redirect/", "/")) });
        res.end();
        return;
      }
      if (path.startsWith("/prefixed/")) return sendJson(res, 401, { error: { code: "Denied", message: `refused Authorization: ${authorization}` } });
      if (path.startsWith("/raw/")) {
        // The credential alone, as some gateways quote it: the token, or basic's text decoded.
        const value = authorization.replace(/^\S+ /, "");
        const decoded = authorization.startsWith("Basic ") ? Buffer.from(value, "base64").toString("utf8") : "";
        return sendJson(res, 401, { error: { code: "Denied", message: `no access for ${value} ${decoded} ${String(request.headers["x-api-key"] ?? "")}` } });
      }
      // No $metadata (a JSON answer to it would be one that cannot be read, which stops a command).
      if (path.endsWith("/$metadata")) return sendJson(res, 404, { error: { code: "NotFound", message: "no metadata" } });
      // A next link that quotes the credential: its message comes from the command line, not from an error body.
      if (path.startsWith("/nextlink/")) return sendJson(res, 200, { value: [], "@odata.nextLink": `http://[${authorization.replace(/^\S+ /, "")}` });
      if (path.startsWith("/jobs/") && request.method === "POST") {
        res.writeHead(202, { location: echo.url("jobs/monitor/1") });
        res.end();
        return;
      }
      if (path.startsWith("/jobs/monitor/")) return sendJson(res, 200, { status: "running" });
      sendJson(res, 200, { value: ROWS });
    });
  });
  after(async () => {
    await echo.close();
    await elsewhere.close();
  });

  const CREDENTIALS: Array<[string, Record<string, string>, string[]]> = [
    ["TRAVERSE_ODATA_TOKEN", { TRAVERSE_ODATA_TOKEN: TOKEN }, [TOKEN]],
    ["basic credentials", { TRAVERSE_ODATA_USER: USER, TRAVERSE_ODATA_PASSWORD: PASSWORD }, [PASSWORD, BASIC]],
  ];
  const commands = (root: string, cwd: string): Array<[string, string[]]> => [
    ["describe", ["describe", root]],
    ["query", ["query", root, "Products"]],
    ["count", ["count", root, "Products"]],
    ["get", ["get", root, "Products", "1"]],
    ["export", ["export", root, "Products", "--out", join(cwd, "x.ndjson")]],
    ["call", ["call", root, "run"]],
  ];

  /** Every file under `dir`, with its text. */
  const filesOf = (dir: string) => readdirSync(dir, { recursive: true, encoding: "utf8" }).map((name) => join(dir, name)).flatMap((file) => {
    try {
      return [[file, readFileSync(file, "utf8")] as const];
    } catch {
      return [];
    }
  });

  for (const [kind, env, secrets] of CREDENTIALS) {
    for (const [form, root] of [
      ["as 'Authorization: <credentials>'", "prefixed"],
      ["raw (the credential alone)", "raw"],
    ] as const) {
      for (const json of [false, true]) {
        test(`${kind} echoed by the service ${form}${json ? ", with --json" : ""}: masked in every command's error and files`, async () => {
          const cwd = tempDir();
          for (const [name, args] of commands(echo.url(`${root}/`), cwd)) {
            const result = await cli(json ? [...args, "--json"] : args, { cwd, env });
            assert.equal(result.code, 3, `${name}\n${show(args, result)}`);
            // The credential went out, and came back masked: the echo is there, as ***.
            assert.equal(echo.requests.at(-1)?.headers.authorization, kind === "basic credentials" ? `Basic ${BASIC}` : `Bearer ${TOKEN}`, name);
            // The service's own echo, masked, not only some *** the client wrote.
            assert.match(`${result.stdout}${result.stderr}`, root === "prefixed" ? /refused Authorization: \*\*\*/ : /no access for \*\*\*/, `${name}\n${show(args, result)}`);
            for (const secret of secrets) {
              assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), `${name} printed a secret\n${show(args, result)}`);
            }
          }
          for (const [file, text] of filesOf(cwd)) for (const secret of secrets) assert.ok(!text.includes(secret), `${file} holds a secret`);
        });
      }
    }

    test(`${kind}: a redirect to another origin is followed without the credentials`, async () => {
      const cwd = tempDir();
      const before = elsewhere.requests.length;
      const result = await cli(["query", echo.url("redirect/odata/"), "Products", "--format", "ndjson"], { cwd, env });
      assert.equal(result.code, 0, show([], result));
      const reached = elsewhere.requests.slice(before);
      assert.ok(reached.length > 0);
      for (const request of reached) assert.equal(request.headers.authorization, undefined, `${request.path} got credentials`);
      for (const secret of secrets) assert.ok(!`${result.stdout}${result.stderr}`.includes(secret));
    });

    test(`${kind}: export writes no credential into its output or checkpoint`, async () => {
      const cwd = tempDir();
      const result = await cli(["export", echo.url("odata/"), "Products", "--out", join(cwd, "x.ndjson")], { cwd, env });
      assert.equal(result.code, 0, show([], result));
      assert.equal(readFileSync(join(cwd, "x.ndjson"), "utf8"), '{"ID":1,"Name":"one"}\n{"ID":2,"Name":"two"}\n');
      for (const [file, text] of filesOf(cwd)) for (const secret of secrets) assert.ok(!text.includes(secret), `${file} holds a secret`);
    });

    test(`${kind}: call --no-wait prints a token that holds no credential; wait with it sends them to the service's origin only`, async () => {
      const cwd = tempDir();
      const started = await cli(["call", echo.url("jobs/"), "export", "--no-wait"], { cwd, env });
      assert.equal(started.code, 0, show([], started));
      for (const secret of secrets) assert.ok(!started.stdout.includes(secret) && !started.stderr.includes(secret), started.stdout);
      const token = JSON.parse(started.stdout) as Record<string, unknown>;
      assert.equal(token["statusUrl"], echo.url("jobs/monitor/1"));
      // The same token with its monitor moved to another origin: the polls there carry no credentials.
      writeFileSync(join(cwd, "job.json"), JSON.stringify({ ...token, statusUrl: elsewhere.url("jobs/monitor/1") }));
      const before = elsewhere.requests.length;
      // A token file named relative to the run's directory.
      const waited = await cli(["wait", "job.json", "--max-wait", "300", "--poll-interval", "50"], { cwd, env });
      // The monitor elsewhere answers 200 with no status: done at the first poll (rule 5).
      assert.equal(waited.code, 0, show([], waited));
      const polls = elsewhere.requests.slice(before);
      assert.deepEqual(
        polls.map((poll) => [poll.method, poll.path, poll.headers.authorization]),
        [["GET", "/jobs/monitor/1", undefined]],
        "one poll, with no credentials, to the other origin",
      );
      // The service's own origin got them: the call's POST.
      const post = echo.requests.findLast((request) => request.method === "POST" && request.path === "/jobs/export");
      assert.equal(post?.headers.authorization, kind === "basic credentials" ? `Basic ${BASIC}` : `Bearer ${TOKEN}`);
      for (const secret of secrets) assert.ok(!`${waited.stdout}${waited.stderr}`.includes(secret), show([], waited));
    });
  }

  test("-H credentials (Authorization, x-api-key) echoed raw by the service are masked", async () => {
    const args = ["count", echo.url("raw/"), "Products", "-H", `Authorization: Bearer ${TOKEN}`, "-H", "x-api-key: k3y-S3CRET-42"];
    const result = await cli(args);
    assert.equal(result.code, 3, show(args, result));
    assert.equal(echo.requests.at(-1)?.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(echo.requests.at(-1)?.headers["x-api-key"], "k3y-S3CRET-42");
    assert.match(result.stderr, /no access for \*\*\* +\*\*\*/, show(args, result));
    assert.ok(!result.stderr.includes(TOKEN) && !result.stderr.includes("k3y-S3CRET-42"), show(args, result));
  });

  test("an -H Authorization token quoted bare in a message the command line writes itself (a next link) is masked", async () => {
    const args = ["query", echo.url("nextlink/"), "Products", "-H", `Authorization: Bearer ${TOKEN}`];
    const result = await cli(args);
    assert.equal(echo.requests.at(-1)?.headers.authorization, `Bearer ${TOKEN}`);
    assert.notEqual(result.code, 0, show(args, result));
    assert.match(result.stderr, /http:\/\/\[\*\*\*/, show(args, result));
    assert.ok(!result.stderr.includes(TOKEN), show(args, result));
  });

  test("a profile's OAuth2 client secret and access token stay out of every output when the service echoes the token", async (t) => {
    const tokens = await startServer((_request, res) => sendJson(res, 200, { access_token: "oauth-ACCESS-t0ken", token_type: "Bearer", expires_in: 3600 }));
    t.after(() => tokens.close());
    const cwd = tempDir();
    writeFileSync(join(cwd, "traverse-odata.config.json"), JSON.stringify({ profiles: { p: { url: echo.url("raw/"), oauth2: { tokenUrl: tokens.url("token"), clientId: "cli", clientSecretEnv: "P_SECRET" } } } }));
    const result = await cli(["count", "p", "Products"], { cwd, env: { P_SECRET: "client-S3CRET-5" } });
    assert.equal(result.code, 3, show([], result));
    assert.equal(echo.requests.at(-1)?.headers.authorization, "Bearer oauth-ACCESS-t0ken");
    const everything = `${result.stdout}${result.stderr}`;
    assert.ok(!everything.includes("client-S3CRET-5") && !everything.includes("oauth-ACCESS-t0ken"), show([], result));
  });
});
