// The README's "Command line" examples, run as written: its first shell block starts
// `traverse-odata serve` (port 4080, which the examples name), its first JSON block becomes the
// traverse-odata.config.json of the current directory, and every line of the other shell blocks
// runs in `sh` with the built binary on PATH as `traverse-odata`; each must exit 0 and give what
// the README says it gives. The profiles block (s4, graph, btp) is read as a configuration too.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { chmodSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { productAt, type Product } from "../demo/products.js";
import { ROOT, buildCli, cliEnv, finished, show, tempDir, writeFile, type CliResult } from "./cli-harness.js";

/** The README's "Command line" section (up to the next `## ` heading). */
function commandLineSection(): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const start = readme.indexOf("\n## Command line\n");
  assert.ok(start >= 0, "the README has a Command line section");
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The fenced blocks of the README's "Command line" section. */
function sectionBlocks(): { language: string; lines: string[] }[] {
  const section = commandLineSection();
  const blocks: { language: string; lines: string[] }[] = [];
  const fence = /^```(\w*)\n([\s\S]*?)^```$/gm;
  for (const match of section.matchAll(fence)) blocks.push({ language: match[1] ?? "", lines: (match[2] ?? "").split("\n").filter((line) => line.trim() !== "") });
  return blocks;
}

const blocks = sectionBlocks();
const shell = blocks.filter((block) => block.language === "sh");
const SERVICE = "http://127.0.0.1:4080/odata/v4/demo/";

let bin: string;
let cwd: string;
let serve: ChildProcess | undefined;

/** Runs one README line in sh, the binary on PATH. */
async function sh(line: string, timeoutMs = 60_000) {
  const child = spawn("sh", ["-c", line], { cwd, env: cliEnv({ PATH: `${bin}:${process.env["PATH"] ?? ""}` }), stdio: ["ignore", "pipe", "pipe"] });
  return finished(child, timeoutMs);
}

before(async () => {
  const main = await buildCli();
  bin = tempDir("traverse-cli-bin-");
  writeFile(join(bin, "traverse-odata"), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(main)} "$@"\n`);
  chmodSync(join(bin, "traverse-odata"), 0o755);
  cwd = tempDir();
  const [serveBlock] = shell;
  assert.ok(serveBlock && serveBlock.lines.length === 1 && /^traverse-odata serve\b/.test(serveBlock.lines[0]!), `the first shell block starts the demo service: ${JSON.stringify(serveBlock)}`);
  // exec: sh becomes the binary, so that stopping it stops the service.
  serve = spawn("sh", ["-c", `exec ${serveBlock.lines[0]}`], { cwd, env: cliEnv({ PATH: `${bin}:${process.env["PATH"] ?? ""}` }), stdio: ["ignore", "pipe", "pipe"] });
  const lines = createInterface({ input: serve.stdout! });
  let stderr = "";
  serve.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const [url] = (await Promise.race([
    once(lines, "line"),
    once(serve, "exit").then(() => {
      throw new Error(`traverse-odata serve ended before listening (is port 4080 taken?): ${stderr}`);
    }),
  ])) as [string];
  assert.equal(url, SERVICE);
});

after(async () => {
  if (serve && serve.exitCode === null) {
    const exited = once(serve, "exit");
    serve.kill("SIGINT");
    await exited;
  }
});

test("the examples with a URL run as written and give what the README says", async () => {
  const examples = shell[1]!.lines;
  assert.ok(examples.length >= 6);
  const results: CliResult[] = [];
  for (const line of examples) {
    const result = await sh(line);
    assert.equal(result.code, 0, `${line}\n${show(result)}`);
    assert.notEqual(result.stdout, "", `${line} printed nothing`);
    results.push(result);
  }
  const byCommand = (word: string, also = "") => results[examples.findIndex((line) => line.includes(` ${word} `) && line.includes(also))]!.stdout;
  assert.match(byCommand("describe"), /^ {2}Products\s+Demo\.Product\s+key ID$/m);
  assert.match(byCommand("describe", "Orders"), /^ETag: revision$/m);
  assert.match(byCommand("query", "--select"), /^ID\s+Name\s+Price\n-+/);
  const counted = JSON.parse(byCommand("query", "--count"));
  assert.equal(counted["@odata.count"], 100_000);
  assert.equal(counted.value.length, 3);
  assert.equal(byCommand("count"), "100000\n");
  assert.equal(JSON.parse(byCommand("get")).ID, 42);
});

test("with the README's profile: export, parallel export, plan and partition, call --async, --no-wait, wait and cancel", async () => {
  const config = blocks.find((block) => block.language === "json");
  assert.ok(config);
  writeFile(join(cwd, "traverse-odata.config.json"), config.lines.join("\n"));
  const examples = shell[2]!.lines;
  const outputs = new Map<string, string>();
  for (const line of examples) {
    const result = await sh(line);
    assert.equal(result.code, 0, `${line}\n${show(result)}`);
    outputs.set(line, result.stdout);
  }
  const lineWith = (text: string) => examples.find((line) => line.includes(text))!;
  const count = (file: string) => readFileSync(join(cwd, file), "utf8").trimEnd().split("\n").length;
  assert.equal(count("products.ndjson"), 100_000);
  assert.equal(count("products.csv"), 100_001);
  assert.equal(readFileSync(join(cwd, "products.csv"), "utf8").split("\r\n")[0], "ID,Name,Category,Price,Stock,ReleaseDate");
  // The demo orders by its key, so the plan is of key ranges, found by the ordered probes.
  const plan = JSON.parse(readFileSync(join(cwd, "plan.json"), "utf8")) as { index: number; kind: string; filter: string }[];
  assert.deepEqual(
    plan.map((p) => [p.index, p.kind, p.filter]),
    [
      [0, "key-range", "ID lt 25001"],
      [1, "key-range", "ID ge 25001 and ID lt 50001"],
      [2, "key-range", "ID ge 50001 and ID lt 75001"],
      [3, "key-range", "ID ge 75001"],
    ],
  );
  const part = readFileSync(join(cwd, "products-2.ndjson"), "utf8").trimEnd().split("\n");
  assert.equal(part.length, 25_000);
  assert.equal(JSON.parse(part[0]!).ID, 25_001);
  assert.equal(JSON.parse(outputs.get(lineWith("--async"))!).rowCount, 1000);
  assert.equal(JSON.parse(readFileSync(join(cwd, "job.json"), "utf8")).type, "traverse-odata/async-poller");
  assert.equal(JSON.parse(outputs.get(lineWith("wait job.json"))!).format, "csv");
});

test("the query options of the README's prose (--filter, --orderby) run as written against the demo and print the rows they select", async () => {
  const section = commandLineSection();
  // The options the README shows in OData's own syntax, as it writes them (quoted for the shell).
  const shown = [...section.matchAll(/`(--(filter|orderby) "[^"`]+")`/g)].map((match) => ({ option: match[2] as "filter" | "orderby", text: match[1] as string }));
  assert.deepEqual(shown.map((each) => each.text), [`--filter "Stock gt 0 and startswith(Name,'P')"`, `--orderby "Price desc,ID"`], "the options this test knows the meaning of");
  // What they select, worked out here from the catalogue `serve` holds (IDs 1 to 100000).
  const catalogue: Product[] = Array.from({ length: 100_000 }, (_, index) => productAt(index + 1));
  const selected = {
    filter: catalogue.filter((p) => p.Stock > 0 && p.Name.startsWith("P")),
    orderby: [...catalogue].sort((a, b) => b.Price - a.Price || a.ID - b.ID),
  };
  for (const { option, text } of shown) {
    const line = `traverse-odata query ${SERVICE} Products ${text} --top 3`;
    const result = await sh(line);
    assert.equal(result.code, 0, `${line}\n${show(result)}`);
    const [header, rule, ...rows] = result.stdout.trimEnd().split("\n");
    assert.match(header ?? "", /^ID\s+Name\s+Category\s+Price\s+Stock\s+ReleaseDate$/, `${line}\n${show(result)}`);
    assert.match(rule ?? "", /^-+(\s+-+){5}$/);
    const expected = selected[option].slice(0, 3).map((p) => [String(p.ID), p.Name, p.Category, String(p.Price), String(p.Stock), p.ReleaseDate]);
    assert.deepEqual(rows.map((row) => row.split(/\s{2,}/)), expected, `${line}\n${show(result)}`);
  }
  const filter = shown.find((each) => each.option === "filter")!;
  const count = await sh(`traverse-odata count ${SERVICE} Products ${filter.text}`);
  assert.equal(count.code, 0, show(count));
  assert.equal(count.stdout, `${selected.filter.length}\n`);
});

test("the README's profiles block is a configuration the command line takes: each profile asks for its own secret", async () => {
  const profiles = blocks.filter((block) => block.language === "json").find((block) => block.lines.some((line) => line.includes('"s4"')));
  assert.ok(profiles, "the README shows the s4, graph and btp profiles");
  const dir = tempDir();
  writeFile(join(dir, "traverse-odata.config.json"), profiles.lines.join("\n"));
  // Without the environment variables they name, each profile stops before any request, naming the
  // variable: the file itself, placeholders and all, is read.
  for (const [profile, variable] of [
    ["s4", "S4_API_KEY"],
    ["graph", "GRAPH_CLIENT_SECRET"],
    ["btp", "BTP_CLIENT_SECRET"],
  ] as const) {
    const child = spawn("sh", ["-c", `traverse-odata count ${profile} Things`], { cwd: dir, env: cliEnv({ PATH: `${bin}:${process.env["PATH"] ?? ""}` }), stdio: ["ignore", "pipe", "pipe"] });
    const result = await finished(child, 60_000);
    assert.equal(result.code, 2, `${profile}\n${show(result)}`);
    assert.match(result.stderr, new RegExp(variable), `${profile}\n${show(result)}`);
    assert.doesNotMatch(result.stderr, /tokenUrl must|config\.json:/, `${profile}\n${show(result)}`);
  }
});
