/**
 * A link that is no URL, sent by a service that echoes the credentials it was sent, is quoted in
 * its BAD_PAYLOAD with those credentials masked (the README: a page's BAD_PAYLOAD masks the
 * secrets sent): a v4 `@odata.nextLink` and `@odata.deltaLink`, a v2 `__next`, an Atom
 * `<link rel="next">`, a next link inside a delta and a JSON `$batch` next link. The bearer token
 * and the `x-api-key` the client sent appear nowhere in the error: not in its message, its stack,
 * `util.inspect` or `JSON.stringify`.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";
import type { ODataClient } from "../src/index.js";
import { sendJson, type RecordedRequest } from "./servers/recording-server.js";
import { assertMasked, assertSent, echoed, LEAK, rejection, serve } from "./echoing-secrets.js";


/** `page()` and a walk of `P` both reject quoting the bad next link with the secrets masked. */
async function assertPageAndWalkMasked(client: ODataClient): Promise<void> {
  const expected = 'the service sent a next link that is not a URL: "http://[*** ***/p2"';
  assertMasked(await rejection(() => client.collection("P").page()), "BAD_PAYLOAD", expected);
  assertMasked(
    await rejection(async () => {
      for await (const entity of client.collection("P")) void entity;
    }),
    "BAD_PAYLOAD",
    expected,
  );
}

/** A link that no URL parser takes (an IPv6 host never closed), holding the secrets sent. */
function badLink(request: RecordedRequest): string {
  return `http://[${echoed(request.headers)}/p2`;
}


test("a v4 next link that is no URL: page(), a walk and pages() quote it with the bearer token and x-api-key masked", async (t) => {
  const { server, client } = await serve(t, (request, res) => sendJson(res, 200, { value: [{ ID: 1 }], "@odata.nextLink": badLink(request) }, { "odata-version": "4.0" }));
  const expected = 'the service sent a next link that is not a URL: "http://[*** ***/p2"';
  assertMasked(await rejection(() => client.collection("P").page()), "BAD_PAYLOAD", expected);
  const seen: unknown[] = [];
  const walked = await rejection(async () => {
    for await (const entity of client.collection("P")) seen.push(entity);
  });
  assertMasked(walked, "BAD_PAYLOAD", expected);
  // The page before the broken link is delivered, as before.
  assert.deepEqual(seen, [{ ID: 1 }]);
  assertMasked(
    await rejection(async () => {
      for await (const page of client.collection("P").pages()) void page;
    }),
    "BAD_PAYLOAD",
    expected,
  );
  assertSent(server.requests);
});

test("a v4 delta link that is no URL: page() and pages() of trackChanges() quote it masked", async (t) => {
  const { server, client } = await serve(t, (request, res) => sendJson(res, 200, { value: [{ ID: 1 }], "@odata.deltaLink": `http://[${echoed(request.headers)}` }, { "odata-version": "4.0" }));
  const expected = 'the service sent a delta link that is not a URL: "http://[*** ***"';
  assertMasked(await rejection(() => client.collection("P").trackChanges().page()), "BAD_PAYLOAD", expected);
  assertMasked(
    await rejection(async () => {
      for await (const page of client.collection("P").trackChanges().pages()) void page;
    }),
    "BAD_PAYLOAD",
    expected,
  );
  assertSent(server.requests);
  assert.equal(server.requests[0]?.headers.prefer, "odata.track-changes");
});

test("an OData v2 __next that is no URL: page() and a walk quote it masked", async (t) => {
  const { server, client } = await serve(
    t,
    (request, res) => sendJson(res, 200, { d: { results: [{ ID: 1 }], __next: badLink(request) } }, { dataserviceversion: "2.0" }),
    "2.0",
  );
  await assertPageAndWalkMasked(client);
  assertSent(server.requests);
});

test("an Atom feed's <link rel=\"next\"> that is no URL: page() and a walk quote it masked", async (t) => {
  const { server, client } = await serve(
    t,
    (request, res) => {
      const feed =
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">' +
        `<entry><content type="application/xml"><m:properties><d:ID>1</d:ID></m:properties></content></entry><link rel="next" href="${badLink(request)}"/></feed>`;
      res.writeHead(200, { "content-type": "application/atom+xml", dataserviceversion: "2.0" });
      res.end(feed);
    },
    "2.0",
  );
  await assertPageAndWalkMasked(client);
  assertSent(server.requests);
});

test("a next link inside a delta that is no URL: client.delta() delivers the page, then rejects quoting it masked", async (t) => {
  const { server, client } = await serve(t, (request, res) => sendJson(res, 200, { value: [{ ID: 1 }], "@odata.nextLink": badLink(request) }, { "odata-version": "4.0" }));
  const link = server.url("svc/P?$deltatoken=1");
  const pages: unknown[] = [];
  const error = await rejection(async () => {
    for await (const page of client.delta(link)) pages.push(page);
  });
  assertMasked(error, "BAD_PAYLOAD", `GET ${link}: the delta carries a link that is not a URL: "http://[*** ***/p2"`);
  assert.deepEqual(pages, [{ changed: [{ ID: 1 }], removed: [], addedLinks: [], removedLinks: [] }]);
  assertSent(server.requests);
});

test("a JSON $batch next link that is no URL fails the requests it was to answer, quoting it masked", async (t) => {
  const { server, client } = await serve(t, (request, res) => {
    const ids = [...request.body.matchAll(/"id":"([^"]+)"/g)].map((match) => match[1]);
    sendJson(res, 200, { responses: [{ id: ids[0], status: 200, body: { ID: 1 } }], "@nextLink": `http://[${echoed(request.headers)}` }, { "odata-version": "4.0" });
  });
  const batch = client.batch({ format: "json" });
  batch.get(client.collection("P").key(1));
  batch.get(client.collection("P").key(2));
  const results = await batch.send();
  const [first, second] = results;
  assert.ok(first?.ok);
  assert.ok(second && !second.ok);
  assertMasked(second.error, "BAD_PAYLOAD", 'request 2 (GET P(2)) got no response: the service sent a JSON batch next link that is not a URL: "http://[*** ***"; whether it ran is not known');
  assert.doesNotMatch(inspect(results, { depth: 10 }), LEAK);
  assertSent(server.requests);
  assert.equal(server.requests[0]?.path, "/svc/$batch");
});
