// A key value written as OData writes a string literal, in single quotes with a quote inside
// doubled, is taken whole: the only way a part of a key of several (`get`, `call --key`) can hold a
// comma, which otherwise separates the parts. A key that cannot be split into Name=value parts is
// refused with exit 2, saying how to quote (and, where a comma split a plain value, the value
// quoted), nothing sent. The forms that needed no quotes mean what they meant: `A=O'Brien` is the
// text O'Brien. Over node:http services on 127.0.0.1; the command line runs in this process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliInProcess } from "./cli-in-process.js";
import { sendJson, sendText, startServer } from "./servers/recording-server.js";

const show = (o: { code: number; stdout: string; stderr: string }) => `exit ${o.code}\nstdout: ${o.stdout.slice(0, 300)}\nstderr: ${o.stderr.slice(0, 600)}`;

/** Texts keyed by two strings, Products by one, a function g bound to a Text. */
const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="S" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EntityType Name="Text"><Key><PropertyRef Name="Product"/><PropertyRef Name="Language"/></Key><Property Name="Product" Type="Edm.String" Nullable="false"/><Property Name="Language" Type="Edm.String" Nullable="false"/></EntityType>
<EntityType Name="Product"><Key><PropertyRef Name="Name"/></Key><Property Name="Name" Type="Edm.String" Nullable="false"/></EntityType>
<Function Name="g" IsBound="true"><Parameter Name="it" Type="S.Text"/><ReturnType Type="Edm.String"/></Function>
<EntityContainer Name="C"><EntitySet Name="Texts" EntityType="S.Text"/><EntitySet Name="Products" EntityType="S.Product"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

/** A v4 service that answers every entity with `{"ok":true}`; `$metadata` with METADATA, or 404 where `withMetadata` is false. The paths are recorded as sent. */
async function service(t: { after(fn: () => Promise<void>): void }, withMetadata = true) {
  const server = await startServer((request, res) => {
    if (request.path === "/svc/$metadata") return withMetadata ? sendText(res, 200, METADATA, { "content-type": "application/xml", "odata-version": "4.0" }) : sendText(res, 404, "no");
    sendJson(res, 200, { ok: true }, { "odata-version": "4.0" });
  });
  t.after(() => server.close());
  return { url: server.url("svc/"), sent: () => server.requests.map((r) => r.path).filter((path) => !path.endsWith("/$metadata")) };
}

test("get and call --key: a quoted part of a key of several is sent whole, its comma (and a doubled quote) inside the literal", async (t) => {
  const svc = await service(t);
  for (const args of [
    ["get", svc.url, "Texts", "Product='Smith, John',Language=EN"],
    ["get", svc.url, "Texts", "Language='EN', Product = 'O''Brien, Jr.' "],
    ["get", svc.url, "Texts", "Product='',Language=''''"],
    ["call", svc.url, "Texts/S.g", "--key", "Product='a,b,c',Language=EN"],
  ]) {
    const outcome = await cliInProcess(args);
    assert.equal(outcome.code, 0, show(outcome));
    if (args[0] === "get") assert.equal(outcome.stdout, '{\n  "ok": true\n}\n');
  }
  assert.deepEqual(svc.sent(), [
    "/svc/Texts(Product='Smith,%20John',Language='EN')",
    "/svc/Texts(Language='EN',Product='O''Brien,%20Jr.')",
    "/svc/Texts(Product='',Language='''')",
    "/svc/Texts(Product='a,b,c',Language='EN')/S.g()",
  ]);
});

test("get: the forms without quotes mean what they meant; a value alone may be quoted, and without $metadata a quoted one is a string", async (t) => {
  const svc = await service(t);
  for (const key of ["Product=O'Brien,Language=EN", "Product=a=b,Language= EN", "Smith, John", "'Smith, John'", "O'Brien", "'70s"]) {
    const outcome = await cliInProcess(["get", svc.url, key.includes("=") ? "Texts" : "Products", key]);
    assert.equal(outcome.code, 0, show(outcome));
    assert.equal(outcome.stdout, '{\n  "ok": true\n}\n');
  }
  assert.deepEqual(svc.sent(), [
    "/svc/Texts(Product='O''Brien',Language='EN')",
    "/svc/Texts(Product='a=b',Language='%20EN')",
    "/svc/Products('Smith,%20John')",
    "/svc/Products('Smith,%20John')",
    "/svc/Products('O''Brien')",
    "/svc/Products('''70s')",
  ]);

  const bare = await service(t, false);
  for (const key of ["42", "'42'", "A='1,2',B=3"]) {
    const outcome = await cliInProcess(["get", bare.url, "Things", key]);
    assert.equal(outcome.code, 0, show(outcome));
  }
  assert.deepEqual(bare.sent(), ["/svc/Things(42)", "/svc/Things('42')", "/svc/Things(A='1,2',B=3)"]);
});

test("get: a key of several that a comma splits where it has no Name= is refused with exit 2, saying how to quote; a quoted value that does not end as one too; nothing is sent", async (t) => {
  const svc = await service(t);
  const usage = "write a key of several properties as Name=value,Name=value, a value that holds a comma quoted as OData writes a string (a quote inside doubled)";
  for (const [key, message] of [
    ["Product=Smith, John,Language=EN", `<key> "Product=Smith, John,Language=EN": ${usage}: Product='Smith, John'`],
    ["Product=Smith\\, John,Language=EN", `<key> "Product=Smith\\\\, John,Language=EN": ${usage}: Product='Smith, John'`],
    ["Product=O'Brien, Jr.,Language=EN", `<key> "Product=O'Brien, Jr.,Language=EN": ${usage}: Product='O''Brien, Jr.'`],
    ["Language=EN,Product=a, b, c", `<key> "Language=EN,Product=a, b, c": ${usage}: Product='a, b, c'`],
    ["Product='a',b,Language=EN", `<key> "Product='a',b,Language=EN": ${usage}: Name='Smith, John'`],
    ["Product='Smith, John,Language=EN", `<key> Product: the quoted value "'Smith, John,Language=EN" has no closing quote; a quote inside a quoted value is doubled ('O''Brien')`],
    ["Product='O'Brien',Language=EN", `<key> Product: the quoted value "'O'" ends at its closing quote, and "Brien'" follows it; a quote inside a quoted value is doubled ('O''Brien')`],
  ] as const) {
    const outcome = await cliInProcess(["get", svc.url, "Texts", key]);
    assert.equal(outcome.code, 2, show(outcome));
    assert.equal(outcome.stderr, `error: ${message}\n`);
  }
  // A value alone with a comma, on a key of several properties: how to write the key, quoting shown.
  const alone = await cliInProcess(["get", svc.url, "Texts", "Smith, John"]);
  assert.equal(alone.code, 2, show(alone));
  assert.match(alone.stderr, /^error: <key>: Texts is keyed by .*; write its key as Product=…,Language=…, a value that holds a comma quoted: Product='Smith, John'\n$/);
  assert.deepEqual(svc.sent(), [], "nothing was sent but $metadata");
});
