/**
 * A write's request that got no answer is told by what its error was made for, not by its words:
 * the timeout step and the transport keep the request with the `TIMEOUT` and `NETWORK_ERROR` they
 * make (http/unanswered.ts). So the write that a step of yours sent to another URL (a
 * `sap-client` added) or that a redirect took elsewhere, and whose connection then dropped, still
 * says that the service may have applied it; an error of your step's own worded like the
 * transport's does not. A PUT or DELETE that the retry step sent again after an attempt that went
 * out and got no answer says that attempt may have applied it, whatever its last attempt met (an
 * HTTP 500, a refused connection); an attempt whose connection was refused never went out and is
 * not named. Against node:http services on 127.0.0.1: what was sent and what came back.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataClientError, type PipelineStep } from "../src/index.js";
import { clientRejection, sendJson, serveClient, startServer, type Handler, type RecordingServer } from "./servers/recording-server.js";
import { httpError } from "./http-error.js";

const WRITE_HINT = "; the service may have received and applied the write: read before sending it again";

/** Closes the connection once the request is read, without an answer. */
const dropping: Handler = (_request, res) => void res.socket?.destroy();

const sent = (server: RecordingServer) => server.requests.map((r) => `${r.method} ${r.path}`);

describe("a write's own request that got no answer, wherever it went", () => {
  const addingClient = (name: string, inPlace: boolean): PipelineStep => ({
    name,
    handle(request, next) {
      if (inPlace) {
        request.url.searchParams.set("sap-client", "100");
        return next(request);
      }
      const url = new URL(request.url);
      url.searchParams.set("sap-client", "100");
      return next({ ...request, url });
    },
  });

  for (const inPlace of [false, true]) {
    test(`update() sent by a step that adds sap-client to its URL (${inPlace ? "in place" : "a changed copy"}), whose connection drops: NETWORK_ERROR saying the service may have applied it`, async (t) => {
      const { server, client, root } = await serveClient(t, dropping, { steps: [addingClient("sap-client", inPlace)] });
      const error = await clientRejection(client.collection("Books").key(1).update({ title: "x" }));
      assert.equal(error.code, "NETWORK_ERROR");
      // The message names the request as it went out, the step's query included.
      assert.ok(error.message.startsWith(`PATCH ${root}Books(1)?sap-client=100 failed before an answer arrived: `), error.message);
      assert.ok(error.message.endsWith(WRITE_HINT), error.message);
      assert.ok(error.cause instanceof TypeError, `cause: ${String(error.cause)}`);
      assert.deepEqual(sent(server), ["PATCH /odata/Books(1)?sap-client=100"]);
    });
  }

  test("create() redirected (307) to a URL whose connection drops: NETWORK_ERROR naming the target and saying the service may have applied it", async (t) => {
    const { server, client, root } = await serveClient(t, (request, res) => {
      if (request.path === "/odata/Books") {
        res.writeHead(307, { location: "/odata/moved/Books" });
        res.end();
        return;
      }
      res.socket?.destroy();
    });
    const error = await clientRejection(client.collection("Books").create({ ID: 1 }));
    assert.equal(error.code, "NETWORK_ERROR");
    assert.ok(error.message.startsWith(`POST ${root}moved/Books failed before an answer arrived: `), error.message);
    assert.ok(error.message.endsWith(WRITE_HINT), error.message);
    assert.deepEqual(sent(server), ["POST /odata/Books", "POST /odata/moved/Books"]);
    assert.equal(server.requests[1]?.body, '{"ID":1}');
  });

  test("a step's own NETWORK_ERROR or TIMEOUT worded like the client's, thrown before anything is sent, says nothing of a write applied", async (t) => {
    for (const [code, words] of [
      ["NETWORK_ERROR", "failed before an answer arrived: offline (circuit open)"],
      ["TIMEOUT", 'got no answer within 300 ms (option "timeout")'],
    ] as const) {
      const guard: PipelineStep = {
        name: "circuit-breaker",
        handle: (request) => Promise.reject(new ODataClientError(code, `${request.method} ${request.url.href} ${words}`)),
      };
      const { server, client, root } = await serveClient(t, dropping, { steps: [guard] });
      const error = await clientRejection(client.collection("Books").create({ ID: 1 }));
      assert.equal(error.code, code);
      assert.equal(error.message, `POST ${root}Books ${words}`);
      assert.deepEqual(sent(server), []);
    }
  });
});

/** A client that sends a PUT or DELETE again once, at once. */
const retrying = (server: RecordingServer, options: Partial<ConstructorParameters<typeof ODataClient>[0]> = {}) =>
  new ODataClient({ serviceUrl: server.url("odata/"), retry: { retries: 1, delay: 1, maxDelay: 5 }, ...options });


const LOST = /attempt 1 \(failed before an answer arrived: [^;]+\) may already have applied the write: read it to know/;

describe("a retried write whose earlier attempt went out and got no answer", () => {
  test("replace() whose first attempt's connection drops and whose retry is answered 500: the 500 says attempt 1 may already have applied it", async (t) => {
    let seen = 0;
    const server = await startServer((_request, res, req) => {
      if (seen++ === 0) return void req.socket.destroy();
      sendJson(res, 500, { error: { code: "500", message: "Internal Server Error" } });
    });
    t.after(() => server.close());
    const error = await httpError(retrying(server).collection("Books").key(1).replace({ ID: 1, title: "New" }, { etag: 'W/"1"' }));
    assert.equal(error.status, 500);
    assert.match(error.message, /\[500\]: Internal Server Error \(this answer is to attempt 2 of the request, and attempt 1 \(failed before an answer arrived: [^;]+\) may already have applied the write: read it to know\)$/);
    assert.deepEqual(sent(server), ["PUT /odata/Books(1)", "PUT /odata/Books(1)"]);
  });

  test("delete() whose first attempt's connection drops and whose retry finds the service gone (connection refused): NETWORK_ERROR saying attempt 1 may already have applied it", async (t) => {
    let server: RecordingServer | undefined;
    server = await startServer((_request, _res, req) => {
      req.socket.destroy();
      // Nothing listens any more: the retry's connection is refused.
      void server?.close();
    });
    t.after(() => server?.close());
    const error = await clientRejection(retrying(server, { timeout: 2_000 }).collection("Books").key(1).delete());
    assert.equal(error.code, "NETWORK_ERROR");
    assert.match(error.message, /^DELETE http:\/\/127\.0\.0\.1:\d+\/odata\/Books\(1\) failed before an answer arrived: .*ECONNREFUSED.*; this was attempt 2 of the request, and /);
    assert.match(error.message, LOST);
    assert.doesNotMatch(error.message, /the service may have received/);
    // The transport's error of the last attempt stays the cause.
    assert.ok(error.cause instanceof TypeError, `cause: ${String(error.cause)}`);
    assert.deepEqual(sent(server), ["DELETE /odata/Books(1)"]);
  });

  test("replace() whose first attempt's connection was refused (never sent) and whose retry is refused 412: the 412 keeps its own explanation, attempt 1 is not named", async (t) => {
    const server = await startServer((_request, res) => sendJson(res, 412, { error: { code: "412", message: "Precondition Failed" } }));
    t.after(() => server.close());
    let calls = 0;
    const refusedOnce: typeof fetch = (input, init) => {
      if (calls++ > 0) return fetch(input, init);
      const refused = Object.assign(new Error(`connect ECONNREFUSED ${new URL(String(input)).host}`), { code: "ECONNREFUSED" });
      return Promise.reject(new TypeError("fetch failed", { cause: refused }));
    };
    const error = await httpError(retrying(server, { fetch: refusedOnce }).collection("Books").key(1).replace({ ID: 1, title: "New" }, { etag: 'W/"1"' }));
    assert.equal(error.status, 412);
    assert.ok(
      error.message.endsWith(
        "[412]: Precondition Failed (precondition failed: the entity changed since it was read (its ETag no longer matches If-Match); read it again and reapply the change)",
      ),
      error.message,
    );
    assert.equal(calls, 2);
    assert.deepEqual(sent(server), ["PUT /odata/Books(1)"]);
  });
});
