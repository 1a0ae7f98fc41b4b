/**
 * `export --parallel N` against the real SAP CAP server, of sets whose key is a string holding
 * non-ASCII letters and an apostrophe (Authors), of several parts (Pairs: an integer and a string),
 * and of a filter that leaves no row: the joined file holds every row of the one-walk export
 * exactly once, in each format, and nothing is left beside it.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliInProcess, showOutcome as show } from "./cli-in-process.js";
import { useCap } from "./servers/use-cap.js";

function folder(t: { after(fn: () => void): void }): string {
  const made = mkdtempSync(join(tmpdir(), "traverse-hunt41b-parallel-keys-"));
  t.after(() => rmSync(made, { recursive: true, force: true }));
  return made;
}

/** The lines of a file's rows, sorted (the head and tail of CSV and JSON set apart). */
function rowLines(format: string, text: string): string[] {
  let lines = text.split(format === "csv" ? "\r\n" : "\n").filter((line) => line !== "");
  if (format === "json") lines = lines.filter((line) => line !== "[" && line !== "]").map((line) => line.replace(/,$/, ""));
  return lines.sort();
}

describe("export --parallel against CAP", () => {
  const cap = useCap();
  for (const [set, extra] of [["Authors", []], ["Pairs", []], ["Authors", ["--filter", "ID eq 'nobody'"]], ["Books", ["--filter", "ID lt 0"]], ["Authors", ["--filter", "ID eq 'austen' or ID eq 'tolstoy' or startswith(name,'Ŝ')"]]] as const) {
    for (const root of ["v4", "v2"] as const) {
      for (const format of ["ndjson", "csv", "json"] as const) {
        test(`${root} ${set} ${extra.join(" ")} --parallel 3 --format ${format}: the rows of the one-walk export, each once`, async (t) => {
          const cwd = folder(t);
          const version = root === "v2" ? ["--odata-version", "2.0"] : [];
          const one = await cliInProcess(["export", cap[root], set, ...extra, ...version, "--out", `one.${format}`], "", { cwd });
          assert.equal(one.code, 0, show(one));
          const parallel = await cliInProcess(["export", cap[root], set, ...extra, ...version, "--out", `par.${format}`, "--parallel", "3"], "", { cwd });
          assert.equal(parallel.code, 0, show(parallel));
          const a = readFileSync(join(cwd, `one.${format}`), "utf8");
          const b = readFileSync(join(cwd, `par.${format}`), "utf8");
          assert.deepEqual(rowLines(format, b), rowLines(format, a), `one walk:\n${a}\nparallel:\n${b}`);
          if (extra.length > 0 && rowLines(format, a).length <= 1) assert.equal(b, a, "an empty set: the same bytes");
          if (extra.length > 0 && set === "Authors" && !String(extra[1]).includes("nobody")) assert.equal(rowLines(format, a).length, format === "csv" ? 4 : 3);
          if (format === "json") assert.equal((JSON.parse(b) as unknown[]).length, rowLines(format, a).length);
          if (format === "csv") assert.equal(b.split("\r\n")[0], a.split("\r\n")[0]);
          assert.deepEqual(readdirSync(cwd).sort(), [`one.${format}`, `par.${format}`]);
        });
      }
    }
  }

  test("Authors with keys that differ only in case or accent, and non-Latin ones: --parallel 2 to 6 hold the one-walk rows, each once", async (t) => {
    for (const id of ["a", "A", "b", "B", "á", "Á", "z", "Z", "SS", "_", "~", " "]) {
      const post = () => fetch(`${cap.v4}Authors`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ID: id, name: `n ${id}` }) });
      // Once more where the server closed a kept-alive connection the request went out on.
      const made = await post().catch(post);
      assert.equal(made.status, 201, `${id}: ${await made.text()}`);
    }
    const cwd = folder(t);
    const one = await cliInProcess(["export", cap.v4, "Authors", "--out", "one.ndjson"], "", { cwd });
    assert.equal(one.code, 0, show(one));
    const a = rowLines("ndjson", readFileSync(join(cwd, "one.ndjson"), "utf8"));
    assert.equal(a.length, 17);
    for (let n = 2; n <= 6; n++) {
      const parallel = await cliInProcess(["export", cap.v4, "Authors", "--out", `par${n}.ndjson`, "--parallel", String(n)], "", { cwd });
      assert.equal(parallel.code, 0, show(parallel));
      assert.deepEqual(rowLines("ndjson", readFileSync(join(cwd, `par${n}.ndjson`), "utf8")), a, `--parallel ${n}`);
    }
  });
});
