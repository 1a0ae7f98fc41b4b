// The generated file imports `EntityInput` (what an entity-typed operation parameter takes) and
// `EntityInputValue` (what a complex property of it takes, where derived complex types exist) from the library, but these two were
// missing from the names a model's type may not take: a service with an entity type `EntityInput`
// or a complex type `EntityInputValue` gave an index.ts that did not compile ("Import declaration
// conflicts with local declaration"), and in the declarations form (checked with skipLibCheck) the
// parameter types fell apart silently. Type-checked under the repository's tsconfig, in memory.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseMetadata } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import { virtualDiagnostics, virtualFolder } from "./virtual-program.js";
import { edmxV4, schemaV4 } from "./generated-module.js";

const FOLDER = virtualFolder("hunt41-codegen-imported-names");

const METADATA = edmxV4(
  schemaV4(
    "X",
    `<EntityType Name="EntityInput"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="false"/><Property Name="value" Type="X.EntityInputValue"/></EntityType>
<ComplexType Name="EntityInputValue"><Property Name="text" Type="Edm.String"/></ComplexType>
<ComplexType Name="Longer" BaseType="X.EntityInputValue"><Property Name="more" Type="Edm.String"/></ComplexType>
<Action Name="Save"><Parameter Name="item" Type="X.EntityInput" Nullable="false"/><ReturnType Type="X.EntityInput"/></Action>
<EntityContainer Name="Svc"><EntitySet Name="Inputs" EntityType="X.EntityInput"/><ActionImport Name="Save" Action="X.Save" EntitySet="Inputs"/></EntityContainer>`,
  ),
);

const USAGE = `import type { ODataClient } from "${FOLDER.importFrom}";
import { svc, type EntityInput_, type EntityInputValue_ } from "./index.js";

export async function usage(client: ODataClient): Promise<void> {
  const service = svc(client);
  const saved: EntityInput_ | null | undefined = await service.Save.invoke({ item: { id: 1, value: { text: "a" } } });
  const value: EntityInputValue_ | null | undefined = saved?.value;
  void value;
  // @ts-expect-error the key is an Edm.Int32
  void service.Save.invoke({ item: { id: "1" } });
  // A value of the derived complex type says so.
  void service.Save.invoke({ item: { id: 1, value: { "@odata.type": "#X.Longer", text: "a", more: "b" } } });
  // @ts-expect-error the complex value has no such property
  void service.Save.invoke({ item: { id: 1, value: { texts: "a" } } });
}
`;

for (const declarations of [false, true]) {
  test(`a model type named EntityInput or EntityInputValue is renamed, and the file compiles (${declarations ? "index.d.ts" : "index.ts"})`, () => {
    const generated = generate(parseMetadata(METADATA), { importFrom: FOLDER.importFrom, declarations });
    const text = (declarations ? generated["index.d.ts"] : generated["index.ts"]) ?? "";
    assert.match(text, /^export interface EntityInput_ extends Entity</m);
    assert.match(text, /^export interface EntityInputValue_ \{/m);
    assert.match(text, /import type \{[^}]*\bEntityInput, EntityInputValue\b[^}]*\}/);
    const folder = join(FOLDER.virtual, declarations ? "dts" : "ts");
    const files = new Map([
      [join(folder, declarations ? "index.d.ts" : "index.ts"), text],
      [join(folder, "usage.ts"), USAGE],
    ]);
    const diagnostics = virtualDiagnostics(files, FOLDER.virtual, FOLDER.root);
    assert.deepEqual(
      Object.fromEntries([...diagnostics].map(([file, list]) => [file.slice(folder.length + 1), list])),
      declarations ? { "index.d.ts": [], "usage.ts": [] } : { "index.ts": [], "usage.ts": [] },
    );
  });
}
