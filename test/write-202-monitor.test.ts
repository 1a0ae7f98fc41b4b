// A write that the service answers `202 Accepted` with a status monitor, unasked (Microsoft Graph's
// `POST /teams` does), runs at the service: the plain write rejects with ASYNC_OPERATION_PENDING
// naming the monitor (redacted), where it resolved as a 204 would, as if done, and lost the
// monitor. Nothing polls it; the `...Async` twin, where there is one, still takes such an answer as
// its poller, and a 202 without Location is still read as a 204, as for an action.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { ODataClient, ODataClientError } from "../src/index.js";
import { serveClient, type RecordedRequest } from "./servers/recording-server.js";

/** The monitor the service names, relative to its host, with a signature that messages mask. */
const MONITOR = "/teams('t1')/operations('op1')?sig=s3cr3t-signature";

/** Answers every request 202 with {@link MONITOR}, as Graph answers `POST /teams`. */
function acceptedWithMonitor(_request: RecordedRequest, res: import("node:http").ServerResponse): void {
  res.writeHead(202, { location: MONITOR, "content-location": "/teams('t1')", "content-length": "0" });
  res.end();
}

interface Case {
  what: string;
  version?: "2.0";
  send: (client: ODataClient) => Promise<unknown>;
  /** Method and path (below the origin) the service must see, and nothing after it. */
  request: string;
  /** The request's URL below the origin as the message shows it, where it masks a secret. */
  shown?: string;
  /** Other things the request must carry. */
  check?: (request: RecordedRequest) => void;
  /** The `...Async` twin the message recommends, where there is one. */
  twin?: string;
}

const teams = (client: ODataClient) => client.collection("teams");
const team = (client: ODataClient) => teams(client).key("t1");

const CASES: Case[] = [
  {
    what: "create() (its URL carrying a signature)",
    send: (client) => teams(client).param("sig", "q-s3cr3t").create({ displayName: "My Sample Team", "template@odata.bind": "teamsTemplates('standard')" }),
    request: "POST /v1.0/teams?sig=q-s3cr3t",
    shown: "/v1.0/teams?sig=***",
    check: (request) => assert.deepEqual(JSON.parse(request.body), { displayName: "My Sample Team", "template@odata.bind": "teamsTemplates('standard')" }),
    twin: "createAsync()",
  },
  {
    what: "update()",
    send: (client) => team(client).update({ displayName: "Renamed" }, { etag: 'W/"1"' }),
    request: "PATCH /v1.0/teams('t1')",
    check: (request) => {
      assert.equal(request.headers["if-match"], 'W/"1"');
      assert.equal(request.body, '{"displayName":"Renamed"}');
    },
    twin: "updateAsync()",
  },
  {
    what: "update() of OData v2 (MERGE)",
    version: "2.0",
    send: (client) => team(client).update({ displayName: "Renamed" }, { etag: false }),
    request: "MERGE /v1.0/teams('t1')",
    check: (request) => assert.equal(request.body, '{"displayName":"Renamed"}'),
    twin: "updateAsync()",
  },
  {
    what: "replace()",
    send: (client) => team(client).replace({ displayName: "Whole" }, { ifMatch: "*" }),
    request: "PUT /v1.0/teams('t1')",
    check: (request) => {
      assert.equal(request.headers["if-match"], "*");
      assert.equal(request.body, '{"displayName":"Whole"}');
    },
    twin: "replaceAsync()",
  },
  {
    what: "delete()",
    send: (client) => team(client).delete({ etag: 'W/"2"' }),
    request: "DELETE /v1.0/teams('t1')",
    check: (request) => assert.equal(request.headers["if-match"], 'W/"2"'),
    twin: "deleteAsync()",
  },
  {
    what: "upsert() (no ...Async twin)",
    send: (client) => team(client).upsert({ displayName: "Either" }),
    request: "PATCH /v1.0/teams('t1')",
    check: (request) => {
      assert.equal(request.headers["if-match"], undefined);
      assert.equal(request.body, '{"displayName":"Either"}');
    },
  },
  {
    what: "createMedia()",
    send: (client) => client.collection("photos").createMedia("PNG", { contentType: "image/png" }),
    request: "POST /v1.0/photos",
    check: (request) => {
      assert.equal(request.headers["content-type"], "image/png");
      assert.equal(request.body, "PNG");
    },
  },
  {
    what: "media().put()",
    send: (client) => client.collection("photos").key(1).media().put("PNG", { contentType: "image/png" }),
    request: "PUT /v1.0/photos(1)/$value",
    check: (request) => assert.equal(request.body, "PNG"),
  },
  {
    what: "media().bytes() (a read of content, sent through the same check)",
    send: (client) => client.collection("photos").key(1).media().bytes(),
    request: "GET /v1.0/photos(1)/$value",
  },
  {
    what: "link() ($ref)",
    send: (client) => team(client).link("members", client.collection("users").key("u1")),
    request: "POST /v1.0/teams('t1')/members/$ref",
    check: (request) => assert.match(request.body, /"@odata\.id":"http:\/\/127\.0\.0\.1:\d+\/v1\.0\/users\('u1'\)"/),
  },
  {
    what: "setLink() ($ref)",
    send: (client) => team(client).setLink("owner", client.collection("users").key("u1")),
    request: "PUT /v1.0/teams('t1')/owner/$ref",
  },
  {
    what: "unlink() ($ref)",
    send: (client) => team(client).unlink("owner"),
    request: "DELETE /v1.0/teams('t1')/owner/$ref",
  },
  {
    what: "an action's invoke() (the same shared check)",
    send: (client) => team(client).action("archive", { namespace: "microsoft.graph" }).invoke({}),
    request: "POST /v1.0/teams('t1')/microsoft.graph.archive",
    twin: "invokeAsync() or getAsync()",
  },
];

for (const c of CASES) {
  test(`${c.what} answered 202 Accepted with a Location rejects with ASYNC_OPERATION_PENDING naming the monitor${c.twin ? ` and ${c.twin}` : ""}, and polls nothing`, async (t) => {
    const { server, client } = await serveClient(t, acceptedWithMonitor, c.version ? { version: c.version } : {}, "v1.0/");
    const error = await c.send(client).then(
      (value: unknown) => assert.fail(`${c.what} resolved with ${JSON.stringify(value)}`),
      (failure: unknown) => failure,
    );
    assert.ok(error instanceof ODataClientError, `expected an ODataClientError, got ${String(error)}`);
    assert.equal(error.code, "ASYNC_OPERATION_PENDING");
    const [method, path] = c.request.split(" ") as [string, string];
    assert.equal(
      error.message,
      `${method} ${server.origin}${c.shown ?? path} was answered 202 Accepted: the operation runs at the service; follow it with client.asyncPoller() on its status monitor` +
        (c.twin ? `, and send such a request with ${c.twin} for a poller from the start` : "") +
        `. The monitor: ${server.origin}/teams('t1')/operations('op1')?sig=***`,
    );
    assert.doesNotMatch(error.message, /s3cr3t/);
    // Nothing follows the answer: no poll of the monitor, now or a moment later.
    await sleep(30);
    assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), [c.request]);
    c.check?.(server.requests[0]!);
  });
}

test("create() and delete() answered 202 without a Location resolve as on a 204 (accepted, nothing to follow), and send nothing more", async (t) => {
  const { server, client } = await serveClient(
    t,
    (_request, res) => {
      res.writeHead(202, { "content-length": "0" });
      res.end();
    },
    {},
    "v1.0/",
  );
  assert.equal(await teams(client).create({ displayName: "Quiet" }), undefined);
  assert.equal(await team(client).delete({ etag: false }), undefined);
  await sleep(30);
  assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), ["POST /v1.0/teams", "DELETE /v1.0/teams('t1')"]);
});

test("create(), update() and an action's invoke() answered 202 without a Location and with a status body resolve undefined: the body is the operation's status, not the entity (as a browser sees a Location CORS hides)", async (t) => {
  const { server, client } = await serveClient(
    t,
    (_request, res) => {
      res.writeHead(202, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: "Running", ID: 7 }));
    },
    {},
    "v1.0/",
  );
  assert.equal(await teams(client).create({ displayName: "Quiet" }), undefined);
  assert.equal(await team(client).update({ displayName: "Loud" }, { etag: false }), undefined);
  // An action's call so answered gives undefined too, as the README says, not the status as its result.
  assert.equal(await team(client).action("archive").invoke({}), undefined);
  assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path} ${r.body}`), [
    'POST /v1.0/teams {"displayName":"Quiet"}',
    'PATCH /v1.0/teams(\'t1\') {"displayName":"Loud"}',
    "POST /v1.0/teams('t1')/archive {}",
  ]);
});

test("a media read answered 202 without a Location rejects with ASYNC_NO_LOCATION (bytes(), text(), stream()): its status body is not the content", async (t) => {
  const { server, client } = await serveClient(
    t,
    (_request, res) => {
      res.writeHead(202, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: "Running" }));
    },
    {},
    "v1.0/",
  );
  const media = client.collection("photos").key(1).media();
  for (const read of [() => media.bytes(), () => media.text(), () => media.stream()]) {
    const error = await read().then(
      (value) => assert.fail(`resolved with ${String(value)}`),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof ODataClientError && error.code === "ASYNC_NO_LOCATION", String(error));
    assert.equal(error.message, `GET ${server.url("v1.0/photos(1)/$value")} was answered 202 Accepted without a status monitor: the service runs the read asynchronously (in a browser it must also expose Location)`);
  }
  assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), Array(3).fill("GET /v1.0/photos(1)/$value"));
});

test("createAsync() answered 202 with a Location still gives a running poller of that monitor, sending Prefer: respond-async and polling nothing until asked", async (t) => {
  const { server, client } = await serveClient(t, acceptedWithMonitor, {}, "v1.0/");
  const poller = await teams(client).createAsync({ displayName: "My Sample Team" });
  assert.equal(poller.isDone(), false);
  assert.equal(poller.statusUrl, `${server.origin}/teams('t1')/operations('op1')?sig=s3cr3t-signature`);
  await sleep(30);
  assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), ["POST /v1.0/teams"]);
  assert.equal(server.requests[0]!.headers["prefer"], "respond-async");
  assert.equal(server.requests[0]!.body, '{"displayName":"My Sample Team"}');
});
