// A key or a `call` parameter typed on the command line whose $metadata type is one of the
// service's enumerations is sent as an enumeration literal qualified by its type, `NS.Color'Blue'`,
// which OData 4.0's URL grammar requires (4.01 makes the qualifier optional, and takes it), as the
// generated client writes it with edm.enumMember: a flags enumeration's members joined
// (`NS.Access'Read,Write'`), a member's value given for its name; in an action's JSON body the
// member names alone. A name the enumeration does not have is refused with exit 2, naming its
// members, before anything is called. node:http servers on 127.0.0.1 with a $metadata each.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliInProcess } from "./cli-in-process.js";
import { sendJson, sendText, startServer } from "./servers/recording-server.js";

const metadata = (version: "4.0" | "4.01") => `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="${version}" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="NS" Alias="self" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EnumType Name="Color"><Member Name="Red" Value="0"/><Member Name="Blue" Value="1"/></EnumType>
<EnumType Name="Access" IsFlags="true"><Member Name="Read" Value="1"/><Member Name="Write" Value="2"/></EnumType>
<EntityType Name="Paint"><Key><PropertyRef Name="Color"/></Key><Property Name="Color" Type="self.Color" Nullable="false"/><Property Name="Name" Type="Edm.String"/></EntityType>
<Function Name="f"><Parameter Name="c" Type="NS.Color"/><Parameter Name="a" Type="self.Access"/><ReturnType Type="Edm.String"/></Function>
<Action Name="act"><Parameter Name="c" Type="NS.Color"/><Parameter Name="a" Type="NS.Access"/><ReturnType Type="Edm.String"/></Action>
<EntityContainer Name="C"><EntitySet Name="Paints" EntityType="NS.Paint"/><FunctionImport Name="f" Function="NS.f"/><ActionImport Name="act" Action="NS.act"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

async function service(t: { after(fn: () => Promise<void>): void }, version: "4.0" | "4.01") {
  const server = await startServer((request, res) => {
    if (request.path === "/svc/$metadata") return sendText(res, 200, metadata(version), { "content-type": "application/xml", "odata-version": version });
    sendJson(res, 200, request.path.startsWith("/svc/Paints") ? { Color: "Blue", Name: "sky" } : { value: "ok" }, { "odata-version": version });
  });
  t.after(() => server.close());
  return {
    url: server.url("svc/"),
    calls: () => server.requests.filter((r) => !r.path.endsWith("/$metadata")).map((r) => ({ method: r.method, path: decodeURIComponent(r.path), body: r.body })),
  };
}

const show = (outcome: { code: number; stdout: string; stderr: string }) => `exit ${outcome.code}\nstdout: ${outcome.stdout}\nstderr: ${outcome.stderr}`;

for (const version of ["4.0", "4.01"] as const) {
  test(`${version}: an enumeration parameter and key are sent qualified, NS.Color'Blue'; flags joined; an action's body has the names`, async (t) => {
    const { url, calls } = await service(t, version);
    // A member by name, and a flags value of two members, one by its value.
    const f = await cliInProcess(["call", url, "f", "--param", "c=Blue", "--param", "a=Read, 2", "-q"]);
    assert.equal(f.code, 0, show(f));
    const key = await cliInProcess(["get", url, "Paints", "Blue"]);
    assert.equal(key.code, 0, show(key));
    const act = await cliInProcess(["call", url, "act", "--param", "c=0", "--param", "a=Write", "-q"]);
    assert.equal(act.code, 0, show(act));
    assert.deepEqual(calls(), [
      { method: "GET", path: "/svc/f(c=NS.Color'Blue',a=NS.Access'Read,Write')", body: "" },
      { method: "GET", path: "/svc/Paints(NS.Color'Blue')", body: "" },
      { method: "POST", path: "/svc/act", body: '{"c":"Red","a":"Write"}' },
    ]);
  });
}

test("a name the enumeration does not have, or two members of one that is no flags enumeration, is refused with exit 2; nothing is called", async (t) => {
  const { url, calls } = await service(t, "4.0");
  for (const [args, text] of [
    [["call", url, "f", "--param", "c=Green", "-q"], `--param c: "Green" is not a member of NS.Color (its members: Red, Blue)`],
    [["call", url, "f", "--param", "c=Red,Blue", "-q"], `--param c: NS.Color is not a flags enumeration; give one member, not "Red,Blue"`],
    [["call", url, "f", "--param", "a=Read,Execute", "-q"], `--param a: "Execute" is not a member of NS.Access (its members: Read, Write)`],
    [["get", url, "Paints", "blue"], `<key>: "blue" is not a member of NS.Color (its members: Red, Blue)`],
  ] as const) {
    const outcome = await cliInProcess([...args]);
    assert.equal(outcome.code, 2, show(outcome));
    assert.ok(outcome.stderr.includes(text), show(outcome));
  }
  assert.deepEqual(calls(), []);
});
