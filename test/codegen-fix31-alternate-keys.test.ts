/**
 * `key()` of a generated set takes the alternate keys its entity type declares (`Core.AlternateKeys`,
 * or Dataverse's `OData.Community.Keys.V1.AlternateKeys`), each by its aliases with the types of the
 * properties they stand for, as the `<Type>Key` does: `accounts.key({ accountnumber: "A3" })` did
 * not compile, though the client writes `accounts(accountnumber='A3')` (OData URL Conventions 4.01
 * §4.3.1). Checked by compiling a program (what must not compile marked `@ts-expect-error`) and by
 * running it against a node:http server, which records the URLs sent.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, parseMetadata } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import { sendJson, startServer } from "./servers/recording-server.js";
import { generatedFiles, importWritten, virtualDiagnostics, virtualFolder } from "./virtual-program.js";
import { edmxV4, LIBRARY_URL, schemaV4 } from "./generated-module.js";

const { root: ROOT, virtual: VIRTUAL, importFrom: IMPORT_FROM } = virtualFolder("codegen-fix31-alternate-keys");
const GUID = "0f8fad5b-d9cb-469f-a165-70867728950e";

/** One alternate key of a property, one of two parts (one of them in a complex property, by its alias), a community one on a derived type. */
const METADATA = edmxV4(
  schemaV4(
    "M",
    `<ComplexType Name="Addr"><Property Name="Zip" Type="Edm.String" Nullable="false"/></ComplexType>
<EntityType Name="Account"><Key><PropertyRef Name="accountid"/></Key>
<Property Name="accountid" Type="Edm.Guid" Nullable="false"/><Property Name="accountnumber" Type="Edm.String"/><Property Name="name" Type="Edm.String"/><Property Name="region" Type="Edm.String"/><Property Name="seq" Type="Edm.Int32"/><Property Name="addr" Type="M.Addr"/>
<Annotation Term="Core.AlternateKeys"><Collection>
<Record Type="Core.AlternateKey"><PropertyValue Property="Key"><Collection><Record Type="Core.PropertyRef"><PropertyValue Property="Name" PropertyPath="accountnumber"/><PropertyValue Property="Alias" String="accountnumber"/></Record></Collection></PropertyValue></Record>
<Record Type="Core.AlternateKey"><PropertyValue Property="Key"><Collection><Record Type="Core.PropertyRef"><PropertyValue Property="Name" PropertyPath="region"/><PropertyValue Property="Alias" String="region"/></Record><Record Type="Core.PropertyRef"><PropertyValue Property="Name" PropertyPath="addr/Zip"/><PropertyValue Property="Alias" String="zip"/></Record></Collection></PropertyValue></Record>
</Collection></Annotation>
</EntityType>
<EntityType Name="Partner" BaseType="M.Account"><Property Name="code" Type="Edm.Guid"/>
<Annotation Term="OData.Community.Keys.V1.AlternateKeys"><Collection><Record><PropertyValue Property="Key"><Collection><Record><PropertyValue Property="Alias" String="code"/><PropertyValue Property="Name" PropertyPath="code"/></Record></Collection></PropertyValue></Record></Collection></Annotation>
</EntityType>
<EntityContainer Name="Svc"><EntitySet Name="accounts" EntityType="M.Account"/><EntitySet Name="partners" EntityType="M.Partner"/></EntityContainer>`,
  ),
  "4.01",
).replace(
  "<edmx:DataServices>",
  `<edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Core.V1.xml"><edmx:Include Namespace="Org.OData.Core.V1" Alias="Core"/></edmx:Reference><edmx:DataServices>`,
);

/** The calls by alternate keys, run against the server below. */
const CALLS = (library: string) => `import { edm, type ODataClient } from "${library}";
import { svc, type AccountKey, type PartnerKey } from "./index.js";

export async function run(client: ODataClient): Promise<Array<string | null>> {
  const s = svc(client);
  const byNumber: AccountKey = { accountnumber: "A3" };
  const byCode: PartnerKey = { code: edm.guid("${GUID}") };
  return [
    (await s.accounts.key({ accountnumber: "A3" }).get()).name,
    (await s.accounts.key(byNumber).get()).name,
    (await s.accounts.key({ region: "EU", zip: "1010" }).get()).name,
    (await s.accounts.key(edm.guid("${GUID}")).get()).name,
    (await s.partners.key(byCode).get()).name,
    (await s.partners.key({ accountnumber: "P1" }).get()).name,
  ];
}
`;

/** What key() and <Type>Key refuse. */
const REFUSED = `import { edm, type ODataClient } from "${IMPORT_FROM}";
import { svc, type AccountKey } from "./index.js";

export function refused(client: ODataClient): void {
  const s = svc(client);
  // @ts-expect-error a number for the string accountnumber
  void s.accounts.key({ accountnumber: 3 });
  // @ts-expect-error no alternate key of that name
  void s.accounts.key({ accountnum: "A3" });
  // @ts-expect-error a part of an alternate key of two alone
  void s.accounts.key({ region: "EU" });
  // @ts-expect-error a property that is no alternate key
  void s.accounts.key({ seq: 1 });
  // @ts-expect-error the derived type's alternate key is not its base type's
  void s.accounts.key({ code: edm.guid("${GUID}") });
  // @ts-expect-error a GUID given as text (key() would quote it)
  void s.partners.key({ code: "${GUID}" });
  // @ts-expect-error AccountKey refuses what key() refuses
  const wrong: AccountKey = { accountnumber: 3 };
  void wrong;
}
`;

function files(declarations: boolean): Map<string, string> {
  return generatedFiles(VIRTUAL, declarations, { index: { metadata: METADATA, name: "svc" } }, { "calls.ts": CALLS(IMPORT_FROM), "refused.ts": REFUSED });
}

describe("key() and <Type>Key take the alternate keys an entity type declares", () => {
  test("the shape's alternateKeys and the <Type>Key: each alternate key by its aliases, typed by the properties they stand for", () => {
    const text = generate(parseMetadata(METADATA), { name: "svc" })["index.ts"] ?? "";
    assert.match(text, /^ {2}alternateKeys: \{ accountnumber: string \} \| \{ region: string; zip: string \};$/m);
    // A derived type's own first, then its base type's.
    assert.match(text, /^ {2}alternateKeys: \{ code: EdmValue \} \| \{ accountnumber: string \} \| \{ region: string; zip: string \};$/m);
    assert.match(text, /^export type AccountKey = EdmValue \| \{ accountnumber: string \} \| \{ region: string; zip: string \};$/m);
    assert.match(text, /^export type PartnerKey = EdmValue \| \{ code: EdmValue \} \| \{ accountnumber: string \} \| \{ region: string; zip: string \};$/m);
  });

  test("a program may give key() an alternate key, and not a wrong-typed or unknown one (index.ts and index.d.ts)", () => {
    for (const declarations of [false, true]) {
      for (const [file, list] of virtualDiagnostics(files(declarations), VIRTUAL, ROOT, " ")) assert.deepEqual(list, [], file);
    }
  });

  test("on the wire: the key predicate names the alternate key's aliases", async (t) => {
    const server = await startServer((_request, res) => sendJson(res, 200, { accountid: GUID, name: "n", accountnumber: "A3", region: null, seq: null, addr: null }, { "OData-Version": "4.01" }));
    t.after(() => server.close());
    // The program the compile test above checks, compiled here too (tsx runs it unchecked), then
    // run with the library it was checked against.
    const compiled = files(false);
    for (const file of compiled.keys()) if (file.endsWith("refused.ts")) compiled.delete(file);
    for (const [file, list] of virtualDiagnostics(compiled, VIRTUAL, ROOT, " ")) assert.deepEqual(list, [], file);
    const { run } = await importWritten<{ run(client: ODataClient): Promise<Array<string | null>> }>(
      t,
      { "index.ts": generate(parseMetadata(METADATA), { importFrom: LIBRARY_URL, name: "svc" })["index.ts"] ?? "", "calls.ts": CALLS(LIBRARY_URL) },
      "calls.ts",
    );
    assert.deepEqual(await run(new ODataClient({ serviceUrl: server.url("s/"), version: "4.01" })), ["n", "n", "n", "n", "n", "n"]);
    assert.deepEqual(
      server.requests.map((r) => decodeURIComponent(r.path)),
      ["/s/accounts(accountnumber='A3')", "/s/accounts(accountnumber='A3')", "/s/accounts(region='EU',zip='1010')", `/s/accounts(${GUID})`, `/s/partners(code=${GUID})`, "/s/partners(accountnumber='P1')"],
    );
  });
});
