// A v2 collection-valued property read alone (`property("emails").get()`, GET People(1)/emails)
// that the service pages with a `__next` beside the collection's `results`
// (`{"d": {"emails": {"results": [...], "__next": "…"}}}`) resolved with the first page alone: the
// link was dropped without a word. It is now followed to the last page, as the v4
// `@odata.nextLink` is (hunt39-read-property-paged): each next page is the property's answer
// again, read as the first is, under the walk's origin rule and with the caller's headers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { clientRejection, sendJson, serveClient, waitFor } from "./servers/recording-server.js";

/** `People(1)/emails` in v2 JSON, two to a page: the page of skip token k links to k + 2 while there is one, by `link`. */
function pagedEmails(emails: string[], link = (k: number) => `People(1)/emails?$skiptoken=${k}`) {
  return (request: { path: string }, res: Parameters<typeof sendJson>[0]) => {
    const k = Number(new URL(request.path, "http://x").searchParams.get("$skiptoken") ?? 0);
    const collection: Record<string, unknown> = { __metadata: { type: "Collection(Edm.String)" }, results: emails.slice(k, k + 2) };
    if (k + 2 < emails.length) collection["__next"] = link(k + 2);
    sendJson(res, 200, { d: { emails: collection } }, { dataserviceversion: "2.0" });
  };
}

test("v2 property(name).get() of a collection paged with __next follows it to the last page, with the caller's headers", async (t) => {
  const { server, client } = await serveClient(t, pagedEmails(["a@x", "b@x", "c@x", "d@x", "e@x"]), { version: "2.0" });
  const emails = await client.collection("People").key(1).property("emails").get({ headers: { "x-tenant": "t1" } });
  assert.deepEqual(emails, ["a@x", "b@x", "c@x", "d@x", "e@x"]);
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${decodeURIComponent(request.path)} ${request.headers["x-tenant"]}`),
    ["GET /odata/People(1)/emails t1", "GET /odata/People(1)/emails?$skiptoken=2 t1", "GET /odata/People(1)/emails?$skiptoken=4 t1"],
  );
});

test("v2 property(name).get() sends nothing to a __next on another origin: UNTRUSTED_NEXT_LINK", async (t) => {
  const { server, client } = await serveClient(t, pagedEmails(["a@x", "b@x", "c@x"], (k) => `https://elsewhere.example/odata/People(1)/emails?$skiptoken=${k}`), { version: "2.0" });
  const error = await clientRejection(client.collection("People").key(1).property("emails").get());
  assert.equal(error.code, "UNTRUSTED_NEXT_LINK");
  assert.match(error.message, /https:\/\/elsewhere\.example/);
  assert.deepEqual(server.requests.map((request) => request.path), ["/odata/People(1)/emails"]);
});

test("v2 property(name).get() stops a __next that leads back to a page already read: NEXT_LINK_LOOP", async (t) => {
  const { server, client } = await serveClient(t, pagedEmails(["a@x", "b@x", "c@x", "d@x", "e@x", "f@x"], (k) => `People(1)/emails?$skiptoken=${k === 4 ? 2 : k}`), { version: "2.0" });
  const error = await clientRejection(client.collection("People").key(1).property("emails").get());
  assert.equal(error.code, "NEXT_LINK_LOOP");
  assert.deepEqual(server.requests.map((request) => decodeURIComponent(request.path)), ["/odata/People(1)/emails", "/odata/People(1)/emails?$skiptoken=2"]);
});

test("v2 property(name).get() of a collection without __next is one request", async (t) => {
  const { server, client } = await serveClient(t, pagedEmails(["a@x", "b@x"]), { version: "2.0" });
  assert.deepEqual(await client.collection("People").key(1).property("emails").get(), ["a@x", "b@x"]);
  assert.deepEqual(server.requests.map((request) => request.path), ["/odata/People(1)/emails"]);
});

test("v2 property(name).get() ends with the caller's abort while a next page is on its way, and asks for no more", async (t) => {
  const pages = pagedEmails(["a@x", "b@x", "c@x", "d@x", "e@x"]);
  const { server, client } = await serveClient(
    t,
    async (request, res) => {
      // The second page is slow: the caller aborts while it is awaited.
      if (request.path.includes("skiptoken")) await sleep(300);
      if (!res.destroyed) pages(request, res);
    },
    { version: "2.0" },
  );
  const controller = new AbortController();
  const reason = new Error("caller stopped");
  const read = client.collection("People").key(1).property("emails").get({ signal: controller.signal });
  await waitFor(() => server.requests.length === 2, "the second page's request");
  controller.abort(reason);
  await assert.rejects(read, (error: unknown) => error === reason);
  await sleep(350);
  assert.deepEqual(server.requests.map((request) => decodeURIComponent(request.path)), ["/odata/People(1)/emails", "/odata/People(1)/emails?$skiptoken=2"]);
});

test("v2 property(name).get() whose next page answers with an empty body rejects with BAD_PAYLOAD naming it, rather than give the pages before it as the whole", async (t) => {
  const pages = pagedEmails(["a@x", "b@x", "c@x", "d@x", "e@x"]);
  const { server, client } = await serveClient(
    t,
    (request, res) => {
      if (!request.path.includes("skiptoken=2")) return pages(request, res);
      res.writeHead(200, { "content-type": "application/json", dataserviceversion: "2.0" });
      res.end();
    },
    { version: "2.0" },
  );
  const error = await clientRejection(client.collection("People").key(1).property("emails").get());
  assert.equal(error.code, "BAD_PAYLOAD");
  assert.match(error.message, /^GET http:\/\/127\.0\.0\.1:\d+\/odata\/People\(1\)\/emails\?\$skiptoken=2 did not answer with the next page of the collection "emails"$/);
  assert.deepEqual(server.requests.map((request) => decodeURIComponent(request.path)), ["/odata/People(1)/emails", "/odata/People(1)/emails?$skiptoken=2"]);
});
