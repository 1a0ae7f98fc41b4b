// export and query against pages that once made them lose digits or leave a checkpoint behind:
// long numbers on pages with nested collections or "},{" in a string, a query the service refuses
// on its first page, a resume with another --odata-version. The binary runs against node:http
// services on 127.0.0.1.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startServer, sendText, type RecordingServer } from "./servers/recording-server.js";
import { runCli, show, tempDir } from "./cli-harness.js";

/** An Int64 beyond 2^53 (JavaScript reads it as 9007199254740996) and a Decimal with more digits than a double keeps. */
const BIG = "9007199254740995";
const AMOUNT = "12345678901234.5678";

/** Pages whose entities' text a count of "},{" cannot find, each with a long number. */
const PAGES: Record<string, { body: string; ndjson: string[]; csv: string }> = {
  // One entity whose string holds "},{".
  Brace: {
    body: `{"value":[{"ID":1,"Big":${BIG},"S":"a},{b"}]}`,
    ndjson: [`{"ID":1,"Big":${BIG},"S":"a},{b"}`],
    csv: `ID,Big,S\r\n1,${BIG},"a},{b"\r\n`,
  },
  // "} {" in a string, and an escaped quote before it.
  Space: {
    body: `{"value":[{"ID":1,"Big":${BIG},"S":"x\\"} {y"},{"ID":2,"Big":1,"S":""}]}`,
    ndjson: [`{"ID":1,"Big":${BIG},"S":"x\\"} {y"}`, `{"ID":2,"Big":1,"S":""}`],
    csv: `ID,Big,S\r\n1,${BIG},"x""} {y"\r\n2,1,""\r\n`,
  },
  // An expanded to-many navigation (a collection of objects) in one entity of two.
  Expand: {
    body: `{"@odata.context":"$metadata#Orders","value":[{"ID":1,"Amount":${AMOUNT},"Items":[{"N":1},{"N":2}]},{"ID":2,"Amount":${AMOUNT},"Items":[]}],"@odata.count":2}`,
    ndjson: [`{"ID":1,"Amount":${AMOUNT},"Items":[{"N":1},{"N":2}]}`, `{"ID":2,"Amount":${AMOUNT},"Items":[]}`],
    csv: `ID,Amount,Items\r\n1,${AMOUNT},"[{""N"":1},{""N"":2}]"\r\n2,${AMOUNT},[]\r\n`,
  },
  // Pretty-printed: written without the whitespace between tokens, strings as they are.
  Pretty: {
    body: `{\n  "value": [\n    {\n      "ID": 1,\n      "Big": ${BIG},\n      "S": "a b"\n    },\n    {\n      "ID": 2,\n      "Tags": [ { "t": "x" }, { "t": "y" } ]\n    }\n  ]\n}\n`,
    ndjson: [`{"ID":1,"Big":${BIG},"S":"a b"}`, `{"ID":2,"Tags":[{"t":"x"},{"t":"y"}]}`],
    csv: `ID,Big,S\r\n1,${BIG},a b\r\n2,,\r\n`,
  },
  // Two "value" members: JSON.parse keeps the last, which no text of its own can be shown to be;
  // the digits come from the body matched with what was read.
  Twice: {
    body: `{"value":[{"ID":0}],"value":[{"ID":1,"Big":${BIG},"In":{"Big":${BIG}}}]}`,
    ndjson: [`{"ID":1,"Big":${BIG},"In":{"Big":${BIG}}}`],
    csv: `ID,Big,In\r\n1,${BIG},"{""Big"":${BIG}}"\r\n`,
  },
};

let server: RecordingServer;
let service: string;

before(async () => {
  server = await startServer((request, res) => {
    const path = request.path.replace(/\?.*$/s, "");
    const set = path.slice("/odata/".length);
    if (set === "$metadata") return sendText(res, 404, "");
    const page = PAGES[set];
    if (page === undefined) return sendText(res, 404, "");
    sendText(res, 200, page.body, { "content-type": "application/json;odata.metadata=minimal", "odata-version": "4.0" });
  });
  service = server.url("odata/");
});
after(() => server.close());

describe("export and query keep the digits the service sent on pages a count of separators cannot split", () => {
  for (const [set, page] of Object.entries(PAGES)) {
    test(`${set}: export to NDJSON, JSON and CSV, query in the three formats`, async () => {
      const cwd = tempDir();
      const json = `[\n${page.ndjson.join(",\n")}\n]\n`;
      const expected: Record<string, string> = { ndjson: `${page.ndjson.join("\n")}\n`, json, csv: page.csv };
      for (const format of ["ndjson", "json", "csv"]) {
        const before = server.requests.length;
        const exported = await runCli(["export", service, set, "--out", `out.${format}`, "-q"], { cwd });
        assert.equal(exported.code, 0, show(exported));
        assert.deepEqual(
          server.requests.slice(before).map((request) => request.path),
          format === "csv" ? ["/odata/$metadata", `/odata/${set}`] : [`/odata/${set}`],
        );
        assert.equal(readFileSync(join(cwd, `out.${format}`), "utf8"), expected[format], `export ${set} ${format}`);
        const queried = await runCli(["query", service, set, "--format", format, "-q"]);
        assert.equal(queried.code, 0, show(queried));
        assert.equal(queried.stdout, expected[format], `query ${set} ${format}`);
      }
      assert.deepEqual(readdirSync(cwd).sort(), ["out.csv", "out.json", "out.ndjson"]);
    });
  }
});

describe("a query the service refuses on its first page leaves nothing to resume", () => {
  let refusing: RecordingServer;
  before(async () => {
    refusing = await startServer((request, res) => {
      const url = new URL(request.path, "http://x");
      if (url.pathname.endsWith("$metadata")) return sendText(res, 404, "");
      if ((url.searchParams.get("$filter") ?? "").includes("stok")) {
        return sendText(res, 400, '{"error":{"code":"400","message":"Property stok does not exist"}}', { "content-type": "application/json" });
      }
      sendText(res, 200, '{"value":[{"ID":1,"stock":20}]}', { "content-type": "application/json" });
    });
  });
  after(() => refusing.close());

  test("the output it made and its checkpoint go; the corrected command then runs", async () => {
    const cwd = tempDir();
    const books = refusing.url("odata/");
    const failed = await runCli(["export", books, "Books", "--filter", "stok gt 10", "--out", "books.csv"], { cwd });
    assert.equal(failed.code, 3, show(failed));
    assert.match(failed.stderr, /failed with HTTP 400 Bad Request \[400\]: Property stok does not exist\n$/);
    assert.deepEqual(readdirSync(cwd), []);
    const corrected = await runCli(["export", books, "Books", "--filter", "stock gt 10", "--out", "books.csv", "-q"], { cwd });
    assert.equal(corrected.code, 0, show(corrected));
    assert.equal(readFileSync(join(cwd, "books.csv"), "utf8"), "ID,stock\r\n1,20\r\n");
    assert.deepEqual(readdirSync(cwd), ["books.csv"]);
    assert.deepEqual(
      refusing.requests.map((request) => decodeURIComponent(request.path)),
      ["/odata/$metadata", "/odata/Books?$filter=stok gt 10", "/odata/$metadata", "/odata/Books?$filter=stock gt 10"],
    );
  });

  test("an earlier file at --out is left as it was, and the checkpoint goes all the same", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "books.ndjson"), "earlier\n");
    const failed = await runCli(["export", refusing.url("odata/"), "Books", "--filter", "stok gt 10", "--out", "books.ndjson"], { cwd });
    assert.equal(failed.code, 3, show(failed));
    assert.deepEqual(readdirSync(cwd), ["books.ndjson"]);
    assert.equal(readFileSync(join(cwd, "books.ndjson"), "utf8"), "earlier\n");
  });
});

describe("a resume with another --odata-version is another export", () => {
  let paged: RecordingServer;
  /** Whether the second page is refused (the first run stops after one page). */
  let refuseSecond = true;
  before(async () => {
    paged = await startServer((request, res) => {
      const url = new URL(request.path, "http://x");
      if (url.pathname.endsWith("$metadata")) return sendText(res, 404, "");
      const json = (text: string) => sendText(res, 200, text, { "content-type": "application/json", "odata-version": "4.0" });
      if (url.searchParams.get("$skiptoken") === "1") {
        if (refuseSecond) return sendText(res, 400, '{"error":{"code":"400","message":"not now"}}', { "content-type": "application/json" });
        return json('{"value":[{"ID":2}]}');
      }
      json(`{"value":[{"ID":1}],"@odata.nextLink":"${paged.url("odata/Items?$skiptoken=1")}"}`);
    });
  });
  after(() => paged.close());

  test("the checkpoint keeps the version; another is refused (exit 2); one saved without it resumes", async () => {
    const cwd = tempDir();
    const items = paged.url("odata/");
    refuseSecond = true;
    const first = await runCli(["export", items, "Items", "--out", "items.ndjson"], { cwd });
    assert.equal(first.code, 3, show(first));
    const file = join(cwd, "items.ndjson.checkpoint.json");
    const saved = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    assert.equal(saved["odataVersion"], "4.0");
    assert.equal(saved["rows"], 1);
    assert.equal(readFileSync(join(cwd, "items.ndjson"), "utf8"), '{"ID":1}\n');

    const before = paged.requests.length;
    const other = await runCli(["export", items, "Items", "--out", "items.ndjson", "--resume", "--odata-version", "2.0"], { cwd });
    assert.equal(other.code, 2, show(other));
    assert.equal(
      other.stderr,
      `error: the checkpoint ${file} is of another export (OData version 4.0, not 2.0); run the same command as before with --resume, or delete the checkpoint to start again\n`,
    );
    assert.equal(paged.requests.length, before, "nothing asked");
    assert.equal(readFileSync(join(cwd, "items.ndjson"), "utf8"), '{"ID":1}\n');

    // A checkpoint of a version that did not keep it: taken as of this export.
    delete saved["odataVersion"];
    writeFileSync(file, JSON.stringify(saved));
    refuseSecond = false;
    const resumed = await runCli(["export", items, "Items", "--out", "items.ndjson", "--resume", "-q"], { cwd });
    assert.equal(resumed.code, 0, show(resumed));
    assert.equal(readFileSync(join(cwd, "items.ndjson"), "utf8"), '{"ID":1}\n{"ID":2}\n');
    assert.equal(existsSync(file), false);
    assert.deepEqual(paged.requests.slice(before).map((request) => request.path), ["/odata/Items?$skiptoken=1"]);
  });
});
