/**
 * The client option `keyAsSegment`: OData 4.01's key-as-segment convention (URL Conventions
 * §4.3.6), `Customers/ALFKI` for `Customers('ALFKI')`, as Microsoft Graph writes its URLs. A single
 * key goes as a path segment of its own, its text percent-encoded so that a `/`, `?`, `#` or `%` in
 * it stays inside the segment; a named (compound) key, a prefixed literal and a text the service
 * would read as something else than a key keep the parenthesised form. Checked as URLs, on the wire
 * of a node:http server (reads, writes, references, bound operations, `$batch` parts) and against
 * SAP CAP, which takes both forms.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataReader, edm, type CollectionQuery } from "../src/index.js";
import type { ServerResponse } from "node:http";
import { answerJson, onlyRequest, sendJson, sendText, serveClient, type RecordedRequest } from "./servers/recording-server.js";
import { useCap } from "./servers/use-cap.js";

const root = "https://host/svc/";
const segments = new ODataClient({ serviceUrl: root, keyAsSegment: true });
const customers = segments.collection("Customers");

/** The last path segment of `url`, decoded: what a service reads as the key. */
function lastSegment(url: string): string {
  return decodeURIComponent(new URL(url).pathname.split("/").at(-1) as string);
}

describe("key(value) with keyAsSegment: the URL", () => {
  test("a string is its text in a segment of its own: no quotes, a quote as it is, Unicode percent-encoded", () => {
    assert.equal(customers.key("ALFKI").url(), `${root}Customers/ALFKI`);
    assert.equal(customers.key("O'Neil").url(), `${root}Customers/O'Neil`);
    assert.equal(customers.key("Žlučťoučký").url(), `${root}Customers/%C5%BDlu%C4%8D%C5%A5ou%C4%8Dk%C3%BD`);
    assert.equal(customers.key(edm.string("it's")).url(), `${root}Customers/it's`);
  });

  test("%, \\, spaces, ; and + are percent-encoded inside the segment: the service reads the key back whole", () => {
    const escaped: Array<[string, string]> = [
      ["100%", "Customers/100%25"],
      ["%2F", "Customers/%252F"],
      ["%3F$top=1", "Customers/%253F$top=1"],
      ["%2e%2e", "Customers/%252e%252e"],
      ["..x", "Customers/..x"],
      ["a\\b", "Customers/a%5Cb"],
      ["a b\tc\nd", "Customers/a%20b%09c%0Ad"],
      ["x;y=z", "Customers/x%3By=z"],
      ["a+b&c", "Customers/a%2Bb%26c"],
    ];
    for (const [key, path] of escaped) {
      const url = customers.key(key).url();
      assert.equal(url, `${root}${path}`, JSON.stringify(key));
      assert.equal(new URL(url).pathname.split("/").length, 4, `${JSON.stringify(key)} added a segment`);
      assert.equal(lastSegment(url), key, JSON.stringify(key));
      assert.equal(new URL(url).search, "");
    }
  });

  test("a key with /, ? or # keeps its parentheses, escaped inside them: no service can take it for a delimiter", () => {
    const hostile: Array<[string, string]> = [
      ["a/b", "Customers('a%2Fb')"],
      ["Smartphone/Tablet", "Customers('Smartphone%2FTablet')"],
      ["austen/books/2", "Customers('austen%2Fbooks%2F2')"],
      ["../Orders", "Customers('..%2FOrders')"],
      ["x/../../$metadata", "Customers('x%2F..%2F..%2F$metadata')"],
      ["a?$filter=x", "Customers('a%3F$filter=x')"],
      ["a#frag", "Customers('a%23frag')"],
      ["O'Neil/2", "Customers('O''Neil%2F2')"],
    ];
    for (const [key, path] of hostile) {
      const url = customers.key(key).url();
      assert.equal(url, `${root}${path}`, JSON.stringify(key));
      assert.equal(new URL(url).pathname.split("/").length, 3, `${JSON.stringify(key)} added a segment`);
      assert.equal(new URL(url).search, "");
      assert.equal(new URL(url).hash, "");
    }
  });

  test("numbers, Int64, GUIDs, dates and booleans are their literals", () => {
    assert.equal(customers.key(1).url(), `${root}Customers/1`);
    assert.equal(customers.key(-5).url(), `${root}Customers/-5`);
    assert.equal(customers.key(2n ** 60n).url(), `${root}Customers/1152921504606846976`);
    assert.equal(customers.key(edm.int64("9007199254740993")).url(), `${root}Customers/9007199254740993`);
    assert.equal(customers.key(edm.guid("148d1101-58fb-410b-ad6d-7379fd9564ca")).url(), `${root}Customers/148d1101-58fb-410b-ad6d-7379fd9564ca`);
    assert.equal(customers.key(edm.date("2024-01-02")).url(), `${root}Customers/2024-01-02`);
    assert.equal(customers.key(new Date(Date.UTC(2024, 0, 2, 3, 4, 5))).url(), `${root}Customers/2024-01-02T03:04:05.000Z`);
    assert.equal(customers.key(true).url(), `${root}Customers/true`);
  });

  test("a named key keeps its parentheses: a compound key's segments would need $metadata's order, a one-name key may be an alternate key", () => {
    assert.equal(segments.collection("Pairs").key({ B: "x/y", A: 1 }).url(), `${root}Pairs(B='x%2Fy',A=1)`);
    assert.equal(customers.key({ SSN: "123-45-6789" }).url(), `${root}Customers(SSN='123-45-6789')`);
  });

  test("a text the service would read before a key, a prefixed literal and a dot segment keep their parentheses", () => {
    const kept: Array<[unknown, string]> = [
      ["$count", "('$count')"],
      ["$ref", "('$ref')"],
      ["NS.VipCustomer", "('NS.VipCustomer')"],
      ["microsoft.graph.user", "('microsoft.graph.user')"],
      ["NS.f()", "('NS.f()')"],
      ["", "('')"],
      [".", "('.')"],
      ["..", "('..')"],
      [edm.duration("P1D"), "(duration'P1D')"],
      [new Uint8Array([1, 2]), "(binary'AQI=')"],
    ];
    for (const [key, predicate] of kept) {
      assert.equal(customers.key(key as string).url(), `${root}Customers${predicate}`, JSON.stringify(key));
    }
    // A text with a dot that is no qualified name is a key.
    assert.equal(customers.key("john.doe@example.com").url(), `${root}Customers/john.doe@example.com`);
    assert.equal(customers.key("1.5").url(), `${root}Customers/1.5`);
    // A ( in a segment is read as a predicate's or a call's (SAP CAP reads Customers/delta(1) as delta()).
    assert.equal(customers.key("ACME (UK)").url(), `${root}Customers('ACME%20(UK)')`);
    assert.equal(customers.key("delta()").url(), `${root}Customers('delta()')`);
  });

  test("navigation, a cast, a bound action and a bound function after a key follow it; options go in the query", () => {
    assert.equal(customers.key("a b").navigate("Orders").url(), `${root}Customers/a%20b/Orders`);
    assert.equal(customers.key("a b").navigate("Orders").key(7).navigateOne("Product").url(), `${root}Customers/a%20b/Orders/7/Product`);
    assert.equal(customers.key("a/b").navigate("Orders").key(7).url(), `${root}Customers('a%2Fb')/Orders/7`);
    assert.equal(customers.key("ALFKI").cast("NS.VipCustomer").url(), `${root}Customers/ALFKI/NS.VipCustomer`);
    assert.equal(customers.cast("NS.VipCustomer").key("ALFKI").url(), `${root}Customers/NS.VipCustomer/ALFKI`);
    assert.equal(customers.key("50%").action("NS.Approve").url(), `${root}Customers/50%25/NS.Approve`);
    assert.equal(customers.key(1).function("NS.Rating", { scale: 5 }).url(), `${root}Customers/1/NS.Rating(scale=5)`);
    assert.equal(customers.select("ID").key("x").url(), `${root}Customers/x?$select=ID`);
  });

  test("off by default, and so on 4.01: the parenthesised predicate", () => {
    for (const version of [undefined, "4.0", "4.01", "2.0"] as const) {
      const client = new ODataClient({ serviceUrl: root, version });
      assert.equal(client.collection("Customers").key("a/b").url(), `${root}Customers('a%2Fb')`);
    }
    assert.equal(new ODataClient({ serviceUrl: root, version: "4.01", keyAsSegment: true }).collection("C").key("x").url(), `${root}C/x`);
  });

  test("ODataReader takes it too", () => {
    const reader = new ODataReader({ serviceUrl: root, keyAsSegment: true });
    assert.equal(reader.collection("users").key("48d31887-5fad-4d73-a9f5-3c356e68a038").navigate("messages").key("AAMkAGI2=").url(), `${root}users/48d31887-5fad-4d73-a9f5-3c356e68a038/messages/AAMkAGI2=`);
  });

  test("a refused key() names its call by the predicate, as without the option", () => {
    assert.throws(() => customers.filter("x eq 1").key("a"), { name: "TypeError", message: /^key\('a'\): the query's \$filter would not be sent/ });
  });
});

describe("the option keyAsSegment", () => {
  test("must be a boolean, named with the class made", () => {
    assert.throws(() => new ODataClient({ serviceUrl: root, keyAsSegment: "yes" as unknown as boolean }), {
      name: "TypeError",
      message: 'ODataClient option "keyAsSegment" must be a boolean; got the string "yes"',
    });
    assert.throws(() => new ODataReader({ serviceUrl: root, keyAsSegment: 1 as unknown as boolean }), { name: "TypeError", message: /^ODataReader option "keyAsSegment" must be a boolean/ });
  });

  test("is refused by a version 2.0 client, naming the option and the version; false is taken", () => {
    assert.throws(() => new ODataClient({ serviceUrl: root, version: "2.0", keyAsSegment: true }), {
      name: "TypeError",
      message: /^ODataClient option "keyAsSegment" needs OData v4, not version "2\.0"$/,
    });
    assert.throws(() => new ODataReader({ serviceUrl: root, version: "2.0", keyAsSegment: true }), { name: "TypeError", message: /^ODataReader option "keyAsSegment"/ });
    assert.equal(new ODataClient({ serviceUrl: root, version: "2.0", keyAsSegment: false }).collection("C").key("x").url(), `${root}C('x')`);
  });
});

describe("keyAsSegment on the wire (node:http)", () => {
  test("get(), update(), replace() and delete() send the key as one segment, escaped; one with / ? # in parentheses", async (t) => {
    const { server, client } = await serveClient(t, (request, res) => {
      if (request.method === "GET") sendJson(res, 200, { ID: "x" });
      else res.writeHead(204).end();
    }, { keyAsSegment: true });
    const customers = client.collection<{ ID: string; name: string }>("Customers");
    for (const key of ["100% a\\b", "a/b?c#d%e"]) {
      const one = customers.key(key);
      await one.select("ID").get();
      await one.update({ name: "x" }, { etag: "*" });
      await one.replace({ ID: key, name: "y" }, { etag: "*" });
      await one.delete({ etag: "*" });
    }
    const seen = server.requests.map((r: RecordedRequest) => `${r.method} ${r.path}`);
    assert.deepEqual(seen, [
      "GET /odata/Customers/100%25%20a%5Cb?$select=ID",
      "PATCH /odata/Customers/100%25%20a%5Cb",
      "PUT /odata/Customers/100%25%20a%5Cb",
      "DELETE /odata/Customers/100%25%20a%5Cb",
      "GET /odata/Customers('a%2Fb%3Fc%23d%25e')?$select=ID",
      "PATCH /odata/Customers('a%2Fb%3Fc%23d%25e')",
      "PUT /odata/Customers('a%2Fb%3Fc%23d%25e')",
      "DELETE /odata/Customers('a%2Fb%3Fc%23d%25e')",
    ]);
    assert.equal(decodeURIComponent(server.requests[1]!.path.split("/").at(-1)!), "100% a\\b");
  });

  test("navigation, a bound action and a reference after a key go below its segment; the reference names the target by its segment", async (t) => {
    const { server, client, root: service } = await serveClient(t, (request, res) => {
      if (request.method === "GET") sendJson(res, 200, { value: [] });
      else res.writeHead(204).end();
    }, { keyAsSegment: true });
    const alfki = client.collection("Customers").key("ALFKI");
    await alfki.navigate("Orders").list();
    await alfki.action("NS.Approve").invoke({ note: "ok" });
    await alfki.link("Orders", client.collection("Orders").key(10248));
    const seen = server.requests.map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(seen, ["GET /odata/Customers/ALFKI/Orders", "POST /odata/Customers/ALFKI/NS.Approve", "POST /odata/Customers/ALFKI/Orders/$ref"]);
    assert.deepEqual(JSON.parse(server.requests[1]!.body), { note: "ok" });
    assert.deepEqual(JSON.parse(server.requests[2]!.body), { "@odata.id": `${service}Orders/10248` });
  });

  test("a $batch part's URL has the key as a segment", async (t) => {
    const { server, client } = await serveClient(t, answerJson(500, {}), { keyAsSegment: true });
    const batch = client.batch({ boundaries: { batch: "b", changeset: (n) => `c${n}` } });
    batch.get(client.collection("Customers").key("a b"));
    batch.changeset((cs) => {
      cs.update(client.collection("Customers").key("ALFKI"), { name: "x" });
    });
    await batch.send().catch(() => undefined);
    const body = onlyRequest(server).body;
    assert.match(body, /\r\nGET Customers\/a%20b HTTP\/1\.1\r\n/);
    assert.match(body, /\r\nPATCH Customers\/ALFKI HTTP\/1\.1\r\n/);
    assert.doesNotMatch(body, /Customers\(/);
  });
});

describe("keyAsSegment and partitions(n) below a key (node:http with $metadata)", () => {
  const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="NS" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EntityType Name="Person"><Key><PropertyRef Name="PID"/></Key><Property Name="PID" Type="Edm.Int32" Nullable="false"/>
<NavigationProperty Name="friends" Type="Collection(NS.Person)"/><NavigationProperty Name="pets" Type="Collection(NS.Pet)"/></EntityType>
<EntityType Name="Employee" BaseType="NS.Person"/>
<EntityType Name="Pet"><Key><PropertyRef Name="Tag"/></Key><Property Name="Tag" Type="Edm.Int32" Nullable="false"/></EntityType>
<EntityContainer Name="C"><EntitySet Name="Persons" EntityType="NS.Person"><NavigationPropertyBinding Path="friends" Target="Persons"/></EntitySet></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

  /** Collections of 4 rows: a probe gets the row whose key is its `$skip` + 1. */
  const service = (request: RecordedRequest, res: ServerResponse) => {
    const url = new URL(request.path, "http://x");
    if (url.pathname.endsWith("/$metadata")) return sendText(res, 200, METADATA, { "content-type": "application/xml" });
    if (url.pathname.endsWith("/$count")) return sendText(res, 200, "4");
    return sendJson(res, 200, { value: [{ [url.searchParams.get("$select") ?? "x"]: Number(url.searchParams.get("$skip") ?? 0) + 1 }] });
  };

  test("the key segment after a set, a cast or a collection navigation is read as a key, so the target's key is found", async (t) => {
    const { server, client } = await serveClient(t, service, { keyAsSegment: true });
    const persons = client.collection("Persons");
    const cases: Array<[CollectionQuery, string, string]> = [
      [persons.key(1).navigate("pets"), "Persons/1/pets", "Tag"],
      [persons.key(1).navigate("friends").key(2).navigate("pets"), "Persons/1/friends/2/pets", "Tag"],
      [persons.cast("NS.Employee").key(1).navigate("pets"), "Persons/NS.Employee/1/pets", "Tag"],
      [persons.key(1).navigate("friends").cast("NS.Employee"), "Persons/1/friends/NS.Employee", "PID"],
      [persons.key("friends").navigate("pets"), "Persons/friends/pets", "Tag"],
    ];
    for (const [query, path, key] of cases) {
      server.requests.length = 0;
      const plan = await query.partitions(2);
      assert.deepEqual(plan.map((p) => p.filter), [`${key} lt 3`, `${key} ge 3`], path);
      assert.ok(server.requests.some((r) => r.path === `/odata/${path}/$count`), server.requests.map((r) => r.path).join("\n"));
    }
  });
});

describe("keyAsSegment against SAP CAP", () => {
  const cap = useCap();

  test("reads, navigation, a write with its ETag and a bound action by key segments; a compound key stays in parentheses", async () => {
    const seen: string[] = [];
    const client = new ODataClient({
      serviceUrl: cap.v4,
      keyAsSegment: true,
      retry: false,
      steps: [{ name: "record", handle: (request, next) => (seen.push(`${request.method} ${request.url.pathname.slice(new URL(cap.v4).pathname.length)}`), next(request)) }],
    });
    const books = client.collection<{ ID: number; title: string; stock: number }>("Books");
    const book = await books.key(1).select("ID", "title", "stock").get();
    assert.equal(book.title, "Pride and Prejudice");
    const authors = client.collection<{ ID: string; name: string; books: Array<{ ID: number }> }>("Authors");
    assert.equal((await authors.key("O'Brien").get()).ID, "O'Brien");
    assert.equal((await authors.key("Žlučťoučký").get()).ID, "Žlučťoučký");
    const austens = await authors.key("austen").navigate("books").select("ID").list();
    assert.ok(austens.length > 0);
    await books.key(1).update({ stock: book.stock + 1 }, { etag: book });
    assert.equal((await books.key(1).select("stock").get()).stock, book.stock + 1);
    const left = await books.key(1).action<{ stock: number }>("CatalogService.order").invoke({ quantity: 1 }, { etag: "*" });
    assert.equal(left.stock, book.stock);
    const pair = await client.collection<{ A: number; B: string; label: string }>("Pairs").key({ A: 1, B: "x" }).get();
    assert.equal(pair.label, "one x");
    assert.deepEqual(seen, [
      "GET Books/1",
      "GET Authors/O'Brien",
      "GET Authors/%C5%BDlu%C4%8D%C5%A5ou%C4%8Dk%C3%BD",
      "GET Authors/austen/books",
      "PATCH Books/1",
      "GET Books/1",
      "POST Books/1/CatalogService.order",
      "GET Pairs(A=1,B='x')",
    ]);
  });

  test("hostile keys address their own entity: %, \\ in a segment; /, ? in parentheses (CAP decodes them in a segment)", async () => {
    const client = new ODataClient({ serviceUrl: cap.v4, keyAsSegment: true, retry: false });
    const authors = client.collection<{ ID: string; name: string }>("Authors");
    for (const ID of ["100% a\\b", "austen/books", "austen?$select=ID"]) {
      await authors.create({ ID, name: `named ${ID}` });
      assert.deepEqual(await authors.key(ID).select("ID", "name").get(), { ID, name: `named ${ID}` }, ID);
    }
    // CAP would read Authors/austen%2Fbooks%2F2 as book 2: the key goes in parentheses, and is not found.
    const books = client.collection<{ ID: number }>("Books");
    await assert.rejects(authors.key("austen/books/2").delete({ etag: "*" }), { name: "ODataHttpError", status: 404 });
    assert.equal((await books.key(2).select("ID").get()).ID, 2);
  });

  test("partitions(n) of a navigation below a key segment: ranged by the target's key, counted at the segment path", async () => {
    const sent: string[] = [];
    const client = new ODataClient({
      serviceUrl: cap.v4,
      keyAsSegment: true,
      retry: false,
      steps: [{ name: "record", handle: (request, next) => (sent.push(decodeURIComponent(request.url.href.slice(cap.v4.length))), next(request)) }],
    });
    const query = client.collection<{ ID: string; books: Array<{ ID: number }> }>("Authors").key("austen").navigate("books");
    const plan = await query.partitions(2);
    assert.deepEqual(plan.map((p) => p.filter), ["ID lt 4", "ID ge 4"]);
    assert.ok(sent.includes("Authors/austen/books/$count"), sent.join("\n"));
    const ids: number[] = [];
    for (const partition of plan) for await (const row of query.select("ID").partition(partition)) ids.push(row.ID);
    assert.deepEqual(ids.sort((a, b) => a - b), [1, 2, 3, 4, 5, 6]);
  });

  test("a $batch part by key segment", async () => {
    const bodies: string[] = [];
    const client = new ODataClient({
      serviceUrl: cap.v4,
      keyAsSegment: true,
      retry: false,
      steps: [{ name: "record", handle: (request, next) => (bodies.push(String(request.body)), next(request)) }],
    });
    const batch = client.batch();
    const part = batch.get(client.collection<{ ID: number; title: string }>("Books").key(2).select("ID", "title"));
    await batch.send();
    assert.match(bodies.join(""), /\r\nGET Books\/2\?\$select=ID,title HTTP\/1\.1\r\n/);
    const result = part.result();
    assert.ok(result.ok);
    assert.equal(result.value.ID, 2);
    assert.equal(result.value.title, "Emma");
  });
});
