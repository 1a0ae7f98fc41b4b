/**
 * README.md's examples of CatalogService (Queries and traversal, Writing entities, $batch, Parallel
 * partitions, $metadata) run as written against SAP CAP, the service whose names they use.
 * test/readme-examples.test.ts only type-checks them; here each block is taken from README.md by the
 * text of its first line (test/readme-run.ts), run, and then checked against what the README's
 * comments say it gives and against what the service did, read back from CAP.
 *
 * What is changed for the run, and nothing else:
 * - a block's service URL (`https://host/odata/v4/catalog/`, `http://localhost:4004/...`) is
 *   replaced by the test's: a recording proxy in front of this file's CAP database, so that what a
 *   block's own client sent can be checked;
 * - the names a block uses without declaring them are bound: `client` and `books` to a client of
 *   CAP, `userInput`, `signal`, the reader's `store()`, `console` (to record what a block prints)
 *   and `edmxOrCsdlJsonText` (CAP's $metadata text);
 * - the $batch block runs a second time as a JSON batch, with `client.batch()` written as its
 *   comment says, `client.batch({ format: "json" })`;
 * - the writing block runs without its lines on `link`, `setLink`, `unlink` and the `Deputy`
 *   singleton, which CAP cannot answer: CAP 9 takes no `$ref` on these navigations
 *   (`POST Books(1)/reviews/$ref` is 400, `PUT` and `DELETE Books(1)/author/$ref` are 404) and
 *   CatalogService has no nullable singleton (test/writes.test.ts covers those calls on its own server);
 * - the $metadata block reads `metadata.xml` from the current directory, which the test makes a
 *   temporary one holding CAP's document.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { deepEqual as looseDeepEqual } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ODataClient, etagOf, type QueryPartition, type ServiceModel } from "../src/index.js";
import { startCap, type CapServer } from "./servers/cap.js";
import type { Author, Book } from "./servers/cap/types.js";
import { readmeBlock, readmeLines, recordingConsole, replacedIn, runReadme, startRecordingProxy, withoutLines, type ForwardedRequest } from "./readme-run.js";

let cap: CapServer;
let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;

before(async () => {
  cap = await startCap();
  proxy = await startRecordingProxy(cap.origin);
});
after(async () => {
  await proxy.close();
  await cap.stop();
});

/** The proxy's URL for a service root of CAP. */
const viaProxy = (serviceUrl: string): string => serviceUrl.replace(cap.origin, proxy.origin);
/** The requests the proxy forwarded from `index` on, their paths below the service root. */
function sentSince(index: number): ForwardedRequest[] {
  const root = new URL(cap.v4).pathname;
  return proxy.requests.slice(index).map((request) => ({ ...request, path: request.path.startsWith(root) ? request.path.slice(root.length) : request.path }));
}
/** A client of CAP that the blocks do not use: what it reads back is the service's state. */
const reader = (): ODataClient => new ODataClient({ serviceUrl: cap.v4, retry: false });
async function readJson(url: string): Promise<{ status: number; body: Record<string, unknown> | undefined }> {
  const answer = await fetch(url, { headers: { accept: "application/json" } });
  return { status: answer.status, body: answer.status === 200 ? ((await answer.json()) as Record<string, unknown>) : (await answer.body?.cancel(), undefined) };
}

test("Queries and traversal: the block's query gives the books CAP holds that match it, in its order", async () => {
  const block = replacedIn(readmeBlock('import { ODataClient, edm } from "traverse-odata";'), '"https://host/odata/v4/catalog/"', JSON.stringify(viaProxy(cap.v4)));
  const sent = proxy.requests.length;
  const { popular, page, all, first, n, one, title } = (await runReadme(block, { userInput: "and" })) as {
    popular: { url(): string };
    page: { value: Record<string, unknown>[]; count?: number; nextLink?: string };
    all: Record<string, unknown>[];
    first: Book;
    n: number;
    one: Book;
    title: unknown;
  };

  // What CAP holds, read whole and filtered here: stock above 0, a review rated 4 or more, "and" in the title.
  const { body } = await readJson(`${cap.v4}Books?$expand=reviews,author`);
  const everyBook = body!["value"] as { ID: number; title: string; stock: number; price: number; reviews: { rating: number }[]; author: { name: string } }[];
  const expected = everyBook
    .filter((b) => b.stock > 0 && b.reviews.some((r) => r.rating >= 4) && b.title.includes("and"))
    .sort((a, b) => Number(b.price) - Number(a.price))
    .map((b) => ({ ID: b.ID, title: b.title, author: { name: b.author.name } }));
  assert.deepEqual(expected.map((b) => b.ID), [4, 1], "the seed data gives War and Peace (16) only a 1-star review");
  const plain = (rows: Record<string, unknown>[]) => rows.map(({ ID, title, author }) => ({ ID, title, author: { name: (author as { name: string }).name } }));

  const { value, count, nextLink } = page;
  assert.deepEqual(plain(value), expected);
  assert.equal(count, expected.length);
  assert.equal(nextLink, undefined);
  assert.deepEqual(plain(all), expected);
  assert.equal(first.ID, everyBook[0]!.ID, "books.first() is the first book CAP sends");
  assert.equal(n, everyBook.filter((b) => b.stock === 0).length);
  assert.equal(one.ID, 1);
  assert.equal(one.title, "Pride and Prejudice");
  assert.equal(title, "Pride and Prejudice", "property(\"title\").get() is the value alone");

  // On the wire: the query's URL for page() and list(), $top=1 for first(), Books/$count with the filter, Books(1), Books(1)/title.
  const requests = sentSince(sent);
  const paths = requests.map((r) => decodeURIComponent(r.path));
  const queryPath = decodeURIComponent(popular.url()).slice(viaProxy(cap.v4).length);
  assert.deepEqual(paths, [queryPath, queryPath, "Books?$top=1", "Books/$count?$filter=stock eq 0", "Books(1)", "Books(1)/title"]);
  assert.match(queryPath, /^Books\?\$filter=.*reviews\/any\(r:r\/rating ge 4\).*contains\(title,'and'\)/);
  assert.match(queryPath, /\$select=ID,title&\$expand=author\(\$select=name\)&\$orderby=price desc&\$top=50&\$count=true$/);
  for (const request of requests.slice(0, 3)) assert.match(String(request.headers["prefer"]), /odata\.maxpagesize=1000/);
  assert.ok(requests.every((r) => r.method === "GET" && r.status === 200));
});

test("Writing entities: the block's writes reach CAP (all but link, setLink, unlink and Deputy) and read back as its comments say", async () => {
  const written = withoutLines(readmeBlock('import { ODataClient, ODataHttpError } from "traverse-odata";'), [
    "await books.key(1).link(",
    "await books.key(1).setLink(",
    "await books.key(1).unlink(",
    'const deputy = await client.singleton("Deputy"',
  ]);
  const block = replacedIn(written, '"http://localhost:4004/odata/v4/catalog/"', JSON.stringify(viaProxy(cap.v4)));
  const sent = proxy.requests.length;
  const { book, created, author, etag, bytes } = await runReadme(block);
  const requests = sentSince(sent);
  const find = (method: string, path: string, nth = 0) => {
    const found = requests.filter((r) => r.method === method && decodeURIComponent(r.path) === path)[nth];
    assert.ok(found, `no ${method} ${path} (nth ${nth}) among ${requests.map((r) => `${r.method} ${r.path}`).join(", ")}`);
    return found;
  };
  const books = reader().collection<Book>("Books");

  // update with the ETag of the read: applied; the same ETag again: 412, caught by the block.
  const firstPatch = find("PATCH", "Books(1)");
  assert.deepEqual(JSON.parse(firstPatch.body), { stock: 3 });
  assert.equal(firstPatch.headers["if-match"], etagOf(book));
  assert.equal(firstPatch.status, 200);
  const stalePatch = find("PATCH", "Books(1)", 1);
  assert.equal(stalePatch.headers["if-match"], etagOf(book));
  assert.equal(stalePatch.status, 412);
  assert.equal((await books.key(1).get()).stock, 3, "the stale update was refused");

  // create resolves with the entity; the nested review was created in the same request.
  assert.equal((created as Book).ID, 301);
  assert.equal((created as Book).title, "Emma");
  assert.deepEqual((await books.key(301).navigate("reviews").list()).map(({ ID, rating }) => ({ ID, rating })), [{ ID: 3011, rating: 5 }]);
  assert.equal(find("POST", "Books", 1).headers["prefer"], "return=minimal");
  assert.equal(find("POST", "Books", 1).status, 204);
  const loud = find("POST", "Books", 2);
  assert.deepEqual(String(loud.headers["prefer"]).split(/,\s*/).sort(), ['odata.include-annotations="*"', "return=representation"]);
  assert.equal((await books.key(303).get()).title, "Loud");

  // Books(302): changed and deleted with If-Match: *, so gone now.
  assert.equal(find("PATCH", "Books(302)").headers["if-match"], "*");
  assert.equal(find("DELETE", "Books(302)").headers["if-match"], "*");
  assert.equal((await readJson(`${cap.v4}Books(302)`)).status, 404);

  // The upsert is a PUT to a key CAP did not have.
  assert.equal(find("PUT", "Pairs(A=8,B='z')").status < 300, true);
  assert.equal((await readJson(`${cap.v4}Pairs(A=8,B='z')`)).body?.["label"], "eight");

  // POST Books(2)/reviews; GET Books(1)/author.
  assert.equal(find("POST", "Books(2)/reviews").status, 201);
  assert.ok((await books.key(2).navigate("reviews").list()).some((r) => r.ID === 3020 && r.rating === 4));
  find("GET", "Books(1)/author");
  assert.equal((author as { ID: string }).ID, "austen");

  assert.equal((await readJson(`${cap.v4}Settings`)).body?.["theme"], "dark");

  // PUT Photos(1)/content, whose answer's ETag the block gets; GET Photos(1)/$value gives it back.
  const put = find("PUT", "Photos(1)/content");
  assert.equal(put.body, "hello");
  assert.equal(put.headers["content-type"], "text/plain");
  find("GET", "Photos(1)/$value");
  assert.equal(new TextDecoder().decode(bytes as Uint8Array), "hello");
  assert.equal(typeof etag === "string" || etag === undefined, true);
  assert.equal(requests.filter((r) => r.status >= 400).length, 1, `only the stale update fails: ${requests.filter((r) => r.status >= 400).map((r) => `${r.method} ${r.path} ${r.status}`).join(", ")}`);
});

for (const format of ["multipart", "json"] as const) {
  test(`$batch: the block's batch, sent ${format === "json" ? "as a JSON batch" : "multipart as written"}, reads Books(1) and three cheap books and creates Ann with her book`, async () => {
    let block = readmeBlock("const batch = client.batch();");
    if (format === "json") block = replacedIn(block, "client.batch();", 'client.batch({ format: "json" });');
    // Each run creates Ann and her book 900: the other run's are deleted first.
    await reader().collection("Books").key(900).delete({ ifMatch: "*" }).catch(() => undefined);
    await reader().collection("Authors").key("ann").delete().catch(() => undefined);
    assert.equal((await readJson(`${cap.v4}Authors('ann')`)).status, 404);
    const client = new ODataClient({ serviceUrl: viaProxy(cap.v4), retry: false });
    const { console, lines } = recordingConsole();
    const sent = proxy.requests.length;
    const { cheap } = await runReadme(block, { client, books: client.collection<Book>("Books"), signal: AbortSignal.timeout(20_000), console });

    // One result per request, in order: the get, the page, the two creates; then the title of Books(1).
    assert.deepEqual(lines, [[200], [200], [201], [201], ["Pride and Prejudice"]]);
    const everyBook = await reader().collection<Book>("Books").list();
    const threeCheap = everyBook.filter((b) => Number(b.price) < 15).slice(0, 3).map((b) => b.ID);
    const cheapResult = (cheap as { result(): { ok: boolean; value: { value: Book[] } } }).result();
    assert.ok(cheapResult.ok);
    assert.deepEqual(cheapResult.value.value.map((b) => b.ID), threeCheap);

    // What CAP holds now: Ann, and her book created through $3/books.
    const ann = await reader().collection<Author>("Authors").key("ann").get();
    assert.equal(ann.name, "Ann");
    const annsBooks = await reader().collection<Author>("Authors").key("ann").navigate("books").list();
    assert.deepEqual(annsBooks.map((b) => [b.ID, b.title]), [[900, "Ann's first"]]);

    // On the wire: one $batch request of the format, whose fourth request is addressed as $3/books.
    const requests = sentSince(sent);
    assert.deepEqual(requests.map((r) => `${r.method} ${r.path}`), ["POST $batch"]);
    const [batchRequest] = requests;
    if (format === "json") {
      assert.match(String(batchRequest!.headers["content-type"]), /^application\/json/);
      const members = (JSON.parse(batchRequest!.body) as { requests: { id: string; method: string; url: string; atomicityGroup?: string }[] }).requests;
      assert.deepEqual(members.map((m) => `${m.method} ${m.url}`).slice(2), ["POST Authors", "POST $3/books"]);
      assert.equal(members[2]!.id, "3");
      assert.ok(members[2]!.atomicityGroup && members[2]!.atomicityGroup === members[3]!.atomicityGroup, "the creates are one changeset");
    } else {
      assert.match(String(batchRequest!.headers["content-type"]), /^multipart\/mixed; ?boundary=/);
      assert.match(batchRequest!.body, /Content-Type: multipart\/mixed; ?boundary=/, "the creates go in a changeset");
      assert.match(batchRequest!.body, /\r\nPOST \$3\/books HTTP\/1\.1\r\n/);
    }
  });
}

test("Parallel partitions: partitions(4) plans four key ranges of S3's readings, and partition(p) of each reads them all once", async () => {
  const block = replacedIn(readmeBlock('import { ODataClient, type QueryPartition } from "traverse-odata";'), '"https://host/odata/v4/catalog/"', JSON.stringify(viaProxy(cap.v4)));
  const stored: { ID: number; sensor: string }[] = [];
  const store = async (rows: unknown[]): Promise<void> => void stored.push(...(rows as { ID: number; sensor: string }[]));
  const sent = proxy.requests.length;
  const { plan } = (await runReadme(block, { store })) as { plan: QueryPartition[] };

  const s3 = await reader().collection("Readings").filter("sensor eq 'S3'").countAll();
  assert.equal(s3, 14_286, "CAP's readings of S3 are IDs 3, 10, 17 ... 99,999");
  assert.deepEqual(plan.map((p) => p.kind), ["key-range", "key-range", "key-range", "key-range"]);
  // The README's comment gives the first range as CAP's data make it: the 3,572nd reading of S3,
  // where the second range starts, is 25,000.
  const comment = /^\/\/ \[\{ kind: "key-range", filter: "(ID lt \d+)", url: "\.\.\.", estimatedCount: (\d+), \.\.\. \}, \.\.\.\]$/m.exec(block.code);
  assert.ok(comment, "the block's comment of the first range");
  assert.deepEqual(plan.map((p) => p.filter), [comment[1], "ID ge 25000 and ID lt 50004", "ID ge 50004 and ID lt 75001", "ID ge 75001"]);
  assert.equal(plan[0]!.filter, "ID lt 25000");
  assert.equal(plan[0]!.estimatedCount, Number(comment[2]));
  assert.equal(plan.reduce((sum, p) => sum + (p.estimatedCount ?? 0), 0), s3);
  // Every reading of sensor S3 was stored, once, and nothing else.
  assert.equal(stored.length, s3);
  assert.ok(stored.every((row) => row.sensor === "S3"));
  assert.equal(new Set(stored.map((row) => row.ID)).size, s3);

  // On the wire: $metadata once (the block's model), one $count, three probes, then each partition's url and its next links.
  const requests = sentSince(sent).map((r) => decodeURIComponent(r.path));
  assert.deepEqual(requests.slice(0, 5), [
    "$metadata",
    "Readings/$count?$filter=sensor eq 'S3'",
    ...[3571, 7143, 10714].map((skip) => `Readings?$filter=sensor eq 'S3'&$select=ID&$orderby=ID&$skip=${skip}&$top=1`),
  ]);
  const reads = requests.slice(5);
  for (const partition of plan) assert.ok(reads.includes(decodeURIComponent(partition.url).slice(viaProxy(cap.v4).length)), `${partition.url} was read`);
  assert.equal(reads.length, 4 + plan.reduce((sum, p) => sum + Math.floor((p.estimatedCount ?? 0) / 1000), 0), "a page of 1000 and its next links per partition");
  assert.ok(reads.every((path) => path.startsWith("Readings?$filter=(sensor eq 'S3') and (")));
});

test("$metadata: the block reads CatalogService's model from CAP, and parseMetadata gives the same one from its text and its file", async () => {
  const block = readmeBlock('import { readFile } from "node:fs/promises";');
  const client = new ODataClient({ serviceUrl: viaProxy(cap.v4), retry: false });
  const edmxOrCsdlJsonText = await (await fetch(`${cap.v4}$metadata`)).text();
  const directory = mkdtempSync(join(tmpdir(), "readme-metadata-"));
  writeFileSync(join(directory, "metadata.xml"), edmxOrCsdlJsonText);
  const sent = proxy.requests.length;
  const home = process.cwd();
  process.chdir(directory); // the block reads "metadata.xml" from the current directory
  let values: Record<string, unknown>;
  try {
    values = await runReadme(block, { client, edmxOrCsdlJsonText });
  } finally {
    process.chdir(home);
    rmSync(directory, { recursive: true, force: true });
  }
  const { model: m, set, type, offline, fromFile } = values as {
    model: ServiceModel;
    set: NonNullable<ReturnType<ServiceModel["entitySet"]>>;
    type: ReturnType<ServiceModel["entityTypeOf"]>;
    offline: ServiceModel;
    fromFile: ServiceModel;
  };
  assert.deepEqual(m.keyOf(type), [{ name: "ID", path: "ID" }]);
  const properties = m.propertiesOf(type).map((p) => `${p.name}: ${p.type}`);
  for (const property of ["ID: Edm.Int32", "title: Edm.String", "stock: Edm.Int32", "price: Edm.Decimal", "published: Edm.Date"]) assert.ok(properties.includes(property), `${property} in ${properties.join(", ")}`);
  // CAP annotates Books with Core.OptimisticConcurrency as an empty collection (its ETag is modifiedAt, sent as @odata.etag).
  assert.deepEqual(m.annotation(set, "Core.OptimisticConcurrency"), []);
  assert.deepEqual(m.etagProperties(set), []);
  assert.deepEqual(m.boundOperations(type).map((o) => `${o.kind} ${o.name}`), ["Action order", "Action touch", "Function discountedPrice"]);
  // Fetched once per client: the block's metadata() and a second call share one GET $metadata.
  assert.equal(await client.metadata(), m);
  assert.deepEqual(sentSince(sent).map((r) => `${r.method} ${r.path}`), ["GET $metadata"]);
  // One model from the client, the text and the file's bytes; plain JSON-serialisable data.
  const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
  looseDeepEqual(asJson(offline), offline, "JSON keeps every member of the model");
  assert.deepEqual(asJson(fromFile), asJson(offline));
  assert.deepEqual(asJson(m), asJson(offline));
});
