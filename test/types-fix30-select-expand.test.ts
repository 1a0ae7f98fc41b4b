// Row types of two queries (test/types-fix30-cases.ts holds the type-level cases): a select path
// into an open complex type narrows the complex value to the properties it names, as one into a
// closed type does, because the service sends those alone; and an untyped query's expanded
// navigation property is typed one entity, an array or null, since only the answer tells which.
// This file type-checks the cases on their own, then sends the queries to a node:http server and
// asserts what went on the wire and that the rows hold what the types say.
import { test } from "node:test";
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { openComplexSelect, untypedExpand } from "./types-fix30-cases.js";
import { sendJson, serveClient, type RecordingServer } from "./servers/recording-server.js";
import { fileDiagnostics } from "./virtual-program.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CASES = join(ROOT, "test", "types-fix30-cases.ts");

/** The decoded path and query of each request the server saw. */
function sent(server: RecordingServer): string[] {
  return server.requests.map((request) => decodeURIComponent(request.path));
}

test("the cases compile as expected: an open complex type narrowed by a select path, an untyped expand one entity or many", () => {
  assert.deepEqual(fileDiagnostics(CASES, ROOT), []);
});

test("a select path into an open complex type: the service sends the named properties alone, as the row type says", async (t) => {
  // What a service answers to $select=ID,Address/City,Closed/City: Street is not sent.
  const answer = [{ ID: "s1", Address: { City: "Bath" }, Closed: { City: "Wells" } }];
  const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 200, { value: answer }, { "odata-version": "4.0" }));
  const queries = openComplexSelect(client);
  const rows = await queries.city.list();
  assert.deepEqual(rows, answer);
  const city: string = rows[0]!.Address.City;
  assert.equal(city, "Bath");
  assert.equal("Street" in rows[0]!.Address, false);
  for (const query of [queries.dynamic, queries.billing, queries.geo, queries.partner, queries.parent]) await query.list();
  assert.deepEqual(sent(server), [
    "/odata/Suppliers?$select=ID,Address/City,Closed/City",
    "/odata/Suppliers?$select=ID,Address/City,Address/Mood",
    "/odata/Suppliers?$select=Billing/Street",
    "/odata/Suppliers?$select=Address/Geo/lat,Address/City",
    "/odata/Partners?$select=Name,Address/City,Nick",
    "/odata/Suppliers?$select=ID&$expand=parent($select=Address/City)",
  ]);
});

test("an untyped expand: the service sends an array for one navigation property and one entity for another; Array.isArray tells them apart", async (t) => {
  const answer = [{ ID: 1, books: [{ title: "Emma" }, { title: "Persuasion" }], home: { country: { code: "GB" } } }];
  const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 200, { value: answer }, { "odata-version": "4.0" }));
  const { books, nested } = untypedExpand(client);
  const [row] = await books.list();
  assert.deepEqual(row, answer[0]);
  const value = row!.books;
  assert.ok(Array.isArray(value));
  assert.deepEqual(
    value.map((book) => book.title),
    ["Emma", "Persuasion"],
  );
  const [other] = await nested.list();
  const home = other!.home;
  assert.ok(home !== null && !Array.isArray(home));
  assert.deepEqual(home.country, { code: "GB" });
  assert.deepEqual(sent(server), ["/odata/Authors?$expand=books", "/odata/Authors?$expand=books($select=title),home($expand=country)"]);
});
