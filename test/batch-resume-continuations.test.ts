/**
 * Resuming a `$batch` continuation from its token in another client gives what the original
 * continuation gives: the continuations queued after it (further parts answered 202, each with a
 * monitor of its own) come with it (`resultShape.later`), and a next link's continuation reads only
 * a batch answer, refusing anything else with BAD_BATCH_RESPONSE (`resultShape.nextLink`); the
 * next links followed before come with it (`resultShape.followed`), so that a loop stops where it
 * did. Malformed fields are refused with a `TypeError` naming them, before anything is sent.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { json, serve, short, type Reply, type Seen } from "./batch-server.js";
import { ODataClient, type AsyncPollerToken, type BatchResults } from "../src/index.js";

const said = (seen: readonly Seen[]) => seen.map((request) => `${request.method} ${request.url}`);
const responses = (...list: unknown[]) => JSON.stringify({ responses: list });
/** A token as another process gets it: through JSON text. */
const saved = (token: AsyncPollerToken) => JSON.parse(JSON.stringify(token)) as AsyncPollerToken;
const pending = { ok: false, status: undefined, code: "BATCH_PENDING" };
const earlier = { ok: false, status: undefined, code: "BATCH_ANSWERED_EARLIER" };
const book = (id: number) => ({ ok: true, status: 200, value: { ID: id } });

function buildBatch(url: string, ids: number[]) {
  const client = new ODataClient({ serviceUrl: url, version: "4.01" });
  const books = client.collection<{ ID: number }>("Books");
  const batch = client.batch({ format: "json" });
  return { batch, handles: ids.map((id) => batch.get(books.key(id))) };
}

/** Waits for each continuation in turn, giving the results after each. */
async function follow(results: BatchResults): Promise<BatchResults[]> {
  const all: BatchResults[] = [];
  for (let next = results.continuation; next !== undefined; next = all.at(-1)!.continuation) all.push(await next.wait());
  return all;
}

test("a JSON batch whose next link answers 202 for two requests: the first continuation resumed from its token gives the second's too, and the same results", async () => {
  const server = await serve((request): Reply => {
    if (request.method === "POST") return { status: 200, headers: json, body: JSON.stringify({ responses: [{ id: "1", status: 200, headers: json, body: { ID: 1 } }], "@nextLink": "next?page=2" }) };
    // Relative Locations, resolved against the next link that answered.
    if (request.url === "/svc/next?page=2") return { status: 200, headers: json, body: responses({ id: "2", status: 202, headers: { location: "mon/2" } }, { id: "3", status: 202, headers: { location: "mon/3" } }) };
    if (request.url === "/svc/mon/2") return { status: 200, headers: json, body: '{"ID":2}' };
    if (request.url === "/svc/mon/3") return { status: 200, headers: json, body: '{"ID":3}' };
    return { status: 404 };
  });
  try {
    const original = buildBatch(server.url, [1, 2, 3]);
    const results = await original.batch.send({ continuation: { pollInterval: 1 } });
    assert.deepEqual(results.map(short), [book(1), pending, pending]);
    const token = saved(results.continuation!.toJSON());
    assert.equal(token.statusUrl, `${server.url}mon/2`);
    const [afterFirst, afterSecond] = await follow(results);
    assert.deepEqual(afterFirst!.map(short), [book(1), book(2), pending]);
    assert.deepEqual(afterSecond!.map(short), [book(1), book(2), book(3)]);
    const secondToken = saved(afterFirst!.continuation!.toJSON());
    assert.deepEqual(said(server.seen), ["POST /svc/$batch", "GET /svc/next?page=2", "GET /svc/mon/2", "GET /svc/mon/3"]);
    assert.deepEqual(JSON.parse(server.seen[0]!.body).requests.map((request: { id: string; method: string; url: string }) => `${request.id} ${request.method} ${request.url}`), ["1 GET Books(1)", "2 GET Books(2)", "3 GET Books(3)"]);

    // Another process builds the same batch and resumes the first continuation.
    server.seen.length = 0;
    const other = buildBatch(server.url, [1, 2, 3]);
    const resumed = other.batch.resumeAsync(token, { pollInterval: 1 });
    const first = await resumed.wait();
    assert.deepEqual(first.map(short), [earlier, book(2), pending]);
    assert.ok(first.continuation, "the request answered 202 beside it still has a continuation");
    assert.equal(first.continuation.statusUrl, `${server.url}mon/3`);
    // The same token as the original's second continuation wrote.
    assert.deepEqual(saved(first.continuation.toJSON()).resultShape, secondToken.resultShape);
    const [second, ...more] = await follow(first);
    assert.deepEqual(second!.map(short), [earlier, book(2), book(3)]);
    assert.deepEqual(more, []);
    assert.deepEqual(other.handles.map((handle) => short(handle.result())), second!.map(short));
    assert.deepEqual(said(server.seen), ["GET /svc/mon/2", "GET /svc/mon/3"]);
    for (const request of server.seen) assert.equal(request.headers["accept"], "application/json");
  } finally {
    server.close();
  }
});

test("a JSON batch with two parts answered 202: the first's continuation resumed from its token still gives the second's", async () => {
  const server = await serve((request): Reply => {
    if (request.method === "POST") {
      return { status: 200, headers: json, body: responses({ id: "1", status: 202, headers: { location: "monitorA" } }, { id: "2", status: 200, headers: json, body: { ID: 2 } }, { id: "3", status: 202, headers: { location: "monitorB" } }) };
    }
    if (request.url === "/svc/monitorA") return { status: 200, headers: { ...json, AsyncResult: "200" }, body: '{"ID":1}' };
    if (request.url === "/svc/monitorB") return { status: 200, headers: { ...json, AsyncResult: "200" }, body: '{"ID":3}' };
    return { status: 404 };
  });
  try {
    const original = buildBatch(server.url, [1, 2, 3]);
    const results = await original.batch.send({ continuation: { pollInterval: 1 } });
    assert.deepEqual(results.map(short), [pending, book(2), pending]);
    const token = saved(results.continuation!.toJSON());
    const originals = (await follow(results)).map((step) => step.map(short));
    assert.deepEqual(originals, [[book(1), book(2), pending], [book(1), book(2), book(3)]]);

    server.seen.length = 0;
    const other = buildBatch(server.url, [1, 2, 3]);
    const first = await other.batch.resumeAsync(token, { pollInterval: 1 }).wait();
    assert.deepEqual([first, ...(await follow(first))].map((step) => step.map(short)), [
      [book(1), earlier, pending],
      [book(1), earlier, book(3)],
    ]);
    assert.deepEqual(said(server.seen), ["GET /svc/monitorA", "GET /svc/monitorB"]);
  } finally {
    server.close();
  }
});

test("a next link's continuation answered 202 and resumed from its token goes on to the part's continuation queued after it", async () => {
  // Request 1 answered 202 beside the next link: the next link is read first, and answers 202.
  const server = await serve((request): Reply => {
    if (request.method === "POST") {
      return { status: 200, headers: json, body: JSON.stringify({ responses: [{ id: "1", status: 202, headers: { location: "/svc/mon/1" } }], "@nextLink": "/svc/next" }) };
    }
    if (request.url === "/svc/next") return { status: 202, headers: { Location: "/svc/mon/next" } };
    if (request.url === "/svc/mon/next") return { status: 200, headers: { ...json, AsyncResult: "200" }, body: responses({ id: "2", status: 200, body: { ID: 2 } }) };
    if (request.url === "/svc/mon/1") return { status: 200, headers: json, body: '{"ID":1}' };
    return { status: 404 };
  });
  try {
    const original = buildBatch(server.url, [1, 2]);
    const results = await original.batch.send({ continuation: { pollInterval: 1 } });
    assert.deepEqual(results.map(short), [pending, pending]);
    const token = saved(results.continuation!.toJSON());
    assert.equal(token.statusUrl, `${server.url}mon/next`);
    assert.deepEqual((await follow(results)).map((step) => step.map(short)), [[pending, book(2)], [book(1), book(2)]]);
    assert.deepEqual(said(server.seen), ["POST /svc/$batch", "GET /svc/next", "GET /svc/mon/next", "GET /svc/mon/1"]);

    server.seen.length = 0;
    const other = buildBatch(server.url, [1, 2]);
    const first = await other.batch.resumeAsync(token, { pollInterval: 1 }).wait();
    assert.deepEqual([first, ...(await follow(first))].map((step) => step.map(short)), [[pending, book(2)], [book(1), book(2)]]);
    assert.deepEqual(said(server.seen), ["GET /svc/mon/next", "GET /svc/mon/1"]);
  } finally {
    server.close();
  }
});

test("a next link's continuation resumed from its token refuses an answer that is no batch answer (an entity, an HTML page) with BAD_BATCH_RESPONSE, as the original does", async () => {
  const answers: Record<string, Reply> = {
    entity: { status: 200, headers: json, body: '{"ID":2}' },
    html: { status: 200, headers: { "Content-Type": "text/html" }, body: "<html><body>signed out</body></html>" },
  };
  for (const [name, answer] of Object.entries(answers)) {
    const server = await serve((request): Reply => {
      if (request.method === "POST") return { status: 200, headers: json, body: JSON.stringify({ responses: [{ id: "1", status: 200, body: { ID: 1 } }], "@nextLink": "next" }) };
      if (request.url === "/svc/next") return { status: 202, headers: { Location: "/svc/monitor" } };
      return answer;
    });
    try {
      const original = buildBatch(server.url, [1, 2]);
      const results = await original.batch.send({ continuation: { pollInterval: 1 } });
      assert.deepEqual(results.map(short), [book(1), pending], name);
      const token = saved(results.continuation!.toJSON());
      let refusal: { code: string; message: string } | undefined;
      await assert.rejects(results.continuation!.wait(), (error: { code: string; message: string }) => ((refusal = error), error.code === "BAD_BATCH_RESPONSE"), name);
      // An HTML page is said to be one, as send() says it (test/integ-fix32-batch-html-page.test.ts).
      assert.match(refusal!.message, name === "entity" ? /a JSON body without a "responses" array/ : /^the answer is an HTML page \(text\/html\), not a batch response$/, name);

      server.seen.length = 0;
      const other = buildBatch(server.url, [1, 2]);
      const resumed = other.batch.resumeAsync(token, { pollInterval: 1 });
      await assert.rejects(resumed.wait(), (error: { code: string; message: string }) => error.code === "BAD_BATCH_RESPONSE" && error.message === refusal!.message, name);
      // The entity never became request 2's result: the resumed batch has none to give.
      assert.throws(() => other.handles[1]!.result(), { code: "BATCH_NOT_SENT" }, name);
      assert.deepEqual(said(server.seen), ["GET /svc/monitor"], name);
    } finally {
      server.close();
    }
  }
});

test("a multipart part answered 202 before a last part answered 202: the part's continuation resumed from its token goes on to the last part's monitor", async () => {
  const part = (status: string, headers: string, body = "") => `--b\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 ${status}\r\n${headers}\r\n${body}\r\n`;
  const multipart = { "Content-Type": "multipart/mixed; boundary=b" };
  const server = await serve((request): Reply => {
    if (request.method === "POST") {
      return { status: 200, headers: multipart, body: `${part("202 Accepted", "Location: monitorA\r\n")}${part("200 OK", "Content-Type: application/json\r\n", '{"value":2}')}${part("202 Accepted", "Location: monitorR\r\n")}--b--\r\n` };
    }
    if (request.url === "/svc/monitorA") return { status: 200, headers: { ...json, AsyncResult: "200" }, body: '{"value":1}' };
    // The rest of the batch: the answer of the last item, request 3.
    if (request.url === "/svc/monitorR") return { status: 200, headers: { ...multipart, AsyncResult: "200" }, body: `${part("200 OK", "Content-Type: application/json\r\n", '{"value":3}')}--b--\r\n` };
    return { status: 404 };
  });
  const value = (n: number) => ({ ok: true, status: 200, value: n });
  try {
    const build = () => {
      const batch = new ODataClient({ serviceUrl: server.url, version: "4.01" }).batch({ format: "multipart" });
      batch.action("A");
      batch.function("B");
      batch.function("C");
      return batch;
    };
    const results = await build().send({ continuation: { pollInterval: 1 } });
    assert.deepEqual(results.map(short), [pending, value(2), pending]);
    const token = saved(results.continuation!.toJSON());
    assert.equal(token.statusUrl, `${server.url}monitorA`);
    const originals = await follow(results);
    assert.deepEqual(originals.map((step) => step.map(short)), [[value(1), value(2), pending], [value(1), value(2), value(3)]]);
    const lastToken = saved(originals[0]!.continuation!.toJSON());
    assert.deepEqual(said(server.seen), ["POST /svc/$batch", "GET /svc/monitorA", "GET /svc/monitorR"]);

    server.seen.length = 0;
    const first = await build().resumeAsync(token, { pollInterval: 1 }).wait();
    assert.deepEqual(first.map(short), [value(1), earlier, pending]);
    assert.deepEqual(saved(first.continuation!.toJSON()).resultShape, lastToken.resultShape);
    assert.deepEqual((await follow(first)).map((step) => step.map(short)), [[value(1), earlier, value(3)]]);
    assert.deepEqual(said(server.seen), ["GET /svc/monitorA", "GET /svc/monitorR"]);
  } finally {
    server.close();
  }
});

test("a next link's continuation resumed from its token stops a next link that leads back to one followed before the token was saved, as the original does, sending no more", async () => {
  const server = await serve((request): Reply => {
    if (request.method === "POST") return { status: 200, headers: json, body: JSON.stringify({ responses: [{ id: "1", status: 200, body: { ID: 1 } }], "@nextLink": "page2" }) };
    if (request.url === "/svc/page2") return { status: 202, headers: { Location: "/svc/mon/page2" } };
    // Request 2's answer, and a next link back to the page already followed.
    if (request.url === "/svc/mon/page2") return { status: 200, headers: { ...json, AsyncResult: "200" }, body: JSON.stringify({ responses: [{ id: "2", status: 200, body: { ID: 2 } }], "@nextLink": "/svc/page2" }) };
    return { status: 404 };
  });
  const loop = { ok: false, status: undefined, code: "NEXT_LINK_LOOP" };
  try {
    const results = await buildBatch(server.url, [1, 2, 3]).batch.send({ continuation: { pollInterval: 1 } });
    assert.deepEqual(results.map(short), [book(1), pending, pending]);
    const token = saved(results.continuation!.toJSON());
    assert.deepEqual((await results.continuation!.wait()).map(short), [book(1), book(2), loop]);
    assert.deepEqual(said(server.seen), ["POST /svc/$batch", "GET /svc/page2", "GET /svc/mon/page2"]);

    server.seen.length = 0;
    const resumed = await buildBatch(server.url, [1, 2, 3]).batch.resumeAsync(token, { pollInterval: 1 }).wait();
    assert.deepEqual(resumed.map(short), [earlier, book(2), loop]);
    assert.equal(resumed.continuation, undefined);
    assert.deepEqual(said(server.seen), ["GET /svc/mon/page2"]);
  } finally {
    server.close();
  }
});

test("malformed resultShape.later, nextLink and followed are refused with a TypeError naming the field when the batch's code loads, and nothing is sent", async () => {
  const server = await serve((request): Reply => {
    if (request.method === "POST") return { status: 200, headers: json, body: JSON.stringify({ responses: [{ id: "1", status: 202, headers: { location: "/svc/mon/1" } }], "@nextLink": "/svc/next" }) };
    if (request.url === "/svc/next") return { status: 202, headers: { Location: "/svc/mon/next" } };
    return { status: 202, headers: { Location: request.url } };
  });
  try {
    const results = await buildBatch(server.url, [1, 2]).batch.send({ continuation: { pollInterval: 1 } });
    const token = saved(results.continuation!.toJSON());
    const shape = token.resultShape as Record<string, unknown>;
    assert.deepEqual(
      { later: shape["later"], nextLink: shape["nextLink"], followed: shape["followed"] },
      { later: [{ url: `${server.url}mon/1`, pending: [0] }], nextLink: true, followed: [`${server.url}next`] },
    );
    const sent = server.seen.length;
    const url = `${server.url}mon/1`;
    const wrong: [string, unknown, string, string][] = [
      ["later", {}, "later", "a non-empty array"],
      ["later", [], "later", "a non-empty array"],
      ["later", [null], "later[0]", "an object"],
      ["later", [{ pending: [0] }], "later[0].url", "an absolute http or https URL"],
      // Relative (there is no monitor to resolve it against now), or no http(s) URL.
      ["later", [{ url: "mon/1", pending: [0] }], "later[0].url", "an absolute http or https URL"],
      ["later", [{ url: "javascript:alert(1)", pending: [0] }], "later[0].url", "an absolute http or https URL"],
      ["later", [{ url: [url], pending: [0] }], "later[0].url", "an absolute http or https URL"],
      ["later", [{ url, pending: [0] }, { url }], "later[1].pending", "ascending request indexes"],
      ["later", [{ url, pending: [2] }], "later[0].pending", "ascending request indexes"],
      ["later", [{ url, pending: [1, 0] }], "later[0].pending", "ascending request indexes"],
      ["later", [{ url, pending: ["0"] }], "later[0].pending", "ascending request indexes"],
      ["later", [{ url, pending: [0], nextLink: 1 }], "later[0].nextLink", "true where present"],
      ["nextLink", "yes", "nextLink", "true where present"],
      ["nextLink", false, "nextLink", "true where present"],
      ["followed", `${server.url}next`, "followed", "an array of URL strings"],
      ["followed", [42], "followed", "an array of URL strings"],
    ];
    for (const [field, value, named, what] of wrong) {
      const resumed = buildBatch(server.url, [1, 2]).batch.resumeAsync({ ...token, resultShape: { ...shape, [field]: value } } as AsyncPollerToken, { pollInterval: 1 });
      await assert.rejects(
        resumed.wait(),
        (error: unknown) => error instanceof TypeError && error.message === `batch.resumeAsync(token): token.resultShape.${named} must be ${what}; the token is not one that toJSON() wrote`,
        `${field}: ${JSON.stringify(value)}`,
      );
    }
    // A request that two continuations would answer.
    const twice = buildBatch(server.url, [1, 2]).batch.resumeAsync({ ...token, resultShape: { ...shape, later: [{ url, pending: [1] }] } } as AsyncPollerToken);
    await assert.rejects(twice.wait(), (error: unknown) => error instanceof TypeError && /token\.resultShape\.later names request index 1, which another continuation answers too/.test(error.message));
    assert.equal(server.seen.length, sent);

    // What toJSON() wrote is kept: by the resumed poller before its first poll and after.
    const resumed = buildBatch(server.url, [1, 2]).batch.resumeAsync(token, { pollInterval: 1 });
    assert.deepEqual(saved(resumed.toJSON()).resultShape, token.resultShape);
    assert.equal(await resumed.poll(), true);
    assert.deepEqual(saved(resumed.toJSON()).resultShape, token.resultShape);
    // A next link with no request left to answer is taken, as toJSON() may write it.
    const none: Record<string, unknown> = { ...shape, later: [{ url, pending: [0] }, { url: `${server.url}x`, pending: [], nextLink: true }] };
    assert.equal(await buildBatch(server.url, [1, 2]).batch.resumeAsync({ ...token, resultShape: none } as AsyncPollerToken, { pollInterval: 1 }).poll(), true);
    assert.deepEqual(said(server.seen).slice(sent), ["GET /svc/mon/next", "GET /svc/mon/next"]);
  } finally {
    server.close();
  }
});
