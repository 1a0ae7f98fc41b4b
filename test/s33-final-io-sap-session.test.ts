/**
 * The `sap-client` and `sap-language` options that choose a SAP session, read by one rule
 * (util/query-options.ts `sapSessionOptions`) for the `$batch` URL and the CSRF token's fetch:
 * names in any case (SAP's ICF reads `SAP-Client` as `sap-client`), texts as the part or the write
 * wrote them, `sap-client` first. Against a node:http service that keeps every request.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { json, serve } from "./batch-server.js";

const answers = (count: number) => JSON.stringify({ responses: Array.from({ length: count }, (_, i) => ({ id: String(i + 1), status: 200, body: { value: [] } })) });

test("parts that name SAP-Client alike, in any case, put the first part's on the $batch URL and its token fetch, and sap-language after it", async (t) => {
  const service = await serve((request) =>
    request.headers["x-csrf-token"] === "Fetch" ? { status: 200, headers: { "x-csrf-token": "tok-1" } } : { status: 200, headers: json, body: answers(2) },
  );
  t.after(() => service.close());
  const client = new ODataClient({ serviceUrl: service.url, csrf: true, retry: false });
  const batch = client.batch({ format: "json" });
  batch.page(client.collection("Products").param("SAP-Language", "DE").param("SAP-Client", "100"));
  batch.page(client.collection("Orders").param("sap-language", "DE").param("sap-client", "100"));
  await batch.send();
  assert.deepEqual(
    service.seen.map((request) => `${request.method} ${request.url}`),
    ["GET /svc/?SAP-Client=100&SAP-Language=DE", "POST /svc/$batch?SAP-Client=100&SAP-Language=DE"],
  );
});

// Kept as it was (the csrf step matched these names in any case already): no test held it.
test("a write's SAP-Client and Sap-Language go on its token fetch as written, sap-client first, and a write naming them in the other order shares that token", async (t) => {
  let tokens = 0;
  const service = await serve((request) =>
    request.headers["x-csrf-token"] === "Fetch" ? { status: 200, headers: { "x-csrf-token": `tok-${++tokens}` } } : { status: 204 },
  );
  t.after(() => service.close());
  const client = new ODataClient({ serviceUrl: service.url, csrf: true, retry: false });
  await client.collection("Items").param("Sap-Language", "EN").param("SAP-Client", "100").key(1).delete();
  await client.collection("Items").param("SAP-Client", "100").param("Sap-Language", "EN").key(2).delete();
  assert.deepEqual(
    service.seen.map((request) => `${request.method} ${request.url} ${request.headers["x-csrf-token"]}`),
    [
      "GET /svc/?SAP-Client=100&Sap-Language=EN Fetch",
      "DELETE /svc/Items(1)?Sap-Language=EN&SAP-Client=100 tok-1",
      "DELETE /svc/Items(2)?SAP-Client=100&Sap-Language=EN tok-1",
    ],
  );
});
