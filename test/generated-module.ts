/**
 * What the generator's tests share: `$metadata` documents written around a schema's body, and a
 * generated file written to a folder of its own and imported, so that a test runs the factory as
 * a user's program would.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The library's entry point as a generated file imports it from a folder outside the repository. */
export const LIBRARY_URL = pathToFileURL(join(ROOT, "src", "index.js")).href;

/** A CSDL 4 schema `namespace` (optionally with an alias) holding `body`. */
export function schemaV4(namespace: string, body: string, alias?: string): string {
  return `<Schema Namespace="${namespace}"${alias === undefined ? "" : ` Alias="${alias}"`} xmlns="http://docs.oasis-open.org/odata/ns/edm">\n${body}\n</Schema>`;
}

/** An OData 4 `$metadata` document holding the given schemas. */
export function edmxV4(schemas: string, version = "4.0"): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="${version}" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
${schemas}
</edmx:DataServices></edmx:Edmx>`;
}

/** An OData v2 `$metadata` document of one schema `namespace` holding `body`. */
export function edmxV2(body: string, namespace: string): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">
<edmx:DataServices m:DataServiceVersion="2.0">
<Schema Namespace="${namespace}" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">
${body}
</Schema></edmx:DataServices></edmx:Edmx>`;
}

/**
 * Writes `text` as `file` (`index.ts`, `index.js`) in a folder of its own, removed after the test,
 * and imports it. The folder is an ES module package, so that `index.js` loads as one and shares
 * the test's instance of the library.
 */
export async function importGenerated<M>(t: { after(fn: () => void): void }, file: string, text: string): Promise<M> {
  const folder = mkdtempSync(join(tmpdir(), "traverse-generated-"));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  writeFileSync(join(folder, "package.json"), '{ "type": "module" }\n');
  writeFileSync(join(folder, file), text);
  return (await import(pathToFileURL(join(folder, file)).href)) as M;
}
