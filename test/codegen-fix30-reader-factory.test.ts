/**
 * `generate(model, { reader: true })` (`traverse-odata generate --reader`): a factory for an
 * `ODataReader` (traverse-odata/read). Before it, the factory took only an `ODataClient` and
 * imported from `traverse-odata`, so a read-only program could not use it (TS2345, and at run time
 * `client.function is not a function` on a reader). Checked on test/codegen/v4.xml: the generated
 * text (both forms), a program type-checked in memory with `new ODataReader(...)` (and a client,
 * which is a reader), the factory run against a node:http server, the command line's `--reader`,
 * and the bundle of such a program, which stays within the reader's modules.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";
import { ODataClient, parseMetadata } from "../src/index.js";
import { ODataReader } from "../src/read.js";
import { generate } from "../src/codegen/index.js";
import { sendJson, startServer } from "./servers/recording-server.js";
import { virtualDiagnostics, virtualFolder } from "./virtual-program.js";
import { importGenerated } from "./generated-module.js";
import { sourcePath } from "./bundle-size.js";
import { cliInProcess } from "./cli-in-process.js";

const { root: ROOT, virtual: VIRTUAL } = virtualFolder("codegen-fix30-reader-factory");
const FIXTURE = join(ROOT, "test", "codegen", "v4.xml");
const TEXT = readFileSync(FIXTURE, "utf8");
const MODEL = parseMetadata(TEXT);
const READ_URL = pathToFileURL(join(ROOT, "src", "read.js")).href;

/** The module specifiers of a generated file's import statements. */
function importedModules(text: string): string[] {
  return [...text.matchAll(/^import\b[^;]*?\bfrom\s+("[^"]*");$/gm)].map((match) => JSON.parse(match[1] as string) as string);
}

const USAGE = `import { ODataReader } from "../../../src/read.js";
import { ODataClient } from "../../../src/index.js";
import { shopService, type ShopService } from "./index.js";

export async function usage(): Promise<void> {
  const shop: ShopService = shopService(new ODataReader({ serviceUrl: "http://127.0.0.1/shop/" }));
  const rows: { ID: number; Title: string }[] = await shop.Books.select("ID", "Title").filter((f) => f.gt("ID", 1)).top(2).list();
  const featured: { Title: string } = await shop.Featured.select("Title").get();
  const stars: number | null = (await shop.Reviews.key({ BookID: 7, Number: 2 }).get()).Stars;
  const authors: string[] = (await shop.Books.key(7).navigate("Reviews").list()).map((r) => String(r.Number));
  // @ts-expect-error a reader calls no operation import, so the factory offers none
  void shop.CountBooks;
  // @ts-expect-error nor a bound function, which a read query does not have
  void shop.Books.key(7).function;
  // @ts-expect-error nor writes
  void shop.Books.create;
  // @ts-expect-error a property the entity type does not have
  void shop.Books.select("Missing");
  // An ODataClient is an ODataReader: the same factory takes it.
  const fromClient: ShopService = shopService(new ODataClient({ serviceUrl: "http://127.0.0.1/shop/" }));
  void [rows, featured, stars, authors, fromClient];
}
`;

describe("generate with reader: a factory for ODataReader", () => {
  test("index.ts: the factory takes an ODataReader, imports only from traverse-odata/read, gives read queries, and leaves the operation imports out, saying so in the header", () => {
    const text = generate(MODEL, { reader: true, source: { name: "v4.xml", text: TEXT } })["index.ts"] ?? "";
    const header = text.slice(0, text.indexOf("\n\n"));
    assert.match(header, /^\/\/ Made for ODataReader \(traverse-odata\/read, generate --reader\): the entity sets and singletons, to read\.$/m);
    assert.match(header, /^\/\/ Left out: the operation imports \(CountBooks, Lookup, Nearest, Restock, StockOn\), which a reader does not call\.$/m);
    assert.deepEqual(importedModules(text), ["traverse-odata/read"]);
    assert.match(text, /^import type \{ EdmValue, Entity, ODataReader, ReadCollectionQuery, ReadEntityQuery \} from "traverse-odata\/read";$/m);
    assert.doesNotMatch(text, /from "traverse-odata"/);
    assert.match(text, /^export function shopService\(reader: ODataReader\): ShopService \{$/m);
    assert.match(text, /^ {2}readonly Books: ReadCollectionQuery<Shop_Book>;$/m);
    assert.match(text, /^ {2}readonly Featured: ReadEntityQuery<Shop_Book>;$/m);
    // Nothing a reader lacks: no operation imports, no client's types, no calls of client-only methods.
    const code = text.split("\n").filter((line) => !/^\s*(?:\/\/|\/\*\*|\*)/.test(line)).join("\n");
    assert.doesNotMatch(code, /\b(?:ODataClient|CollectionQuery|EntityQuery|FunctionCall|ActionCall|edm|CountBooks|Restock|CountBooksParameters)\b|\.(?:function|action)\(/);
    // The entity types are those of the client's form: a program may switch between the two.
    const client = generate(MODEL, { source: { name: "v4.xml", text: TEXT } })["index.ts"] ?? "";
    const entity = (file: string) => file.slice(file.indexOf("/** Entity type Shop.Book. */"), file.indexOf("/** Entity type Shop.Review. */"));
    assert.equal(entity(text), entity(client));
  });

  test("--declarations form: index.d.ts imports from traverse-odata/read alone and declares the reader factory; index.js imports nothing and calls only collection() and singleton()", () => {
    const files = generate(MODEL, { reader: true, declarations: true });
    const declarations = files["index.d.ts"] ?? "";
    const script = files["index.js"] ?? "";
    assert.deepEqual(importedModules(declarations), ["traverse-odata/read"]);
    assert.match(declarations, /^export declare function shopService\(reader: ODataReader\): ShopService;$/m);
    assert.match(declarations, /^\/\/ Made for ODataReader /m);
    assert.deepEqual(importedModules(script), []);
    assert.match(script, /^\/\/ Made for ODataReader /m);
    assert.match(script, /^export function shopService\(reader\) \{$/m);
    assert.deepEqual([...new Set([...script.matchAll(/\breader\.(\w+)/g)].map((m) => m[1]))].sort(), ["collection", "ieee754Compatible", "singleton", "version"]);
  });

  test("a program made with new ODataReader(...) type-checks against both forms (and with an ODataClient, which is a reader); operation imports, bound calls and writes do not compile", () => {
    const importFrom = "../../../src/read.js";
    const files = new Map([
      [join(VIRTUAL, "ts", "index.ts"), generate(MODEL, { reader: true, importFrom })["index.ts"] ?? ""],
      [join(VIRTUAL, "ts", "usage.ts"), USAGE],
      [join(VIRTUAL, "dts", "index.d.ts"), generate(MODEL, { reader: true, importFrom, declarations: true })["index.d.ts"] ?? ""],
      [join(VIRTUAL, "dts", "usage.ts"), USAGE],
    ]);
    for (const [file, list] of virtualDiagnostics(files, VIRTUAL, ROOT, " ")) assert.deepEqual(list, [], file);
  });

  test("on the wire: the reader factory's sets, keys, navigation and singleton send the reads and give the rows, from index.ts and index.js, on a reader and on a client", async (t) => {
    const server = await startServer((request, res) => {
      const path = decodeURIComponent(request.path);
      if (path === "/shop/Books?$filter=ID gt 1&$select=ID,Title&$top=2") sendJson(res, 200, { "@odata.context": "$metadata#Books(ID,Title)", value: [{ ID: 2, Title: "Emma" }, { ID: 3, Title: "Persuasion" }] });
      else if (path === "/shop/Featured?$select=Title") sendJson(res, 200, { "@odata.context": "$metadata#Featured(Title)", Title: "Emma" });
      else if (path === "/shop/Reviews(BookID=7,Number=2)") sendJson(res, 200, { "@odata.context": "$metadata#Reviews/$entity", BookID: 7, Number: 2, Stars: 5 });
      else if (path === "/shop/Books(7)/Reviews") sendJson(res, 200, { "@odata.context": "$metadata#Reviews", value: [{ BookID: 7, Number: 1, Stars: 4 }] });
      else sendJson(res, 404, { error: { code: "404", message: `no ${path}` } });
    });
    t.after(() => server.close());

    type Query = { select(...f: string[]): Query; filter(f: (b: { gt(p: string, v: number): unknown }) => unknown): Query; top(n: number): Query; key(k: unknown): Query; navigate(n: string): Query; list(): Promise<unknown[]>; get(): Promise<unknown> };
    type Factory = { shopService(reader: ODataReader): Record<string, Query> };
    const ts = await importGenerated<Factory>(t, "index.ts", generate(MODEL, { reader: true, importFrom: READ_URL })["index.ts"] ?? "");
    const js = await importGenerated<Factory>(t, "index.js", generate(MODEL, { reader: true, declarations: true })["index.js"] ?? "");

    for (const [form, factory, made] of [
      ["index.ts on a reader", ts, new ODataReader({ serviceUrl: server.url("shop/") })],
      ["index.js on a reader", js, new ODataReader({ serviceUrl: server.url("shop/") })],
      ["index.ts on a client", ts, new ODataClient({ serviceUrl: server.url("shop/") })],
    ] as const) {
      server.requests.length = 0;
      const shop = factory.shopService(made);
      assert.equal("CountBooks" in shop || "Restock" in shop, false, form);
      const books = shop["Books"] as Query;
      assert.deepEqual(await books.select("ID", "Title").filter((f) => f.gt("ID", 1)).top(2).list(), [{ ID: 2, Title: "Emma" }, { ID: 3, Title: "Persuasion" }], form);
      assert.deepEqual(await (shop["Featured"] as Query).select("Title").get(), { Title: "Emma" }, form);
      assert.deepEqual(await (shop["Reviews"] as Query).key({ BookID: 7, Number: 2 }).get(), { BookID: 7, Number: 2, Stars: 5 }, form);
      assert.deepEqual(await books.key(7).navigate("Reviews").list(), [{ BookID: 7, Number: 1, Stars: 4 }], form);
      assert.deepEqual(
        server.requests.map((r) => `${r.method} ${decodeURIComponent(r.path)}`),
        ["GET /shop/Books?$filter=ID gt 1&$select=ID,Title&$top=2", "GET /shop/Featured?$select=Title", "GET /shop/Reviews(BookID=7,Number=2)", "GET /shop/Books(7)/Reviews"],
        form,
      );
      for (const request of server.requests) assert.match(request.headers.accept ?? "", /^application\/json\b/, form);
    }
    // The version check names what it was given.
    assert.throws(() => ts.shopService(new ODataReader({ serviceUrl: server.url("shop/"), version: "2.0" })), { name: "TypeError", message: /^shopService\(reader\): the types were generated from OData 4 \$metadata, but the reader speaks OData 2\.0/ });
  });

  test("OData v2: the reader factory of v2.xml type-checks on a v2 ODataReader, refuses a v4 one, and reads Customers as v2 JSON", async (t) => {
    const v2 = parseMetadata(readFileSync(join(ROOT, "test", "codegen", "v2.xml"), "utf8"));
    const text = generate(v2, { reader: true, importFrom: "../../../src/read.js" })["index.ts"] ?? "";
    assert.match(text, /^\/\/ Left out: the operation imports \(ClearDrafts, OpenOrders, Ping, Release, Reschedule, ResetLimit\), which a reader does not call\.$/m);
    const usage = `import { ODataReader } from "../../../src/read.js";
import { sALES_SRV_Entities } from "./index.js";
export async function usage(): Promise<string | null | undefined> {
  const sales = sALES_SRV_Entities(new ODataReader({ serviceUrl: "http://127.0.0.1/sales/", version: "2.0" }));
  // @ts-expect-error no function import on a reader
  void sales.OpenOrders;
  return (await sales.Customers.key("C1").select("Name").get()).Name;
}
`;
    const files = new Map([[join(VIRTUAL, "v2", "index.ts"), text], [join(VIRTUAL, "v2", "usage.ts"), usage]]);
    for (const [file, list] of virtualDiagnostics(files, VIRTUAL, ROOT, " ")) assert.deepEqual(list, [], file);

    const server = await startServer((request, res) => sendJson(res, 200, { d: { results: [{ __metadata: { type: "SALES_SRV.Customer" }, CustomerID: "C1", Name: "Ada" }] } }));
    t.after(() => server.close());
    type Factory = { sALES_SRV_Entities(reader: ODataReader): { Customers: { filter(f: (b: { eq(p: string, v: string): unknown }) => unknown): { list(): Promise<unknown[]> } } } };
    const factory = (await importGenerated<Factory>(t, "index.ts", generate(v2, { reader: true, importFrom: READ_URL })["index.ts"] ?? "")).sALES_SRV_Entities;
    assert.throws(() => factory(new ODataReader({ serviceUrl: server.url("sales/") })), { name: "TypeError", message: /^sALES_SRV_Entities\(reader\): .* but the reader speaks OData 4/ });
    const rows = await factory(new ODataReader({ serviceUrl: server.url("sales/"), version: "2.0" })).Customers.filter((f) => f.eq("Name", "Ada")).list();
    assert.deepEqual(rows, [{ __metadata: { type: "SALES_SRV.Customer" }, CustomerID: "C1", Name: "Ada" }]);
    assert.deepEqual(server.requests.map((r) => `${r.method} ${decodeURIComponent(r.path)}`), ["GET /sales/Customers?$filter=Name eq 'Ada'"]);
  });

  test("the command line's --reader writes the reader's file, the same as generate() gives", async () => {
    const folder = mkdtempSync(join(tmpdir(), "traverse-fix30-reader-"));
    try {
      const outcome = await cliInProcess(["generate", FIXTURE, "--out", join(folder, "shop"), "--reader"]);
      assert.equal(outcome.code, 0, outcome.stderr);
      assert.equal(readFileSync(join(folder, "shop", "index.ts"), "utf8"), generate(MODEL, { reader: true, source: { name: "v4.xml", text: TEXT } })["index.ts"]);
      const declared = await cliInProcess(["generate", FIXTURE, "--out", join(folder, "dts"), "--reader", "--declarations"]);
      assert.equal(declared.code, 0, declared.stderr);
      assert.match(readFileSync(join(folder, "dts", "index.d.ts"), "utf8"), /^export declare function shopService\(reader: ODataReader\): ShopService;$/m);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test("a program that uses the reader factory bundles none of the writing, operation, $batch or long-running-operation code", async () => {
    const folder = mkdtempSync(join(tmpdir(), "traverse-fix30-bundle-"));
    try {
      writeFileSync(join(folder, "index.ts"), generate(MODEL, { reader: true })["index.ts"] ?? "");
      writeFileSync(
        join(folder, "program.ts"),
        `import { ODataReader } from "traverse-odata/read";\nimport { shopService } from "./index.js";\nconst shop = shopService(new ODataReader({ serviceUrl: "https://example.com/shop/" }));\nfor await (const book of shop.Books.filter((f) => f.gt("ID", 1)).stream()) console.log(book.Title);\nconsole.log(await shop.Featured.get());\n`,
      );
      // The package's names resolve to the repository's sources: a value import of "traverse-odata"
      // by the generated file would bring the whole library in.
      const library: Plugin = {
        name: "traverse-odata-sources",
        setup(b) {
          b.onResolve({ filter: /^traverse-odata(?:\/read)?$/ }, (args) => ({ path: join(ROOT, "src", args.path === "traverse-odata" ? "index.ts" : "read.ts") }));
        },
      };
      const result = await build({
        entryPoints: [join(folder, "program.ts")],
        bundle: true,
        splitting: true,
        format: "esm",
        minify: true,
        target: "es2022",
        platform: "neutral",
        outdir: join(folder, "out"),
        write: false,
        metafile: true,
        logLevel: "silent",
        plugins: [library],
      });
      const sources = new Set<string>();
      for (const output of Object.values(result.metafile.outputs)) {
        for (const [input, use] of Object.entries(output.inputs)) {
          const source = use.bytesInOutput > 0 ? sourcePath(input) : undefined;
          if (source !== undefined) sources.add(source);
        }
      }
      assert.ok(sources.has("reader.ts") && sources.has("read/traversal.ts"), [...sources].join(", "));
      const outside = [...sources].filter((source) => /^(?:write|operations|batch|lro)\//.test(source) || ["client.ts", "index.ts", "resources/query.ts", "resources/writes.ts", "resources/partition.ts"].includes(source));
      assert.deepEqual(outside, []);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
