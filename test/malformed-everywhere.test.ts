// "A malformed answer gets a clear error that names what was wrong", checked over the public surface:
// every method that reads an answer is run against a real server (127.0.0.1, port 0) that answers
// with what real services and proxies send when things go wrong, each combination in a test of its
// own. The answers: a proxy's HTML login page, an empty body, JSON cut off mid-way, JSON of the
// wrong shape (an array, a string, null, {"value": {}}, v2 {"d": 5}), a JSON body labelled
// text/plain, XML labelled JSON, invalid UTF-8, a byte order mark, a Content-Length longer than the
// body (then the connection closes), 201 and 204 where another 2xx was due, and error statuses
// (400/500/502) whose body is HTML, empty, or 1 MB long. Each case asserts
//   1. the outcome: the documented code and class, and what the message says was wrong; or, where
//      the README says the library takes such an answer (its rows say why), the value it gives;
//   2. that the error is the library's own (no TypeError or SyntaxError escaping from inside it),
//      and that its message stays short (under 2,000 characters) whatever the body's size;
//   3. the number of requests the server saw: retries are on (two of them), yet a malformed
//      answer is never asked again, and a 502 is retried for GET and PUT only, never for a POST or
//      PATCH;
// and a second pass checks that the message names the request (method and URL), or the batch.
// Then the same for the long-running operations: the initial 202 of the ...Async methods with odd
// Location values and bodies, a status monitor's odd answers to poll(), and odd Retry-After values
// between the polls of wait().
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import {
  isODataClientError,
  isODataHttpError,
  ODataClient,
  type AsyncPoller,
  type ODataClientOptions,
  type ODataErrorCode,
} from "../src/index.js";
import { startServer, type RecordingServer, type TestContextLike } from "./servers/recording-server.js";

/** Every case must end on its own, whatever the library does with the answer. */
const LIMIT = { timeout: 10_000 };

/** Longer than any useful message, far shorter than the bodies the cases send. */
const MESSAGE_LIMIT = 2_000;

/** What `ODataHttpError.body` keeps of a long body at most. */
const BODY_LIMIT = 64 * 1024;

/** Retries on, with a short delay: a retry the case does not expect shows as an extra request. */
const RETRY: Partial<ODataClientOptions> = { retry: { retries: 2, delay: 1, maxDelay: 5 } };

// --- answers ------------------------------------------------------------------------------------

/** One answer of the server: sent whole, or `cutShort` (a Content-Length beyond the body, then closed). */
interface Answer {
  status: number;
  headers?: Record<string, string>;
  body: string | Buffer;
  cutShort?: boolean;
}

function send(res: ServerResponse, answer: Answer): void {
  const body = typeof answer.body === "string" ? Buffer.from(answer.body) : answer.body;
  const length = body.length + (answer.cutShort ? 100 : 0);
  res.writeHead(answer.status, { "content-length": length, ...answer.headers });
  if (!answer.cutShort) return void res.end(body);
  // Closed a while after the body: a body stream that errors drops what the client has not read
  // yet, and on a loaded machine a client reading a cut-short answer concurrently with the others
  // can take longer than a few ms to ask for the chunk that came whole.
  res.write(body, () => setTimeout(() => res.destroy(), 500));
}

async function serving(t: TestContextLike, answers: (index: number) => Answer): Promise<RecordingServer> {
  const server = await startServer((request, res) => send(res, answers(server.requests.indexOf(request))));
  t.after(() => server.close());
  return server;
}

const JSON_TYPE = { "content-type": "application/json" };
const HTML_TYPE = { "content-type": "text/html; charset=utf-8" };
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const LOGIN_PAGE = '<!DOCTYPE html><html><head><title>Sign in</title></head><body><form action="/login"></form></body></html>';
const MEGABYTE_OF_HTML = `<html><body>${"<p>stack frame</p>".repeat(60_000)}</body></html>`;
const MEGABYTE_OF_ERROR = JSON.stringify({ error: { code: "HUGE", message: "m".repeat(1_000_000) } });

// --- operations ---------------------------------------------------------------------------------

/** What an operation reads, which decides what a well-formed answer is and what each malformed one gives. */
type Kind = "collection" | "count" | "entity" | "write" | "operation" | "batch" | "metadata" | "delta" | "media";

interface Operation {
  name: string;
  kind: Kind;
  /** The request, as the message must name it (the path below the service root). */
  method: string;
  path: string;
  version?: ODataClientOptions["version"];
  run(client: ODataClient, root: string): Promise<unknown>;
  /** The entities (or count, set names, text) of a resolved result, the same for every operation of a kind. */
  read(result: unknown): unknown;
}

const ROOT = "/odata/";
const cast = <T>(value: unknown) => value as T;
const asIs = (result: unknown) => result;
const oneEntity = (result: unknown) => (result === undefined ? [] : [result]);

const operations: Operation[] = [
  { name: "page()", kind: "collection", method: "GET", path: "Items", run: (c) => c.collection("Items").page(), read: (r) => cast<{ value: unknown[] }>(r).value },
  {
    name: "pages(), first step",
    kind: "collection",
    method: "GET",
    path: "Items",
    run: (c) => c.collection("Items").pages().next(),
    read: (r) => cast<IteratorResult<{ value: unknown[] }>>(r).value?.value,
  },
  {
    name: "for await of stream()",
    kind: "collection",
    method: "GET",
    path: "Items",
    async run(c) {
      const seen: unknown[] = [];
      for await (const item of c.collection("Items").stream()) seen.push(item);
      return seen;
    },
    read: asIs,
  },
  { name: "list()", kind: "collection", method: "GET", path: "Items", run: (c) => c.collection("Items").list(), read: asIs },
  { name: "first()", kind: "collection", method: "GET", path: "Items?$top=1", run: (c) => c.collection("Items").first(), read: oneEntity },
  { name: "countAll()", kind: "count", method: "GET", path: "Items/$count", run: (c) => c.collection("Items").countAll(), read: asIs },
  { name: "key(1).get()", kind: "entity", method: "GET", path: "Items(1)", run: (c) => c.collection("Items").key(1).get(), read: oneEntity },
  { name: "create()", kind: "write", method: "POST", path: "Items", run: (c) => c.collection("Items").create({ ID: 1 }), read: oneEntity },
  { name: "key(1).update()", kind: "write", method: "PATCH", path: "Items(1)", run: (c) => c.collection("Items").key(1).update({ name: "a" }), read: oneEntity },
  { name: "key(1).replace()", kind: "write", method: "PUT", path: "Items(1)", run: (c) => c.collection("Items").key(1).replace({ ID: 1, name: "a" }), read: oneEntity },
  { name: "action().invoke()", kind: "operation", method: "POST", path: "submitOrder", run: (c) => c.action("submitOrder").invoke({ quantity: 1 }), read: asIs },
  {
    name: "function().get()",
    kind: "operation",
    method: "GET",
    path: "topItems(n=1)",
    run: (c) => c.function("topItems", { n: 1 }).get(),
    read: asIs,
  },
  {
    name: "batch().send(), multipart",
    kind: "batch",
    method: "POST",
    path: "$batch",
    run(c) {
      const batch = c.batch();
      batch.get(c.collection("Items").key(1));
      return batch.send();
    },
    read: asIs,
  },
  {
    name: "batch({ format: json }).send()",
    kind: "batch",
    method: "POST",
    path: "$batch",
    version: "4.01",
    run(c) {
      const batch = c.batch({ format: "json" });
      batch.get(c.collection("Items").key(1));
      return batch.send();
    },
    read: asIs,
  },
  {
    name: "metadata()",
    kind: "metadata",
    method: "GET",
    path: "$metadata",
    run: (c) => c.metadata(),
    read: (r) => (cast<{ entitySet(name: string): unknown }>(r).entitySet("Items") === undefined ? [] : ["Items"]),
  },
  {
    name: "delta(), first step",
    kind: "delta",
    method: "GET",
    path: "Items?$deltatoken=1",
    run: (c, root) => c.delta(`${root}Items?$deltatoken=1`).next(),
    read: (r) => cast<IteratorResult<{ changed: unknown[] }>>(r).value?.changed,
  },
  {
    name: "media().bytes()",
    kind: "media",
    method: "GET",
    path: "Photos(1)/$value",
    run: (c) => c.collection("Photos").key(1).media().bytes(),
    read: (r) => Buffer.from(cast<Uint8Array>(r)).toString("latin1"),
  },
  // OData v2, for the answers of v2's own shape.
  { name: "v2 page()", kind: "collection", method: "GET", path: "Items", version: "2.0", run: (c) => c.collection("Items").page(), read: (r) => cast<{ value: unknown[] }>(r).value },
  { name: "v2 key(1).get()", kind: "entity", method: "GET", path: "Items(1)", version: "2.0", run: (c) => c.collection("Items").key(1).get(), read: oneEntity },
  { name: "v2 create()", kind: "write", method: "POST", path: "Items", version: "2.0", run: (c) => c.collection("Items").create({ ID: 1 }), read: oneEntity },
  {
    name: "v2 function().get()",
    kind: "operation",
    method: "GET",
    path: "topItems?n=1",
    version: "2.0",
    run: (c) => c.function("topItems", { n: 1 }).get(),
    read: asIs,
  },
];

const v2 = (op: Operation) => op.version === "2.0";
const idempotent = (op: Operation) => op.method === "GET" || op.method === "PUT";

/** A well-formed answer for each kind, and what `read()` gives of it. */
const ENTITY = { ID: 1, name: "a" };
const WELL_FORMED: Record<Kind, { type: string; v4: string; v2?: string; read: unknown }> = {
  collection: { type: "application/json", v4: '{"value":[{"ID":1,"name":"a"}]}', v2: '{"d":{"results":[{"ID":1,"name":"a"}]}}', read: [ENTITY] },
  count: { type: "text/plain", v4: "3", read: 3 },
  entity: { type: "application/json", v4: '{"ID":1,"name":"a"}', v2: '{"d":{"ID":1,"name":"a"}}', read: [ENTITY] },
  write: { type: "application/json", v4: '{"ID":1,"name":"a"}', v2: '{"d":{"ID":1,"name":"a"}}', read: [ENTITY] },
  operation: { type: "application/json", v4: '{"value":[{"ID":1,"name":"a"}]}', v2: '{"d":{"results":[{"ID":1,"name":"a"}]}}', read: [ENTITY] },
  batch: { type: "application/json", v4: '{"responses":[]}', read: undefined },
  metadata: {
    type: "application/xml",
    v4: `<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="S" xmlns="http://docs.oasis-open.org/odata/ns/edm"><EntityType Name="Item"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/></EntityType><EntityContainer Name="C"><EntitySet Name="Items" EntityType="S.Item"/></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`,
    read: ["Items"],
  },
  delta: { type: "application/json", v4: '{"value":[{"ID":1,"name":"a"}]}', read: [ENTITY] },
  media: { type: "image/png", v4: "a", read: "a" },
};
const wellFormed = (op: Operation) => {
  const shape = WELL_FORMED[op.kind];
  return { type: shape.type, text: (v2(op) ? shape.v2 : undefined) ?? shape.v4, read: shape.read };
};

// --- expectations -------------------------------------------------------------------------------

type Expectation =
  | { rejects: ODataErrorCode; says: RegExp; status?: number; requests?: number }
  | { resolves: unknown; because: string };

interface MalformedAnswer {
  name: string;
  answer(op: Operation): Answer;
  /** What the operation must do with it; `undefined` where the answer means nothing for the operation. */
  expect(op: Operation): Expectation | undefined;
}

/** What each kind's reader says about a body it cannot read at all. */
const NOT_READABLE: Partial<Record<Kind, { code: ODataErrorCode; says: RegExp }>> = {
  collection: { code: "BAD_PAYLOAD", says: /not valid JSON/ },
  count: { code: "BAD_PAYLOAD", says: /which is not a count/ },
  entity: { code: "BAD_PAYLOAD", says: /not JSON|not an? entity/ },
  write: { code: "BAD_PAYLOAD", says: /not JSON/ },
  operation: { code: "BAD_PAYLOAD", says: /not JSON/ },
  batch: { code: "BAD_BATCH_RESPONSE", says: /batch response/ },
  metadata: { code: "BAD_METADATA", says: /metadata cannot be read/ },
  delta: { code: "BAD_PAYLOAD", says: /delta that is not JSON/ },
};
const unreadable = (op: Operation, says?: RegExp): Expectation | undefined => {
  const rule = NOT_READABLE[op.kind];
  return rule && { rejects: rule.code, says: says ?? rule.says };
};

/** A JSON body of the wrong shape: collection, count, entity and writes refuse it; an operation's result may be any JSON. */
function wrongShape(body: string, shape: RegExp): MalformedAnswer {
  return {
    name: `200 JSON of the wrong shape: ${body}`,
    answer: () => ({ status: 200, headers: JSON_TYPE, body }),
    expect(op) {
      if (v2(op)) return undefined;
      switch (op.kind) {
        case "collection":
          return { rejects: "BAD_PAYLOAD", says: new RegExp(`the collection body is ${shape.source}, not a JSON object`) };
        case "entity":
          return { rejects: "BAD_PAYLOAD", says: /did not answer with an entity object/ };
        case "write":
          return { rejects: "BAD_PAYLOAD", says: /not an? entity|entity object/ };
        case "operation":
          return { resolves: JSON.parse(body), because: "an operation's result may be any JSON value (README: Actions and functions)" };
        case "batch":
          return { rejects: "BAD_BATCH_RESPONSE", says: /has no "responses" array/ };
        case "delta":
          return { rejects: "BAD_PAYLOAD", says: /the delta body is not a JSON object/ };
        case "media":
          return { resolves: body, because: "media content is whatever the service stores" };
        default:
          return unreadable(op);
      }
    },
  };
}

const malformedAnswers: MalformedAnswer[] = [
  {
    name: "200 text/html: a proxy's login page",
    answer: () => ({ status: 200, headers: HTML_TYPE, body: LOGIN_PAGE }),
    expect(op) {
      if (op.kind === "media") return { resolves: LOGIN_PAGE, because: "media content is whatever the service stores" };
      if (op.kind === "operation") return { rejects: "BAD_PAYLOAD", says: /text\/html|not JSON/ };
      // Said as what it is, not as JSON that does not parse.
      if (op.kind === "collection") return { rejects: "BAD_PAYLOAD", says: /answered with an HTML page \(text\/html; charset=utf-8\), not a collection$/ };
      if (op.kind === "entity") return { rejects: "BAD_PAYLOAD", says: /answered with an HTML page \(text\/html; charset=utf-8\), not an entity$/ };
      // A write that a 2xx answered was applied: the message says so before what the body is.
      if (op.kind === "write") return { rejects: "BAD_PAYLOAD", says: /answered 200 OK, so the service applied the write, but its answer could not be read as an entity: the body is an HTML page \(text\/html; charset=utf-8\), not an entity$/ };
      if (op.kind === "batch") return { rejects: "BAD_BATCH_RESPONSE", says: /answered with an HTML page \(text\/html; charset=utf-8\), not a batch response$/ };
      if (op.kind === "metadata") return { rejects: "BAD_METADATA", says: /answered with an HTML page \(text\/html; charset=utf-8\), not service metadata$/ };
      if (op.kind === "delta") return { rejects: "BAD_PAYLOAD", says: /answered with an HTML page \(text\/html; charset=utf-8\), not a delta$/ };
      return unreadable(op);
    },
  },
  {
    name: "200 application/json with an empty body",
    answer: () => ({ status: 200, headers: JSON_TYPE, body: "" }),
    expect(op) {
      switch (op.kind) {
        case "write":
          return { resolves: [], because: "a write's answer may have no body (README: create resolves undefined on 204)" };
        case "operation":
          return { resolves: undefined, because: "an operation may answer without a body (README: 204 gives undefined)" };
        case "media":
          return { resolves: "", because: "empty media content" };
        case "collection":
          return { rejects: "BAD_PAYLOAD", says: /not valid JSON \(0 characters\)/ };
        case "entity":
          return { rejects: "BAD_PAYLOAD", says: /did not answer with an entity object/ };
        case "count":
          return { rejects: "BAD_PAYLOAD", says: /answered "", which is not a count/ };
        case "metadata":
          return { rejects: "BAD_METADATA", says: /neither EDMX \(XML\) nor CSDL JSON/ };
        default:
          return unreadable(op);
      }
    },
  },
  {
    name: "200 application/json cut off mid-way",
    answer: (op) => ({ status: 200, headers: JSON_TYPE, body: v2(op) ? '{"d":{"results":[{"ID":1},{"ID":' : '{"value":[{"ID":1},{"ID":' }),
    expect(op) {
      if (op.kind === "media") return { resolves: '{"value":[{"ID":1},{"ID":', because: "media content is whatever the service stores" };
      if (op.kind === "metadata") return { rejects: "BAD_METADATA", says: /the CSDL JSON is not JSON/ };
      if (op.kind === "batch") return { rejects: "BAD_BATCH_RESPONSE", says: /the body is not JSON \(Unexpected end of JSON input\)/ };
      if (op.name === "first()") return { resolves: [{ ID: 1 }], because: "README: first() reads an answer no further than its first entity, which came whole" };
      return unreadable(op, /Unexpected end of JSON input|which is not a count/);
    },
  },
  wrongShape("[1,2]", /an array/),
  wrongShape('"hello"', /the string "hello"/),
  wrongShape("null", /null/),
  {
    name: '200 JSON {"value": {}}',
    answer: () => ({ status: 200, headers: JSON_TYPE, body: '{"value":{}}' }),
    expect(op) {
      if (v2(op)) return undefined;
      switch (op.kind) {
        case "collection":
          return { rejects: "BAD_PAYLOAD", says: /the collection body's "value" is an object, not an array/ };
        case "delta":
          return { rejects: "BAD_PAYLOAD", says: /the delta body has no "value" array/ };
        case "entity":
        case "write":
          return { resolves: [{ value: {} }], because: "an entity may have a property named value" };
        case "operation":
          return { resolves: {}, because: 'a complex result {} wrapped in "value" (README: results are unwrapped)' };
        case "batch":
          return { rejects: "BAD_BATCH_RESPONSE", says: /has no "responses" array/ };
        case "metadata":
          return { rejects: "BAD_METADATA", says: /not a CSDL JSON document/ };
        case "media":
          return { resolves: '{"value":{}}', because: "media content is whatever the service stores" };
        default:
          return unreadable(op);
      }
    },
  },
  {
    name: 'v2: 200 JSON {"d": 5}',
    answer: () => ({ status: 200, headers: JSON_TYPE, body: '{"d":5}' }),
    expect(op) {
      if (!v2(op)) return undefined;
      if (op.kind === "collection") return { rejects: "BAD_PAYLOAD", says: /the v2 collection body's "d" is 5, not an object or array/ };
      if (op.kind === "entity") return { rejects: "BAD_PAYLOAD", says: /did not answer with an entity object/ };
      if (op.kind === "write") return { rejects: "BAD_PAYLOAD", says: /entity object/ };
      return { resolves: 5, because: "a v2 function's primitive result (README: v2 d unwrapped)" };
    },
  },
  {
    name: "200 with a well-formed JSON body labelled text/plain",
    answer: (op) => ({ status: 200, headers: { "content-type": "text/plain" }, body: wellFormed(op).text }),
    expect(op) {
      if (op.kind === "batch") return { rejects: "BAD_BATCH_RESPONSE", says: /\(Content-Type "text\/plain"\)/ };
      if (op.kind === "metadata") return undefined;
      if (op.kind === "operation") return { resolves: wellFormed(op).text, because: "a result that is not JSON is its text (src/operations/call.ts; rule 5 of the monitor table reads it so too)" };
      return { resolves: wellFormed(op).read, because: "JSON is read by its body, whatever the label" };
    },
  },
  {
    name: "200 XML labelled application/json",
    answer: () => ({ status: 200, headers: JSON_TYPE, body: '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><entry/></feed>' }),
    expect(op) {
      if (op.kind === "media") return undefined;
      if (op.kind === "metadata") return { rejects: "BAD_METADATA", says: /root element is <feed>/ };
      return unreadable(op, /Unexpected token '<'|which is not a count|batch response/);
    },
  },
  {
    name: "200 JSON with invalid UTF-8 bytes inside a string",
    answer(op) {
      const text = wellFormed(op).text;
      const at = text.indexOf('"a"') + 2;
      return { status: 200, headers: JSON_TYPE, body: Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0xff, 0xc3]), Buffer.from(text.slice(at))]) };
    },
    expect(op) {
      if (!["collection", "entity", "write", "operation", "delta"].includes(op.kind)) return undefined;
      // Not in the README: each invalid byte becomes U+FFFD, as fetch's text() and TextDecoder do.
      return { resolves: [{ ID: 1, name: "a\uFFFD\uFFFD" }], because: "invalid UTF-8 is decoded as U+FFFD, as fetch's text() does (undocumented)" };
    },
  },
  {
    name: "200 with a UTF-8 byte order mark before a well-formed body",
    answer: (op) => ({ status: 200, headers: { "content-type": wellFormed(op).type }, body: Buffer.concat([BOM, Buffer.from(wellFormed(op).text)]) }),
    expect(op) {
      if (op.kind === "batch") return undefined;
      if (op.kind === "media") return { resolves: "\xef\xbb\xbfa", because: "media bytes are given as sent" };
      return { resolves: wellFormed(op).read, because: "a BOM is dropped (src/http/body.ts readBodyText)" };
    },
  },
  {
    name: "200 whose Content-Length is longer than the body, then the connection closes",
    answer: (op) => ({ status: 200, headers: { "content-type": wellFormed(op).type }, body: wellFormed(op).text.slice(0, -1), cutShort: true }),
    expect: (op) =>
      op.name === "first()"
        ? { resolves: wellFormed(op).read, because: "README: first() reads an answer no further than its first entity, which came whole" }
        : op.kind === "write"
          ? // A write answered 2xx was applied: the message says so before how its answer broke off.
            { rejects: "NETWORK_ERROR", says: /answered 200 OK, so the service applied the write, but its answer broke off while it was read: terminated/ }
          : op.kind === "operation" && op.method === "POST"
            ? // So has an action: it ran.
              { rejects: "NETWORK_ERROR", says: /answered 200 OK, so the service ran the action, but its answer broke off while it was read: terminated/ }
            : { rejects: "NETWORK_ERROR", says: /reading the answer of .* failed: terminated/ },
  },
  {
    name: "201 Created with a well-formed body, where 200 is due",
    answer: (op) => ({ status: 201, headers: { "content-type": wellFormed(op).type }, body: wellFormed(op).text }),
    expect(op) {
      if (op.kind === "batch") return undefined;
      return { resolves: wellFormed(op).read, because: "any 2xx with a body is read the same" };
    },
  },
  {
    name: "204 No Content, where a body is due",
    answer: () => ({ status: 204, body: "" }),
    expect(op) {
      switch (op.kind) {
        case "write":
          return { resolves: [], because: "README: create resolves undefined on 204" };
        case "operation":
          return { resolves: undefined, because: "README: 204 gives undefined" };
        case "media":
          return { resolves: "", because: "empty media content" };
        case "collection":
          return { rejects: "BAD_PAYLOAD", says: /answered 204 without a body/ };
        case "entity":
          return { rejects: "BAD_PAYLOAD", says: /did not answer with an entity object/ };
        case "batch":
          return { rejects: "BAD_BATCH_RESPONSE", says: /Content-Type "\(none\)"/ };
        case "metadata":
          return { rejects: "BAD_METADATA", says: /neither EDMX/ };
        default:
          return unreadable(op, /which is not a count|not JSON/);
      }
    },
  },
  {
    name: "400 whose body is a proxy's HTML page",
    answer: () => ({ status: 400, headers: HTML_TYPE, body: LOGIN_PAGE }),
    expect: () => ({ rejects: "HTTP_ERROR", status: 400, says: /failed with HTTP 400 Bad Request$/ }),
  },
  {
    name: "500 with an empty body and no Content-Type",
    answer: () => ({ status: 500, body: "" }),
    expect: () => ({ rejects: "HTTP_ERROR", status: 500, says: /failed with HTTP 500 Internal Server Error$/ }),
  },
  {
    name: "500 whose HTML body is 1 MB long",
    answer: () => ({ status: 500, headers: HTML_TYPE, body: MEGABYTE_OF_HTML }),
    expect: () => ({ rejects: "HTTP_ERROR", status: 500, says: /failed with HTTP 500 Internal Server Error$/ }),
  },
  {
    name: "400 whose OData error message is 1 MB long",
    answer: () => ({ status: 400, headers: JSON_TYPE, body: MEGABYTE_OF_ERROR }),
    expect: () => ({ rejects: "HTTP_ERROR", status: 400, says: /failed with HTTP 400 Bad Request/ }),
  },
  {
    name: "502 with an HTML page (a gateway), every time",
    answer: () => ({ status: 502, headers: HTML_TYPE, body: "<html><body>502 Bad Gateway</body></html>" }),
    // Retried as the README says: GET and PUT are, POST and PATCH never ($batch is a POST).
    expect: (op) => ({
      rejects: "HTTP_ERROR",
      status: 502,
      says: /failed with HTTP 502 Bad Gateway$/,
      requests: idempotent(op) ? 3 : 1,
    }),
  },
];

// --- the checks ---------------------------------------------------------------------------------

type Settled = { resolved: true; value: unknown } | { resolved: false; error: unknown };

async function settle(promise: Promise<unknown>): Promise<Settled> {
  try {
    return { resolved: true, value: await promise };
  } catch (error) {
    return { resolved: false, error };
  }
}

/** The error is the library's own, with a short message; no error from inside it escapes bare. */
function assertOwnError(error: unknown): asserts error is Error & { code: string } {
  assert.ok(
    isODataClientError(error),
    `expected the library's own error, got ${error instanceof Error ? `${error.constructor.name}: ${error.message}\n${error.stack}` : String(error)}`,
  );
  assert.ok(error.message.length < MESSAGE_LIMIT, `a message of ${error.message.length} characters: ${error.message.slice(0, 300)}...`);
}

async function runCase(t: TestContextLike, op: Operation, answer: MalformedAnswer, expected: Expectation): Promise<{ error?: Error; root: string }> {
  const server = await serving(t, () => answer.answer(op));
  const root = server.url("odata/");
  const client = new ODataClient({ serviceUrl: root, ...RETRY, ...(op.version ? { version: op.version } : {}) });
  const outcome = await settle(op.run(client, root));
  await sleep(5); // a retry the case does not expect would arrive now
  const seen = server.requests.map((r) => `${r.method} ${r.path}`);
  if ("resolves" in expected) {
    if (!outcome.resolved) {
      const error = outcome.error as Error & { code?: string };
      assert.fail(`rejected with ${error.constructor.name} ${error.code ?? ""}: ${error.message}; expected it to resolve (${expected.because})`);
    }
    assert.deepEqual(op.read(outcome.value), expected.resolves, expected.because);
    assert.deepEqual(seen, [`${op.method} ${ROOT}${op.path}`], "requests");
    return { root };
  }
  if (outcome.resolved) assert.fail(`resolved with ${JSON.stringify(outcome.value)?.slice(0, 300)}; expected ${expected.rejects} (${expected.says})`);
  const { error } = outcome;
  assertOwnError(error);
  assert.equal(error.code, expected.rejects, error.message);
  assert.match(error.message, expected.says);
  if (expected.status !== undefined) {
    assert.ok(isODataHttpError(error), `an ODataHttpError, got ${error.constructor.name}`);
    assert.equal(error.status, expected.status);
    assert.ok((error.body?.length ?? 0) <= BODY_LIMIT, `a body of ${error.body?.length} characters kept`);
    assert.ok(JSON.stringify(error.odataError ?? null).length <= BODY_LIMIT, "the parsed OData error is bounded too");
  }
  assert.deepEqual(seen, Array.from({ length: expected.requests ?? 1 }, () => `${op.method} ${ROOT}${op.path}`), "requests");
  return { error, root };
}

describe("a malformed answer to every reading method: the documented code, or the documented tolerance; a short message; no surprise retry", () => {
  // Each call loads its modules once, on first use, before it reads the answer's body: a cold load
  // (tsx compiles a module as it is first imported) can outlast the wait after which a cut-short
  // answer is closed, and a body stream that errors drops the chunk not yet read, so first() would
  // never see the entity that came whole. Each operation runs once on a well-formed answer first.
  before(async () => {
    for (const op of operations) {
      const server = await startServer((request, res) => send(res, { status: 200, headers: { "content-type": wellFormed(op).type }, body: wellFormed(op).text }));
      try {
        await settle(op.run(new ODataClient({ serviceUrl: server.url("odata/"), ...RETRY, ...(op.version ? { version: op.version } : {}) }), server.url("odata/")));
      } finally {
        await server.close();
      }
    }
  });
  for (const answer of malformedAnswers) {
    describe(answer.name, { concurrency: true }, () => {
      for (const op of operations) {
        const expected = answer.expect(op);
        if (expected === undefined) continue;
        const outcome = "resolves" in expected ? "resolves" : `rejects with ${expected.rejects}`;
        test(`${op.name} ${outcome}`, LIMIT, async (t) => {
          await runCase(t, op, answer, expected);
        });
      }
    });
  }
});

describe("the message names the request that got the malformed answer", () => {
  // One answer of each sort is enough here: the message is made in one place per reader.
  const sample = malformedAnswers.filter((a) =>
    ["200 text/html: a proxy's login page", "200 JSON of the wrong shape: [1,2]", "200 whose Content-Length is longer than the body, then the connection closes", "500 whose HTML body is 1 MB long"].includes(a.name),
  );
  for (const answer of sample) {
    for (const op of operations) {
      const expected = answer.expect(op);
      if (expected === undefined || "resolves" in expected) continue;
      test(`${answer.name}: ${op.name}`, LIMIT, async (t) => {
        const { error, root } = await runCase(t, op, answer, expected);
        // A $batch answer's message names the batch (and the part, where one is at fault).
        if (op.kind === "batch") assert.match(error?.message ?? "", /batch response|POST .*\$batch/);
        else assert.ok(error?.message.includes(`${op.method} ${root}${op.path}`), `"${op.method} ${root}${op.path}" in: ${error?.message}`);
      });
    }
  }
  test("v2 Atom: an entry or feed that is not well-formed XML names the request", LIMIT, async (t) => {
    const server = await serving(t, () => ({ status: 200, headers: { "content-type": "application/atom+xml" }, body: "<feed><entry>" }));
    const root = server.url("odata/");
    const client = new ODataClient({ serviceUrl: root, version: "2.0", retry: false });
    for (const [what, run] of [
      ["GET Items", () => client.collection("Items").page()],
      ["GET Items(1)", () => client.collection("Items").key(1).get()],
    ] as const) {
      const outcome = await settle(run());
      assert.ok(!outcome.resolved);
      assertOwnError(outcome.error);
      assert.equal(outcome.error.code, "BAD_PAYLOAD");
      assert.match(outcome.error.message, /not well-formed/);
      assert.ok(outcome.error.message.includes(what.replace(" ", ` ${root}`)), `${what} in: ${outcome.error.message}`);
    }
  });
});

// --- long-running operations: the initial answer -----------------------------------------------

/** An ...Async method whose initial request gets the odd answer. */
interface AsyncStart {
  name: string;
  method: string;
  path: string;
  run(client: ODataClient): Promise<AsyncPoller<unknown>>;
}

const asyncStarts: AsyncStart[] = [
  { name: "createAsync()", method: "POST", path: "Jobs", run: (c) => c.collection("Jobs").createAsync({ format: "csv" }) },
  { name: "action().invokeAsync()", method: "POST", path: "runExport", run: (c) => c.action("runExport").invokeAsync({ format: "csv" }) },
  { name: "key(1).deleteAsync()", method: "DELETE", path: "Jobs(1)", run: (c) => c.collection("Jobs").key(1).deleteAsync() },
  {
    name: "batch().sendAsync()",
    method: "POST",
    path: "$batch",
    run(c) {
      const batch = c.batch();
      batch.get(c.collection("Items").key(1));
      return batch.sendAsync();
    },
  },
];

type StartExpectation =
  | { rejects: ODataErrorCode; says: RegExp; requests?: number }
  | { statusUrl: (root: string) => string }
  | { done: unknown; because: string }
  /** A poller that is done, whose `result()` refuses what the service answered. */
  | { doneRefuses: ODataErrorCode; says: RegExp; because: string };

const oddInitialAnswers: { name: string; answer: Answer; expect(start: AsyncStart): StartExpectation }[] = [
  { name: '202 with Location: ""', answer: { status: 202, headers: { location: "" }, body: "" }, expect: () => ({ rejects: "ASYNC_NO_LOCATION", says: /202 Accepted without a Location header/ }) },
  { name: '202 with Location: "   "', answer: { status: 202, headers: { location: "   " }, body: "" }, expect: () => ({ rejects: "ASYNC_NO_LOCATION", says: /without a Location header/ }) },
  {
    name: '202 with Location: "javascript:alert(1)"',
    answer: { status: 202, headers: { location: "javascript:alert(1)" }, body: "" },
    expect: () => ({ rejects: "ASYNC_BAD_RESPONSE", says: /Location "javascript:alert\(1\)" is not an http or https URL/ }),
  },
  {
    name: '202 with Location: "data:text/html,<script>"',
    answer: { status: 202, headers: { location: "data:text/html,<script>" }, body: "" },
    expect: () => ({ rejects: "ASYNC_BAD_RESPONSE", says: /is not an http or https URL/ }),
  },
  { name: '202 with Location: "http://[::1"', answer: { status: 202, headers: { location: "http://[::1" }, body: "" }, expect: () => ({ rejects: "ASYNC_BAD_RESPONSE", says: /Location "http:\/\/\[::1" is not a URL/ }) },
  {
    name: "202 with a Location that carries a user name and password",
    answer: { status: 202, headers: { location: "http://admin:hunter2@127.0.0.1:1/monitor" }, body: "" },
    expect: () => ({ rejects: "ASYNC_BAD_RESPONSE", says: /Location carries a user name or password/ }),
  },
  {
    // A relative reference: WHATWG URL encodes the spaces, as a browser would.
    name: '202 with Location: "not a url"',
    answer: { status: 202, headers: { location: "not a url" }, body: "" },
    expect: () => ({ statusUrl: (root) => `${root}not%20a%20url` }),
  },
  {
    name: "202 with Location and an HTML body",
    answer: { status: 202, headers: { location: "monitor/1", ...HTML_TYPE }, body: LOGIN_PAGE },
    expect: () => ({ statusUrl: (root) => `${root}monitor/1` }),
  },
  {
    name: "200 text/html at once (respond-async ignored)",
    answer: { status: 200, headers: HTML_TYPE, body: LOGIN_PAGE },
    expect: (start) =>
      start.name.startsWith("batch")
        ? // An answer given at once is the batch's answer, never one request's own: as send() reads it.
          { rejects: "BAD_BATCH_RESPONSE", says: /the answer is an HTML page \(text\/html; charset=utf-8\), not a batch response$/, because: "send() refuses the same answer so" }
        : start.name.includes("invokeAsync")
          ? { doneRefuses: "BAD_PAYLOAD", says: /was answered 200 OK, so the service ran the action, but its answer could not be read: the body is an HTML page, not the operation's result$/, because: "an action's poller refuses an HTML page as invoke() does" }
          : { done: LOGIN_PAGE, because: "README: a service that answers at once gives a done poller whose result() is the answer's body" },
  },
  {
    name: "200 application/json cut off mid-way, at once",
    answer: { status: 200, headers: JSON_TYPE, body: '{"ID":1,"na' },
    // A write or an action answered with success has been applied or has run: its error says so, as create()'s and invoke()'s do.
    expect: (start) =>
      start.name.startsWith("batch")
        ? { rejects: "ASYNC_BAD_RESPONSE", says: /\(HTTP 200\): the body is not valid JSON/ }
        : { rejects: "ASYNC_BAD_RESPONSE", says: start.name.includes("invokeAsync") ? /was answered 200 OK, so the service ran the action, but its answer could not be read: the body is not valid JSON/ : /was answered 200 OK, so the service applied the write, but its answer could not be read as an entity: the body is not valid JSON/ },
  },
  {
    name: "500 whose HTML body is 1 MB long",
    answer: { status: 500, headers: HTML_TYPE, body: MEGABYTE_OF_HTML },
    expect: () => ({ rejects: "HTTP_ERROR", says: /failed with HTTP 500 Internal Server Error$/ }),
  },
  {
    name: "502 from a gateway, every time",
    answer: { status: 502, headers: HTML_TYPE, body: "<html>502</html>" },
    // The initial request is retried as its method is: DELETE is, POST never.
    expect: (start) => ({ rejects: "HTTP_ERROR", says: /HTTP 502 Bad Gateway$/, requests: start.method === "DELETE" ? 3 : 1 }),
  },
];

describe("the initial answer of an ...Async method: odd Location values and bodies", () => {
  for (const answer of oddInitialAnswers) {
    describe(answer.name, { concurrency: true }, () => {
      for (const start of asyncStarts) {
        const expected = answer.expect(start);
        test(`${start.name} ${"rejects" in expected ? `rejects with ${expected.rejects}` : "gives a poller"}`, LIMIT, async (t) => {
          const server = await serving(t, () => answer.answer);
          const root = server.url("odata/");
          const client = new ODataClient({ serviceUrl: root, ...RETRY });
          const outcome = await settle(start.run(client));
          await sleep(5);
          const requests = "rejects" in expected ? (expected.requests ?? 1) : 1;
          assert.deepEqual(
            server.requests.map((r) => `${r.method} ${r.path}`),
            Array.from({ length: requests }, () => `${start.method} ${ROOT}${start.path}`),
            "the initial request only, no poll",
          );
          if ("rejects" in expected) {
            assert.ok(!outcome.resolved, "expected a rejection");
            assertOwnError(outcome.error);
            assert.equal(outcome.error.code, expected.rejects, outcome.error.message);
            assert.match(outcome.error.message, expected.says);
            if (outcome.error.code === "BAD_BATCH_RESPONSE") assert.match(outcome.error.message, /batch response/);
            else assert.ok(outcome.error.message.includes(`${start.method} ${root}${start.path}`), `the request named in: ${outcome.error.message}`);
            assert.doesNotMatch(outcome.error.message, /hunter2/);
            return;
          }
          assert.ok(outcome.resolved, `rejected with ${String(!outcome.resolved && outcome.error)}`);
          const poller = outcome.value as AsyncPoller<unknown>;
          if ("statusUrl" in expected) {
            assert.equal(poller.isDone(), false);
            assert.equal(poller.statusUrl, expected.statusUrl(root));
          } else if ("doneRefuses" in expected) {
            assert.equal(poller.isDone(), true);
            assert.throws(
              () => poller.result(),
              (error: unknown) => {
                assertOwnError(error);
                assert.equal(error.code, expected.doneRefuses, error.message);
                assert.match(error.message, expected.says, expected.because);
                assert.ok(error.message.includes(`${start.method} ${root}${start.path}`), `the request named in: ${error.message}`);
                return true;
              },
            );
          } else {
            assert.equal(poller.isDone(), true);
            assert.deepEqual(poller.result(), expected.done, expected.because);
          }
        });
      }
    });
  }
});

// --- long-running operations: a status monitor's answer to poll() ------------------------------

type PollExpectation =
  | { rejects: ODataErrorCode; says: RegExp }
  | { running: true; because: string }
  | { succeeded: unknown; because: string };

const oddMonitorAnswers: { name: string; answer: Answer; expect: PollExpectation }[] = [
  { name: "200 text/html: a proxy's login page", answer: { status: 200, headers: HTML_TYPE, body: LOGIN_PAGE }, expect: { succeeded: LOGIN_PAGE, because: "rule 5: 200 without a status field succeeds, its body (as text) the result" } },
  { name: "200 application/json, empty", answer: { status: 200, headers: JSON_TYPE, body: "" }, expect: { succeeded: undefined, because: "rule 5, without a body" } },
  { name: "202 application/json cut off mid-way", answer: { status: 202, headers: JSON_TYPE, body: '{"status":"Runn' }, expect: { running: true, because: "rule 1: a 202 runs; a body that is no JSON carries no status or progress" } },
  { name: "200 XML labelled application/json", answer: { status: 200, headers: JSON_TYPE, body: "<?xml version='1.0'?><status/>" }, expect: { rejects: "ASYNC_BAD_RESPONSE", says: /the body is not valid JSON/ } },
  { name: "202 text/html", answer: { status: 202, headers: HTML_TYPE, body: LOGIN_PAGE }, expect: { running: true, because: "rule 1: a 202 runs; its body is optional" } },
  { name: '202 with Location: ""', answer: { status: 202, headers: { location: "" }, body: "" }, expect: { running: true, because: "rule 1: an empty Location is no new Location" } },
  { name: '202 with Location: "javascript:alert(1)"', answer: { status: 202, headers: { location: "javascript:alert(1)" }, body: "" }, expect: { rejects: "ASYNC_BAD_RESPONSE", says: /Location "javascript:alert\(1\)" is not an http or https URL/ } },
  { name: "202 with Location: http://[x", answer: { status: 202, headers: { location: "http://[x" }, body: "" }, expect: { rejects: "ASYNC_BAD_RESPONSE", says: /is not a URL/ } },
  { name: '303 with Location: "javascript:x"', answer: { status: 303, headers: { location: "javascript:x" }, body: "" }, expect: { rejects: "ASYNC_BAD_RESPONSE", says: /\(HTTP 303\): Location "javascript:x" is not an http or https URL/ } },
  { name: '204 with Location: "javascript:x"', answer: { status: 204, headers: { location: "javascript:x" }, body: "" }, expect: { rejects: "ASYNC_BAD_RESPONSE", says: /\(HTTP 204\): Location "javascript:x"/ } },
  {
    name: "200 succeeded with resourceLocation javascript:",
    answer: { status: 200, headers: JSON_TYPE, body: '{"status":"succeeded","resourceLocation":"javascript:alert(1)"}' },
    expect: { rejects: "ASYNC_BAD_RESPONSE", says: /resourceLocation "javascript:alert\(1\)" is not an http or https URL/ },
  },
  { name: "200 application/http with an empty body", answer: { status: 200, headers: { "content-type": "application/http" }, body: "" }, expect: { rejects: "ASYNC_BAD_RESPONSE", says: /malformed application\/http response: the body is empty/ } },
  { name: "301 without a Location", answer: { status: 301, body: "" }, expect: { rejects: "ASYNC_BAD_RESPONSE", says: /unexpected HTTP 301 answer/ } },
  { name: "200 whose Content-Length is longer than the body, then closed", answer: { status: 200, headers: JSON_TYPE, body: '{"status":"succ', cutShort: true }, expect: { running: true, because: "rule 9: a network error is transient" } },
  { name: "500 whose HTML body is 1 MB long", answer: { status: 500, headers: HTML_TYPE, body: MEGABYTE_OF_HTML }, expect: { running: true, because: "rule 9: 500 is transient" } },
  { name: "400 whose HTML body is 1 MB long", answer: { status: 400, headers: HTML_TYPE, body: MEGABYTE_OF_HTML }, expect: { rejects: "HTTP_ERROR", says: /GET .*monitor\/1 failed with HTTP 400 Bad Request$/ } },
  { name: "400 whose OData error message is 1 MB long", answer: { status: 400, headers: JSON_TYPE, body: MEGABYTE_OF_ERROR }, expect: { rejects: "HTTP_ERROR", says: /failed with HTTP 400 Bad Request/ } },
];

describe("a status monitor's odd answer to poll()", { concurrency: true }, () => {
  for (const { name, answer, expect } of oddMonitorAnswers) {
    const outcome = "rejects" in expect ? `rejects with ${expect.rejects}` : "running" in expect ? "keeps running" : "succeeds";
    test(`${name}: ${outcome}, with one request`, LIMIT, async (t) => {
      const server = await serving(t, () => answer);
      const root = server.url("odata/");
      const poller = new ODataClient({ serviceUrl: root, ...RETRY }).asyncPoller("monitor/1");
      const polled = await settle(poller.poll());
      await sleep(5);
      assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), [`GET ${ROOT}monitor/1`], "one poll, nothing fetched from a bad link");
      if ("rejects" in expect) {
        assert.ok(!polled.resolved, `resolved; status ${poller.status()}`);
        assertOwnError(polled.error);
        assert.equal(polled.error.code, expect.rejects, polled.error.message);
        assert.match(polled.error.message, expect.says);
        assert.ok(polled.error.message.includes(`${root}monitor/1`), `the monitor named in: ${polled.error.message}`);
        if (isODataHttpError(polled.error)) assert.ok((polled.error.body?.length ?? 0) <= BODY_LIMIT);
        assert.equal(poller.isDone(), false, "the outcome is unknown, not decided");
        return;
      }
      if (!polled.resolved) assert.fail(`rejected with ${String(polled.error)}`);
      if ("running" in expect) {
        assert.equal(polled.value, true, expect.because);
        assert.equal(poller.isDone(), false);
      } else {
        assert.equal(polled.value, false, expect.because);
        assert.equal(poller.status(), "Succeeded");
        assert.deepEqual(poller.result(), expect.succeeded, expect.because);
      }
    });
  }
});

// --- long-running operations: Retry-After between the polls of wait() --------------------------

describe("an odd Retry-After on a monitor's 202, between the polls of wait()", { concurrency: true }, () => {
  for (const retryAfter of ["-1", "abc", "1.5", "Tomorrow, 99 Foo 2024"]) {
    test(`Retry-After: ${JSON.stringify(retryAfter)} is ignored: the next poll comes after pollInterval`, LIMIT, async (t) => {
      const server = await serving(t, (i) => (i === 0 ? { status: 202, headers: { "retry-after": retryAfter }, body: "" } : { status: 200, headers: JSON_TYPE, body: '{"ID":7}' }));
      const poller = new ODataClient({ serviceUrl: server.url("odata/") }).asyncPoller("monitor/1", { pollInterval: 20, maxWait: 5_000 });
      const started = performance.now();
      assert.deepEqual(await poller.wait(), { ID: 7 });
      assert.equal(server.requests.length, 2);
      const gap = (server.requests[1]?.at ?? 0) - (server.requests[0]?.at ?? 0);
      assert.ok(gap >= 15, `polled again after ${gap} ms, before pollInterval`);
      // Not the value read some other way (1.5 as 1 s or 1.5 s, say): pollInterval, give or take a loaded machine.
      assert.ok(gap < 700, `polled again after ${gap} ms, not after pollInterval`);
      assert.ok(performance.now() - started < 2_000, "no long sleep");
    });
  }

  test("Retry-After: 99999999999999999999 (beyond any timer): wait() sleeps to maxWait and rejects with ASYNC_OPERATION_TIMEOUT, polling no more", LIMIT, async (t) => {
    const server = await serving(t, () => ({ status: 202, headers: { "retry-after": "99999999999999999999" }, body: "" }));
    const poller = new ODataClient({ serviceUrl: server.url("odata/") }).asyncPoller("monitor/1", { pollInterval: 1, maxWait: 300 });
    assert.equal(await poller.poll(), true);
    const started = performance.now();
    const waited = await settle(poller.wait());
    const took = performance.now() - started;
    assert.ok(!waited.resolved);
    assertOwnError(waited.error);
    assert.equal(waited.error.code, "ASYNC_OPERATION_TIMEOUT");
    assert.ok(took < 2_000, `took ${took} ms`);
    await sleep(20);
    assert.equal(server.requests.length, 1, "no poll after the one that asked to wait");
  });

  test("Retry-After: 99999999999999999999 on a poller without maxWait (Infinity) sleeps, not polls in a loop", LIMIT, async (t) => {
    const server = await serving(t, () => ({ status: 202, headers: { "retry-after": "99999999999999999999" }, body: "" }));
    const poller = new ODataClient({ serviceUrl: server.url("odata/") }).asyncPoller("monitor/1", { pollInterval: 1, maxWait: Infinity });
    const controller = new AbortController();
    const waiting = poller.wait(controller.signal);
    waiting.catch(() => {});
    // The first poll, however long a cold start takes; then 200 ms in which a timer overflow would poll every millisecond.
    for (const giveUp = performance.now() + 5_000; server.requests.length === 0 && performance.now() < giveUp; ) await sleep(5);
    await sleep(200);
    controller.abort(new Error("stop"));
    await assert.rejects(waiting, /stop/);
    assert.equal(server.requests.length, 1, "a timer overflow would poll every millisecond");
  });
});
