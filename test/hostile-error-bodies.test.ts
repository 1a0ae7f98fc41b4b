/**
 * Error bodies a hostile or careless service sends (over node:http on 127.0.0.1): a credential
 * echoed escaped (JSON `\/` and `\u0061`, XML `&#47;`), members named `__proto__`, `constructor`
 * or `toString`, secrets nested deeper than the redaction walks, and thousands of nested XML
 * elements. Each still gives an `ODataHttpError` with its status and URL, with no secret in it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import type { ServerResponse } from "node:http";
import { ODataClient, ODataHttpError } from "../src/index.js";
import { startServer, type RecordingServer } from "./servers/recording-server.js";
import { rejectionOf } from "./async-poller-fixtures.js";

const TOKEN = "abc/DEF+ghi/JKL=99";

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** A server that answers every request with `body` (JSON unless it starts with "<"), at `status`. */
async function answering(t: { after: (fn: () => Promise<void>) => void }, status: number, body: () => string): Promise<RecordingServer> {
  const server = await startServer((_request, res) => {
    const text = body();
    send(res, status, text.startsWith("<") ? "application/xml" : "application/json", text);
  });
  t.after(() => server.close());
  return server;
}

/** Every text of an error a program may print. */
function textsOf(error: ODataHttpError): string {
  return [error.message, String(error), error.stack ?? "", error.body, JSON.stringify(error), JSON.stringify(error.odataError), inspect(error, { depth: null, showHidden: true })].join("\n");
}

test("a bearer token the service echoes JSON-escaped or XML-escaped is masked in the body, the OData error and the message", async (t) => {
  const v4 = 'xmlns="http://docs.oasis-open.org/odata/ns/metadata"';
  const echoes: Record<string, string> = {
    "JSON \\/": `{"error":{"code":"401","message":"invalid token ${TOKEN.replaceAll("/", "\\/")}"}}`,
    "JSON \\u0061": `{"error":{"code":"401","message":"invalid token ${TOKEN.replaceAll("a", "\\u0061")}"}}`,
    "JSON \\u002F \\u002b": `{"error":{"code":"401","message":"invalid token ${TOKEN.replaceAll("/", "\\u002F").replace("+", "\\u002b")}"}}`,
    "XML &#47;": `<error ${v4}><code>401</code><message>invalid token ${TOKEN.replaceAll("/", "&#47;")}</message></error>`,
    "XML &#x2F; &#x2b;": `<error ${v4}><code>401</code><message>invalid token ${TOKEN.replaceAll("/", "&#x2F;").replace("+", "&#x2b;")}</message></error>`,
  };
  let current = "";
  const server = await answering(t, 401, () => echoes[current] ?? "");
  const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false, auth: { bearer: () => TOKEN } });
  for (const [name, body] of Object.entries(echoes)) {
    current = name;
    const error = await rejectionOf(client.collection("Items").key(1).get());
    assert.equal(server.requests.at(-1)?.headers.authorization, `Bearer ${TOKEN}`, name);
    assert.ok(error instanceof ODataHttpError && error.status === 401, `${name}: ${inspect(error)}`);
    assert.equal(error.odataError?.message, "invalid token ***", name);
    assert.equal(error.message, `GET ${server.url("odata/Items(1)")} failed with HTTP 401 Unauthorized [401]: invalid token ***`, name);
    assert.equal(error.body, body.replace(/invalid token [^"<]+/, "invalid token ***"), name);
    assert.ok(!textsOf(error).includes("DEF"), `${name}: ${textsOf(error)}`);
  }
});

test("a token the body's parser puts together (a CDATA section in the middle of it) is masked in the parsed error and the message", async (t) => {
  const split = `${TOKEN.slice(0, 7)}<![CDATA[${TOKEN.slice(7, 11)}]]>${TOKEN.slice(11)}`;
  const server = await answering(t, 403, () => `<error><code>403</code><message>invalid token ${split}</message><innererror><echo>${split}</echo></innererror></error>`);
  const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false, auth: { bearer: () => TOKEN } });
  const error = await rejectionOf(client.collection("Items").key(1).get());
  assert.equal(server.requests[0]?.headers.authorization, `Bearer ${TOKEN}`);
  assert.ok(error instanceof ODataHttpError && error.status === 403, inspect(error));
  assert.deepEqual(error.odataError, { code: "403", message: "invalid token ***", innererror: { echo: "***" } });
  assert.match(error.message, /\[403\]: invalid token \*\*\*$/);
});

test("an innererror's member named __proto__ stays an own member, and a secret named 40 levels deep is masked", async (t) => {
  let body = "";
  const server = await answering(t, 400, () => body);
  const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false });

  body = '{"error":{"code":"C","message":"M","innererror":{"__proto__":{"polluted":"yes"},"type":"T"}}}';
  const polluted = await rejectionOf(client.collection("Items").key(1).get());
  assert.ok(polluted instanceof ODataHttpError && polluted.status === 400, inspect(polluted));
  const innererror = polluted.odataError?.innererror as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(innererror), Object.prototype);
  assert.deepEqual(Object.keys(innererror), ["__proto__", "type"]);
  assert.equal(innererror["polluted"], undefined);
  assert.deepEqual(Object.getOwnPropertyDescriptor(innererror, "__proto__")?.value, { polluted: "yes" });

  let nested = '{"x-api-key":"NESTED-5ecret-value"}';
  for (let i = 0; i < 40; i++) nested = `{"a":${nested}}`;
  body = `{"error":{"code":"C","message":"M","innererror":${nested}}}`;
  const deep = await rejectionOf(client.collection("Items").key(1).get());
  assert.ok(deep instanceof ODataHttpError && deep.status === 400, inspect(deep));
  assert.equal(deep.message, `GET ${server.url("odata/Items(1)")} failed with HTTP 400 Bad Request [C]: M`);
  assert.ok(!textsOf(deep).includes("5ecret"), textsOf(deep));
  let level: unknown = deep.odataError?.innererror;
  // The innererror lies at depth 1 of the OData error; the object at depth 33 is the first one replaced.
  for (let i = 0; i < 32; i++) level = (level as { a: unknown }).a;
  assert.equal(level, "***", "what lies past the depth the redaction walks is replaced");
});

test("an XML innererror nested 5,000 levels deep gives the ODataHttpError, read as far as the nesting limit", async (t) => {
  const levels = 5_000;
  const server = await answering(
    t,
    400,
    () => `<?xml version="1.0"?><error xmlns="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"><code>x</code><message>m</message><innererror>${"<a>".repeat(levels)}deepest${"</a>".repeat(levels)}</innererror></error>`,
  );
  const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false });
  const error = await rejectionOf(client.collection("Items").key(1).get());
  assert.ok(error instanceof ODataHttpError, inspect(error));
  assert.equal(error.status, 400);
  assert.equal(error.url, server.url("odata/Items(1)"));
  assert.equal(error.message, `GET ${server.url("odata/Items(1)")} failed with HTTP 400 Bad Request [x]: m`);
  assert.equal(error.odataError?.code, "x");
  let level: unknown = error.odataError?.innererror;
  let depth = 0;
  while (typeof level === "object" && level !== null) [level, depth] = [(level as { a: unknown }).a, depth + 1];
  assert.ok(depth >= 30 && depth <= 33, `read ${depth} levels`);
  assert.ok(level === "" || level === "***", inspect(level));
});

test("XML innererror elements named constructor, toString or __proto__ are own members holding their text", async (t) => {
  const server = await answering(
    t,
    400,
    () =>
      `<?xml version="1.0"?><error xmlns="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"><code>C</code><message>M</message><innererror><constructor>ctor-text</constructor><toString>ts</toString><__proto__><x>1</x></__proto__><hasOwnProperty>h1</hasOwnProperty><hasOwnProperty>h2</hasOwnProperty><type>T</type></innererror></error>`,
  );
  const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false });
  const error = await rejectionOf(client.collection("Items").key(1).get());
  assert.ok(error instanceof ODataHttpError && error.status === 400, inspect(error));
  const innererror = error.odataError?.innererror as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(innererror), Object.prototype);
  assert.deepEqual(Object.keys(innererror), ["constructor", "toString", "__proto__", "hasOwnProperty", "type"]);
  assert.equal(innererror["constructor"], "ctor-text");
  assert.equal(innererror["toString"], "ts");
  assert.deepEqual(Object.getOwnPropertyDescriptor(innererror, "__proto__")?.value, { x: "1" });
  assert.deepEqual(innererror["hasOwnProperty"], ["h1", "h2"]);
  assert.equal(innererror["type"], "T");
});

test("a token split by CDATA sections in the OData error of a status monitor's 404 and of a $batch part is masked in the parsed error too", async (t) => {
  const v4 = 'xmlns="http://docs.oasis-open.org/odata/ns/metadata"';
  const split = `<error ${v4}><code>401</code><message>invalid token <![CDATA[${TOKEN.slice(0, 7)}]]><![CDATA[${TOKEN.slice(7)}]]></message></error>`;
  const boundary = "batchresponse_x";
  const server = await startServer((request, res) => {
    if (request.path.endsWith("$batch")) {
      const part = `HTTP/1.1 401 Unauthorized\r\nContent-Type: application/xml\r\n\r\n${split}`;
      return send(res, 200, `multipart/mixed; boundary=${boundary}`, `--${boundary}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n${part}\r\n--${boundary}--\r\n`);
    }
    send(res, 404, "application/xml", split);
  });
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false, auth: { bearer: () => TOKEN } });
  const gone = await rejectionOf(client.asyncPoller("monitor/1", { pollInterval: 1 }).wait());
  const batch = client.batch();
  const handle = batch.get(client.collection("Items").key(1));
  await batch.send();
  const result = handle.result();
  assert.ok(!result.ok && result.error instanceof ODataHttpError, "the part failed with an ODataHttpError");
  assert.equal(result.error.odataError?.message, "invalid token ***");
  for (const [name, error] of [["monitor", gone], ["$batch part", result.error]] as const) {
    const text = [String((error as Error).message), JSON.stringify((error as { odataError?: unknown }).odataError), inspect(error, { depth: null, showHidden: true })].join("\n");
    assert.ok(!text.includes(TOKEN), `${name}: ${text}`);
  }
  assert.equal((gone as { odataError?: { message?: string } }).odataError?.message, "invalid token ***");
  assert.deepEqual(server.requests.map((r) => r.headers.authorization), [`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
});

test("a token, CSRF token and cookie the service echoes bare in headers of its own (a debug header, sap-message) are masked in the error's headers", async (t) => {
  const csrf = "csrf-5ecret-abcdef123";
  const session = "SAP_SESSIONID=cookie-5ecret-0123456789";
  const server = await startServer((request, res) => {
    if (request.headers["x-csrf-token"] === "Fetch") {
      res.writeHead(200, { "content-type": "application/json", "x-csrf-token": csrf, "set-cookie": `${session}; path=/` });
      res.end("{}");
      return;
    }
    const echo = `auth=${String(request.headers.authorization).slice("Bearer ".length)} csrf=${String(request.headers["x-csrf-token"])} cookie=${String(request.headers.cookie)}`;
    const body = '{"error":{"code":"C","message":"M"}}';
    res.writeHead(400, { "content-type": "application/json", "x-debug": echo, "sap-message": JSON.stringify({ message: echo, severity: "error" }), "x-request-id": "r-1" });
    res.end(body);
  });
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false, csrf: true, auth: { bearer: () => TOKEN } });
  const read = await rejectionOf(client.collection("Items").list());
  const write = await rejectionOf(client.collection("Items").create({ Name: "n" }));
  const post = server.requests.find((request) => request.method === "POST");
  assert.deepEqual([post?.headers.authorization, post?.headers["x-csrf-token"], post?.headers.cookie], [`Bearer ${TOKEN}`, csrf, session], "the secrets went out on the wire");
  assert.ok(read instanceof ODataHttpError && write instanceof ODataHttpError, inspect([read, write]));
  // The read sent no CSRF token or cookie; a value after "cookie=" is masked whatever it is.
  assert.equal(read.headers["x-debug"], "auth=*** csrf=undefined cookie=***");
  assert.equal(write.headers["x-debug"], "auth=*** csrf=*** cookie=***");
  assert.equal(write.headers["sap-message"], '{"message":"auth=*** csrf=*** cookie=***","severity":"error"}');
  assert.equal(write.headers["x-request-id"], "r-1");
  for (const error of [read, write]) for (const secret of [TOKEN, csrf, "cookie-5ecret"]) assert.ok(!textsOf(error).includes(secret), textsOf(error));
});
