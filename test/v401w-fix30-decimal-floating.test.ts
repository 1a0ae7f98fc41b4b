/**
 * An OData 4.01 `Edm.Decimal` of `Scale="floating"` (CSDL 4.01 §7.2.4) is, like a Double, a JSON
 * number or one of the strings "NaN", "INF" and "-INF" (JSON Format 4.01 §7.1), which the reader
 * gives as sent: the generated types say `number | "NaN" | "INF" | "-INF"`, not `number`, so that
 * `row.Reading + 1` does not compile where it would concatenate "INF1". A decimal of a fixed or
 * variable scale stays `number`; with `ieee754Compatible` every decimal is a string anyway. Checked
 * three ways: the generated text, a program type-checked in memory (a misuse marked
 * `@ts-expect-error` must fail), and the factory run against a node:http server.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ODataClient, parseMetadata, type CollectionQuery } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import { sendJson, startServer } from "./servers/recording-server.js";
import { virtualDiagnostics } from "./virtual-program.js";
import { edmxV4, importGenerated, LIBRARY_URL, schemaV4 } from "./generated-module.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const VIRTUAL = join(ROOT, "test", "v401w-fix30-decimal-floating.virtual");
const FLOAT = 'number | "NaN" | "INF" | "-INF"';

const METADATA = edmxV4(
  schemaV4(
    "Lab",
    `<TypeDefinition Name="Measure" UnderlyingType="Edm.Decimal" Scale="floating" Precision="34"/>
<EntityType Name="Sample"><Key><PropertyRef Name="ID"/></Key>
  <Property Name="ID" Type="Edm.Int32" Nullable="false"/>
  <Property Name="Reading" Type="Edm.Decimal" Scale="floating" Precision="34" Nullable="false"/>
  <Property Name="Spread" Type="Collection(Edm.Decimal)" Scale="floating" Nullable="false"/>
  <Property Name="Level" Type="Lab.Measure"/>
  <Property Name="Price" Type="Edm.Decimal" Scale="2" Precision="9" Nullable="false"/>
  <Property Name="Rate" Type="Edm.Decimal" Scale="variable"/>
</EntityType>
<Function Name="Peak"><ReturnType Type="Edm.Decimal" Scale="floating" Nullable="false"/></Function>
<EntityContainer Name="C"><EntitySet Name="Samples" EntityType="Lab.Sample"/><FunctionImport Name="Peak" Function="Lab.Peak"/></EntityContainer>`,
  ),
  "4.01",
);

/** The same model in CSDL JSON, whose floating scale is `"$Scale": "floating"`. */
const CSDL_JSON = JSON.stringify({
  $Version: "4.01",
  $EntityContainer: "Lab.C",
  Lab: {
    Sample: { $Kind: "EntityType", $Key: ["ID"], ID: { $Type: "Edm.Int32" }, Reading: { $Type: "Edm.Decimal", $Scale: "floating" }, Price: { $Type: "Edm.Decimal", $Scale: 2 } },
    C: { $Kind: "EntityContainer", Samples: { $Collection: true, $Type: "Lab.Sample" } },
  },
});

const lines = (text: string) => new RegExp(`^${text.replace(/[|()[\]?*+.]/g, "\\$&")}$`, "m");

describe('a 4.01 Edm.Decimal of Scale="floating" is typed as what the reader gives: a number, "NaN", "INF" or "-INF"', () => {
  test("properties, collections, type definitions and results of floating scale say so, in EDMX and CSDL JSON; a fixed or variable scale stays number; with ieee754Compatible all are strings; a filter takes a number or edm.decimal()", () => {
    const code = generate(parseMetadata(METADATA))["index.ts"] ?? "";
    assert.match(code, lines(`  Reading: ${FLOAT};`));
    assert.match(code, lines(`  Spread: (${FLOAT})[];`));
    assert.match(code, lines(`export type Measure = ${FLOAT};`));
    assert.match(code, lines("  Price: number;"));
    assert.match(code, lines("  Rate: number | null;"));
    assert.match(code, lines(`  readonly Peak: (params?: PeakParameters) => FunctionCall<${FLOAT}>;`));
    // "INF" given to a filter would be written quoted: the number or the edm value is its literal.
    assert.match(code, lines("  literals: { Reading: number | EdmValue; Level: number | EdmValue };"));
    const json = generate(parseMetadata(CSDL_JSON))["index.ts"] ?? "";
    assert.match(json, lines(`  Reading: ${FLOAT};`));
    assert.match(json, lines("  Price: number;"));
    const strings = generate(parseMetadata(METADATA), { ieee754Compatible: true })["index.ts"] ?? "";
    assert.match(strings, lines("  Reading: string;"));
    assert.match(strings, lines("export type Measure = string;"));
  });

  test("a program may not take such a decimal for a number; it narrows with typeof, and a filter compares a number or edm.decimal(text)", () => {
    const importFrom = "../../../src/index.js";
    const model = parseMetadata(METADATA);
    const program = `import { edm, type ODataClient } from "${importFrom}";
import { lab } from "./index.js";

export async function usage(client: ODataClient): Promise<void> {
  const svc = lab(client);
  const rows = await svc.Samples.list();
  const reading: ${FLOAT} = rows[0]!.Reading;
  // @ts-expect-error "INF" is no number: + would concatenate
  const next: number = rows[0]!.Reading + 1;
  const sure: number = typeof reading === "number" ? reading : Number.NaN;
  // @ts-expect-error the result may be "NaN"
  const half: number = (await svc.Peak().get()) / 2;
  const price: number = rows[0]!.Price;
  void svc.Samples.filter((f) => f.and(f.eq("Reading", 1.5), f.eq("Reading", edm.decimal("INF")), f.eq("Level", edm.decimal("-INF"))));
  // @ts-expect-error written 'INF', a string
  void svc.Samples.filter((f) => f.eq("Reading", "INF"));
  void [next, sure, half, price];
}
`;
    const files = new Map([
      [join(VIRTUAL, "ts", "index.ts"), generate(model, { importFrom, name: "lab" })["index.ts"] ?? ""],
      [join(VIRTUAL, "ts", "usage.ts"), program],
      [join(VIRTUAL, "dts", "index.d.ts"), generate(model, { importFrom, name: "lab", declarations: true })["index.d.ts"] ?? ""],
      [join(VIRTUAL, "dts", "usage.ts"), program],
    ]);
    const diagnostics = virtualDiagnostics(files, VIRTUAL, ROOT, " ");
    for (const [file, list] of diagnostics) assert.deepEqual(list, [], file);
  });

  test("on the wire: the rows hold INF, -INF and NaN as the 4.01 service sent them, beside numbers; edm.decimal('INF') is written INF", async (t) => {
    const server = await startServer((request, res) => {
      if (request.path.includes("/Peak(")) return sendJson(res, 200, { "@context": "$metadata#Edm.Decimal", value: "-INF" }, { "odata-version": "4.01" });
      sendJson(
        res,
        200,
        { "@context": "$metadata#Samples", value: [{ ID: 1, Reading: "INF", Spread: [1.5, "NaN"], Level: "-INF", Price: 9.99, Rate: null }, { ID: 2, Reading: 2.5, Spread: [], Level: 1, Price: 1, Rate: 0.5 }] },
        { "odata-version": "4.01" },
      );
    });
    t.after(() => server.close());
    type Row = { ID: number; Reading: unknown; Spread: unknown; Level: unknown };
    type Factory = (client: ODataClient) => { Samples: CollectionQuery<Row>; Peak(): { get(): Promise<unknown> } };
    const text = generate(parseMetadata(METADATA), { importFrom: LIBRARY_URL, name: "lab" })["index.ts"] ?? "";
    const svc = (await importGenerated<{ lab: Factory }>(t, "index.ts", text)).lab(new ODataClient({ serviceUrl: server.url("svc/"), version: "4.01" }));
    const { edm } = await import("../src/index.js");
    const rows = await svc.Samples.filter((f) => f.eq("Reading", edm.decimal("INF"))).list();
    assert.deepEqual(rows.map((row) => [row.ID, row.Reading, row.Spread, row.Level]), [
      [1, "INF", [1.5, "NaN"], "-INF"],
      [2, 2.5, [], 1],
    ]);
    assert.equal(await svc.Peak().get(), "-INF");
    assert.deepEqual(server.requests.map((r) => decodeURIComponent(r.path)), ["/svc/Samples?$filter=Reading eq INF", "/svc/Peak()"]);
    // Each value read is one the generated type allows.
    const declared = (name: string) => (new RegExp(`^  ${name}: (.*);$`, "m").exec(text)?.[1] ?? "").replace(/ \| null$/, "").split(" | ");
    const fits = (value: unknown, members: string[]) => members.includes(typeof value === "number" ? "number" : JSON.stringify(value));
    for (const row of rows) {
      assert.ok(fits(row.Reading, declared("Reading")), `Reading ${JSON.stringify(row.Reading)} is no ${declared("Reading").join(" | ")}`);
      const measure = (/^export type Measure = (.*);$/m.exec(text)?.[1] ?? "").split(" | ");
      assert.ok(fits(row.Level, declared("Level").flatMap((name) => (name === "Measure" ? measure : [name]))), `Level ${JSON.stringify(row.Level)} is no ${measure.join(" | ")}`);
    }
  });
});
