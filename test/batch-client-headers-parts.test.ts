/**
 * A `$batch` part carries the client's configured `headers`, as the same request sent alone does:
 * services read a part's own headers, and Microsoft Graph answers a `$count` or `$search` part on
 * directory objects without `ConsistencyLevel: eventual` with 400 `Request_UnsupportedQuery`. A
 * part's own header wins, a configured `Prefer` joins the part's own, and headers named like a
 * credential stay on the envelope only. JSON and multipart, OData v4 and v2, on node:http servers.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ServerResponse } from "node:http";
import type { AsyncPollerToken, ODataClient } from "../src/index.js";
import { sendJson, serveClient, type RecordedRequest, type RecordingServer } from "./servers/recording-server.js";

const CRLF = "\r\n";

/** One request inside a `$batch` body as the server read it. */
interface Part {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  /** The changeset (multipart) or atomicity group (JSON) it is in. */
  group: string | undefined;
}

/** The requests of a multipart body (changesets opened), headers in lower case. */
function multipartParts(body: string, boundary: string, group?: string): Part[] {
  const chunks = body.split(`--${boundary}`).slice(1, -1);
  return chunks.flatMap((chunk) => {
    const text = chunk.replace(/^\r\n/, "");
    const [mime = "", ...rest] = text.split(`${CRLF}${CRLF}`);
    const inner = rest.join(`${CRLF}${CRLF}`);
    const changeset = /content-type: multipart\/mixed; boundary=(\S+)/i.exec(mime)?.[1];
    if (changeset !== undefined) return multipartParts(inner, changeset, changeset);
    const id = /content-id: (\S+)/i.exec(mime)?.[1] ?? "";
    const [head = "", ...payload] = inner.split(`${CRLF}${CRLF}`);
    const [line = "", ...fields] = head.split(CRLF);
    const [method = "", url = ""] = line.split(" ");
    const headers: Record<string, string> = {};
    for (const field of fields) {
      const colon = field.indexOf(":");
      headers[field.slice(0, colon).toLowerCase()] = field.slice(colon + 1).trim();
    }
    return [{ id, method, url, headers, body: payload.join(`${CRLF}${CRLF}`).replace(/\r\n$/, ""), group }];
  });
}

/** The requests of a `$batch` request the server got, in either format. */
function partsOf(request: RecordedRequest): Part[] {
  const type = String(request.headers["content-type"]);
  if (type.startsWith("application/json")) {
    const sent = JSON.parse(request.body) as { requests: { id: string; method: string; url: string; headers?: Record<string, string>; body?: unknown; atomicityGroup?: string }[] };
    return sent.requests.map((part) => ({ id: part.id, method: part.method, url: part.url, headers: part.headers ?? {}, body: part.body === undefined ? "" : JSON.stringify(part.body), group: part.atomicityGroup }));
  }
  const boundary = /boundary=(\S+)/.exec(type)?.[1];
  assert.ok(boundary, type);
  return multipartParts(request.body, boundary);
}

/** A part's answer. */
interface PartAnswer {
  status: number;
  type: string;
  body: string;
}

/**
 * Answers as Microsoft Graph does: a `$count` or `$search` on `users` only with the part's own
 * `ConsistencyLevel: eventual`, 400 `Request_UnsupportedQuery` otherwise; a create with 201.
 */
function graphAnswer(part: Part, v2: boolean): PartAnswer {
  const advanced = part.url.includes("$count") || part.url.includes("$search");
  if (advanced && part.headers["consistencylevel"] !== "eventual") {
    return { status: 400, type: "application/json", body: JSON.stringify({ error: { code: "Request_UnsupportedQuery", message: "Unsupported Query." } }) };
  }
  if (part.method === "POST") return { status: 201, type: "application/json", body: v2 ? JSON.stringify({ d: { id: "u9", ...(JSON.parse(part.body) as object) } }) : JSON.stringify({ id: "u9", ...(JSON.parse(part.body) as object) }) };
  if (part.url.includes("/$count")) return { status: 200, type: "text/plain", body: "42" };
  return { status: 200, type: "application/json", body: JSON.stringify({ "@odata.count": 1, value: [{ id: "u1" }] }) };
}

/** A multipart answer to `parts`, each changeset's in a changeset of its own. */
function multipartAnswer(parts: Part[], v2: boolean): string {
  const http = (part: Part) => {
    const answer = graphAnswer(part, v2);
    return ["Content-Type: application/http", "Content-Transfer-Encoding: binary", `Content-ID: ${part.id}`, "", `HTTP/1.1 ${answer.status} X`, `Content-Type: ${answer.type}`, "", answer.body].join(CRLF);
  };
  const items: string[] = [];
  for (const [index, part] of parts.entries()) {
    if (part.group === undefined) items.push(http(part));
    else if (parts[index - 1]?.group !== part.group) {
      const members = parts.filter((other) => other.group === part.group);
      items.push(`Content-Type: multipart/mixed; boundary=cs${index}${CRLF}${CRLF}${members.map((member) => `--cs${index}${CRLF}${http(member)}${CRLF}`).join("")}--cs${index}--`);
    }
  }
  return `${items.map((item) => `--r${CRLF}${item}${CRLF}`).join("")}--r--${CRLF}`;
}

/** A Graph-like service: single requests and `$batch` in either format, each part answered by its own headers. */
function graph(v2 = false) {
  return (request: RecordedRequest, res: ServerResponse): void => {
    if (!request.path.endsWith("/$batch")) {
      const answer = graphAnswer({ id: "", method: request.method, url: decodeURIComponent(request.path), headers: request.headers as Record<string, string>, body: request.body, group: undefined }, v2);
      res.writeHead(answer.status, { "content-type": answer.type });
      return void res.end(answer.body);
    }
    const parts = partsOf(request);
    if (String(request.headers["content-type"]).startsWith("application/json")) {
      return sendJson(res, 200, { responses: parts.map((part) => ({ id: part.id, ...jsonResponse(graphAnswer(part, v2)) })) });
    }
    res.writeHead(200, { "content-type": "multipart/mixed; boundary=r" });
    res.end(multipartAnswer(parts, v2));
  };
}

function jsonResponse(answer: PartAnswer): { status: number; headers: Record<string, string>; body: unknown } {
  return { status: answer.status, headers: { "content-type": answer.type }, body: answer.type === "application/json" ? JSON.parse(answer.body) : answer.body };
}

/** The values of the client's credentials: none of them may appear in a `$batch` body. */
const SECRETS = { bearer: "bearer-s3cret-1", apiKey: "key-s3cret-2", cookie: "sid=cookie-s3cret-3" };

/** Client options as for Microsoft Graph: `ConsistencyLevel`, a tenant, a preference, and credentials in every form. */
const GRAPH_OPTIONS = {
  headers: { ConsistencyLevel: "eventual", "X-Tenant": "acme", Prefer: 'odata.include-annotations="*"', "x-api-key": SECRETS.apiKey, Cookie: SECRETS.cookie },
  auth: { bearer: SECRETS.bearer },
};

/** The one `$batch` request the server got, its envelope checked to carry the credentials and the configured headers. */
function batchRequestSent(server: RecordingServer): RecordedRequest {
  const sent = server.requests.filter((request) => request.path.endsWith("/$batch"));
  assert.equal(sent.length, 1);
  const envelope = sent[0]!;
  assert.equal(envelope.headers["authorization"], `Bearer ${SECRETS.bearer}`);
  assert.equal(envelope.headers["x-api-key"], SECRETS.apiKey);
  assert.equal(envelope.headers["cookie"], SECRETS.cookie);
  assert.equal(envelope.headers["consistencylevel"], "eventual");
  assert.equal(envelope.headers["x-tenant"], "acme");
  // Inside the body no credential, by name or by value.
  assert.doesNotMatch(envelope.body, /s3cret|authorization|x-api-key|cookie/i);
  return envelope;
}

for (const format of ["json", "multipart"] as const) {
  test(`${format}: each part carries the client's configured headers as the request alone does, its own header winning, credentials on the envelope only`, async (t) => {
    const { server, client } = await serveClient(t, graph(), GRAPH_OPTIONS, "v1.0/");
    const users = client.collection<{ id: string; displayName?: string }>("users");
    // The count alone, for comparison: it gets the configured headers from the pipeline.
    assert.equal(await users.countAll(), 42);
    const alone = server.requests[0]!.headers;
    assert.equal(alone["consistencylevel"], "eventual");
    assert.equal(alone["x-tenant"], "acme");

    const batch = client.batch({ format });
    const count = batch.count(users);
    const searched = batch.page(users.search('"displayName:a"').count());
    const created = batch.create(users, { displayName: "Ann" }, { headers: { "X-Tenant": "beta" }, prefer: "representation" });
    // A raw request's own header, in any case, wins too.
    const raw = batch.request({ method: "GET", url: "users?$top=1", headers: { "X-TENANT": "gamma" } });
    const results = await batch.send();

    const envelope = batchRequestSent(server);
    const parts = partsOf(envelope);
    assert.deepEqual(
      parts.map(({ method, url }) => `${method} ${url}`),
      ["GET users/$count", "GET users?$search=%22displayName:a%22&$count=true", "POST users", "GET users?$top=1"],
    );
    const configured = { consistencylevel: "eventual", "x-tenant": "acme", prefer: 'odata.include-annotations="*"' };
    assert.deepEqual({ ...parts[0]!.headers }, { accept: "text/plain", ...configured });
    assert.deepEqual({ ...parts[1]!.headers }, { accept: "application/json", ...configured });
    // The write's own X-Tenant wins; its own preference joins the configured one, as alone.
    assert.deepEqual(
      { ...parts[2]!.headers },
      { accept: "application/json", "odata-version": "4.0", "odata-maxversion": "4.0", "content-type": "application/json", "x-tenant": "beta", prefer: 'odata.include-annotations="*", return=representation', consistencylevel: "eventual" },
    );
    assert.deepEqual({ ...parts[3]!.headers }, { ...configured, accept: "application/json", "x-tenant": "gamma" });

    assert.deepEqual(
      results.map((result) => (result.ok ? result.status : `${result.status} ${result.error.message}`)),
      [200, 200, 201, 200],
    );
    const rawResult = raw.result();
    assert.ok(rawResult.ok);
    assert.deepEqual(rawResult.value, { "@odata.count": 1, value: [{ id: "u1" }] });
    const counted = count.result();
    assert.ok(counted.ok);
    assert.equal(counted.value, 42);
    const page = searched.result();
    assert.ok(page.ok);
    assert.equal(page.value.count, 1);
    assert.deepEqual(page.value.value, [{ id: "u1" }]);
    const write = created.result();
    assert.ok(write.ok);
    assert.deepEqual(write.value, { id: "u9", displayName: "Ann" });
  });
}

test("OData v2 multipart: a part inside a changeset carries the configured headers too, credentials on the envelope only", async (t) => {
  const { server, client } = await serveClient(t, graph(true), { ...GRAPH_OPTIONS, version: "2.0" }, "v1.0/");
  const users = client.collection<{ id: string; displayName?: string }>("users");
  const batch = client.batch();
  const count = batch.count(users);
  const created = batch.create(users, { displayName: "Ann" }, { headers: { ConsistencyLevel: "session" } });
  await batch.send();

  const parts = partsOf(batchRequestSent(server));
  // The v2 create goes in a changeset of its own.
  assert.deepEqual(
    parts.map(({ method, url, group }) => `${method} ${url} ${group === undefined ? "top" : "changeset"}`),
    ["GET users/$count top", "POST users changeset"],
  );
  assert.deepEqual({ ...parts[0]!.headers }, { accept: "text/plain", consistencylevel: "eventual", "x-tenant": "acme", prefer: 'odata.include-annotations="*"' });
  assert.deepEqual(
    { ...parts[1]!.headers },
    { accept: "application/json", dataserviceversion: "2.0", maxdataserviceversion: "2.0", "content-type": "application/json", consistencylevel: "session", "x-tenant": "acme", prefer: 'odata.include-annotations="*"' },
  );
  const counted = count.result();
  assert.ok(counted.ok, JSON.stringify(counted));
  assert.equal(counted.value, 42);
  const write = created.result();
  assert.ok(write.ok, JSON.stringify(write));
  assert.deepEqual(write.value, { id: "u9", displayName: "Ann" });
});

/** The same batch on any client: a count and a search. */
function countAndSearch(client: ODataClient) {
  const users = client.collection<{ id: string }>("users");
  const batch = client.batch({ format: "json" });
  batch.count(users);
  batch.page(users.search('"displayName:a"').count());
  return batch;
}

test("toRequest() writes the configured headers into the parts and no credential; a resume token fits the same batch on a client without configured headers", async (t) => {
  let monitorPolls = 0;
  const { server, client, root } = await serveClient(
    t,
    (request, res) => {
      if (request.path.endsWith("/$batch")) {
        res.writeHead(202, { location: `${root}mon/1` });
        return void res.end();
      }
      monitorPolls++;
      // The answer the parts as sent earn: the configured headers were in them.
      const parts = partsOf(server.requests.find((sent) => sent.path.endsWith("/$batch"))!);
      sendJson(res, 200, { responses: parts.map((part) => ({ id: part.id, ...jsonResponse(graphAnswer(part, false)) })) });
    },
    GRAPH_OPTIONS,
    "v1.0/",
  );

  const written = await countAndSearch(client).toRequest();
  assert.equal(server.requests.length, 0);
  // The envelope as written has no credential (the pipeline adds them on sending).
  assert.equal(written.headers["authorization"], undefined);
  assert.equal(written.headers["x-api-key"], undefined);
  const body = JSON.parse(written.body) as { requests: { headers: Record<string, string> }[] };
  assert.deepEqual(
    body.requests.map((part) => part.headers),
    [
      { accept: "text/plain", consistencylevel: "eventual", "x-tenant": "acme", prefer: 'odata.include-annotations="*"' },
      { accept: "application/json", consistencylevel: "eventual", "x-tenant": "acme", prefer: 'odata.include-annotations="*"' },
    ],
  );
  assert.doesNotMatch(written.body, /s3cret|authorization|x-api-key|cookie/i);

  const poller = await countAndSearch(client).sendAsync({ pollInterval: 1 });
  // What send wrote is what toRequest() wrote.
  assert.equal(batchRequestSent(server).body, written.body);
  const token = JSON.parse(JSON.stringify(poller.toJSON())) as AsyncPollerToken;

  // Configured headers are no part of what a token names: the same batch on a plain client takes it.
  const { client: plain } = await serveClient(t, () => assert.fail("the plain client sends nothing of its own"), {}, "v1.0/");
  const resumed = countAndSearch(plain).resumeAsync(token, { pollInterval: 1 });
  const results = await resumed.wait();
  assert.deepEqual(
    results.map((result) => (result.ok ? result.value : `${result.status} ${result.error.message}`)),
    [42, { count: 1, value: [{ id: "u1" }] }],
  );
  assert.equal(monitorPolls, 1);
  assert.deepEqual(resumed.toJSON().resultShape, token.resultShape);
});
