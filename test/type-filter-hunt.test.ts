// Comparisons of collection-valued properties do not compile (test/type-filter-hunt-cases.ts holds
// the cases: this file type-checks it on its own), while comparisons of single values, a
// single-valued navigation property with null among them, still do, and send what they say.
import { test } from "node:test";
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { accepted } from "./type-filter-hunt-cases.js";
import { sendJson, serveClient } from "./servers/recording-server.js";
import { fileDiagnostics } from "./virtual-program.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CASES = join(ROOT, "test", "type-filter-hunt-cases.ts");

test("a comparison of a collection-valued property (navigation or primitive) is a compile error; of a single value it is none", () => {
  assert.deepEqual(fileDiagnostics(CASES, ROOT), []);
});

test("the comparisons that compile go on the wire as written, and the rows come back as the service sends them", async (t) => {
  const row = { ID: 1, title: "Emma" };
  const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 200, { value: [row] }, { "odata-version": "4.0" }));
  for (const query of Object.values(accepted(client))) assert.deepEqual(await query.list(), [row]);
  assert.deepEqual(
    server.requests.map((request) => decodeURIComponent(request.path)),
    [
      "/odata/Books?$filter=author eq null",
      "/odata/Books?$filter=author/name eq 'Jane Austen'",
      "/odata/Books?$filter=stock eq 5",
      "/odata/Books?$filter=stock ne null",
      "/odata/Books?$filter=reviews/$count gt 2",
      "/odata/Tagged?$filter=access has Sales.Access'Read,Write'",
    ],
  );
});
