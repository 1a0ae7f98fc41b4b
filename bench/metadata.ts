/**
 * `$metadata` parsing speed: `parseMetadata` over a Graph-shaped document of about 3.4 MB
 * (bench/metadata-document.ts; Microsoft Graph v1.0's own parsed in 0.3-0.6 s here), as EDMX and
 * as its CSDL JSON form, against a baseline measured in the same run.
 *
 * The baseline is `JSON.parse` of the document's CSDL JSON form (made from the EDMX by the OASIS
 * converter `odata-csdl`): the cheapest way there is to read the same description of the service
 * in JavaScript, done by the engine's native parser, and none of this library's code. It slows
 * down with the machine as `parseMetadata` does, so the ratio stays put on a busy machine, and it
 * moves only when this library's own cost changes (a baseline of the library's XML tokenizer
 * would move with the very code being measured). The tokenizer alone is shown beside it, to tell
 * tokenizing from building the model.
 *
 * The variants take turns within each round, their order rotating; figures are medians over the
 * rounds with their spread (fastest and slowest round), and each ratio is the median of the
 * per-round ratios. Figures only: nothing passes or fails here.
 *
 * Run on its own with `npx tsx bench/metadata.ts`, or as the `metadata` section of `npm run bench`.
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { parseMetadata } from "../src/index.js";
import { parseXml } from "../src/payload/xml.js";
import type { BenchFigure } from "./main.js";
import { graphShapedMetadata } from "./metadata-document.js";
import { median } from "./stats.js";

const ROUNDS = 11;
const WARM_UP_ROUNDS = 2;

interface Variant {
  name: string;
  note: string;
  run: () => unknown;
}

/**
 * Builds the Graph-shaped document, then times each variant over {@link ROUNDS} rounds.
 * @example
 * const figures = await benchMetadata();
 */
export async function benchMetadata(): Promise<BenchFigure[]> {
  const xml = graphShapedMetadata();
  const { xml2json } = createRequire(import.meta.url)("odata-csdl") as { xml2json: (xml: string) => unknown };
  const json = JSON.stringify(xml2json(xml));
  const model = parseMetadata(xml);
  const count = (pick: (schema: (typeof model.schemas)[number]) => readonly unknown[]) => model.schemas.reduce((sum, schema) => sum + pick(schema).length, 0);
  console.log(
    `  document: ${(xml.length / 1e6).toFixed(2)} MB EDMX, ${(json.length / 1e6).toFixed(2)} MB CSDL JSON; ` +
      `${count((s) => s.entityTypes)} entity types, ${count((s) => s.complexTypes)} complex types, ${count((s) => s.enumTypes)} enum types, ` +
      `${count((s) => s.entityTypes.flatMap((t) => t.properties)) + count((s) => s.complexTypes.flatMap((t) => t.properties))} properties, ` +
      `${count((s) => s.actions) + count((s) => s.functions)} bound operations`,
  );

  const variants: Variant[] = [
    { name: "JSON.parse (baseline)", note: "the CSDL JSON form, native parser", run: () => JSON.parse(json) },
    { name: "parseXml", note: "the EDMX through the XML tokenizer alone", run: () => parseXml(xml) },
    { name: "parseMetadata EDMX", note: "EDMX text to model", run: () => parseMetadata(xml) },
    { name: "parseMetadata CSDL JSON", note: "CSDL JSON text to model", run: () => parseMetadata(json) },
  ];
  const samples = new Map<string, number[]>(variants.map((variant) => [variant.name, []]));
  for (let round = -WARM_UP_ROUNDS; round < ROUNDS; round++) {
    for (let i = 0; i < variants.length; i++) {
      const variant = variants[(i + Math.max(round, 0)) % variants.length] as Variant;
      const started = performance.now();
      variant.run();
      const elapsed = performance.now() - started;
      if (round >= 0) samples.get(variant.name)!.push(elapsed);
    }
  }

  const baseline = samples.get("JSON.parse (baseline)")!;
  const figures: BenchFigure[] = [];
  for (const variant of variants) {
    const times = samples.get(variant.name)!;
    const spread = `${Math.round(Math.min(...times))}-${Math.round(Math.max(...times))} ms`;
    figures.push({ name: `${variant.name} median`, value: Math.round(median(times)), unit: "ms", note: `${variant.note}; ${ROUNDS} rounds, spread ${spread}` });
  }
  for (const name of ["parseXml", "parseMetadata EDMX", "parseMetadata CSDL JSON"]) {
    const ratios = samples.get(name)!.map((time, round) => time / (baseline[round] as number));
    figures.push({ name: `${name} / JSON.parse`, value: Math.round(median(ratios) * 100) / 100, unit: "ratio", note: "median of the per-round ratios" });
  }
  return figures;
}

if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url) {
  console.table(await benchMetadata());
}
