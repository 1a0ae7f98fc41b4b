// The `sap-client` and `sap-language` that a `$batch`'s parts agree on go on the `$batch` URL and on
// its CSRF token fetch (batch/wire.ts, http/csrf.ts). OData percent-decodes a query and nothing
// more: `a+b` is "a+b", `a%20b` is "a b". They were read and written through URLSearchParams, which
// takes `+` for a space: a part's `a%20b` went on as `a+b` (another language for the service), and
// parts of `a+b` and `a%20b` counted as one. Now each is compared percent-decoded and carried over
// as written. Against a node:http service that keeps every request's URL as it came.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ODataClient } from "../src/index.js";
import { json, serve } from "./batch-server.js";

const answers = (count: number) => JSON.stringify({ responses: Array.from({ length: count }, (_, i) => ({ id: String(i + 1), status: 200, body: { value: [] } })) });

test("a $batch whose parts name sap-language a%20b or a+b: its URL and its CSRF token fetch carry the value as the parts wrote it, never + for a space", async (t) => {
  const service = await serve((request) =>
    request.headers["x-csrf-token"] === "Fetch" ? { status: 200, headers: { "x-csrf-token": "tok-1" } } : { status: 200, headers: json, body: answers(2) },
  );
  t.after(() => service.close());
  const client = new ODataClient({ serviceUrl: service.url, csrf: true, retry: false });
  const products = client.collection("Products").param("sap-client", "100");

  // Both parts "a b" (the library writes a%20b).
  const spaced = client.batch({ format: "json" });
  spaced.page(products.param("sap-language", "a b"));
  spaced.page(client.collection("Orders").param("sap-client", "100").param("sap-language", "a b"));
  await spaced.send();
  // Both parts "a+b", written raw.
  const plus = client.batch({ format: "json" });
  plus.request({ method: "GET", url: "Products?sap-client=100&sap-language=a+b" });
  plus.request({ method: "GET", url: "Orders?sap-language=a+b&sap-client=100" });
  await plus.send();
  // "a+b" and "a b" are two languages: only the client they share goes on.
  const mixed = client.batch({ format: "json" });
  mixed.request({ method: "GET", url: "Products?sap-client=100&sap-language=a+b" });
  mixed.page(products.param("sap-language", "a b"));
  await mixed.send();

  assert.deepEqual(
    service.seen.map((request) => `${request.method} ${request.url}`),
    [
      "GET /svc/?sap-client=100&sap-language=a%20b",
      "POST /svc/$batch?sap-client=100&sap-language=a%20b",
      "GET /svc/?sap-client=100&sap-language=a+b",
      "POST /svc/$batch?sap-client=100&sap-language=a+b",
      "GET /svc/?sap-client=100",
      "POST /svc/$batch?sap-client=100",
    ],
  );
  const parts = (index: number) => (JSON.parse(service.seen[index]!.body) as { requests: { url: string }[] }).requests.map((part) => part.url);
  assert.deepEqual(parts(1), ["Products?sap-client=100&sap-language=a%20b", "Orders?sap-client=100&sap-language=a%20b"]);
  assert.deepEqual(parts(3), ["Products?sap-client=100&sap-language=a+b", "Orders?sap-language=a+b&sap-client=100"]);
  assert.deepEqual(parts(5), ["Products?sap-client=100&sap-language=a+b", "Products?sap-client=100&sap-language=a%20b"]);
  // Each logon its own token fetch, the CSRF token sent with each $batch.
  assert.deepEqual(
    service.seen.filter((request) => request.method === "POST").map((request) => request.headers["x-csrf-token"]),
    ["tok-1", "tok-1", "tok-1"],
  );
});
