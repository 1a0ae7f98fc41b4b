/**
 * The `...Async` writes and operation starts of a client with option `csrf` (SAP Gateway's CSRF
 * token), refused with 403 and `X-CSRF-Token: Required` even with a token fetched anew: their
 * error, an `ODataHttpError` (HTTP_ERROR, 403) from the poller's start, says why as a write sent
 * alone does (test/csrf-fix30-refusal-hint.test.ts), and no write is sent a third time. Against a
 * node:http service that refuses every write so.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataHttpError } from "../src/index.js";
import { refusal, refusedAgain, refusingService, SET_OPTION, wire } from "./csrf-refusal-fixtures.js";
import { rejectionAs } from "./async-poller-fixtures.js";

test("createAsync refused again with a renewed CSRF token says the token was refused again, and is sent twice only", async (t) => {
  const server = await refusingService(t, { staleIfMatch: true });
  const client = new ODataClient({ serviceUrl: server.url("svc/"), csrf: true, retry: false });
  const error = await refusal(client.collection("Exports").param("sap-client", "100").createAsync({ format: "csv" }));
  assert.equal(error.message, `POST ${server.url("svc/Exports?sap-client=100")} failed with HTTP 403 Forbidden (${refusedAgain(server.url("svc/?sap-client=100"))})`);
  assert.equal(error.body, "CSRF token validation failed");
  // Without option csrf, the same start is told to set it, as before.
  const without = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
  const unasked = await refusal(without.collection("Exports").createAsync({ format: "csv" }));
  assert.equal(unasked.message, `POST ${server.url("svc/Exports")} failed with HTTP 403 Forbidden (${SET_OPTION})`);
  assert.deepEqual(wire(server.requests), [
    "GET /svc/?sap-client=100 Fetch -",
    "POST /svc/Exports?sap-client=100 tok-1 respond-async",
    "GET /svc/?sap-client=100 Fetch -",
    "POST /svc/Exports?sap-client=100 tok-2 respond-async",
    "POST /svc/Exports - respond-async",
  ]);
});

test("updateAsync and deleteAsync refused again with a renewed CSRF token say so as update() and delete() do", async (t) => {
  const server = await refusingService(t, { staleIfMatch: true });
  const client = new ODataClient({ serviceUrl: server.url("svc/"), csrf: true, retry: false });
  const book = client.collection("Books").key(1);
  const updating = await refusal(book.updateAsync({ stock: 0 }));
  assert.equal(updating.message, `PATCH ${server.url("svc/Books(1)")} failed with HTTP 403 Forbidden (${refusedAgain(server.url("svc/"))})`);
  const deleting = await refusal(book.deleteAsync());
  assert.equal(deleting.message, `DELETE ${server.url("svc/Books(1)")} failed with HTTP 403 Forbidden (${refusedAgain(server.url("svc/"))})`);
  // The same words as the write sent alone.
  const alone = await refusal(book.delete());
  assert.equal(alone.message, deleting.message);
  // A stale ETag still says so, with no word of CSRF.
  const stale = await rejectionAs(book.updateAsync({ stock: 0 }, { etag: 'W/"1"' }), ODataHttpError);
  assert.equal(stale.status, 412);
  assert.equal(stale.message, `PATCH ${server.url("svc/Books(1)")} failed with HTTP 412 Precondition Failed [412]: ETag mismatch (precondition failed: the entity changed since it was read (its ETag no longer matches If-Match); read it again and reapply the change)`);
  assert.deepEqual(wire(server.requests), [
    "GET /svc/ Fetch -",
    "PATCH /svc/Books(1) tok-1 respond-async",
    "GET /svc/ Fetch -",
    "PATCH /svc/Books(1) tok-2 respond-async",
    // The token refused last is the one each next write starts with.
    "DELETE /svc/Books(1) tok-2 respond-async",
    "GET /svc/ Fetch -",
    "DELETE /svc/Books(1) tok-3 respond-async",
    "DELETE /svc/Books(1) tok-3 -",
    "GET /svc/ Fetch -",
    "DELETE /svc/Books(1) tok-4 -",
    "PATCH /svc/Books(1) tok-4 respond-async",
  ]);
});

test("invokeAsync refused again with a renewed CSRF token says so as invoke() does", async (t) => {
  const server = await refusingService(t, { staleIfMatch: true });
  const client = new ODataClient({ serviceUrl: server.url("svc/"), csrf: true, retry: false });
  const error = await refusal(client.action("BuildReport").invokeAsync({ year: 2024 }));
  assert.equal(error.message, `POST ${server.url("svc/BuildReport")} failed with HTTP 403 Forbidden (${refusedAgain(server.url("svc/"))})`);
  const alone = await refusal(client.action("BuildReport").invoke({ year: 2024 }));
  assert.equal(alone.message, error.message);
  // Without option csrf, the same start is told to set it, as before.
  const without = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
  const unasked = await refusal(without.action("BuildReport").invokeAsync({ year: 2024 }));
  assert.equal(unasked.message, `POST ${server.url("svc/BuildReport")} failed with HTTP 403 Forbidden (${SET_OPTION})`);
  assert.deepEqual(wire(server.requests), [
    "GET /svc/ Fetch -",
    "POST /svc/BuildReport tok-1 respond-async",
    "GET /svc/ Fetch -",
    "POST /svc/BuildReport tok-2 respond-async",
    "POST /svc/BuildReport tok-2 -",
    "GET /svc/ Fetch -",
    "POST /svc/BuildReport tok-3 -",
    "POST /svc/BuildReport - respond-async",
  ]);
});
