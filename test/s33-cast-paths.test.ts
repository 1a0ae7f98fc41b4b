/**
 * `cast(type)` on collection and entity queries: the qualified name of a derived type appended as a
 * path segment (OData v4 URL Conventions, Addressing Derived Types), as Microsoft Graph's "OData
 * cast" (`groups('x')/members/microsoft.graph.user`) and services with derived types use it. Each
 * test asserts the request line the node:http service got; the suite's CAP model has no derived
 * types, so there is no CAP test.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ODataClient, ODataClientError, ODataHttpError, ODataReader } from "../src/index.js";
import { ODataReader as ReadEntryReader } from "../src/read.js";
import { answerJson, sendJson, sendText, serveClient, type Handler, type RecordingServer } from "./servers/recording-server.js";

interface Person {
  ID: number;
  name: string;
  address: { city: string };
}
interface Employee extends Person {
  salary: number;
  manager?: Person;
  reports?: Person[];
}

/** The request lines the service got, their query decoded for reading. */
function sent(server: RecordingServer): string[] {
  return server.requests.map((request) => `${request.method} ${decodeURIComponent(request.path)}`);
}

test("collection cast: collection(set).cast(type) reads <set>/<type>, and its rows are typed as the derived type", async (t) => {
  const { server, client } = await serveClient(t, answerJson(200, { value: [{ ID: 1, name: "Ann", salary: 10 }] }));
  const employees = client.collection<Person>("Persons").cast<Employee>("NS.Employee");
  assert.equal(employees.url(), `${server.url("odata/Persons/NS.Employee")}`);
  const page = await employees.page();
  // Typed over Employee: `salary` is a property of the row.
  const salary: number | undefined = page.value[0]?.salary;
  assert.equal(salary, 10);
  assert.deepEqual(sent(server), ["GET /odata/Persons/NS.Employee"]);
});

test("entity cast: key(k).cast(type) reads <set>(k)/<type>; a 404 (not of the type) rejects and a 204 is no entity, not null", async (t) => {
  let status = 200;
  const { server, client } = await serveClient(t, (_request, res) => {
    if (status === 200) return sendJson(res, 200, { ID: 1, salary: 10 });
    if (status === 404) return sendJson(res, 404, { error: { code: "NotFound", message: "not an Employee" } });
    res.writeHead(204).end();
  });
  const employee = client.collection<Person>("Persons").key(1).cast<Employee>("NS.Employee");
  const read = await employee.get();
  assert.equal(read.salary, 10);
  status = 404;
  await assert.rejects(employee.get(), (error: unknown) => error instanceof ODataHttpError && error.status === 404);
  status = 204;
  await assert.rejects(employee.get(), (error: unknown) => error instanceof ODataClientError && error.code === "BAD_PAYLOAD");
  assert.deepEqual(sent(server), ["GET /odata/Persons(1)/NS.Employee", "GET /odata/Persons(1)/NS.Employee", "GET /odata/Persons(1)/NS.Employee"]);
});

test("entity cast of a single-valued navigation or a nullable singleton gives null on 204, as the query it casts does", async (t) => {
  const { server, client } = await serveClient(t, (_request, res) => void res.writeHead(204).end());
  assert.equal(await client.collection<Employee>("Persons").key(1).navigateOne("manager").cast<Employee>("NS.Employee").get(), null);
  assert.equal(await client.singleton<Person>("Boss", { nullable: true }).cast<Employee>("NS.Employee").get(), null);
  await assert.rejects(client.singleton<Person>("Me").cast("NS.Employee").get(), (error: unknown) => error instanceof ODataClientError && error.code === "BAD_PAYLOAD");
  assert.deepEqual(sent(server), ["GET /odata/Persons(1)/manager/NS.Employee", "GET /odata/Boss/NS.Employee", "GET /odata/Me/NS.Employee"]);
});

test("cast after navigate (Microsoft Graph's OData cast), with countAll() and ConsistencyLevel: eventual", async (t) => {
  const { server, client } = await serveClient(t, (request, res) => {
    if (request.path.includes("/$count")) return sendText(res, 200, "7");
    sendJson(res, 200, { value: [{ id: "u1" }] });
  });
  const users = client.collection("groups").key("x").navigate("members").cast("microsoft.graph.user");
  const eventual = { headers: { ConsistencyLevel: "eventual" } };
  assert.equal(await users.filter("startswith(displayName,'A')").countAll(eventual), 7);
  assert.deepEqual(await users.count().list(eventual), [{ id: "u1" }]);
  assert.deepEqual(sent(server), [
    "GET /odata/groups('x')/members/microsoft.graph.user/$count?$filter=startswith(displayName,'A')",
    "GET /odata/groups('x')/members/microsoft.graph.user?$count=true",
  ]);
  assert.equal(server.requests[0]!.headers["consistencylevel"], "eventual");
  assert.equal(server.requests[1]!.headers["consistencylevel"], "eventual");
});

test("key after a collection cast addresses <set>/<type>(k); navigating on from it and casting the navigation's entity", async (t) => {
  const { server, client } = await serveClient(t, (request, res) => {
    if (request.path.includes("reports")) return sendJson(res, 200, { value: [] });
    sendJson(res, 200, { ID: 1 });
  });
  const employees = client.collection<Person>("Persons").cast<Employee>("NS.Employee");
  await employees.key(1).get();
  await employees.key(1).navigate("reports").page();
  await employees.key(1).navigateOne("manager").cast("NS.Manager").select("ID").get();
  assert.deepEqual(sent(server), [
    "GET /odata/Persons/NS.Employee(1)",
    "GET /odata/Persons/NS.Employee(1)/reports",
    "GET /odata/Persons/NS.Employee(1)/manager/NS.Manager?$select=ID",
  ]);
});

test("options set before or after cast() go after the cast path: $filter, $select, $expand, $orderby, $top, $count, custom options", async (t) => {
  const { server, client } = await serveClient(t, answerJson(200, { value: [] }));
  const persons = client.collection<Employee>("Persons");
  const before = persons.filter((f) => f.gt("salary", 5)).select("ID", "name").expand("manager").param("sap-client", "100").cast<Employee>("NS.Employee").orderBy("name").top(3).count();
  const after = persons.cast<Employee>("NS.Employee").filter((f) => f.gt("salary", 5)).select("ID", "name").expand("manager").param("sap-client", "100").orderBy("name").top(3).count();
  const expected = "GET /odata/Persons/NS.Employee?$filter=salary gt 5&$select=ID,name&$expand=manager&$orderby=name&$top=3&$count=true&sap-client=100";
  await before.page();
  await after.page();
  await persons.key(1).select("ID").expand("reports").cast<Employee>("NS.Employee").get().catch(() => undefined);
  assert.deepEqual(sent(server), [expected, expected, "GET /odata/Persons(1)/NS.Employee?$select=ID&$expand=reports"]);
});

test("page(), pages() and stream() of a cast collection follow its next links", async (t) => {
  const { server, client } = await serveClient(t, (request, res) => {
    const second = request.path.includes("$skiptoken=2");
    sendJson(res, 200, { value: [{ ID: second ? 2 : 1 }], ...(second ? {} : { "@odata.nextLink": `${server.url("odata/Persons/NS.Employee")}?$skiptoken=2` }) });
  });
  const employees = client.collection<Person>("Persons").cast<Employee>("NS.Employee").select("ID");
  const first = await employees.page();
  assert.equal(first.nextLink, `${server.url("odata/Persons/NS.Employee")}?$skiptoken=2`);
  const pages: number[][] = [];
  for await (const page of employees.pages()) pages.push(page.value.map((row) => row.ID));
  assert.deepEqual(pages, [[1], [2]]);
  const streamed: number[] = [];
  for await (const row of employees.stream()) streamed.push(row.ID);
  assert.deepEqual(streamed, [1, 2]);
  assert.deepEqual(sent(server), [
    "GET /odata/Persons/NS.Employee?$select=ID",
    "GET /odata/Persons/NS.Employee?$select=ID",
    "GET /odata/Persons/NS.Employee?$skiptoken=2",
    "GET /odata/Persons/NS.Employee?$select=ID",
    "GET /odata/Persons/NS.Employee?$skiptoken=2",
  ]);
});

test("writes with the cast path: create() POSTs to <set>/<type>, update() and delete() on <set>(k)/<type>, a bound action after the cast", async (t) => {
  const { server, client } = await serveClient(t, (request, res) => {
    if (request.method === "POST" && request.path.endsWith("/NS.Employee")) return sendJson(res, 201, { ID: 9, salary: 1 });
    res.writeHead(204).end();
  });
  const employees = client.collection<Person>("Persons").cast<Employee>("NS.Employee");
  const created = await employees.create({ ID: 9, name: "Bo", salary: 1 });
  assert.deepEqual(created, { ID: 9, salary: 1 });
  const one = client.collection<Person>("Persons").key(9).cast<Employee>("NS.Employee");
  await one.update({ salary: 2 });
  await one.delete();
  await employees.action("NS.raise").invoke({ percent: 3 });
  assert.deepEqual(sent(server), ["POST /odata/Persons/NS.Employee", "PATCH /odata/Persons(9)/NS.Employee", "DELETE /odata/Persons(9)/NS.Employee", "POST /odata/Persons/NS.Employee/NS.raise"]);
  assert.deepEqual(JSON.parse(server.requests[0]!.body), { ID: 9, name: "Bo", salary: 1 });
});

test("a $batch holds a cast query's page, count, entity read and create with the cast path", async (t) => {
  const { server, client } = await serveClient(t, (request, res) => {
    const { requests } = JSON.parse(request.body) as { requests: { id: string; method: string; url: string }[] };
    sendJson(res, 200, {
      responses: requests.map(({ id, method, url }) =>
        url.endsWith("/$count")
          ? { id, status: 200, headers: { "content-type": "text/plain" }, body: "4" }
          : { id, status: method === "POST" ? 201 : 200, headers: { "content-type": "application/json" }, body: url.includes("(") ? { ID: 1 } : method === "POST" ? { ID: 5 } : { value: [{ ID: 2 }] } },
      ),
    });
  });
  const employees = client.collection<Person>("Persons").cast<Employee>("NS.Employee");
  const batch = client.batch({ format: "json" });
  const page = batch.page(employees.filter((f) => f.gt("salary", 5)));
  const count = batch.count(employees);
  const entity = batch.get(client.collection<Person>("Persons").key(1).cast<Employee>("NS.Employee"));
  const created = batch.create(employees, { ID: 5, name: "Cy", salary: 3 });
  await batch.send();
  const value = <V>(result: { ok: true; value: V } | { ok: false }): V | string => (result.ok ? result.value : JSON.stringify(result));
  assert.deepEqual((value(page.result()) as { value: unknown }).value, [{ ID: 2 }]);
  assert.equal(value(count.result()), 4);
  assert.deepEqual(value(entity.result()), { ID: 1 });
  assert.deepEqual(value(created.result()), { ID: 5 });
  const parts = (JSON.parse(server.requests[0]!.body) as { requests: { method: string; url: string }[] }).requests.map((part) => `${part.method} ${decodeURIComponent(part.url)}`);
  assert.deepEqual(parts, ["GET Persons/NS.Employee?$filter=salary gt 5", "GET Persons/NS.Employee/$count", "GET Persons(1)/NS.Employee", "POST Persons/NS.Employee"]);
});

test("partitions(n, { key }) of a cast collection plan ranges of <set>/<type>; without a key the plan refuses with PARTITION_KEY_UNKNOWN", async (t) => {
  const { server, client } = await serveClient(t, (request, res) => {
    if (request.path.endsWith("/$metadata")) return sendText(res, 404, "no $metadata");
    if (request.path.includes("/$count")) return sendText(res, 200, "10");
    sendJson(res, 200, { value: [{ ID: 6 }] });
  });
  const employees = client.collection<Person>("Persons").cast<Employee>("NS.Employee");
  const partitions = await employees.partitions(2, { key: "ID" });
  assert.equal(partitions.length, 2);
  for (const partition of partitions) {
    assert.equal(partition.entitySet, "Persons/NS.Employee");
    assert.ok(partition.url.startsWith(server.url("odata/Persons/NS.Employee?")), partition.url);
    assert.ok(employees.partition(partition).url().startsWith(server.url("odata/Persons/NS.Employee?")));
  }
  // A plan of the whole set is not one of the cast collection.
  assert.throws(() => client.collection("Persons").partition(partitions[0]!), /not of this query's "Persons"/);
  const withoutKey = await employees.partitions(2).catch((error: unknown) => error);
  assert.ok(withoutKey instanceof ODataClientError && withoutKey.code === "PARTITION_KEY_UNKNOWN", String(withoutKey));
  assert.ok(sent(server).every((line) => !line.includes("/odata/Persons?") && line !== "GET /odata/Persons"), sent(server).join("\n"));
});

test("cast(type) refuses anything but a qualified type name with a TypeError naming cast(type), before sending", async (t) => {
  const { server, client } = await serveClient(t, answerJson(200, { value: [] }));
  const persons = client.collection("Persons");
  for (const bad of ["Employee", "", "NS.Employee/x", "NS.Employee(1)", "NS..Employee", "NS.Employee?$top=1", ".Employee", "NS.*", 42, undefined]) {
    assert.throws(() => persons.cast(bad as string), (error: unknown) => error instanceof TypeError && error.message.startsWith("cast(type): "), String(bad));
    assert.throws(() => persons.key(1).cast(bad as string), (error: unknown) => error instanceof TypeError && error.message.startsWith("cast(type): "), String(bad));
  }
  // An alias-qualified name and a multi-part namespace are qualified names.
  assert.equal(new URL(persons.cast("self.Employee").url()).pathname, "/odata/Persons/self.Employee");
  assert.equal(new URL(persons.cast("com.example.hr.Employee").url()).pathname, "/odata/Persons/com.example.hr.Employee");
  assert.equal(server.requests.length, 0);
});

test("cast(type) on an OData v2 client is UNSUPPORTED_BY_VERSION: v2 has no type cast segment", () => {
  const client = new ODataClient({ serviceUrl: "http://127.0.0.1:9/odata/", version: "2.0" });
  for (const cast of [() => client.collection("Persons").cast("NS.Employee"), () => client.collection("Persons").key(1).cast("NS.Employee")]) {
    assert.throws(cast, (error: unknown) => error instanceof ODataClientError && error.code === "UNSUPPORTED_BY_VERSION" && error.message.startsWith("cast(type): "));
  }
});

test("the reader's queries cast too, and stay reader queries", async (t) => {
  const handler: Handler = (_request, res) => sendJson(res, 200, { value: [{ ID: 1 }] });
  const { server } = await serveClient(t, handler);
  for (const Reader of [ODataReader, ReadEntryReader]) {
    const reader = new Reader({ serviceUrl: server.url("odata/"), retry: false });
    const employees = reader.collection<Person>("Persons").cast<Employee>("NS.Employee");
    assert.equal(typeof (employees as unknown as { create?: unknown }).create, "undefined");
    assert.deepEqual(await employees.list(), [{ ID: 1 }]);
  }
  assert.deepEqual(sent(server), ["GET /odata/Persons/NS.Employee", "GET /odata/Persons/NS.Employee"]);
});

test("a second cast() right after a cast is refused with a TypeError naming both types, before sending; a cast after the key of a cast collection is not", async (t) => {
  const { server, client } = await serveClient(t, answerJson(200, { ID: 1 }));
  const persons = client.collection<Person>("Persons");
  const twoTypes = (error: unknown) =>
    error instanceof TypeError && error.message.startsWith("cast(type): ") && error.message.includes("NS.Employee") && error.message.includes("NS.Manager");
  const twice = [
    () => persons.cast("NS.Employee").cast("NS.Manager"),
    () => persons.cast("NS.Employee").filter((f) => f.eq("ID", 1)).top(2).cast("NS.Manager"),
    () => persons.key(1).cast("NS.Employee").cast("NS.Manager"),
    () => client.collection<Employee>("Persons").key(1).navigateOne("manager").cast("NS.Employee").cast("NS.Manager"),
    () => client.singleton("Boss").cast("NS.Employee").select("ID").cast("NS.Manager"),
    () => client.collection("groups").key("x").navigate("members").cast("NS.Employee").cast("NS.Manager"),
  ];
  for (const cast of twice) assert.throws(cast, twoTypes, String(cast));
  // One cast, and a cast of an entity of a cast collection (a key between them), are OData's.
  assert.equal(decodeURIComponent(persons.cast("NS.Employee").url()), server.url("odata/Persons/NS.Employee"));
  assert.equal(decodeURIComponent(client.collection("Container.Persons").cast("NS.Employee").url()), server.url("odata/Container.Persons/NS.Employee"));
  const manager = persons.cast("NS.Employee").key(1).cast("NS.Manager");
  assert.deepEqual(await manager.get(), { ID: 1 });
  assert.deepEqual(sent(server), ["GET /odata/Persons/NS.Employee(1)/NS.Manager"]);
});
