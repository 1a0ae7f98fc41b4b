// The explanation of a 412 or 428 knows the conditions a write was sent with, configured ones too:
// a client whose `headers` hold If-Match (the command line's `-H 'If-Match: …'` becomes one) sends
// it on every write to its service, and a 412 must not say that none was sent. Against node:http
// servers that record what they got: 412 where an If-Match came, 428 where none did.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ClientCore } from "../src/core.js";
import { resolveClientOptions } from "../src/options.js";
import { httpErrorOf } from "../src/payload/failed-answer.js";
import { explainFailedWrite, updateRequest } from "../src/write/requests.js";
import { ODataClient, ODataHttpError } from "../src/index.js";
import { sendJson, startServer, type RecordingServer } from "./servers/recording-server.js";

const ETAG = 'W/"1999-01-01T00:00:00.000Z"';
/** What a 428's explanation advises a program (write/requests.ts IF_MATCH_ADVICE). */
const IF_MATCH_ADVICE = 'pass { etag } (the entity read earlier or its ETag), or { ifMatch: "*" } to write whatever version is there';

/** A service that refuses every write: 412 where it got an If-Match, 428 where it got none. */
async function guardedService(t: { after(fn: () => Promise<void>): void }): Promise<RecordingServer> {
  const server = await startServer((request, res) => {
    const ifMatch = request.headers["if-match"];
    if (ifMatch === undefined) return sendJson(res, 428, { error: { code: "428", message: "send If-Match" } });
    sendJson(res, 412, { error: { code: "412", message: `not ${String(ifMatch)}` } });
  });
  t.after(() => server.close());
  return server;
}

/**
 * An update of Books(1) sent through a client's pipeline and explained as write/send.ts explains
 * a failed write, given the client's options.
 */
async function failedUpdate(core: ClientCore, serviceUrl?: string): Promise<ODataHttpError> {
  const options = serviceUrl === undefined ? core.options : { ...core.options, serviceUrl: new URL(serviceUrl) };
  const request = updateRequest(options, { entitySet: "Books", keyPredicate: "(1)" }, { title: "x" });
  const response = await core.send({ method: request.method, url: request.url, headers: request.headers, body: request.body as string });
  assert.equal(response.ok, false);
  return explainFailedWrite(await httpErrorOf(response, request.method, request.url), request, core.options, response);
}

test("a write refused with 412 by a client with a configured If-Match says the ETag no longer matches, not that none was sent; a 428 without any If-Match keeps its advice", async (t) => {
  const server = await guardedService(t);
  const core = new ClientCore(resolveClientOptions({ serviceUrl: server.url("svc/"), headers: { "If-Match": ETAG } }));
  const error = await failedUpdate(core);
  assert.equal(server.requests[0]?.headers["if-match"], ETAG);
  assert.equal(error.status, 412);
  assert.doesNotMatch(error.message, /no If-Match was sent/);
  assert.match(error.message, /\(precondition failed: the entity changed since it was read \(its ETag no longer matches If-Match\); read it again and reapply the change\)$/);

  const plain = new ClientCore(resolveClientOptions({ serviceUrl: server.url("svc/"), headers: { "X-Tenant": "a" } }));
  const required = await failedUpdate(plain);
  assert.equal(server.requests[1]?.headers["if-match"], undefined);
  assert.equal(server.requests[1]?.headers["x-tenant"], "a");
  assert.equal(required.status, 428);
  assert.ok(required.message.endsWith(`(precondition required: the service wants If-Match for this write; ${IF_MATCH_ADVICE})`), required.message);
});

test("a configured If-Match counts where the headers step sends it: If-Match: * to the service (412: no such entity), none to an origin that is not trusted (428: the advice)", async (t) => {
  const service = await guardedService(t);
  const elsewhere = await guardedService(t);
  const core = new ClientCore(resolveClientOptions({ serviceUrl: service.url("svc/"), headers: { "if-match": "*" } }));
  const error = await failedUpdate(core);
  assert.equal(service.requests[0]?.headers["if-match"], "*");
  assert.match(error.message, /\(precondition failed: there is no such entity \(If-Match: \* asked to write only an entity that exists\)\)$/);
  // The same write addressed to another origin (as an edit link of the service's may be).
  const away = await failedUpdate(core, elsewhere.url("svc/"));
  assert.equal(elsewhere.requests[0]?.headers["if-match"], undefined);
  assert.equal(away.status, 428);
  assert.ok(away.message.endsWith(`; ${IF_MATCH_ADVICE})`), away.message);
});

// Through the client's own verbs: these pass once write/send.ts, operations/call.ts and
// resources/writes.ts give explainFailedWrite `core.options` rather than `core.options.csrf`.

test("a client with a configured If-Match: update() and a bound action answered 412 do not say none was sent", async (t) => {
  const server = await guardedService(t);
  const client = new ODataClient({ serviceUrl: server.url("svc/"), headers: { "If-Match": ETAG } });
  const update = await client.collection("Books").key(1).update({ title: "x" }).then(() => undefined, (error: unknown) => error);
  const action = await client.collection("Books").key(1).action("CatalogService.touch").invoke({}).then(() => undefined, (error: unknown) => error);
  assert.deepEqual(server.requests.map((r) => [r.method, r.headers["if-match"]]), [["PATCH", ETAG], ["POST", ETAG]]);
  for (const error of [update, action]) {
    assert.ok(error instanceof ODataHttpError);
    assert.equal(error.status, 412);
    assert.match(error.message, /the entity changed since it was read/);
  }
});
