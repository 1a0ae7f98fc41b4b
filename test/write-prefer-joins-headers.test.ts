/**
 * A write's option `prefer` and a `Prefer` among its own `headers` go together: the call's
 * `return=...` joins the header's preferences (`odata.include-annotations`) as `respond-async` and
 * `odata.maxpagesize` do, on `create`, `update`, `replace`, `upsert` and a `$batch` part alike. Before,
 * the header replaced the option: a service such as Dataverse, asked for no representation,
 * answered 204 and the create resolved `undefined`. A header that asks for the other `return` is
 * refused before anything is sent. The services here answer with the entity only when asked for it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ServerResponse } from "node:http";
import { serveClient, sendJson, type RecordedRequest } from "./servers/recording-server.js";

const CRLF = "\r\n";
const ANNOTATIONS = 'odata.include-annotations="*"';
const ENTITY = { accountid: "a1", name: "Contoso", "statuscode@OData.Community.Display.V1.FormattedValue": "Active" };

/** As Dataverse does: the entity (201 for a POST, else 200) with `return=representation`, else 204. */
function answer(method: string, prefer: string | undefined): { status: number; body?: unknown } {
  if (!/(^|,)\s*return=representation/.test(prefer ?? "")) return { status: 204 };
  return { status: method === "POST" ? 201 : 200, body: ENTITY };
}

function service(request: RecordedRequest, res: ServerResponse): void {
  const { status, body } = answer(request.method, request.headers["prefer"] as string | undefined);
  if (body === undefined) {
    res.writeHead(status, { "odata-entityid": "http://example.invalid/accounts(a1)" });
    res.end();
    return;
  }
  sendJson(res, status, body);
}

for (const [name, write] of [
  ["create", (accounts: ReturnType<typeof clientAccounts>) => accounts.create({ name: "Contoso" }, { prefer: "representation", headers: { Prefer: ANNOTATIONS } })],
  ["update", (accounts: ReturnType<typeof clientAccounts>) => accounts.key("a1").update({ name: "Contoso" }, { prefer: "representation", headers: { Prefer: ANNOTATIONS } })],
  ["replace", (accounts: ReturnType<typeof clientAccounts>) => accounts.key("a1").replace({ name: "Contoso" }, { prefer: "representation", headers: { Prefer: ANNOTATIONS } })],
  ["upsert", (accounts: ReturnType<typeof clientAccounts>) => accounts.key("a1").upsert({ name: "Contoso" }, { prefer: "representation", headers: { Prefer: ANNOTATIONS } })],
] as const) {
  test(`${name}(…, { prefer: "representation", headers: { Prefer } }) sends both preferences and resolves the entity the service returned`, async (t) => {
    const { server, client } = await serveClient(t, service);
    const written = await write(clientAccounts(client));
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0]!.headers["prefer"], `${ANNOTATIONS}, return=representation`);
    assert.deepEqual(written, ENTITY);
  });
}

/** The collection the tests write to, typed loosely. */
function clientAccounts(client: Awaited<ReturnType<typeof serveClient>>["client"]) {
  return client.collection<Record<string, unknown>>("accounts");
}

test("a header's Prefer with several preferences, one holding a quoted comma, keeps them all beside the option's return=minimal", async (t) => {
  const { server, client } = await serveClient(t, service);
  const given = 'odata.include-annotations="display.*,-display.subtitle", odata.continue-on-error';
  const written = await clientAccounts(client).key("a1").update({ name: "x" }, { prefer: "minimal", headers: { prefer: given } });
  assert.equal(server.requests[0]!.headers["prefer"], `${given}, return=minimal`);
  assert.equal(written, undefined);
});

test("a header's Prefer that asks for the same return as the option is sent once with it", async (t) => {
  const { server, client } = await serveClient(t, service);
  const written = await clientAccounts(client).create({ name: "x" }, { prefer: "representation", headers: { Prefer: `return=representation, ${ANNOTATIONS}` } });
  assert.equal(server.requests[0]!.headers["prefer"], `${ANNOTATIONS}, return=representation`);
  assert.deepEqual(written, ENTITY);
});

test("a header's Prefer that asks for the other return than the option is refused naming both, before anything is sent", async (t) => {
  const { server, client } = await serveClient(t, service);
  const accounts = clientAccounts(client);
  await assert.rejects(accounts.create({ name: "x" }, { prefer: "representation", headers: { Prefer: `${ANNOTATIONS}, return=minimal` } }), {
    name: "TypeError",
    message: 'create(entity): option "prefer" asks for return=representation and option "headers" has Prefer: return=minimal; give one of them',
  });
  await assert.rejects(accounts.key("a1").replace({ name: "x" }, { prefer: "minimal", headers: { prefer: "Return=Representation" } }), {
    name: "TypeError",
    message: 'replace(entity): option "prefer" asks for return=minimal and option "headers" has Prefer: Return=Representation; give one of them',
  });
  // A quoted value that holds "return=" is another preference's, not a return preference.
  await accounts.create({ name: "x" }, { prefer: "representation", headers: { Prefer: 'x-note="a, return=minimal"' } });
  assert.equal(server.requests.length, 1);
  assert.equal(server.requests[0]!.headers["prefer"], 'x-note="a, return=minimal", return=representation');
});

test("a header's Prefer without the option is sent as given, and the write reads what the service returned", async (t) => {
  const { server, client } = await serveClient(t, service);
  const written = await clientAccounts(client).create({ name: "x" }, { headers: { Prefer: `${ANNOTATIONS}, return=representation` } });
  assert.equal(server.requests[0]!.headers["prefer"], `${ANNOTATIONS}, return=representation`);
  assert.deepEqual(written, ENTITY);
});

test("the client's configured Prefer joins a create's return=representation, and the call's return wins over a configured one", async (t) => {
  const { server, client } = await serveClient(t, service, { headers: { Prefer: `${ANNOTATIONS}, return=minimal` } });
  const written = await clientAccounts(client).create({ name: "x" }, { prefer: "representation" });
  assert.equal(server.requests[0]!.headers["prefer"], `${ANNOTATIONS}, return=representation`);
  assert.deepEqual(written, ENTITY);
});

/** The requests of a multipart `$batch` body without changesets: method, path and Prefer of each part. */
function batchParts(body: string): { method: string; path: string; prefer: string | undefined }[] {
  const parts: { method: string; path: string; prefer: string | undefined }[] = [];
  for (const match of body.matchAll(/^(POST|PATCH|PUT|GET|DELETE) (\S+) HTTP\/1\.1\r\n((?:.+\r\n)*)/gm)) {
    const prefer = /^prefer: *(.*)$/im.exec(match[3]!)?.[1];
    parts.push({ method: match[1]!, path: match[2]!, prefer });
  }
  return parts;
}

test("$batch: a create and an update part with prefer and a Prefer header carry both, and the create's result is the entity", async (t) => {
  const { server, client } = await serveClient(t, (request, res) => {
    const answers = batchParts(request.body).map(({ method, prefer }) => {
      const { status, body } = answer(method, prefer);
      const head = [`--r`, "Content-Type: application/http", "Content-Transfer-Encoding: binary", "", `HTTP/1.1 ${status} ${status === 204 ? "No Content" : "OK"}`];
      return body === undefined ? [...head, "", ""].join(CRLF) : [...head, "Content-Type: application/json", "", JSON.stringify(body)].join(CRLF);
    });
    const text = `${answers.join(CRLF)}${CRLF}--r--${CRLF}`;
    res.writeHead(200, { "content-type": "multipart/mixed; boundary=r", "content-length": Buffer.byteLength(text) });
    res.end(text);
  });
  const accounts = clientAccounts(client);
  const batch = client.batch();
  const created = batch.create(accounts, { name: "Contoso" }, { prefer: "representation", headers: { Prefer: ANNOTATIONS } });
  const updated = batch.update(accounts.key("a1"), { name: "Contoso" }, { prefer: "representation", headers: { Prefer: ANNOTATIONS } });
  await batch.send();
  assert.deepEqual(batchParts(server.requests[0]!.body), [
    { method: "POST", path: "accounts", prefer: `${ANNOTATIONS}, return=representation` },
    { method: "PATCH", path: "accounts('a1')", prefer: `${ANNOTATIONS}, return=representation` },
  ]);
  const [create, update] = [created.result(), updated.result()];
  assert.ok(create.ok && update.ok, JSON.stringify([create, update]));
  assert.equal(create.status, 201);
  assert.deepEqual(create.value, ENTITY);
  assert.equal(update.status, 200);
  assert.deepEqual(update.value, ENTITY);
});
