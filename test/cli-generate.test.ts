/**
 * `traverse-odata generate`: from a file and from the URLs of the CAP test service (v4, and v2
 * through the adapter, with no Accept-Language given: the client's default "en" is what makes the
 * adapter answer `$metadata`). The services generated from CAP (v4 as index.ts, v2 with
 * --declarations as index.d.ts and index.js) are compiled with tsc under strict options, together
 * with programs that use them, and the programs then run their reads, writes,
 * bound and unbound operations against CAP. From a profile, the `$metadata` request is checked on
 * the wire of a node:http server.
 */
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseMetadata } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import { startCap, type CapServer } from "./servers/cap.js";
import { startServer, sendJson, sendText, onlyRequest, type RecordingServer } from "./servers/recording-server.js";
import { ROOT, runCli, show, tempDir, writeFile } from "./cli-harness.js";

const TSC = createRequire(join(ROOT, "package.json")).resolve("typescript/bin/tsc");

/** Runs a program to its end; never rejects on a non-zero exit. */
function run(args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env["NODE_OPTIONS"];
    delete env["NODE_TEST_CONTEXT"];
    const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], timeout: 240_000 });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe("generate from a file", () => {
  const fixture = join(ROOT, "test", "codegen", "v4.xml");

  test("writes index.ts as generate() gives it, with the file's name and hash in the header, and --check passes on it", async () => {
    const out = tempDir();
    const written = await runCli(["generate", fixture, "--out", join(out, "shop"), "--name", "shop"]);
    assert.equal(written.code, 0, show(written));
    const text = readFileSync(fixture, "utf8");
    const expected = generate(parseMetadata(text), { name: "shop", source: { name: "v4.xml", text } })["index.ts"];
    assert.equal(readFileSync(join(out, "shop", "index.ts"), "utf8"), expected);
    const checked = await runCli(["generate", fixture, "--out", join(out, "shop"), "--name", "shop", "--check"]);
    assert.equal(checked.code, 0, show(checked));
    assert.match(checked.stderr, /up to date/);
  });

  test("--check exits with 1 and names the file when it differs or is missing, and writes nothing", async () => {
    const out = tempDir();
    assert.equal((await runCli(["generate", fixture, "--out", out])).code, 0);
    const path = join(out, "index.ts");
    const edited = `${readFileSync(path, "utf8")}// edited\n`;
    writeFileSync(path, edited);
    const stale = await runCli(["generate", fixture, "--out", out, "--check"]);
    assert.equal(stale.code, 1, show(stale));
    assert.match(stale.stderr, /index\.ts differs/);
    assert.equal(readFileSync(path, "utf8"), edited);
    // Other options give other files: --only is part of what is compared.
    assert.equal((await runCli(["generate", fixture, "--out", out])).code, 0);
    const narrower = await runCli(["generate", fixture, "--out", out, "--only", "Books", "--check"]);
    assert.equal(narrower.code, 1, show(narrower));
    const missing = await runCli(["generate", fixture, "--out", join(out, "none"), "--check"]);
    assert.equal(missing.code, 1, show(missing));
  });

  test("--declarations writes index.d.ts and index.js as generate() gives them and removes the index.ts of an earlier run; --check passes on them", async () => {
    const out = tempDir();
    assert.equal((await runCli(["generate", fixture, "--out", out, "--name", "shop"])).code, 0);
    const written = await runCli(["generate", fixture, "--out", out, "--name", "shop", "--declarations"]);
    assert.equal(written.code, 0, show(written));
    assert.match(written.stderr, /removed .*index\.ts of the other form/);
    const text = readFileSync(fixture, "utf8");
    const expected = generate(parseMetadata(text), { name: "shop", source: { name: "v4.xml", text }, declarations: true });
    assert.equal(readFileSync(join(out, "index.d.ts"), "utf8"), expected["index.d.ts"]);
    assert.equal(readFileSync(join(out, "index.js"), "utf8"), expected["index.js"]);
    assert.equal(existsSync(join(out, "index.ts")), false);
    const checked = await runCli(["generate", fixture, "--out", out, "--name", "shop", "--declarations", "--check"]);
    assert.equal(checked.code, 0, show(checked));
    // Without --declarations, the folder holds the other form.
    const otherForm = await runCli(["generate", fixture, "--out", out, "--name", "shop", "--check"]);
    assert.equal(otherForm.code, 1, show(otherForm));
    assert.match(otherForm.stderr, /index\.ts is missing;/);
    assert.match(otherForm.stderr, /index\.d\.ts, .*index\.js are left from the other form/);
  });

  test("without --declarations, writes index.ts and removes the index.d.ts and index.js of an earlier --declarations run", async () => {
    // The other direction of the switch above: left there, index.d.ts would stand beside index.ts.
    const out = tempDir();
    assert.equal((await runCli(["generate", fixture, "--out", out, "--name", "shop", "--declarations"])).code, 0);
    assert.equal(existsSync(join(out, "index.d.ts")) && existsSync(join(out, "index.js")), true);
    const written = await runCli(["generate", fixture, "--out", out, "--name", "shop"]);
    assert.equal(written.code, 0, show(written));
    assert.ok(written.stderr.includes(`; removed ${join(out, "index.d.ts")}, ${join(out, "index.js")} of the other form`), show(written));
    const text = readFileSync(fixture, "utf8");
    assert.equal(readFileSync(join(out, "index.ts"), "utf8"), generate(parseMetadata(text), { name: "shop", source: { name: "v4.xml", text } })["index.ts"]);
    assert.deepEqual(readdirSync(out).sort(), ["index.ts"]);
    const checked = await runCli(["generate", fixture, "--out", out, "--name", "shop", "--check"]);
    assert.equal(checked.code, 0, show(checked));
  });

  test("a file of the other form that the generator did not write is kept: the run does not remove it and --check does not report it", async () => {
    // Only a file that starts with the generator's header is its own: a hand-written index.ts
    // (or index.d.ts) in the folder is the user's, whatever its name.
    const out = tempDir();
    const handWritten = "// The shop's own entry point.\nexport const shop = 1;\n";
    writeFileSync(join(out, "index.ts"), handWritten);
    const declarations = await runCli(["generate", fixture, "--out", out, "--declarations"]);
    assert.equal(declarations.code, 0, show(declarations));
    assert.deepEqual(readdirSync(out).sort(), ["index.d.ts", "index.js", "index.ts"]);
    assert.equal(readFileSync(join(out, "index.ts"), "utf8"), handWritten);
    assert.match(declarations.stderr, /generate: wrote .*index\.d\.ts, .*index\.js from v4\.xml \(sha256 [0-9a-f]{12}\.\.\.\)\n/);
    assert.doesNotMatch(declarations.stderr, /removed/);
    const checked = await runCli(["generate", fixture, "--out", out, "--declarations", "--check"]);
    assert.equal(checked.code, 0, show(checked));
    assert.doesNotMatch(checked.stderr, /other form/);

    // In one folder, a generated index.js goes and a hand-written index.d.ts beside it stays.
    const mixed = tempDir();
    assert.equal((await runCli(["generate", fixture, "--out", mixed, "--declarations"])).code, 0);
    const ownDeclarations = "// Written by hand.\nexport declare const shop: number;\n";
    writeFileSync(join(mixed, "index.d.ts"), ownDeclarations);
    const written = await runCli(["generate", fixture, "--out", mixed]);
    assert.equal(written.code, 0, show(written));
    assert.ok(written.stderr.includes(`; removed ${join(mixed, "index.js")} of the other form`), show(written));
    assert.deepEqual(readdirSync(mixed).sort(), ["index.d.ts", "index.ts"]);
    assert.equal(readFileSync(join(mixed, "index.d.ts"), "utf8"), ownDeclarations);
  });

  test("--ieee754-compatible types v4 Int64 and Decimal as strings, and an Int64 key as an edm.* value (a string would be sent quoted)", async () => {
    const out = tempDir();
    const written = await runCli(["generate", fixture, "--out", out, "--ieee754-compatible"]);
    assert.equal(written.code, 0, show(written));
    const text = readFileSync(join(out, "index.ts"), "utf8");
    assert.match(text, /^ {2}Price: string \| null;$/m);
    assert.match(text, /^export type Shop_BookKey = EdmValue;$/m);
  });

  test("usage mistakes exit with 2 and say what was wrong", async () => {
    const noOut = await runCli(["generate", fixture]);
    assert.equal(noOut.code, 2, show(noOut));
    assert.match(noOut.stderr, /--out <dir> is required/);
    const badSet = await runCli(["generate", fixture, "--out", tempDir(), "--only", "Books,Bokks"]);
    assert.equal(badSet.code, 2, show(badSet));
    assert.match(badSet.stderr, /--only names "Bokks"/);
    const badName = await runCli(["generate", fixture, "--out", tempDir(), "--name", "my-shop"]);
    assert.equal(badName.code, 2, show(badName));
    assert.match(badName.stderr, /--name must be a JavaScript identifier/);
  });

  test("a metadata file that does not exist is named as a missing file, not looked up as a profile", async () => {
    const cwd = tempDir();
    for (const argument of ["nope.xml", "metadata.JSON", "service.edmx", join("missing", "v4"), "missing\\v4"]) {
      const missing = await runCli(["generate", argument, "--out", join(cwd, "out")], { cwd });
      assert.equal(missing.code, 2, show(missing));
      assert.ok(missing.stderr.includes(`generate: the file ${JSON.stringify(argument)} does not exist`), show(missing));
      assert.doesNotMatch(missing.stderr, /profile/);
      assert.equal(existsSync(join(cwd, "out")), false);
    }
    // A bare word is still a profile name.
    const profile = await runCli(["generate", "nope", "--out", join(cwd, "out")], { cwd });
    assert.equal(profile.code, 2, show(profile));
    assert.match(profile.stderr, /there is no profile named "nope"/);
  });
});

describe("generate from a profile", () => {
  const fixture = join(ROOT, "test", "codegen", "v4.xml");
  const metadata = readFileSync(fixture, "utf8");
  let server: RecordingServer;
  before(async () => {
    // Two services, so that the test sees which configuration file the URL came from.
    server = await startServer((request, res) => {
      if (request.path === "/project/$metadata" || request.path === "/other/$metadata") return sendText(res, 200, metadata, { "content-type": "application/xml" });
      sendJson(res, 404, { error: { code: "404", message: `no ${request.path}` } });
    });
  });
  after(() => server.close());

  test("the $metadata request carries the profile's headers and --header's, and the header names the service's $metadata", async () => {
    const cwd = tempDir();
    writeFile(join(cwd, "traverse-odata.config.json"), JSON.stringify({
      profiles: { shop: { url: server.url("project/"), headers: { "sap-client": "100", "x-api-key": { env: "SHOP_KEY" } } } },
    }));
    server.requests.length = 0;
    const written = await runCli(["generate", "shop", "--out", "src/shop", "--name", "shop", "-H", "x-tenant: acme"], { cwd, env: { SHOP_KEY: "k-123" } });
    assert.equal(written.code, 0, show(written));
    const request = onlyRequest(server);
    assert.equal(request.method, "GET");
    assert.equal(request.path, "/project/$metadata");
    assert.equal(request.headers["sap-client"], "100");
    assert.equal(request.headers["x-api-key"], "k-123");
    assert.equal(request.headers["x-tenant"], "acme");
    // The service's document, as generate() gives it for that source: the profile stands for its URL.
    const expected = generate(parseMetadata(metadata), { name: "shop", source: { name: server.url("project/$metadata"), text: metadata } })["index.ts"];
    assert.equal(readFileSync(join(cwd, "src", "shop", "index.ts"), "utf8"), expected);
  });

  test("--config names the file the profile is read from, instead of the project's traverse-odata.config.json", async () => {
    const cwd = tempDir();
    writeFile(join(cwd, "traverse-odata.config.json"), JSON.stringify({ profiles: { shop: { url: server.url("project/"), headers: { "sap-client": "100" } } } }));
    const config = writeFile(join(tempDir(), "profiles.json"), JSON.stringify({ profiles: { shop: { url: server.url("other/"), headers: { "sap-client": "200" } } } }));
    server.requests.length = 0;
    const written = await runCli(["generate", "shop", "--out", "src/shop", "--config", config, "--header", "x-tenant: acme"], { cwd });
    assert.equal(written.code, 0, show(written));
    const request = onlyRequest(server);
    assert.equal(request.path, "/other/$metadata");
    assert.equal(request.headers["sap-client"], "200");
    assert.equal(request.headers["x-tenant"], "acme");
    assert.equal(readFileSync(join(cwd, "src", "shop", "index.ts"), "utf8").split("\n")[0], `// Generated by traverse-odata generate from ${server.url("other/$metadata")}`);
  });
});

// The programs that use the generated services. Each prints what it read and got back as JSON.
const V4_PROGRAM = `import { ODataClient } from "SRC";
import { catalog, type Books, type BooksKey, type PairsKey } from "./v4/index.js";

const svc = catalog(new ODataClient({ serviceUrl: process.argv[2] ?? "" }));
const key: BooksKey = 1;
const book: Books = await svc.Books.key(key).get();
const title: string | null = book.title;
const page = await svc.Books.filter((f) => f.gt("stock", 0)).select("ID", "title").top(2).page();
const pairKey: PairsKey = { A: 1, B: "x" };
void pairKey;
await svc.Reviews.create({ ID: 9001, book_ID: 1, rating: 5, text: "generated" });
await svc.Reviews.key(9001).update({ rating: 4 });
const review = await svc.Reviews.key(9001).get();
await svc.Reviews.key(9001).delete();
// CAP asks for the ETag of the book read before.
const ordered = await svc.Books.key(1).action("CatalogService.order").invoke({ quantity: 1 }, { etag: book });
const discounted = await svc.Books.key(1).function("CatalogService.discountedPrice", { percent: 10 }).get();
const count: number | null | undefined = await svc.countBooks({ minStock: 1000 }).get();
const submitted = await svc.submitOrder.invoke({ book: 2, quantity: 1 });
const echoed: string | null | undefined = await svc.echo({ text: "it's" }).get();
const settings = await svc.Settings.get();
// @ts-expect-error minStock is a number
svc.countBooks({ minStock: "many" });
console.log(JSON.stringify({ title, page: page.value.map((b) => ({ ID: b.ID, title: b.title })), rating: review.rating, ordered, discounted, count, submitted, echoed, theme: typeof settings.theme }));
`;

const V2_PROGRAM = `import { ODataClient } from "SRC";
import { catalog, type Books } from "./v2/index.js";

const svc = catalog(new ODataClient({ serviceUrl: process.argv[2] ?? "", version: "2.0" }));
const book: Books = await svc.Books.key(1).get();
// v2 sends Edm.Decimal as a string.
const price: string | null = book.price;
const page = await svc.Books.filter((f) => f.gt("stock", 0)).select("ID", "title").top(2).page();
await svc.Reviews.create({ ID: 9002, book_ID: 1, rating: 5, text: "generated" });
await svc.Reviews.key(9002).update({ rating: 3 });
const review = await svc.Reviews.key(9002).get();
await svc.Reviews.key(9002).delete();
const count: number | null | undefined = await svc.countBooks({ minStock: 1000 }).get();
const submitted = await svc.submitOrder.invoke({ book: 2, quantity: 1 });
const ordered = await svc.Books_order.invoke({ ID: 1, quantity: 1 }, { ifMatch: "*" });
console.log(JSON.stringify({ title: book.title, price: typeof price, page: page.value.map((b) => ({ ID: b.ID, title: b.title })), rating: review.rating, count, submitted: submitted?.stock, ordered: ordered?.stock }));
`;

describe("generate against CAP", () => {
  let cap: CapServer;
  let work: string;
  let v4: Awaited<ReturnType<typeof runCli>>;
  let v2: Awaited<ReturnType<typeof runCli>>;

  before(async () => {
    cap = await startCap();
    work = tempDir();
    writeFileSync(join(work, "package.json"), JSON.stringify({ type: "module" }));
    const importFrom = relative(join(work, "v4"), join(ROOT, "src", "index.js"));
    [v4, v2] = await Promise.all([
      runCli(["generate", cap.v4, "--out", join(work, "v4"), "--name", "catalog", "--import-from", importFrom]),
      // The declarations form (index.d.ts and index.js), compiled and run as index.ts is.
      runCli(["generate", cap.v2, "--out", join(work, "v2"), "--name", "catalog", "--import-from", importFrom, "--declarations"]),
    ]);
  });

  after(async () => {
    await cap?.stop();
  });

  test("generating from the v4 and the v2 URL works: both exit 0, the v2 files name their source", () => {
    assert.equal(v4.code, 0, show(v4));
    assert.equal(v2.code, 0, show(v2));
    const header = readFileSync(join(work, "v2", "index.d.ts"), "utf8").split("\n")[0];
    assert.equal(header, `// Generated by traverse-odata generate from ${cap.v2}$metadata`);
    assert.equal(readFileSync(join(work, "v2", "index.js"), "utf8").split("\n")[0], header);
  });

  test("--check against the URL passes while the service is unchanged", async () => {
    const importFrom = relative(join(work, "v4"), join(ROOT, "src", "index.js"));
    const checked = await runCli(["generate", cap.v4, "--out", join(work, "v4"), "--name", "catalog", "--import-from", importFrom, "--check"]);
    assert.equal(checked.code, 0, show(checked));
  });

  test("the generated services compile under strict with programs that use them, which then read, write and call operations on CAP", async () => {
    const src = relative(work, join(ROOT, "src", "index.js"));
    writeFileSync(join(work, "v4.ts"), V4_PROGRAM.replace("SRC", `./${src}`));
    writeFileSync(join(work, "v2.ts"), V2_PROGRAM.replace("SRC", `./${src}`));
    writeFileSync(
      join(work, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "es2022",
          // As the repository compiles src: its own types, no DOM.
          lib: ["es2023"],
          module: "nodenext",
          moduleResolution: "nodenext",
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          noEmit: true,
          // So that the v2 service's index.d.ts is checked too, not only what the program uses of it.
          skipLibCheck: false,
          types: ["node"],
          typeRoots: [join(ROOT, "node_modules", "@types")],
        },
        files: ["v4.ts", "v2.ts"],
      }),
    );
    const compiled = await run([TSC, "-p", "tsconfig.json"], work);
    assert.equal(compiled.code, 0, compiled.output);

    // tsx is found from the repository (the programs import the library from its src).
    // One after the other: both change the stock of the same books.
    const ranV4 = await run(["--import", "tsx", join(work, "v4.ts"), cap.v4], ROOT);
    const ranV2 = await run(["--import", "tsx", join(work, "v2.ts"), cap.v2], ROOT);
    assert.equal(ranV4.code, 0, ranV4.output);
    assert.deepEqual(JSON.parse(ranV4.output), {
      title: "Pride and Prejudice",
      page: [{ ID: 1, title: "Pride and Prejudice" }, { ID: 2, title: "Emma" }],
      rating: 4,
      ordered: { stock: 36 },
      discounted: 11.08,
      count: 0,
      submitted: { stock: 23 },
      echoed: "it's",
      theme: "string",
    });
    assert.equal(ranV2.code, 0, ranV2.output);
    assert.deepEqual(JSON.parse(ranV2.output), {
      title: "Pride and Prejudice",
      price: "string",
      page: [{ ID: 1, title: "Pride and Prejudice" }, { ID: 2, title: "Emma" }],
      rating: 3,
      count: 0,
      submitted: 22,
      ordered: 35,
    });
  });
});
