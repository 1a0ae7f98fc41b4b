// OData v2 function and action imports send their parameters as literals in the query. A whole
// number beyond Int32 written as it is becomes an Int64 literal (`10000000000L`), which a service
// refuses for an Edm.Double or Edm.Single parameter; the generated factory, which knows the
// parameter's type from $metadata, writes the type's own literal (`10000000000d`, `3000000000f`),
// whether the value is given as a number or as the text SAP services send. Other values keep
// their plain forms (`0.1`, `2147483647`). Checked for the TypeScript factory (index.ts) and the
// JavaScript one (index.js of --declarations) against a node:http server recording the URLs.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ODataClient, parseMetadata } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import { sendJson, startServer, type RecordingServer } from "./servers/recording-server.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">
 <edmx:DataServices m:DataServiceVersion="2.0">
  <Schema Namespace="S" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">
   <EntityContainer Name="Sensors" m:IsDefaultEntityContainer="true">
    <FunctionImport Name="scale" ReturnType="Edm.Double" m:HttpMethod="GET"><Parameter Name="factor" Type="Edm.Double"/><Parameter Name="ratio" Type="Edm.Single" Nullable="false"/></FunctionImport>
    <FunctionImport Name="adjust" m:HttpMethod="POST"><Parameter Name="by" Type="Edm.Double" Nullable="false"/></FunctionImport>
   </EntityContainer>
  </Schema>
 </edmx:DataServices>
</edmx:Edmx>`;

type Sensors = {
  scale: (params: { factor: number | string | null; ratio: number | string }) => { get(): Promise<number | string | null> };
  adjust: { invoke(params: { by: number | string }): Promise<undefined> };
};

/** The generated factory in the given form, written to a folder of its own and imported. */
async function factoryOf(form: "index.ts" | "index.js", folder: string): Promise<(client: ODataClient) => Sensors> {
  const importFrom = pathToFileURL(join(ROOT, "src", "index.js")).href;
  const files = generate(parseMetadata(METADATA), { importFrom, declarations: form === "index.js" });
  // An ES module, as in the user's project: a CommonJS copy would load another instance of the
  // library, whose client would not know the edm values of this one.
  writeFileSync(join(folder, "package.json"), '{ "type": "module" }\n');
  const file = join(folder, form);
  writeFileSync(file, files[form] ?? "");
  return ((await import(pathToFileURL(file).href)) as { sensors: (client: ODataClient) => Sensors }).sensors;
}

describe("v2 Double and Single parameters of operation imports", () => {
  for (const form of ["index.ts", "index.js"] as const) {
    test(`${form}: a whole number beyond Int32, given as a number or as text, is sent as a Double (d) or Single (f) literal, not as an Int64 (L); other values keep their plain forms`, async (t) => {
      const folder = mkdtempSync(join(tmpdir(), "v2-double-params-"));
      t.after(() => rmSync(folder, { recursive: true, force: true }));
      const sensors = await factoryOf(form, folder);
      const server: RecordingServer = await startServer((request, res) => {
        if (request.path.startsWith("/s/scale")) return sendJson(res, 200, { d: { scale: "0.25" } });
        res.writeHead(204);
        res.end();
      });
      t.after(() => server.close());
      const svc = sensors(new ODataClient({ serviceUrl: server.url("s/"), version: "2.0" }));
      assert.equal(await svc.scale({ factor: 1e10, ratio: 3e9 }).get(), "0.25");
      assert.equal(await svc.scale({ factor: "10000000000", ratio: "-3e9" }).get(), "0.25");
      assert.equal(await svc.scale({ factor: "1.5e10", ratio: -2147483649 }).get(), "0.25");
      // Int32 and fractions are written as before.
      assert.equal(await svc.scale({ factor: "0.1", ratio: 2147483647 }).get(), "0.25");
      assert.equal(await svc.scale({ factor: null, ratio: -2147483648 }).get(), "0.25");
      assert.equal(await svc.adjust.invoke({ by: -1e10 }), undefined);
      assert.deepEqual(
        server.requests.map((r) => [r.method, decodeURIComponent(r.path)]),
        [
          ["GET", "/s/scale?factor=10000000000d&ratio=3000000000f"],
          ["GET", "/s/scale?factor=10000000000d&ratio=-3000000000f"],
          ["GET", "/s/scale?factor=15000000000d&ratio=-2147483649f"],
          ["GET", "/s/scale?factor=0.1&ratio=2147483647"],
          ["GET", "/s/scale?factor=null&ratio=-2147483648"],
          ["POST", "/s/adjust?by=-10000000000d"],
        ],
      );
    });
  }
});
