/**
 * The v2 dates of a long-running write's entity survive its token. The v2 reader makes ISO text of
 * `/Date(ms)/` values and notes which members it converted, so that writing the entity back sends
 * those as `/Date(ms)/` again (SAP SuccessFactors and Gateway refuse ISO text there) and leaves
 * any other ISO-looking text alone. The note lives beside the objects, so a token (plain JSON)
 * loses it unless the token names the converted members (`resultDates`): a poller finished,
 * saved with `toJSON()` and resumed with `resumeAsync()` in a fresh client must give an entity
 * whose `update()` sends the same body as the original poller's entity. Scripted node:http v2
 * service on 127.0.0.1; every body asserted as the service received it.
 */
import { describe, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { ODataClient, type AsyncPollerToken } from "../src/index.js";
import { startServer, type RecordingServer } from "./servers/recording-server.js";

const FAST = { pollInterval: 1, maxWait: 30_000 };
const ETAG = 'W/"7"';

/**
 * The entity the operation ends with, in v2 JSON: dates at the top (one with an offset), in a
 * complex value sent bare (no `__metadata`), in a collection of dates and in an entity expanded
 * inline; beside them text that only looks like a date, which must reach the service as written.
 */
const FINAL_ENTITY = JSON.stringify({
  d: {
    __metadata: { uri: "http://host/odata/Books(1)", type: "NS.Book" },
    ID: 1,
    title: "Emma",
    published: "/Date(1700000000000)/",
    shipped: "/Date(1700000000000+0060)/",
    note: "2024-01-02T10:00:00Z",
    address: { city: "Bath", validFrom: "/Date(0)/", remark: "1999-12-31T23:59:59Z" },
    holidays: { results: ["/Date(86400000)/", "/Date(172800000)/"] },
    author: { __deferred: { uri: "http://host/odata/Books(1)/author" } },
    reviews: {
      results: [{ __metadata: { uri: "http://host/odata/Reviews(5)", type: "NS.Review" }, ID: 5, at: "/Date(0)/", text: "1970-01-01T00:00:00Z" }],
    },
  },
});

/** What `update({ ...entity })` must send for that entity, whichever poller gave it. */
const EXPECTED_BODY = {
  ID: 1,
  title: "Emma",
  published: "/Date(1700000000000)/",
  // The reader gave "2023-11-14T23:13:20+01:00"; a write sends the instant in UTC.
  shipped: "/Date(1700000000000)/",
  note: "2024-01-02T10:00:00Z",
  address: { city: "Bath", validFrom: "/Date(0)/", remark: "1999-12-31T23:59:59Z" },
  holidays: ["/Date(86400000)/", "/Date(172800000)/"],
  // The review, a related entity (its __metadata has a uri), is left out as every v2 answer's
  // inlined entities are, the resumed poller's too (hunt41-write-v2-inline-navigation.test.ts).
};

/** What the poller gives, as the v2 reader reads {@link FINAL_ENTITY} with the `ETag` header. */
const EXPECTED_ENTITY = {
  __metadata: { uri: "http://host/odata/Books(1)", type: "NS.Book", etag: ETAG },
  ID: 1,
  title: "Emma",
  published: "2023-11-14T22:13:20Z",
  shipped: "2023-11-14T23:13:20+01:00",
  note: "2024-01-02T10:00:00Z",
  address: { city: "Bath", validFrom: "1970-01-01T00:00:00Z", remark: "1999-12-31T23:59:59Z" },
  holidays: ["1970-01-02T00:00:00Z", "1970-01-03T00:00:00Z"],
  reviews: [{ __metadata: { uri: "http://host/odata/Reviews(5)", type: "NS.Review" }, ID: 5, at: "1970-01-01T00:00:00Z", text: "1970-01-01T00:00:00Z" }],
};

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, { ...headers, "content-length": String(Buffer.byteLength(body)) });
  res.end(body);
}

/**
 * A v2 service of `Books`: a create with `Prefer: respond-async` is answered 202 with a monitor,
 * whose first poll answers 202 and whose second the final 201 with {@link FINAL_ENTITY} and an
 * `ETag`; a `MERGE` of `Books(1)` is answered 204.
 */
async function v2Service(t: TestContext): Promise<{ server: RecordingServer; serviceUrl: string }> {
  const polls = new Map<string, number>();
  let operations = 0;
  const server = await startServer((request, res) => {
    const monitor = /\/monitor\/(\d+)$/.exec(request.path)?.[1];
    if (monitor !== undefined) {
      const seen = polls.get(monitor) ?? 0;
      polls.set(monitor, seen + 1);
      if (seen === 0) return send(res, 202, { "retry-after": "0" }, "");
      return send(res, 201, { "content-type": "application/json", etag: ETAG }, FINAL_ENTITY);
    }
    if (request.method === "POST" && request.path === "/odata/Books") {
      operations += 1;
      return send(res, 202, { location: `monitor/${operations}` }, "");
    }
    if (request.method === "MERGE" && request.path === "/odata/Books(1)") return send(res, 204, {}, "");
    return send(res, 404, {}, "");
  });
  t.after(() => server.close());
  return { server, serviceUrl: server.url("odata/") };
}

function v2Client(serviceUrl: string): ODataClient {
  return new ODataClient({ serviceUrl, version: "2.0", retry: false });
}

/** The token as another process gets it: through JSON text. */
function saved(token: AsyncPollerToken): AsyncPollerToken {
  return JSON.parse(JSON.stringify(token)) as AsyncPollerToken;
}

/** `update({ ...entity })` of `Books(1)` through a fresh client; the body the service received, parsed. */
async function updateBody(server: RecordingServer, serviceUrl: string, entity: unknown): Promise<unknown> {
  const before = server.requests.length;
  await v2Client(serviceUrl).collection("Books").key(1).update({ ...(entity as Record<string, unknown>) });
  const sent = server.requests.slice(before);
  assert.deepEqual(
    sent.map((request) => `${request.method} ${request.path}`),
    ["MERGE /odata/Books(1)"],
  );
  assert.equal(sent[0]?.headers["if-match"], ETAG, "the entity's ETag");
  return JSON.parse(sent[0]?.body ?? "");
}

describe("OData v2: a write's poller resumed from its token writes its entity's dates back as /Date(ms)/", { concurrency: true }, () => {
  test("a createAsync poller that finished, saved and resumed by a fresh client gives an entity whose update sends the body the original's does", async (t) => {
    const { server, serviceUrl } = await v2Service(t);
    const poller = await v2Client(serviceUrl).collection("Books").createAsync({ ID: 1, title: "Emma" }, FAST);
    const original = await poller.wait();
    assert.deepEqual(original, EXPECTED_ENTITY);
    assert.deepEqual(await updateBody(server, serviceUrl, original), EXPECTED_BODY, "the original poller's entity");

    const token = saved(poller.toJSON());
    const before = server.requests.length;
    const resumed = v2Client(serviceUrl).resumeAsync(token);
    assert.equal(resumed.isDone(), true);
    assert.deepEqual(resumed.result(), EXPECTED_ENTITY);
    assert.equal(server.requests.length, before, "a finished poller resumes without a request");
    assert.deepEqual(await updateBody(server, serviceUrl, resumed.result()), EXPECTED_BODY, "the resumed poller's entity");
    assert.deepEqual(await updateBody(server, serviceUrl, await resumed.wait()), EXPECTED_BODY, "wait() gives the same");

    // A third process, from the token of the resumed poller: the dates are still named there.
    const again = v2Client(serviceUrl).resumeAsync(saved(resumed.toJSON()));
    assert.deepEqual(await updateBody(server, serviceUrl, again.result()), EXPECTED_BODY, "resumed twice");
  });

  test("a poller saved while it ran, resumed, finished and saved again gives the same body on every resume", async (t) => {
    const { server, serviceUrl } = await v2Service(t);
    const poller = await v2Client(serviceUrl).collection("Books").createAsync({ ID: 1, title: "Emma" }, FAST);
    assert.equal(await poller.poll(), true, "the monitor's first answer: still running");
    const midway = v2Client(serviceUrl).resumeAsync(saved(poller.toJSON()), FAST);
    assert.deepEqual(await updateBody(server, serviceUrl, await midway.wait()), EXPECTED_BODY, "resumed while it ran");
    const finished = v2Client(serviceUrl).resumeAsync(saved(midway.toJSON()));
    assert.deepEqual(finished.result(), EXPECTED_ENTITY);
    assert.deepEqual(await updateBody(server, serviceUrl, finished.result()), EXPECTED_BODY, "saved after the resumed poller finished");
  });

  test("the token keeps the entity as read in result, names the converted members in resultDates, and reads tokens without them as before", async (t) => {
    const { server, serviceUrl } = await v2Service(t);
    const poller = await v2Client(serviceUrl).collection("Books").createAsync({ ID: 1, title: "Emma" }, FAST);
    await poller.wait();
    const token = saved(poller.toJSON());
    assert.deepEqual(token.resultShape, { kind: "entity", version: "2.0" });
    assert.equal(token.outcome, "succeeded");
    assert.deepEqual(token.result, EXPECTED_ENTITY);
    // Only the members the reader converted: not `note`, `address/remark` nor `reviews/0/text`.
    assert.deepEqual([...(token.resultDates ?? [])].sort(), ["address/validFrom", "holidays/0", "holidays/1", "published", "reviews/0/at", "shipped"]);

    // A token of an earlier release names none: it resumes as it did, its dates then sent as the ISO text they hold.
    const { resultDates: _dropped, ...older } = token;
    const resumed = v2Client(serviceUrl).resumeAsync(older);
    assert.deepEqual(resumed.result(), EXPECTED_ENTITY);
    assert.equal(resumed.toJSON().resultDates, undefined);
    const body = (await updateBody(server, serviceUrl, resumed.result())) as Record<string, unknown>;
    assert.equal(body["published"], "2023-11-14T22:13:20Z");
  });

  test("resultDates edited by hand: only paths that end at a string the result holds are noted, the rest dropped; anything but an array of strings is refused", async (t) => {
    const { server, serviceUrl } = await v2Service(t);
    const poller = await v2Client(serviceUrl).collection("Books").createAsync({ ID: 1, title: "Emma" }, FAST);
    await poller.wait();
    const token = saved(poller.toJSON());
    const edited = {
      ...token,
      resultDates: ["published", "__proto__/x", "constructor", "constructor/name", "__proto__/constructor/name", "title/0", "ID", "missing/at", "reviews/7/at", "address", "toString", ""],
    } as unknown as AsyncPollerToken;
    const resumed = v2Client(serviceUrl).resumeAsync(edited);
    assert.deepEqual(resumed.toJSON().resultDates, ["published"]);
    const body = (await updateBody(server, serviceUrl, resumed.result())) as Record<string, unknown>;
    assert.equal(body["published"], "/Date(1700000000000)/");
    assert.equal(body["shipped"], "2023-11-14T23:13:20+01:00", "not named in the edited token");
    assert.deepEqual(body["address"], EXPECTED_ENTITY.address);
    // Anything but an array of strings is refused, as the token's other fields are, not taken for no dates.
    for (const resultDates of ["published", { published: true }, 1, ["published", 42], ["published", null]]) {
      assert.throws(() => v2Client(serviceUrl).resumeAsync({ ...token, resultDates } as unknown as AsyncPollerToken), {
        name: "TypeError",
        message: "resumeAsync token.resultDates must be an array of strings",
      });
    }
  });
});
