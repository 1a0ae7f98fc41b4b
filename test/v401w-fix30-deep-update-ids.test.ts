/**
 * OData 4.01 deep update (Part 1 §11.4.3.1): a nested entity that carries its `@id` next to
 * properties is the existing related entity to change, and a nested insert into a collection
 * without navigation property binding names its entity set with `@context`. Writes keep that
 * control information of nested objects, while the body's own (an entity read and passed back)
 * and a nested entity's ETag still go. Against node:http on 127.0.0.1.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { sendJson, startServer, type RecordingServer } from "./servers/recording-server.js";

function clientOf(server: RecordingServer): ODataClient {
  return new ODataClient({ serviceUrl: server.url("svc/"), retry: false, version: "4.01" });
}

/** A service that answers each write with the body it was sent, as `return=representation` would. */
async function echoService(t: { after(fn: () => Promise<void>): void }): Promise<RecordingServer> {
  const server = await startServer((r, res) => {
    if (r.path === "/svc/$batch") {
      const batch = JSON.parse(r.body) as { requests: { id: string; body: unknown }[] };
      sendJson(res, 200, { responses: batch.requests.map((part) => ({ id: part.id, status: 200, headers: { "content-type": "application/json" }, body: part.body })) });
    } else sendJson(res, r.method === "POST" ? 201 : 200, JSON.parse(r.body));
  });
  t.after(() => server.close());
  return server;
}

const sentBodies = (server: RecordingServer): unknown[] => server.requests.map((r) => [r.method, r.path, JSON.parse(r.body)]);

describe("a deep update keeps the ids and context URLs of nested entities", () => {
  test("update() sends {@id, LastName} in the full set and in DirectReports@delta, and a nested insert's @context, as written; the answer comes back alike", async (t) => {
    const server = await echoService(t);
    const employees = clientOf(server).collection<Record<string, unknown>>("Employees");
    const fullSet = {
      "@type": "#Northwind.Manager",
      FirstName: "Patricia",
      DirectReports: [{ "@id": "Employees(5)" }, { "@id": "Employees(6)", LastName: "Smith" }, { "@context": "#Employees/$entity", FirstName: "Suzanne", LastName: "Brown" }],
    };
    const delta = {
      "@type": "#Northwind.Manager",
      "DirectReports@delta": [
        { "@removed": { reason: "deleted" }, "@id": "Employees(3)" },
        { "@odata.id": "Employees(6)", LastName: "Smith" },
        { "@odata.context": "#Employees/$entity", FirstName: "Suzanne" },
      ],
    };
    const first = await employees.key(1).update(fullSet, { prefer: "representation" });
    const second = await employees.key(1).update(delta, { prefer: "representation" });
    assert.deepEqual(sentBodies(server), [
      ["PATCH", "/svc/Employees(1)", fullSet],
      ["PATCH", "/svc/Employees(1)", delta],
    ]);
    assert.equal(server.requests[0]!.headers["odata-version"], "4.01");
    assert.deepEqual((first?.["DirectReports"] as unknown[])[1], { "@id": "Employees(6)", LastName: "Smith" });
    assert.deepEqual((second?.["DirectReports@delta"] as unknown[])[1], { "@odata.id": "Employees(6)", LastName: "Smith" });
  });

  test("replace() and upsert() keep a nested entity's @id too, and so does an update in a JSON $batch", async (t) => {
    const server = await echoService(t);
    const client = clientOf(server);
    const employees = client.collection<Record<string, unknown>>("Employees");
    const body = { FirstName: "Pat", Manager: { "@id": "Employees(9)", LastName: "Lee" } };
    await employees.key(1).replace(body);
    await employees.key(2).upsert(body);
    const batch = client.batch({ format: "json" });
    const handle = batch.update(employees.key(3), body);
    await batch.send();
    const [put, patch, sent] = server.requests;
    assert.deepEqual([put?.method, put?.path, JSON.parse(put?.body ?? "")], ["PUT", "/svc/Employees(1)", body]);
    assert.deepEqual([patch?.method, patch?.path, JSON.parse(patch?.body ?? "")], ["PATCH", "/svc/Employees(2)", body]);
    const part = (JSON.parse(sent?.body ?? "") as { requests: { method: string; url: string; body: unknown }[] }).requests[0];
    assert.deepEqual([part?.method, part?.url, part?.body], ["PATCH", "Employees(3)", body]);
    const result = handle.result();
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.value?.["Manager"], { "@id": "Employees(9)", LastName: "Lee" });
  });

  test("an entity read and written back with { deep: true } loses its own @odata.id, @odata.context and @odata.etag and its related entities' ETags; their ids stay", async (t) => {
    const read = {
      "@odata.context": "$metadata#Employees/$entity",
      "@odata.id": "Employees(1)",
      "@odata.etag": 'W/"1"',
      ID: 1,
      FirstName: "Pat",
      DirectReports: [{ "@odata.id": "Employees(6)", "@odata.etag": 'W/"6"', ID: 6, LastName: "Smith" }],
    };
    const server = await startServer((r, res) => (r.method === "GET" ? sendJson(res, 200, read) : sendJson(res, 200, JSON.parse(r.body))));
    t.after(() => server.close());
    const employee = clientOf(server).collection<Record<string, unknown>>("Employees").key(1);
    const got = await employee.expand("DirectReports").get();
    const answer = await employee.update({ ...got, FirstName: "Patricia" }, { deep: true });
    const patch = server.requests[1]!;
    assert.deepEqual([patch.method, patch.headers["if-match"], JSON.parse(patch.body)], [
      "PATCH",
      'W/"1"',
      { ID: 1, FirstName: "Patricia", DirectReports: [{ "@odata.id": "Employees(6)", ID: 6, LastName: "Smith" }] },
    ]);
    assert.deepEqual(answer?.["DirectReports"], [{ "@odata.id": "Employees(6)", ID: 6, LastName: "Smith" }]);
  });

  test("create() keeps a nested reference ({@id} alone) and a nested @context, and leaves out the @id of a nested entity with properties (a create carries no content for existing entities)", async (t) => {
    const server = await echoService(t);
    const employees = clientOf(server).collection<Record<string, unknown>>("Employees");
    const created = await employees.create({
      ID: 1,
      DirectReports: [{ "@id": "Employees(5)" }, { "@id": "Employees(71)", ID: 71, LastName: "Copy" }, { "@context": "#Employees/$entity", ID: 72 }],
    });
    const expected = { ID: 1, DirectReports: [{ "@id": "Employees(5)" }, { ID: 71, LastName: "Copy" }, { "@context": "#Employees/$entity", ID: 72 }] };
    assert.deepEqual(sentBodies(server), [["POST", "/svc/Employees", expected]]);
    assert.deepEqual(created?.["DirectReports"], expected.DirectReports);
  });
});
