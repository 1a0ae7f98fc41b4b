import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataClientError, edm, createFilterBuilder, type CollectionQuery } from "../src/index.js";
import { entityInternals, queryInternals } from "../src/resources/read-query.js";
import { collectionUrl, countUrl, customOptions } from "../src/query/url.js";
import { firstEntityState } from "../src/query/state.js";

const SERVICE = "http://example.test/odata/";

interface Author {
  name: string;
  born: number;
  books: Book[];
}

interface Book {
  id: number;
  title: string;
  price: number;
  author: Author;
  tags: { name: string }[];
}

function client(version: "2.0" | "4.0" | "4.01" = "4.0"): ODataClient {
  return new ODataClient({ serviceUrl: SERVICE, version });
}

function books(version: "2.0" | "4.0" | "4.01" = "4.0"): CollectionQuery<Book> {
  return client(version).collection<Book>("Books");
}

/** The query options of a URL as decoded [name, value] pairs, in order. */
function options(url: string): [string, string][] {
  return [...new URL(url).searchParams.entries()];
}

describe("immutability", () => {
  test("a builder call leaves the query it was called on unchanged", () => {
    const base = books().filter((f) => f.gt("price", 10));
    const before = base.url();
    base.select("title").orderBy("price").top(3).skip(1).count().expand("author");
    assert.equal(base.url(), before);
  });

  test("two queries derived from one base do not see each other's options", () => {
    const base = books().filter("price gt 10");
    const cheap = base.filter("price lt 20");
    const titled = base.select("title");
    assert.deepEqual(options(cheap.url()), [["$filter", "(price gt 10) and (price lt 20)"]]);
    assert.deepEqual(options(titled.url()), [["$filter", "price gt 10"], ["$select", "title"]]);
  });

  test("an entity query made by key() does not change when its collection query changes", () => {
    const base = books();
    const one = base.key(1);
    base.select("title");
    assert.equal(one.url(), `${SERVICE}Books(1)`);
    assert.equal(one.select("title").url(), `${SERVICE}Books(1)?$select=title`);
    assert.equal(one.url(), `${SERVICE}Books(1)`);
  });

  test("a nested expand builder returns new values too", () => {
    let first: unknown;
    const q = books().expand("author", (a) => {
      first = a;
      const refined = a.select("name");
      assert.notEqual(refined, a);
      return refined;
    });
    assert.ok(first);
    assert.deepEqual(options(q.url()), [["$expand", "author($select=name)"]]);
  });
});

describe("system query options, OData v4", () => {
  test("a query without options is the entity set URL", () => {
    assert.equal(books().url(), `${SERVICE}Books`);
  });

  test("filter with raw text is sent as given", () => {
    assert.deepEqual(options(books().filter("price gt 10").url()), [["$filter", "price gt 10"]]);
  });

  test("several filter calls are ANDed, each parenthesised", () => {
    const q = books().filter("a eq 1 or b eq 2").filter((f) => f.eq("title", "x")).filter("c eq 3");
    assert.deepEqual(options(q.url()), [["$filter", "(a eq 1 or b eq 2) and (title eq 'x') and (c eq 3)"]]);
  });

  test("filter accepts an expression built outside the query", () => {
    const f = createFilterBuilder<Book>("4.0");
    assert.deepEqual(options(books().filter(f.lt("price", 5)).url()), [["$filter", "price lt 5"]]);
  });

  test("select joins fields with commas and drops duplicates", () => {
    const q = books().select("title", "price").select("title", "author/name");
    assert.deepEqual(options(q.url()), [["$select", "title,price,author/name"]]);
  });

  test("select accepts *", () => {
    assert.deepEqual(options(books().select("*").url()), [["$select", "*"]]);
  });

  test("orderBy without a direction writes the field alone; several calls append", () => {
    const q = books().orderBy("price", "desc").orderBy("title").orderBy("id", "asc");
    assert.deepEqual(options(q.url()), [["$orderby", "price desc,title,id asc"]]);
  });

  test("orderBy accepts an expression from the builder", () => {
    const q = books().orderBy((f) => f.tolower("title"), "desc");
    assert.deepEqual(options(q.url()), [["$orderby", "tolower(title) desc"]]);
  });

  test("orderBy rejects a direction other than asc or desc", () => {
    assert.throws(() => books().orderBy("title", "up" as "asc"), /direction must be "asc" or "desc"/);
  });

  test("top and skip are sent as numbers", () => {
    assert.deepEqual(options(books().top(5).skip(10).url()), [["$skip", "10"], ["$top", "5"]]);
  });

  test("top(0) and skip(0) are allowed", () => {
    assert.deepEqual(options(books().top(0).skip(0).url()), [["$skip", "0"], ["$top", "0"]]);
  });

  test("top rejects negative, fractional and non-number values with a RangeError naming top", () => {
    for (const bad of [-1, 1.5, Number.NaN, Infinity, "3"]) {
      assert.throws(() => books().top(bad as number), (error: unknown) => error instanceof RangeError && /^top\(n\)/.test(error.message));
    }
  });

  test("skip rejects negative values with a RangeError naming skip", () => {
    assert.throws(() => books().skip(-5), (error: unknown) => error instanceof RangeError && /^skip\(n\)/.test(error.message));
  });

  test("a later top replaces an earlier one", () => {
    assert.deepEqual(options(books().top(5).top(2).url()), [["$top", "2"]]);
  });

  test("count() sends $count=true in v4", () => {
    assert.deepEqual(options(books().count().url()), [["$count", "true"]]);
  });

  test("count(false) removes the count again", () => {
    assert.deepEqual(options(books().count().count(false).url()), []);
  });

  test("search, apply and compute are sent in v4", () => {
    const q = books()
      .search("blue OR green")
      .apply("filter(price gt 1)")
      .apply("groupby((author/name))")
      .compute("price mul 2 as double")
      .compute("price add 1 as more");
    assert.deepEqual(options(q.url()), [
      ["$search", "blue OR green"],
      ["$apply", "filter(price gt 1)/groupby((author/name))"],
      ["$compute", "price mul 2 as double,price add 1 as more"],
    ]);
  });

  test("all options together come out in a fixed order", () => {
    const q = books()
      .count()
      .top(1)
      .orderBy("title")
      .expand("author")
      .select("title")
      .filter("price gt 1")
      .skip(2);
    assert.equal(
      q.url(),
      `${SERVICE}Books?$filter=price%20gt%201&$select=title&$expand=author&$orderby=title&$skip=2&$top=1&$count=true`,
    );
  });

  test("version 4.01 writes the same options as 4.0, but for in, which 4.0 does not have (an or of eq there)", () => {
    const q = (v: "4.0" | "4.01") => books(v).filter((f) => f.eq("id", 1)).select("title").count().url();
    assert.equal(q("4.0"), `${SERVICE}Books?$filter=id%20eq%201&$select=title&$count=true`);
    assert.equal(q("4.01"), q("4.0"));
    const list = (v: "4.0" | "4.01") => books(v).filter((f) => f.in("id", [1, 2])).url();
    assert.equal(list("4.01"), `${SERVICE}Books?$filter=id%20in%20(1,2)`);
    assert.equal(list("4.0"), `${SERVICE}Books?$filter=id%20eq%201%20or%20id%20eq%202`);
  });

  test("param adds a custom query option and a later call with the same name replaces it", () => {
    const q = books().param("sap-client", "100").param("sap-language", "EN").param("sap-client", 200);
    assert.deepEqual(options(q.url()), [["sap-language", "EN"], ["sap-client", "200"]]);
  });

  test("param refuses system query option names and malformed names", () => {
    assert.throws(() => books().param("$filter", "x"), /system query option/);
    assert.throws(() => books().param("a&b", "x"), /not a query option name/);
  });
});

describe("expand, OData v4", () => {
  test("a plain expand is the navigation property", () => {
    assert.deepEqual(options(books().expand("author").expand("tags").url()), [["$expand", "author,tags"]]);
  });

  test("nested options go in parentheses separated by semicolons", () => {
    const q = books().expand("author", (a) =>
      a
        .select("name", "born")
        .filter((f) => f.gt("born", 1900))
        .orderBy("name", "desc")
        .top(2)
        .skip(1)
        .count()
        .search("poet")
        .compute("born add 1 as next"),
    );
    assert.deepEqual(options(q.url()), [
      [
        "$expand",
        "author($select=name,born;$filter=born gt 1900;$search=poet;$orderby=name desc;$skip=1;$top=2;$count=true;$compute=born add 1 as next)",
      ],
    ]);
  });

  test("expands nest to any depth", () => {
    const q = books().expand("author", (a) => a.select("name").expand("books", (b) => b.select("title").top(3).expand("tags")));
    assert.deepEqual(options(q.url()), [["$expand", "author($select=name;$expand=books($select=title;$top=3;$expand=tags))"]]);
  });

  test("nested filters are ANDed like top-level ones", () => {
    const q = books().expand("tags", (t) => t.filter("name ne 'a'").filter((f) => f.ne("name", "b")));
    assert.deepEqual(options(q.url()), [["$expand", "tags($filter=(name ne 'a') and (name ne 'b'))"]]);
  });

  test("levels writes $levels for recursive expands", () => {
    const q = client().collection("Employees").expand("Reports", (r) => r.levels("max"));
    assert.deepEqual(options(q.url()), [["$expand", "Reports($levels=max)"]]);
  });

  test("levels refuses 0 and negative numbers", () => {
    assert.throws(() => books().expand("author", (a) => a.levels(0)), RangeError);
    assert.throws(() => books().expand("author", (a) => a.levels(-1)), RangeError);
  });

  test("expanding the same navigation property again replaces the earlier options", () => {
    const q = books().expand("author", (a) => a.select("name")).expand("author", (a) => a.select("born"));
    assert.deepEqual(options(q.url()), [["$expand", "author($select=born)"]]);
  });

  test("the expand callback must return the nested query", () => {
    assert.throws(() => books().expand("author", () => "nope" as never), /must return the nested query/);
  });

  test("an invalid navigation path is refused", () => {
    assert.throws(() => books().expand("author)&$x=(" as "author"), TypeError);
  });
});

describe("OData v2 forms", () => {
  test("count() sends $inlinecount=allpages", () => {
    assert.deepEqual(options(books("2.0").count().url()), [["$inlinecount", "allpages"]]);
  });

  test("a nested expand becomes a path", () => {
    const q = books("2.0").expand("author", (a) => a.expand("books"));
    assert.deepEqual(options(q.url()), [["$expand", "author/books"]]);
  });

  test("a nested select becomes a path and the top level keeps all its properties with *", () => {
    const q = books("2.0").expand("author", (a) => a.select("name"));
    assert.deepEqual(options(q.url()), [
      ["$select", "*,author/name"],
      ["$expand", "author"],
    ]);
  });

  test("an expanded property is added to an explicit select, as v2 needs", () => {
    const q = books("2.0").select("title").expand("author").expand("tags", (t) => t.select("name"));
    assert.deepEqual(options(q.url()), [
      ["$select", "title,author,tags/name"],
      ["$expand", "author,tags"],
    ]);
  });

  test("a select two levels down marks the level between with A/*", () => {
    const q = books("2.0").expand("author", (a) => a.expand("books", (b) => b.select("title")));
    assert.deepEqual(options(q.url()), [
      ["$select", "*,author/*,author/books/title"],
      ["$expand", "author/books"],
    ]);
  });

  test("without any select, v2 expands send no $select", () => {
    assert.deepEqual(options(books("2.0").expand("author").expand("tags").url()), [["$expand", "author,tags"]]);
  });

  for (const [name, build] of [
    ["filter", (q: any) => q.filter("x eq 1")],
    ["orderBy", (q: any) => q.orderBy("name")],
    ["top", (q: any) => q.top(1)],
    ["skip", (q: any) => q.skip(1)],
    ["count", (q: any) => q.count()],
    ["search", (q: any) => q.search("x")],
    ["levels", (q: any) => q.levels(2)],
    ["compute", (q: any) => q.compute("a as b")],
  ] as const) {
    test(`a nested ${name} inside expand is refused with ODataClientError UNSUPPORTED_BY_VERSION`, () => {
      assert.throws(
        () => books("2.0").expand("author", build),
        (error: unknown) => error instanceof ODataClientError && error.code === "UNSUPPORTED_BY_VERSION" && /OData v2 allows only select\(\) and expand\(\)/.test(error.message),
      );
    });
  }

  for (const method of ["search", "apply", "compute"] as const) {
    test(`${method}() is refused in v2 with ODataClientError UNSUPPORTED_BY_VERSION`, () => {
      assert.throws(
        () => books("2.0")[method]("x"),
        (error: unknown) => error instanceof ODataClientError && error.code === "UNSUPPORTED_BY_VERSION" && error.message.includes(`$${method}`),
      );
    });
  }

  test("a v4 expression cannot be used in a v2 query", () => {
    const f4 = createFilterBuilder<Book>("4.0");
    assert.throws(
      () => books("2.0").filter(f4.contains("title", "x")),
      (error: unknown) => error instanceof ODataClientError && error.code === "VERSION_MISMATCH",
    );
  });
});

describe("key", () => {
  test("an integer key", () => {
    assert.equal(books().key(1).url(), `${SERVICE}Books(1)`);
  });

  test("a string key doubles single quotes", () => {
    assert.equal(books().key("O'Brien").url(), `${SERVICE}Books('O''Brien')`);
  });

  test("a compound key names each property", () => {
    assert.equal(client().collection("Pairs").key({ A: 1, B: "x" }).url(), `${SERVICE}Pairs(A=1,B='x')`);
  });

  test("a string key with / ? # % and spaces stays inside its path segment", () => {
    const url = books().key("a/b?c#d%e f").url();
    assert.equal(url, `${SERVICE}Books('a%2Fb%3Fc%23d%25e%20f')`);
    const parsed = new URL(url);
    assert.equal(parsed.search, "");
    assert.equal(parsed.hash, "");
    assert.equal(decodeURIComponent(parsed.pathname), "/odata/Books('a/b?c#d%e f')");
  });

  test("a unicode key is percent-encoded as UTF-8", () => {
    assert.equal(books().key("Łódź").url(), `${SERVICE}Books('%C5%81%C3%B3d%C5%BA')`);
  });

  test("v4 writes a Guid key plain and v2 as guid'...'", () => {
    const id = edm.guid("01234567-89AB-cdef-0123-456789abcdef");
    assert.equal(books("4.0").key(id).url(), `${SERVICE}Books(01234567-89ab-cdef-0123-456789abcdef)`);
    assert.equal(books("2.0").key(id).url(), `${SERVICE}Books(guid'01234567-89ab-cdef-0123-456789abcdef')`);
  });

  test("v2 writes an Int64 key with L and a DateTime key as datetime'...'", () => {
    assert.equal(books("2.0").key(edm.int64(9007199254740993n)).url(), `${SERVICE}Books(9007199254740993L)`);
    assert.equal(books("2.0").key(edm.dateTime("2024-01-02T03:04:05")).url(), `${SERVICE}Books(datetime'2024-01-02T03:04:05')`);
  });

  test("a compound key mixes literal types per version", () => {
    const key = { Id: edm.guid("01234567-89ab-cdef-0123-456789abcdef"), Day: edm.date("2024-01-02") };
    assert.equal(client("4.0").collection("Slots").key(key).url(), `${SERVICE}Slots(Id=01234567-89ab-cdef-0123-456789abcdef,Day=2024-01-02)`);
    assert.equal(
      client("2.0").collection("Slots").key(key).url(),
      `${SERVICE}Slots(Id=guid'01234567-89ab-cdef-0123-456789abcdef',Day=datetime'2024-01-02T00:00:00')`,
    );
  });

  test("an entity query takes select and expand", () => {
    const url = books().key(7).select("title").expand("author", (a) => a.select("name")).url();
    assert.equal(url, `${SERVICE}Books(7)?$select=title&$expand=author($select=name)`);
  });

  test("a v2 entity query flattens nested select like a collection query", () => {
    const url = books("2.0").key(7).expand("author", (a) => a.select("name")).url();
    assert.deepEqual(options(url), [["$select", "*,author/name"], ["$expand", "author"]]);
  });

  test("a null, empty or malformed key is refused", () => {
    assert.throws(() => books().key(null), /cannot be null/);
    assert.throws(() => books().key({}), /at least one property/);
    assert.throws(() => client().collection("P").key({ "A=1)": 1 }), /not an OData identifier/);
    assert.throws(() => books().key({ id: undefined as never }), /cannot be undefined/);
    assert.throws(() => books().key(Number.parseInt("x")), { name: "TypeError", message: "key(value): a key value cannot be NaN" });
    assert.throws(() => books().key({ id: Number.NaN }), { name: "TypeError", message: "key({ id }): a key value cannot be NaN" });
  });

  test("compound key names are checked against T by the compiler", () => {
    interface Pair {
      A: number;
      B: string;
    }
    const pairs = client().collection<Pair>("Pairs");
    assert.equal(pairs.key({ A: 1, B: "x" }).url(), `${SERVICE}Pairs(A=1,B='x')`);
    // @ts-expect-error "C" is not a property of Pair
    pairs.key({ A: 1, C: "x" });
  });

  test("custom options of the collection carry over to its entities", () => {
    assert.equal(books().param("sap-client", "100").key(1).url(), `${SERVICE}Books(1)?sap-client=100`);
  });
});

describe("encoding", () => {
  test("each option value is percent-encoded on its own, keeping , / : ; = $ @ ( ) readable", () => {
    const url = books().filter((f) => f.eq("title", "a&b=c")).select("title", "author/name").url();
    assert.equal(url, `${SERVICE}Books?$filter=title%20eq%20%27a%26b=c%27&$select=title,author/name`);
  });

  test("& # + % ? line breaks and unicode inside a literal are escaped", () => {
    const url = books().filter((f) => f.eq("title", "&#+%?\r\n€😀")).url();
    assert.equal(url, `${SERVICE}Books?$filter=title%20eq%20%27%26%23%2B%25%3F%0D%0A%E2%82%AC%F0%9F%98%80%27`);
  });

  test("a lone surrogate is refused with a clear error", () => {
    assert.throws(() => books().filter((f) => f.eq("title", "\uD800")), /^TypeError: f\.eq\(value\): a string literal holds a lone UTF-16 surrogate/);
    assert.throws(() => books().filter("title eq '\uDC00'"), /lone UTF-16 surrogate/);
  });

  test("a value that cannot be a literal is refused naming the call it was given to", () => {
    const anyBooks = client().collection<Record<string, unknown>>("Books");
    const cases: [() => unknown, RegExp][] = [
      [() => anyBooks.filter((f) => f.eq("title", undefined as never)), /^TypeError: f\.eq\(value\): undefined cannot be written as an OData literal/],
      [() => anyBooks.filter((f) => f.lt("stock", Symbol("x") as never)), /^TypeError: f\.lt\(value\): a symbol cannot be written as an OData literal/],
      [() => anyBooks.filter((f) => f.in("ID", [1, undefined as never])), /^TypeError: f\.in\(values\): undefined cannot be written/],
      // Written as an or of eq (a field among the values), it is still f.in's value.
      [() => anyBooks.filter((f) => f.in("ID", [f.field("Other"), undefined as never])), /^TypeError: f\.in\(values\): undefined cannot be written/],
      [() => anyBooks.filter((f) => f.eq("ID", 2n ** 64n)), /^RangeError: f\.eq\(value\): 18446744073709551616 is outside the Edm\.Int64 range$/],
      [() => anyBooks.key(2n ** 63n), /^RangeError: key\(value\): 9223372036854775808 is outside the Edm\.Int64 range$/],
    ];
    for (const [call, message] of cases) assert.throws(call, (error: unknown) => error instanceof Error && message.test(`${error.name}: ${error.message}`), String(message));
  });

  test("a unicode entity set name is percent-encoded in the path", () => {
    assert.equal(client().collection("Bücher").url(), `${SERVICE}B%C3%BCcher`);
  });
});

describe("internal accessors for the reading layer", () => {
  test("queryInternals gives the state the request URL is built from", () => {
    const q = books().filter("price gt 1").top(3);
    const { core, state } = queryInternals(q);
    assert.equal(state.entitySet, "Books");
    assert.deepEqual(state.filters, ["price gt 1"]);
    assert.equal(state.top, 3);
    assert.equal(core.options.serviceUrl.href, SERVICE);
    assert.equal(collectionUrl(core.options.serviceUrl, core.options.version, state).href, `${SERVICE}Books?$filter=price%20gt%201&$top=3`);
  });

  test("countUrl keeps only $filter, $search and custom options", () => {
    const q = books()
      .filter("price gt 1")
      .search("blue")
      .select("title")
      .expand("author")
      .orderBy("title")
      .top(3)
      .skip(2)
      .count()
      .param("sap-client", "1");
    const { core, state } = queryInternals(q);
    const url = countUrl(core.options.serviceUrl, core.options.version, state).href;
    assert.equal(url, `${SERVICE}Books/$count?$filter=price%20gt%201&$search=blue&sap-client=1`);
  });

  test("firstEntityState sets $top=1 and keeps the other options", () => {
    const q = books().filter("price gt 1").top(50).orderBy("title");
    const { core, state } = queryInternals(q);
    const url = collectionUrl(core.options.serviceUrl, core.options.version, firstEntityState(state)).href;
    assert.deepEqual(options(url), [["$filter", "price gt 1"], ["$orderby", "title"], ["$top", "1"]]);
    assert.equal(firstEntityState({ ...state, top: 0 }).top, 0);
  });

  test("a write takes its query's custom options, not its system options or parameter aliases", () => {
    const one = books().key("a b").select("title").param("@p", "1").param("sap-client", "100");
    assert.deepEqual(customOptions(entityInternals(one).state), [["sap-client", "100"]]);
    assert.deepEqual(customOptions(entityInternals(books().key(1)).state), []);
  });
});

describe("compile-time field checks", () => {
  test("fields of T are accepted and others fail to compile", () => {
    const q = books();
    q.select("title", "author/name", "tags/name");
    q.orderBy("price", "desc");
    q.filter((f) => f.eq("author/name", "x"));
    q.expand("author", (a) => a.select("born"));
    // @ts-expect-error "titel" is not a field of Book
    assert.throws(() => q.select("titel", "x y"), TypeError);
    // @ts-expect-error "nme" is not a field of Author
    q.select("author/nme");
    // @ts-expect-error "rating" is not a field of Book
    q.filter((f) => f.gt("rating", 3));
    // @ts-expect-error "age" is not a field of Author
    q.expand("author", (a) => a.select("age"));
  });

  test("an untyped collection accepts any field name", () => {
    const url = client().collection("Anything").select("whatever", "deep/path/here").url();
    assert.deepEqual(options(url), [["$select", "whatever,deep/path/here"]]);
  });
});
