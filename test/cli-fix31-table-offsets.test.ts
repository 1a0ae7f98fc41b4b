// A table written to a pipe takes its column widths from the first 200 rows; a wider value after
// them moves the rest of its own line right by as much as it is wider (README, "Progress and
// output"). On the demo service the first 200 rows make ID 3 characters wide and Name 11
// (`Product 200`): row 1000 has an ID and a Name one character wider each, so Name is one character
// off the header and Category and the columns after it two; row 10000, two and four.
// The binary against the demo service started in-process, over HTTP on 127.0.0.1. It records
// behaviour that did not change (it passes on the code before): the README's sentence was wrong.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startDemoService, type DemoService } from "../demo/service.js";
import { runCli, show } from "./cli-harness.js";

let service: DemoService;
const answered: string[] = [];

before(async () => {
  service = await startDemoService({ productCount: 10_001, onRequest: (method, url, status) => answered.push(`${method} ${url} ${status}`) });
});
after(() => service.close());

/** Where each cell of a table line starts: cells are parted by two spaces or more (a Name holds one). */
function cellStarts(line: string): { text: string; at: number }[] {
  return [...line.matchAll(/\S+(?: \S+)*/g)].map((match) => ({ text: match[0], at: match.index }));
}

/** How far each cell of `line` is right of its column's header. */
function offsets(header: string, line: string): number[] {
  const heads = cellStarts(header);
  const cells = cellStarts(line);
  assert.equal(cells.length, heads.length, `${header}\n${line}`);
  return cells.map((cell, i) => cell.at - heads[i]!.at);
}

const columns = ["ID", "Name", "Category", "Price", "Stock", "ReleaseDate"];

async function table(top: number): Promise<string[]> {
  const from = answered.length;
  const result = await runCli(["query", service.serviceUrl, "Products", "--top", String(top), "--quiet"]);
  assert.equal(result.code, 0, show(result));
  assert.equal(result.stderr, "");
  const root = new URL(service.serviceUrl).pathname;
  // The walk's pages, and nothing else but $metadata (read for the version the service declares).
  const pages = answered
    .slice(from)
    .map((line) => line.replace(root, ""))
    .filter((line) => line !== "GET $metadata 200");
  assert.ok(pages.length >= 1 && pages.every((line) => line.startsWith("GET Products?") && line.endsWith(" 200")), pages.join("\n"));
  const lines = result.stdout.split("\n");
  assert.equal(lines.length, 2 + top + 1);
  assert.equal(lines[2 + top], "");
  return lines;
}

test("query Products --top 1001 to a pipe: row 1000 has Name one character off the header, Category and after two", async () => {
  const lines = await table(1001);
  const header = lines[0]!;
  assert.deepEqual(cellStarts(header).map((cell) => cell.text), columns);
  // ID 3 wide (`200`), Name 11 (`Product 200`), two spaces between columns.
  assert.deepEqual(cellStarts(header).slice(0, 3).map((cell) => cell.at), [0, 5, 18]);
  assert.match(lines[1]!, /^--- {2}-{11} {2}-/);
  const row = (id: number) => lines[1 + id]!;
  assert.deepEqual(cellStarts(row(999)).slice(0, 2).map((cell) => cell.text), ["999", "Product 999"]);
  assert.deepEqual(offsets(header, row(999)), [0, 0, 0, 0, 0, 0]);
  assert.deepEqual(cellStarts(row(1000)).slice(0, 2).map((cell) => cell.text), ["1000", "Product 1000"]);
  assert.deepEqual(offsets(header, row(1000)), [0, 1, 2, 2, 2, 2]);
  assert.deepEqual(offsets(header, row(1001)), [0, 1, 2, 2, 2, 2]);
});

test("query Products --top 10001 to a pipe: row 10000 has Name two characters off the header, Category and after four", async () => {
  const lines = await table(10_001);
  const header = lines[0]!;
  const row = (id: number) => lines[1 + id]!;
  assert.deepEqual(offsets(header, row(9999)), [0, 1, 2, 2, 2, 2]);
  assert.deepEqual(cellStarts(row(10_000)).slice(0, 2).map((cell) => cell.text), ["10000", "Product 10000"]);
  assert.deepEqual(offsets(header, row(10_000)), [0, 2, 4, 4, 4, 4]);
});
