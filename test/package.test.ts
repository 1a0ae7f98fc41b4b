/**
 * The package as a user gets it.
 *
 * `before` copies the repository as a fresh clone would have it (the files git tracks or would
 * track, so no `dist/`), runs a plain `npm pack` there with the environment of a user's shell,
 * installs the tarball offline into a new CommonJS consumer project and type-checks two small
 * consumer programs against it. The tests then look into the tarball, run the consumers with the
 * real Node binary against a node:http server on 127.0.0.1, and run publint and
 * arethetypeswrong on the tarball. One pack and one install serve every test.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, posix, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { startServer, sendJson, type RecordingServer } from "./servers/recording-server.js";
import { LIBRARY_VERSION } from "../src/options.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const requireFromRoot = createRequire(join(ROOT, "package.json"));
const TSC = requireFromRoot.resolve("typescript/bin/tsc");
const ATTW = join(dirname(requireFromRoot.resolve("@arethetypeswrong/cli/package.json")), "dist", "index.js");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

/** The outcome of one child process. */
interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a user's shell: without the `npm_*` variables `npm test` exports (its own
 * config, `ignore-scripts` included, would otherwise decide how the inner npm behaves) and without
 * this run's loader (`tsx` must not help the consumers load anything).
 */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(name) || name === "INIT_CWD" || name === "NODE_OPTIONS" || name === "NODE_TEST_CONTEXT") continue;
    env[name] = value;
  }
  return env;
}

/** Runs a program to its end (or kills it after `timeoutMs`); never rejects on a non-zero exit. */
function run(file: string, args: string[], cwd: string, timeoutMs = 180_000): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, args, { cwd, env: userEnv(), stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** A child's outcome for an assertion message. */
function show(name: string, result: Run): string {
  return `${name} exited with ${result.code}\n--- stdout\n${result.stdout.slice(-4000)}\n--- stderr\n${result.stderr.slice(-4000)}`;
}

/** Copies what a fresh clone of the repository holds: tracked and not-ignored files, as they are now. */
function copyRepository(target: string): void {
  const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" });
  for (const path of new Set(listed.split("\0").filter((entry) => entry !== ""))) {
    const from = join(ROOT, path);
    // Left out: files deleted in the working tree but not yet committed, and links to directories.
    if (!existsSync(from) || !statSync(from).isFile()) continue;
    mkdirSync(dirname(join(target, path)), { recursive: true });
    copyFileSync(from, join(target, path));
  }
  // What `npm ci` would install there; the build run by the pack needs TypeScript from it.
  symlinkSync(join(ROOT, "node_modules"), join(target, "node_modules"), "dir");
}

// The consumer programs. main.mts is ES module code checked under "nodenext" and "bundler";
// require.cts is CommonJS TypeScript (its import compiles to require()); main.cjs is plain
// CommonJS JavaScript, run as is.
const ESM_CONSUMER = `import { ODataClient, ODataClientError, ODataHttpError, parseMetadata, type Batch, type BatchResults, type EdmValue, type Page } from "traverse-odata";
import { generate, type GeneratedFiles } from "traverse-odata/codegen";
import { ODataReader, ODataClientError as ReaderClientError, type ReadCollectionQuery } from "traverse-odata/read";

interface Book { ID: number; title: string; stock: number }

const serviceUrl = process.argv[2];
if (serviceUrl === undefined) throw new Error("usage: node main.mjs <serviceUrl>");

const books = new ODataClient({ serviceUrl }).collection<Book>("Books");
const page: Page<Pick<Book, "ID" | "title">> = await books.filter((f) => f.gt("stock", 0)).select("ID", "title").top(2).page();

// Only the shipped declarations know that Book has no "price"; untyped, this line would compile.
// @ts-expect-error "price" is not a field of Book
books.select("price");

let missing: { status: number; isClientError: boolean } | undefined;
try {
  await books.key(99).get();
} catch (error) {
  if (!(error instanceof ODataHttpError)) throw error;
  missing = { status: error.status, isClientError: error instanceof ODataClientError };
}
// The generator's entry point: a model in, the files out.
const edmx = '<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0"><edmx:DataServices>' +
  '<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="Shop"><EntityType Name="Item"><Key><PropertyRef Name="ID"/></Key>' +
  '<Property Name="ID" Type="Edm.Int32" Nullable="false"/></EntityType><EntityContainer Name="Shop"><EntitySet Name="Items" EntityType="Shop.Item"/></EntityContainer></Schema>' +
  '</edmx:DataServices></edmx:Edmx>';
const files: GeneratedFiles = generate(parseMetadata(edmx));
// The reader of traverse-odata/read: the same reading, typed by the shipped declarations, and no writes.
const readerBooks: ReadCollectionQuery<Book, "title"> = new ODataReader({ serviceUrl }).collection<Book>("Books").select("title").top(2);
const readerTitles = (await readerBooks.list()).map((book) => book.title);
console.log(JSON.stringify({ titles: page.value.map((book) => book.title), missing, generated: Object.keys(files), factory: /export function shop\\(client: ODataClient\\)/.test(files["index.ts"] ?? ""), readerTitles, sameErrorClass: ReaderClientError === ODataClientError }));

// A batch handle's type reaches its result through the shipped declarations: \`value\` is a Book.
export function titleIn(batch: Batch, results: BatchResults): string | undefined {
  const result = results.of(batch.get(books.key(1)));
  return result.ok ? result.value.title : undefined;
}

// Only the client makes queries: the package exports their class as a type, with no value to call.
// @ts-expect-error CollectionQuery is not a value of the package
export type QueryConstructor = (typeof import("traverse-odata"))["CollectionQuery"];

// A reader's queries read and do not write.
// @ts-expect-error create is not a method of a reader's query
export type ReaderCreate = ReadCollectionQuery<Book>["create"];

// Only edm.* makes an EdmValue: a look-alike (a JSON copy of one) is none, in the shipped types as
// in the source, where key() would write its members as a key of two parts.
// @ts-expect-error a plain object is no EdmValue
export const forged: EdmValue = { type: "Edm.Guid", text: "0a0b0c0d-0000-0000-0000-000000000000" };
`;

// A library of the consumer's own that exports expanded queries, rows and entity inputs, and a
// program built on the declaration file the compiler writes for it: that file must name only what
// the package exports, with every type argument resolved (TypeScript wrote `Omit<{}, N>` there
// once), and no key it cannot name (an entity shape's symbol, written out in mapped types once).
const LIBRARY = `import { ODataClient, type Entity, type EntityInput } from "traverse-odata";
import { ODataReader } from "traverse-odata/read";

interface Author { ID: number; name: string; books?: Book[] }
export interface Book { ID: number; title: string; author?: Author | null }
// Entity types with a shape, as generate writes them: an open one (OpenType="true") and a closed one.
export interface Thing extends Entity<{ key: "ID"; navigation: "parent" }> { ID: number; name: string; parent?: Thing | null; [property: string]: unknown }
export interface Shelf extends Entity<{ key: "ID"; navigation: never }> { ID: number; label: string }

const serviceUrl = "https://example.com/odata/v4/catalog/";
const books = new ODataClient({ serviceUrl }).collection<Book>("Books");
export const withAuthor = books.expand("author");
export const nested = books.select("ID").expand("author", (a) => a.select("name").expand("books", (b) => b.select("title")));
export const replaced = books.expand("author").expand("author", (a) => a.select("ID"));
export const oneBook = books.key(1).expand("author");
// A path into an earlier expand of its first segment, and an expand's computed alias.
export const merged = books.expand("author", (a) => a.select("name")).expand("author/books", (b) => b.select("title"));
export const computed = books.expand("author", (a) => a.compute("ID mul 2 as double").select("double"));
export const readerBooks = new ODataReader({ serviceUrl }).collection<Book>("Books").expand("author");
const things = new ODataClient({ serviceUrl }).collection<Thing>("Things");
export async function firstThing() { return things.expand("parent").first(); }
export async function anyThing() { return things.select("*").first(); }
export function draftShelf(label: string) { const body: EntityInput<Shelf> = { label }; return body; }
`;

const LIBRARY_USER = `import { anyThing, computed, draftShelf, firstThing, merged, nested, oneBook, readerBooks, replaced, withAuthor } from "./library-types/library.mjs";

export async function names(): Promise<string[]> {
  const out: string[] = [];
  for await (const book of withAuthor) out.push(book.title, book.author?.name ?? "");
  for await (const book of nested) out.push(String(book.ID), ...(book.author?.books ?? []).map((related) => related.title));
  for await (const book of readerBooks) out.push(book.author?.name ?? "");
  const one = await oneBook.get();
  out.push(one.author?.name ?? "");
  for await (const book of replaced) {
    out.push(String(book.author?.ID));
    // @ts-expect-error the later expand selected only the author's ID
    out.push(book.author?.name ?? "");
  }
  // @ts-expect-error only the book's ID was selected, beside the expanded author
  for await (const book of nested) out.push(book.title);
  for await (const book of merged) out.push(book.author?.name ?? "", ...(book.author?.books ?? []).map((related) => related.title));
  for await (const book of computed) out.push(String(book.author?.double));
  const thing = await firstThing();
  out.push(thing?.name ?? "", thing?.parent?.name ?? "", String(thing?.["colour"]));
  out.push((await anyThing())?.name ?? "");
  const shelf = draftShelf("new");
  // An input's string property also takes a Date, bytes or an edm.* value (EntityInputValue).
  out.push(typeof shelf.label === "string" ? shelf.label : "");
  // @ts-expect-error a shelf has no title
  out.push(shelf.title);
  return out;
}
`;

const CJS_TS_CONSUMER = `import { ODataClient, ODataHttpError, type Page } from "traverse-odata";

interface Book { ID: number; title: string }

export async function titles(serviceUrl: string): Promise<string[]> {
  const page: Page<Book> = await new ODataClient({ serviceUrl }).collection<Book>("Books").top(2).page();
  return page.value.map((book) => book.title);
}

export function statusOf(error: unknown): number | undefined {
  return error instanceof ODataHttpError ? error.status : undefined;
}
`;

const CJS_CONSUMER = `"use strict";
const { ODataClient, ODataClientError, ODataHttpError } = require("traverse-odata");
const { version } = require("traverse-odata/package.json");

async function main() {
  const books = new ODataClient({ serviceUrl: process.argv[2] }).collection("Books");
  const page = await books.top(2).page();
  let status;
  try {
    await books.key(99).get();
  } catch (error) {
    if (!(error instanceof ODataHttpError)) throw error;
    status = error.status;
  }
  const { generate } = require("traverse-odata/codegen");
  const read = require("traverse-odata/read");
  const imported = await import("traverse-odata");
  console.log(JSON.stringify({
    version,
    titles: page.value.map((book) => book.title),
    status,
    sameModule: imported.ODataClientError === ODataClientError && imported.ODataClient === ODataClient,
    codegen: typeof generate,
    readerIsClientBase: new ODataClient({ serviceUrl: process.argv[2] }) instanceof read.ODataReader && read.ODataClientError === ODataClientError,
  }));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;

/**
 * Strict consumer options, as the issue asks: strict and exactOptionalPropertyTypes, libraries
 * checked too: the package's declarations and @types/node. TypeScript's own lib files
 * (lib.dom.d.ts and the like) are left out: they come checked with TypeScript and say nothing about
 * this package, and checking them took a quarter of each check's time.
 */
const STRICT = {
  target: "es2022",
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  skipLibCheck: false,
  skipDefaultLibCheck: true,
  types: ["node"],
  typeRoots: [join(ROOT, "node_modules", "@types")],
};

let work: string;
let source: string;
let consumer: string;
let server: RecordingServer;
let tarball: string;
let packedFiles: string[];
let nodenextCheck: Run;
let bundlerCheck: Run;
let libraryEmit: Run;
let libraryUse: Run;

before(async () => {
  work = mkdtempSync(join(tmpdir(), "traverse-package-"));
  source = join(work, "source");
  consumer = join(work, "consumer");
  copyRepository(source);
  assert.equal(existsSync(join(source, "dist")), false, "the fresh copy must not hold a build");

  const pack = await run(NPM, ["pack", "--json", "--pack-destination", work], source);
  assert.equal(pack.code, 0, show("npm pack", pack));
  const report = JSON.parse(pack.stdout.slice(pack.stdout.indexOf("["))) as { filename: string; files: { path: string }[] }[];
  const packed = report[0];
  assert.ok(packed, show("npm pack", pack));
  tarball = join(work, packed.filename);
  packedFiles = packed.files.map((file) => file.path).sort();

  mkdirSync(consumer);
  writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true, type: "commonjs" }, null, 2));
  // The package has no runtime dependency, so the install needs no registry.
  const install = await run(NPM, ["install", "--offline", "--no-audit", "--no-fund", tarball], consumer);
  assert.equal(install.code, 0, show("npm install <tarball>", install));

  writeFileSync(join(consumer, "main.mts"), ESM_CONSUMER);
  writeFileSync(join(consumer, "require.cts"), CJS_TS_CONSUMER);
  writeFileSync(join(consumer, "main.cjs"), CJS_CONSUMER);
  writeFileSync(
    join(consumer, "tsconfig.nodenext.json"),
    JSON.stringify({ compilerOptions: { ...STRICT, module: "nodenext", moduleResolution: "nodenext", outDir: "out" }, files: ["main.mts", "require.cts"] }, null, 2),
  );
  writeFileSync(
    join(consumer, "tsconfig.bundler.json"),
    JSON.stringify({ compilerOptions: { ...STRICT, module: "preserve", moduleResolution: "bundler", noEmit: true }, files: ["main.mts"] }, null, 2),
  );
  writeFileSync(join(consumer, "library.mts"), LIBRARY);
  writeFileSync(join(consumer, "library-user.mts"), LIBRARY_USER);
  writeFileSync(
    join(consumer, "tsconfig.library.json"),
    JSON.stringify({ compilerOptions: { ...STRICT, module: "nodenext", moduleResolution: "nodenext", declaration: true, emitDeclarationOnly: true, outDir: "library-types" }, files: ["library.mts"] }, null, 2),
  );
  writeFileSync(
    join(consumer, "tsconfig.library-user.json"),
    JSON.stringify({ compilerOptions: { ...STRICT, module: "nodenext", moduleResolution: "nodenext", noEmit: true }, files: ["library-user.mts"] }, null, 2),
  );
  const emitThenUse = async (): Promise<[Run, Run]> => {
    const emitted = await run(process.execPath, [TSC, "-p", "tsconfig.library.json"], consumer);
    return [emitted, await run(process.execPath, [TSC, "-p", "tsconfig.library-user.json"], consumer)];
  };
  [nodenextCheck, bundlerCheck, [libraryEmit, libraryUse]] = await Promise.all([
    run(process.execPath, [TSC, "-p", "tsconfig.nodenext.json"], consumer),
    run(process.execPath, [TSC, "-p", "tsconfig.bundler.json"], consumer),
    emitThenUse(),
  ]);

  server = await startServer((request, res) => {
    const { pathname } = new URL(request.path, "http://127.0.0.1");
    if (pathname.endsWith("/Books(99)")) return sendJson(res, 404, { error: { code: "NOT_FOUND", message: "There is no book 99" } });
    if (pathname.endsWith("/Books")) {
      return sendJson(res, 200, { "@odata.context": "$metadata#Books", value: [{ ID: 1, title: "Emma" }, { ID: 2, title: "Persuasion" }] });
    }
    sendJson(res, 404, { error: { code: "NO_ROUTE", message: pathname } });
  });
});

after(async () => {
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The requests the server saw under one service root, as method and decoded path and query. */
function requestsUnder(prefix: string): { method: string; path: string; query: Record<string, string> }[] {
  return server.requests
    .filter((request) => request.path.startsWith(prefix))
    .map((request) => {
      const url = new URL(request.path, "http://127.0.0.1");
      return { method: request.method, path: decodeURIComponent(url.pathname), query: Object.fromEntries(url.searchParams) };
    });
}

test("npm pack in a fresh clone builds dist and ships it with a declaration file for every module", () => {
  const modules = packedFiles.filter((path) => path.endsWith(".js"));
  assert.ok(modules.includes("dist/index.js"), `dist/index.js is not in the tarball; it holds: ${packedFiles.join(", ")}`);
  for (const module of modules) {
    assert.ok(packedFiles.includes(module.replace(/\.js$/, ".d.ts")), `${module} ships without its .d.ts`);
  }
  const outsideDist = packedFiles.filter((path) => !path.startsWith("dist/"));
  assert.deepEqual(outsideDist, ["LICENSE", "README.md", "package.json"]);
  // The unit tests that sit beside their sources (src/util/*.test.ts) are not built or shipped.
  assert.ok(packedFiles.some((path) => path.startsWith("dist/util/")), "the tarball holds no dist/util/ modules");
  assert.deepEqual(packedFiles.filter((path) => /\.test\./.test(path)), [], "test modules in the tarball");
  // The build ran inside the pack: the copy had no dist before it.
  assert.ok(existsSync(join(source, "dist", "index.d.ts")), "npm pack did not build dist in the fresh copy");
});

test("every source map in the package resolves: its sources are shipped or inlined, and match src", () => {
  const installed = join(consumer, "node_modules", "traverse-odata");
  const maps = packedFiles.filter((path) => path.endsWith(".js.map"));
  const modules = packedFiles.filter((path) => path.endsWith(".js"));
  assert.ok(maps.length > 0 && maps.length === modules.length, `expected one map per module, got ${maps.length} maps for ${modules.length} modules`);
  for (const module of modules) {
    const reference = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(join(installed, module), "utf8"));
    assert.ok(reference?.[1], `${module} names no source map`);
    const mapPath = posix.join(posix.dirname(module), reference[1]);
    assert.ok(packedFiles.includes(mapPath), `${module} names ${mapPath}, which is not in the package`);
  }
  for (const mapPath of maps) {
    const map = JSON.parse(readFileSync(join(installed, mapPath), "utf8")) as { sources: string[]; sourceRoot?: string; sourcesContent?: (string | null)[] };
    assert.ok(map.sources.length > 0, `${mapPath} names no source`);
    map.sources.forEach((name, index) => {
      const relative = posix.join(posix.dirname(mapPath), map.sourceRoot ?? "", name);
      const inlined = map.sourcesContent?.[index];
      if (packedFiles.includes(relative)) return;
      assert.equal(typeof inlined, "string", `${mapPath} names ${name}, which is neither in the package nor inlined`);
      // The inlined text is the source the module was compiled from.
      assert.equal(inlined, readFileSync(join(source, relative), "utf8"), `${mapPath} inlines a text that differs from ${relative}`);
    });
  }
});

test("no dependency install script runs in the repository, yet npm pack runs its prepack", async () => {
  // The repository's own script ran: the first test sees dist built inside the pack. Dependencies:
  // nothing with an install script is approved or left unreviewed...
  const manifest = JSON.parse(readFileSync(join(source, "package.json"), "utf8")) as { allowScripts?: Record<string, boolean> };
  assert.ok(manifest.allowScripts && Object.keys(manifest.allowScripts).length > 0, "package.json has no allowScripts policy");
  assert.deepEqual(Object.values(manifest.allowScripts).filter((allowed) => allowed !== false), [], "allowScripts approves a script");
  const pending = await run(NPM, ["install-scripts", "ls", "--json"], source);
  assert.equal(pending.code, 0, show("npm install-scripts ls", pending));
  assert.deepEqual((JSON.parse(pending.stdout) as { allowScripts: unknown[] }).allowScripts, []);

  // ...and under the repository's .npmrc a new dependency with an install script stops the install
  // before its script runs.
  const project = join(work, "scripts-policy");
  const dependency = join(project, "scripted");
  const marker = join(project, "script-ran");
  mkdirSync(dependency, { recursive: true });
  copyFileSync(join(source, ".npmrc"), join(project, ".npmrc"));
  const writeMarker = `node -e "require('node:fs').writeFileSync('${marker.replaceAll("\\", "/")}', '')"`;
  writeFileSync(join(dependency, "package.json"), JSON.stringify({ name: "scripted", version: "1.0.0", scripts: { postinstall: writeMarker } }));
  const ranByHand = await run(NPM, ["run", "postinstall"], dependency);
  assert.ok(ranByHand.code === 0 && existsSync(marker), show("the script by hand", ranByHand));
  rmSync(marker);
  const packedDependency = await run(NPM, ["pack", "--pack-destination", project], dependency);
  assert.equal(packedDependency.code, 0, show("npm pack (dependency)", packedDependency));
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "policy", version: "1.0.0", private: true, dependencies: { scripted: "file:scripted-1.0.0.tgz" } }));
  const install = await run(NPM, ["install", "--offline", "--no-audit", "--no-fund"], project);
  assert.notEqual(install.code, 0, show("npm install (scripted dependency)", install));
  assert.match(install.stderr, /ESTRICTALLOWSCRIPTS/, show("npm install (scripted dependency)", install));
  assert.equal(existsSync(marker), false, "the dependency's postinstall ran");
});

test("the User-Agent names the version package.json gives (an `npm version` must bring src/options.ts along)", () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
  assert.equal(LIBRARY_VERSION, version);
});

test("the package ships a LICENSE with the Apache License 2.0 text that package.json names", () => {
  assert.ok(packedFiles.includes("LICENSE"), "the tarball has no LICENSE");
  const installed = join(consumer, "node_modules", "traverse-odata");
  const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as { license?: string };
  assert.equal(manifest.license, "Apache-2.0");
  const shipped = readFileSync(join(installed, "LICENSE"), "utf8");
  assert.equal(shipped, readFileSync(join(ROOT, "LICENSE"), "utf8"));
  // Another copy of the same license text, from a dependency that is itself Apache-2.0; only the
  // layout may differ, every word of the terms must be the same.
  const reference = readFileSync(requireFromRoot.resolve("@cap-js/sqlite/LICENSE"), "utf8");
  const words = (text: string) => text.split(/\s+/).filter((word) => word !== "").join(" ");
  assert.match(shipped, /^\s*Apache License\s+Version 2\.0, January 2004/);
  assert.equal(words(shipped), words(reference));
});

test("a TypeScript consumer type-checks against the package under nodenext (ESM and CommonJS files)", () => {
  assert.equal(nodenextCheck.code, 0, show("tsc -p tsconfig.nodenext.json", nodenextCheck));
});

test("a TypeScript consumer type-checks against the package under bundler", () => {
  assert.equal(bundlerCheck.code, 0, show("tsc -p tsconfig.bundler.json", bundlerCheck));
});

test("a library that exports expanded queries emits a declaration file that compiles, naming only the package's exports", () => {
  assert.equal(libraryEmit.code, 0, show("tsc -p tsconfig.library.json", libraryEmit));
  const declarations = readFileSync(join(consumer, "library-types", "library.d.mts"), "utf8");
  // Every type the file borrows comes from the package's entry points, none from a path inside it.
  const borrowed = [...declarations.matchAll(/import\("([^"]+)"/g)].map((match) => match[1]);
  assert.ok(borrowed.length > 0, declarations);
  for (const from of borrowed) assert.ok(from === "traverse-odata" || from === "traverse-odata/read", `${from} in\n${declarations}`);
  assert.match(declarations, /Unexpanded<\{\}, "author">/);
  // Not Omit<{}, N>, whose N TypeScript left unresolved in such a file (an Omit of resolved
  // arguments, as a path merged into an earlier expand writes one, compiles).
  assert.doesNotMatch(declarations, /Omit<\{\}, /);
  // The program built on that file sees the rows the library's queries give.
  assert.equal(libraryUse.code, 0, show("tsc -p tsconfig.library-user.json", libraryUse));
});

test("the compiled ES module consumer reads from a server through the installed package", async () => {
  const result = await run(process.execPath, [join(consumer, "out", "main.mjs"), server.url("esm/")], consumer, 30_000);
  assert.equal(result.code, 0, show("node out/main.mjs", result));
  assert.deepEqual(JSON.parse(result.stdout), {
    titles: ["Emma", "Persuasion"],
    missing: { status: 404, isClientError: true },
    generated: ["index.ts"],
    factory: true,
    readerTitles: ["Emma", "Persuasion"],
    sameErrorClass: true,
  });
  assert.deepEqual(requestsUnder("/esm/"), [
    { method: "GET", path: "/esm/Books", query: { $filter: "stock gt 0", $select: "ID,title", $top: "2" } },
    { method: "GET", path: "/esm/Books(99)", query: {} },
    { method: "GET", path: "/esm/Books", query: { $select: "title", $top: "2" } },
  ]);
});

test("require('traverse-odata') works in a CommonJS file and gives the same module instance as import", async () => {
  const result = await run(process.execPath, [join(consumer, "main.cjs"), server.url("cjs/")], consumer, 30_000);
  assert.equal(result.code, 0, show("node main.cjs", result));
  const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
  // sameModule: one copy of the library, so instanceof holds whichever way an error's class was loaded.
  assert.deepEqual(JSON.parse(result.stdout), { version: manifest.version, titles: ["Emma", "Persuasion"], status: 404, sameModule: true, codegen: "function", readerIsClientBase: true });
  assert.deepEqual(requestsUnder("/cjs/"), [
    { method: "GET", path: "/cjs/Books", query: { $top: "2" } },
    { method: "GET", path: "/cjs/Books(99)", query: {} },
  ]);
});

test("where Node cannot require an ES module, require('traverse-odata') fails with ERR_REQUIRE_ESM", async () => {
  // --no-experimental-require-module gives the behaviour of Node 20 before 20.19 and 22 before 22.12.
  const result = await run(process.execPath, ["--no-experimental-require-module", join(consumer, "main.cjs"), server.url("old-node/")], consumer, 30_000);
  assert.notEqual(result.code, 0, show("node --no-experimental-require-module main.cjs", result));
  assert.match(result.stderr, /ERR_REQUIRE_ESM/, show("node --no-experimental-require-module main.cjs", result));
  assert.deepEqual(requestsUnder("/old-node/"), []);
});

test("the package's bin: npx traverse-odata runs the compiled command line, and its serve runs the demo service it ships", async () => {
  const bin = join(consumer, "node_modules", ".bin", "traverse-odata");
  assert.ok(existsSync(bin), "npm install linked no traverse-odata bin");
  assert.ok(statSync(bin).mode & 0o111, "the bin is not executable");
  assert.ok(readFileSync(join(consumer, "node_modules", "traverse-odata", "dist", "cli", "main.js"), "utf8").startsWith("#!/usr/bin/env node\n"));
  const NPX = process.platform === "win32" ? "npx.cmd" : "npx";
  const version = await run(NPX, ["--offline", "traverse-odata", "--version"], consumer, 60_000);
  assert.equal(version.code, 0, show("npx traverse-odata --version", version));
  assert.equal(version.stdout.trim(), (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version);
  // In a clone, once built (the pack above built the fresh copy), npx runs the repository's own bin.
  const inClone = await run(NPX, ["--offline", "traverse-odata", "--version"], source, 60_000);
  assert.equal(inClone.code, 0, show("npx traverse-odata --version in the clone", inClone));
  assert.equal(inClone.stdout, version.stdout);
  const query = await run(NPX, ["--offline", "traverse-odata", "query", server.url("bin/"), "Books", "--format", "ndjson", "--select", "ID,title"], consumer, 60_000);
  assert.equal(query.code, 0, show("npx traverse-odata query", query));
  assert.deepEqual(query.stdout.trimEnd().split("\n").map((line) => JSON.parse(line)), [{ ID: 1, title: "Emma" }, { ID: 2, title: "Persuasion" }]);
  assert.deepEqual(requestsUnder("/bin/").filter((r) => r.path.endsWith("/Books")), [{ method: "GET", path: "/bin/Books", query: { $select: "ID,title" } }]);

  // serve: the bin itself (a node process, through its shebang), stopped with Ctrl-C.
  const serve = spawn(bin, ["serve", "--port", "0", "--products", "3"], { cwd: consumer, env: userEnv(), stdio: ["ignore", "pipe", "pipe"] });
  const line = await new Promise<string>((resolveLine, reject) => {
    let text = "";
    serve.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      text += chunk;
      if (text.includes("\n")) resolveLine(text.split("\n")[0] as string);
    });
    serve.once("exit", (code) => reject(new Error(`serve exited with ${code} before listening`)));
  });
  try {
    assert.match(line, /^http:\/\/127\.0\.0\.1:\d+\/odata\/v4\/demo\/$/);
    const count = await run(NPX, ["--offline", "traverse-odata", "count", line, "Products"], consumer, 60_000);
    assert.equal(count.stdout, "3\n", show("npx traverse-odata count", count));
  } finally {
    const exited = new Promise((resolveExit) => serve.once("exit", resolveExit));
    serve.kill("SIGINT");
    assert.equal(await exited, 0);
  }
});

test("publint finds nothing to report in the tarball, suggestions included", async () => {
  const data = readFileSync(tarball);
  const { messages, pkg } = await publint({
    pack: { tarball: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) },
    level: "suggestion",
    strict: true,
  });
  assert.deepEqual(
    messages.map((message) => `${message.type} ${message.code}: ${formatMessage(message, pkg, { color: false }) ?? ""}`),
    [],
  );
});

test("arethetypeswrong passes the tarball under its esm-only profile, which sets aside one known finding", async () => {
  const result = await run(process.execPath, [ATTW, tarball, "--profile", "esm-only", "--no-definitely-typed", "--format", "json"], work, 120_000);
  assert.equal(result.code, 0, show("attw --profile esm-only", result));
  // The JSON lists every finding, also those the profile sets aside. The one allowed: from a
  // CommonJS file under "node16" the package resolves to an ES module. attw's TypeScript (5.6)
  // predates require(esm); Node 20.19+ and TypeScript 5.8+ under "nodenext" accept it, as the
  // require and nodenext tests above show (for ".", "./read" and "./codegen"; TypeScript's old
  // "node10" resolution, which ignores "exports", finds the types of "./read" and "./codegen"
  // through "typesVersions"). Any other finding fails here.
  const report = JSON.parse(result.stdout) as { analysis: { problems: unknown[] } };
  assert.deepEqual(report.analysis.problems, [
    { kind: "CJSResolvesToESM", entrypoint: ".", resolutionKind: "node16-cjs" },
    { kind: "CJSResolvesToESM", entrypoint: "./read", resolutionKind: "node16-cjs" },
    { kind: "CJSResolvesToESM", entrypoint: "./codegen", resolutionKind: "node16-cjs" },
  ]);
});
