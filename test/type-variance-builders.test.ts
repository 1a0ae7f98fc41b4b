// A filter builder or nested expand options typed for one entity do not pass for another's
// (test/type-variance-cases.ts holds the type-level cases: this file type-checks it on its own),
// while callbacks written for their own entity, lambda predicates typed for the member alone and
// nested options typed for the related entity alone still compile. The queries that compile go to
// a node:http server, which shows what they send: the typing changes no request.
import { test } from "node:test";
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { callbacks, explicitTypeArguments, rowsAndLoose } from "./type-variance-cases.js";
import { sendJson, serveClient } from "./servers/recording-server.js";
import { fileDiagnostics } from "./virtual-program.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CASES = join(ROOT, "test", "type-variance-cases.ts");

test("the type-level cases compile as expected: each builder or expand option of another entity is an error, each row type the one expected", () => {
  assert.deepEqual(fileDiagnostics(CASES, ROOT), []);
});

test("the callbacks that compile go on the wire as written, and the rows come back as the service sends them", async (t) => {
  const row = { ID: 1, title: "Emma", author: { name: "Jane Austen" } };
  const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 200, { value: [row] }, { "odata-version": "4.0" }));
  const queries = { ...callbacks(client), ...rowsAndLoose(client), ...explicitTypeArguments(client) };
  for (const query of Object.values(queries)) assert.deepEqual(await query.list(), [row]);
  assert.deepEqual(
    server.requests.map((request) => decodeURIComponent(request.path)),
    [
      "/odata/Books?$filter=stock gt 0",
      "/odata/Books?$filter=stock gt 0 and title eq 'Emma'",
      "/odata/Books?$filter=(reviews/any(r:r/rating ge 4)) and (reviews/all(r:$it/stock lt 20))",
      "/odata/Books?$filter=reviews/any(r:r/rating ge 4 and $it/stock lt 20)",
      "/odata/Books?$expand=author($select=name)",
      "/odata/Books?$expand=author($filter=name eq 'Jane Austen';$orderby=born)",
      "/odata/Authors?$expand=books($expand=author($select=name))",
      "/odata/Books?$filter=tags/any(t:t eq 'new')",
      "/odata/Books?$filter=reviews/any(r:$it/stock lt 20)",
    ],
  );
});
