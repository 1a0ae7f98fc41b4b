/**
 * The table of error codes: `ODataErrorCode` lists every code, each documented; the README's table
 * is the one `npm run docs:errors` makes from it; `error.code` is typed by it, narrows, and takes
 * custom codes only with a colon. The type-level checks are compiled by `tsc` in `npm test`.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  AsyncOperationTimeoutError,
  ODataClientError,
  ODataErrorCode,
  ODataHttpError,
  createFilterBuilder,
  isAsyncOperationError,
  type AsyncOperationErrorCode,
  type CustomErrorCode,
} from "../src/index.js";
import { ERRORS_SOURCE, README, TABLE_END, TABLE_START, errorCodeEntries, errorCodeTable, expectedReadme, withErrorCodeTable } from "./error-code-table.js";

/** `true` when `A` and `B` are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** `true` when `U` is a union of string literals (not `string`, nothing wider). */
type StringLiteralUnion<U> = [U] extends [string] ? (string extends U ? false : [U] extends [never] ? false : true) : false;

describe("the ODataErrorCode table", () => {
  test("every entry's value is its own name, the table cannot be changed, and the type is the union of its values", () => {
    const entries = Object.entries(ODataErrorCode);
    assert.ok(entries.some(([key]) => key === "HTTP_ERROR") && entries.some(([key]) => key === "UNTRUSTED_NEXT_LINK"));
    assert.deepEqual(
      entries.filter(([key, value]) => key !== value),
      [],
    );
    assert.ok(Object.isFrozen(ODataErrorCode));
    assert.throws(() => {
      (ODataErrorCode as Record<string, string>)["TIMEOUT"] = "OTHER";
    }, TypeError);

    const isUnion: StringLiteralUnion<ODataErrorCode> = true;
    const keysAreValues: Equal<ODataErrorCode, keyof typeof ODataErrorCode> = true;
    const asyncCodesAreCodes: Equal<Extract<AsyncOperationErrorCode, ODataErrorCode>, AsyncOperationErrorCode> = true;
    assert.ok(isUnion && keysAreValues && asyncCodesAreCodes);
  });

  test("every entry of src/errors.ts has TSDoc, read in the table's order", () => {
    const entries = errorCodeEntries(readFileSync(ERRORS_SOURCE, "utf8"));
    assert.deepEqual(
      entries.map((entry) => entry.code),
      Object.keys(ODataErrorCode),
    );
    for (const { code, doc } of entries) {
      // One or two sentences: long enough to say when and what to do, short enough for a table row.
      assert.ok(doc.length >= 40 && doc.length <= 400, `${code}: ${doc}`);
      assert.match(doc, /\.$/, `${code}: ends with a full stop`);
    }
  });

  test("an entry without TSDoc, or with a value other than its name, is refused by name", () => {
    const source = readFileSync(ERRORS_SOURCE, "utf8");
    const undocumented = source.replace(/\/\*\*(?:(?!\*\/)[\s\S])*\*\/\s*(BATCH_SENT: "BATCH_SENT")/, "$1");
    assert.notEqual(undocumented, source);
    assert.throws(() => errorCodeEntries(undocumented), /ODataErrorCode\.BATCH_SENT has no TSDoc/);
    const renamed = source.replace('BATCH_SENT: "BATCH_SENT"', 'BATCH_SENT: "BATCH_DONE"');
    assert.throws(() => errorCodeEntries(renamed), /ODataErrorCode\.BATCH_SENT: the value must be "BATCH_SENT"/);
  });
});

describe("the README's table of error codes", () => {
  test("README.md holds exactly the table that `npm run docs:errors` writes from src/errors.ts", () => {
    const readme = readFileSync(README, "utf8");
    assert.equal(readme.split(TABLE_START).length, 2, "one start marker");
    assert.equal(readme.split(TABLE_END).length, 2, "one end marker");
    // Compared line by line, so that a failure shows the row that differs.
    assert.deepEqual(readme.split("\n"), expectedReadme().split("\n"), "README.md's error code table is out of date: run `npm run docs:errors`");
  });

  test("the table has one row per code, its TSDoc as the text, {@link X} written as code", () => {
    const table = errorCodeTable(errorCodeEntries(readFileSync(ERRORS_SOURCE, "utf8")));
    const rows = table.split("\n").filter((line) => line.startsWith("| `"));
    assert.deepEqual(
      rows.map((row) => /^\| `([A-Z_]+)` \|/.exec(row)?.[1]),
      Object.keys(ODataErrorCode),
    );
    const http = rows.find((row) => row.startsWith("| `HTTP_ERROR`"));
    assert.match(http ?? "", /^\| `HTTP_ERROR` \| Thrown as `ODataHttpError`: .+ \|$/);
    assert.doesNotMatch(table, /@link/);
  });

  test("a README whose table misses a row, or lacks the markers, differs from what the script writes", () => {
    const readme = readFileSync(README, "utf8");
    const withoutRow = readme.replace(/^\| `BATCH_SENT` \|.*\n/m, "");
    assert.notEqual(withoutRow, readme);
    const table = errorCodeTable(errorCodeEntries(readFileSync(ERRORS_SOURCE, "utf8")));
    assert.equal(withErrorCodeTable(withoutRow, table), readme);
    assert.throws(() => withErrorCodeTable(readme.replace(TABLE_END, ""), table), /must hold the two marker lines/);
  });
});

describe("the type of error.code", () => {
  test("comparing with a library code narrows it; a misspelt code or one without a colon does not compile", () => {
    const error: ODataClientError = (() => {
      try {
        return createFilterBuilder().self as never;
      } catch (caught) {
        return caught as ODataClientError;
      }
    })();
    assert.equal(error.code, "NOT_IN_LAMBDA");

    if (error.code === "NOT_IN_LAMBDA") {
      const narrowed: "NOT_IN_LAMBDA" = error.code;
      assert.equal(narrowed, ODataErrorCode.NOT_IN_LAMBDA);
    } else {
      assert.fail(`got ${error.code}`);
    }
    // @ts-expect-error a code the library does not have, without a colon: the comparison does not compile
    assert.equal(error.code === "NOT_IN_LAMDBA", false);

    const custom = new ODataClientError("myapp:QUOTA", "the daily quota is used up");
    const customCode: CustomErrorCode = "myapp:QUOTA";
    assert.equal(custom.code, customCode);
    // @ts-expect-error a code of one's own needs a colon
    assert.equal(new ODataClientError("QUOTA", "x").code, "QUOTA");
    // @ts-expect-error nor does a plain string do
    assert.equal(new ODataClientError(String("x"), "x").code, "x");
  });

  test("each subclass's code is its one literal, and the async guard with a code gives that subclass", () => {
    const http = new ODataHttpError({ status: 500, method: "GET", url: "https://host.example/", headers: {}, body: "" });
    const httpCode: Equal<typeof http.code, "HTTP_ERROR"> = true;
    assert.ok(httpCode);
    assert.equal(http.code, "HTTP_ERROR");

    const error: unknown = new AsyncOperationTimeoutError("gave up", { statusUrl: "https://host.example/m/1", status: "Running", percentComplete: -1, maxWait: 25 });
    if (isAsyncOperationError(error, "ASYNC_OPERATION_TIMEOUT")) {
      const maxWait: number = error.maxWait;
      const code: "ASYNC_OPERATION_TIMEOUT" = error.code;
      assert.deepEqual([maxWait, code], [25, "ASYNC_OPERATION_TIMEOUT"]);
    } else {
      assert.fail("the timeout error is not an AsyncOperationTimeoutError");
    }
    // @ts-expect-error only the three codes of the async subclasses are accepted
    assert.throws(() => isAsyncOperationError(error, "HTTP_ERROR"), /code must be one of ASYNC_OPERATION_FAILED, ASYNC_OPERATION_CANCELLED, ASYNC_OPERATION_TIMEOUT; got "HTTP_ERROR"/);
  });
});
