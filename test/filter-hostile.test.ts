import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ODataClient, edm, type CollectionQuery } from "../src/index.js";

interface Person {
  id: number;
  name: string;
  city: string;
  friends: { name: string }[];
}

/** What the server saw of one request, decoded the way a service decodes it. */
interface Seen {
  path: string;
  params: [string, string][];
}

let server: Server;
let serviceUrl: string;

before(async () => {
  // A large header limit, so that very long query strings reach the handler.
  server = createServer({ maxHeaderSize: 4 * 1024 * 1024 }, (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const seen: Seen = { path: decodeURIComponent(url.pathname), params: [...url.searchParams.entries()] };
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(seen));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  serviceUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/odata/`;
});

after(async () => {
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
});

function people(version: "2.0" | "4.0" | "4.01" = "4.0"): CollectionQuery<Person> {
  return new ODataClient({ serviceUrl, version }).collection<Person>("People");
}

async function send(url: string): Promise<Seen> {
  const response = await fetch(url);
  assert.equal(response.status, 200);
  return (await response.json()) as Seen;
}

const HOSTILE: readonly [label: string, value: string][] = [
  ["a single quote", "O'Brien"],
  ["quotes that try to close the literal", "x' or 1 eq 1 or name eq '"],
  ["only quotes", "''''"],
  ["an ampersand that tries to add an option", "a&$top=1&$filter=true"],
  ["a hash that tries to start a fragment", "before#after"],
  ["a plus that form decoding would turn into a space", "1+1 = 2"],
  ["percent signs and escapes", "100% %27 %2527 %ZZ %"],
  ["a question mark", "why?really?"],
  ["slashes and dot segments", "a/b/../../c/./d"],
  ["CR LF and a header injection attempt", "line1\r\nX-Injected: 1\r\n\r\nbody"],
  ["a bare LF, a tab and a NUL", "a\nb\tc\u0000d"],
  ["brackets, semicolons and commas", "f(x);g[y],{z}=w"],
  ["backslash, double quote and angle brackets", '\\"<script>alert(1)</script>'],
  ["unicode from several planes", "Łódź 中文 😀 \u200b\u202e"],
  ["a dollar option name inside the value", "$expand=Secrets"],
];

describe("hostile values arrive intact inside their literal", () => {
  for (const [label, value] of HOSTILE) {
    test(`eq with ${label}: the server decodes exactly the expected $filter and nothing else`, async () => {
      const seen = await send(people().filter((f) => f.eq("name", value)).url());
      assert.equal(seen.path, "/odata/People");
      assert.deepEqual(seen.params, [["$filter", `name eq '${value.replaceAll("'", "''")}'`]]);
    });
  }

  test("a very long hostile string (200k characters) arrives intact", async () => {
    const value = "&#+%?'/\r\n€😀".repeat(20_000);
    const seen = await send(people().filter((f) => f.contains("name", value)).url());
    assert.deepEqual(seen.params, [["$filter", `contains(name,'${value.replaceAll("'", "''")}')`]]);
  });

  test("hostile values in v2 substringof arrive intact", async () => {
    const value = "x'&$top=1#";
    const seen = await send(people("2.0").filter((f) => f.contains("name", value)).url());
    assert.deepEqual(seen.params, [["$filter", "substringof('x''&$top=1#',name) eq true"]]);
  });

  test("hostile values in an in-list, a lambda and a nested expand filter arrive intact", async () => {
    const q = people("4.01")
      .filter((f) => f.in("city", ["a&b", "c#d", "e'f"]))
      .filter((f) => f.any("friends", (x) => x.eq("name", "+%2B")))
      .expand("friends", (e) => e.filter((f) => f.ne("name", ";)($top=1")));
    const seen = await send(q.url());
    assert.deepEqual(seen.params, [
      ["$filter", "(city in ('a&b','c#d','e''f')) and (friends/any(f:f/name eq '+%2B'))"],
      ["$expand", "friends($filter=name ne ';)($top=1')"],
    ]);
  });

  test("raw filter text, search text and custom option values arrive intact", async () => {
    const q = people().filter("name eq 'a&b#c'").search('"x&y" OR z#').param("sap-client", "1&2=3#4");
    const seen = await send(q.url());
    assert.deepEqual(seen.params, [
      ["$filter", "name eq 'a&b#c'"],
      ["$search", '"x&y" OR z#'],
      ["sap-client", "1&2=3#4"],
    ]);
  });

  test("typed literals with + and : arrive intact", async () => {
    const q = people().filter((f) => f.and(f.gt("id", edm.dateTimeOffset("2024-01-02T03:04:05+05:30")), f.lt("id", 1e21)));
    const seen = await send(q.url());
    assert.deepEqual(seen.params, [["$filter", "id gt 2024-01-02T03:04:05+05:30 and id lt 1e21"]]);
  });

  test("a hostile string key stays one path segment and adds no query", async () => {
    const value = "a/b?c=1&d#e%f'g";
    const seen = await send(people().key(value).url());
    assert.equal(seen.path, `/odata/People('a/b?c=1&d#e%f''g')`);
    assert.deepEqual(seen.params, []);
  });

  test("a hostile compound key stays in the path", async () => {
    const pairs = new ODataClient({ serviceUrl }).collection("Pairs");
    const seen = await send(pairs.key({ A: "x,B=1", B: ")?$top=1" }).url());
    assert.equal(seen.path, "/odata/Pairs(A='x,B=1',B=')?$top=1')");
    assert.deepEqual(seen.params, []);
  });
});

describe("raw filter text stays one operand of the AND", () => {
  const escapes: readonly [label: string, text: string][] = [
    ["the issue's text: it closes the library's parenthesis and reopens one", "stock gt 0) or (true"],
    ["a bare closing parenthesis", "true)"],
    ["an opening parenthesis left open", "(true"],
    ["a quote that is never closed", "name eq 'x"],
    ["a JSON string that is never closed", 'name in ["a)'],
    ["brackets closed by the wrong kind", "name in [1)"],
    ["a semicolon that ends a nested option", "true;$top=1"],
  ];
  for (const [label, raw] of escapes) {
    test(`filter() refuses ${label}, with a TypeError that names the text`, () => {
      const base = people().filter((f) => f.eq("city", "austen"));
      assert.throws(
        () => base.filter(raw),
        (error: unknown) => error instanceof TypeError && error.message.includes("filter(expression)") && error.message.includes("not one whole expression"),
      );
    });
  }

  test("a quote left open is refused, so no later text can close it and leave a literal of its own", () => {
    // Together, `(name eq 'x) and (') or true or ('')` would read as a comparison with the string
    // "x) and (" ORed with true. The first text is refused; the second alone is one string literal.
    assert.throws(() => people().filter("name eq 'x"), /string literal starting at character 9 is not closed/);
    const second = people().filter((f) => f.eq("id", 1)).filter("') or true or ('");
    assert.equal(new URL(second.url()).searchParams.get("$filter"), "(id eq 1) and (') or true or (')");
  });

  test("f.raw(), a nested expand filter, $apply, $compute and $search refuse text that breaks out", () => {
    assert.throws(() => people().filter((f) => f.and(f.raw("a eq 1) or (true"), f.eq("id", 1))), /f\.raw\(text\).*not one whole expression/);
    assert.throws(() => people().expand("friends", (e) => e.filter("true;$select=secret")), /expand filter\(expression\).*";"/);
    assert.throws(() => people().expand("friends", (e) => e.compute("1 add 1 as x);$top=(1")), /expand compute\(expression\)/);
    assert.throws(() => people().expand("friends", (e) => e.search('a);$select=(b')), /expand search\(expression\)/);
    assert.throws(() => people().apply("filter(x eq 1))"), /apply\(expression\)/);
    // On the query itself as in a nested expand: a parenthesis it did not open, a quote left open, a ";".
    assert.throws(() => people().compute("1 add 1 as x);$top=(1"), /^TypeError: compute\(expression\).*closes a "\("/);
    assert.throws(() => people().compute("x eq 'a as y"), /compute\(expression\).*string literal starting at character 6 is not closed/);
    assert.throws(() => people().search("a);$select=(b"), /search\(expression\).*closes a "\("/);
    assert.throws(() => people().search("a;b"), /search\(expression\).*";" at character 2/);
  });

  test("parentheses, quotes and semicolons inside string literals and JSON strings are allowed and arrive intact", async () => {
    const texts = [
      "name eq ')' or name eq '('",
      "name eq 'O''Brien (the elder'",
      "contains(name,');$top=1')",
      'name in ["a)b", "c\\"(d"]',
      "(name eq 'a') or ((city eq 'b'))",
    ];
    for (const raw of texts) {
      const seen = await send(people().filter((f) => f.eq("id", 1)).filter(raw).url());
      assert.deepEqual(seen.params, [["$filter", `(id eq 1) and (${raw})`]], raw);
    }
    const search = await send(people().search('"a);(b" OR (c d)').url());
    assert.deepEqual(search.params, [["$search", '"a);(b" OR (c d)']]);
    // A single quote is an ordinary character in $search.
    const apostrophe = await send(people().search("O'Brien").url());
    assert.deepEqual(apostrophe.params, [["$search", "O'Brien"]]);
  });
});
