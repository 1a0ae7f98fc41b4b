/**
 * A nullable singleton (OData 4.01, `<Singleton Nullable="true">`) may have no entity: the service
 * answers its GET with `204 No Content`. The generated member was typed non-null, and `get()`
 * rejected the 204 as an empty body. Now the member's type says `T | null` for `get()` (of the
 * client's `EntityQuery` and the reader's `ReadEntityQuery`, selected or not), a singleton's read
 * answered 204 resolves `null` (in a `$batch` too), and a non-nullable singleton keeps its type.
 * Checked by compiling programs against the generated files and by running them against a
 * node:http service that records every request.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerResponse } from "node:http";
import { ODataClient, parseMetadata } from "../src/index.js";
import { ODataReader } from "../src/read.js";
import { generate } from "../src/codegen/index.js";
import { sendJson, startServer, type RecordedRequest } from "./servers/recording-server.js";
import { importWritten, virtualDiagnostics, virtualFolder } from "./virtual-program.js";
import { edmxV4, LIBRARY_URL, schemaV4 } from "./generated-module.js";

const { root: ROOT, virtual: VIRTUAL, importFrom: IMPORT_FROM, readFrom: READ_FROM } = virtualFolder("codegen-fix32-nullable-singleton");
const READ_URL = pathToFileURL(join(ROOT, "src", "read.js")).href;

const V401 = edmxV4(
  schemaV4(
    "M",
    `<EntityType Name="Person"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="Name" Type="Edm.String"/></EntityType>
<EntityContainer Name="Svc"><Singleton Name="Deputy" Type="M.Person" Nullable="true"/><Singleton Name="Me" Type="M.Person"/></EntityContainer>`,
  ),
  "4.01",
);

const CLIENT_PROGRAM = (library: string) => `import type { ODataClient } from "${library}";
import { svc, type Person } from "./client.js";

export async function run(client: ODataClient): Promise<unknown[]> {
  const s = svc(client);
  const deputy: Person | null = await s.Deputy.get();
  const named: { Name: string | null } | null = await s.Deputy.select("Name").get();
  const me: Person = await s.Me.get();
  return [deputy, named, me];
}

export async function batched(client: ODataClient): Promise<unknown[]> {
  const s = svc(client);
  const batch = client.batch();
  const deputy = batch.get(s.Deputy);
  const me = batch.get(s.Me);
  await batch.send();
  const a = deputy.result();
  const b = me.result();
  const value: Person | null | undefined = a.ok ? a.value : undefined;
  return [value, b.ok ? b.value : b.error.message];
}

export async function refused(client: ODataClient): Promise<void> {
  const s = svc(client);
  // @ts-expect-error a nullable singleton may be null
  const deputy: Person = await s.Deputy.get();
  // @ts-expect-error ... selected too
  const named: { Name: string | null } = await s.Deputy.select("Name").get();
  void [deputy, named];
}
`;

const READER_PROGRAM = (library: string) => `import type { ODataReader } from "${library}";
import { svc, type Person } from "./reader.js";

export async function run(reader: ODataReader): Promise<unknown[]> {
  const s = svc(reader);
  const deputy: Person | null = await s.Deputy.get();
  const me: Person = await s.Me.get();
  return [deputy, me];
}

export async function refused(reader: ODataReader): Promise<void> {
  // @ts-expect-error a nullable singleton may be null
  const deputy: Person = await svc(reader).Deputy.get();
  void deputy;
}
`;

/** Deputy is null (204), Me is a person; a JSON $batch (OData 4.01) gets both answers. */
function answer(request: RecordedRequest, res: ServerResponse): void {
  const headers = { "OData-Version": "4.01" };
  if (request.path.startsWith("/Deputy")) {
    res.writeHead(204, headers);
    res.end();
    return;
  }
  if (request.path.startsWith("/Me")) return sendJson(res, 200, { "@odata.context": "$metadata#Me", ID: 1, Name: "Me" }, headers);
  sendJson(res, 200, { responses: [{ id: "1", status: 204 }, { id: "2", status: 200, headers: { "content-type": "application/json" }, body: { ID: 1, Name: "Me" } }] }, headers);
}

test("a nullable singleton is typed T | null and reads null from a 204; a non-nullable one keeps T", async (t) => {
  const model = parseMetadata(V401);
  assert.equal(model.singleton("Deputy")?.nullable, true);
  const client = generate(model, { importFrom: IMPORT_FROM, name: "svc" })["index.ts"] ?? "";
  const reader = generate(model, { importFrom: READ_FROM, name: "svc", reader: true })["index.ts"] ?? "";
  assert.match(client, /^ {2}readonly Deputy: EntityQuery<Person, never, \{\}, null>;$/m);
  assert.match(client, /^ {2}readonly Me: EntityQuery<Person>;$/m);
  assert.match(reader, /^ {2}readonly Deputy: ReadEntityQuery<Person, never, \{\}, "read", null>;$/m);
  assert.match(reader, /^ {2}readonly Me: ReadEntityQuery<Person>;$/m);
  const declarations = generate(model, { importFrom: IMPORT_FROM, name: "svc", declarations: true })["index.d.ts"] ?? "";
  const files = new Map([
    [join(VIRTUAL, "ts", "client.ts"), client],
    [join(VIRTUAL, "ts", "reader.ts"), reader],
    [join(VIRTUAL, "ts", "client-program.ts"), CLIENT_PROGRAM(IMPORT_FROM)],
    [join(VIRTUAL, "ts", "reader-program.ts"), READER_PROGRAM(READ_FROM)],
    [join(VIRTUAL, "dts", "client.d.ts"), declarations],
    [join(VIRTUAL, "dts", "client-program.ts"), CLIENT_PROGRAM(IMPORT_FROM)],
  ]);
  for (const [file, list] of virtualDiagnostics(files, VIRTUAL, ROOT, " ")) assert.deepEqual(list, [], file);

  const server = await startServer(answer);
  t.after(() => server.close());
  const written = {
    "client.ts": generate(model, { importFrom: LIBRARY_URL, name: "svc" })["index.ts"] ?? "",
    "client-program.ts": CLIENT_PROGRAM(LIBRARY_URL),
    "reader.ts": generate(model, { importFrom: READ_URL, name: "svc", reader: true })["index.ts"] ?? "",
    "reader-program.ts": READER_PROGRAM(READ_URL),
  };
  type ClientProgram = { run(client: ODataClient): Promise<unknown[]>; batched(client: ODataClient): Promise<unknown[]> };
  const onClient = await importWritten<ClientProgram>(t, written, "client-program.ts");
  const onReader = await importWritten<{ run(reader: ODataReader): Promise<unknown[]> }>(t, written, "reader-program.ts");
  const options = { serviceUrl: server.url(""), version: "4.01" as const, retry: false as const };
  const me = { ID: 1, Name: "Me" };
  assert.deepEqual(await onClient.run(new ODataClient(options)), [null, null, me]);
  assert.deepEqual(await onReader.run(new ODataReader(options)), [null, me]);
  assert.deepEqual(await onClient.batched(new ODataClient(options)), [null, me]);
  assert.deepEqual(
    server.requests.map((r) => `${r.method} ${decodeURIComponent(r.path)}`),
    ["GET /Deputy", "GET /Deputy?$select=Name", "GET /Me", "GET /Deputy", "GET /Me", "POST /$batch"],
  );
  const batch = JSON.parse(server.requests.at(-1)?.body ?? "") as { requests: Array<{ method: string; url: string }> };
  assert.deepEqual(
    batch.requests.map((r) => `${r.method} ${r.url}`),
    ["GET Deputy", "GET Me"],
  );
});
