// Open types (OpenType="true"), whose interfaces have an index signature for dynamic properties:
// test/types-open-cases.ts holds the type-level cases (declared properties keep their types in
// rows and filter values, other names are dynamic properties typed `unknown`, navigation
// properties are the shape's). This file type-checks the cases on their own, then sends queries
// that compile to a node:http server and asserts what went on the wire and what the rows hold.
import { test } from "node:test";
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { openFilters, openRows, type Person } from "./types-open-cases.js";
import { sendJson, serveClient, type RecordingServer } from "./servers/recording-server.js";
import { fileDiagnostics } from "./virtual-program.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CASES = join(ROOT, "test", "types-open-cases.ts");

/** The decoded path and query of each request the server saw. */
function sent(server: RecordingServer): string[] {
  return server.requests.map((request) => decodeURIComponent(request.path));
}

test("the open-type cases compile as expected: each refused use is an error, each row type the one expected", () => {
  assert.deepEqual(fileDiagnostics(CASES, ROOT), []);
});

test("an open type's queries go on the wire as written, and the rows hold declared and dynamic properties as sent", async (t) => {
  const answer = [{ ID: 1, Name: "Ann", Nickname: "annie", Mood: "calm", friends: [{ ID: 2, Name: "Bo", Shoe: 44 }] }];
  const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 200, { value: answer }, { "odata-version": "4.0" }));
  const people = client.collection<Person>("People");
  const rows = await people
    .select("ID", "Nickname")
    .filter((f) => f.and(f.eq("Name", "Ann"), f.eq("Nickname", 5)))
    .expand("friends", (fr) => fr.select("Name", "Shoe"))
    .orderBy("Mood")
    .list();
  assert.deepEqual(rows, answer);
  // Typed as the cases file says: the declared ID a number, a friend's declared Name a string.
  const id: number = rows[0]!.ID;
  const friend: string = rows[0]!.friends[0]!.Name;
  assert.deepEqual([id, friend, rows[0]!.Nickname, rows[0]!.friends[0]!.Shoe], [1, "Bo", "annie", 44]);
  for (const query of [...Object.values(openRows(client)), ...Object.values(openFilters(client))]) await query.list();
  assert.deepEqual(sent(server), [
    "/odata/People?$filter=Name eq 'Ann' and Nickname eq 5&$select=ID,Nickname&$expand=friends($select=Name,Shoe)&$orderby=Mood",
    "/odata/People?$select=*",
    "/odata/People?$expand=friends",
    "/odata/People?$select=*&$expand=best($select=Name,Mood)",
    "/odata/People?$select=ID,Nickname",
    "/odata/People?$select=Name,label/text,Mood",
    "/odata/People?$filter=Name eq 'Ann' and Nickname eq 5 and Extra/Weight gt 2",
    "/odata/People?$filter=Born eq 2024-01-02",
    "/odata/People?$filter=friends/any(f:f/Name eq 'Bo' and f/Mood eq true)",
    "/odata/People?$orderby=Nickname,Name desc",
  ]);
});
