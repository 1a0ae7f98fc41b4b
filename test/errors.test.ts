import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import {
  ODataClient,
  ODataClientError,
  ODataHttpError,
  AsyncOperationError,
  AsyncOperationFailedError,
  AsyncOperationCancelledError,
  AsyncOperationTimeoutError,
  type ODataClientOptions,
  type PipelineStep,
} from "../src/index.js";
import { ClientCore } from "../src/core.js";
import { resolveClientOptions } from "../src/options.js";
import { ERROR_BODY_LIMIT, httpErrorFromParts, httpErrorFromResponse } from "../src/payload/error-body.js";
import { sendJson, serveClient, startServer, waitFor, type RecordingServer } from "./servers/recording-server.js";
import { rejectionOf } from "./async-poller-fixtures.js";

/** Serves one failing answer and reads it into an ODataHttpError the way the library does. */
async function failure(
  t: { after: (fn: () => Promise<void>) => void },
  status: number,
  body: string,
  headers: Record<string, string>,
  options: Partial<ODataClientOptions> = {},
): Promise<{ error: ODataHttpError; server: RecordingServer }> {
  const server = await startServer((_r, res) => {
    res.writeHead(status, { "content-length": String(Buffer.byteLength(body)), ...headers });
    res.end(body);
  });
  t.after(() => server.close());
  const core = new ClientCore(resolveClientOptions({ serviceUrl: server.url("svc/"), retry: false, ...options }));
  const url = new URL(server.url("svc/Books(42)"));
  const response = await core.send({ method: "GET", url });
  return { error: await httpErrorFromResponse(response, "GET", url), server };
}

/** Answers a `$batch` with one part (boundary `b0`): its status line, headers and body as given. */
function answerOnePart(res: import("node:http").ServerResponse, part: string): void {
  res.writeHead(200, { "content-type": "multipart/mixed; boundary=b0" });
  res.end(`--b0\r\nContent-Type: application/http\r\n\r\n${part}\r\n--b0--\r\n`);
}

const JSON_TYPE = { "content-type": "application/json; charset=utf-8" };
const XML_TYPE = { "content-type": "application/xml" };

describe("OData error bodies", () => {
  test("a v4 JSON error gives code, message, target, details, innererror and its instance annotations", async (t) => {
    const body = {
      error: {
        code: "VALIDATION",
        message: "The order is invalid",
        target: "Orders",
        details: [
          { code: "RANGE", message: "quantity must be positive", target: "quantity" },
          { code: "REQUIRED", message: "customer is required", target: "customer" },
        ],
        innererror: { trace: ["a", "b"], context: { id: 7 } },
        "@Common.numericSeverity": 4,
      },
    };
    const { error } = await failure(t, 400, JSON.stringify(body), JSON_TYPE);
    assert.deepEqual(error.odataError, {
      code: "VALIDATION",
      message: "The order is invalid",
      target: "Orders",
      details: [
        { code: "RANGE", message: "quantity must be positive", target: "quantity" },
        { code: "REQUIRED", message: "customer is required", target: "customer" },
      ],
      innererror: { trace: ["a", "b"], context: { id: 7 } },
      annotations: { "@Common.numericSeverity": 4 },
    });
  });

  test("a numeric v4 error code becomes a string", async (t) => {
    const { error } = await failure(t, 404, '{"error":{"code":404,"message":"Not found"}}', JSON_TYPE);
    assert.deepEqual(error.odataError, { code: "404", message: "Not found" });
  });

  test("a v2 JSON error unwraps message.value", async (t) => {
    const body = {
      error: {
        code: "SY/530",
        message: { lang: "en", value: "Material 4711 does not exist" },
        innererror: { transactionid: "ABC", errordetails: [] },
      },
    };
    const { error } = await failure(t, 400, JSON.stringify(body), JSON_TYPE);
    assert.deepEqual(error.odataError, {
      code: "SY/530",
      message: "Material 4711 does not exist",
      innererror: { transactionid: "ABC", errordetails: [] },
    });
  });

  test("an odata.error JSON body (v3 verbose) is read like v2", async (t) => {
    const { error } = await failure(t, 400, '{"odata.error":{"code":"","message":{"lang":"en-US","value":"Bad filter"}}}', JSON_TYPE);
    assert.deepEqual(error.odataError, { code: "", message: "Bad filter" });
  });

  test("a v4 XML error gives code, message, target, details and innererror", async (t) => {
    const xml = [
      '<?xml version="1.0" encoding="utf-8"?>',
      '<error xmlns="http://docs.oasis-open.org/odata/ns/metadata">',
      "  <code>501</code>",
      "  <message>Unsupported functionality</message>",
      "  <target>query</target>",
      "  <details>",
      "    <detail><code>301</code><message>$search query option not supported</message><target>$search</target></detail>",
      "  </details>",
      "  <innererror><trace/><context>ctx</context></innererror>",
      "</error>",
    ].join("\n");
    const { error } = await failure(t, 501, xml, XML_TYPE);
    assert.deepEqual(error.odataError, {
      code: "501",
      message: "Unsupported functionality",
      target: "query",
      details: [{ code: "301", message: "$search query option not supported", target: "$search" }],
      innererror: { trace: "", context: "ctx" },
    });
  });

  test("a v2 XML error with the m: prefix has its entities decoded", async (t) => {
    const xml =
      '<?xml version="1.0" encoding="utf-8"?>' +
      '<m:error xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">' +
      "<m:code>SY/530</m:code>" +
      '<m:message xml:lang="en">Tom &amp; Jerry&#x27;s &lt;order&gt; &quot;42&quot; &#233;t&#xE9; <![CDATA[<raw> & ok]]></m:message>' +
      "<m:innererror><m:transactionid>T1</m:transactionid></m:innererror>" +
      "</m:error>";
    const { error } = await failure(t, 400, xml, { "content-type": "application/xml;charset=utf-8" });
    assert.deepEqual(error.odataError, {
      code: "SY/530",
      message: `Tom & Jerry's <order> "42" été <raw> & ok`,
      innererror: { transactionid: "T1" },
    });
  });

  test("an HTML error page gives no odataError, even with a <code> element in it", async (t) => {
    const html = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><code>upstream</code><message>x</message></body></html>";
    const { error } = await failure(t, 502, html, { "content-type": "text/html" });
    assert.equal(error.odataError, undefined);
    assert.equal(error.body, html);
    assert.equal(error.message, `GET ${error.url} failed with HTTP 502 Bad Gateway`);
  });

  test("a plain-text error gives no odataError and keeps the text as body", async (t) => {
    const { error } = await failure(t, 500, "Internal Server Error: something broke", { "content-type": "text/plain" });
    assert.equal(error.odataError, undefined);
    assert.equal(error.body, "Internal Server Error: something broke");
  });

  test("JSON without an error object gives no odataError", async (t) => {
    const { error } = await failure(t, 404, '{"message":"Not Found","statusCode":404}', JSON_TYPE);
    assert.equal(error.odataError, undefined);
  });

  test("malformed JSON under a JSON content type gives no odataError and keeps the body", async (t) => {
    const { error } = await failure(t, 500, '{"error":{"code":"X",', JSON_TYPE);
    assert.equal(error.odataError, undefined);
    assert.equal(error.body, '{"error":{"code":"X",');
  });
});

describe("bounded error bodies", () => {
  test("a 10 MB error body is read only up to the bound and the connection is closed early", async (t) => {
    const total = 10 * 1024 * 1024;
    let written = 0;
    let finished = false;
    let closed = false;
    const server = await startServer((_r, res) => {
      res.writeHead(500, { "content-type": "text/plain", "content-length": String(total) });
      res.on("close", () => (closed = true));
      res.on("finish", () => (finished = true));
      const chunk = Buffer.alloc(64 * 1024, "x");
      const pump = () => {
        while (written < total && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        if (!res.destroyed) res.end();
      };
      pump();
    });
    t.after(() => server.close());
    const core = new ClientCore(resolveClientOptions({ serviceUrl: server.url("svc/"), retry: false }));
    const url = new URL(server.url("svc/Huge"));
    const response = await core.send({ method: "GET", url });
    const error = await httpErrorFromResponse(response, "GET", url);
    assert.equal(error.body.length, ERROR_BODY_LIMIT);
    assert.ok(/^x+$/.test(error.body));
    const deadline = Date.now() + 2000;
    while (!closed && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.ok(closed, "the server saw the connection closed");
    assert.equal(finished, false, "the server never got to send the whole body");
    assert.ok(written < total, `the server wrote ${written} of ${total} bytes`);
  });

  test("a JSON error longer than the bound keeps its code, message and whole details; the innererror it is cut inside is left out", async (t) => {
    // SAP Gateway's v2 form, its errordetails of a mass validation running past 64 KiB.
    const errordetails = Array.from({ length: 2_000 }, (_, index) => ({ code: `ZV/${index}`, message: `row ${index} is not valid`, severity: "error" }));
    const v2 = JSON.stringify({ error: { code: "ZV/001", message: { lang: "en", value: "2000 rows are not valid" }, innererror: { errordetails } } });
    assert.ok(v2.length > 2 * ERROR_BODY_LIMIT);
    const { error, server } = await failure(t, 400, v2, JSON_TYPE);
    assert.equal(server.requests.length, 1);
    assert.equal(error.status, 400);
    assert.equal(error.body, v2.slice(0, ERROR_BODY_LIMIT));
    assert.deepEqual(error.odataError, { code: "ZV/001", message: "2000 rows are not valid" });
    assert.match(error.message, /2000 rows are not valid/);

    // v4: the details before the cut are kept whole, the one it is cut inside is not.
    const details = Array.from({ length: 3_000 }, (_, index) => ({ code: "Invalid", message: `value ${index}`, target: `Items(${index})/price` }));
    const v4 = JSON.stringify({ error: { code: "Invalid", message: "3000 values are not valid", details } });
    const cut = await failure(t, 400, v4, JSON_TYPE);
    const read = cut.error.odataError;
    assert.equal(read?.code, "Invalid");
    assert.equal(read?.message, "3000 values are not valid");
    const kept = read?.details ?? [];
    assert.ok(kept.length > 500 && kept.length < 3_000, `${kept.length} details kept`);
    assert.deepEqual(kept, details.slice(0, kept.length));
    assert.equal(read?.innererror, undefined);

    // A body that breaks JSON before the bound is no OData error, as before.
    const broken = await failure(t, 400, `{"error":{"code":"X" "message":"y"}}${" ".repeat(ERROR_BODY_LIMIT)}`, JSON_TYPE);
    assert.equal(broken.error.odataError, undefined);
  });

  test("a JSON error longer than the bound that echoes the token keeps its odataError, the token masked (masking shortens the text read)", async (t) => {
    const token = "eyJhbGciOiJIUzI1NiJ9.cut-and-masked-SECRET.c2ln";
    const trace = Array.from({ length: 10_000 }, (_, index) => `at frame ${index}`);
    const body = JSON.stringify({ error: { code: "Forbidden", message: `no access for ${token}`, innererror: { trace } } });
    assert.ok(body.length > 2 * ERROR_BODY_LIMIT);
    const { error, server } = await failure(t, 403, body, JSON_TYPE, { auth: { bearer: token } });
    assert.equal(server.requests[0]?.headers["authorization"], `Bearer ${token}`);
    assert.deepEqual(error.odataError, { code: "Forbidden", message: "no access for ***" });
    assert.ok(!error.body.includes(token) && error.body.startsWith('{"error":{"code":"Forbidden","message":"no access for ***"'));
  });

  test("the bound cutting an echoed token in two masks the part of it that is kept", async (t) => {
    const token = "eyJhbGciOiJIUzI1NiJ9.cut-in-two-SECRET.c2ln";
    const body = `${"x".repeat(ERROR_BODY_LIMIT - 20)}${token} and more`;
    const { error, server } = await failure(t, 403, body, { "content-type": "text/plain" }, { auth: { bearer: token } });
    assert.equal(server.requests[0]?.headers["authorization"], `Bearer ${token}`);
    assert.equal(error.body, `${"x".repeat(ERROR_BODY_LIMIT - 20)}***`);
    assert.ok(!error.body.includes(token.slice(0, 20)));
  });

  test("a multi-byte character cut by the bound is dropped, not turned into a replacement character", async (t) => {
    const body = `${"a".repeat(ERROR_BODY_LIMIT - 1)}é and more`;
    const { error } = await failure(t, 500, body, { "content-type": "text/plain; charset=utf-8" });
    assert.equal(error.body, "a".repeat(ERROR_BODY_LIMIT - 1));
  });

  test("an error answer whose connection drops mid-body keeps its status, the text so far and the cause", async (t) => {
    const server = await startServer((_r, res) => {
      const head = '{"error":{"code":"E1","message":"disk full"}}';
      res.writeHead(507, { "content-type": "application/json", "content-length": "100000" });
      res.write(head, () => setTimeout(() => res.socket?.destroy(), 20));
    });
    t.after(() => server.close());
    const core = new ClientCore(resolveClientOptions({ serviceUrl: server.url("svc/"), retry: false }));
    const url = new URL(server.url("svc/Upload"));
    const response = await core.send({ method: "GET", url });
    const error = await httpErrorFromResponse(response, "GET", url);
    assert.ok(error instanceof ODataHttpError);
    assert.equal(error.status, 507);
    assert.equal(error.body, '{"error":{"code":"E1","message":"disk full"}}');
    assert.deepEqual(error.odataError, { code: "E1", message: "disk full" });
    assert.ok(error.cause instanceof TypeError, String(error.cause));
  });

  test("an abort while an error body is read rejects with the abort reason", async (t) => {
    const server = await startServer((_r, res) => {
      res.writeHead(500, { "content-type": "text/plain", "content-length": "100000" });
      res.write("partial");
    });
    t.after(() => server.close());
    const core = new ClientCore(resolveClientOptions({ serviceUrl: server.url("svc/"), retry: false }));
    const url = new URL(server.url("svc/Slow"));
    const controller = new AbortController();
    const response = await core.send({ method: "GET", url, signal: controller.signal });
    const reason = new Error("stop reading");
    setTimeout(() => controller.abort(reason), 20);
    await assert.rejects(httpErrorFromResponse(response, "GET", url, { signal: controller.signal }), (error) => error === reason);
  });

  test("an error body that stalls is read only for the time limit and keeps the text so far", async (t) => {
    const server = await startServer((_r, res) => {
      res.writeHead(503, { "content-type": "application/json", "content-length": "100000" });
      res.write('{"error":{"code":"BUSY","message":"try later"}}');
    });
    t.after(() => server.close());
    const core = new ClientCore(resolveClientOptions({ serviceUrl: server.url("svc/"), retry: false }));
    const url = new URL(server.url("svc/Stalled"));
    const response = await core.send({ method: "GET", url });
    const started = Date.now();
    const error = await httpErrorFromResponse(response, "GET", url, { timeLimit: 50 });
    assert.ok(Date.now() - started < 1000);
    assert.equal(error.status, 503);
    assert.deepEqual(error.odataError, { code: "BUSY", message: "try later" });
  });
});

describe("ODataHttpError", () => {
  test("carries status, method, url, headers without set-cookie, body and the OData error", async (t) => {
    const body = '{"error":{"code":"NOT_FOUND","message":"Book 42 does not exist"}}';
    const { error, server } = await failure(t, 404, body, {
      ...JSON_TYPE,
      "set-cookie": "sid=abc; HttpOnly",
      "x-request-id": "req-9",
      "OData-Version": "4.0",
    });
    assert.equal(error.status, 404);
    assert.equal(error.method, "GET");
    assert.equal(error.url, server.url("svc/Books(42)"));
    assert.equal(error.body, body);
    assert.equal(error.headers["x-request-id"], "req-9");
    assert.equal(error.headers["odata-version"], "4.0");
    assert.equal(error.headers["content-type"], "application/json; charset=utf-8");
    assert.equal(error.headers["set-cookie"], undefined);
    assert.equal(error.odataError?.code, "NOT_FOUND");
    assert.equal(error.code, "HTTP_ERROR");
    assert.equal(error.message, `GET ${server.url("svc/Books(42)")} failed with HTTP 404 Not Found [NOT_FOUND]: Book 42 does not exist`);
  });

  test("keeps X-CSRF-Token: Required (why a write got 403) but never a token value", async (t) => {
    const required = await failure(t, 403, "", { "x-csrf-token": "Required" });
    assert.equal(required.error.headers["x-csrf-token"], "Required");
    const token = await failure(t, 403, "", { "x-csrf-token": "SECRET-TOKEN-1" });
    assert.equal(token.error.headers["x-csrf-token"], undefined);
    assert.doesNotMatch(JSON.stringify(token.error), /SECRET-TOKEN-1/);
  });

  test("a failed createAsync rejects with ODataHttpError for the POST", async (t) => {
    const { server, client } = await serveClient(t, (_r, res) => {
      const text = '{"error":{"code":"400","message":"title is required","target":"title"}}';
      res.writeHead(400, { "content-type": "application/json" });
      res.end(text);
    }, {}, "odata/v4/catalog");
    await assert.rejects(client.collection("Books").createAsync({ stock: 1 }), (error) => {
      assert.ok(error instanceof ODataHttpError);
      assert.equal(error.status, 400);
      assert.equal(error.method, "POST");
      assert.equal(error.url, server.url("odata/v4/catalog/Books"));
      assert.deepEqual(error.odataError, { code: "400", message: "title is required", target: "title" });
      return true;
    });
    assert.equal(server.requests[0]?.method, "POST");
  });

  test("a very long OData message is clipped in the error message but kept whole in odataError", async (t) => {
    const long = "m".repeat(2000);
    const { error } = await failure(t, 400, JSON.stringify({ error: { code: "X", message: long } }), JSON_TYPE);
    assert.ok(error.message.length < 700, `message has ${error.message.length} characters`);
    assert.equal(error.odataError?.message, long);
  });

  test("the url has secret query values masked and the rest of the query unchanged", async (t) => {
    const server = await startServer((_r, res) => {
      res.writeHead(403, { "content-type": "text/plain" });
      res.end("denied");
    });
    t.after(() => server.close());
    const core = new ClientCore(resolveClientOptions({ serviceUrl: server.url("svc/"), retry: false }));
    const url = new URL(server.url("svc/Files?$filter=name%20eq%20'a'&sig=S3CRET-SIG&access_token=S3CRET-TOKEN&$top=1"));
    const response = await core.send({ method: "GET", url });
    const error = await httpErrorFromResponse(response, "GET", url);
    assert.equal(error.url, url.href.replace("S3CRET-SIG", "***").replace("S3CRET-TOKEN", "***"));
    assert.match(error.url, /\?\$filter=name%20eq%20%27a%27&sig=\*\*\*&access_token=\*\*\*&\$top=1$/);
    assert.doesNotMatch(error.message, /S3CRET/);
    assert.equal(`${server.origin}${server.requests[0]?.path}`, url.href, "the secrets did go on the wire");
  });

  test("the url has any user name and password removed", () => {
    const error = httpErrorFromParts({
      status: 500,
      method: "GET",
      url: "https://bob:pa55word@host.example/svc/Books",
      headers: new Headers(),
      body: "",
    });
    assert.equal(error.url, "https://host.example/svc/Books");
    assert.doesNotMatch(error.message, /pa55word/);
  });
});

describe("secrets stay out of errors", () => {
  const BEARER = "eyJhbGciOi.SECRET-BEARER.sig";
  const PASSWORD = "SECRET-påss";
  const COOKIE = "sid=SECRET-COOKIE";

  function assertClean(error: Error, secrets: string[]): void {
    const texts = [error.message, JSON.stringify(error), String(error.stack)];
    for (const secret of secrets) {
      for (const text of texts) assert.ok(!text.includes(secret), `found ${secret} in ${text}`);
    }
  }

  test("an HTTP error of a bearer-authenticated request holds neither the token nor cookies", async (t) => {
    const { error, server } = await failure(
      t,
      401,
      '{"error":{"code":"401","message":"Unauthorized"}}',
      { ...JSON_TYPE, "set-cookie": "sid=SECRET-SET-COOKIE; HttpOnly", "www-authenticate": 'Bearer error="invalid_token"' },
      { auth: { bearer: BEARER }, headers: { cookie: COOKIE } },
    );
    assert.equal(server.requests[0]?.headers["authorization"], `Bearer ${BEARER}`, "the token did go on the wire");
    assert.equal(server.requests[0]?.headers["cookie"], COOKIE);
    assertClean(error, [BEARER, COOKIE, "SECRET-SET-COOKIE"]);
    assert.equal(error.headers["www-authenticate"], 'Bearer error="invalid_token"');
  });

  test("an HTTP error of a basic-authenticated request holds neither the password nor its base64", async (t) => {
    const basic = Buffer.from(`alice:${PASSWORD}`, "utf8").toString("base64");
    const { error, server } = await failure(t, 403, "Forbidden", { "content-type": "text/plain" }, { auth: { basic: { username: "alice", password: PASSWORD } } });
    assert.equal(server.requests[0]?.headers["authorization"], `Basic ${basic}`);
    assertClean(error, [PASSWORD, basic]);
  });

  test("a service that echoes a credential bare in its error body has it masked: a bearer token, a bearer function's, a password, an API key", async (t) => {
    // The service quotes back what it was sent, without the names the redaction by name looks for.
    const server = await startServer((request, res) => {
      const authorization = request.headers["authorization"] ?? "";
      const credentials = authorization.split(" ")[1] ?? "";
      const password = authorization.startsWith("Basic ") ? Buffer.from(credentials, "base64").toString("utf8").split(":")[1] : "";
      const echoed = [credentials, password, request.headers["x-api-key"] ?? ""].filter(Boolean).join(" and ");
      const body = JSON.stringify({ error: { code: "Denied", message: `no access for ${echoed}` } });
      res.writeHead(403, { "content-type": "application/json" });
      res.end(body);
    });
    t.after(() => server.close());
    let issued = 0;
    const clients: [string, Partial<ODataClientOptions>, string[]][] = [
      ["a bearer token", { auth: { bearer: BEARER } }, [BEARER]],
      ["a bearer function's token", { auth: { bearer: () => `fresh-token-${++issued}-SECRET` } }, ["fresh-token-1-SECRET", "fresh-token-2-SECRET"]],
      ["a password", { auth: { basic: { username: "alice", password: PASSWORD } } }, [PASSWORD]],
      ["an API key header", { headers: { "x-api-key": "key-SECRET-4242" } }, ["key-SECRET-4242"]],
    ];
    for (const [what, options, secrets] of clients) {
      const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, ...options });
      for (let call = 0; call < (what.includes("function") ? 2 : 1); call++) {
        const error = await rejectionOf(client.collection("Books").page());
        assert.ok(error instanceof ODataHttpError, what);
        assertClean(error, secrets);
        for (const text of [error.body, error.odataError?.message ?? "", inspect(error)]) {
          for (const secret of secrets) assert.ok(!text.includes(secret), `${what}: found ${secret} in ${text}`);
        }
        assert.match(error.odataError?.message ?? "", /^no access for \*\*\*/, what);
      }
    }
    // The service did get them: the masking is of the error, not of the requests.
    assert.ok(server.requests.some((request) => request.headers["x-api-key"] === "key-SECRET-4242"));
    assert.ok(server.requests.some((request) => request.headers["authorization"] === "Bearer fresh-token-2-SECRET"));
  });

  test("the last four Authorization values sent are kept to mask: a bearer function's six tokens echoed by the sixth request's 403 show the first two, the last four masked", async (t) => {
    const seen: string[] = [];
    const server = await startServer((request, res) => {
      seen.push((request.headers["authorization"] ?? "").split(" ")[1] ?? "");
      const status = seen.length < 6 ? 200 : 403;
      const body = JSON.stringify(status === 200 ? { value: [] } : { error: { code: "Denied", message: `seen: ${seen.join(" ")}` } });
      res.writeHead(status, { "content-type": "application/json" });
      res.end(body);
    });
    t.after(() => server.close());
    let issued = 0;
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, auth: { bearer: () => `token-number-${++issued}-SECRET` } });
    for (let call = 1; call <= 5; call++) assert.deepEqual((await client.collection("Books").page()).value, [], `call ${call}`);
    const error = await rejectionOf(client.collection("Books").page());
    assert.ok(error instanceof ODataHttpError && error.status === 403, inspect(error));
    assert.deepEqual(
      server.requests.map((request) => request.headers["authorization"]),
      [1, 2, 3, 4, 5, 6].map((n) => `Bearer token-number-${n}-SECRET`),
    );
    const shown = "seen: token-number-1-SECRET token-number-2-SECRET *** *** *** ***";
    assert.equal(error.odataError?.message, shown);
    assert.equal(error.body, JSON.stringify({ error: { code: "Denied", message: shown } }));
    assert.ok(error.message.endsWith(`[Denied]: ${shown}`), error.message);
  });

  test("a configured cookie and x-auth-token echoed bare are masked; a configured x-tenant is not a secret and stays", async (t) => {
    const server = await startServer((request, res) => {
      const echoed = ["cookie", "x-auth-token", "x-tenant"].map((name) => `[${String(request.headers[name])}]`).join(" ");
      res.writeHead(403, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "Denied", message: `echo: ${echoed}` } }));
    });
    t.after(() => server.close());
    const headers = { cookie: "sid=SECRET-COOKIE-VALUE", "x-auth-token": "AUTHTOKEN-SECRET-987654321", "x-tenant": "tenant-visible-1" };
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, headers });
    const error = await rejectionOf(client.collection("Books").page());
    assert.ok(error instanceof ODataHttpError && error.status === 403, inspect(error));
    assert.equal(server.requests[0]?.headers["cookie"], headers.cookie, "the cookie went on the wire");
    assert.equal(server.requests[0]?.headers["x-auth-token"], headers["x-auth-token"]);
    const shown = "echo: [***] [***] [tenant-visible-1]";
    assert.equal(error.odataError?.message, shown);
    assert.equal(error.body, JSON.stringify({ error: { code: "Denied", message: shown } }));
    assert.ok(error.message.endsWith(`[Denied]: ${shown}`), error.message);
    assertClean(error, [headers.cookie, headers["x-auth-token"]]);
    assert.ok(!inspect(error).includes("SECRET"), inspect(error));
  });

  test("a secret header of one request echoed bare is masked: a write's own x-api-key, a key a custom step adds, a $batch part's; an x-tenant given so stays", async (t) => {
    // The service quotes back the request's x-api-key and x-tenant with nothing naming them.
    const echo = (headers: Record<string, string | string[] | undefined>) => `no access for [${String(headers["x-api-key"] ?? "")}] in [${String(headers["x-tenant"] ?? "")}]`;
    const server = await startServer((request, res) => {
      if (request.path.endsWith("/$batch")) {
        const part = request.body.split("\r\n\r\n")[1] ?? "";
        const headers = Object.fromEntries(part.split("\r\n").slice(1).map((line) => [line.split(": ")[0]?.toLowerCase() ?? "", line.split(": ")[1]]));
        const error = JSON.stringify({ error: { code: "Denied", message: echo(headers) } });
        answerOnePart(res, `HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\n\r\n${error}`);
        return;
      }
      sendJson(res, 403, { error: { code: "Denied", message: echo(request.headers) } });
    });
    t.after(() => server.close());
    const denied = (error: unknown, what: string, key: string): void => {
      assert.ok(error instanceof ODataHttpError && error.status === 403, `${what}: ${inspect(error)}`);
      assert.equal(error.odataError?.message, "no access for [***] in [tenant-one-visible]", what);
      assertClean(error, [key]);
      assert.ok(!inspect(error).includes(key), what);
    };
    const failure = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => assert.fail("the 403 resolved"), (error: unknown) => error);

    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
    const writeKey = "write-only-KEY-1234567";
    denied(await failure(client.collection("Books").create({ title: "x" }, { headers: { "x-api-key": writeKey, "x-tenant": "tenant-one-visible" } })), "a write's own header", writeKey);
    assert.equal(server.requests.at(-1)?.headers["x-api-key"], writeKey, "the key went on the wire");

    let issued = 0;
    const rotating: PipelineStep = {
      name: "api-key",
      handle(request, next) {
        request.headers.set("x-api-key", `step-KEY-${++issued}-abcdef`);
        request.headers.set("x-tenant", "tenant-one-visible");
        return next(request);
      },
    };
    const stepped = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, steps: [rotating] });
    for (let call = 1; call <= 2; call++) denied(await failure(stepped.collection("Books").page()), `the step's key, call ${call}`, `step-KEY-${call}-abcdef`);
    assert.equal(server.requests.at(-1)?.headers["x-api-key"], "step-KEY-2-abcdef");

    const batch = client.batch();
    const partKey = "part-only-KEY-7654321";
    const handle = batch.request({ method: "GET", url: "Books(1)", headers: { "x-api-key": partKey, "x-tenant": "tenant-one-visible" } });
    const result = (await batch.send()).of(handle);
    assert.equal(result.ok, false);
    denied(result.error, "a $batch part's header", partKey);
    assert.ok(server.requests.at(-1)?.body.includes(`x-api-key: ${partKey}`), "the part carried the key");
  });

  test("an Authorization given in the client's headers is masked as one: its bare token, and for Basic its base64, user:password and password", async (t) => {
    const server = await startServer((request, res) => {
      const [scheme = "", credentials = ""] = String(request.headers["authorization"]).split(" ");
      const echoed = scheme === "Basic" ? `${credentials} / ${Buffer.from(credentials, "base64").toString()}` : credentials;
      sendJson(res, 403, { error: { code: "Denied", message: `no access for ${echoed}` } });
    });
    t.after(() => server.close());
    const cases: [string, string, string][] = [
      [`Bearer ${BEARER}`, "no access for ***", BEARER],
      [`Basic ${Buffer.from(`alice:${PASSWORD}`).toString("base64")}`, "no access for *** / ***", PASSWORD],
    ];
    for (const [authorization, shown, secret] of cases) {
      const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, headers: { Authorization: authorization } });
      const error = await rejectionOf(client.collection("Books").page());
      assert.ok(error instanceof ODataHttpError && error.status === 403, inspect(error));
      assert.equal(server.requests.at(-1)?.headers["authorization"], authorization, "it went on the wire");
      assert.equal(error.odataError?.message, shown);
      assertClean(error, [secret]);
    }
  });

  test("the Authorization values sent are kept however many other secret headers came first; the parts of a $batch each keep their own key", async (t) => {
    const server = await startServer((request, res) => {
      if (request.path.endsWith("/$batch")) {
        const keys = [...request.body.matchAll(/x-api-key: (\S+)/g)].map((match) => match[1]);
        const parts = keys.map((key) => `--b0\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\n\r\n${JSON.stringify({ error: { code: "Denied", message: `bad key ${key}` } })}\r\n`);
        res.writeHead(200, { "content-type": "multipart/mixed; boundary=b0" });
        res.end(`${parts.join("")}--b0--\r\n`);
        return;
      }
      sendJson(res, 403, { error: { code: "Denied", message: `token ${String(request.headers["authorization"]).split(" ")[1]} expired` } });
    });
    t.after(() => server.close());
    // A step that sends 16 other secret headers before any request carries a token.
    let first = true;
    const many: PipelineStep = {
      name: "many-keys",
      handle(request, next) {
        if (first) for (let n = 0; n < 16; n++) request.headers.set(`x-tenant${n}-api-key`, `tenant-${n}-KEY-abcdef`);
        first = false;
        return next(request);
      },
    };
    let issued = 0;
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, steps: [many], auth: { bearer: () => `token-${++issued}-abcdefghijklmnop` } });
    for (let call = 1; call <= 2; call++) {
      if (call === 2) {
        // The step did send its 16 keys, on the first request.
        const first = server.requests[0]?.headers ?? {};
        assert.deepEqual(Array.from({ length: 16 }, (_, n) => first[`x-tenant${n}-api-key`]), Array.from({ length: 16 }, (_, n) => `tenant-${n}-KEY-abcdef`));
      }
      const error = await rejectionOf(client.collection("Books").page());
      assert.ok(error instanceof ODataHttpError);
      assert.equal(error.odataError?.message, "token *** expired", `call ${call}`);
    }
    const batch = client.batch();
    const handles = [1, 2, 3, 4, 5, 6].map((n) => batch.request({ method: "GET", url: `Books(${n})`, headers: { "x-api-key": `part-${n}-KEY-0123456789` } }));
    await batch.send();
    assert.deepEqual(
      handles.map((handle) => {
        const result = handle.result();
        return result.ok ? "ok" : result.error instanceof ODataHttpError ? result.error.odataError?.message : result.error.message;
      }),
      Array.from({ length: 6 }, () => "bad key ***"),
    );
  });

  test("a $batch part's own Authorization and key are masked in its failure (the bare token too) and wherever else an answer echoes them: the whole batch's error", async (t) => {
    let whole = false;
    const server = await startServer((request, res) => {
      const token = /authorization: Bearer (\S+)/i.exec(request.body)?.[1] ?? "";
      const key = /x-api-key: (\S+)/i.exec(request.body)?.[1] ?? "";
      if (whole) {
        sendJson(res, 400, { error: { code: "Bad", message: `bad key ${key}` } });
        return;
      }
      const error = JSON.stringify({ error: { code: "Denied", message: `token ${token} expired, key ${key}` } });
      answerOnePart(res, `HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n\r\n${error}`);
    });
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
    const headers = { Authorization: "Bearer partOwnToken_abcdef123456", "x-api-key": "partApiKey_zyxw98765" };
    const batch = client.batch();
    const part = batch.request({ method: "GET", url: "Books(1)", headers });
    await batch.send();
    const result = part.result();
    assert.ok(!result.ok && result.error instanceof ODataHttpError, inspect(result));
    assert.equal(result.error.odataError?.message, "token *** expired, key ***");
    whole = true;
    const again = client.batch();
    again.request({ method: "GET", url: "Books(1)", headers });
    const error = await rejectionOf(again.send());
    assert.ok(error instanceof ODataHttpError && error.status === 400, inspect(error));
    assert.equal(error.odataError?.message, "bad key ***");
    assertClean(error, ["partApiKey_zyxw98765"]);
  });

  test("a $batch part whose body cannot be read, echoing the token, has it masked in its BAD_PAYLOAD", async (t) => {
    const server = await startServer((request, res) => {
      const token = String(request.headers["authorization"]).split(" ")[1];
      answerOnePart(res, `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\nx ${token}`);
    });
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, auth: { bearer: "tok-SECRET-9876" } });
    const batch = client.batch();
    const book = batch.get(client.collection("Books").key(1));
    await batch.send();
    const result = book.result();
    assert.ok(!result.ok && result.status === 200 && result.error.code === "BAD_PAYLOAD", inspect(result));
    assert.match(result.error.message, /^response to request 1 \(GET Books\(1\)\): the body is not JSON/);
    assertClean(result.error, ["tok-SECRET-9876"]);
    assert.ok(!inspect(result.error).includes("tok-SECRET-9876"), inspect(result.error));
  });

  test("a $batch part that cannot be read, quoting an echoed token (its status line), and a JSON $batch answer that is not JSON, starting with it, have it masked in their BAD_BATCH_RESPONSE", async (t) => {
    const server = await startServer((request, res) => {
      const token = String(request.headers["authorization"]).split(" ")[1];
      if (String(request.headers["content-type"]).startsWith("application/json")) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(`${token} is not valid here`);
        return;
      }
      answerOnePart(res, `invalid token ${token}\r\n\r\n`);
    });
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, auth: { bearer: BEARER } });
    const batch = client.batch();
    const part = batch.get(client.collection("Books").key(1));
    await batch.send();
    const result = part.result();
    assert.ok(!result.ok && result.error.code === "BAD_BATCH_RESPONSE", inspect(result));
    assert.match(result.error.message, /"invalid token \*\*\*" is not a status line/);
    assertClean(result.error, [BEARER]);
    const json = client.batch({ format: "json" });
    json.get(client.collection("Books").key(1));
    const error = await rejectionOf(json.send());
    assert.ok(error instanceof ODataClientError && error.code === "BAD_BATCH_RESPONSE", inspect(error));
    // The parser quotes the first characters, a piece of the token: masked as the token is.
    assert.match(error.message, /the body is not JSON \(Unexpected token '.', "\*\*\*"\.\.\. is not valid JSON\)/);
    assertClean(error, [BEARER, BEARER.slice(0, 6)]);
  });

  test("a body that is not JSON, starting with an echoed token, is BAD_PAYLOAD with no piece of it: get(), a page, a walk, a write, an operation, a delta, a monitor", async (t) => {
    const server = await startServer((request, res) => {
      const token = String(request.headers["authorization"]).split(" ")[1];
      if (request.path.includes("Jobs")) {
        res.writeHead(202, { location: "/svc/monitor/1", "retry-after": "0" });
        res.end();
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(`${token} denied`);
    });
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, auth: { bearer: BEARER } });
    const books = client.collection<{ ID: number }>("Books");
    const calls: [string, () => Promise<unknown>][] = [
      ["get", () => books.key(1).get()],
      ["page", () => books.page()],
      ["walk", async () => {
        for await (const book of books) void book;
      }],
      ["update", () => books.key(1).update({ ID: 2 })],
      ["operation", () => client.action("Refresh").invoke()],
      ["delta", () => client.delta(`${server.url("svc/")}Books?$deltatoken=1`).next()],
      ["monitor", async () => (await client.action("Jobs").invokeAsync()).wait()],
    ];
    for (const [what, call] of calls) {
      const error = await rejectionOf(call());
      assert.ok(error instanceof ODataClientError && /^(BAD_PAYLOAD|ASYNC_BAD_RESPONSE)$/.test(error.code), `${what}: ${inspect(error)}`);
      assert.match(error.message, /"\*\*\*"\.\.\. is not valid JSON/, what);
      assertClean(error, [BEARER, BEARER.slice(0, 6)]);
      assert.ok(!inspect(error).includes(BEARER.slice(0, 6)), `${what}: ${inspect(error)}`);
    }
  });

  test("a piece of an echoed token stays out of every error: an HTML-labelled body's parser error (the cause), an answer given at once to an ...Async call, a metadata document, a part's status line clipped inside the token", async (t) => {
    const server = await startServer((request, res) => {
      const token = String(request.headers["authorization"]).split(" ")[1];
      if (request.path.endsWith("/$batch") && String(request.headers["content-type"]).startsWith("multipart/")) {
        // Clipped at 80 characters, inside the token.
        answerOnePart(res, `${"x".repeat(70)} ${token}\r\n\r\n`);
        return;
      }
      const html = request.path.includes("Html");
      res.writeHead(200, { "content-type": html ? "text/html" : "application/json" });
      res.end(`${token} denied`);
    });
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, auth: { bearer: BEARER } });
    const pages = client.collection("HtmlBooks");
    const jsonBatch = client.batch({ format: "json" });
    jsonBatch.get(client.collection("Books").key(1));
    const calls: [string, () => Promise<unknown>][] = [
      ["get of a page", () => pages.key(1).get()],
      ["page of a page", () => pages.page()],
      ["update answered with a page", () => pages.key(1).update({ ID: 2 })],
      ["invokeAsync answered at once", () => client.action("Run").invokeAsync()],
      ["sendAsync of a JSON batch answered at once", () => jsonBatch.sendAsync()],
      // The metadata's error quotes the start of a document that is neither EDMX nor CSDL JSON.
      ["metadata", () => client.metadata()],
      ["metadata that starts as JSON", () => new ODataClient({ serviceUrl: server.url("svc/"), retry: false, auth: { bearer: `{${BEARER}` } }).metadata()],
    ];
    for (const [what, call] of calls) {
      const error = await rejectionOf(call());
      assert.ok(error instanceof ODataClientError, `${what}: ${inspect(error)}`);
      assertClean(error, [BEARER, BEARER.slice(0, 6)]);
      assert.ok(!inspect(error).includes(BEARER.slice(0, 6)), `${what}: ${inspect(error)}`);
    }
    const batch = client.batch();
    const part = batch.get(client.collection("Books").key(1));
    await batch.send();
    const result = part.result();
    assert.ok(!result.ok && result.error.code === "BAD_BATCH_RESPONSE", inspect(result));
    assert.match(result.error.message, /the first line "x{70} \*\*\*…" is not a status line/);
    assertClean(result.error, [BEARER, BEARER.slice(0, 6)]);
  });

  test("a $count answer that is no count, echoing the token, is quoted with the token masked: alone and as a $batch part", async (t) => {
    const server = await startServer((request, res) => {
      const token = String(request.headers["authorization"]).split(" ")[1];
      if (request.path.endsWith("/$batch")) {
        answerOnePart(res, `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\ninvalid token ${token}`);
        return;
      }
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(`invalid token ${token}`);
    });
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, auth: { bearer: BEARER } });
    const alone = await rejectionOf(client.collection("Books").countAll());
    const batch = client.batch();
    const counted = batch.count(client.collection("Books"));
    await batch.send();
    const result = counted.result();
    for (const error of [alone, result.ok ? undefined : result.error]) {
      assert.ok(error instanceof ODataClientError && error.code === "BAD_PAYLOAD", inspect(error));
      assert.match(error.message, /"invalid token \*\*\*"(,| is) /);
      assertClean(error, [BEARER]);
    }
  });

  test("a token echoed bare in the reason phrase is masked in the error: a request's, a $batch part's, a status monitor's", async (t) => {
    const server = await startServer((request, res) => {
      const token = String(request.headers["authorization"]).split(" ")[1];
      if (request.path.endsWith("/$batch")) {
        answerOnePart(res, `HTTP/1.1 401 bad ${token}\r\nContent-Type: text/plain\r\n\r\nno`);
        return;
      }
      res.statusMessage = `bad ${token}`;
      res.writeHead(401, { "content-type": "text/plain" });
      res.end("no");
    });
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, auth: { bearer: BEARER } });
    const alone = await rejectionOf(client.collection("Books").page());
    const batch = client.batch();
    const part = batch.get(client.collection("Books").key(1));
    await batch.send();
    const result = part.result();
    const monitor = await rejectionOf(client.asyncPoller("monitor/1").poll());
    for (const error of [alone, result.ok ? undefined : result.error, monitor]) {
      assert.ok(error instanceof ODataHttpError && error.status === 401, inspect(error));
      assert.ok(error.message.endsWith("failed with HTTP 401 bad ***"), error.message);
      assertClean(error, [BEARER]);
    }
  });

  test("a CSRF token and the session cookie the service echoes bare in a write's error are masked", async (t) => {
    const token = "csrf-TOKEN-0123456789";
    const session = "SAP_SESSIONID_S4H_100=session-SECRET-4242";
    const server = await startServer((request, res) => {
      if (request.headers["x-csrf-token"] === "Fetch") {
        res.writeHead(200, { "x-csrf-token": token, "set-cookie": `${session}; Path=/; HttpOnly`, "content-type": "application/json" });
        res.end("{}");
        return;
      }
      sendJson(res, 400, { error: { code: "Invalid", message: `rejected under ${request.headers["x-csrf-token"] ?? "no token"} with ${request.headers["cookie"] ?? "no cookie"}` } });
    });
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, csrf: true });
    const error = await rejectionOf(client.collection("Books").create({ title: "x" }));
    assert.ok(error instanceof ODataHttpError && error.status === 400, inspect(error));
    assert.equal(server.requests.at(-1)?.headers["x-csrf-token"], token, "the write carried the token");
    assert.equal(server.requests.at(-1)?.headers["cookie"], session, "and the session cookie, as sent");
    assert.equal(error.odataError?.message, "rejected under *** with ***");
    assertClean(error, [token, session]);
  });

  test("a status monitor that echoes the token bare in its error body has it masked too", async (t) => {
    const server = await startServer((request, res) => {
      const token = (request.headers["authorization"] ?? "").split(" ")[1] ?? "";
      res.writeHead(403, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "Denied", message: `monitor says no to ${token}` } }));
    });
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, auth: { bearer: BEARER } });
    const error = await rejectionOf(client.asyncPoller("monitor/1").poll());
    assert.ok(error instanceof ODataHttpError);
    assertClean(error, [BEARER]);
    assert.ok(!error.body.includes(BEARER) && !inspect(error).includes(BEARER));
    assert.equal(error.odataError?.message, "monitor says no to ***");
    assert.equal(server.requests[0]?.headers["authorization"], `Bearer ${BEARER}`);
  });

  test("a monitor that reports a failed operation echoing the token has it masked in the AsyncOperationFailedError (rules 2 and 4)", async (t) => {
    const server = await startServer((request, res) => {
      const token = (request.headers["authorization"] ?? "").split(" ")[1] ?? "";
      const error = JSON.stringify({ error: { code: "Denied", message: `the job of ${token} failed`, details: [{ code: "D", message: `again ${token}` }] } });
      if (request.path.endsWith("/rule4")) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ status: "Failed", ...JSON.parse(error) }));
      } else {
        res.writeHead(200, { "content-type": "application/http" });
        res.end(`HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n\r\n${error}`);
      }
    });
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, auth: { bearer: BEARER } });
    for (const path of ["monitor/rule4", "monitor/rule2"]) {
      const error = await rejectionOf(client.asyncPoller(path, { pollInterval: 10 }).wait());
      assert.ok(error instanceof AsyncOperationFailedError, path);
      assertClean(error, [BEARER]);
      assert.ok(!inspect(error).includes(BEARER), path);
      assert.equal(error.odataError?.message, "the job of *** failed", path);
      assert.equal(error.odataError?.details?.[0]?.message, "again ***", path);
      assert.match(error.message, /: the job of \*\*\* failed$/, path);
    }
    assert.deepEqual(
      server.requests.map((request) => [request.path, request.headers["authorization"]]),
      [
        ["/svc/monitor/rule4", `Bearer ${BEARER}`],
        ["/svc/monitor/rule2", `Bearer ${BEARER}`],
      ],
    );
  });

  test("a $batch whose failed part echoes the token has it masked in that part's error, multipart and JSON", async (t) => {
    const server = await startServer((request, res) => {
      const token = (request.headers["authorization"] ?? "").split(" ")[1] ?? "";
      const error = { error: { code: "Denied", message: `no access for ${token}` } };
      if ((request.headers["content-type"] ?? "").startsWith("application/json")) {
        const id = (JSON.parse(request.body) as { requests: { id: string }[] }).requests[0]?.id;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ responses: [{ id, status: 403, headers: { "content-type": "application/json" }, body: error }] }));
        return;
      }
      res.writeHead(200, { "content-type": "multipart/mixed; boundary=b0" });
      res.end(
        `--b0\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(error)}\r\n--b0--\r\n`,
      );
    });
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, auth: { bearer: BEARER } });
    for (const format of ["multipart", "json"] as const) {
      const batch = client.batch({ format });
      const handle = batch.get(client.collection("Books").key(1));
      const results = await batch.send();
      const result = results.of(handle);
      assert.equal(result.ok, false, format);
      assert.equal(result.status, 403, format);
      const error = result.error;
      assert.ok(error instanceof ODataHttpError, format);
      assertClean(error, [BEARER]);
      assert.ok(!error.body.includes(BEARER) && !inspect(error).includes(BEARER), format);
      assert.equal(error.odataError?.message, "no access for ***", format);
    }
    assert.deepEqual(
      server.requests.map((request) => request.headers["authorization"]),
      [`Bearer ${BEARER}`, `Bearer ${BEARER}`],
    );
  });

  test("a $batch part echoing the batch's own token has it masked even when later requests sent four other tokens meanwhile", async (t) => {
    let held: { res: import("node:http").ServerResponse; token: string } | undefined;
    let others = 0;
    const answerBatch = () => {
      if (held === undefined || others < 4) return;
      const error = JSON.stringify({ error: { code: "Denied", message: `no access for ${held.token}` } });
      held.res.writeHead(200, { "content-type": "multipart/mixed; boundary=b0" });
      held.res.end(`--b0\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\n\r\n${error}\r\n--b0--\r\n`);
    };
    const server = await startServer((request, res) => {
      const token = (request.headers["authorization"] ?? "").split(" ")[1] ?? "";
      if (request.path.endsWith("/$batch")) {
        held = { res, token };
      } else {
        others++;
        sendJson(res, 200, { value: [] });
      }
      answerBatch();
    });
    t.after(() => server.close());
    let issued = 0;
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, auth: { bearer: () => `rotating-token-${++issued}-SECRET` } });
    const batch = client.batch();
    const handle = batch.get(client.collection("Books").key(1));
    const sent = batch.send();
    await waitFor(() => held !== undefined, "the $batch");
    for (let i = 0; i < 4; i++) await client.collection("Books").page();
    const result = (await sent).of(handle);
    assert.equal(result.ok, false);
    const error = result.error;
    assert.ok(error instanceof ODataHttpError);
    assert.equal(held?.token, "rotating-token-1-SECRET");
    assert.equal(error.odataError?.message, "no access for ***");
    assertClean(error, ["rotating-token-1-SECRET"]);
    assert.deepEqual(
      server.requests.map((request) => request.headers["authorization"]),
      [1, 2, 3, 4, 5].map((n) => `Bearer rotating-token-${n}-SECRET`),
    );
  });

  test("timeout and network errors of an authenticated request hold no secret", async (t) => {
    const server = await startServer((r, res) => {
      if (r.path.endsWith("Slow")) return;
      res.socket?.destroy();
    });
    t.after(() => server.close());
    const core = new ClientCore(
      resolveClientOptions({ serviceUrl: server.url("svc/"), auth: { bearer: BEARER }, headers: { cookie: COOKIE }, retry: false }),
    );
    const errors: unknown[] = [];
    for (const [path, timeout] of [["svc/Slow", 30], ["svc/Drop", 10_000]] as const) {
      await core.send({ method: "GET", url: new URL(server.url(path)), timeout }).catch((error: unknown) => errors.push(error));
    }
    assert.deepEqual(errors.map((e) => (e as ODataClientError).code), ["TIMEOUT", "NETWORK_ERROR"]);
    for (const error of errors) assertClean(error as Error, [BEARER, COOKIE]);
  });
});

describe("error classes", () => {
  const init = { statusUrl: "https://host.example/monitor/1", status: "Running", percentComplete: 10 };
  const cases: [Error, string, string][] = [
    [new ODataClientError("TIMEOUT", "took too long"), "ODataClientError", "TIMEOUT"],
    [
      new ODataHttpError({ status: 500, method: "GET", url: "https://host.example/", headers: {}, body: "" }),
      "ODataHttpError",
      "HTTP_ERROR",
    ],
    [new AsyncOperationError("test:ASYNC_X", "base", init), "AsyncOperationError", "test:ASYNC_X"],
    [new AsyncOperationFailedError("failed", { ...init, httpStatus: 500 }), "AsyncOperationFailedError", "ASYNC_OPERATION_FAILED"],
    [new AsyncOperationCancelledError("cancelled", init), "AsyncOperationCancelledError", "ASYNC_OPERATION_CANCELLED"],
    [new AsyncOperationTimeoutError("timed out", { ...init, maxWait: 1000 }), "AsyncOperationTimeoutError", "ASYNC_OPERATION_TIMEOUT"],
  ];

  for (const [error, name, code] of cases) {
    test(`${name} is an Error and an ODataClientError named ${name} with code ${code}`, () => {
      assert.ok(error instanceof Error);
      assert.ok(error instanceof ODataClientError);
      assert.equal(error.name, name);
      assert.equal((error as ODataClientError).code, code);
      assert.ok(String(error.stack).startsWith(`${name}: `), String(error.stack));
      assert.equal(Object.prototype.toString.call(error), "[object Error]");
    });
  }

  test("the async operation errors extend AsyncOperationError", () => {
    for (const [error] of cases.slice(3)) assert.ok(error instanceof AsyncOperationError);
  });

  test("the cause is the standard cause and stays out of the JSON form", () => {
    const cause = new Error("socket hang up: request 7");
    const error = new ODataClientError("NETWORK_ERROR", "GET x failed", { cause });
    assert.equal(error.cause, cause);
    assert.deepEqual(JSON.parse(JSON.stringify(error)), { name: "ODataClientError", code: "NETWORK_ERROR", message: "GET x failed" });
  });

  test("the JSON form of an ODataHttpError has name, code, message and the HTTP fields", () => {
    const error = new ODataHttpError({ status: 503, method: "GET", url: "https://host.example/x", headers: { "retry-after": "5" }, body: "busy" });
    assert.deepEqual(JSON.parse(JSON.stringify(error)), {
      name: "ODataHttpError",
      code: "HTTP_ERROR",
      message: "GET https://host.example/x failed with HTTP 503",
      status: 503,
      method: "GET",
      url: "https://host.example/x",
      headers: { "retry-after": "5" },
      body: "busy",
    });
  });
});
