/**
 * `--expand *` expands every navigation property, so the CSV columns (and the table's) hold them
 * as `--expand author` holds `author`: from `$metadata`, whose type names them. They were left out
 * (the `*` dropped from the expanded names), each with a warning, the expanded rows lost from the
 * file. Against the SAP CAP server over HTTP.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { useCap } from "./servers/use-cap.js";
import { cliInProcess } from "./cli-in-process.js";

describe("--expand * and the CSV or table columns", () => {
  const cap = useCap();

  test("export --select ID,title --expand * to CSV: author and reviews are columns of JSON text, with no warning of them", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "hunt40-expand-star-")), "books.csv");
    const outcome = await cliInProcess(["export", cap.v4, "Books", "--select", "ID,title", "--expand", "*", "--filter", "ID eq 1", "--out", out]);
    assert.equal(outcome.code, 0, outcome.stderr);
    // (CAP adds the ETag property modifiedAt to a $select, which is warned of rightly.)
    assert.doesNotMatch(outcome.stderr, /"(author|reviews)" that is not one of the CSV columns/);
    const [header, row] = readFileSync(out, "utf8").split("\r\n");
    assert.equal(header, "ID,title,author,reviews");
    assert.match(row ?? "", /^1,Pride and Prejudice,"\{""ID"":""austen"",.*""name"":""Jane Austen""/);
  });

  test("query --expand * as a table, with no --select: the type's properties then its navigation properties", async () => {
    const outcome = await cliInProcess(["query", cap.v4, "Books", "--expand", "*", "--filter", "ID eq 1"]);
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.doesNotMatch(outcome.stderr, /"(author|reviews)" that is not one of the table columns/);
    const header = outcome.stdout.split("\n")[0]?.trim().split(/\s+/);
    assert.deepEqual(header?.slice(-3), ["author_ID", "author", "reviews"]);
    assert.match(outcome.stdout, /\{"ID":"austen","name":"Jane Austen"/);
  });
});
