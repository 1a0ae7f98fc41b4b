/**
 * An operation bound to a query with system query options is refused by one check, called
 * directly (`query.function()`, `query.action()`) or as a `$batch` part's `bound`, with the same
 * message: the batch part dropped `select()`, `orderBy()`, `expand()`, `count()` and `compute()`
 * without a word (`GET Books/NS.count()`), where the direct call refused them. Over node:http on
 * 127.0.0.1.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { sendText, serveClient } from "./servers/recording-server.js";

const CRLF = "\r\n";

/** A multipart answer of one part, a 200 with `{"value":1}`. */
const ONE_PART = ["--x", "Content-Type: application/http", "", "HTTP/1.1 200 OK", "Content-Type: application/json", "", '{"value":1}', "--x--", ""].join(CRLF);

test("a $batch part bound to a query with system query options is refused as the direct call is, naming them, and nothing is sent", async (t) => {
  const { server, client } = await serveClient(t, (_request, res) => sendText(res, 200, ONE_PART, { "content-type": "multipart/mixed; boundary=x" }));
  const books = client.collection("Books");
  const cases: [string, unknown, string][] = [
    ["select, orderBy", books.select("ID").orderBy("ID"), "$select, $orderby"],
    ["expand", books.expand("author"), "$expand"],
    ["count", books.count(), "$count"],
    ["compute", books.compute("stock mul 2 as twice"), "$compute"],
    ["filter", books.filter("stock gt 0"), "$filter"],
    ["skip, top", books.top(3).skip(5), "$skip, $top"],
    ["entity select", books.key(1).select("ID"), "$select"],
    ["navigation orderBy", books.key(1).navigate("reviews").orderBy("ID"), "$orderby"],
  ];
  for (const [what, bound, lost] of cases) {
    const query = bound as ReturnType<typeof books.select>;
    // The direct call's message, and the batch part's with where the option was given.
    const direct = `function("NS.count"): the query's ${lost} would not be sent: an operation's own query options apply to its result`;
    assert.throws(() => query.function("NS.count"), { name: "TypeError", message: direct }, `${what}: direct`);
    const batch = client.batch();
    assert.throws(
      () => batch.function("NS.count", {}, { bound: query }),
      { name: "TypeError", message: `function("NS.count") option "bound": the query's ${lost} would not be sent: an operation's own query options apply to its result` },
      `${what}: $batch function`,
    );
    assert.throws(() => batch.action("NS.mark", {}, { bound: query }), { name: "TypeError", message: new RegExp(`^action\\("NS\\.mark"\\) option "bound": the query's \\${lost.split(",")[0]}`) }, `${what}: $batch action`);
    assert.throws(() => batch.changeset((changeset) => changeset.action("NS.mark", {}, { bound: query })), TypeError, `${what}: changeset action`);
  }
  assert.equal(server.requests.length, 0);

  // A query with custom options only is bound as before: they go with the call.
  const batch = client.batch({ format: "multipart" });
  const count = batch.function<number>("NS.count", {}, { bound: books.param("sap-client", "100") });
  await batch.send();
  assert.equal(server.requests.length, 1);
  // Its sap-client goes on the $batch request too, in whose client SAP logs it on.
  assert.equal(server.requests[0]?.path, "/odata/$batch?sap-client=100");
  assert.deepEqual(
    server.requests[0]?.body.split(CRLF).filter((line) => /^(GET|POST) /.test(line)),
    ["GET Books/NS.count()?sap-client=100 HTTP/1.1"],
  );
  const result = count.result();
  assert.ok(result.ok);
  assert.equal(result.value, 1);
});
