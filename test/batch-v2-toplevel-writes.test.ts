// OData v2 allows only retrieve requests (GET) outside a changeset (MS-ODATA 2.2.7.6; SAP Gateway's
// $batch is "an ordered series of retrieve operations and/or change sets"; Apache Olingo v2 refuses
// the whole batch with 400 for any other top-level method). A v2 batch therefore sends each write
// added to the batch itself (create, update, delete, action, a raw request that is not a GET) in a
// changeset of its own, in its place, and reads its answer as that request's result: a changeset's
// single error response (SAP) or its nested multipart with one error (Olingo) is the request's own
// failure. Content-IDs reach only within one changeset in v2 (MS-ODATA 2.2.7.6.1.1), so a reference
// that would cross changesets is refused with a TypeError before anything is sent. OData 4.0 keeps
// writes top-level. Against a node:http service on 127.0.0.1 that acts as a strict v2 endpoint.
import assert from "node:assert/strict";
import http from "node:http";
import { test, type TestContext } from "node:test";
import { ODataClient, ODataHttpError, type AsyncPollerToken, type BatchResult } from "../src/index.js";

const CRLF = "\r\n";
const fixed = { batch: "batch_t", changeset: (n: number) => `changeset_${n}` };

/** A request part as the service read it from the $batch body. */
interface PartRequest {
  contentId: string | undefined;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A top-level item of the body: a request, or a changeset's requests. */
type Item = { kind: "request"; request: PartRequest } | { kind: "changeset"; requests: PartRequest[] };

/** An answer to one request part. */
interface PartAnswer {
  status: number;
  body?: unknown;
}

/** The parts between `--boundary` delimiters of a multipart body. */
function split(body: string, boundary: string): string[] {
  const parts = body.split(`--${boundary}`);
  // parts[0] is the preamble; the last starts with the closing "--".
  return parts.slice(1, -1).map((part) => part.replace(/^\r\n/, "").replace(/\r\n$/, ""));
}

/** MIME headers and what follows the blank line. */
function headed(text: string): { headers: Record<string, string>; rest: string } {
  const end = text.indexOf(CRLF + CRLF);
  const headers: Record<string, string> = {};
  for (const line of text.slice(0, end).split(CRLF)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, rest: text.slice(end + 4) };
}

function requestOf(part: string): PartRequest {
  const mime = headed(part);
  const [line, ...afterLine] = mime.rest.split(CRLF);
  const [method = "", url = ""] = (line ?? "").split(" ");
  const http = headed(afterLine.join(CRLF));
  return { contentId: mime.headers["content-id"], method, url, headers: http.headers, body: http.rest };
}

function itemsOf(body: string, contentType: string): Item[] {
  const boundary = /boundary=([^;\s]+)/.exec(contentType)![1]!;
  return split(body, boundary).map((part): Item => {
    const mime = headed(part);
    const inner = /^multipart\/mixed;\s*boundary=([^;\s]+)/i.exec(mime.headers["content-type"] ?? "")?.[1];
    return inner === undefined ? { kind: "request", request: requestOf(part) } : { kind: "changeset", requests: split(mime.rest, inner).map(requestOf) };
  });
}

/** An application/http part answering a request. */
function responsePart(answer: PartAnswer, contentId?: string): string {
  const reason: Record<number, string> = { 200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request" };
  const body = answer.body === undefined ? "" : JSON.stringify(answer.body);
  const type = body === "" ? "" : `Content-Type: application/json${CRLF}`;
  const id = contentId === undefined ? "" : `Content-ID: ${contentId}${CRLF}`;
  return `Content-Type: application/http${CRLF}Content-Transfer-Encoding: binary${CRLF}${id}${CRLF}HTTP/1.1 ${answer.status} ${reason[answer.status] ?? "Status"}${CRLF}${type}DataServiceVersion: 2.0${CRLF}${CRLF}${body}${CRLF}`;
}

/** SAP Gateway's error body. */
const sapError = (message: string) => ({ error: { code: "ZSRV/001", message: { lang: "en", value: message } } });

/** What the service's entity set answers: a create of `DUP` fails, the rest succeed. */
function answerOf(request: PartRequest): PartAnswer {
  if (request.method === "GET" && request.url.endsWith("/$count")) return { status: 200, body: 2 };
  if (request.method === "GET") return { status: 200, body: { d: { ID: /'(\w+)'/.exec(request.url)?.[1], Name: "read" } } };
  if (request.method === "POST" && request.url.startsWith("Release")) return { status: 200, body: { d: { ID: "A", Status: "released" } } };
  if (request.method === "POST") {
    const entity = JSON.parse(request.body) as { ID: string };
    if (entity.ID === "DUP") return { status: 400, body: sapError("Product DUP exists already") };
    return { status: 201, body: { d: { ...entity, Name: "made" } } };
  }
  return { status: 204 };
}

interface StrictOptions {
  /** How a failed changeset is answered: SAP's single error response in its place, or Olingo's nested multipart with it. */
  failedChangeset?: "single" | "nested";
  /** Stops after a failed changeset unless asked to continue on error (as CAP does); SAP goes on. */
  stopsAfterFailure?: boolean;
}

/**
 * A strict OData v2 $batch endpoint: a non-GET request part outside a changeset fails the whole
 * batch with 400, as Olingo v2 does (INVALID_QUERY_OPERATION_METHOD); otherwise each item is
 * answered in order, the batch with 202 as SAP Gateway does.
 */
async function strictV2(t: TestContext, options: StrictOptions = {}): Promise<{ url: string; seen: { headers: http.IncomingHttpHeaders; body: string }[] }> {
  const seen: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  const server = http.createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    seen.push({ headers: req.headers, body });
    const items = itemsOf(body, String(req.headers["content-type"]));
    // A client speaking OData 4.0 may send writes top-level; only v2 is held to retrieve requests there.
    const v4 = req.headers["odata-version"] !== undefined;
    const bad = v4 ? undefined : items.find((item) => item.kind === "request" && item.request.method !== "GET");
    if (bad?.kind === "request") {
      res.writeHead(400, { "content-type": "application/xml" });
      res.end(`<?xml version="1.0" encoding="utf-8"?><error xmlns="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"><code/><message xml:lang="en">Invalid method for query operation: ${bad.request.method}</message></error>`);
      return;
    }
    const goOn = String(req.headers["prefer"] ?? "").includes("odata.continue-on-error");
    let out = "";
    for (const [n, item] of items.entries()) {
      out += `--r${CRLF}`;
      if (item.kind === "request") {
        out += responsePart(answerOf(item.request), item.request.contentId);
        continue;
      }
      const answers = item.requests.map(answerOf);
      const failed = answers.find((answer) => answer.status >= 400);
      if (failed === undefined) {
        out += `Content-Type: multipart/mixed; boundary=rcs${n}${CRLF}${CRLF}`;
        for (const [i, answer] of answers.entries()) out += `--rcs${n}${CRLF}${responsePart(answer, item.requests[i]!.contentId)}`;
        out += `--rcs${n}--${CRLF}`;
        continue;
      }
      if (options.failedChangeset === "nested") out += `Content-Type: multipart/mixed; boundary=rcs${n}${CRLF}${CRLF}--rcs${n}${CRLF}${responsePart(failed)}--rcs${n}--${CRLF}`;
      else out += responsePart(failed);
      if (options.stopsAfterFailure && !goOn) break;
    }
    out += `--r--${CRLF}`;
    res.writeHead(202, { "content-type": "multipart/mixed; boundary=r", dataserviceversion: "2.0" });
    res.end(out);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  t.after(() => (server.closeAllConnections(), server.close()));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/sap/opu/odata/sap/ZSRV/`, seen };
}

/** The lines of a multipart request body that show its structure: delimiters, changeset types, Content-IDs, request lines. */
function skeleton(body: string): string[] {
  return body.split(CRLF).filter((line) => /^(--|Content-Type: multipart|Content-ID:|[A-Z]+ \S+ HTTP\/1\.1$)/.test(line));
}

interface Short {
  ok: boolean;
  status: number | undefined;
  value?: unknown;
  code?: string;
  method?: string;
  url?: string;
  odata?: string | undefined;
  message?: string;
}

/** A result as the tests compare it. */
function short(result: BatchResult<unknown>): Short {
  if (result.ok) return { ok: true, status: result.status, value: result.value };
  const error = result.error;
  return {
    ok: false,
    status: result.status,
    code: error.code,
    ...(error instanceof ODataHttpError && { method: error.method, url: error.url, odata: error.odataError?.message, message: error.message }),
  };
}

interface Product {
  ID: string;
  Name?: string;
}

/** One of each write added to the batch itself, between reads, and a changeset of the caller's. */
function buildMixed(client: ODataClient) {
  const products = client.collection<Product>("Products");
  const batch = client.batch({ boundaries: fixed });
  const handles = {
    read: batch.get(products.key("A")),
    created: batch.create(products, { ID: "N" }),
    updated: batch.update(products.key("A"), { Name: "x" }),
    removed: batch.delete(products.key("B")),
    raw: batch.request({ method: "PUT", url: "Products('A')/$value", body: "text", headers: { "content-type": "text/plain" } }),
    released: batch.action<Product & { Status: string }>("Release", { ID: "A" }),
    counted: batch.count(products),
  };
  batch.changeset((cs) => cs.create(products, { ID: "M" }));
  return { batch, handles };
}

test("OData v2: each write added to the batch itself goes in a changeset of its own, in its place, GETs outside; each reads as its request's result (OData 4.0 keeps them top-level)", async (t) => {
  const service = await strictV2(t);
  const client = new ODataClient({ serviceUrl: service.url, version: "2.0" });
  const { batch, handles } = buildMixed(client);
  const results = await batch.send();

  assert.equal(service.seen.length, 1);
  const wrapped = (n: number, id: number, line: string) => ["--batch_t", `Content-Type: multipart/mixed; boundary=changeset_${n}`, `--changeset_${n}`, `Content-ID: ${id}`, line, `--changeset_${n}--`];
  assert.deepEqual(skeleton(service.seen[0]!.body), [
    "--batch_t",
    "Content-ID: 1",
    "GET Products('A') HTTP/1.1",
    ...wrapped(0, 2, "POST Products HTTP/1.1"),
    ...wrapped(1, 3, "MERGE Products('A') HTTP/1.1"),
    ...wrapped(2, 4, "DELETE Products('B') HTTP/1.1"),
    ...wrapped(3, 5, "PUT Products('A')/$value HTTP/1.1"),
    ...wrapped(4, 6, "POST Release?ID=%27A%27 HTTP/1.1"),
    "--batch_t",
    "Content-ID: 7",
    "GET Products/$count HTTP/1.1",
    // The caller's changeset, not wrapped again.
    ...wrapped(5, 8, "POST Products HTTP/1.1"),
    "--batch_t--",
  ]);
  // Each write's part keeps its own headers and body inside its changeset.
  assert.match(service.seen[0]!.body, /--changeset_0\r\nContent-Type: application\/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: 2\r\n\r\nPOST Products HTTP\/1\.1\r\n[^]*?\r\n\r\n\{"ID":"N"\}\r\n--changeset_0--\r\n/);
  assert.match(service.seen[0]!.body, /--changeset_3\r\n[^]*?PUT Products\('A'\)\/\$value HTTP\/1\.1\r\n[^]*?content-type: text\/plain\r\n(?:[^\r\n]+\r\n)*\r\ntext\r\n--changeset_3--\r\n/);

  assert.equal(results.ok, true);
  assert.equal(results.length, 8);
  assert.deepEqual(short(handles.read.result()), { ok: true, status: 200, value: { ID: "A", Name: "read" } });
  assert.deepEqual(short(handles.created.result()), { ok: true, status: 201, value: { ID: "N", Name: "made" } });
  assert.deepEqual(short(handles.updated.result()), { ok: true, status: 204, value: undefined });
  assert.deepEqual(short(handles.removed.result()), { ok: true, status: 204, value: undefined });
  assert.deepEqual(short(handles.raw.result()), { ok: true, status: 204, value: undefined });
  assert.deepEqual(short(handles.released.result()), { ok: true, status: 200, value: { ID: "A", Status: "released" } });
  assert.deepEqual(short(handles.counted.result()), { ok: true, status: 200, value: 2 });
  assert.deepEqual(short(results[7]!), { ok: true, status: 201, value: { ID: "M", Name: "made" } });

  // OData 4.0 takes writes outside changesets: its body is as before.
  const v4 = buildMixed(new ODataClient({ serviceUrl: service.url, version: "4.0" }));
  const lines = skeleton((await v4.batch.toRequest()).body);
  assert.deepEqual(lines.slice(0, 9), ["--batch_t", "Content-ID: 1", "GET Products('A') HTTP/1.1", "--batch_t", "Content-ID: 2", "POST Products HTTP/1.1", "--batch_t", "Content-ID: 3", "PATCH Products('A') HTTP/1.1"]);
  assert.equal(lines.filter((line) => line.startsWith("Content-Type: multipart")).length, 1);
});

test("OData v2: a failed write in its own changeset (SAP's single error response, or Olingo's nested one) reads as that request's failure, as a top-level failure did; the parts beside it stand", async (t) => {
  // The same failure answered to a 4.0 batch's top-level create: what the v2 result must read as.
  const v4 = new ODataClient({ serviceUrl: "http://127.0.0.1:1/sap/opu/odata/sap/ZSRV/", version: "4.0" });
  const alone = v4.batch();
  const aloneCreate = alone.create(v4.collection<Product>("Products"), { ID: "DUP" });
  await alone.readAnswer({ contentType: "multipart/mixed; boundary=r", body: `--r${CRLF}${responsePart({ status: 400, body: sapError("Product DUP exists already") })}--r--${CRLF}` });
  const expected = short(aloneCreate.result());
  assert.equal(expected.ok, false);

  for (const form of ["single", "nested"] as const) {
    const service = await strictV2(t, { failedChangeset: form });
    const client = new ODataClient({ serviceUrl: service.url, version: "2.0" });
    const products = client.collection<Product>("Products");
    const batch = client.batch({ boundaries: fixed });
    const before = batch.get(products.key("A"));
    const duplicate = batch.create(products, { ID: "DUP" });
    const fresh = batch.create(products, { ID: "N" });
    const after = batch.get(products.key("B"));
    const results = await batch.send();

    assert.deepEqual(skeleton(service.seen[0]!.body).filter((line) => / HTTP\/1\.1$|^Content-Type/.test(line)), [
      "GET Products('A') HTTP/1.1",
      "Content-Type: multipart/mixed; boundary=changeset_0",
      "POST Products HTTP/1.1",
      "Content-Type: multipart/mixed; boundary=changeset_1",
      "POST Products HTTP/1.1",
      "GET Products('B') HTTP/1.1",
    ], form);
    assert.equal(results.ok, false, form);
    assert.deepEqual(short(before.result()), { ok: true, status: 200, value: { ID: "A", Name: "read" } }, form);
    const failed = duplicate.result();
    assert.ok(!failed.ok && failed.error instanceof ODataHttpError, form);
    // The request's own failure, named by its own method and URL: as the 4.0 top-level one reads.
    assert.deepEqual(short(failed), { ...expected, url: `${service.url}Products`, message: expected.message!.replace("http://127.0.0.1:1/", `${new URL(service.url).origin}/`) }, form);
    assert.equal(failed.status, 400, form);
    assert.equal(failed.error.odataError?.message, "Product DUP exists already", form);
    assert.deepEqual(short(fresh.result()), { ok: true, status: 201, value: { ID: "N", Name: "made" } }, form);
    assert.deepEqual(short(after.result()), { ok: true, status: 200, value: { ID: "B", Name: "read" } }, form);
  }
});

test("OData v2 with continueOnError: a service that stops at a failed one-write changeset leaves the later requests BATCH_NOT_EXECUTED; asked to continue, it answers them", async (t) => {
  const service = await strictV2(t, { stopsAfterFailure: true });
  const client = new ODataClient({ serviceUrl: service.url, version: "2.0" });
  const products = client.collection<Product>("Products");
  for (const continueOnError of [false, true]) {
    const batch = client.batch({ boundaries: fixed });
    batch.create(products, { ID: "DUP" });
    batch.delete(products.key("B"));
    batch.get(products.key("C"));
    const results = await batch.send({ continueOnError });
    const sent = service.seen.at(-1)!;
    assert.equal(sent.headers["prefer"], continueOnError ? "odata.continue-on-error" : undefined);
    assert.deepEqual(skeleton(sent.body).filter((line) => / HTTP\/1\.1$|^Content-Type/.test(line)), [
      "Content-Type: multipart/mixed; boundary=changeset_0",
      "POST Products HTTP/1.1",
      "Content-Type: multipart/mixed; boundary=changeset_1",
      "DELETE Products('B') HTTP/1.1",
      "GET Products('C') HTTP/1.1",
    ]);
    const [created, removed, read] = results.map(short);
    assert.deepEqual([created?.ok, created?.status, created?.code, created?.odata], [false, 400, "HTTP_ERROR", "Product DUP exists already"]);
    if (continueOnError) {
      assert.deepEqual([removed, read], [{ ok: true, status: 204, value: undefined }, { ok: true, status: 200, value: { ID: "C", Name: "read" } }]);
    } else {
      assert.deepEqual([removed?.code, read?.code], ["BATCH_NOT_EXECUTED", "BATCH_NOT_EXECUTED"]);
    }
  }
});

test("OData v2: a $<Content-ID> reference that would cross changesets (to or from a write added to the batch itself) is refused with a TypeError before anything is sent; one inside a changeset still goes", async (t) => {
  const service = await strictV2(t);
  const client = new ODataClient({ serviceUrl: service.url, version: "2.0" });
  const products = client.collection<Product>("Products");
  const crossing: [string, (batch: ReturnType<ODataClient["batch"]>) => void, RegExp][] = [
    ["a changeset's update of a top-level create", (batch) => {
      const made = batch.create(products, { ID: "N" });
      batch.changeset((cs) => cs.update(made.ref(), { Name: "x" }));
    }, /request 2 \(MERGE \$1\) references \$1, request 1 \(POST Products\), which is not in the same changeset/],
    ["a top-level update of a top-level create", (batch) => {
      const made = batch.create(products, { ID: "N" });
      batch.update(made.ref(), { Name: "x" });
    }, /request 2 \(MERGE \$1\) references \$1/],
    ["a top-level GET of a changeset's create", (batch) => {
      batch.changeset((cs) => cs.create(products, { ID: "N" }));
      batch.request({ method: "GET", url: "$1" });
    }, /request 2 \(GET \$1\) references \$1/],
  ];
  for (const [name, build, message] of crossing) {
    const batch = client.batch();
    build(batch);
    await assert.rejects(batch.send(), (error: unknown) => error instanceof TypeError && message.test(error.message) && /add both writes to one batch\.changeset\(\)/.test(error.message), name);
    await assert.rejects(batch.toRequest(), TypeError, name);
  }
  assert.equal(service.seen.length, 0);

  // OData 4.0 builds the same batch (its services take it or not; nothing is refused here).
  const v4 = new ODataClient({ serviceUrl: service.url, version: "4.0" });
  const batch4 = v4.batch();
  const made4 = batch4.create(v4.collection<Product>("Products"), { ID: "N" });
  batch4.changeset((cs) => cs.update(made4.ref(), { Name: "x" }));
  assert.match((await batch4.toRequest()).body, /\r\nPATCH \$1 HTTP\/1\.1\r\n/);

  // Within one changeset of the caller's a reference goes as it did.
  const batch = client.batch({ boundaries: fixed });
  batch.get(products.key("A"));
  let updated!: ReturnType<typeof batch.update<Product>>;
  batch.changeset((cs) => {
    const made = cs.create(products, { ID: "N" });
    updated = cs.update(made.ref(), { Name: "x" });
  });
  await batch.send();
  assert.deepEqual(skeleton(service.seen[0]!.body), ["--batch_t", "Content-ID: 1", "GET Products('A') HTTP/1.1", "--batch_t", "Content-Type: multipart/mixed; boundary=changeset_0", "--changeset_0", "Content-ID: 2", "POST Products HTTP/1.1", "--changeset_0", "Content-ID: 3", "MERGE $2 HTTP/1.1", "--changeset_0--", "--batch_t--"]);
  assert.deepEqual(short(updated.result()), { ok: true, status: 204, value: undefined });
});

test("OData v2 sendAsync(): the wrapped writes' results come at once from the 202; the token's fingerprint is of the batch as built (as before the wrapping), so a token saved before reads the same", async (t) => {
  const service = await strictV2(t);
  const build = (version: "2.0" | "4.0") => {
    const client = new ODataClient({ serviceUrl: service.url, version });
    const batch = client.batch({ boundaries: fixed });
    const read = batch.get(client.collection<Product>("Products").key("A"));
    const released = batch.request<{ d: Product }>({ method: "POST", url: "Release?ID='A'" });
    return { batch, read, released };
  };
  const first = build("2.0");
  const poller = await first.batch.sendAsync();
  assert.equal(poller.isDone(), true);
  assert.match(service.seen[0]!.body, /--changeset_0\r\n[^]*?\r\nPOST Release\?ID='A' HTTP\/1\.1\r\n[^]*?--changeset_0--\r\n/);
  const expected = [
    { ok: true, status: 200, value: { ID: "A", Name: "read" } },
    { ok: true, status: 200, value: { d: { ID: "A", Status: "released" } } },
  ];
  assert.deepEqual(poller.result().map(short), expected);
  assert.deepEqual([first.read, first.released].map((handle) => short(handle.result())), expected);

  const token = JSON.parse(JSON.stringify(poller.toJSON())) as AsyncPollerToken;
  // The same requests on a 4.0 client send the write top-level, as the v2 client did before: its
  // token names the batch alike (the fingerprint did not change with the wrapping).
  const other = await build("4.0").batch.sendAsync();
  assert.match(service.seen[1]!.body, /--batch_t\r\n[^]*?\r\nPOST Release\?ID='A' HTTP\/1\.1\r\n/);
  assert.doesNotMatch(service.seen[1]!.body, /changeset_0/);
  assert.deepEqual(other.toJSON().resultShape, token.resultShape);
  // A token saved before, whose answer has the write's response top-level (a lenient service's
  // answer to the old body), reads the same on the v2 batch now.
  const oldAnswer = `--r${CRLF}${responsePart(answerOf(requestOf(`Content-ID: 1${CRLF}${CRLF}GET Products('A') HTTP/1.1${CRLF}${CRLF}`)), "1")}--r${CRLF}${responsePart({ status: 200, body: { d: { ID: "A", Status: "released" } } }, "2")}--r--${CRLF}`;
  const before = { ...token, result: oldAnswer, resultType: "multipart/mixed; boundary=r" } as AsyncPollerToken;
  delete (before as { resultBinary?: boolean }).resultBinary;
  const again = build("2.0");
  assert.deepEqual((await again.batch.resumeAsync(before).wait()).map(short), expected);
  assert.deepEqual(short(again.released.result()), expected[1]);
});
