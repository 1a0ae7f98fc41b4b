// A collection-valued property read alone (`property("emails").get()`, GET People(1)/emails) that
// the service pages (Microsoft.OData writes `@odata.nextLink` beside a collection's `value`, as it
// does for an entity set) resolved with the first page alone: the next link was dropped without a
// word, so the caller took part of the collection for all of it. It is now followed to the last
// page, as a function's collection result is by its get(), under the same origin rule as a walk's
// next links; a collection without a next link is one request, as before.
import { test } from "node:test";
import assert from "node:assert/strict";
import { clientRejection, sendJson, serveClient } from "./servers/recording-server.js";

/** `People(1)/emails`, two to a page: the page of skip token k links to k + 1 while there is one, by `link`. */
function pagedEmails(emails: string[], link = (k: number) => `People(1)/emails?$skiptoken=${k}`) {
  return (request: { path: string }, res: Parameters<typeof sendJson>[0]) => {
    const k = Number(new URL(request.path, "http://x").searchParams.get("$skiptoken") ?? 0);
    const body: Record<string, unknown> = { "@odata.context": "$metadata#People(1)/emails", value: emails.slice(k, k + 2) };
    if (k + 2 < emails.length) body["@odata.nextLink"] = link(k + 2);
    sendJson(res, 200, body, { "odata-version": "4.0" });
  };
}

test("property(name).get() of a collection the service pages follows its next links to the last page", async (t) => {
  const { server, client } = await serveClient(t, pagedEmails(["a@x", "b@x", "c@x", "d@x", "e@x"]));
  const emails = await client.collection("People").key(1).property("emails").get({ headers: { "x-tenant": "t1" } });
  assert.deepEqual(emails, ["a@x", "b@x", "c@x", "d@x", "e@x"]);
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${decodeURIComponent(request.path)} ${request.headers["x-tenant"]}`),
    ["GET /odata/People(1)/emails t1", "GET /odata/People(1)/emails?$skiptoken=2 t1", "GET /odata/People(1)/emails?$skiptoken=4 t1"],
  );
});

test("property(name).get() sends nothing to a next link on another origin: UNTRUSTED_NEXT_LINK", async (t) => {
  const { server, client } = await serveClient(t, pagedEmails(["a@x", "b@x", "c@x"], (k) => `https://elsewhere.example/odata/People(1)/emails?$skiptoken=${k}`));
  const error = await clientRejection(client.collection("People").key(1).property("emails").get());
  assert.equal(error.code, "UNTRUSTED_NEXT_LINK");
  assert.match(error.message, /https:\/\/elsewhere\.example/);
  assert.deepEqual(server.requests.map((request) => request.path), ["/odata/People(1)/emails"]);
});

test("property(name).get() of a collection without a next link is one request", async (t) => {
  const { server, client } = await serveClient(t, pagedEmails(["a@x", "b@x"]));
  assert.deepEqual(await client.collection("People").key(1).property("emails").get(), ["a@x", "b@x"]);
  assert.deepEqual(server.requests.map((request) => request.path), ["/odata/People(1)/emails"]);
});
