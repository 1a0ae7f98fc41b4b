/**
 * A `$batch` whose requests carry `param("sap-client", …)` (and `sap-language`): SAP Gateway logs
 * the `$batch` request on in the client its own URL names, so that URL carries the value its parts
 * agree on, and so does the CSRF token's fetch for it. Parts of different clients leave the
 * `$batch` URL as it was. Against a node:http service that keeps every request.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { json, serve } from "./batch-server.js";

const answers = (count: number) => JSON.stringify({ responses: Array.from({ length: count }, (_, i) => ({ id: String(i + 1), status: 200, body: { value: [] } })) });

test("the $batch POST and its CSRF token fetch carry the sap-client every part names; a sap-language one part leaves out stays off", async (t) => {
  const service = await serve((request) =>
    request.headers["x-csrf-token"] === "Fetch" ? { status: 200, headers: { "x-csrf-token": "tok-1" } } : { status: 200, headers: json, body: answers(2) },
  );
  t.after(() => service.close());
  const client = new ODataClient({ serviceUrl: service.url, csrf: true, retry: false });
  const batch = client.batch({ format: "json" });
  batch.page(client.collection("Products").param("sap-client", "100").param("sap-language", "DE"));
  batch.page(client.collection("Orders").param("sap-client", "100"));
  await batch.send();
  assert.deepEqual(
    service.seen.map((request) => `${request.method} ${decodeURIComponent(request.url)}`),
    ["GET /svc/?sap-client=100", "POST /svc/$batch?sap-client=100"],
  );
  const parts = (JSON.parse(service.seen[1]!.body) as { requests: { url: string }[] }).requests.map((part) => decodeURIComponent(part.url));
  assert.deepEqual(parts, ["Products?sap-client=100&sap-language=DE", "Orders?sap-client=100"]);
});

test("parts of different clients, or one of the default client (no sap-client), leave the $batch URL without sap-client", async (t) => {
  const service = await serve(() => ({ status: 200, headers: json, body: answers(2) }));
  t.after(() => service.close());
  const client = new ODataClient({ serviceUrl: service.url, retry: false });
  for (const other of [client.collection("Products").param("sap-client", "200"), client.collection("Products")]) {
    const batch = client.batch({ format: "json" });
    batch.page(client.collection("Products").param("sap-client", "100"));
    batch.page(other);
    await batch.send();
  }
  assert.deepEqual(
    service.seen.map((request) => `${request.method} ${request.url}`),
    ["POST /svc/$batch", "POST /svc/$batch"],
  );
});
