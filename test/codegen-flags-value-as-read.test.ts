/**
 * A flags enumeration's value in a generated function import: the factory hands the value to
 * `edm.enumMember` as the reader gives it ("Read,Write", "Read, Write"), which splits it at its
 * commas itself; the factory no longer writes a split of its own. What the service sent goes back
 * as the members' literal, in index.ts and in the index.js of `declarations`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, parseMetadata } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import { sendJson, startServer } from "./servers/recording-server.js";
import { edmxV4, importGenerated, LIBRARY_URL, schemaV4 } from "./generated-module.js";

const METADATA = edmxV4(
  schemaV4(
    "M",
    `<EnumType Name="Perm" IsFlags="true"><Member Name="Read" Value="1"/><Member Name="Write" Value="2"/><Member Name="Share" Value="4"/></EnumType>
<EntityType Name="Grant"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="Rights" Type="M.Perm"/></EntityType>
<Function Name="Allows"><Parameter Name="rights" Type="M.Perm"/><ReturnType Type="Edm.Boolean"/></Function>
<EntityContainer Name="Svc"><EntitySet Name="Grants" EntityType="M.Grant"/><FunctionImport Name="Allows" Function="M.Allows"/></EntityContainer>`,
  ),
);

interface Grant {
  ID: number;
  Rights: string | null;
}
interface Service {
  Grants: { key(id: number): { get(): Promise<Grant> } };
  Allows(params: { rights: string | null }): { get(): Promise<boolean>; url(): string };
}

test("the factory gives a flags parameter to edm.enumMember as it is, with no split of its own", () => {
  const files = { ...generate(parseMetadata(METADATA), { name: "svc" }), ...generate(parseMetadata(METADATA), { name: "svc", declarations: true }) };
  for (const file of ["index.ts", "index.js"]) {
    const text = files[file] ?? "";
    assert.ok(text.includes('rights: params.rights == null ? params.rights : edm.enumMember("M.Perm", params.rights),'), `${file}:\n${text}`);
    assert.ok(!text.includes("split("), `${file}:\n${text}`);
  }
});

for (const [form, file, options] of [
  ["index.ts", "index.ts", {}],
  ["index.js of the declarations", "index.js", { declarations: true }],
] as const) {
  test(`${form}: a flags value read from the service ("Read,Write", "Read, Write", one member, null) goes back as the members' literal`, async (t) => {
    const sent = ["Read,Write", "Read, Write", " Share ,Read ", "Write", null];
    const server = await startServer((request, res) => {
      const id = /^\/Grants\((\d+)\)$/.exec(request.path)?.[1];
      if (id !== undefined) sendJson(res, 200, { ID: Number(id), Rights: sent[Number(id)] });
      else sendJson(res, 200, { value: true });
    });
    t.after(() => server.close());
    const text = generate(parseMetadata(METADATA), { name: "svc", importFrom: LIBRARY_URL, ...options })[file] ?? "";
    const { svc } = await importGenerated<{ svc(client: ODataClient): Service }>(t, file, text);
    const service = svc(new ODataClient({ serviceUrl: server.url(""), retry: false }));
    for (const [id] of sent.entries()) {
      const grant = await service.Grants.key(id).get();
      assert.equal(grant.Rights, sent[id]);
      assert.equal(await service.Allows({ rights: grant.Rights }).get(), true);
    }
    assert.deepEqual(
      server.requests.filter((r) => r.path.startsWith("/Allows")).map((r) => decodeURIComponent(r.path)),
      ["/Allows(rights=M.Perm'Read,Write')", "/Allows(rights=M.Perm'Read,Write')", "/Allows(rights=M.Perm'Share,Read')", "/Allows(rights=M.Perm'Write')", "/Allows(rights=null)"],
    );
    // A value that names no member is refused before anything is sent, as before.
    const before = server.requests.length;
    assert.throws(() => service.Allows({ rights: "Read,,Write" }).url(), (error: unknown) => error instanceof TypeError && /edm\.enumMember\(member\)/.test(error.message));
    assert.equal(server.requests.length, before);
  });
}
