/**
 * An operation parameter of an entity type (bound or imported, action or function, one entity or
 * a collection) is typed as what a write takes for that type, `EntityInput<T>`, not as T's
 * interface. The interface carries T's entity shape, which the interface of a type derived from T
 * does not match (more literals, a key, bound operations), so a parameter typed
 * `crmbaseentity` (Dataverse's `Merge`) or `directoryObject` (Graph) took no real entity and no
 * object literal naming its `@odata.type`. Where the model derives types from T, the parameter
 * takes the input of each (a union); past 32 of them (Dataverse derives hundreds from
 * `crmbaseentity`), T's input with any other property. Checked by compiling programs (what must
 * not compile marked `@ts-expect-error`), in index.ts and index.d.ts, and by running the calls
 * against a node:http server, which records the bodies and URLs: each entity goes as given.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, parseMetadata } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import { sendJson, startServer } from "./servers/recording-server.js";
import { generatedFiles, importWritten, virtualDiagnostics, virtualFolder } from "./virtual-program.js";
import { edmxV4, LIBRARY_URL, schemaV4 } from "./generated-module.js";

const { root: ROOT, virtual: VIRTUAL, importFrom: IMPORT_FROM } = virtualFolder("codegen-fix31b-entity-parameters");
const GUID = "0f8fad5b-d9cb-469f-a165-70867728950e";
const GUID2 = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

/** Dataverse's shape: an abstract base without properties and more derived types than a union takes. */
const MANY = Array.from({ length: 34 }, (_, i) => `<EntityType Name="t${i}" BaseType="M.crmbaseentity"><Key><PropertyRef Name="t${i}id"/></Key><Property Name="t${i}id" Type="Edm.Guid" Nullable="false"/></EntityType>`).join("\n");

const V4 = edmxV4(
  schemaV4(
    "M",
    `<EntityType Name="crmbaseentity" Abstract="true"/>
<EntityType Name="account" BaseType="M.crmbaseentity"><Key><PropertyRef Name="accountid"/></Key><Property Name="accountid" Type="Edm.Guid"/><Property Name="name" Type="Edm.String"/><NavigationProperty Name="parent" Type="M.account"/></EntityType>
${MANY}
<EntityType Name="directoryObject"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.String" Nullable="false"/><Property Name="deletedDateTime" Type="Edm.DateTimeOffset"/></EntityType>
<EntityType Name="user" BaseType="M.directoryObject"><Property Name="displayName" Type="Edm.String"/><Property Name="tenant" Type="Edm.Guid"/><NavigationProperty Name="manager" Type="M.directoryObject"/></EntityType>
<EntityType Name="group" BaseType="M.directoryObject"><Property Name="mail" Type="Edm.String"/></EntityType>
<EntityType Name="note"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="false"/><Property Name="text" Type="Edm.String"/></EntityType>
<Action Name="Merge"><Parameter Name="Target" Type="M.crmbaseentity" Nullable="false"/><Parameter Name="Subordinate" Type="M.crmbaseentity" Nullable="false"/><Parameter Name="UpdateContent" Type="M.crmbaseentity"/></Action>
<Action Name="AddMembers"><Parameter Name="members" Type="Collection(M.directoryObject)" Nullable="false"/><Parameter Name="note" Type="M.note"/></Action>
<Action Name="Assign" IsBound="true"><Parameter Name="self" Type="M.user" Nullable="false"/><Parameter Name="target" Type="M.directoryObject" Nullable="false"/></Action>
<Function Name="Check"><Parameter Name="Target" Type="M.directoryObject" Nullable="false"/><ReturnType Type="Edm.Boolean" Nullable="false"/></Function>
<Function Name="IsMember" IsBound="true"><Parameter Name="self" Type="M.user" Nullable="false"/><Parameter Name="of" Type="M.directoryObject" Nullable="false"/><ReturnType Type="Edm.Boolean" Nullable="false"/></Function>
<EntityContainer Name="Svc"><EntitySet Name="accounts" EntityType="M.account"/><EntitySet Name="users" EntityType="M.user"/><EntitySet Name="groups" EntityType="M.group"/>
<ActionImport Name="Merge" Action="M.Merge"/><ActionImport Name="AddMembers" Action="M.AddMembers"/><FunctionImport Name="Check" Function="M.Check"/></EntityContainer>`,
  ),
);

/** Calls with entities read earlier, object literals and variables; run against the server below. */
const CALLS = (library: string) => `import { edm, type ODataClient } from "${library}";
import { svc, type account, type group, type user } from "./v4.js";

export async function run(client: ODataClient, a: account, u: user, g: group): Promise<unknown[]> {
  const s = svc(client);
  const results: unknown[] = [];
  // An entity read from a set, an object literal with its @odata.type, a variable of such an object.
  await s.Merge.invoke({ Target: a, Subordinate: { "@odata.type": "#M.account", accountid: "${GUID2}" } });
  const other = { "@odata.type": "Microsoft.Dynamics.CRM.account", accountid: "${GUID2}" };
  await s.Merge.invoke({ Target: other, Subordinate: other, UpdateContent: null });
  // A row of a select(), whose type is not the interface.
  const row = await s.accounts.select("accountid").key(edm.guid("${GUID}")).get();
  await s.Merge.invoke({ Target: row, Subordinate: a });
  // A collection of the base type: entities of the derived types, and literals of them.
  await s.AddMembers.invoke({ members: [u, g, { "@odata.type": "#M.group", id: "g2", mail: "m@x" }, { id: "d1" }], note: { id: 1, text: "t" } });
  // Bound and imported, action and function.
  await s.users.key("u1").action("M.Assign").invoke({ target: g });
  results.push(await s.Check({ Target: u }).get());
  results.push(await s.users.key("u1").function("M.IsMember", { of: { "@odata.type": "#M.group", id: "g1" } }).get());
  return results;
}
`;

/** What must not compile. */
const REFUSED = `import type { ODataClient } from "${IMPORT_FROM}";
import { svc, type account, type user } from "./v4.js";

export function refused(client: ODataClient, a: account, u: user): void {
  const s = svc(client);
  // @ts-expect-error a string for an entity (the input of a type without properties takes objects only)
  void s.Merge.invoke({ Target: "${GUID}", Subordinate: a });
  // @ts-expect-error a property of the base type with a value of another type
  void s.AddMembers.invoke({ members: [{ id: 5 }] });
  // @ts-expect-error a property neither the base type nor a derived one declares
  void s.AddMembers.invoke({ members: [{ id: "x", nickname: "y" }] });
  // @ts-expect-error one entity for a collection
  void s.AddMembers.invoke({ members: u });
  // @ts-expect-error a property of a type without derived types with a value of another type
  void s.AddMembers.invoke({ members: [], note: { id: "1" } });
  // @ts-expect-error an entity of an unrelated type
  void s.Check({ Target: a });
  // @ts-expect-error ... bound
  void s.users.key("u1").action("M.Assign").invoke({ target: a });
}
`;

function files(declarations: boolean): Map<string, string> {
  return generatedFiles(VIRTUAL, declarations, { v4: { metadata: V4, name: "svc" } }, { "calls.ts": CALLS(IMPORT_FROM), "refused.ts": REFUSED });
}

describe("an operation parameter of an entity type takes entities of it and of its derived types", () => {
  test("the parameter types: EntityInput of the type, a union over a few derived types, an index signature past 32", () => {
    const text = generate(parseMetadata(V4), { name: "svc" })["index.ts"] ?? "";
    const many = "EntityInput<crmbaseentity> & object & { readonly [property: string]: any }";
    const directory = "EntityInput<directoryObject> | EntityInput<group> | EntityInput<user>";
    assert.ok(text.includes(`export type MergeParameters = { Target: ${many}; Subordinate: ${many}; UpdateContent?: ${many} | null };`), text);
    assert.ok(text.includes(`export type AddMembersParameters = { members: (${directory})[]; note?: EntityInput<note> | null };`));
    assert.ok(text.includes(`export type CheckParameters = { Target: ${directory} };`));
    assert.ok(text.includes(`{ name: "M.Assign"; parameters: { target: ${directory} }; result: undefined }`));
    assert.ok(text.includes(`{ name: "M.IsMember"; parameters: { of: ${directory} }; result: boolean }`));
    assert.match(text, /^import type \{ ActionCall, CollectionQuery, EdmValue, Entity, EntityInput, FunctionCall, ODataClient \} from "traverse-odata";$/m);
    // A reader's file calls no operations, and its entry point has no EntityInput.
    const reader = generate(parseMetadata(V4), { name: "svc", reader: true })["index.ts"] ?? "";
    assert.doesNotMatch(reader, /EntityInput/);
  });

  test("entities, literals with @odata.type and selected rows compile; other values do not (index.ts and index.d.ts)", () => {
    for (const declarations of [false, true]) {
      for (const [file, list] of virtualDiagnostics(files(declarations), VIRTUAL, ROOT, " ")) assert.deepEqual(list, [], file);
    }
  });

  test("on the wire: each entity goes as given, its @odata.type too, in action bodies and function aliases", async (t) => {
    const server = await startServer((request, res) => {
      if (request.path.startsWith("/accounts(")) return sendJson(res, 200, { "@odata.context": "$metadata#accounts/$entity", accountid: GUID }, { "OData-Version": "4.0" });
      if (request.method === "GET") return sendJson(res, 200, { "@odata.context": "$metadata#Edm.Boolean", value: true }, { "OData-Version": "4.0" });
      res.writeHead(204);
      res.end();
    });
    t.after(() => server.close());
    type Calls = { run(client: ODataClient, a: object, u: object, g: object): Promise<unknown[]> };
    const { run } = await importWritten<Calls>(t, { "v4.ts": generate(parseMetadata(V4), { importFrom: LIBRARY_URL, name: "svc" })["index.ts"] ?? "", "calls.ts": CALLS(LIBRARY_URL) }, "calls.ts");
    const account = { accountid: GUID, name: "A", parent: null };
    const user = { "@odata.type": "#M.user", id: "u1", deletedDateTime: null, displayName: "U", tenant: GUID };
    const group = { "@odata.type": "#M.group", id: "g1", deletedDateTime: null, mail: "g@x" };
    const results = await run(new ODataClient({ serviceUrl: server.url("") }), account, user, group);
    assert.deepEqual(results, [true, true]);
    assert.deepEqual(
      server.requests.map((r) => [r.method, decodeURIComponent(r.path), r.body === "" ? "" : JSON.parse(r.body)]),
      [
        ["POST", "/Merge", { Target: account, Subordinate: { "@odata.type": "#M.account", accountid: GUID2 } }],
        ["POST", "/Merge", { Target: { "@odata.type": "Microsoft.Dynamics.CRM.account", accountid: GUID2 }, Subordinate: { "@odata.type": "Microsoft.Dynamics.CRM.account", accountid: GUID2 }, UpdateContent: null }],
        ["GET", `/accounts(${GUID})?$select=accountid`, ""],
        ["POST", "/Merge", { Target: { accountid: GUID }, Subordinate: account }],
        ["POST", "/AddMembers", { members: [user, group, { "@odata.type": "#M.group", id: "g2", mail: "m@x" }, { id: "d1" }], note: { id: 1, text: "t" } }],
        ["POST", "/users('u1')/M.Assign", { target: group }],
        ["GET", `/Check(Target=@Target)?@Target=${JSON.stringify(user)}`, ""],
        ["GET", `/users('u1')/M.IsMember(of=@of)?@of={"@odata.type":"#M.group","id":"g1"}`, ""],
      ],
    );
  });
});
