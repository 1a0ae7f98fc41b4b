/**
 * A link the caller gives that is no URL (`delta(link)`, the option `from` of `page()`, `pages()`
 * and `stream()`) is a wrong argument: a `TypeError` naming the argument, before anything is sent,
 * as `asyncPoller(statusUrl)` already refused one. Before, it rejected with `BAD_PAYLOAD`, the code
 * of an answer's body that is not what OData prescribes, though no answer had come. A link that
 * comes in an answer and is no URL stays `BAD_PAYLOAD`. Over real HTTP (node:http on 127.0.0.1).
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClientError, ODataReader } from "../src/index.js";
import { sendJson, serveClient } from "./servers/recording-server.js";

const BAD = "http://[bad";

async function rejectionOf(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  assert.fail("expected a rejection");
}

async function drain(iterable: AsyncIterable<unknown>): Promise<unknown[]> {
  const all: unknown[] = [];
  for await (const item of iterable) all.push(item);
  return all;
}

function assertArgumentError(error: unknown, message: string): void {
  assert.ok(error instanceof TypeError, `expected a TypeError, got ${String(error)}`);
  assert.ok(!(error instanceof ODataClientError));
  assert.equal(error.message, message);
}

describe("a link the caller gives that is not a URL", () => {
  test("client.delta(link) and ODataReader.delta(link) reject with a TypeError naming delta(link); nothing is sent", async (t) => {
    const { server, client, root } = await serveClient(t, (_request, res) => sendJson(res, 200, { value: [] }));
    assertArgumentError(await rejectionOf(() => drain(client.delta(BAD))), `delta(link) is a delta link that is not a URL: "${BAD}"`);
    const reader = new ODataReader({ serviceUrl: root, retry: false });
    assertArgumentError(await rejectionOf(() => drain(reader.delta(BAD))), `delta(link) is a delta link that is not a URL: "${BAD}"`);
    assert.deepEqual(server.requests, []);
  });

  test("the option from of page(), pages() and stream() rejects with a TypeError naming the option; nothing is sent", async (t) => {
    const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 200, { value: [] }));
    const books = client.collection("Books");
    const message = `option from is a next link that is not a URL: "${BAD}"`;
    assertArgumentError(await rejectionOf(() => books.page({ from: BAD })), message);
    assertArgumentError(await rejectionOf(() => drain(books.pages({ from: BAD }))), message);
    assertArgumentError(await rejectionOf(() => drain(books.stream({ from: BAD }))), message);
    assert.deepEqual(server.requests, []);
  });

  test("a next link in an answer that is not a URL is still BAD_PAYLOAD, after the page is delivered", async (t) => {
    const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 200, { value: [{ ID: 1 }], "@odata.nextLink": BAD }));
    const seen: unknown[] = [];
    const error = await rejectionOf(async () => {
      for await (const page of client.collection("Books").pages()) seen.push(page.value);
    });
    assert.deepEqual(seen, [[{ ID: 1 }]]);
    assert.ok(error instanceof ODataClientError && error.code === "BAD_PAYLOAD", String(error));
    assert.equal(error.message, `the service sent a next link that is not a URL: "${BAD}"`);
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path}`),
      ["GET /odata/Books"],
    );
  });

  test("a delta's next link in an answer that is not a URL is still BAD_PAYLOAD", async (t) => {
    const { server, client, root } = await serveClient(t, (_request, res) => sendJson(res, 200, { "@odata.context": "$metadata#Books/$delta", value: [{ ID: 1 }], "@odata.nextLink": BAD }));
    const error = await rejectionOf(() => drain(client.delta(`${root}Books?$deltatoken=1`)));
    assert.ok(error instanceof ODataClientError && error.code === "BAD_PAYLOAD", String(error));
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path}`),
      ["GET /odata/Books?$deltatoken=1"],
    );
  });
});
