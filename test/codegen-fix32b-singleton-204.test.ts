/**
 * A singleton's `204 No Content` is `null` only where the singleton may be null. c6e6385 read every
 * singleton's 204 as `null`, while `client.singleton<T>()`, `reader.singleton<T>()` and a generated
 * non-nullable singleton are typed `T`: a program using the entity as typed then failed on `null`.
 * Now `singleton(name, { nullable: true })` (typed `T | null` by overload) reads a 204 as `null`; any
 * other singleton's 204 rejects as an answer without the entity (`BAD_PAYLOAD`), alone and in a
 * `$batch`, as before c6e6385; `navigateOne()` still resolves `null`. The generator writes
 * `{ nullable: true }` for a singleton declared `Nullable="true"`. A `nullable` that is no boolean
 * is refused with a `TypeError` naming it. Checked against a node:http service that records each
 * request, and by compiling programs (what must be refused marked `@ts-expect-error`).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import type { ServerResponse } from "node:http";
import { ODataClient, parseMetadata } from "../src/index.js";
import { ODataReader } from "../src/read.js";
import { generate } from "../src/codegen/index.js";
import { clientRejection, sendJson, startServer, type RecordedRequest } from "./servers/recording-server.js";
import { importWritten, virtualDiagnostics, virtualFolder } from "./virtual-program.js";
import { edmxV4, LIBRARY_URL, schemaV4 } from "./generated-module.js";

const { root: ROOT, virtual: VIRTUAL, importFrom: IMPORT_FROM, readFrom: READ_FROM } = virtualFolder("codegen-fix32b-singleton-204");

const V401 = edmxV4(
  schemaV4(
    "M",
    `<EntityType Name="Person"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="Name" Type="Edm.String"/>
  <NavigationProperty Name="Mentor" Type="M.Person"/></EntityType>
<EntityContainer Name="Svc"><Singleton Name="Deputy" Type="M.Person" Nullable="true"/><Singleton Name="Me" Type="M.Person"/></EntityContainer>`,
  ),
  "4.01",
);

/** Every singleton, and the navigation below one, answers 204; a JSON $batch answers each part 204. */
function answer(request: RecordedRequest, res: ServerResponse): void {
  const headers = { "OData-Version": "4.01" };
  if (request.path === "/$batch") {
    const { requests } = JSON.parse(request.body) as { requests: Array<{ id: string }> };
    return sendJson(res, 200, { responses: requests.map(({ id }) => ({ id, status: 204 })) }, headers);
  }
  res.writeHead(204, headers);
  res.end();
}

const TYPED = `import type { ODataClient } from "${IMPORT_FROM}";
import type { ODataReader } from "${READ_FROM}";

interface Person { ID: number; Name: string | null }

export async function typed(client: ODataClient, reader: ODataReader, maybe: boolean): Promise<unknown[]> {
  const me: Person = await client.singleton<Person>("Me").get();
  const off: Person = await client.singleton<Person>("Me", { nullable: false }).get();
  const deputy: Person | null = await client.singleton<Person>("Deputy", { nullable: true }).get();
  const named: { Name: string | null } | null = await client.singleton<Person>("Deputy", { nullable: true }).select("Name").get();
  const read: Person = await reader.singleton<Person>("Me").get();
  const readDeputy: Person | null = await reader.singleton<Person>("Deputy", { nullable: true }).get();
  // The client's query writes still.
  await client.singleton<Person>("Deputy", { nullable: true }).update({ Name: "x" });
  // @ts-expect-error a nullable singleton may be null
  const a: Person = await client.singleton<Person>("Deputy", { nullable: true }).get();
  // @ts-expect-error ... selected too
  const b: { Name: string | null } = await client.singleton<Person>("Deputy", { nullable: true }).select("Name").get();
  // @ts-expect-error ... of a reader too
  const c: Person = await reader.singleton<Person>("Deputy", { nullable: true }).get();
  // @ts-expect-error a boolean that may be true
  const d: Person = await client.singleton<Person>("Deputy", { nullable: maybe }).get();
  // @ts-expect-error no boolean
  void client.singleton("Deputy", { nullable: "yes" });
  return [me, off, deputy, named, read, readDeputy, a, b, c, d];
}
`;

test("a singleton's 204 rejects unless it is made { nullable: true }; a navigation's resolves null (alone and in a $batch)", async (t) => {
  const server = await startServer(answer);
  t.after(() => server.close());
  const options = { serviceUrl: server.url(""), version: "4.01" as const, retry: false as const };
  const client = new ODataClient(options);
  const reader = new ODataReader(options);

  const me = await clientRejection(client.singleton<{ ID: number }>("Me").get());
  assert.equal(me.code, "BAD_PAYLOAD");
  assert.match(me.message, /GET http:\/\/127\.0\.0\.1:\d+\/Me did not answer with an entity object \(got an empty body\)/);
  assert.equal((await clientRejection(client.singleton("Me", { nullable: false }).select("Name").get())).code, "BAD_PAYLOAD");
  assert.equal((await clientRejection(reader.singleton("Me").get())).code, "BAD_PAYLOAD");
  assert.equal(await client.singleton("Deputy", { nullable: true }).get(), null);
  assert.equal(await client.singleton("Deputy", { nullable: true }).select("Name").get(), null);
  assert.equal(await reader.singleton("Deputy", { nullable: true }).get(), null);
  // The navigation below a singleton may relate none, whatever the singleton is.
  assert.equal(await client.singleton("Me").navigateOne("Mentor").get(), null);
  assert.equal(await reader.singleton("Deputy", { nullable: true }).navigateOne("Mentor").get(), null);

  const batch = client.batch();
  const inBatch = [batch.get(client.singleton("Me")), batch.get(client.singleton("Deputy", { nullable: true })), batch.get(client.singleton("Me").navigateOne("Mentor"))];
  const results = await batch.send();
  const [meResult, deputyResult, mentorResult] = inBatch.map((handle) => results.of(handle));
  assert.equal(meResult?.ok, false);
  assert.equal(meResult?.ok === false ? (meResult.error as { code?: string }).code : undefined, "BAD_PAYLOAD");
  assert.deepEqual([deputyResult?.ok, deputyResult?.ok && deputyResult.value], [true, null]);
  assert.deepEqual([mentorResult?.ok, mentorResult?.ok && mentorResult.value], [true, null]);

  assert.deepEqual(
    server.requests.map((r) => `${r.method} ${decodeURIComponent(r.path)}`),
    ["GET /Me", "GET /Me?$select=Name", "GET /Me", "GET /Deputy", "GET /Deputy?$select=Name", "GET /Deputy", "GET /Me/Mentor", "GET /Deputy/Mentor", "POST /$batch"],
  );
  const sent = JSON.parse(server.requests.at(-1)?.body ?? "") as { requests: Array<{ method: string; url: string }> };
  assert.deepEqual(sent.requests.map((r) => `${r.method} ${r.url}`), ["GET Me", "GET Deputy", "GET Me/Mentor"]);
});

test("the generated non-nullable singleton's 204 rejects; the nullable one is made { nullable: true } and reads null", async (t) => {
  const model = parseMetadata(V401);
  const text = generate(model, { importFrom: IMPORT_FROM, name: "svc" })["index.ts"] ?? "";
  assert.match(text, /return client\.singleton<Person>\("Deputy", \{ nullable: true \}\);/);
  assert.match(text, /return client\.singleton<Person>\("Me"\);/);
  const script = generate(model, { importFrom: IMPORT_FROM, name: "svc", declarations: true })["index.js"] ?? "";
  assert.match(script, /return client\.singleton\("Deputy", \{ nullable: true \}\);/);
  const readerText = generate(model, { importFrom: READ_FROM, name: "svc", reader: true })["index.ts"] ?? "";
  assert.match(readerText, /return reader\.singleton<Person>\("Deputy", \{ nullable: true \}\);/);

  const server = await startServer(answer);
  t.after(() => server.close());
  const written = {
    "client.ts": generate(model, { importFrom: LIBRARY_URL, name: "svc" })["index.ts"] ?? "",
    "program.ts": `import type { ODataClient } from "${LIBRARY_URL}";
import { svc } from "./client.js";
export async function deputy(client: ODataClient) { return await svc(client).Deputy.get(); }
export async function me(client: ODataClient) { return await svc(client).Me.get(); }
`,
  };
  const program = await importWritten<{ deputy(client: ODataClient): Promise<unknown>; me(client: ODataClient): Promise<unknown> }>(t, written, "program.ts");
  const client = new ODataClient({ serviceUrl: server.url(""), version: "4.01", retry: false });
  assert.equal(await program.deputy(client), null);
  assert.equal((await clientRejection(program.me(client))).code, "BAD_PAYLOAD");
  assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), ["GET /Deputy", "GET /Me"]);
});

test("singleton(name, options) is typed T | null with { nullable: true } alone; a nullable that is no boolean throws a TypeError naming it", () => {
  const client = new ODataClient({ serviceUrl: "http://127.0.0.1:1/" });
  const reader = new ODataReader({ serviceUrl: "http://127.0.0.1:1/" });
  const made = [() => client.singleton("Deputy", { nullable: "yes" as never }), () => reader.singleton("Deputy", { nullable: 1 as never }), () => client.singleton("Deputy", { nullable: null as never })];
  const thrown = made.map((make) => {
    try {
      make();
    } catch (error) {
      return error instanceof TypeError ? error.message : `not a TypeError: ${String(error)}`;
    }
    return "nothing thrown";
  });
  assert.deepEqual(
    thrown,
    ['singleton(options.nullable): expected true or false; got the string "yes"', "singleton(options.nullable): expected true or false; got 1", "singleton(options.nullable): expected true or false; got null"],
  );
  assert.equal(client.singleton("Deputy", { nullable: true }).url(), "http://127.0.0.1:1/Deputy");
  const files = new Map([[join(VIRTUAL, "ts", "typed.ts"), TYPED]]);
  for (const [file, list] of virtualDiagnostics(files, VIRTUAL, ROOT, " ")) assert.deepEqual(list, [], file);
});
