// A status monitor URL the caller hands over with `user:password@` (asyncPoller, resumeAsync, a
// batch's resumeAsync) is refused at once with CREDENTIALS_IN_URL, as the pipeline refuses such a
// URL when it would be sent: kept until the first poll, the password sat in `statusUrl` and in
// every token `toJSON()` wrote. A JSON batch's next link that carries them fails the requests it
// was to answer, with the same code, rather than becoming a continuation that holds them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";
import { ODataClient, ODataClientError, type AsyncPollerToken } from "../src/index.js";
import { json, serve } from "./batch-server.js";

const PASSWORD = "MonitorPw-55aa77";

/** The error `run` throws synchronously; fails the test where it returns instead. */
function thrownBy(run: () => unknown): unknown {
  let returned: unknown;
  try {
    returned = run();
  } catch (error) {
    return error;
  }
  assert.fail(`returned instead of throwing: ${inspect(returned, { depth: 4 })}`);
}

function assertRefused(error: unknown, names: RegExp): void {
  assert.ok(error instanceof ODataClientError, inspect(error));
  assert.equal(error.code, "CREDENTIALS_IN_URL", error.message);
  assert.match(error.message, names);
  assert.ok(!inspect(error).includes(PASSWORD), inspect(error));
}

test("asyncPoller(statusUrl) with user:password@ throws CREDENTIALS_IN_URL at once, absolute or scheme-relative, and sends nothing", async (t) => {
  const service = await serve(() => ({ status: 200, headers: json, body: JSON.stringify({ status: "running" }) }));
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, retry: false });
  const host = new URL(service.url).host;
  for (const statusUrl of [`http://usr:${PASSWORD}@${host}/svc/monitor/1`, `//usr:${PASSWORD}@${host}/svc/monitor/1`, `http://usr@${host}/svc/monitor/1`]) {
    const error = thrownBy(() => client.asyncPoller(statusUrl));
    assertRefused(error, /^asyncPoller\(statusUrl\): statusUrl carries a user name or password \(use option "auth"\)$/);
  }
  // The same monitor without them is taken as ever.
  const poller = client.asyncPoller(`http://${host}/svc/monitor/1`, { pollInterval: 1 });
  assert.equal(poller.toJSON().statusUrl, `http://${host}/svc/monitor/1`);
  assert.equal(await poller.poll(), true);
  assert.deepEqual(
    service.seen.map((request) => `${request.method} ${request.url}`),
    ["GET /svc/monitor/1"],
  );
});

test("resumeAsync(token) with user:password@ in token.statusUrl or token.resultUrl throws CREDENTIALS_IN_URL at once and sends nothing", async (t) => {
  const service = await serve(() => ({ status: 200, headers: json, body: JSON.stringify({ status: "running" }) }));
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, retry: false });
  const host = new URL(service.url).host;
  const token: AsyncPollerToken = { type: "traverse-odata/async-poller", version: 2, statusUrl: `http://${host}/svc/monitor/1`, status: "running", percentComplete: -1, deadline: null };
  const withCredentials = `http://usr:${PASSWORD}@${host}/svc/monitor/1`;
  assertRefused(thrownBy(() => client.resumeAsync({ ...token, statusUrl: withCredentials })), /^resumeAsync token\.statusUrl carries a user name or password/);
  assertRefused(thrownBy(() => client.resumeAsync({ ...token, resultUrl: withCredentials })), /^resumeAsync token\.resultUrl carries a user name or password/);
  assertRefused(
    thrownBy(() => client.resumeAsync({ ...token, outcome: "succeeded", result: 1, resultUrl: withCredentials })),
    /^resumeAsync token\.resultUrl carries a user name or password/,
  );
  // A batch's resumeAsync reads the token's statusUrl the same way.
  const batch = client.batch({ format: "json" });
  batch.get(client.collection("Items").key(1));
  assertRefused(thrownBy(() => batch.resumeAsync({ ...token, statusUrl: withCredentials })), /token\.statusUrl carries a user name or password/);
  assert.equal(service.seen.length, 0, "nothing was sent");
});

test("a JSON batch's next link with user:password@ fails the requests it was to answer with CREDENTIALS_IN_URL: no continuation holds it, nothing is sent to it", async (t) => {
  let nextLink = "";
  const service = await serve(() => ({ status: 200, headers: json, body: JSON.stringify({ responses: [{ id: "1", status: 200, headers: json, body: { ID: 1 } }], "@odata.nextLink": nextLink }) }));
  t.after(service.close);
  nextLink = `${service.url.replace("http://", `http://usr:${PASSWORD}@`)}$batch?part=2`;
  const client = new ODataClient({ serviceUrl: service.url, version: "4.01", retry: false });
  const batch = client.batch({ format: "json" });
  const first = batch.get(client.collection("Items").key(1));
  const second = batch.get(client.collection("Items").key(2));
  const results = await batch.send({ continuation: { pollInterval: 1 } });
  assert.deepEqual(
    service.seen.map((request) => `${request.method} ${request.url}`),
    ["POST /svc/$batch"],
  );
  const answered = first.result();
  assert.ok(answered.ok && answered.status === 200, inspect(answered));
  assert.deepEqual(answered.value, { ID: 1 });
  const result = second.result();
  assert.ok(!result.ok, inspect(result));
  assertRefused(result.error, /next link that carries a user name or password; it was not followed/);
  assert.equal(results.continuation, undefined);
  assert.ok(!inspect(results, { depth: 8 }).includes(PASSWORD));
});

test("batch.resumeAsync(token) whose resultShape.later names a URL with user:password@ is refused with CREDENTIALS_IN_URL when the batch's code reads the token, before anything is sent", async (t) => {
  const service = await serve((request) =>
    request.method === "POST" ? { status: 202, headers: { Location: "monitor/1" } } : { status: 200, headers: json, body: JSON.stringify({ status: "running" }) },
  );
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, version: "4.01", retry: false });
  const build = () => {
    const batch = client.batch({ format: "json" });
    batch.get(client.collection("Items").key(1));
    batch.get(client.collection("Items").key(2));
    return batch;
  };
  const token = (await build().sendAsync({ pollInterval: 1 })).toJSON();
  const later = (url: string): AsyncPollerToken => ({ ...token, resultShape: { ...token.resultShape, pending: [0], later: [{ url, pending: [1] }] } as AsyncPollerToken["resultShape"] & object });
  // As the token's other fields of a batch, the chain is read when the batch's code loads: on the
  // first poll, which is refused before it sends anything.
  const error = await build()
    .resumeAsync(later(`${service.url.replace("http://", `http://usr:${PASSWORD}@`)}monitor/2`))
    .poll()
    .then((running) => assert.fail(`resolved ${running}`), (error: unknown) => error);
  assertRefused(error, /^batch\.resumeAsync\(token\): token\.resultShape\.later\[0\]\.url carries a user name or password/);
  assert.deepEqual(
    service.seen.map((request) => `${request.method} ${request.url}`),
    ["POST /svc/$batch"],
  );
  // The same token with the URL clean polls its monitor: only the user name and password are refused.
  assert.equal(await build().resumeAsync(later(`${service.url}monitor/2`)).poll(), true);
  assert.deepEqual(
    service.seen.map((request) => `${request.method} ${request.url}`),
    ["POST /svc/$batch", "GET /svc/monitor/1"],
  );
});
