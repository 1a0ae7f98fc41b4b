/**
 * An operation bound to a query that asks for change tracking (`trackChanges()`), over real HTTP
 * (node:http on 127.0.0.1). The track-changes preference asks for the changes of the answer it is
 * sent with (OData 4.01 Part 1, 8.2.8.9): a bound function's answer is its result, not the set,
 * and an action's has nothing to track. The call used to go out without the preference, the
 * caller's `trackChanges()` dropped without a word; it is refused by name, as the query options
 * such a call would drop are, directly and as a `$batch` part's `bound`.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { answerJson, serveClient, sendJson } from "./servers/recording-server.js";

const REFUSAL = "the query's trackChanges() would not be sent: an operation's own query options apply to its result";

describe("an operation bound to a query with trackChanges()", () => {
  test("function() and action() on a tracked set are refused with a TypeError naming trackChanges(), whatever came before; the set's pages ask for tracking, the function on the untracked set goes without", async (t) => {
    const { server, client } = await serveClient(t, (request, res) => {
      if (request.path.startsWith("/odata/Books/NS.top")) sendJson(res, 200, { value: [{ ID: 7 }] });
      else sendJson(res, 200, { value: [{ ID: 1 }], "@odata.deltaLink": "Books?$deltatoken=1" });
    });
    const books = client.collection("Books");
    assert.throws(() => books.trackChanges().function("NS.top", { n: 3 }), { name: "TypeError", message: `function("NS.top"): ${REFUSAL}` });
    assert.throws(() => books.trackChanges().action("NS.restock"), { name: "TypeError", message: `action("NS.restock"): ${REFUSAL}` });
    // trackChanges() after another builder call, and on a navigation's collection.
    assert.throws(() => books.param("sap-client", "100").trackChanges().function("NS.top"), { name: "TypeError", message: `function("NS.top"): ${REFUSAL}` });
    assert.throws(() => books.key(1).navigate("reviews").trackChanges().action("NS.flag"), { name: "TypeError", message: `action("NS.flag"): ${REFUSAL}` });
    // Named after the system query options, in the order a URL sends them.
    assert.throws(
      () => books.trackChanges().filter("stock gt 0").orderBy("ID").action("NS.restock"),
      { name: "TypeError", message: `action("NS.restock"): the query's $filter, $orderby, trackChanges() would not be sent: an operation's own query options apply to its result` },
    );
    assert.equal(server.requests.length, 0);
    // What the caller can do instead: read the tracked set, and call the function on the set.
    const pages = [];
    for await (const page of books.trackChanges().pages()) pages.push(page);
    assert.equal(pages[0]?.deltaLink, server.url("odata/Books?$deltatoken=1"));
    assert.deepEqual(await books.function<{ ID: number }[]>("NS.top", { n: 3 }).get(), [{ ID: 7 }]);
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path} ${r.headers["prefer"] ?? "-"}`),
      ["GET /odata/Books odata.track-changes", "GET /odata/Books/NS.top(n=3) -"],
    );
  });

  test("a $batch part bound to a tracked set is refused the same way, naming its option; nothing is sent", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, {}));
    const tracked = client.collection("Books").trackChanges();
    const batch = client.batch();
    assert.throws(() => batch.function("NS.count", {}, { bound: tracked }), { name: "TypeError", message: `function("NS.count") option "bound": ${REFUSAL}` });
    assert.throws(() => batch.action("NS.mark", {}, { bound: tracked }), { name: "TypeError", message: `action("NS.mark") option "bound": ${REFUSAL}` });
    assert.equal(server.requests.length, 0);
  });
});
