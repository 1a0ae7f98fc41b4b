/**
 * `edm.enumMember(type, "Read, Write")`: the text of a flags value, as Dataverse and ASP.NET Core
 * OData send one and as `generate` types a flags enumeration (`"ReadAccess, WriteAccess"`). It was
 * refused ("is not an OData identifier"), only the array form was taken, and the message did not
 * say so. Now the text is its members, split at commas and trimmed (a name, or an integer as the
 * array form takes a number), and makes exactly the value the array form makes; other text is still
 * refused, by a message that names both forms. Checked on the value and on the wire: a bound
 * function's parameter, a filter, and an action's body, each sent by a node:http service's client.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { edm, ODataClient } from "../src/index.js";
import { startServer } from "./servers/recording-server.js";

const TYPE = "Microsoft.Dynamics.CRM.AccessRights";
const GUID = "0f8fad5b-d9cb-469f-a165-70867728950e";

/** Each text with the array it stands for. */
const SAME: ReadonlyArray<[text: string, members: readonly (string | number)[]]> = [
  ["ReadAccess, WriteAccess", ["ReadAccess", "WriteAccess"]],
  ["ReadAccess,WriteAccess", ["ReadAccess", "WriteAccess"]],
  ["  ReadAccess ,WriteAccess , ShareAccess ", ["ReadAccess", "WriteAccess", "ShareAccess"]],
  ["1, 2", [1, 2]],
  ["ReadAccess, 2", ["ReadAccess", 2]],
  ["-1", [-1]],
  [" ReadAccess ", ["ReadAccess"]],
];

test("a flags value's text makes the value its members' array makes", () => {
  for (const [text, members] of SAME) {
    const fromText = edm.enumMember(TYPE, text);
    const fromArray = edm.enumMember(TYPE, members);
    assert.deepEqual([fromText.type, fromText.text, String(fromText)], [fromArray.type, fromArray.text, String(fromArray)], text);
  }
  assert.equal(String(edm.enumMember(TYPE, "ReadAccess, WriteAccess")), `${TYPE}'ReadAccess,WriteAccess'`);
  assert.equal(edm.enumMember(TYPE, "ReadAccess").text, edm.enumMember(TYPE, ["ReadAccess"]).text);
});

test("other text is refused, by a message that names the text form and the array form", () => {
  for (const text of ["Read Write", "Read;Write", "Read,", ",Read", "", " ", "1.5", "Read'", "99999999999999999999", "Read,,Write"]) {
    assert.throws(
      () => edm.enumMember(TYPE, text),
      (error: unknown) =>
        error instanceof TypeError &&
        error.message === `edm.enumMember(member): the string ${JSON.stringify(text)} is not an OData identifier (a member's name), an integer (its value), nor such separated by commas ("Read, Write"); or give an array: ["Read", "Write"]`,
      text,
    );
  }
  // The type is checked as before.
  assert.throws(() => edm.enumMember("AccessRights", "ReadAccess, WriteAccess"), /qualified type name/);
});

test("on the wire: a bound function's parameter, a filter and an action's body are the same for the text and the array", async (t) => {
  const server = await startServer((request, res) => {
    if (request.method === "POST") {
      res.writeHead(204, { "OData-Version": "4.0" });
      res.end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json", "OData-Version": "4.0" });
    res.end(JSON.stringify({ value: [] }));
  });
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url(""), retry: false });
  const send = async (mask: ReturnType<typeof edm.enumMember>) => {
    await client.collection("systemusers").key(edm.guid(GUID)).function("Microsoft.Dynamics.CRM.RetrieveUserPrivileges", { Mask: mask }).get();
    await client
      .collection("accounts")
      .filter((f) => f.and(f.has("rights", mask), f.eq("rights", mask)))
      .page();
    await client.action("GrantAccess").invoke({ PrincipalAccess: { AccessMask: mask, Principal: { "@odata.type": "#Microsoft.Dynamics.CRM.systemuser", systemuserid: GUID } } });
  };
  await send(edm.enumMember(TYPE, "ReadAccess, WriteAccess"));
  await send(edm.enumMember(TYPE, ["ReadAccess", "WriteAccess"]));
  const sent = server.requests.map((r) => [r.method, decodeURIComponent(r.path), r.body === "" ? "" : JSON.parse(r.body)]);
  const literal = `${TYPE}'ReadAccess,WriteAccess'`;
  const expected = [
    ["GET", `/systemusers(${GUID})/Microsoft.Dynamics.CRM.RetrieveUserPrivileges(Mask=${literal})`, ""],
    ["GET", `/accounts?$filter=rights has ${literal} and rights eq ${literal}`, ""],
    ["POST", "/GrantAccess", { PrincipalAccess: { AccessMask: "ReadAccess,WriteAccess", Principal: { "@odata.type": "#Microsoft.Dynamics.CRM.systemuser", systemuserid: GUID } } }],
  ];
  assert.deepEqual(sent, [...expected, ...expected]);
});
