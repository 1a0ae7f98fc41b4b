// A `--param name:=<json>` value of binary data or of an enumeration (a Collection(Edm.Binary), a
// Collection(NS.Color), or one such value in JSON) is typed as the same value given alone is:
// binary data in base64 or base64url, sent as base64url; an enumeration member by its name (or its
// value), checked against the enumeration's members. A string that is neither is refused with exit 2,
// naming the parameter and the item, and nothing is called. Over a node:http service on 127.0.0.1.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliInProcess } from "./cli-in-process.js";
import { v4MetadataService } from "./servers/v4-metadata-service.js";

const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="T" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EnumType Name="Color"><Member Name="Red" Value="0"/><Member Name="Blue" Value="1"/></EnumType>
<Function Name="f"><Parameter Name="bins" Type="Collection(Edm.Binary)"/><Parameter Name="colors" Type="Collection(T.Color)"/><ReturnType Type="Edm.String"/></Function>
<Action Name="a"><Parameter Name="bins" Type="Collection(Edm.Binary)"/><Parameter Name="colors" Type="Collection(T.Color)"/><Parameter Name="bin" Type="Edm.Binary"/></Action>
<EntityContainer Name="C"><FunctionImport Name="f" Function="T.f"/><ActionImport Name="a" Action="T.a"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

const service = (t: { after(fn: () => Promise<void>): void }) => v4MetadataService(t, METADATA);

const show = (o: { code: number; stdout: string; stderr: string }) => `exit ${o.code}\nstdout: ${o.stdout}\nstderr: ${o.stderr}`;

test("Collection(Edm.Binary) items in base64 or base64url go as base64url, in a function's parameter alias and in an action's body", async (t) => {
  const { url, calls } = await service(t);
  // base64 with + / and padding: the bytes FB FF, written -_8= as a single binary parameter is.
  const f = await cliInProcess(["call", url, "f", "--param", 'bins:=["AAEC","+/8="]', "-q"]);
  assert.equal(f.code, 0, show(f));
  const a = await cliInProcess(["call", url, "a", "--param", 'bins:=["+/8"]', "--param", 'bin:="+/8="', "-q"]);
  assert.equal(a.code, 0, show(a));
  assert.deepEqual(calls(), ['GET /svc/f(bins=@bins)?@bins=["AAEC","-_8="]', 'POST /svc/a {"bins":["-_8="],"bin":"-_8="}']);
});

test("Collection(NS.Color) items go as the members they name (a member's value for its name)", async (t) => {
  const { url, calls } = await service(t);
  const f = await cliInProcess(["call", url, "f", "--param", 'colors:=["Blue","Red"]', "-q"]);
  assert.equal(f.code, 0, show(f));
  const a = await cliInProcess(["call", url, "a", "--param", 'colors:=[1,"0"]', "-q"]);
  assert.equal(a.code, 0, show(a));
  assert.deepEqual(calls(), ['GET /svc/f(colors=@colors)?@colors=["Blue","Red"]', 'POST /svc/a {"colors":["Blue","Red"]}']);
});

test("an item that is no base64, or no member of the enumeration, is refused with exit 2 naming the parameter's item; nothing is called", async (t) => {
  const { url, calls } = await service(t);
  for (const [operation, param, message] of [
    // "AB" would decode to the byte of "AA": a typo, not data.
    ["f", 'bins:=["AAEC","AB"]', '--param bins[1]: "AB" is not binary data in base64 or base64url'],
    ["a", 'bins:=["00 01"]', '--param bins[0]: "00 01" is not binary data in base64 or base64url'],
    ["f", 'colors:=["Green"]', '--param colors[0]: "Green" is not a member of T.Color (its members: Red, Blue)'],
    ["a", 'colors:=["Blue",7]', '--param colors[1]: "7" is not a member of T.Color (its members: Red, Blue)'],
    ["a", 'colors:=["Red,Blue"]', "--param colors[0]: T.Color is not a flags enumeration"],
  ] as const) {
    const outcome = await cliInProcess(["call", url, operation, "--param", param]);
    assert.equal(outcome.code, 2, show(outcome));
    assert.ok(outcome.stderr.startsWith(`error: ${message}`), show(outcome));
  }
  assert.deepEqual(calls(), []);
});
