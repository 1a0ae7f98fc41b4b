import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, createFilterBuilder } from "../src/index.js";
import { sendJson, startServer, type RecordingServer } from "./servers/recording-server.js";

// param(): a number is written as the filter builder writes it (an alias's value is a literal, and
// a custom option's number gets the same exact text), and on OData 4.01, whose services read a
// system query option's name without `$` and in any case, such a name is refused as `$filter` is.

describe("param() numbers and names (node:http)", () => {
  let server: RecordingServer;
  before(async () => {
    server = await startServer((request, res) => {
      if (request.path.startsWith("/v2/")) sendJson(res, 200, { d: { results: [{ ID: 1 }] } }, { dataserviceversion: "2.0" });
      else sendJson(res, 200, { value: [{ ID: 1 }] }, { "odata-version": "4.0" });
    });
  });
  after(() => server.close());

  const books = (version: "2.0" | "4.0" | "4.01") => new ODataClient({ serviceUrl: server.url(version === "2.0" ? "v2/" : "v4/"), version }).collection("Books");
  const lastQuery = (): string => decodeURIComponent((server.requests.at(-1)?.path ?? "").replace(/^[^?]*\?/, ""));

  test("a number for an alias is sent as the filter builder's literal: exact digits beyond 2^53, no + in an exponent", async () => {
    for (const [value, text] of [
      [2 ** 60, "1152921504606846976"],
      [1e21, "1e21"],
      [-(2 ** 55), "-36028797018963968"],
      [Infinity, "INF"],
    ] as const) {
      assert.equal(String(createFilterBuilder("4.0").literal(value)), text);
      const rows = await books("4.0").filter("Big eq @v").param("@v", value).list();
      assert.deepEqual(rows, [{ ID: 1 }]);
      assert.equal(lastQuery(), `$filter=Big eq @v&@v=${text}`);
    }
    // A v2 query's alias gets the v2 literal, as its builder writes it.
    await books("2.0").param("@v", 2 ** 60).list();
    assert.equal(lastQuery(), `@v=${String(createFilterBuilder("2.0").literal(2 ** 60))}`);
    assert.equal(lastQuery(), "@v=1.152921504606847E+18");
  });

  test("a number for a custom option is sent as a v4 literal on every version, without a v2 suffix", async () => {
    for (const version of ["2.0", "4.0", "4.01"] as const) {
      const rows = await books(version).param("sap-n", 2 ** 60).param("x", 1e21).param("y", 3_000_000_000).list();
      assert.deepEqual(rows, [{ ID: 1 }]);
      assert.equal(lastQuery(), "sap-n=1152921504606846976&x=1e21&y=3000000000", `OData ${version}`);
    }
  });

  test("on OData 4.01 a custom option named as a system query option without $ is refused; 4.0 and v2 send it", async () => {
    const sent = server.requests.length;
    for (const name of ["top", "Filter", "search", "SKIP", "orderBy", "$Filter", "$TOP"]) {
      assert.throws(() => books("4.01").param(name, "1"), { name: "TypeError", message: `param(name): ${name} is a system query option; use its builder method` });
      assert.throws(() => books("4.01").key(1).param(name, "1"), { name: "TypeError", message: `param(name): ${name} is a system query option; use its builder method` });
    }
    assert.equal(server.requests.length, sent, "nothing is sent");
    // An alias and other custom options stay what they are.
    await books("4.01").filter("ID eq @top").param("@top", 2).param("sap-client", "100").param("format2", "x").list();
    assert.equal(lastQuery(), "$filter=ID eq @top&@top=2&sap-client=100&format2=x");
    for (const version of ["4.0", "2.0"] as const) {
      await books(version).param("top", "1").param("Filter", "x").list();
      assert.equal(lastQuery(), "top=1&Filter=x", `OData ${version}`);
      assert.throws(() => books(version).param("$Filter", "x"), { name: "TypeError", message: "param(name): $Filter is a system query option; use its builder method" });
    }
  });
});

test("on OData 4.01, inlinecount and levels without $ stay custom options (v2's option, and one that belongs inside $expand)", async (t) => {
  const server = await startServer((_request, res) => sendJson(res, 200, { value: [] }, { "odata-version": "4.01" }));
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("odata/"), version: "4.01", retry: false });
  await client.collection("Books").param("inlinecount", "x").param("levels", "2").list();
  assert.deepEqual(server.requests.map((r) => r.path), ["/odata/Books?inlinecount=x&levels=2"]);
  assert.throws(() => client.collection("Books").param("OrderBy", "x"), { name: "TypeError", message: "param(name): OrderBy is a system query option; use its builder method" });
  assert.throws(() => client.collection("Books").param("$inlinecount", "x"), { name: "TypeError", message: "param(name): $inlinecount is a system query option; use its builder method" });
});
