/**
 * The README's action and function lines run as written against SAP CAP, the service their names
 * come from (`CatalogService.order`, `countBooks`, `submitOrder`). test/readme-examples.test.ts only
 * type-checks the README's blocks: a line that compiles may still fail on the service (an action on
 * an entity CAP guards with an ETag, sent without one, is answered 428; another entity's ETag, 412).
 * The lines are taken from README.md by their text, turned into JavaScript by TypeScript, and run
 * with `client` and `books` bound to a client of CAP; each then checks what the service did.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import ts from "typescript";
import { ODataClient } from "../src/index.js";
import { startCap, type CapServer } from "./servers/cap.js";
import type { Book } from "./servers/cap/types.js";

const README = readFileSync(new URL("../README.md", import.meta.url), "utf8").split("\n");

let cap: CapServer;
let client: ODataClient;

before(async () => {
  cap = await startCap();
  client = new ODataClient({ serviceUrl: cap.v4, retry: false });
});
after(() => cap.stop());

/** The one README line that starts with `start` (trimmed), as JavaScript. */
function readmeLine(start: string): string {
  const found = README.filter((line) => line.trim().startsWith(start));
  assert.equal(found.length, 1, `README.md has ${found.length} lines starting with ${start}`);
  return ts.transpileModule(found[0]!, { compilerOptions: { target: ts.ScriptTarget.ES2022 } }).outputText;
}

/** Runs README code (an `await` allowed) with `client` and `books`; resolves with what `result` names after it. */
async function run(code: string, result: string): Promise<unknown> {
  const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<unknown>;
  return new AsyncFunction("client", "books", `${code}\nreturn ${result};`)(client, client.collection<Book>("Books"));
}

const stockOf = async (id: number): Promise<number> => (await client.collection<Book>("Books").key(id).get()).stock as number;

test("the typed-queries section's bound action sends the book's ETag and CAP orders (it answered 428 without one)", async () => {
  const before = await stockOf(1);
  const stock = await run(readmeLine('const { stock } = await books.key(1).action("CatalogService.order")'), "stock");
  assert.equal(stock, before - 2);
  assert.equal(await stockOf(1), before - 2);
});

test("the actions section's bound action on Books(20) sends Books(20)'s own ETag (another book's was answered 412)", async () => {
  // README.md names `book` (Books(1), read and changed in the writing section) nowhere in this line now.
  const line = readmeLine('await books.key(20).action("order", { namespace: "CatalogService" })');
  assert.doesNotMatch(line, /etag: book\b/);
  const before = await stockOf(20);
  await run(line, "undefined");
  assert.equal(await stockOf(20), before - 1);
});

test("the actions section's unbound and bound function lines give what CAP computes", async () => {
  const expectedCount = await client.collection<Book>("Books").filter((f) => f.ge("stock", 30)).countAll();
  assert.equal(await run(readmeLine('const n = await client.function<number>("countBooks"'), "n"), expectedCount);
  const price = await run(readmeLine('const price = await books.key(1).function<number>("CatalogService.discountedPrice"'), "price");
  const { price: full } = await client.collection<Book>("Books").key(1).get();
  assert.equal(typeof price, "number");
  assert.ok(Math.abs((price as number) - Number(full) * 0.9) < 0.01, `discounted ${String(price)} from ${String(full)}`);
});
