// Alternate keys (Core.AlternateKeys, and OData.Community.Keys.V1.AlternateKeys of ODataLib and
// Dataverse), declared on an entity type or an entity set: `get` and `call --key` take the
// Name=value parts of one, typed by the properties they name (a part with an Alias by its alias),
// and send them by name, `accounts(accountnumber='A3')`, where the key itself is sent in its short
// form. Name=value naming a property that is neither the key nor an alternate key is refused with
// exit 2, the message saying which property (and type) the key is and what alternate keys there
// are, nothing sent. Over node:http services on 127.0.0.1; the command line runs in this process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliInProcess } from "./cli-in-process.js";
import { sendJson, sendText, startServer } from "./servers/recording-server.js";

const show = (o: { code: number; stdout: string; stderr: string }) => `exit ${o.code}\nstdout: ${o.stdout.slice(0, 300)}\nstderr: ${o.stderr.slice(0, 600)}`;

const GUID = "00000000-0000-0000-0000-000000000001";

/**
 * accounts keyed by a GUID, with alternate keys (community vocabulary, on the type) accountnumber
 * and `code`, an alias of the Int32 accountcode; contacts keyed by a GUID, with the alternate key
 * firstname + emailaddress1 (Core vocabulary, on the set); leads keyed by a GUID, with none.
 */
const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
<edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Core.V1.xml"><edmx:Include Namespace="Org.OData.Core.V1" Alias="Core"/></edmx:Reference>
<edmx:DataServices>
<Schema Namespace="S" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EntityType Name="account"><Key><PropertyRef Name="accountid"/></Key><Property Name="accountid" Type="Edm.Guid" Nullable="false"/><Property Name="accountnumber" Type="Edm.String"/><Property Name="accountcode" Type="Edm.Int32"/>
<Annotation Term="OData.Community.Keys.V1.AlternateKeys"><Collection>
<Record Type="OData.Community.Keys.V1.AlternateKey"><PropertyValue Property="Key"><Collection><Record Type="OData.Community.Keys.V1.PropertyRef"><PropertyValue Property="Alias" String="accountnumber"/><PropertyValue Property="Name" PropertyPath="accountnumber"/></Record></Collection></PropertyValue></Record>
<Record Type="OData.Community.Keys.V1.AlternateKey"><PropertyValue Property="Key"><Collection><Record Type="OData.Community.Keys.V1.PropertyRef"><PropertyValue Property="Alias" String="code"/><PropertyValue Property="Name" PropertyPath="accountcode"/></Record></Collection></PropertyValue></Record>
</Collection></Annotation>
</EntityType>
<EntityType Name="contact"><Key><PropertyRef Name="contactid"/></Key><Property Name="contactid" Type="Edm.Guid" Nullable="false"/><Property Name="firstname" Type="Edm.String"/><Property Name="emailaddress1" Type="Edm.String"/></EntityType>
<EntityType Name="lead"><Key><PropertyRef Name="leadid"/></Key><Property Name="leadid" Type="Edm.Guid" Nullable="false"/><Property Name="emailaddress1" Type="Edm.String"/></EntityType>
<Function Name="f" IsBound="true"><Parameter Name="it" Type="S.account"/><ReturnType Type="Edm.String"/></Function>
<EntityContainer Name="C"><EntitySet Name="accounts" EntityType="S.account"/><EntitySet Name="contacts" EntityType="S.contact"/><EntitySet Name="leads" EntityType="S.lead"/></EntityContainer>
<Annotations Target="S.C/contacts"><Annotation Term="Core.AlternateKeys"><Collection>
<Record Type="Core.AlternateKey"><PropertyValue Property="Key"><Collection><Record Type="Core.PropertyRef"><PropertyValue Property="Name" PropertyPath="firstname"/></Record><Record Type="Core.PropertyRef"><PropertyValue Property="Name" PropertyPath="emailaddress1"/></Record></Collection></PropertyValue></Record>
</Collection></Annotation></Annotations>
</Schema></edmx:DataServices></edmx:Edmx>`;

/** A v4 service of METADATA that answers every entity with `{"ok":true}`; the paths are recorded as sent. */
async function service(t: { after(fn: () => Promise<void>): void }) {
  const server = await startServer((request, res) => {
    if (request.path === "/svc/$metadata") return sendText(res, 200, METADATA, { "content-type": "application/xml", "odata-version": "4.0" });
    sendJson(res, 200, { ok: true }, { "odata-version": "4.0" });
  });
  t.after(() => server.close());
  return { url: server.url("svc/"), sent: () => server.requests.map((r) => r.path).filter((path) => !path.endsWith("/$metadata")) };
}

test("get and call --key: an alternate key is sent by its names, typed by its properties; the key itself as before", async (t) => {
  const svc = await service(t);
  for (const args of [
    ["get", svc.url, "accounts", "accountnumber=A3"],
    ["get", svc.url, "accounts", "accountnumber='A,3'"],
    ["get", svc.url, "accounts", "code=7"],
    ["get", svc.url, "contacts", "emailaddress1=abc@example.com,firstname=Joe"],
    ["get", svc.url, "accounts", GUID],
    ["get", svc.url, "contacts", `contactid=${GUID}`],
    ["call", svc.url, "accounts/S.f", "--key", "accountnumber=A3"],
  ]) {
    const outcome = await cliInProcess(args);
    assert.equal(outcome.code, 0, show(outcome));
    if (args[0] === "get") assert.equal(outcome.stdout, '{\n  "ok": true\n}\n');
  }
  assert.deepEqual(svc.sent(), [
    "/svc/accounts(accountnumber='A3')",
    "/svc/accounts(accountnumber='A,3')",
    "/svc/accounts(code=7)",
    "/svc/contacts(emailaddress1='abc@example.com',firstname='Joe')",
    `/svc/accounts(${GUID})`,
    `/svc/contacts(${GUID})`,
    "/svc/accounts(accountnumber='A3')/S.f()",
  ]);
});

test("get: Name=value of a property that is no key, or only part of an alternate key, is refused with exit 2 naming the key and the alternate keys; nothing is sent", async (t) => {
  const svc = await service(t);
  const notGuid = (text: string) => `<key>: the string "${text}" is not a GUID such as "01234567-89ab-cdef-0123-456789abcdef"`;
  for (const [set, key, message] of [
    ["leads", "emailaddress1=a@b.c", `${notGuid("emailaddress1=a@b.c")}; emailaddress1=… names the property emailaddress1, but leads is keyed by the Edm.Guid property leadid, and $metadata declares no alternate key (Core.AlternateKeys) by which to address it otherwise`],
    ["accounts", "name=Contoso", `${notGuid("name=Contoso")}; name=… names the property name, but accounts is keyed by the Edm.Guid property accountid, or by one of its alternate keys accountnumber | code`],
    ["accounts", "code=seven", '<key> code: "seven" is not an integer in decimal digits (an Edm.Int32, -2147483648 to 2147483647)'],
    ["contacts", "firstname=Joe", "<key>: contacts is keyed by contactid, or by one of its alternate keys firstname, emailaddress1; give each part of one of them as Name=value"],
    ["contacts", "firstname=Joe,lastname=Doe", "<key>: lastname is not a key property of contacts (its key: contactid; its alternate keys: firstname, emailaddress1)"],
  ] as const) {
    const outcome = await cliInProcess(["get", svc.url, set, key]);
    assert.equal(outcome.code, 2, show(outcome));
    assert.equal(outcome.stderr, `error: ${message}\n`);
  }
  assert.deepEqual(svc.sent(), [], "nothing was sent but $metadata");
});
