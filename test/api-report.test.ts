/**
 * The public surface. `api/traverse-odata.api.md` is the report test/api-report.ts makes from the
 * declarations `npm run build` would publish; it must match them, so every change to the surface
 * shows in review as a change of that file (`npm run api:update` rewrites it). Beyond matching:
 * nothing of the client's inner workings is reachable from `dist/index.d.ts`, every declaration
 * reachable from it is exported from it, the cancel signal has one options shape, and classes
 * only the client makes are types, not values.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import * as api from "../src/index.js";
import { EdmValue, edm, type ReadOptions, type RequestOptions } from "../src/index.js";
import { REPORT, UPDATE_COMMAND, apiReport, lineDiff, type ApiReport } from "./api-report.js";

let report: ApiReport;

before(async () => {
  report = await apiReport();
});

test("API Extractor reads the declarations without an error", () => {
  assert.deepEqual(report.errors, []);
});

test("api/traverse-odata.api.md is the surface of the sources as they are", () => {
  const committed = existsSync(REPORT) ? readFileSync(REPORT, "utf8") : "";
  if (committed === report.text) return;
  assert.fail(
    [
      "The public API is not what api/traverse-odata.api.md says (- the report in the repository, + the sources now):",
      "",
      lineDiff(committed, report.text),
      "",
      `If the change is meant, run \`${UPDATE_COMMAND}\` and commit api/traverse-odata.api.md with it.`,
    ].join("\n"),
  );
});

test("a change to the report shows as the lines that differ, with three lines around each", () => {
  const before = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"].join("\n");
  const after = ["a", "b", "c", "D", "e", "f", "g", "h", "i", "j", "k", "l", "m"].join("\n");
  assert.equal(
    lineDiff(before, after),
    ["@@ line 1 of the report, line 1 now @@", " a", " b", " c", "-d", "+D", " e", " f", " g", "@@ line 10 of the report, line 10 now @@", " j", " k", " l", "+m"].join("\n"),
  );
  assert.equal(lineDiff(before, before), "");
});

test("every name of traverse-odata/read is exported by traverse-odata, as the same declaration", () => {
  assert.ok(report.text.includes("\n## traverse-odata/read\n"), "the report lists the names of traverse-odata/read");
  assert.ok(report.text.includes("- `ODataReader`\n"), "the report lists ODataReader among them");
  assert.deepEqual(report.readOnly, []);
});

test("every declaration reachable from dist/index.d.ts is exported from it", () => {
  assert.deepEqual(report.forgotten, [], "export these from src/index.ts, or keep them out of the public declarations (see the warnings in the report)");
});

test("nothing of the client's inner workings is reachable from dist/index.d.ts", () => {
  // The core and its resolved options, the query and request state the resources carry, the
  // request builders, the batch's plan and context: what the classes are made of, not their API.
  const internals = [
    "ClientCore",
    "ResolvedClientOptions",
    "SendInit",
    "QueryState",
    "EntityState",
    "QueryOptionsState",
    "TraversalOptions",
    "OperationCall",
    "WriteRequest",
    "WriteContext",
    "BatchContext",
    "BatchPlan",
    "RequestSpec",
    "MetadataCache",
  ];
  assert.deepEqual(
    internals.filter((name) => new RegExp(`\\b${name}\\b`).test(report.text)),
    [],
  );
  // API Extractor marks a member tagged @internal; the build strips them all.
  assert.equal(report.text.includes("@internal"), false, "a member tagged @internal is in the declarations");
});

test("one options type carries the cancel signal, the call's timeout and its onResponse; every other one extends it", () => {
  // The options types (not the pipeline's `ODataRequest`, whose signal is the request's own).
  const declarations = [...report.text.matchAll(/^export interface (\w+Options)\b[^{]*\{\n((?:    .*\n)*?)\}/gm)];
  assert.ok(declarations.length >= 20, `only ${declarations.length} options interfaces were read from the report`);
  const withSignal = declarations.filter(([, , body]) => /^ {4}signal\?:/m.test(body ?? "")).map(([, name]) => name);
  assert.deepEqual(withSignal, ["RequestOptions"]);
  const withTimeout = declarations.filter(([, , body]) => /^ {4}timeout\?:/m.test(body ?? "")).map(([, name]) => name);
  // The client's, and each call's own in its place.
  assert.deepEqual(withTimeout, ["ODataClientOptions", "RequestOptions"]);
  const withOnResponse = declarations.filter(([, , body]) => /^ {4}onResponse\?:/m.test(body ?? "")).map(([, name]) => name);
  assert.deepEqual(withOnResponse, ["RequestOptions"]);
  assert.match(
    report.text,
    /^export interface RequestOptions \{\n {4}onResponse\?: \(\(answer: ResponseInfo\) => void \| PromiseLike<void>\) \| undefined;\n {4}signal\?: AbortSignalLike \| undefined;\n {4}timeout\?: number \| undefined;\n\}/m,
  );
  for (const name of ["ReadOptions", "DeltaOptions", "AsyncPollerOptions", "BatchSendOptions", "InvokeOptions", "WriteOptions"]) {
    assert.match(report.text, new RegExp(`^export interface ${name} extends [^{]*\\bRequestOptions\\b`, "m"), name);
  }
  // Checked by the compiler: the signal means the same everywhere.
  const read: ReadOptions = { signal: AbortSignal.timeout(1_000), readAhead: 0 };
  const plain: RequestOptions = read;
  assert.equal(plain.signal, read.signal);
  const timed: RequestOptions = { timeout: 0 } satisfies ReadOptions;
  assert.equal(timed.timeout, 0);
});

test("classes only the client makes are exported as types; what users construct or test with instanceof stays a value", () => {
  const madeByTheClient = [
    "CollectionQuery",
    "EntityQuery",
    "ExpandQuery",
    "FilterBuilder",
    "FilterExpression",
    "MediaResource",
    "ActionCall",
    "FunctionCall",
    "Batch",
    "BatchWrites",
    "BatchChangeset",
    "BatchHandle",
    "BatchEntityHandle",
    "BatchReference",
  ];
  assert.deepEqual(
    madeByTheClient.filter((name) => name in api),
    [],
  );
  const values: Record<string, unknown> = api;
  for (const name of ["ODataClient", "ODataClientError", "ODataHttpError", "AsyncOperationError", "ServiceModel", "EdmValue", "createFilterBuilder", "parseMetadata"]) {
    assert.equal(typeof values[name], "function", name);
  }
  assert.ok(edm.int64(1n) instanceof EdmValue);
});

/** Never called: the compiler checks that the constructors users must not call are out of reach. */
export function constructorsOutOfReach(): void {
  // @ts-expect-error EdmValue's constructor is private: typed values come from the edm.* functions
  new EdmValue();
}
