/**
 * `isODataClientError`, `isODataHttpError`, `isAsyncOperationError` and `instanceof` on the six
 * error classes: in one copy of the package, across three copies (the sources, a per-file build
 * like `dist`, a minified bundle; each loaded from its own folder), and across realms (a bundle run
 * in a `vm` context). The errors of the copies come from real requests to a node:http server.
 */
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { inspect } from "node:util";
import vm from "node:vm";
import { build } from "esbuild";
import * as source from "../src/index.js";
import { startServer, sendJson, type RecordingServer } from "./servers/recording-server.js";

type Library = typeof source;

const ROOT = resolve(fileURLToPath(import.meta.url), "..", "..");
const CLASS_NAMES = [
  "ODataClientError",
  "ODataHttpError",
  "AsyncOperationError",
  "AsyncOperationFailedError",
  "AsyncOperationCancelledError",
  "AsyncOperationTimeoutError",
] as const;
type ClassName = (typeof CLASS_NAMES)[number];

/** Each class and the classes it extends (itself included). */
const LINEAGE: Record<ClassName, ClassName[]> = {
  ODataClientError: ["ODataClientError"],
  ODataHttpError: ["ODataHttpError", "ODataClientError"],
  AsyncOperationError: ["AsyncOperationError", "ODataClientError"],
  AsyncOperationFailedError: ["AsyncOperationFailedError", "AsyncOperationError", "ODataClientError"],
  AsyncOperationCancelledError: ["AsyncOperationCancelledError", "AsyncOperationError", "ODataClientError"],
  AsyncOperationTimeoutError: ["AsyncOperationTimeoutError", "AsyncOperationError", "ODataClientError"],
};
const ASYNC_CODE_OF: Partial<Record<ClassName, source.AsyncOperationErrorCode>> = {
  AsyncOperationFailedError: "ASYNC_OPERATION_FAILED",
  AsyncOperationCancelledError: "ASYNC_OPERATION_CANCELLED",
  AsyncOperationTimeoutError: "ASYNC_OPERATION_TIMEOUT",
};

/**
 * Asserts what every class and guard of `library` says of `error`, an instance of `className`
 * (from whichever copy or realm): `instanceof` and the guards are true for its class and the
 * classes it extends, false for the others.
 */
function assertRecognised(library: Library, error: unknown, className: ClassName, label: string): void {
  const lineage = LINEAGE[className];
  for (const name of CLASS_NAMES) {
    assert.equal(error instanceof library[name], lineage.includes(name), `${label}: instanceof ${name}`);
  }
  assert.equal(library.isODataClientError(error), true, `${label}: isODataClientError`);
  assert.equal(library.isODataHttpError(error), className === "ODataHttpError", `${label}: isODataHttpError`);
  assert.equal(library.isAsyncOperationError(error), lineage.includes("AsyncOperationError"), `${label}: isAsyncOperationError`);
  for (const code of ["ASYNC_OPERATION_FAILED", "ASYNC_OPERATION_CANCELLED", "ASYNC_OPERATION_TIMEOUT"] as const) {
    assert.equal(library.isAsyncOperationError(error, code), ASYNC_CODE_OF[className] === code, `${label}: isAsyncOperationError(error, "${code}")`);
  }
}

/** What is no error of the library, for none of the checks. */
const STRANGERS: [string, unknown][] = [
  ["an Error", new Error("x")],
  ["an Error with a library code", Object.assign(new Error("x"), { code: "HTTP_ERROR", status: 500 })],
  ["a plain object shaped like an ODataHttpError", { name: "ODataHttpError", code: "HTTP_ERROR", message: "x", status: 500 }],
  ["null", null],
  ["undefined", undefined],
  ["a string", "HTTP_ERROR"],
  ["a class", source.ODataHttpError],
];

describe("within one copy", () => {
  const init = { statusUrl: "https://host.example/monitor/1", status: "Running", percentComplete: 10 };
  const made: [ClassName, unknown][] = [
    ["ODataClientError", new source.ODataClientError("TIMEOUT", "took too long")],
    ["ODataHttpError", new source.ODataHttpError({ status: 404, method: "GET", url: "https://host.example/Books(1)", headers: {}, body: "" })],
    ["AsyncOperationError", new source.AsyncOperationError("test:ASYNC", "base", init)],
    ["AsyncOperationFailedError", new source.AsyncOperationFailedError("failed", init)],
    ["AsyncOperationCancelledError", new source.AsyncOperationCancelledError("cancelled", init)],
    ["AsyncOperationTimeoutError", new source.AsyncOperationTimeoutError("timed out", { ...init, maxWait: 5 })],
  ];

  test("each class and guard recognises its own class and the classes it extends, and no other", () => {
    for (const [className, error] of made) assertRecognised(source, error, className, className);
  });

  test("nothing else passes a guard or instanceof, whatever its name, code or fields", () => {
    for (const [label, value] of STRANGERS) {
      for (const name of CLASS_NAMES) assert.equal(value instanceof source[name], false, `${label} instanceof ${name}`);
      assert.equal(source.isODataClientError(value), false, label);
      assert.equal(source.isODataHttpError(value), false, label);
      assert.equal(source.isAsyncOperationError(value), false, label);
      assert.equal(source.isAsyncOperationError(value, "ASYNC_OPERATION_TIMEOUT"), false, label);
    }
  });

  test('each prototype carries its brand Symbol.for("traverse-odata.<class>"), which stays out of the error\'s JSON and inspection', () => {
    for (const name of CLASS_NAMES) {
      const descriptor = Object.getOwnPropertyDescriptor(source[name].prototype, Symbol.for(`traverse-odata.${name}`));
      assert.deepEqual(descriptor, { value: true, writable: false, enumerable: false, configurable: false }, name);
    }
    const [, error] = made[1]!;
    assert.deepEqual(Object.getOwnPropertySymbols(error), []);
    assert.doesNotMatch(JSON.stringify(error) + inspect(error), /traverse-odata\./);
  });

  test("a subclass of your own keeps the usual instanceof, and its instances pass the library's checks", () => {
    class QuotaError extends source.ODataClientError {
      constructor() {
        super("myapp:QUOTA", "the daily quota is used up");
      }
    }
    const mine = new QuotaError();
    assert.ok(mine instanceof QuotaError);
    assert.ok(mine instanceof source.ODataClientError);
    assert.ok(source.isODataClientError(mine));
    assert.equal(source.isODataHttpError(mine), false);
    const library = new source.ODataClientError("TIMEOUT", "took too long");
    assert.equal(library instanceof QuotaError, false, "a library error is no QuotaError");
    assert.equal(Object.create(QuotaError.prototype) instanceof QuotaError, true);
  });

  test("isAsyncOperationError with a code it does not know throws a TypeError that names it", () => {
    const error = made[5]![1];
    for (const bad of ["HTTP_ERROR", "toString", 42]) {
      assert.throws(
        () => source.isAsyncOperationError(error, bad as "ASYNC_OPERATION_TIMEOUT"),
        (thrown: unknown) => thrown instanceof TypeError && thrown.message.includes(`got ${typeof bad === "string" ? JSON.stringify(bad) : "number"}`),
      );
    }
  });
});

// --- other copies and realms ----------------------------------------------------------------------

/** The source files of the package (not the tests that may sit beside them). */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** The errors a copy of the library gives: one of each class, from its own requests and checks. */
async function errorsOf(library: Library, server: RecordingServer): Promise<[ClassName, unknown][]> {
  const client = new library.ODataClient({ serviceUrl: server.url("odata/"), retry: false });
  const caught = async (run: () => unknown): Promise<unknown> => {
    try {
      await run();
    } catch (error) {
      return error;
    }
    assert.fail("expected a rejection");
  };
  // The failed and cancelled operations answer at once; the running one runs until maxWait.
  const poll = (path: string, maxWait = 30_000) => caught(() => client.asyncPoller(server.url(`odata/monitor/${path}`), { pollInterval: 5, maxWait }).wait());
  return [
    ["ODataClientError", await caught(() => library.createFilterBuilder().self)],
    ["ODataHttpError", await caught(() => client.collection("Books").key(1).get())],
    ["AsyncOperationFailedError", await poll("failed")],
    ["AsyncOperationCancelledError", await poll("cancelled")],
    ["AsyncOperationTimeoutError", await poll("running", 50)],
  ];
}

describe("across copies of the package and across realms", () => {
  let folder: string;
  let server: RecordingServer;
  const copies: Record<string, Library> = { sources: source };

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), "traverse-odata-copies-"));
    const entry = join(ROOT, "src", "index.ts");
    // A per-file build, as `dist` is, and a minified bundle, each an ES module package of its own.
    const perFile = join(folder, "per-file");
    const bundled = join(folder, "bundle");
    await build({ entryPoints: sourceFiles(join(ROOT, "src")), outbase: join(ROOT, "src"), outdir: perFile, format: "esm", platform: "node", target: "node20", logLevel: "silent" });
    await build({ entryPoints: [entry], outfile: join(bundled, "index.js"), bundle: true, minify: true, format: "esm", platform: "node", target: "node20", logLevel: "silent" });
    for (const dir of [perFile, bundled]) writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
    copies["per-file build"] = (await import(pathToFileURL(join(perFile, "index.js")).href)) as Library;
    copies["minified bundle"] = (await import(pathToFileURL(join(bundled, "index.js")).href)) as Library;

    server = await startServer((request, res) => {
      if (request.path.startsWith("/odata/Books")) sendJson(res, 404, { error: { code: "404", message: "no such book" } });
      else if (request.path === "/odata/monitor/failed") sendJson(res, 200, { status: "Failed" });
      else if (request.path === "/odata/monitor/cancelled") sendJson(res, 200, { status: "Cancelled" });
      else sendJson(res, 200, { status: "Running" });
    });
  });

  after(async () => {
    await server?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  test("the three copies are separate: each has classes of its own", () => {
    const names = Object.keys(copies);
    assert.deepEqual(names, ["sources", "per-file build", "minified bundle"]);
    for (const name of CLASS_NAMES) {
      assert.equal(new Set(names.map((copy) => copies[copy]![name])).size, 3, name);
    }
  });

  test("an error from one copy passes every other copy's guards and instanceof, and only for its class and the classes it extends", async () => {
    for (const [maker, library] of Object.entries(copies)) {
      const errors = await errorsOf(library, server);
      for (const [className, error] of errors) {
        assert.equal(Object.getPrototypeOf(error), library[className].prototype, `${maker} made the ${className}`);
        assert.equal((error as Error).name, className, `${maker}: name`);
        for (const [checker, other] of Object.entries(copies)) {
          assertRecognised(other, error, className, `${className} of the ${maker}, checked by the ${checker}`);
        }
      }
    }
  });

  test("an error made in a vm realm passes this realm's guards and instanceof, and the other way round", async () => {
    const bundle = await build({ entryPoints: [join(ROOT, "src", "index.ts")], bundle: true, format: "iife", globalName: "traverseOData", platform: "neutral", target: "es2022", write: false, logLevel: "silent" });
    // A realm of its own, with its own Error, Object and Symbol constructors; only URL is lent to it.
    const context = vm.createContext({ URL });
    vm.runInContext(bundle.outputFiles[0]!.text, context);
    const realm = vm.runInContext("traverseOData", context) as Library;
    const made = vm.runInContext(
      `(() => {
        const { ODataHttpError, AsyncOperationFailedError, AsyncOperationCancelledError, AsyncOperationTimeoutError, createFilterBuilder } = traverseOData;
        const init = { statusUrl: "https://host.example/monitor/1", status: "Running", percentComplete: 10 };
        let thrown;
        try { createFilterBuilder().self; } catch (error) { thrown = error; }
        return [
          ["ODataClientError", thrown],
          ["ODataHttpError", new ODataHttpError({ status: 404, method: "GET", url: "https://host.example/Books(1)", headers: {}, body: "" })],
          ["AsyncOperationFailedError", new AsyncOperationFailedError("failed", init)],
          ["AsyncOperationCancelledError", new AsyncOperationCancelledError("cancelled", init)],
          ["AsyncOperationTimeoutError", new AsyncOperationTimeoutError("timed out", { ...init, maxWait: 5 })],
        ];
      })()`,
      context,
    ) as [ClassName, unknown][];
    assert.equal(made.length, 5);
    for (const [className, error] of made) {
      assert.equal(error instanceof Error, false, `the ${className} is of the other realm`);
      assert.equal((error as Error).name, className);
      assertRecognised(source, error, className, `${className} of the vm realm, checked here`);
    }
    const here: [ClassName, unknown][] = [
      ["ODataHttpError", new source.ODataHttpError({ status: 500, method: "GET", url: "https://host.example/", headers: {}, body: "" })],
      ["AsyncOperationTimeoutError", new source.AsyncOperationTimeoutError("x", { statusUrl: "https://host.example/m", status: "Running", percentComplete: -1, maxWait: 1 })],
    ];
    const realmError = vm.runInContext("Error", context) as ErrorConstructor;
    for (const [className, error] of here) {
      assert.equal(error instanceof realmError, false);
      assertRecognised(realm, error, className, `${className} of this realm, checked in the vm realm`);
    }
  });
});
