/**
 * A `202 Accepted` that names its status monitor in `Operation-Location` and has no `Location`, as
 * Microsoft Graph's OneNote copy actions (`copyNotebook`, `copyToSection` ...) answer
 * (learn.microsoft.com/graph/api/onenoteoperation-get): a call or write for its answer must not
 * resolve as done, the `...Async` twins keep `ASYNC_NO_LOCATION` (spec/async-poller.md) but name
 * the monitor, and `client.asyncPoller()` follows OneNote's status bodies to the copy.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { AsyncOperationFailedError, ODataClientError } from "../src/index.js";
import { sendJson, serveClient, type RecordingServer } from "./servers/recording-server.js";

/** The monitor a copy names: an access token in its query, which no message may show. */
const MONITOR_PATH = "v1.0/me/onenote/operations/copy-6e7a?access_token=op-SECRET-token-123";

/** A OneNote copy as Graph answers it: 202, the operation's status as body, the monitor in Operation-Location only. */
function acceptedCopy(server: () => RecordingServer) {
  return (res: import("node:http").ServerResponse) =>
    sendJson(res, 202, { "@odata.context": "$metadata#microsoft.graph.onenoteOperation", id: "copy-6e7a", status: "Running" }, { "operation-location": server().url(MONITOR_PATH) });
}

const MASKED_MONITOR = (server: RecordingServer): string => server.url("v1.0/me/onenote/operations/copy-6e7a?access_token=***");

function seen(server: RecordingServer): string[] {
  return server.requests.map((request) => `${request.method} ${request.path}${request.headers["prefer"] ? ` [${String(request.headers["prefer"])}]` : ""}`);
}

async function rejection(promise: Promise<unknown>): Promise<ODataClientError> {
  const error = await promise.then(
    (value: unknown) => assert.fail(`resolved with ${JSON.stringify(value)}`),
    (failure: unknown) => failure,
  );
  assert.ok(error instanceof ODataClientError, String(error));
  return error;
}

describe("202 Accepted with Operation-Location and no Location (Graph OneNote copy)", () => {
  test("invoke() of copyNotebook, get() of a function and a write reject with ASYNC_OPERATION_PENDING naming the Operation-Location monitor (masked), where they resolved undefined as if done; nothing is polled", async (t) => {
    let server!: RecordingServer;
    const copied = acceptedCopy(() => server);
    let graph!: Awaited<ReturnType<typeof serveClient>>["client"];
    ({ server, client: graph } = await serveClient(t, (_request, res) => copied(res), {}, "v1.0/"));
    const notebook = graph.collection("notebooks").key("nb1");
    for (const [what, call, sent] of [
      ["invoke()", () => notebook.action("copyNotebook").invoke({ renameAs: "Copy of Notes" }), "POST /v1.0/notebooks('nb1')/copyNotebook"],
      ["get()", () => graph.function("copyStatus").get(), "GET /v1.0/copyStatus()"],
      ["create()", () => graph.collection("notebooks").create({ displayName: "x" }), "POST /v1.0/notebooks"],
    ] as const) {
      const before = server.requests.length;
      const error = await rejection(call());
      assert.equal(error.code, "ASYNC_OPERATION_PENDING", `${what}: ${error.message}`);
      assert.equal(
        error.message,
        `${sent.split(" ")[0]} ${server.url(sent.split(" ")[1]?.slice(1))} was answered 202 Accepted: the operation runs at the service; follow it with client.asyncPoller() on its status monitor, which the answer names in Operation-Location. The monitor: ${MASKED_MONITOR(server)}`,
        what,
      );
      assert.ok(!error.message.includes("op-SECRET-token-123"), what);
      assert.deepEqual(seen(server).slice(before), [sent], `${what}: one request, the monitor not polled`);
    }
    // The copy's own request body went as sent.
    assert.deepEqual(JSON.parse(server.requests[0]?.body ?? ""), { renameAs: "Copy of Notes" });
  });

  test("invokeAsync(), getAsync() and createAsync() still reject with ASYNC_NO_LOCATION, the message naming the Operation-Location monitor (masked) and client.asyncPoller(url)", async (t) => {
    let server!: RecordingServer;
    const copied = acceptedCopy(() => server);
    let client!: Awaited<ReturnType<typeof serveClient>>["client"];
    ({ server, client } = await serveClient(t, (_request, res) => copied(res), {}, "v1.0/"));
    const notebook = client.collection("notebooks").key("nb1");
    for (const [what, call, sent] of [
      ["invokeAsync()", () => notebook.action("copyNotebook").invokeAsync({ renameAs: "Copy of Notes" }), "POST /v1.0/notebooks('nb1')/copyNotebook"],
      ["getAsync()", () => client.function("copyStatus").getAsync(), "GET /v1.0/copyStatus()"],
      ["createAsync()", () => client.collection("notebooks").createAsync({ displayName: "x" }), "POST /v1.0/notebooks"],
    ] as const) {
      const before = server.requests.length;
      const error = await rejection(call());
      assert.equal(error.code, "ASYNC_NO_LOCATION", `${what}: ${error.message}`);
      assert.equal(
        error.message,
        `${sent.split(" ")[0]} ${server.url(sent.split(" ")[1]?.slice(1))} answered 202 Accepted without a Location header; it names its status monitor in Operation-Location instead, which this method does not follow: client.asyncPoller(url) follows it. The monitor: ${MASKED_MONITOR(server)}`,
        what,
      );
      assert.deepEqual(seen(server).slice(before), [`${sent} [respond-async]`], `${what}: one request, the monitor not polled`);
    }
  });

  test("a 202 with neither Location nor a usable Operation-Location: invoke() resolves undefined as before, invokeAsync() gives the plain ASYNC_NO_LOCATION; a Location wins over Operation-Location", async (t) => {
    const { server, client } = await serveClient(t, (request, res) => {
      if (request.path.endsWith("/both")) return sendJson(res, 202, {}, { location: "/jobs/by-location", "operation-location": "/jobs/by-operation-location" });
      if (request.path.endsWith("/ftp")) return sendJson(res, 202, {}, { "operation-location": "ftp://host/op/1" });
      sendJson(res, 202, { status: "Running" });
    });
    assert.equal(await client.action("plain").invoke(), undefined);
    const plain = await rejection(client.action("plain").invokeAsync());
    assert.equal(plain.code, "ASYNC_NO_LOCATION");
    assert.equal(plain.message, `POST ${server.url("odata/plain")} answered 202 Accepted without a Location header, so there is no status monitor to poll`);
    const ftp = await rejection(client.action("ftp").invokeAsync());
    assert.equal(ftp.message, `POST ${server.url("odata/ftp")} answered 202 Accepted without a Location header, so there is no status monitor to poll`);
    // A plain call does not resolve as done on a monitor it cannot read: it says what is wrong.
    const badMonitor = await rejection(client.action("ftp").invoke());
    assert.equal(badMonitor.code, "ASYNC_BAD_RESPONSE");
    assert.match(badMonitor.message, /Operation-Location "ftp:\/\/host\/op\/1" is not an http or https URL$/);
    const both = await rejection(client.action("both").invoke());
    assert.match(both.message, /The monitor: http:\/\/127\.0\.0\.1:\d+\/jobs\/by-location$/);
    assert.equal((await client.action("both").invokeAsync()).statusUrl, server.url("jobs/by-location"));
  });

  test("client.asyncPoller(the Operation-Location) follows OneNote's onenoteOperation bodies: NotStarted, Running with a percentComplete string, Completed with resourceLocation, whose resource is the result", async (t) => {
    let polls = 0;
    let server!: RecordingServer;
    let client!: Awaited<ReturnType<typeof serveClient>>["client"];
    ({ server, client } = await serveClient(
      t,
      (request, res) => {
        if (request.method === "POST") return acceptedCopy(() => server)(res);
        if (request.path.startsWith("/v1.0/me/onenote/operations/copy-6e7a")) {
          polls++;
          if (polls === 1) return sendJson(res, 200, { id: "copy-6e7a", status: "NotStarted", createdDateTime: "2024-01-01T00:00:00Z" });
          if (polls === 2) return sendJson(res, 200, { id: "copy-6e7a", status: "Running", percentComplete: "40" });
          return sendJson(res, 200, { id: "copy-6e7a", status: "Completed", resourceLocation: server.url("v1.0/me/onenote/notebooks/nb2"), resourceId: "nb2" });
        }
        if (request.path === "/v1.0/me/onenote/notebooks/nb2") return sendJson(res, 200, { "@odata.context": "$metadata#notebooks/$entity", id: "nb2", displayName: "Copy of Notes" });
        sendJson(res, 404, { error: { code: "itemNotFound", message: request.path } });
      },
      {},
      "v1.0/",
    ));
    const error = await rejection(client.singleton("me").navigateOne("onenote").navigate("notebooks").key("nb1").action("copyNotebook").invoke({ renameAs: "Copy of Notes" }));
    assert.equal(error.code, "ASYNC_OPERATION_PENDING");
    // The caller has the header itself (or reads it off its wire log): the message masks its token.
    const progress: string[] = [];
    const poller = client.asyncPoller<{ id: string; displayName: string }>(server.url(MONITOR_PATH), { pollInterval: 1, onProgress: (status, pct) => progress.push(`${status} ${pct}`) });
    const notebook = await poller.wait();
    // The resource as read from resourceLocation (its response's context left out, as for any result).
    assert.deepEqual(notebook, { id: "nb2", displayName: "Copy of Notes" });
    assert.equal(poller.status(), "Completed");
    assert.deepEqual(progress, ["NotStarted -1", "Running 40", "Completed 40"]);
    assert.deepEqual(seen(server), [
      "POST /v1.0/me/onenote/notebooks('nb1')/copyNotebook",
      `GET /${MONITOR_PATH}`,
      `GET /${MONITOR_PATH}`,
      `GET /${MONITOR_PATH}`,
      "GET /v1.0/me/onenote/notebooks/nb2",
    ]);
  });

  test("client.asyncPoller(the Operation-Location) of a copy that Failed rejects with AsyncOperationFailedError carrying OneNote's error", async (t) => {
    const { server, client } = await serveClient(t, (_request, res) =>
      sendJson(res, 200, { id: "copy-9", status: "Failed", error: { code: "20102", message: "The specified resource ID does not exist." } }),
    );
    const poller = client.asyncPoller(server.url("v1.0/me/onenote/operations/copy-9"), { pollInterval: 1 });
    const failure = await poller.wait().then(
      () => assert.fail("resolved"),
      (error: unknown) => error,
    );
    assert.ok(failure instanceof AsyncOperationFailedError, String(failure));
    assert.equal(failure.status, "Failed");
    assert.equal(failure.odataError?.code, "20102");
    assert.equal(failure.odataError?.message, "The specified resource ID does not exist.");
    assert.deepEqual(seen(server), ["GET /v1.0/me/onenote/operations/copy-9"]);
  });
});
