// "Wrong options get a clear error that names what was wrong", checked over the public surface
// (the options of every method and the arguments of the query builders; the client constructor's
// options are test/client-options.test.ts's). Each row of the tables is one method and one option
// (or argument), given a list of wrong values; for each value it asserts that
//   1. a builder or other synchronous method throws, and a method that returns a promise (or an
//      async generator's first step) rejects, with a TypeError or a RangeError;
//   2. the message names the option (and the method, where the library says which);
//   3. nothing reached the recording server.
// Then the same option given as `undefined` is "not given": the call works and sends the request
// it sends without the option (a builder gives the same URL as without it).
// `null` is not an option type: the library's choice is to refuse it like any wrong value (the
// "null" table).
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { ODataClient, createFilterBuilder } from "../src/index.js";
import { ITEMS_METADATA, sendJson, sendText, startServer, type RecordedRequest, type RecordingServer } from "./servers/recording-server.js";

/** What a call did: threw at once, gave a promise that rejected or resolved, or returned a value. */
type Outcome = { kind: "threw" | "rejected"; error: unknown } | { kind: "resolved" | "returned"; value: unknown };

/** Runs `call`; a promise (or an async generator, whose first step is taken) is awaited. */
async function settle(call: () => unknown): Promise<Outcome> {
  let value: unknown;
  try {
    value = call();
  } catch (error) {
    return { kind: "threw", error };
  }
  if (isAsyncGenerator(value)) value = value.next();
  if (value instanceof Promise) {
    try {
      return { kind: "resolved", value: await value };
    } catch (error) {
      return { kind: "rejected", error };
    }
  }
  return { kind: "returned", value };
}

function isAsyncGenerator(value: unknown): value is AsyncGenerator<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { next?: unknown }).next === "function" && Symbol.asyncIterator in value;
}

/** Answers every request the tables make, so that a call given `undefined` works. */
function answer(request: RecordedRequest, res: ServerResponse): void {
  const path = decodeURIComponent(request.path);
  if (path.endsWith("/$metadata")) return sendText(res, 200, ITEMS_METADATA, { "content-type": "application/xml" });
  if (path.includes("/$count")) return sendText(res, 200, "1");
  // A $batch that went asynchronous: send() resolves with pending results, sendAsync() with a poller.
  if (path.endsWith("/$batch")) return void res.writeHead(202, { location: "monitor/1" }).end();
  if (path.includes("delta=")) return sendJson(res, 200, { value: [], "@odata.deltaLink": "Items?delta=2" });
  if (request.method === "GET" && path.includes("/$value")) return sendText(res, 200, "bytes");
  if (request.method === "GET" && path.includes("Items(1)")) return sendJson(res, 200, { ID: 1, "@odata.etag": 'W/"1"' });
  if (request.method === "GET") return sendJson(res, 200, { value: [{ ID: 1 }] });
  res.writeHead(204).end();
}

let server: RecordingServer;
let client: ODataClient;
before(async () => {
  server = await startServer(answer);
  client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false });
});
after(() => server.close());

const items = () => client.collection<Record<string, unknown>>("Items");
const item = () => items().key(1);
/** A wrong value, typed as whatever the call takes: the compiler would refuse most of them. */
const wrong = <T = never>(value: unknown): T => value as T;
const f = () => createFilterBuilder<Record<string, unknown>>();
const urlOf = (value: unknown): string => (value as { url(): string }).url();

/** One wrong value, and how it is shown in the test's name. */
type Bad = [label: string, value: unknown];

interface Row {
  /** `method option`, as the test names say it. */
  name: string;
  /** "async": must reject (never throw synchronously); "sync": must throw. */
  kind: "async" | "sync";
  run(value: unknown): unknown;
  bad: Bad[];
  /** What the message must say (the option's name). */
  names: RegExp;
  /** The request `run(undefined)` sends ("METHOD /path", decoded), among the requests it sends. */
  sends?: string;
  /** For builders: what `run(undefined)` must equal (a URL or filter text), as without the option. */
  same?: () => string;
}

async function assertRefused(row: Row, value: unknown): Promise<void> {
  const before = server.requests.length;
  const outcome = await settle(() => row.run(value));
  const expected = row.kind === "sync" ? "threw" : "rejected";
  if (outcome.kind !== expected) {
    const got = "error" in outcome ? `${outcome.kind} ${String(outcome.error)}` : `${outcome.kind} ${String(outcome.value)}`;
    assert.fail(`expected the call to be ${expected} with a TypeError or RangeError; it ${got}`);
  }
  const { error } = outcome as { error: unknown };
  assert.ok(error instanceof TypeError || error instanceof RangeError, `not a TypeError or RangeError: ${String(error)}`);
  assert.match(error.message, row.names);
  await new Promise((resolve) => setImmediate(resolve));
  const sent = server.requests.slice(before).map((r) => `${r.method} ${r.path}`);
  assert.deepEqual(sent, [], "nothing may be sent for a wrong option");
}

async function assertNotGiven(row: Row): Promise<void> {
  const before = server.requests.length;
  const outcome = await settle(() => row.run(undefined));
  if ("error" in outcome) assert.fail(`given as undefined, the call ${outcome.kind} ${String(outcome.error)}`);
  if (row.same) {
    const value = outcome.value;
    assert.equal(typeof value === "string" ? value : value !== null && typeof value === "object" && "url" in value ? urlOf(value) : String(value), row.same());
  }
  if (row.sends) {
    const sent = server.requests.slice(before).map((r) => `${r.method} ${decodeURIComponent(r.path)}`);
    assert.ok(sent.includes(row.sends), `expected ${row.sends} among ${JSON.stringify(sent)}`);
  }
}

function table(title: string, rows: Row[]): void {
  describe(title, () => {
    for (const row of rows) {
      for (const [label, value] of row.bad) {
        const name = `${row.name}: ${label} is refused, naming it, and nothing is sent`;
        test(name, () => assertRefused(row, value));
      }
      if (row.sends !== undefined || row.same !== undefined) {
        test(`${row.name}: undefined is "not given"`, () => assertNotGiven(row));
      }
    }
  });
}

const NUMBERS_NOT_COUNTS: Bad[] = [["-1", -1], ["1.5", 1.5], ["NaN", NaN], ["Infinity", Infinity], ['"1"', "1"]];
const NOT_SIGNALS: Bad[] = [['"x"', "x"], ["{}", {}], ["1", 1]];

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

table("reading options", [
  { name: "page() readAhead", kind: "async", run: (v) => items().page({ readAhead: wrong(v) }), bad: NUMBERS_NOT_COUNTS, names: /option "readAhead"/, sends: "GET /odata/Items" },
  {
    name: "page() maxPageSize",
    kind: "async",
    run: (v) => items().page({ maxPageSize: wrong(v) }),
    bad: [["0", 0], ...NUMBERS_NOT_COUNTS],
    names: /option "maxPageSize"/,
    sends: "GET /odata/Items",
  },
  {
    name: "page() from",
    kind: "async",
    run: (v) => items().page({ from: wrong(v) }),
    bad: [["1", 1], ["{}", {}], ['""', ""]],
    names: /option "from"/,
    sends: "GET /odata/Items",
  },
  { name: "page() signal", kind: "async", run: (v) => items().page({ signal: wrong(v) }), bad: NOT_SIGNALS, names: /option "signal"/, sends: "GET /odata/Items" },
  { name: "list() readAhead", kind: "async", run: (v) => items().list({ readAhead: wrong(v) }), bad: [["-1", -1], ["NaN", NaN]], names: /option "readAhead"/, sends: "GET /odata/Items" },
  { name: "list() maxPageSize", kind: "async", run: (v) => items().list({ maxPageSize: wrong(v) }), bad: [["0", 0], ["1.5", 1.5]], names: /option "maxPageSize"/, sends: "GET /odata/Items" },
  { name: "pages() readAhead", kind: "async", run: (v) => items().pages({ readAhead: wrong(v) }), bad: [["-1", -1], ["Infinity", Infinity]], names: /option "readAhead"/, sends: "GET /odata/Items" },
  { name: "pages() from", kind: "async", run: (v) => items().pages({ from: wrong(v) }), bad: [["1", 1]], names: /option "from"/, sends: "GET /odata/Items" },
  { name: "stream() maxPageSize", kind: "async", run: (v) => items().stream({ maxPageSize: wrong(v) }), bad: [["0", 0], ["NaN", NaN]], names: /option "maxPageSize"/, sends: "GET /odata/Items" },
  { name: "stream() signal", kind: "async", run: (v) => items().stream({ signal: wrong(v) }), bad: NOT_SIGNALS, names: /option "signal"/, sends: "GET /odata/Items" },
  { name: "first() signal", kind: "async", run: (v) => items().first({ signal: wrong(v) }), bad: NOT_SIGNALS, names: /option "signal"/, sends: "GET /odata/Items?$top=1" },
  { name: "countAll() signal", kind: "async", run: (v) => items().countAll({ signal: wrong(v) }), bad: NOT_SIGNALS, names: /option "signal"/, sends: "GET /odata/Items/$count" },
  { name: "key(1).get() signal", kind: "async", run: (v) => item().get({ signal: wrong(v) }), bad: NOT_SIGNALS, names: /option "signal"/, sends: "GET /odata/Items(1)" },
  { name: 'property("name").get() signal', kind: "async", run: (v) => item().property("name").get({ signal: wrong(v) }), bad: NOT_SIGNALS, names: /option "signal"/, sends: "GET /odata/Items(1)/name" },
  { name: 'property("name").text() signal', kind: "async", run: (v) => item().property("name").text({ signal: wrong(v) }), bad: NOT_SIGNALS, names: /option "signal"/, sends: "GET /odata/Items(1)/name/$value" },
  {
    name: 'property("name").get() timeout',
    kind: "async",
    run: (v) => item().property("name").get({ timeout: wrong(v) }),
    bad: [["-1", -1], ["NaN", NaN], ['"5"', "5"]],
    names: /property\("name"\)\.get\(\): option "timeout"/,
    sends: "GET /odata/Items(1)/name",
  },
  {
    name: 'property("name").text() headers',
    kind: "async",
    run: (v) => item().property("name").text({ headers: wrong(v) }),
    bad: [['"x"', "x"], ["a header value with CR/LF", { "x-a": "1\r\nx-b: 2" }]],
    names: /property\("name"\)\.text\(\): option "headers"/,
    sends: "GET /odata/Items(1)/name/$value",
  },
  {
    name: "delta() maxPageSize",
    kind: "async",
    run: (v) => client.delta("Items?delta=1", { maxPageSize: wrong(v) }),
    bad: [["0", 0], ["1.5", 1.5], ["NaN", NaN], ['"5"', "5"]],
    names: /option "maxPageSize"/,
    sends: "GET /odata/Items?delta=1",
  },
  {
    name: "delta() format",
    kind: "async",
    run: (v) => client.delta("Items?delta=1", { format: wrong(v) }),
    bad: [['"xml"', "xml"], ["1", 1], ['"atom" on a v4 client', "atom"]],
    names: /option "format"/,
    sends: "GET /odata/Items?delta=1",
  },
  { name: "delta() signal", kind: "async", run: (v) => client.delta("Items?delta=1", { signal: wrong(v) }), bad: NOT_SIGNALS, names: /option "signal"/, sends: "GET /odata/Items?delta=1" },
  { name: "metadata() signal", kind: "async", run: (v) => client.metadata({ signal: wrong(v) }), bad: NOT_SIGNALS, names: /option "signal"/ },
  { name: "function().pages() readAhead", kind: "async", run: (v) => client.function("f").pages({ readAhead: wrong(v) }), bad: [["-1", -1]], names: /option "readAhead"/, sends: "GET /odata/f()" },
  { name: "function().stream() maxPageSize", kind: "async", run: (v) => client.function("f").stream({ maxPageSize: wrong(v) }), bad: [["0", 0]], names: /option "maxPageSize"/, sends: "GET /odata/f()" },
]);

table("partitions", [
  {
    name: "partitions(n) n",
    kind: "async",
    run: (v) => items().partitions(wrong(v)),
    bad: [["0", 0], ["1001", 1001], ...NUMBERS_NOT_COUNTS],
    names: /partitions\(n\): n must/,
  },
  {
    name: "partitions(n) strategy",
    kind: "async",
    run: (v) => items().partitions(2, { strategy: wrong(v) }),
    bad: [['"x"', "x"], ["1", 1]],
    names: /option "strategy"/,
    sends: "GET /odata/Items/$count",
  },
  {
    name: "partitions(n) key",
    kind: "async",
    run: (v) => items().partitions(2, { key: wrong(v) }),
    bad: [['""', ""], ["[]", []], ['"a b"', "a b"], ["1", 1]],
    names: /option "key"/,
    sends: "GET /odata/Items/$count",
  },
  {
    name: "partitions(n) model",
    kind: "async",
    run: (v) => items().partitions(2, { model: wrong(v) }),
    bad: [
      ['"x"', "x"],
      ["{}", {}],
    ],
    names: /option "model"/,
    sends: "GET /odata/Items/$count",
  },
  { name: "partitions(n) signal", kind: "async", run: (v) => items().partitions(2, { signal: wrong(v) }), bad: NOT_SIGNALS, names: /option "signal"/, sends: "GET /odata/Items/$count" },
]);

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------


table("write options", [
  {
    name: "create() prefer",
    kind: "async",
    run: (v) => items().create({ ID: 2 }, { prefer: wrong(v) }),
    bad: [['"x"', "x"], ['""', ""], ["true", true], ['"return=minimal"', "return=minimal"]],
    names: /create\(entity\): option "prefer"/,
    sends: "POST /odata/Items",
  },
  { name: "create() deep", kind: "async", run: (v) => items().create({ ID: 2 }, { deep: wrong(v) }), bad: [['"yes"', "yes"], ["1", 1]], names: /create\(entity\): option "deep"/, sends: "POST /odata/Items" },
  { name: "create() signal", kind: "async", run: (v) => items().create({ ID: 2 }, { signal: wrong(v) }), bad: NOT_SIGNALS, names: /option "signal"/, sends: "POST /odata/Items" },
  {
    name: "create() headers",
    kind: "async",
    run: (v) => items().create({ ID: 2 }, { headers: wrong(v) }),
    bad: [
      ['"x"', "x"],
      ["a number value", { "x-a": 1 }],
      ["a value with CR/LF", { "x-a": "a\r\nb: c" }],
      ["an invalid name", { "bad name": "x" }],
      ["a header the transport sets", { "Content-Length": "5" }],
      ["one name twice", { "X-A": "1", "x-a": "2" }],
      ["a character beyond U+00FF", { "x-a": "5 \u20ac" }],
    ],
    names: /option "headers"/,
    sends: "POST /odata/Items",
  },
  {
    name: "update() etag",
    kind: "async",
    run: (v) => item().update({ a: 1 }, { etag: wrong(v) }),
    bad: [['""', ""], ["CR/LF", 'W/"1"\r\nx: y'], ["1", 1], ["true", true], ["an entity without ETag", { ID: 1 }]],
    names: /update\(patch\): .*option "etag"/,
    sends: "PATCH /odata/Items(1)",
  },
  {
    name: "update() ifMatch",
    kind: "async",
    run: (v) => item().update({ a: 1 }, { ifMatch: wrong(v) }),
    bad: [['""', ""], ["LF", "a\nb"], ["1", 1], ["{}", {}]],
    names: /update\(patch\): option "ifMatch"/,
    sends: "PATCH /odata/Items(1)",
  },
  { name: "update() prefer", kind: "async", run: (v) => item().update({ a: 1 }, { prefer: wrong(v) }), bad: [['"x"', "x"]], names: /update\(patch\): option "prefer"/, sends: "PATCH /odata/Items(1)" },
  {
    name: "update() tunnel",
    kind: "async",
    run: (v) => item().update({ a: 1 }, { tunnel: wrong(v) }),
    bad: [['"yes"', "yes"], ["1", 1]],
    names: /option "tunnel"/,
    sends: "PATCH /odata/Items(1)",
  },
  { name: "replace() ifMatch", kind: "async", run: (v) => item().replace({ a: 1 }, { ifMatch: wrong(v) }), bad: [["CR/LF", "a\r\n"]], names: /replace\(entity\): option "ifMatch"/, sends: "PUT /odata/Items(1)" },
  { name: "delete() ifMatch", kind: "async", run: (v) => item().delete({ ifMatch: wrong(v) }), bad: [['""', ""], ["1", 1]], names: /delete\(\): option "ifMatch"/, sends: "DELETE /odata/Items(1)" },
  { name: "delete() etag", kind: "async", run: (v) => item().delete({ etag: wrong(v) }), bad: [["1", 1], ["CR/LF", "a\r\nb"]], names: /delete\(\): option "etag"/, sends: "DELETE /odata/Items(1)" },
  {
    name: "upsert() ifNoneMatch",
    kind: "async",
    run: (v) => item().upsert({ a: 1 }, { ifNoneMatch: wrong(v) }),
    bad: [['"x"', "x"], ['""', ""], ["true", true]],
    names: /upsert\(entity\): option "ifNoneMatch"/,
    sends: "PATCH /odata/Items(1)",
  },
  {
    name: "upsert() replace",
    kind: "async",
    run: (v) => item().upsert({ a: 1 }, { replace: wrong(v) }),
    bad: [['"no"', "no"]],
    names: /option "replace"/,
    sends: "PATCH /odata/Items(1)",
  },
  {
    name: "link() headers",
    kind: "async",
    run: (v) => item().link(wrong("tags"), items().key(2), { headers: wrong(v) }),
    bad: [["a value with CR/LF", { "x-a": "a\r\nb" }]],
    names: /option "headers"/,
    sends: "POST /odata/Items(1)/tags/$ref",
  },
  {
    name: "link() tunnel",
    kind: "async",
    run: (v) => item().setLink(wrong("tag"), items().key(2), { tunnel: wrong(v) }),
    bad: [['"x"', "x"]],
    names: /option "tunnel"/,
    sends: "PUT /odata/Items(1)/tag/$ref",
  },
]);

table("media options", [
  {
    name: "media().put() contentType",
    kind: "async",
    run: (v) => item().media().put("x", { contentType: wrong(v) }),
    bad: [['""', ""], ['"text"', "text"], ["CR/LF", "text/plain\r\nx: y"], ["1", 1], ["undefined (a required option)", undefined]],
    names: /media\(\)\.put\(content\): option "contentType"/,
  },
  { name: "media().put() ifMatch", kind: "async", run: (v) => item().media().put("x", { contentType: "text/plain", ifMatch: wrong(v) }), bad: [["CR/LF", "a\r\n"]], names: /option "ifMatch"/, sends: "PUT /odata/Items(1)/$value" },
  { name: "media().bytes() signal", kind: "async", run: (v) => item().media().bytes({ signal: wrong(v) }), bad: NOT_SIGNALS, names: /option "signal"/, sends: "GET /odata/Items(1)/$value" },
  { name: "media().text() signal", kind: "async", run: (v) => item().media().text({ signal: wrong(v) }), bad: NOT_SIGNALS, names: /option "signal"/, sends: "GET /odata/Items(1)/$value" },
  { name: "media().stream() signal", kind: "async", run: (v) => item().media().stream({ signal: wrong(v) }), bad: NOT_SIGNALS, names: /option "signal"/ },
  { name: "createMedia() contentType", kind: "async", run: (v) => items().createMedia("x", { contentType: wrong(v) }), bad: [["1", 1], ['"x"', "x"]], names: /createMedia\(content\): option "contentType"/ },
  { name: "createMedia() prefer", kind: "async", run: (v) => items().createMedia("x", { contentType: "text/plain", prefer: wrong(v) }), bad: [['"x"', "x"]], names: /option "prefer"/, sends: "POST /odata/Items" },
  {
    name: "createMedia() slug",
    kind: "async",
    run: (v) => items().createMedia("x", { contentType: "text/plain", slug: wrong(v) }),
    bad: [
      ["42", 42],
      ["{}", {}],
    ],
    names: /option "slug"/,
    sends: "POST /odata/Items",
  },
]);

// ---------------------------------------------------------------------------------------------
// Actions and functions
// ---------------------------------------------------------------------------------------------

table("operation options", [
  {
    name: "action().invoke() etag",
    kind: "async",
    run: (v) => client.action("go").invoke({}, { etag: wrong(v) }),
    bad: [['""', ""], ["1", 1], ["CR/LF", "a\r\nb"]],
    names: /action\("go"\)\.invoke\(\): option "etag"/,
    sends: "POST /odata/go",
  },
  { name: "action().invoke() ifMatch", kind: "async", run: (v) => client.action("go").invoke({}, { ifMatch: wrong(v) }), bad: [["CR/LF", "a\r\n"], ["1", 1]], names: /option "ifMatch"/, sends: "POST /odata/go" },
  { name: "action().invoke() signal", kind: "async", run: (v) => client.action("go").invoke({}, { signal: wrong(v) }), bad: NOT_SIGNALS, names: /option "signal"/, sends: "POST /odata/go" },
  { name: "action().invoke() params", kind: "async", run: (v) => client.action("go").invoke(wrong(v)), bad: [['"x"', "x"], ["[1]", [1]], ["a function value", { a: () => 1 }]], names: /action\("go"\)/, sends: "POST /odata/go" },
  { name: "function().get() signal", kind: "async", run: (v) => client.function("f").get({ signal: wrong(v) }), bad: NOT_SIGNALS, names: /option "signal"/, sends: "GET /odata/f()" },
  {
    name: "function(name, params) params",
    kind: "sync",
    run: (v) => client.function("f", wrong(v)),
    bad: [['"x"', "x"], ["a symbol value", { a: Symbol("s") }], ["a bad name", { "a b": 1 }]],
    names: /function\("f"\)/,
    same: () => client.function("f").url(),
  },
  {
    name: "action(name, { namespace })",
    kind: "sync",
    run: (v) => item().action("go", { namespace: wrong(v) }),
    bad: [['""', ""], ['"a b"', "a b"], ["1", 1]],
    names: /action\("go"\): the namespace/,
    same: () => item().action("go").url(),
  },
  {
    name: "function(name, params, { namespace })",
    kind: "sync",
    run: (v) => item().function("f", {}, { namespace: wrong(v) }),
    bad: [['""', ""], ['"a/b"', "a/b"]],
    names: /function\("f"\): the namespace/,
    same: () => item().function("f").url(),
  },
]);

// ---------------------------------------------------------------------------------------------
// Long-running operations: the poller's options on every method that makes a poller
// ---------------------------------------------------------------------------------------------

const POLLER_BAD: [option: string, bad: Bad[]][] = [
  ["pollInterval", [["-1", -1], ["NaN", NaN], ["Infinity", Infinity], ['"5"', "5"]]],
  ["maxWait", [["0", 0], ["-1", -1], ["NaN", NaN], ['"5"', "5"]]],
  ["onProgress", [['"x"', "x"], ["{}", {}], ["1", 1]]],
  ["signal", NOT_SIGNALS],
];

/** A poller's token as text, its deadline left out (it is the clock's): what its options made of it. */
const tokenText = (poller: { toJSON(): object }): string => JSON.stringify({ ...poller.toJSON(), deadline: null });

const POLLER_METHODS: { name: string; kind: "async" | "sync"; run(options: object): unknown; sends?: string; same?: () => string }[] = [
  { name: "createAsync()", kind: "async", run: (o) => items().createAsync({ ID: 2 }, o), sends: "POST /odata/Items" },
  { name: "updateAsync()", kind: "async", run: (o) => item().updateAsync({ a: 1 }, o), sends: "PATCH /odata/Items(1)" },
  { name: "replaceAsync()", kind: "async", run: (o) => item().replaceAsync({ a: 1 }, o), sends: "PUT /odata/Items(1)" },
  { name: "deleteAsync()", kind: "async", run: (o) => item().deleteAsync(o), sends: "DELETE /odata/Items(1)" },
  { name: "action().invokeAsync()", kind: "async", run: (o) => client.action("go").invokeAsync({}, o), sends: "POST /odata/go" },
  { name: "function().getAsync()", kind: "async", run: (o) => client.function("f").getAsync(o), sends: "GET /odata/f()" },
  {
    name: "batch().sendAsync()",
    kind: "async",
    run(o) {
      const batch = client.batch();
      batch.get(item());
      return batch.sendAsync(o);
    },
    sends: "POST /odata/$batch",
  },
  // They send nothing: given as undefined, an option leaves the token as without it (maxWait's default among it).
  { name: "asyncPoller()", kind: "sync", run: (o) => tokenText(client.asyncPoller("monitor/1", o)), same: () => tokenText(client.asyncPoller("monitor/1")) },
  {
    name: "resumeAsync()",
    kind: "sync",
    run: (o) => tokenText(client.resumeAsync(client.asyncPoller("monitor/1").toJSON(), o)),
    same: () => tokenText(client.resumeAsync(client.asyncPoller("monitor/1").toJSON())),
  },
];

table(
  "poller options (spec/async-poller.md: checked before anything is sent)",
  POLLER_METHODS.flatMap((method) =>
    POLLER_BAD.map(([option, bad]): Row => ({
      name: `${method.name} ${option}`,
      kind: method.kind,
      run: (v) => method.run({ [option]: v }),
      bad,
      names: new RegExp(`option "${option}"`),
      ...(method.sends === undefined ? { same: method.same as () => string } : { sends: method.sends }),
    })),
  ),
);

table("the other options of the ...Async methods", [
  { name: "createAsync() deep", kind: "async", run: (v) => items().createAsync({ ID: 2 }, { deep: wrong(v) }), bad: [['"x"', "x"]], names: /createAsync\(body\): option "deep"/, sends: "POST /odata/Items" },
  { name: "updateAsync() etag", kind: "async", run: (v) => item().updateAsync({ a: 1 }, { etag: wrong(v) }), bad: [['""', ""], ["1", 1]], names: /option "etag"/, sends: "PATCH /odata/Items(1)" },
  { name: "deleteAsync() ifMatch", kind: "async", run: (v) => item().deleteAsync({ ifMatch: wrong(v) }), bad: [["LF", "a\nb"]], names: /option "ifMatch"/, sends: "DELETE /odata/Items(1)" },
  { name: "invokeAsync() etag", kind: "async", run: (v) => client.action("go").invokeAsync({}, { etag: wrong(v) }), bad: [["1", 1]], names: /option "etag"/, sends: "POST /odata/go" },
  { name: "createAsync() options", kind: "async", run: (v) => items().createAsync({ ID: 2 }, wrong(v)), bad: [['"x"', "x"]], names: /options must be an object/, sends: "POST /odata/Items" },
]);

// ---------------------------------------------------------------------------------------------
// $batch
// ---------------------------------------------------------------------------------------------

/** A batch of one GET, sent with `options`. */
function sendOneGet(options: object): Promise<unknown> {
  const batch = client.batch();
  batch.get(item());
  return batch.send(options);
}


test("batch() with a boundary that holds CR/LF: writing it rejects with a TypeError naming the boundary, and nothing is sent", async () => {
  // Fixed boundaries are for tests; their shape is checked by batch(), their text when written.
  const batch = client.batch({ boundaries: { batch: "b\r\nX-Injected: 1", changeset: (n: number) => `c${n}` } });
  batch.get(item());
  const sent = server.requests.length;
  await assert.rejects(batch.send(), (error: unknown) => error instanceof TypeError && /"b\\r\\nX-Injected: 1" is not a multipart boundary the client writes/.test(error.message));
  await assert.rejects(batch.toRequest(), TypeError);
  assert.equal(server.requests.length, sent);
});

/** Sends `batch` with one GET in it: given as undefined, its options leave a batch that goes out. */
function sendOne(batch: ReturnType<ODataClient["batch"]>): Promise<unknown> {
  batch.get(item());
  return batch.send();
}

table("batch options", [
  { name: "batch() format", kind: "sync", run: (v) => sendOne(client.batch({ format: wrong(v) })), bad: [['"xml"', "xml"], ["1", 1]], names: /batch\(options\): option "format"/, sends: "POST /odata/$batch" },
  {
    name: "batch() boundaries",
    kind: "sync",
    run: (v) => sendOne(client.batch({ boundaries: wrong(v) })),
    bad: [
      ['"x"', "x"],
    ],
    names: /option "boundaries"/,
    sends: "POST /odata/$batch",
  },
  { name: "send() signal", kind: "async", run: (v) => sendOneGet({ signal: v }), bad: NOT_SIGNALS, names: /option "signal"/, sends: "POST /odata/$batch" },
  {
    name: "send() continueOnError",
    kind: "async",
    run: (v) => sendOneGet({ continueOnError: v }),
    bad: [['"no"', "no"], ["1", 1]],
    names: /option "continueOnError"/,
    sends: "POST /odata/$batch",
  },
  {
    name: "send() continuation",
    kind: "async",
    run: (v) => sendOneGet({ continuation: v }),
    bad: [
      ["{ pollInterval: -1 }", { pollInterval: -1 }],
      ["{ maxWait: 0 }", { maxWait: 0 }],
      ['{ onProgress: "x" }', { onProgress: "x" }],
    ],
    names: /option "(pollInterval|maxWait|onProgress)"/,
    sends: "POST /odata/$batch",
  },
  {
    name: "sendAsync() continueOnError",
    kind: "async",
    run(v) {
      const batch = client.batch();
      batch.get(item());
      return batch.sendAsync({ continueOnError: wrong(v) });
    },
    bad: [['"no"', "no"]],
    names: /option "continueOnError"/,
    sends: "POST /odata/$batch",
  },
  {
    name: "toRequest() continueOnError",
    kind: "async",
    run(v) {
      const batch = client.batch();
      batch.get(item());
      return batch.toRequest({ continueOnError: wrong(v) });
    },
    bad: [['"no"', "no"]],
    names: /option "continueOnError"/,
  },
  {
    name: "batch.action() etag",
    kind: "sync",
    run(v) {
      const batch = client.batch();
      batch.action("go", {}, { etag: wrong(v) });
      return batch.send();
    },
    bad: [['""', ""], ["CR/LF", "a\r\nb"], ["1", 1]],
    names: /action\("go"\): option "etag"/,
    sends: "POST /odata/$batch",
  },
  {
    name: "batch.action() bound",
    kind: "sync",
    run(v) {
      const batch = client.batch();
      batch.action("go", {}, { bound: wrong(v) });
      return batch.send();
    },
    bad: [['"x"', "x"]],
    names: /bound/,
    sends: "POST /odata/$batch",
  },
  {
    name: "batch.update() ifMatch",
    kind: "async",
    run(v) {
      const batch = client.batch();
      batch.update(item(), { a: 1 }, { ifMatch: wrong(v) });
      return batch.send();
    },
    bad: [["CR/LF", "a\r\n"]],
    names: /update\(patch\): option "ifMatch"/,
    sends: "POST /odata/$batch",
  },
  {
    name: "batch.create() prefer",
    kind: "async",
    run(v) {
      const batch = client.batch();
      batch.create(items(), { ID: 2 }, { prefer: wrong(v) });
      return batch.send();
    },
    bad: [['"x"', "x"]],
    names: /create\(entity\): option "prefer"/,
    sends: "POST /odata/$batch",
  },
  {
    name: "batch.update() headers",
    kind: "async",
    run(v) {
      const batch = client.batch();
      batch.update(item(), { a: 1 }, { headers: wrong(v) });
      return batch.send();
    },
    bad: [["a value with CR/LF", { "x-a": "v\r\nx-injected: 1" }]],
    names: /option "headers"/,
    sends: "POST /odata/$batch",
  },
  {
    name: "batch.request() headers",
    // Checked when the batch is sent, as a write's are.
    kind: "async",
    run(v) {
      const batch = client.batch();
      batch.request({ method: "GET", url: "Items", headers: wrong(v) });
      return batch.send();
    },
    bad: [
      ["a value with CR/LF", { "x-a": "v\r\nGET /odata/Secret HTTP/1.1" }],
      ["an invalid name", { "bad name": "x" }],
      ["one name twice", { "X-A": "1", "x-a": "2" }],
    ],
    names: /headers/,
    sends: "POST /odata/$batch",
  },
]);

// ---------------------------------------------------------------------------------------------
// Query builders: arguments are checked when the builder is called, and nothing is ever sent
// ---------------------------------------------------------------------------------------------


table("query builders", [
  { name: "top(n)", kind: "sync", run: (v) => items().top(wrong(v)), bad: [...NUMBERS_NOT_COUNTS, ["undefined (a required argument)", undefined]], names: /top\(n\)/ },
  { name: "skip(n)", kind: "sync", run: (v) => items().skip(wrong(v)), bad: NUMBERS_NOT_COUNTS, names: /skip\(n\)/ },
  {
    name: "orderBy(field, direction) direction",
    kind: "sync",
    run: (v) => items().orderBy("ID", wrong(v)),
    bad: [['"up"', "up"], ['"ASC"', "ASC"], ["1", 1]],
    names: /orderBy\(field\): the direction/,
    same: () => items().orderBy("ID").url(),
  },
  { name: "orderBy(field) field", kind: "sync", run: (v) => items().orderBy(wrong(v)), bad: [['""', ""], ["1", 1], ['"a b"', "a b"]], names: /orderBy\(field\)/ },
  {
    name: "count(enabled)",
    kind: "sync",
    run: (v) => items().count(wrong(v)),
    bad: [['"yes"', "yes"], ["1", 1], ["0", 0]],
    names: /count\(enabled\)/,
    same: () => items().count().url(),
  },
  { name: "select(...fields)", kind: "sync", run: (v) => items().select(wrong(v)), bad: [['""', ""], ["1", 1], ['"ID,Name"', "ID,Name"], ["CR/LF", "ID\r\n"]], names: /select\(fields\)/ },
  { name: "expand(nav) nav", kind: "sync", run: (v) => items().expand(wrong(v)), bad: [['""', ""], ["1", 1], ['"a b"', "a b"]], names: /expand\(nav\)/ },
  {
    name: "expand(nav, build) build",
    kind: "sync",
    run: (v) => items().expand(wrong("tags"), wrong(v)),
    bad: [['"x"', "x"], ["{}", {}], ["a function that returns nothing", () => undefined]],
    names: /expand\(nav\)/,
    same: () => items().expand(wrong("tags")).url(),
  },
  {
    name: "expand(nav, (q) => q.levels(n))",
    kind: "sync",
    run: (v) => items().expand(wrong("tags"), (q) => q.levels(wrong(v))),
    bad: [["0", 0], ["-1", -1], ["1.5", 1.5], ['"x"', "x"]],
    names: /levels\(n\)/,
  },
  { name: "expand(nav, (q) => q.top(n))", kind: "sync", run: (v) => items().expand(wrong("tags"), (q) => q.top(wrong(v))), bad: [["NaN", NaN], ["-1", -1]], names: /top\(n\)/ },
  {
    name: "expand(nav, (q) => q.count(enabled))",
    kind: "sync",
    run: (v) => items().expand(wrong("tags"), (q) => q.count(wrong(v))),
    bad: [['"x"', "x"]],
    names: /count\(enabled\)/,
    same: () => items().expand(wrong("tags"), (q) => q.count()).url(),
  },
  { name: "search(expression)", kind: "sync", run: (v) => items().search(wrong(v)), bad: [['""', ""], ["1", 1], ['"(a"', "(a"]], names: /search\(expression\)/ },
  { name: "apply(expression)", kind: "sync", run: (v) => items().apply(wrong(v)), bad: [['""', ""], ["{}", {}], ['"a;b"', "a;b"]], names: /apply\(expression\)/ },
  { name: "compute(expression)", kind: "sync", run: (v) => items().compute(wrong(v)), bad: [['""', ""], ["1", 1]], names: /compute\(expression\)/ },
  { name: "filter(expression)", kind: "sync", run: (v) => items().filter(wrong(v)), bad: [['""', ""], ["1", 1], ["{}", {}], ['"(a"', "(a"]], names: /filter\(expression\)|\$filter/ },
  { name: "key(value)", kind: "sync", run: (v) => items().key(wrong(v)), bad: [["undefined (a required argument)", undefined], ["{}", {}], ["[1]", [1]], ["a function", () => 1], ["a nested object", { A: {} }]], names: /key\(/ },
  { name: "param(name, value) name", kind: "sync", run: (v) => items().param(wrong(v), "x"), bad: [['"a b"', "a b"], ['"$top"', "$top"], ["1", 1]], names: /param\(name\)/ },
  { name: "param(name, value) value", kind: "sync", run: (v) => items().param("a", wrong(v)), bad: [["{}", {}], ["undefined (a required argument)", undefined]], names: /param\(a, value\)/ },
  { name: "property(name)", kind: "sync", run: (v) => item().property(wrong(v)), bad: [["undefined (a required argument)", undefined], ['""', ""], ['"a b"', "a b"], ["1", 1]], names: /property\(name\)/ },
  { name: "media(property)", kind: "sync", run: (v) => item().media(wrong(v)), bad: [['"a b"', "a b"], ["1", 1]], names: /media\(property\)/, same: () => item().media().url() },
]);


table("filter builder", [
  { name: "f.in(field, values) values", kind: "sync", run: (v) => f().in("ID", wrong(v)), bad: [["1", 1], ['"1,2"', "1,2"], ["{}", {}]], names: /f\.in\(field, values\)/ },
  { name: "f.eq(field) field", kind: "sync", run: (v) => f().eq(wrong(v), 1), bad: [['""', ""], ['"a b"', "a b"]], names: /f\.eq\(field\)/ },
  {
    name: "f.substring(field, start) start",
    kind: "sync",
    run: (v) => f().substring("Name", wrong(v)),
    bad: [["-1", -1], ["1.5", 1.5], ["NaN", NaN], ['"1"', "1"]],
    names: /substring/,
  },
  {
    name: "f.substring(field, start, length) length",
    kind: "sync",
    run: (v) => f().substring("Name", 1, wrong(v)),
    bad: [["-1", -1], ["Infinity", Infinity]],
    names: /substring/,
    same: () => String(f().substring("Name", 1)),
  },
  {
    name: "f.any(path, predicate, { as })",
    kind: "sync",
    run: (v) => f().any("tags", (x) => x.eq(x.self, 1), { as: wrong(v) }),
    bad: [['""', ""], ['"1a"', "1a"], ["1", 1]],
    names: /f\.any\(\{ as \}\)/,
    same: () => String(f().any("tags", (x) => x.eq(x.self, 1))),
  },
  { name: "f.any(path, predicate) predicate", kind: "sync", run: (v) => f().any("tags", wrong(v)), bad: [['"x"', "x"]], names: /f\.any\(path, predicate\)/, same: () => String(f().any("tags")) },
  { name: "f.all(path, predicate) predicate", kind: "sync", run: (v) => f().all("tags", wrong(v)), bad: [["undefined (a required argument)", undefined], ["1", 1]], names: /f\.all\(path, predicate\)/ },
  { name: "f.cast(field, type) type", kind: "sync", run: (v) => f().cast("a", wrong(v)), bad: [['"not a type"', "not a type"], ["1", 1]], names: /f\.cast\(\) type/ },
  { name: "f.raw(text)", kind: "sync", run: (v) => f().raw(wrong(v)), bad: [['""', ""], ["1", 1]], names: /f\.raw\(text\)/ },
  { name: "f.not(expression)", kind: "sync", run: (v) => f().not(wrong(v)), bad: [['"a eq 1"', "a eq 1"]], names: /f\.not\(expression\)/ },
]);

// ---------------------------------------------------------------------------------------------
// null: not an option type; the library refuses it like any wrong value
// ---------------------------------------------------------------------------------------------


table("null is refused, not taken as not given", [
  { name: "page() signal", kind: "async", run: () => items().page({ signal: wrong(null) }), bad: [["null", null]], names: /option "signal"/ },
  { name: "page() maxPageSize", kind: "async", run: () => items().page({ maxPageSize: wrong(null) }), bad: [["null", null]], names: /option "maxPageSize"/ },
  { name: "page() from", kind: "async", run: () => items().page({ from: wrong(null) }), bad: [["null", null]], names: /option "from"/ },
  { name: "create() prefer", kind: "async", run: () => items().create({ ID: 2 }, { prefer: wrong(null) }), bad: [["null", null]], names: /option "prefer"/ },
  { name: "create() deep", kind: "async", run: () => items().create({ ID: 2 }, { deep: wrong(null) }), bad: [["null", null]], names: /option "deep"/ },
  { name: "update() etag", kind: "async", run: () => item().update({ a: 1 }, { etag: wrong(null) }), bad: [["null", null]], names: /option "etag"/ },
  { name: "update() ifMatch", kind: "async", run: () => item().update({ a: 1 }, { ifMatch: wrong(null) }), bad: [["null", null]], names: /option "ifMatch"/ },
  { name: "createAsync() pollInterval", kind: "async", run: () => items().createAsync({ ID: 2 }, { pollInterval: wrong(null) }), bad: [["null", null]], names: /option "pollInterval"/ },
  { name: "createAsync() maxWait", kind: "async", run: () => items().createAsync({ ID: 2 }, { maxWait: wrong(null) }), bad: [["null", null]], names: /option "maxWait"/ },
  { name: "createAsync() onProgress", kind: "async", run: () => items().createAsync({ ID: 2 }, { onProgress: wrong(null) }), bad: [["null", null]], names: /option "onProgress"/ },
  { name: "orderBy() direction", kind: "sync", run: () => items().orderBy("ID", wrong(null)), bad: [["null", null]], names: /direction/ },
  { name: "expand() build", kind: "sync", run: () => items().expand(wrong("tags"), wrong(null)), bad: [["null", null]], names: /expand\(nav\)/ },
  { name: "top(n)", kind: "sync", run: () => items().top(wrong(null)), bad: [["null", null]], names: /top\(n\)/ },
  { name: "f.any() as", kind: "sync", run: () => f().any("tags", (x) => x.eq(x.self, 1), { as: wrong(null) }), bad: [["null", null]], names: /as/ },
  { name: "page() readAhead", kind: "async", run: () => items().page({ readAhead: wrong(null) }), bad: [["null", null]], names: /option "readAhead"/ },
  { name: 'property("name").get() signal', kind: "async", run: () => item().property("name").get({ signal: wrong(null) }), bad: [["null", null]], names: /option "signal"/ },
  { name: 'property("name").text() timeout', kind: "async", run: () => item().property("name").text({ timeout: wrong(null) }), bad: [["null", null]], names: /option "timeout"/ },
  { name: "delta() format", kind: "async", run: () => client.delta("Items?delta=1", { format: wrong(null) }), bad: [["null", null]], names: /option "format"/ },
  { name: "batch() format", kind: "sync", run: () => client.batch({ format: wrong(null) }), bad: [["null", null]], names: /option "format"/ },
  { name: "partitions() strategy", kind: "async", run: () => items().partitions(2, { strategy: wrong(null) }), bad: [["null", null]], names: /option "strategy"/ },
  { name: "update() tunnel", kind: "async", run: () => item().update({ a: 1 }, { tunnel: wrong(null) }), bad: [["null", null]], names: /option "tunnel"/ },
  { name: "count(enabled)", kind: "sync", run: () => items().count(wrong(null)), bad: [["null", null]], names: /count\(enabled\)/ },
]);

describe("unknown option names", () => {
  test("are refused by a read too, naming the option (and the one meant, where only its case differs) and the method; nothing is sent", async () => {
    // Every read is in the table "options a read cannot take" below.
    const before = server.requests.length;
    await assert.rejects(items().page(wrong({ readahead: -1, top: 5 })), {
      name: "TypeError",
      message: 'page() has no option "readahead" (did you mean "readAhead"?); it takes signal, timeout, onResponse, headers, readAhead, from, maxPageSize',
    });
    assert.equal(server.requests.length, before);
  });

  test("are refused by a write, naming the option (and the one meant, where only its case differs) and the method; nothing is sent", async () => {
    // Every write is in test/write-unknown-options.test.ts.
    const before = server.requests.length;
    await assert.rejects(items().create({ ID: 2 }, wrong({ Prefer: "x", etag: 1 })), (error: unknown) => error instanceof TypeError && error.message.startsWith('create(entity) has no option "Prefer" (did you mean "prefer"?); it takes '));
    await assert.rejects(items().createAsync({ ID: 2 }, wrong({ pollinterval: -1 })), (error: unknown) => error instanceof TypeError && error.message.startsWith('createAsync(body) has no option "pollinterval" (did you mean "pollInterval"?); it takes '));
    assert.equal(server.requests.length, before);
  });
});

// ---------------------------------------------------------------------------------------------
// Options a read cannot take: options that are no object (`page(5)`, `stream(100)` taken for a
// page size, `get("title")`), and a member it does not take (`countAll({ tiemout: 5 })`, or one of
// the reading layer's own, `top` or `where`), are refused as a write's are, before anything is sent
// ---------------------------------------------------------------------------------------------

const READ_TAKES = "signal, timeout, onResponse, headers, readAhead, from, maxPageSize";
const SINGLE_TAKES = "signal, timeout, onResponse, headers";
const POLLER_TAKES = "signal, timeout, onResponse, pollInterval, maxWait, onProgress";

interface ReadCall {
  /** The method as its messages name it. */
  call: string;
  run(options: unknown): unknown;
  /** "it takes ..." of its message. */
  takes: string;
  /** What `run(undefined)` sends, as the tables above say it. */
  sends?: string;
  /** A builder that throws rather than rejects (it sends nothing either way). */
  sync?: boolean;
}

/** A batch that holds one read, as `send()` and the others are given. */
const oneRead = () => {
  const batch = client.batch();
  batch.get(item());
  return batch;
};

const READ_CALLS: ReadCall[] = [
  { call: "page()", run: (o) => items().page(wrong(o)), takes: READ_TAKES, sends: "GET /odata/Items" },
  { call: "pages()", run: (o) => items().pages(wrong(o)), takes: READ_TAKES, sends: "GET /odata/Items" },
  { call: "stream()", run: (o) => items().stream(wrong(o)), takes: READ_TAKES, sends: "GET /odata/Items" },
  { call: "list()", run: (o) => items().list(wrong(o)), takes: READ_TAKES, sends: "GET /odata/Items" },
  { call: "first()", run: (o) => items().first(wrong(o)), takes: SINGLE_TAKES, sends: "GET /odata/Items?$top=1" },
  { call: "countAll()", run: (o) => items().countAll(wrong(o)), takes: SINGLE_TAKES, sends: "GET /odata/Items/$count" },
  { call: "get()", run: (o) => item().get(wrong(o)), takes: SINGLE_TAKES, sends: "GET /odata/Items(1)" },
  { call: 'property("name").get()', run: (o) => item().property("name").get(wrong(o)), takes: SINGLE_TAKES, sends: "GET /odata/Items(1)/name" },
  { call: 'property("name").text()', run: (o) => item().property("name").text(wrong(o)), takes: SINGLE_TAKES, sends: "GET /odata/Items(1)/name/$value" },
  { call: 'property("name").bytes()', run: (o) => item().property("name").bytes(wrong(o)), takes: SINGLE_TAKES, sends: "GET /odata/Items(1)/name/$value" },
  { call: "media().bytes()", run: (o) => item().media().bytes(wrong(o)), takes: "signal, timeout, onResponse", sends: "GET /odata/Items(1)/$value" },
  { call: "media().text()", run: (o) => item().media().text(wrong(o)), takes: "signal, timeout, onResponse", sends: "GET /odata/Items(1)/$value" },
  { call: "media().stream()", run: (o) => item().media().stream(wrong(o)), takes: "signal, timeout, onResponse", sends: "GET /odata/Items(1)/$value" },
  // A client of its own each time: the model is kept, and a second call would send nothing.
  { call: "metadata()", run: (o) => new ODataClient({ serviceUrl: server.url("odata/"), retry: false }).metadata(wrong(o)), takes: "signal, timeout", sends: "GET /odata/$metadata" },
  { call: "delta(link)", run: (o) => client.delta("Items?delta=1", wrong(o)), takes: "signal, timeout, onResponse, maxPageSize, format, headers", sends: "GET /odata/Items?delta=1" },
  { call: "partitions(n)", run: (o) => items().partitions(2, wrong(o)), takes: "signal, timeout, onResponse, key, model, strategy", sends: "GET /odata/Items/$count" },
  { call: 'function("f").get()', run: (o) => client.function("f").get(wrong(o)), takes: SINGLE_TAKES, sends: "GET /odata/f()" },
  { call: 'function("f").getAsync()', run: (o) => client.function("f").getAsync(wrong(o)), takes: `${POLLER_TAKES}, headers`, sends: "GET /odata/f()" },
  { call: 'function("f").pages()', run: (o) => client.function("f").pages(wrong(o)), takes: READ_TAKES, sends: "GET /odata/f()" },
  { call: 'function("f").stream()', run: (o) => client.function("f").stream(wrong(o)), takes: READ_TAKES, sends: "GET /odata/f()" },
  { call: "send()", run: (o) => oneRead().send(wrong(o)), takes: "signal, timeout, onResponse, continueOnError, continuation", sends: "POST /odata/$batch" },
  { call: 'send(): option "continuation"', run: (o) => oneRead().send({ continuation: wrong(o) }), takes: POLLER_TAKES, sends: "POST /odata/$batch" },
  { call: "sendAsync()", run: (o) => oneRead().sendAsync(wrong(o)), takes: `${POLLER_TAKES}, continueOnError`, sends: "POST /odata/$batch" },
  { call: "asyncPoller(statusUrl)", run: (o) => client.asyncPoller("monitor/1", wrong(o)), takes: POLLER_TAKES, sync: true },
  { call: "resumeAsync(token)", run: (o) => client.resumeAsync(client.asyncPoller("monitor/1").toJSON(), wrong(o)), takes: POLLER_TAKES, sync: true },
];

/** `text` as a RegExp that matches it whole. */
const exactly = (text: string): RegExp => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);

table(
  "options a read cannot take",
  READ_CALLS.flatMap(({ call, run, takes, sends, sync }): Row[] => {
    const kind: Row["kind"] = sync ? "sync" : "async";
    const notObject = (label: string, value: unknown, got: string): Row => ({ name: `${call} options`, kind, run: () => run(value), bad: [[label, value]], names: exactly(`${call}: options must be an object; got ${got}`) });
    const unknown = (label: string, value: unknown, name: string, meant = ""): Row => ({
      name: `${call} options`,
      kind,
      run: () => run(value),
      bad: [[label, value]],
      names: exactly(`${call} has no option "${name}"${meant && ` (did you mean "${meant}"?)`}; it takes ${takes}`),
    });
    return [
      notObject("5", 5, "5"),
      notObject('"title"', "title", 'the string "title"'),
      notObject("null", null, "null"),
      notObject("[]", [], "an array"),
      unknown("{ tiemout: 5 }", { tiemout: 5 }, "tiemout"),
      unknown("{ Timeout: 5 } (a case slip)", { Timeout: 5 }, "Timeout", takes.split(", ").includes("timeout") ? "timeout" : ""),
      // The reading layer's own options, which a public method never takes from its caller.
      unknown("{ top: 1 }", { top: 1 }, "top"),
      unknown('{ where: "x" }', { where: "x" }, "where"),
      // A member given as undefined is an option not given, as options given as undefined are.
      ...(sends === undefined ? [] : [{ name: `${call} options { tiemout: undefined }`, kind, run: () => run({ tiemout: undefined }), bad: [], names: /$^/, sends }]),
    ];
  }),
);

table(
  "options that are no object, given to a write",
  [
    { call: "create(entity)", run: (o: unknown) => items().create({ ID: 2 }, wrong(o)), sends: "POST /odata/Items" },
    { call: "update(patch)", run: (o: unknown) => item().update({ a: 1 }, wrong(o)), sends: "PATCH /odata/Items(1)" },
    { call: "delete()", run: (o: unknown) => item().delete(wrong(o)), sends: "DELETE /odata/Items(1)" },
    { call: "createAsync(body)", run: (o: unknown) => items().createAsync({ ID: 2 }, wrong(o)), sends: "POST /odata/Items" },
    { call: 'action("go").invoke()', run: (o: unknown) => client.action("go").invoke({}, wrong(o)), sends: "POST /odata/go" },
  ].flatMap(({ call, run, sends }): Row[] => [
    { name: `${call} options`, kind: "async", run, bad: [["5", 5]], names: exactly(`${call}: options must be an object; got 5`), sends },
    { name: `${call} options`, kind: "async", run, bad: [['"x"', "x"]], names: exactly(`${call}: options must be an object; got the string "x"`) },
    { name: `${call} options`, kind: "async", run, bad: [["null", null]], names: exactly(`${call}: options must be an object; got null`) },
  ]),
);
