/**
 * Resuming a JSON batch's continuation whose 202 came before answers given at once: the token
 * names the requests still to come (`resultShape.pending`), so that the resumed poller matches only
 * them, and the requests answered before the token was saved read `BATCH_ANSWERED_EARLIER`. A
 * token without the field (written before it was kept) is read as before; a malformed one is
 * refused with a `TypeError` naming it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { answeredAfter202, json, serve, short, type Reply } from "./batch-server.js";
import { ODataClient, type AsyncPollerToken } from "../src/index.js";

const batchAnswer = answeredAfter202;

const monitors: Record<string, Reply> = {
  // A JSON batch with the one answer still to come.
  batch: { status: 200, headers: json, body: JSON.stringify({ responses: [{ id: "1", status: 200, headers: json, body: { ID: 1 } }] }) },
  // Request 1's own result.
  own: { status: 200, headers: json, body: '{"ID":1}' },
  // The whole batch again: the answers given before are not taken from it.
  whole: { status: 200, headers: json, body: JSON.stringify({ responses: [1, 2, 3].map((id) => ({ id: String(id), status: 200, headers: json, body: { ID: id * 10 } })) }) },
};

function buildBatch(client: ODataClient) {
  const books = client.collection<{ ID: number }>("Books");
  const batch = client.batch();
  return { batch, handles: [1, 2, 3].map((id) => batch.get(books.key(id))) };
}

/** Sends the batch, saves its continuation through JSON text, and gives the token. */
async function savedContinuation(server: { url: string }): Promise<AsyncPollerToken> {
  const first = buildBatch(new ODataClient({ serviceUrl: server.url, version: "4.01" }));
  const results = await first.batch.send({ continuation: { pollInterval: 1 } });
  assert.deepEqual(results.map(short), [
    { ok: false, status: undefined, code: "BATCH_PENDING" },
    { ok: true, status: 200, value: { ID: 2 } },
    { ok: true, status: 200, value: { ID: 3 } },
  ]);
  return JSON.parse(JSON.stringify(results.continuation!.toJSON())) as AsyncPollerToken;
}

test("a JSON batch continuation resumed from its token matches only the request still to come; those answered at once read BATCH_ANSWERED_EARLIER", async () => {
  for (const [name, monitor] of Object.entries(monitors)) {
    const server = await serve((request) => (request.url.endsWith("$batch") ? batchAnswer : monitor));
    try {
      const token = await savedContinuation(server);
      assert.equal(token.statusUrl, `${server.url}mon/1`);
      assert.deepEqual(token.resultShape, { kind: "batch", format: "json", requests: 3, fingerprint: (token.resultShape as { fingerprint: string }).fingerprint, pending: [0] });

      // Another process builds the same batch and resumes.
      const second = buildBatch(new ODataClient({ serviceUrl: server.url, version: "4.01" }));
      const resumed = second.batch.resumeAsync(token, { pollInterval: 1 });
      const rest = await resumed.wait();
      assert.deepEqual(rest.map(short), [
        { ok: true, status: 200, value: name === "whole" ? { ID: 10 } : { ID: 1 } },
        { ok: false, status: undefined, code: "BATCH_ANSWERED_EARLIER" },
        { ok: false, status: undefined, code: "BATCH_ANSWERED_EARLIER" },
      ], name);
      assert.deepEqual(second.handles.map((handle) => short(handle.result())), rest.map(short), name);
      const earlier = second.handles[1]!.result();
      assert.ok(!earlier.ok);
      assert.match(earlier.error.message, /request 2 \(GET Books\(2\)\) was answered before the continuation was saved/);
      // The resumed poller saves the same shape again.
      assert.deepEqual(resumed.toJSON().resultShape, token.resultShape);
      assert.deepEqual(server.seen.map((request) => `${request.method} ${request.url}`), ["POST /svc/$batch", "GET /svc/mon/1"], name);
      assert.deepEqual(JSON.parse(server.seen[0]!.body).requests.map((request: { id: string; url: string }) => `${request.id} ${request.url}`), ["1 Books(1)", "2 Books(2)", "3 Books(3)"]);
    } finally {
      server.close();
    }
  }
});

test("a JSON batch continuation token without resultShape.pending (written before it was kept) is read as before: every request from `from` on is still to come", async () => {
  for (const [name, monitor] of Object.entries({ whole: monitors["whole"]!, batch: monitors["batch"]! })) {
    const server = await serve((request) => (request.url.endsWith("$batch") ? batchAnswer : monitor));
    try {
      const token = await savedContinuation(server);
      const { pending, ...older } = token.resultShape as Record<string, unknown>;
      assert.deepEqual(pending, [0]);
      const second = buildBatch(new ODataClient({ serviceUrl: server.url, version: "4.01" }));
      const rest = await second.batch.resumeAsync({ ...token, resultShape: older } as AsyncPollerToken, { pollInterval: 1 }).wait();
      assert.deepEqual(
        rest.map(short),
        name === "whole"
          ? [10, 20, 30].map((id) => ({ ok: true, status: 200, value: { ID: id } }))
          : [{ ok: true, status: 200, value: { ID: 1 } }, { ok: false, status: undefined, code: "BATCH_NOT_EXECUTED" }, { ok: false, status: undefined, code: "BATCH_NOT_EXECUTED" }],
        name,
      );
      assert.deepEqual(server.seen.map((request) => `${request.method} ${request.url}`), ["POST /svc/$batch", "GET /svc/mon/1"], name);
    } finally {
      server.close();
    }
  }
});

test("a malformed resultShape.pending is refused with a TypeError naming it, and nothing is sent", async () => {
  // A multipart batch (its body starts with its boundary) is answered asynchronously as a whole.
  const server = await serve((request) =>
    request.url.endsWith("$batch") ? (request.body.startsWith("--") ? { status: 202, headers: { location: "mon/9" } } : batchAnswer) : monitors["own"]!,
  );
  try {
    const token = await savedContinuation(server);
    const shape = token.resultShape as Record<string, unknown>;
    const client = new ODataClient({ serviceUrl: server.url, version: "4.01" });
    const sent = server.seen.length;
    // Refused at once, as the token's other fields are.
    for (const pending of ["0", 0, null, {}, [], [0.5], [-1], [3], [1, 0], [0, 0], ["0"]]) {
      assert.throws(
        () => buildBatch(client).batch.resumeAsync({ ...token, resultShape: { ...shape, pending } } as AsyncPollerToken),
        (error: unknown) =>
          error instanceof TypeError && error.message === "resumeAsync token.resultShape.pending must be ascending request indexes",
        JSON.stringify(pending),
      );
    }
    // (A multipart batch's token names them too where a part of its own was answered 202 before
    // the last part: test/batch-json-answers.test.ts resumes one.)
    // A request before the item the answer is still to come from cannot be still to come: refused
    // when the batch's code loads, as a token of another batch is.
    const before = buildBatch(client).batch.resumeAsync({ ...token, resultShape: { ...shape, from: 1, pending: [0] } } as AsyncPollerToken);
    await assert.rejects(before.wait(), (error: unknown) => error instanceof TypeError && /token\.resultShape\.pending names request index 0, which is in an item before token\.resultShape\.from \(1\)/.test(error.message));
    assert.equal(server.seen.length, sent);
  } finally {
    server.close();
  }
});

test("a resumed continuation whose monitor answers 202 again for the request still to come gives a continuation whose token names it too", async () => {
  const server = await serve((request) => {
    if (request.url.endsWith("$batch")) return batchAnswer;
    // A relative Location, resolved against the monitor that answered (mon/1): mon/2.
    if (request.url.endsWith("mon/1")) return { status: 200, headers: json, body: JSON.stringify({ responses: [{ id: "1", status: 202, headers: { location: "2" } }] }) };
    return monitors["own"]!;
  });
  try {
    const token = await savedContinuation(server);
    const second = buildBatch(new ODataClient({ serviceUrl: server.url, version: "4.01" }));
    const middle = await second.batch.resumeAsync(token, { pollInterval: 1 }).wait();
    assert.deepEqual(middle.map(short), [
      { ok: false, status: undefined, code: "BATCH_PENDING" },
      { ok: false, status: undefined, code: "BATCH_ANSWERED_EARLIER" },
      { ok: false, status: undefined, code: "BATCH_ANSWERED_EARLIER" },
    ]);
    const again = JSON.parse(JSON.stringify(middle.continuation!.toJSON())) as AsyncPollerToken;
    assert.equal(again.statusUrl, `${server.url}mon/2`);
    assert.deepEqual(again.resultShape, token.resultShape);
    const third = buildBatch(new ODataClient({ serviceUrl: server.url, version: "4.01" }));
    const rest = await third.batch.resumeAsync(again, { pollInterval: 1 }).wait();
    assert.deepEqual(rest.map(short), [
      { ok: true, status: 200, value: { ID: 1 } },
      { ok: false, status: undefined, code: "BATCH_ANSWERED_EARLIER" },
      { ok: false, status: undefined, code: "BATCH_ANSWERED_EARLIER" },
    ]);
    assert.deepEqual(server.seen.map((request) => `${request.method} ${request.url}`), ["POST /svc/$batch", "GET /svc/mon/1", "GET /svc/mon/2"]);
  } finally {
    server.close();
  }
});

test("a continuation that sendAsync() or a resumed token gives resolves a part's relative Location against the monitor that answered, polls with the caller's options, and masks the parts' own credentials", async () => {
  const key = "k3y-PARTSECRET-9911";
  const server = await serve((request) => {
    if (request.url.endsWith("$batch")) return { status: 202, headers: { location: "$monitor/S" } };
    if (request.url.endsWith("$monitor/S")) {
      return {
        status: 200,
        headers: json,
        body: JSON.stringify({
          responses: [
            { id: "1", status: 403, headers: json, body: { error: { code: "E", message: `bad key ${key}` } } },
            { id: "2", status: 202, headers: { location: "B" } },
            { id: "3", status: 200, headers: json, body: { ID: 3 } },
          ],
        }),
      };
    }
    if (request.url.endsWith("$monitor/B")) return { status: 200, headers: json, body: JSON.stringify({ ID: 2 }) };
    return { status: 404, headers: json, body: JSON.stringify({ error: { code: "nope", message: `no ${request.url}` } }) };
  });
  try {
    const build = () => {
      const client = new ODataClient({ serviceUrl: server.url, version: "4.01", retry: false });
      const batch = client.batch();
      const books = client.collection("Books");
      const handles = [batch.request({ method: "GET", url: "Books(1)", headers: { "x-api-key": key } }), batch.get(books.key(2)), batch.get(books.key(3))];
      return { batch, handles };
    };
    const sent = build();
    const poller = await sent.batch.sendAsync({ pollInterval: 1 });
    const token = poller.toJSON();
    const first = await poller.wait();
    assert.equal(first.continuation?.statusUrl, `${server.url}$monitor/B`);
    assert.deepEqual((await first.continuation!.wait()).map(short)[1], { ok: true, status: 200, value: { ID: 2 } });

    const resumed = build().batch.resumeAsync(token, { pollInterval: 1 });
    const again = await resumed.wait();
    assert.equal(again.continuation?.statusUrl, `${server.url}$monitor/B`);
    const failed = again[0]!;
    assert.ok(!failed.ok && failed.error instanceof Error);
    assert.ok(!JSON.stringify(failed.error).includes(key) && !failed.error.message.includes(key), failed.error.message);
    assert.match(failed.error.message, /bad key \*\*\*/);
    assert.deepEqual(server.seen.map((r) => `${r.method} ${r.url}`), ["POST /svc/$batch", "GET /svc/$monitor/S", "GET /svc/$monitor/B", "GET /svc/$monitor/S"]);
  } finally {
    server.close();
  }
});

test("batch.resumeAsync refuses a resultBinary that is not a boolean with a TypeError naming it, and sends nothing", async () => {
  const server = await serve((request) => (request.url.endsWith("$batch") ? batchAnswer : monitors["own"]!));
  try {
    const token = await savedContinuation(server);
    const client = new ODataClient({ serviceUrl: server.url, version: "4.01" });
    const sent = server.seen.length;
    for (const resultBinary of ["true", 1, null]) {
      assert.throws(
        () => buildBatch(client).batch.resumeAsync({ ...token, resultBinary } as unknown as AsyncPollerToken),
        (error: unknown) => error instanceof TypeError && error.message === "resumeAsync token.resultBinary must be a boolean",
        JSON.stringify(resultBinary),
      );
    }
    assert.throws(
      () => buildBatch(client).batch.resumeAsync({ ...token, resultDates: "0" } as unknown as AsyncPollerToken),
      (error: unknown) => error instanceof TypeError && error.message === "resumeAsync token.resultDates must be an array of strings",
    );
    assert.equal(server.seen.length, sent);
    // The same token with resultBinary false resumes and polls as before.
    const rest = await buildBatch(client).batch.resumeAsync({ ...token, resultBinary: false }, { pollInterval: 1 }).wait();
    assert.deepEqual(rest.map(short)[0], { ok: true, status: 200, value: { ID: 1 } });
    assert.deepEqual(server.seen.slice(sent).map((request) => `${request.method} ${request.url}`), ["GET /svc/mon/1"]);
  } finally {
    server.close();
  }
});
