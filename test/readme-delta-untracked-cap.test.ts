/**
 * README.md's Delta example against a service that tracks no changes: SAP CAP answers
 * `Prefer: odata.track-changes` with its plain pages and no delta link, so the example's first half
 * (taken from README.md as written, up to "// Later") ends with the error it throws then, instead of
 * leaving `deltaLink` undefined for `client.delta(deltaLink!)`, which throws a TypeError.
 * test/readme-examples.test.ts only type-checks the block.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import ts from "typescript";
import { ODataClient, type PipelineStep } from "../src/index.js";
import { useCap } from "./servers/use-cap.js";

const cap = useCap();

/** The lines of README.md's Delta block from `let deltaLink` to the one before `// Later`, as JavaScript. */
function firstHalfOfDeltaBlock(): string {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("\n## Delta\n"));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  const lines = block.split("\n");
  const from = lines.findIndex((line) => line.startsWith("let deltaLink"));
  const until = lines.findIndex((line) => line.startsWith("// Later"));
  assert.ok(from >= 0 && until > from, block);
  return ts.transpileModule(lines.slice(from, until).join("\n"), { compilerOptions: { target: ts.ScriptTarget.ES2022 } }).outputText;
}

test("README Delta: against SAP CAP, which ignores odata.track-changes, the example says the service tracks no changes instead of handing delta() no link", async () => {
  const prefer: (string | null)[] = [];
  const step: PipelineStep = {
    name: "prefer",
    handle(request, next) {
      prefer.push(request.headers.get("prefer"));
      return next(request);
    },
  };
  const client = new ODataClient({ serviceUrl: cap.v4, steps: [step] });
  const stored: unknown[] = [];
  const store = async (rows: unknown[]): Promise<void> => void stored.push(...rows);
  const AsyncFunction = (async () => {}).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<unknown>;
  const run = new AsyncFunction("client", "store", firstHalfOfDeltaBlock());
  await assert.rejects(run(client, store), (error: unknown) => error instanceof Error && error.message === "the service tracks no changes of Books");
  // It asked for tracking, got the books and no delta link.
  assert.deepEqual(prefer, ["odata.track-changes"]);
  assert.deepEqual(stored, await client.collection("Books").list());
  assert.ok(stored.length > 0);
  // What the example keeps the reader from: delta() given no link.
  await assert.rejects(client.delta(undefined as unknown as string)[Symbol.asyncIterator]().next(), (error: unknown) => error instanceof TypeError && /delta\(link\): link must be a delta link string/.test(error.message));
});
