/**
 * A navigation property of a complex type that an operation parameter holds. Dataverse's
 * `GrantAccess` takes `PrincipalAccess: { AccessMask, Principal }`, whose `Principal` is a
 * navigation property to the abstract `crmbaseentity` (hundreds of types derive from it), and the
 * documented body names the principal's type: `Principal: { "@odata.type":
 * "#Microsoft.Dynamics.CRM.systemuser", systemuserid }`. The parameter was typed with the complex
 * type's read interface, whose `Principal` is `crmbaseentity`: that literal did not compile (TS2353)
 * and only a cast sent it. Now such a member takes what an entity parameter takes (the top-level
 * `Target` beside it), at any depth of complex types and in collections of them, while the complex
 * type's interface stays the read shape. Each such complex type's input is one `<Type>Input` type,
 * declared after its interface and named where the type stands (a recursive type's names itself).
 * Checked by compiling programs (what must be refused marked
 * `@ts-expect-error`), in index.ts and index.d.ts, and by running the generated client against a
 * node:http service that records each request body.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, parseMetadata } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import { startServer } from "./servers/recording-server.js";
import { generatedFiles, importWritten, virtualDiagnostics, virtualFolder } from "./virtual-program.js";
import { edmxV4, LIBRARY_URL, schemaV4 } from "./generated-module.js";

const { root: ROOT, virtual: VIRTUAL, importFrom: IMPORT_FROM } = virtualFolder("s33-codegen-complex-navigation-input");
const GUID = "0f8fad5b-d9cb-469f-a165-70867728950e";

// More types derive from crmbaseentity than the generator writes a union of (32), as in Dataverse.
const MANY = Array.from({ length: 33 }, (_, i) => `<EntityType Name="e${i}" BaseType="M.crmbaseentity"><Key><PropertyRef Name="e${i}id"/></Key><Property Name="e${i}id" Type="Edm.Guid" Nullable="false"/></EntityType>`).join("\n");

const V4 = edmxV4(
  schemaV4(
    "M",
    `<EntityType Name="crmbaseentity" Abstract="true"/>
<EntityType Name="principal" BaseType="M.crmbaseentity" Abstract="true"><Key><PropertyRef Name="ownerid"/></Key><Property Name="ownerid" Type="Edm.Guid"/></EntityType>
<EntityType Name="systemuser" BaseType="M.principal"><Property Name="systemuserid" Type="Edm.Guid"/><Property Name="fullname" Type="Edm.String"/></EntityType>
<EntityType Name="team" BaseType="M.principal"><Property Name="teamid" Type="Edm.Guid"/><Property Name="size" Type="Edm.Int32"/></EntityType>
<EntityType Name="account" BaseType="M.crmbaseentity"><Key><PropertyRef Name="accountid"/></Key><Property Name="accountid" Type="Edm.Guid" Nullable="false"/></EntityType>
${MANY}
<EnumType Name="AccessRights" IsFlags="true"><Member Name="None" Value="0"/><Member Name="ReadAccess" Value="1"/><Member Name="WriteAccess" Value="2"/></EnumType>
<ComplexType Name="PrincipalAccess"><Property Name="AccessMask" Type="M.AccessRights" Nullable="false"/><NavigationProperty Name="Principal" Type="M.crmbaseentity" Nullable="false"/></ComplexType>
<ComplexType Name="Grant"><Property Name="Access" Type="M.PrincipalAccess" Nullable="false"/><Property Name="More" Type="Collection(M.PrincipalAccess)" Nullable="false"/><Property Name="Note" Type="Edm.String"/><NavigationProperty Name="Owners" Type="Collection(M.principal)"/></ComplexType>
<ComplexType Name="Node"><Property Name="Child" Type="M.Node"/><NavigationProperty Name="Who" Type="M.principal"/></ComplexType>
<Action Name="GrantAccess"><Parameter Name="Target" Type="M.crmbaseentity" Nullable="false"/><Parameter Name="PrincipalAccess" Type="M.PrincipalAccess" Nullable="false"/></Action>
<Action Name="GrantMany"><Parameter Name="grants" Type="Collection(M.Grant)" Nullable="false"/></Action>
<Action Name="Walk"><Parameter Name="node" Type="M.Node" Nullable="false"/></Action>
<EntityContainer Name="System"><EntitySet Name="systemusers" EntityType="M.systemuser"/><EntitySet Name="accounts" EntityType="M.account"/><ActionImport Name="GrantAccess" Action="M.GrantAccess"/><ActionImport Name="GrantMany" Action="M.GrantMany"/><ActionImport Name="Walk" Action="M.Walk"/></EntityContainer>`,
  ),
);

/** What the parameters take; run against the server below. */
const CALLS = (library: string) => `import { edm, type ODataClient } from "${library}";
import { svc, type PrincipalAccess, type systemuser } from "./v4.js";

export async function run(client: ODataClient): Promise<void> {
  const s = svc(client);
  const user: systemuser = await s.systemusers.key(edm.guid("${GUID}")).get();
  // Dataverse's documented body: the principal names its type.
  await s.GrantAccess.invoke({
    Target: { "@odata.type": "#M.account", accountid: "${GUID}" },
    PrincipalAccess: { AccessMask: "ReadAccess", Principal: { "@odata.type": "#M.systemuser", systemuserid: "${GUID}" } },
  });
  // An entity read earlier, as it was read.
  await s.GrantAccess.invoke({ Target: user, PrincipalAccess: { AccessMask: "ReadAccess, WriteAccess", Principal: user } });
  // A complex value read earlier (its read shape) goes too.
  const read: PrincipalAccess = { AccessMask: "WriteAccess", Principal: user };
  await s.GrantAccess.invoke({ Target: user, PrincipalAccess: read });
  // Complex within complex, and collections of both.
  await s.GrantMany.invoke({
    grants: [
      {
        Access: { AccessMask: "ReadAccess", Principal: { "@odata.type": "#M.team", teamid: "${GUID}" } },
        More: [{ AccessMask: "None", Principal: { "@odata.type": "#M.e7", e7id: "${GUID}" } }, read],
        Note: null,
        Owners: [{ "@odata.type": "#M.team", teamid: "${GUID}", size: 3 }, user],
      },
    ],
  });
  await s.Walk.invoke({ node: { Child: null, Who: { "@odata.type": "#M.systemuser", systemuserid: "${GUID}", fullname: "Ann" } } });
  // A recursive type's entity one level down.
  await s.Walk.invoke({ node: { Child: { Child: null, Who: { "@odata.type": "#M.team", teamid: "${GUID}" } } } });
}
`;

/** What they must refuse. */
const REFUSED = `import type { ODataClient } from "${IMPORT_FROM}";
import { svc } from "./v4.js";

export function refused(client: ODataClient): void {
  const s = svc(client);
  const Target = { accountid: "${GUID}" };
  // @ts-expect-error AccessMask is an AccessRights value, not a number
  void s.GrantAccess.invoke({ Target, PrincipalAccess: { AccessMask: 5, Principal: { "@odata.type": "#M.systemuser", systemuserid: "${GUID}" } } });
  // @ts-expect-error ... nor another text
  void s.GrantAccess.invoke({ Target, PrincipalAccess: { AccessMask: "Nope", Principal: { systemuserid: "${GUID}" } } });
  // @ts-expect-error AccessMask is not optional
  void s.GrantAccess.invoke({ Target, PrincipalAccess: { Principal: { systemuserid: "${GUID}" } } });
  // @ts-expect-error an entity is an object
  void s.GrantAccess.invoke({ Target, PrincipalAccess: { AccessMask: "ReadAccess", Principal: "${GUID}" } });
  // @ts-expect-error a team's size is an Int32 (the union of principal's inputs checks it)
  void s.GrantMany.invoke({ grants: [{ Access: { AccessMask: "None" }, More: [], Note: null, Owners: [{ "@odata.type": "#M.team", size: "big" }] }] });
  // @ts-expect-error a wrong property type one complex level down
  void s.GrantMany.invoke({ grants: [{ Access: { AccessMask: 1 }, More: [], Note: null }] });
  // @ts-expect-error ... and in a collection of complex values
  void s.GrantMany.invoke({ grants: [{ Access: { AccessMask: "None" }, More: [{ AccessMask: true }], Note: null }] });
  // @ts-expect-error a systemuser's fullname is text
  void s.Walk.invoke({ node: { Child: null, Who: { "@odata.type": "#M.systemuser", fullname: 5 } } });
  // @ts-expect-error ... one level down a recursive type too
  void s.Walk.invoke({ node: { Child: { Child: null, Who: { "@odata.type": "#M.systemuser", fullname: 5 } } } });
}
`;

function files(declarations: boolean): Map<string, string> {
  return generatedFiles(VIRTUAL, declarations, { v4: { metadata: V4, name: "svc" } }, { "calls.ts": CALLS(IMPORT_FROM), "refused.ts": REFUSED });
}

test("a navigation property of a complex parameter takes an entity input, nested and in collections; the complex type's interface stays the read shape (index.ts and index.d.ts)", () => {
  const text = generate(parseMetadata(V4), { name: "svc" })["index.ts"] ?? "";
  assert.match(text, /export interface PrincipalAccess \{\n {2}AccessMask: AccessRights;\n {2}Principal\?: crmbaseentity;\n\}/);
  const open = "EntityInput<crmbaseentity> & object & { readonly [property: string]: any }";
  // Each complex type that holds an entity has one input type, declared after its interface and named wherever the type stands.
  const declared = (name: string, omitted: string, members: string) =>
    assert.ok(text.includes(`export type ${name}Input = { [K in keyof ${name} as K extends ${omitted} ? never : K]: ${name}[K] } & { ${members} };`), text);
  declared("PrincipalAccess", '"Principal"', `Principal?: ${open}`);
  assert.match(text, /export interface PrincipalAccess \{[^}]*\}\n\n\/\*\*[^\n]*\*\/\nexport type PrincipalAccessInput = /);
  assert.ok(text.includes(`export type GrantAccessParameters = { Target: ${open}; PrincipalAccess: PrincipalAccessInput };`), text);
  const principals = "EntityInput<principal> | EntityInput<systemuser> | EntityInput<team>";
  declared("Grant", '"Access" | "More" | "Owners"', `Access: PrincipalAccessInput; More: PrincipalAccessInput[]; Owners?: (${principals})[]`);
  assert.ok(text.includes("export type GrantManyParameters = { grants: GrantInput[] };"), text);
  // A recursive type's input names itself, so an entity it holds at any depth is an input too.
  declared("Node", '"Child" | "Who"', `Child: NodeInput | null; Who?: ${principals} | null`);
  assert.ok(text.includes("export type WalkParameters = { node: NodeInput };"), text);
  assert.equal(text.match(/export type PrincipalAccessInput = /g)?.length, 1);
  for (const declarations of [false, true]) {
    for (const [file, list] of virtualDiagnostics(files(declarations), VIRTUAL, ROOT, " ")) assert.deepEqual(list, [], file);
  }
});

// A guard: the defect was in the types alone, and these bodies went so with a cast before; it keeps them from changing with the types.
test("on the wire: GrantAccess's body and the nested complex values go as given", async (t) => {
  const user = { "@odata.type": "#M.systemuser", ownerid: GUID, systemuserid: GUID, fullname: "Ann" };
  const server = await startServer((request, res) => {
    if (request.method === "GET") {
      res.writeHead(200, { "content-type": "application/json", "OData-Version": "4.0" });
      res.end(JSON.stringify(user));
      return;
    }
    res.writeHead(204, { "OData-Version": "4.0" });
    res.end();
  });
  t.after(() => server.close());
  const written = { "v4.ts": generate(parseMetadata(V4), { importFrom: LIBRARY_URL, name: "svc" })["index.ts"] ?? "", "calls.ts": CALLS(LIBRARY_URL) };
  const { run } = await importWritten<{ run(client: ODataClient): Promise<void> }>(t, written, "calls.ts");
  await run(new ODataClient({ serviceUrl: server.url(""), retry: false }));
  assert.deepEqual(
    server.requests.map((r) => [r.method, r.path, r.body === "" ? "" : JSON.parse(r.body)]),
    [
      ["GET", `/systemusers(${GUID})`, ""],
      [
        "POST",
        "/GrantAccess",
        { Target: { "@odata.type": "#M.account", accountid: GUID }, PrincipalAccess: { AccessMask: "ReadAccess", Principal: { "@odata.type": "#M.systemuser", systemuserid: GUID } } },
      ],
      ["POST", "/GrantAccess", { Target: user, PrincipalAccess: { AccessMask: "ReadAccess, WriteAccess", Principal: user } }],
      ["POST", "/GrantAccess", { Target: user, PrincipalAccess: { AccessMask: "WriteAccess", Principal: user } }],
      [
        "POST",
        "/GrantMany",
        {
          grants: [
            {
              Access: { AccessMask: "ReadAccess", Principal: { "@odata.type": "#M.team", teamid: GUID } },
              More: [{ AccessMask: "None", Principal: { "@odata.type": "#M.e7", e7id: GUID } }, { AccessMask: "WriteAccess", Principal: user }],
              Note: null,
              Owners: [{ "@odata.type": "#M.team", teamid: GUID, size: 3 }, user],
            },
          ],
        },
      ],
      ["POST", "/Walk", { node: { Child: null, Who: { "@odata.type": "#M.systemuser", systemuserid: GUID, fullname: "Ann" } } }],
      ["POST", "/Walk", { node: { Child: { Child: null, Who: { "@odata.type": "#M.team", teamid: GUID } } } }],
    ],
  );
});
