// Paths the types accept as OData does (test/types-paths-cases.ts holds the type-level cases):
// no path reaches through a collection but with any/all or $count, a select path goes through
// complex properties only, a select below a complex property narrows it to what the service
// sends, and `$it/...` is a typed path of the entity filtered, inside a lambda too, and of the
// query's own entity inside an expand's filter (`$this/...` there is the expanded one). This file
// type-checks the cases on their own, then sends the queries that compile to a node:http server
// and asserts what went on the wire and what the rows hold. The typing changes no request.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { collectionPaths, expandRootPaths, rootPaths, selectedComplexPaths } from "./types-paths-cases.js";
import { sendJson, serveClient, type RecordingServer } from "./servers/recording-server.js";
import { fileDiagnostics } from "./virtual-program.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CASES = join(ROOT, "test", "types-paths-cases.ts");

/** The decoded path and query of each request the server saw. */
function sent(server: RecordingServer): string[] {
  return server.requests.map((request) => decodeURIComponent(request.path));
}

/** A server answering a collection read with `rows` and an entity read with the first of them, and a client of OData `version` on it. */
async function serve(t: Parameters<typeof serveClient>[0], rows: unknown[], version: "4.0" | "4.01" = "4.0") {
  const entity = (path: string): boolean => (path.split("?")[0] ?? "").endsWith(")");
  return serveClient(t, (request, res) => sendJson(res, 200, entity(request.path) ? rows[0] : { value: rows }, { "odata-version": "4.0" }), { version });
}

test("the type-level cases compile as expected: each refused path is an error, each row type the one expected", () => {
  assert.deepEqual(fileDiagnostics(CASES, ROOT), []);
});

describe("paths through collections and navigation properties", () => {
  test("what compiles goes on the wire as written: $count after a collection, any/all, single-valued navigation, select through complex properties", async (t) => {
    const { server, client } = await serve(t, []);
    const queries = collectionPaths(client);
    for (const query of Object.values(queries)) assert.deepEqual(await query.list(), []);
    assert.deepEqual(sent(server), [
      "/odata/Books?$filter=reviews/$count gt 2&$orderby=reviews/$count desc",
      "/odata/Books?$filter=author/name eq 'Jane Austen'&$orderby=author/name",
      "/odata/Books?$filter=reviews/any(r:r/rating ge 4)",
      "/odata/Authors?$filter=Addresses/all(a:a/Zip eq '123')",
      "/odata/Books?$filter=Author/Home/Zip eq '123'&$orderby=Author/Home/Zip",
      "/odata/Books?$filter=Author/Books/$count gt 1",
      "/odata/Books?$select=ID,author",
      "/odata/Authors?$select=Name,Addresses/Zip",
      "/odata/Books?$select=ID&$expand=author($select=name)",
    ]);
  });
});

describe("select below a complex property", () => {
  test("the rows hold the complex property with the selected paths, as the service sends them", async (t) => {
    const answer = [{ Name: "austen", Home: { Zip: "123" } }];
    const { server, client } = await serve(t, answer);
    const { zip, one } = selectedComplexPaths(client);
    const rows = await zip.list();
    assert.deepEqual(rows, answer);
    assert.equal(rows[0]?.Home.Zip, "123");
    assert.equal("Street" in rows[0]!.Home, false);
    const author = await one.get();
    assert.deepEqual(author.Home, { Zip: "123" });
    assert.deepEqual(sent(server), ["/odata/Authors?$select=Name,Home/Zip", "/odata/Authors('austen')?$select=Home/Zip"]);
  });

  test("a collection of complex values, a null complex value and a property named whole come back as typed", async (t) => {
    const answer = [{ Name: "austen", Addresses: [{ Zip: "1" }, null], Home: { Street: "Gay St", Zip: "2", Location: null } }];
    const { server, client } = await serve(t, answer);
    const { zips, whole, places } = selectedComplexPaths(client);
    const [first] = await zips.list();
    assert.deepEqual(first?.Addresses, [{ Zip: "1" }, null]);
    const [full] = await whole.list();
    assert.equal(full?.Home.Street, "Gay St");
    assert.deepEqual(sent(server), ["/odata/Authors?$select=Addresses/Zip", "/odata/Authors?$select=Home,Home/Zip"]);
    const { client: placeClient, server: placeServer } = await serve(t, [{ spot: null }, { spot: { lat: 1, label: { text: "x" } } }]);
    const spots = await selectedComplexPaths(placeClient).places.list();
    assert.deepEqual(
      spots.map((row) => (row.spot === null ? null : [row.spot.lat, row.spot.label.text])),
      [null, [1, "x"]],
    );
    assert.deepEqual(sent(placeServer), ["/odata/Places?$select=spot/lat,spot/label/text"]);
  });
});

describe("$it and $this name the entity filtered", () => {
  test("inside a lambda, in the outer builder, in a nested lambda and in predicates written on their own", async (t) => {
    const { server, client } = await serve(t, [{ ID: 1 }]);
    const queries = rootPaths(client);
    for (const query of [queries.lambda, queries.outer, queries.nested, queries.path, queries.helpers]) {
      assert.equal((await query.list()).length, 1);
    }
    assert.deepEqual(sent(server), [
      "/odata/Books?$filter=reviews/any(r:r/rating ge 4 and $it/stock lt 20)",
      "/odata/Books?$filter=$it/stock lt 20 and contains($it/title,'Emma')",
      "/odata/Authors?$filter=books/any(b:b/reviews/any(r:$it/name eq 'Jane Austen'))",
      "/odata/Books?$filter=reviews/any(r:$it/author/name eq 'Jane Austen')",
      "/odata/Books?$filter=(reviews/any(r:r/rating ge 4)) and (reviews/all(r:$it/stock lt 20))",
    ]);
  });

  test("$this (OData 4.01) inside a lambda", async (t) => {
    const { server, client } = await serve(t, [], "4.01");
    assert.deepEqual(await rootPaths(client).self(client).list(), []);
    assert.deepEqual(sent(server), ["/odata/Books?$filter=reviews/any(r:r/rating gt $this/stock)"]);
  });
});

describe("inside an expand's filter $it is the query's own entity, $this the expanded one", () => {
  test("the example of OData URL Conventions 4.01 §5.1.3, an expand below an expand, a lambda, an ordering and an entity's expand go on the wire as written", async (t) => {
    const rows = [{ ID: 1, Orders: [] }];
    const { server, client } = await serve(t, rows);
    const queries = expandRootPaths(client);
    for (const query of [queries.spec, queries.deeper, queries.lambda, queries.text, queries.outer]) {
      assert.deepEqual(await query.list(), rows);
    }
    assert.deepEqual(await queries.entity.get(), rows[0]);
    assert.deepEqual(sent(server), [
      "/odata/Customers?$expand=Orders($filter=$it/Address/City eq ShipTo/City)",
      "/odata/Customers?$expand=Orders($expand=Items($filter=Qty lt $it/CreditLimit))",
      "/odata/Customers?$expand=Orders($filter=Items/any(i:i/Qty lt $it/CreditLimit))",
      "/odata/Customers?$expand=Orders($filter=contains($it/Name,'Ltd');$orderby=Amount sub $it/CreditLimit)",
      "/odata/Customers?$filter=$it/CreditLimit gt 100",
      "/odata/Customers(1)?$expand=Orders($filter=Amount gt $it/CreditLimit)",
    ]);
  });

  test("$this (OData 4.01) beside $it in an expand's filter", async (t) => {
    const { server, client } = await serve(t, [], "4.01");
    assert.deepEqual(await expandRootPaths(client).self(client).list(), []);
    // orderBy given the paths as text, typed as the filters' are.
    assert.deepEqual(await expandRootPaths(client).orderText(client).list(), []);
    assert.deepEqual(sent(server), [
      "/odata/Customers?$expand=Orders($filter=$this/Amount gt $it/CreditLimit)",
      "/odata/Customers?$expand=Orders($orderby=$it/Name,$this/Amount desc)&$orderby=$it/CreditLimit desc",
    ]);
  });
});
