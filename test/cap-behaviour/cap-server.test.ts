// Smoke tests for the SAP CAP test server (test/servers/cap): they pin down, with plain fetch, the
// server behaviour the library's own tests will rely on, including CAP's quirks. When one of these
// fails after a CAP upgrade, the library tests built on the same behaviour will need a look too.
// They test CAP, not this library, so `npm test` leaves them out: run them with
// `npm run test:cap-behaviour` (this file starts a CAP server of its own).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startCap, type CapServer } from "../servers/cap.js";
import type { Book } from "../servers/cap/types.js";

let cap: CapServer;
let startupMs = 0;

before(async () => {
  const started = performance.now();
  cap = await startCap();
  startupMs = performance.now() - started;
});

after(async () => {
  await cap?.stop();
});

interface Reply<T> {
  status: number;
  headers: Headers;
  body: T;
}

interface V4Collection<T> {
  "@odata.context": string;
  "@odata.count"?: number;
  "@odata.nextLink"?: string;
  value: T[];
}

interface V4Error {
  error: { code: string; message: string; target?: string; "@Common.numericSeverity"?: number };
}

interface V2Collection<T> {
  d: { results: T[]; __count?: string; __next?: string };
}

interface V2Metadata {
  __metadata: { type: string; uri: string; etag?: string };
}

interface V2Error {
  error: {
    code: string;
    message: { lang: string; value: string };
    severity: string;
    target: string;
    innererror: { errordetails: Array<{ code: string; message: { lang: string; value: string } }> };
  };
}

async function request<T>(url: string | URL, init?: RequestInit): Promise<Reply<T>> {
  const res = await fetch(url, init);
  const text = await res.text();
  const type = res.headers.get("content-type") ?? "";
  const body = (type.includes("json") ? JSON.parse(text) : text) as T;
  return { status: res.status, headers: res.headers, body };
}

const v4 = <T>(path: string, init?: RequestInit): Promise<Reply<T>> => request<T>(cap.v4 + path, init);
const v2 = <T>(path: string, init?: RequestInit): Promise<Reply<T>> => request<T>(cap.v2 + path, init);
/** The v2 root as the adapter writes it in absolute URIs: 127.0.0.1 becomes localhost. */
const v2OnLocalhost = (): string => cap.v2.replace("127.0.0.1", "localhost");
const ids = (rows: Array<{ ID: number }>): number[] => rows.map((row) => row.ID);

/** Follows `@odata.nextLink` (relative to the URL it came with) to the end; returns page sizes. */
async function walkV4<T>(first: string): Promise<{ pages: number[]; rows: T[]; links: string[] }> {
  const pages: number[] = [];
  const rows: T[] = [];
  const links: string[] = [];
  let url: URL | undefined = new URL(first);
  while (url) {
    const { status, body }: Reply<V4Collection<T>> = await request<V4Collection<T>>(url);
    assert.equal(status, 200, `GET ${url.href}`);
    pages.push(body.value.length);
    rows.push(...body.value);
    const next: string | undefined = body["@odata.nextLink"];
    if (next) links.push(next);
    url = next ? new URL(next, url) : undefined;
  }
  return { pages, rows, links };
}

// --- the process ----------------------------------------------------------------------------

test("startCap serves on a 127.0.0.1 port of its own, from a process it owns", () => {
  assert.match(cap.origin, /^http:\/\/127\.0\.0\.1:\d+$/);
  // The port was chosen by the OS (--port 0) and read from the server's own announcement.
  assert.ok(cap.output().includes(`[traverse] CAP listening on ${cap.origin}\n`));
  assert.equal(cap.v4, `${cap.origin}/db/${cap.database}/odata/v4/catalog/`);
  assert.equal(cap.v2, `${cap.origin}/db/${cap.database}/odata/v2/catalog/`);
  assert.equal(typeof cap.pid, "number");
  assert.equal(process.kill(cap.pid as number, 0), true);
  // Measured here (model compile, in-memory deploy, 100,000 generated rows): about 1.5-3.5 s.
  assert.ok(startupMs < 30_000, `start-up took ${startupMs.toFixed(0)} ms`);
});

// That the server listens on 127.0.0.1 only is the suite's own test (test/cap-test-server.test.ts).

// --- OData v4 --------------------------------------------------------------------------------

test("v4 service document lists the entity sets but not the action and function imports", async () => {
  const { status, body } = await v4<{ value: Array<{ name: string; url: string }> }>("");
  assert.equal(status, 200);
  assert.deepEqual(
    body.value.map((set) => set.name),
    ["Books", "Authors", "Reviews", "Pairs", "Readings", "BooksPaged", "Photos", "Settings"],
  );
});

test("v4 Books: context, etag per row, Decimal as JSON number, Date as YYYY-MM-DD", async () => {
  const { status, headers, body } = await v4<V4Collection<Book>>("Books");
  assert.equal(status, 200);
  // No odata.metadata parameter in the media type, and no nextLink below the 1000-row default page.
  assert.equal(headers.get("content-type"), "application/json; charset=utf-8");
  assert.equal(headers.get("odata-version"), "4.0");
  assert.equal(body["@odata.context"], "$metadata#Books");
  assert.equal(body["@odata.nextLink"], undefined);
  assert.equal(body.value.length, 23);
  const first = body.value[0];
  assert.deepEqual(
    { ...first },
    {
      createdAt: "2024-02-11T10:01:00.000Z",
      createdBy: "seed",
      modifiedAt: "2024-02-11T10:01:00.000Z",
      modifiedBy: "seed",
      ID: 1,
      title: "Pride and Prejudice",
      descr: "Description of book 1: Pride and Prejudice",
      stock: 37,
      price: 12.31,
      published: "1809-02-11",
      author_ID: "austen",
      "@odata.etag": 'W/"2024-02-11T10:01:00.000Z"',
    },
  );
});

test("v4 unicode text comes back byte for byte", async () => {
  const { body } = await v4<Book>("Books(11)");
  assert.equal(body.title, "Žluťoučký kůň");
  assert.equal(body.descr, "Příliš žluťoučký kůň úpěl ďábelské ódy — “quoted”, 日本語のテキスト, emoji 📚");
  const { body: author } = await v4<{ name: string }>(`Authors('${encodeURIComponent("Žlučťoučký")}')`);
  assert.equal(author.name, "Ŝeĥ Žlučťoučký 日本");
});

test("v4 $filter with string and date functions", async () => {
  const { body } = await v4<V4Collection<Book>>(
    `Books?$filter=${encodeURIComponent("contains(title,'and') and year(published) gt 1800")}&$select=ID`,
  );
  assert.deepEqual(ids(body.value), [1, 4, 16, 23]);
  const { body: the } = await v4<V4Collection<Book>>(
    `Books?$filter=${encodeURIComponent("startswith(tolower(title),'the')")}&$select=ID`,
  );
  assert.deepEqual(ids(the.value), [8, 9, 10]);
});

test("v4 $filter across a to-one association with an apostrophe in the literal", async () => {
  const { body } = await v4<V4Collection<Book>>(
    `Books?$filter=${encodeURIComponent("author/name eq 'Flann O''Brien'")}&$select=ID`,
  );
  assert.deepEqual(ids(body.value), [7, 8, 9, 10]);
});

test("v4 any() lambda over the Reviews composition", async () => {
  const { body } = await v4<V4Collection<Book>>(
    `Books?$filter=${encodeURIComponent("reviews/any(r:r/rating ge 5)")}&$select=ID`,
  );
  assert.deepEqual(ids(body.value), [1, 2, 6, 11]);
});

test("v4 all() lambda is true for books without reviews", async () => {
  const { body } = await v4<V4Collection<Book>>(
    `Books?$filter=${encodeURIComponent("reviews/all(r:r/rating ge 4)")}&$select=ID&$count=true`,
  );
  // 4 reviewed books qualify (1, 4, 6, 11) plus the 15 without any review.
  assert.equal(body["@odata.count"], 19);
  assert.deepEqual(ids(body.value).slice(0, 6), [1, 4, 6, 7, 8, 9]);
});

test("v4 $select also returns the key and, on ETag entities, modifiedAt and @odata.etag", async () => {
  const { body } = await v4<V4Collection<Record<string, unknown>>>("Books?$select=title&$top=1");
  assert.deepEqual(body.value[0], {
    title: "Pride and Prejudice",
    ID: 1,
    modifiedAt: "2024-02-11T10:01:00.000Z",
    "@odata.etag": 'W/"2024-02-11T10:01:00.000Z"',
  });
  const { body: pairs } = await v4<V4Collection<Record<string, unknown>>>("Pairs?$select=label&$top=1");
  assert.deepEqual(pairs.value[0], { label: "one x", A: 1, B: "x" });
});

test("v4 nested $expand with $select and $orderby inside", async () => {
  const expand = "books($select=ID,title;$orderby=ID desc;$expand=reviews($select=rating;$orderby=rating))";
  const { status, body } = await v4<{
    "@odata.context": string;
    name: string;
    books: Array<{ ID: number; title: string; reviews: Array<{ rating: number }> }>;
  }>(`Authors('austen')?$expand=${encodeURIComponent(expand)}`);
  assert.equal(status, 200);
  assert.equal(body["@odata.context"], "$metadata#Authors/$entity");
  assert.equal(body.name, "Jane Austen");
  assert.deepEqual(ids(body.books), [6, 5, 4, 3, 2, 1]);
  const emma = body.books.find((book) => book.ID === 2);
  // The key comes along even where $select does not name it.
  assert.deepEqual(emma?.reviews, [{ ID: 3, rating: 1 }, { ID: 4, rating: 4 }, { ID: 5, rating: 5 }]);
});

test("v4 $orderby descending", async () => {
  const { body } = await v4<V4Collection<Book>>("Books?$orderby=price desc&$top=4&$select=price");
  assert.deepEqual(
    body.value.map((book) => [book.ID, book.price]),
    [[16, 41.96], [5, 41.55], [21, 38.51], [10, 38.1]],
  );
});

test("v4 $top and $skip", async () => {
  const { body } = await v4<V4Collection<Book>>("Books?$orderby=ID&$skip=5&$top=3&$select=ID");
  assert.deepEqual(ids(body.value), [6, 7, 8]);
  assert.equal(body["@odata.nextLink"], undefined);
});

test("v4 $count=true gives the total next to a $top-limited page", async () => {
  const { body } = await v4<V4Collection<Book>>("Books?$count=true&$top=2&$select=ID");
  assert.equal(body["@odata.count"], 23);
  assert.deepEqual(ids(body.value), [1, 2]);
});

test("v4 /$count answers text/plain, also with $filter and on a navigation", async () => {
  const all = await v4<string>("Books/$count");
  assert.equal(all.headers.get("content-type"), "text/plain; charset=utf-8");
  assert.equal(all.body, "23");
  const filtered = await v4<string>(`Books/$count?$filter=${encodeURIComponent("stock gt 30")}`);
  assert.equal(filtered.body, "9");
  const nav = await v4<string>("Authors('O''Brien')/books/$count");
  assert.equal(nav.body, "4");
});

test("v4 $search on Books (title, descr) and Authors (name), unicode included", async () => {
  const policeman = await v4<V4Collection<Book>>("Books?$search=Policeman&$select=ID");
  assert.deepEqual(ids(policeman.body.value), [8]);
  const japanese = await v4<V4Collection<Book>>(`Books?$search=${encodeURIComponent("日本")}&$select=ID`);
  assert.deepEqual(ids(japanese.body.value), [11, 13]);
  const authors = await v4<V4Collection<{ ID: string }>>(`Authors?$search=${encodeURIComponent("Žluč")}`);
  assert.deepEqual(authors.body.value.map((a) => a.ID), ["Žlučťoučký"]);
});

test("v4 $apply groupby/aggregate (rows still carry modifiedAt and an etag)", async () => {
  const apply = "groupby((author_ID),aggregate(ID with countdistinct as n))";
  const { status, body } = await v4<V4Collection<{ author_ID: string; n: number; "@odata.etag"?: string }>>(
    `Books?$apply=${encodeURIComponent(apply)}`,
  );
  assert.equal(status, 200);
  assert.deepEqual(
    Object.fromEntries(body.value.map((row) => [row.author_ID, row.n])),
    { "O'Brien": 4, austen: 6, murakami: 4, tolstoy: 4, Žlučťoučký: 5 },
  );
  // CAP adds the ETag column to aggregated rows: an arbitrary member's modifiedAt.
  assert.match(body.value[0]?.["@odata.etag"] ?? "", /^W\/"\d{4}-/);
});

test("v4 $compute adds a computed property", async () => {
  const { body } = await v4<V4Collection<{ ID: number; price: number; double: number }>>(
    `Books?$select=ID,price,double&$compute=${encodeURIComponent("price mul 2 as double")}&$top=2`,
  );
  assert.deepEqual(
    body.value.map((row) => [row.ID, row.price, row.double]),
    [[1, 12.31, 24.62], [2, 19.62, 39.24]],
  );
});

test("v4 ignores Prefer: odata.maxpagesize (no paging, no Preference-Applied)", async () => {
  const { headers, body } = await v4<V4Collection<Book>>("Books?$select=ID", {
    headers: { Prefer: "odata.maxpagesize=5" },
  });
  assert.equal(body.value.length, 23);
  assert.equal(body["@odata.nextLink"], undefined);
  assert.equal(headers.get("preference-applied"), null);
});

// --- server-driven paging ----------------------------------------------------------------

test("v4 paged projection: 10 rows a page, relative nextLink, last partial page has none", async () => {
  const first = await v4<V4Collection<Book>>("BooksPaged?$select=ID");
  assert.equal(first.body["@odata.nextLink"], "BooksPaged?%24select=ID&%24skiptoken=10");
  const walk = await walkV4<Book>(`${cap.v4}BooksPaged?$select=ID`);
  assert.deepEqual(walk.pages, [10, 10, 3]);
  assert.deepEqual(ids(walk.rows), Array.from({ length: 23 }, (_, i) => i + 1));
});

test("v4 paging: a full last page still links to an empty page", async () => {
  const walk = await walkV4<Book>(`${cap.v4}BooksPaged?$filter=${encodeURIComponent("ID le 20")}`);
  assert.deepEqual(walk.pages, [10, 10, 0]);
  // The request's own options are carried along ($ percent-encoded); $skiptoken is replaced in place.
  assert.deepEqual(walk.links, [
    "BooksPaged?%24filter=ID%20le%2020&%24skiptoken=10",
    "BooksPaged?%24filter=ID%20le%2020&%24skiptoken=20",
  ]);
});

test("v4 paging: $top within the max is served in one page, without a nextLink", async () => {
  const { body } = await v4<V4Collection<Book>>("BooksPaged?$top=15&$select=ID");
  assert.equal(body.value.length, 15);
  assert.equal(body["@odata.nextLink"], undefined);
});

test("v4 paging: $top above the max is honoured across pages with an opaque skiptoken", async () => {
  const walk = await walkV4<{ ID: number }>(`${cap.v4}Readings?$top=1500&$select=ID`);
  assert.deepEqual(walk.pages, [1000, 500]);
  // Without $top the skiptoken is a plain offset; with $top it is base64 of "$rows=..&$offset=..".
  const token = new URLSearchParams(walk.links[0]?.split("?")[1]).get("$skiptoken") ?? "";
  assert.equal(Buffer.from(token, "base64").toString("utf8"), "$rows=500&$offset=1000");
});

test("v4 big set: 100,000 Readings in 1000-row pages plus a final empty page", async () => {
  const started = performance.now();
  const walk = await walkV4<{ ID: number; sensor: string; value: number; ok: boolean }>(`${cap.v4}Readings`);
  const seconds = (performance.now() - started) / 1000;
  assert.equal(walk.rows.length, 100_000);
  assert.equal(walk.pages.length, 101);
  assert.ok(walk.pages.slice(0, 100).every((size) => size === 1000));
  assert.equal(walk.pages[100], 0);
  assert.equal(walk.links[0], "Readings?%24skiptoken=1000");
  assert.equal(walk.links[99], "Readings?%24skiptoken=100000");
  assert.ok(walk.rows.every((row, i) => row.ID === i + 1));
  assert.deepEqual(walk.rows[0], { ID: 1, sensor: "S1", value: 0.1, ok: true });
  assert.deepEqual(walk.rows[99_999], { ID: 100_000, sensor: "S5", value: 0, ok: true });
  assert.ok(seconds < 60, `walked 100k rows in ${seconds.toFixed(1)} s`);
});

test("v4 paging with $count=true repeats @odata.count on every page", async () => {
  const first = await v4<V4Collection<{ ID: number }>>("Readings?$count=true&$select=ID");
  assert.equal(first.body["@odata.count"], 100_000);
  const next = first.body["@odata.nextLink"];
  assert.equal(next, "Readings?%24count=true&%24select=ID&%24skiptoken=1000");
  const second = await request<V4Collection<{ ID: number }>>(new URL(next, cap.v4));
  assert.equal(second.body["@odata.count"], 100_000);
  assert.equal(second.body.value[0]?.ID, 1001);
});

// --- keys --------------------------------------------------------------------------------

test("v4 string key with an apostrophe, doubled in the literal, raw or percent-encoded", async () => {
  const raw = await v4<{ "@odata.context": string; ID: string; name: string }>("Authors('O''Brien')");
  assert.equal(raw.status, 200);
  assert.equal(raw.body["@odata.context"], "$metadata#Authors/$entity");
  assert.equal(raw.body.ID, "O'Brien");
  assert.equal(raw.body.name, "Flann O'Brien");
  const encoded = await v4<{ ID: string }>("Authors(%27O%27%27Brien%27)");
  assert.equal(encoded.body.ID, "O'Brien");
});

test("v4 composite key, in either order of its parts", async () => {
  const { status, body } = await v4<Record<string, unknown>>("Pairs(A=2,B='it''s')");
  assert.equal(status, 200);
  assert.deepEqual(body, { "@odata.context": "$metadata#Pairs/$entity", A: 2, B: "it's", label: "two with apostrophe" });
  const swapped = await v4<{ label: string }>("Pairs(B='x',A=1)");
  assert.equal(swapped.body.label, "one x");
});

// --- errors ------------------------------------------------------------------------------

test("v4 error shape: 404 for a missing key", async () => {
  const { status, headers, body } = await v4<V4Error>("Books(999)");
  assert.equal(status, 404);
  assert.match(headers.get("content-type") ?? "", /^application\/json/);
  assert.deepEqual(body, { error: { message: "Not Found", code: "404", "@Common.numericSeverity": 4 } });
});

test("v4 error shape: 400 for an unknown property in $filter", async () => {
  const { status, body } = await v4<V4Error>("Books?$filter=foo%20eq%201");
  assert.equal(status, 400);
  assert.equal(body.error.code, "400");
  assert.equal(body.error.message, 'Property "foo" does not exist in "CatalogService.Books"');
});

// --- writes, ETags, async preference -----------------------------------------------------

test("v4 ETag: PATCH without If-Match is 428, with a stale one 412, with the current one 200", async () => {
  const patch = (ifMatch?: string) =>
    v4<V4Error & Book>("Books(23)", {
      method: "PATCH",
      headers: { "Content-Type": "application/json", ...(ifMatch ? { "If-Match": ifMatch } : {}) },
      body: JSON.stringify({ stock: 2 }),
    });
  assert.equal((await patch()).status, 428);
  assert.equal((await patch('W/"stale"')).status, 412);
  const current = (await v4<Book>("Books(23)")).body["@odata.etag"];
  const ok = await patch(current);
  assert.equal(ok.status, 200);
  assert.equal(ok.body.stock, 2);
  // The new ETag is the new modifiedAt, in the header and in the body.
  assert.notEqual(ok.body["@odata.etag"], current);
  assert.equal(ok.headers.get("etag"), ok.body["@odata.etag"]);
  assert.equal(ok.body["@odata.etag"], `W/"${ok.body.modifiedAt}"`);
});

test("v4 POST with Prefer: respond-async is answered synchronously: 201, relative Location", async () => {
  const { status, headers, body } = await v4<Record<string, unknown>>("Pairs", {
    method: "POST",
    headers: { "Content-Type": "application/json", Prefer: "respond-async" },
    body: JSON.stringify({ A: 9, B: "async", label: "made at once" }),
  });
  assert.equal(status, 201);
  assert.equal(headers.get("preference-applied"), null);
  assert.equal(headers.get("location"), "Pairs(A=9,B='async')");
  assert.deepEqual(body, { "@odata.context": "$metadata#Pairs/$entity", A: 9, B: "async", label: "made at once" });
});

// --- actions and functions ---------------------------------------------------------------

test("v4 unbound action submitOrder returns the remaining stock", async () => {
  const before = (await v4<Book>("Books(21)")).body.stock ?? assert.fail("book 21 has no stock");
  const { status, body } = await v4<{ "@odata.context": string; stock: number }>("submitOrder", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ book: 21, quantity: 2 }),
  });
  assert.equal(status, 200);
  assert.equal(body["@odata.context"], "$metadata#CatalogService.return_CatalogService_submitOrder");
  assert.equal(body.stock, before - 2);
});

test("v4 action errors use the error shape with the status the handler chose", async () => {
  const { status, body } = await v4<V4Error>("submitOrder", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ book: 21, quantity: 100_000 }),
  });
  assert.equal(status, 409);
  assert.match(body.error.message, /^Only \d+ left of book 21$/);
});

test("v4 unbound function countBooks, with an inline parameter and with a parameter alias", async () => {
  const inline = await v4<{ "@odata.context": string; value: number }>("countBooks(minStock=30)");
  assert.deepEqual(inline.body, { "@odata.context": "$metadata#Edm.Int32", value: 9 });
  const alias = await v4<{ value: number }>("countBooks(minStock=@m)?@m=30");
  assert.equal(alias.body.value, 9);
});

test("v4 bound action on an ETag entity needs If-Match (428 without it)", async () => {
  const order = (headers: Record<string, string>) =>
    v4<{ stock: number } & V4Error>("Books(20)/CatalogService.order", {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: JSON.stringify({ quantity: 1 }),
    });
  assert.equal((await order({})).status, 428);
  const before = (await v4<Book>("Books(20)")).body.stock ?? assert.fail("book 20 has no stock");
  const done = await order({ "If-Match": "*" });
  assert.equal(done.status, 200);
  assert.equal(done.body.stock, before - 1);
});

test("v4 bound function, namespace-qualified or not, answers a Decimal as a number", async () => {
  const qualified = await v4<{ "@odata.context": string; value: number }>(
    "Books(1)/CatalogService.discountedPrice(percent=10)",
  );
  assert.deepEqual(qualified.body, { "@odata.context": "../$metadata#Edm.Decimal", value: 11.08 });
  const bare = await v4<{ value: number }>("Books(1)/discountedPrice(percent=10)");
  assert.equal(bare.body.value, 11.08);
});

// --- OData v2 through the adapter --------------------------------------------------------

test("v2 service document lists the entity sets", async () => {
  const { status, body } = await v2<{ d: { EntitySets: string[] } }>("");
  assert.equal(status, 200);
  assert.deepEqual(body.d.EntitySets, ["Books", "Authors", "Reviews", "Pairs", "Readings", "BooksPaged", "Photos", "Settings"]);
});

test("v2 collection: d.results, __count as a string, /Date()/ values, Decimal as a string", async () => {
  const { status, headers, body } = await v2<V2Collection<Record<string, unknown> & V2Metadata>>(
    "Books?$top=1&$inlinecount=allpages&$select=ID,title,price,published,modifiedAt",
  );
  assert.equal(status, 200);
  assert.equal(headers.get("dataserviceversion"), "2.0");
  assert.equal(body.d.__count, "23");
  assert.equal(body.d.__next, undefined);
  assert.deepEqual(body.d.results[0], {
    ID: 1,
    title: "Pride and Prejudice",
    price: "12.31",
    // Edm.DateTime (cds.Date) is plain milliseconds; Edm.DateTimeOffset carries "+0000".
    published: `/Date(${Date.UTC(1809, 1, 11)})/`,
    modifiedAt: `/Date(${Date.parse("2024-02-11T10:01:00.000Z")}+0000)/`,
    __metadata: {
      type: "CatalogService.Books",
      // The adapter writes 127.0.0.1 as localhost in every absolute URI it generates.
      uri: `${v2OnLocalhost()}Books(1)`,
      etag: 'W/"2024-02-11T10:01:00.000Z"',
    },
  });
});

test("v2 navigation properties are __deferred links unless expanded", async () => {
  const { body } = await v2<{ d: { author: { __deferred: { uri: string } } } }>("Books(7)");
  assert.equal(body.d.author.__deferred.uri, `${v2OnLocalhost()}Books(7)/author`);
  const expanded = await v2<{ d: { author: { ID: string; name: string } } }>("Books(7)?$expand=author");
  assert.equal(expanded.body.d.author.name, "Flann O'Brien");
});

test("v2 paging: __next is absolute (on localhost) and a full last page links to an empty one", async () => {
  const pages: number[] = [];
  const links: string[] = [];
  let url: string | undefined = `${cap.v2}BooksPaged?$select=ID&$filter=${encodeURIComponent("ID le 20")}&$inlinecount=allpages`;
  const counts: Array<string | undefined> = [];
  while (url) {
    const { status, body }: Reply<V2Collection<{ ID: number }>> = await request<V2Collection<{ ID: number }>>(url);
    assert.equal(status, 200);
    pages.push(body.d.results.length);
    counts.push(body.d.__count);
    url = body.d.__next;
    if (url) links.push(url);
  }
  assert.deepEqual(pages, [10, 10, 0]);
  assert.deepEqual(counts, ["20", "20", "20"]);
  assert.ok(links.every((link) => link.startsWith(`${v2OnLocalhost()}BooksPaged?`)), links.join(" "));
  assert.match(links[0] ?? "", /\$skiptoken=10(&|$)/);
});

test("v2 single entity is the object in d, string key with an apostrophe", async () => {
  const { status, body } = await v2<{ d: { ID: string; name: string; born: string } & V2Metadata }>(
    "Authors('O''Brien')",
  );
  assert.equal(status, 200);
  assert.equal(body.d.ID, "O'Brien");
  assert.equal(body.d.name, "Flann O'Brien");
  assert.equal(body.d.born, `/Date(${Date.UTC(1911, 9, 5)})/`);
  assert.match(body.d.__metadata.uri, /\/odata\/v2\/catalog\/Authors\('O''Brien'\)$/);
});

test("v2 composite key read", async () => {
  const { body } = await v2<{ d: { A: number; B: string; label: string } & V2Metadata }>("Pairs(A=2,B='it''s')");
  assert.equal(body.d.label, "two with apostrophe");
  assert.match(body.d.__metadata.uri, /Pairs\(A=2,B='it''s'\)$/);
});

test("v2 $filter with substringof and a datetime literal", async () => {
  const contains = await v2<V2Collection<{ ID: number }>>(`Books?$filter=${encodeURIComponent("substringof('and',title)")}&$select=ID`);
  assert.deepEqual(ids(contains.body.d.results), [1, 4, 16, 23]);
  const recent = await v2<V2Collection<{ ID: number }>>(
    `Books?$filter=${encodeURIComponent("published gt datetime'1990-01-01T00:00:00'")}&$select=ID`,
  );
  assert.deepEqual(ids(recent.body.d.results), [22, 23]);
});

test("v2 /$count answers text/plain", async () => {
  const { headers, body } = await v2<string>("Books/$count");
  assert.equal(headers.get("content-type"), "text/plain; charset=utf-8");
  assert.equal(body, "23");
});

test("v2 error shape: message as {lang, value}, severity, target, innererror.errordetails", async () => {
  const { status, body } = await v2<V2Error>("Books(999)");
  assert.equal(status, 404);
  assert.deepEqual(body, {
    error: {
      message: { lang: "en", value: "Not Found" },
      code: "404",
      severity: "error",
      target: "/#TRANSIENT#",
      innererror: {
        errordetails: [{ message: { lang: "en", value: "Not Found" }, code: "404", severity: "error", target: "/#TRANSIENT#" }],
      },
    },
  });
});

test("v2 Atom feed when asked with Accept: application/atom+xml", async () => {
  const { status, headers, body } = await v2<string>("Pairs?$top=2&$inlinecount=allpages", {
    headers: { Accept: "application/atom+xml" },
  });
  assert.equal(status, 200);
  assert.equal(headers.get("content-type"), "application/atom+xml;charset=utf-8");
  assert.match(body, /^<\?xml version="1.0" encoding="utf-8" standalone="yes"\?><feed /);
  assert.match(body, /<m:count>\d+<\/m:count>/);
  assert.equal(body.match(/<entry>/g)?.length, 2);
  assert.match(body, /<d:A m:type="Edm.Int32">1<\/d:A><d:B m:type="Edm.String">x<\/d:B>/);
});

test("v2 Atom entry for a single entity", async () => {
  const { headers, body } = await v2<string>("Books(1)", { headers: { Accept: "application/atom+xml" } });
  assert.equal(headers.get("etag"), 'W/"2024-02-11T10:01:00.000Z"');
  assert.ok(body.includes(`<entry xml:base="${v2OnLocalhost()}"`), body);
  assert.match(body, /<d:title m:type="Edm.String">Pride and Prejudice<\/d:title>/);
});

test("v2 function import: parameters in the query, result wrapped in the function's name", async () => {
  const { body } = await v2<{ d: { countBooks: number } }>("countBooks?minStock=30");
  assert.deepEqual(body, { d: { countBooks: 9 } });
  const bound = await v2<{ d: { Books_discountedPrice: string } }>("Books_discountedPrice?ID=1&percent=10");
  assert.deepEqual(bound.body, { d: { Books_discountedPrice: "11.08" } });
});

test("v2 action import: query parameters are only read when the POST has a Content-Type", async () => {
  const without = await v2<V2Error>("submitOrder?book=22&quantity=1", { method: "POST" });
  // Without Content-Type the adapter forwards no parameters: the handler sees none and says 400.
  assert.equal(without.status, 400);
  assert.equal(without.body.error.message.value, "quantity must be a positive integer");
  const before = (await v4<Book>("Books(22)")).body.stock ?? assert.fail("book 22 has no stock");
  const withType = await v2<{ d: { submitOrder: { stock: number } } }>("submitOrder?book=22&quantity=1", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
  });
  assert.equal(withType.status, 200);
  assert.equal(withType.body.d.submitOrder.stock, before - 1);
});

test("v2 has no CSRF protection: no token on Fetch, POST works without one", async () => {
  const { headers } = await v2<unknown>("", { headers: { "X-CSRF-Token": "Fetch" } });
  assert.equal(headers.get("x-csrf-token"), null);
  const created = await v2<{ d: { A: number; B: string } }>("Pairs", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ A: 8, B: "v2", label: "made through v2" }),
  });
  assert.equal(created.status, 201);
  assert.deepEqual([created.body.d.A, created.body.d.B], [8, "v2"]);
});
