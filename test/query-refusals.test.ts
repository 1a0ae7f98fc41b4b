/**
 * Values and paths a query cannot carry, against a node:http server: each is refused where it is
 * given, by an error that names that call or parameter, and nothing reaches the wire; the valid
 * form next to it does. A value is refused the same way wherever it goes (a filter, a key, an
 * operation's parameter): the same error class and message after the name of where it was given.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClientError, edm, type ODataClient } from "../src/index.js";
import { answerJson, onlyRequest, serveClient, type RecordingServer } from "./servers/recording-server.js";

type Version = "2.0" | "4.0";

/** The error `call` throws, failing the test when it throws none. */
function thrownBy(call: () => unknown): Error {
  try {
    call();
  } catch (error) {
    assert.ok(error instanceof Error, `not an Error: ${String(error)}`);
    return error;
  }
  assert.fail("expected an error");
}

/** `name: message`, with an ODataClientError's code: what a refusal is compared by. */
function shown(error: Error): string {
  return `${error.name}${error instanceof ODataClientError ? ` ${error.code}` : ""}: ${error.message}`;
}

/** Every place a value becomes a literal, with the name its refusal starts with. */
function places(client: ODataClient, value: unknown): [where: string, call: () => unknown][] {
  const books = client.collection<Record<string, unknown>>("Books");
  return [
    ["f.eq(value)", () => books.filter((f) => f.eq("ID", value as never)).url()],
    ["f.in(values)", () => books.filter((f) => f.in("ID", [1, value as never])).url()],
    ["key(value)", () => books.key(value as never).url()],
    ["key({ ID })", () => books.key({ ID: value as never, Other: 1 }).url()],
    ['function("f") parameter "n"', () => client.function("f", { n: value })],
  ];
}

describe("a value without a literal is refused the same way in a filter, a key and an operation parameter", () => {
  const cases: { what: string; value: () => unknown; versions: readonly Version[]; message: string }[] = [
    { what: "a bigint beyond Int64", value: () => 2n ** 63n, versions: ["4.0", "2.0"], message: "RangeError: 9223372036854775808 is outside the Edm.Int64 range" },
    { what: "a bigint below Int64", value: () => -(2n ** 63n) - 1n, versions: ["4.0", "2.0"], message: "RangeError: -9223372036854775809 is outside the Edm.Int64 range" },
    { what: "an invalid Date", value: () => new Date(NaN), versions: ["4.0"], message: "RangeError: edm.dateTimeOffset(value): expected a valid Date; got an invalid Date" },
    { what: "a Date after 9999", value: () => new Date(Date.UTC(10000, 0, 1)), versions: ["2.0"], message: "RangeError: edm.dateTime(value): the year 10000 is outside 0000-9999" },
    { what: "a lone surrogate", value: () => "a\uD800", versions: ["4.0", "2.0"], message: "TypeError: a string literal holds a lone UTF-16 surrogate, which cannot be encoded as UTF-8 in a URL" },
    {
      what: "a symbol",
      value: () => Symbol("x"),
      versions: ["4.0", "2.0"],
      message: "TypeError: a symbol cannot be written as an OData literal; use a string, number, bigint, boolean, null, Date, Uint8Array or an edm.* value",
    },
    {
      what: "edm.dateTime() in v4",
      value: () => edm.dateTime("2024-01-02T03:04:05"),
      versions: ["4.0"],
      message: "ODataClientError UNSUPPORTED_BY_VERSION: Edm.DateTime does not exist in OData 4.0; use edm.dateTimeOffset() or edm.date()",
    },
    {
      what: "an enumeration member in v2",
      value: () => edm.enumMember("NS.Color", "Red"),
      versions: ["2.0"],
      message: "ODataClientError UNSUPPORTED_BY_VERSION: An enumeration member does not exist in OData 2.0; OData v2 has no enumeration types",
    },
  ];
  for (const { what, value, versions, message } of cases) {
    for (const version of versions) {
      test(`${what} (OData ${version}): "<where>: " and the same message everywhere, nothing sent`, async (t) => {
        const { server, client } = await serveClient(t, answerJson(200, { value: 1 }), { version });
        const [name, core] = message.split(/: (.*)/s) as [string, string];
        for (const [where, call] of places(client, value())) {
          assert.equal(shown(thrownBy(call)), `${name}: ${where}: ${core}`, where);
        }
        assert.equal(server.requests.length, 0);
      });
    }
  }

  test("an Int64 out of range as a parameter names the parameter in a v4 function, a v2 function import and a bound function", async (t) => {
    const { server: v4Server, client: v4 } = await serveClient(t, answerJson(200, { value: 1 }));
    const { server: v2Server, client: v2 } = await serveClient(t, answerJson(200, { d: { f: 1 } }), { version: "2.0" });
    const refusals = [
      thrownBy(() => v4.function("f", { n: 2n ** 64n })),
      thrownBy(() => v2.function("f", { n: 2n ** 64n })),
      thrownBy(() => v4.collection("Books").key(1).function("NS.f", { n: -(2n ** 64n) })),
    ].map(shown);
    assert.deepEqual(refusals, [
      'RangeError: function("f") parameter "n": 18446744073709551616 is outside the Edm.Int64 range',
      'RangeError: function("f") parameter "n": 18446744073709551616 is outside the Edm.Int64 range',
      'RangeError: function("NS.f") parameter "n": -18446744073709551616 is outside the Edm.Int64 range',
    ]);
    assert.equal(v4Server.requests.length + v2Server.requests.length, 0);
    // The largest Int64 goes as it is (v2 with its L).
    await v4.function("f", { n: 2n ** 63n - 1n }).get();
    await v2.function("f", { n: 2n ** 63n - 1n }).get();
    assert.equal(onlyRequest(v4Server).path, "/odata/f(n=9223372036854775807)");
    assert.equal(onlyRequest(v2Server).path, "/odata/f?n=9223372036854775807L");
  });

  test("every filter function that takes a value names itself when the value has no literal", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { value: [] }));
    const books = client.collection<Record<string, unknown>>("Books");
    const big = 2n ** 64n;
    const calls: [string, () => unknown][] = [
      ["f.literal(value)", () => books.filter((f) => f.eq("ID", f.literal(big))).url()],
      ["f.contains(value)", () => books.filter((f) => f.contains("title", big as never)).url()],
      ["f.startsWith(value)", () => books.filter((f) => f.startsWith("title", big as never)).url()],
      ["f.endsWith(value)", () => books.filter((f) => f.endsWith("title", big as never)).url()],
      ["f.indexof(value)", () => books.filter((f) => f.eq(f.indexof("title", big as never), 1)).url()],
      ["f.concat(value)", () => books.filter((f) => f.eq(f.concat("title", big as never), "x")).url()],
      ["f.add(right)", () => books.filter((f) => f.eq(f.add("stock", big), 1)).url()],
      ["f.mod(right)", () => books.filter((f) => f.eq(f.mod("stock", big), 1)).url()],
      ["f.substring(start)", () => books.filter((f) => f.eq(f.substring("title", big as never), "x")).url()],
    ];
    for (const [where, call] of calls) {
      assert.equal(shown(thrownBy(call)), `RangeError: ${where}: 18446744073709551616 is outside the Edm.Int64 range`, where);
    }
    assert.equal(server.requests.length, 0);
  });
});

describe("OData syntax the builder refuses", () => {
  async function v4Books(t: Parameters<typeof serveClient>[0]): Promise<{ server: RecordingServer; client: ODataClient }> {
    return serveClient(t, answerJson(200, { value: [] }));
  }

  test("any() and all() over Orders/$count are refused naming the call; over Orders they are sent", async (t) => {
    const { server, client } = await v4Books(t);
    const books = client.collection<{ Orders: { total: number }[] }>("Books");
    const refusals = [
      thrownBy(() => books.filter((f) => f.any("Orders/$count" as never, (o) => o.gt(o.self, 1)))),
      thrownBy(() => books.filter((f) => f.any("Orders/$count" as never))),
      thrownBy(() => books.filter((f) => f.all("Orders/$count" as never, (o) => o.gt(o.self, 1)))),
    ];
    for (const [index, error] of refusals.entries()) {
      assert.ok(error instanceof TypeError, shown(error));
      assert.match(error.message, index === 2 ? /^f\.all\(path\): the string "Orders\/\$count" is not/ : /^f\.any\(path\): the string "Orders\/\$count" is not/);
    }
    assert.equal(server.requests.length, 0);
    // $count stays a path where a number is meant, and the collection itself takes the lambda.
    await books.filter((f) => f.and(f.gt("Orders/$count", 1), f.any("Orders", (o) => o.gt("total", 5)))).page();
    assert.equal(decodeURIComponent(onlyRequest(server).path), "/odata/Books?$filter=Orders/$count gt 1 and Orders/any(o:o/total gt 5)");
  });

  test("has() takes an enumeration member; a number, a string or another edm.* value is refused naming the call", async (t) => {
    const { server, client } = await v4Books(t);
    const books = client.collection<{ color: string }>("Books");
    const refusals = [5, "Red", true, edm.int32(5), edm.string("Red")].map((value) => thrownBy(() => books.filter((f) => f.has("color", value as never))));
    assert.deepEqual(
      refusals.map(shown),
      ["5", 'the string "Red"', "true", "an Edm.Int32 value", "an Edm.String value"].map(
        (got) => `TypeError: f.has(value): expected an enumeration member, edm.enumMember(type, members); got ${got}`,
      ),
    );
    assert.equal(server.requests.length, 0);
    await books.filter((f) => f.has("color", edm.enumMember("Sales.Color", ["Red", "Blue"]))).page();
    assert.equal(decodeURIComponent(onlyRequest(server).path), "/odata/Books?$filter=color has Sales.Color'Red,Blue'");
  });

  test('expand("*") is refused on an OData v2 client, in a collection, an entity and a nested expand; v4 sends $expand=*', async (t) => {
    const { server: v2Server, client: v2 } = await serveClient(t, answerJson(200, { d: { results: [] } }), { version: "2.0" });
    const books = v2.collection("Books");
    const refusals = [
      thrownBy(() => books.expand("*")),
      thrownBy(() => books.key(1).expand("*")),
      thrownBy(() => books.expand("author", (a) => a.expand("*"))),
    ];
    assert.deepEqual(refusals.map(shown), [
      'ODataClientError UNSUPPORTED_BY_VERSION: expand(nav): "*" in $expand does not exist in OData 2.0; it needs OData v4',
      'ODataClientError UNSUPPORTED_BY_VERSION: expand(nav): "*" in $expand does not exist in OData 2.0; it needs OData v4',
      'ODataClientError UNSUPPORTED_BY_VERSION: expand expand(nav): "*" in $expand does not exist in OData 2.0; it needs OData v4',
    ]);
    assert.equal(v2Server.requests.length, 0);
    // Named navigation properties still expand in v2.
    await books.expand("author", (a) => a.expand("country")).page();
    assert.equal(onlyRequest(v2Server).path, "/odata/Books?$expand=author/country");

    const { server: v4Server, client: v4 } = await v4Books(t);
    await v4.collection("Books").expand("*").page();
    assert.equal(onlyRequest(v4Server).path, "/odata/Books?$expand=*");
  });
});
