/**
 * keyAsSegment and a key whose text holds `(`: in a path segment, parentheses are a key
 * predicate's or a call's, and SAP CAP reads `Authors/austen(1)` as the author `austen()`, so a
 * read or a delete by that key reached another entity. The key keeps its parenthesised form
 * (`Authors('austen(1)')`), which a key-as-segment service takes too; shown on the wire of a
 * node:http server and against SAP CAP.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { answerJson, onlyRequest, serveClient } from "./servers/recording-server.js";
import { useCap } from "./servers/use-cap.js";
import type { Author } from "./servers/cap/types.js";

describe("keyAsSegment with ( in a key's text: the wire", () => {
  for (const [key, path] of [
    ["austen(1)", "/odata/Authors('austen(1)')"],
    ["a(b", "/odata/Authors('a(b')"],
    ["ACME (UK)", "/odata/Authors('ACME%20(UK)')"],
    ["delta()", "/odata/Authors('delta()')"],
  ] as const) {
    test(`get() of key(${JSON.stringify(key)}) sends the key in parentheses, quoted`, async (t) => {
      const { server, client } = await serveClient(t, answerJson(200, { ID: key }), { keyAsSegment: true });
      const author = await client.collection<{ ID: string }>("Authors").key(key).get();
      assert.equal(onlyRequest(server).path, path);
      assert.equal(author.ID, key);
    });
  }

  test("a key without ( still goes as a segment, ) included", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { ID: "a)b" }), { keyAsSegment: true });
    await client.collection("Authors").key("a)b").get();
    assert.equal(onlyRequest(server).path, "/odata/Authors/a)b");
  });
});

describe("keyAsSegment with ( in a key's text against SAP CAP", () => {
  const cap = useCap();

  test("get() and delete() by a key with ( address that entity, not the one CAP reads in the segment", async () => {
    const plain = new ODataClient({ serviceUrl: cap.v4, retry: false });
    const segments = new ODataClient({ serviceUrl: cap.v4, keyAsSegment: true, retry: false });
    const ids = ["austen()", "austen(1)", "austen('x')", "ACME (UK)", "x (1)", "a(b"];
    for (const ID of ids) await plain.collection<Author>("Authors").create({ ID, name: `named ${ID}` });

    // What CAP makes of the segment form the client sent before: austen(1) read as austen().
    const raw = await fetch(`${cap.v4}Authors/austen(1)?$select=ID`);
    assert.equal(raw.status, 200);
    assert.equal(((await raw.json()) as { ID: string }).ID, "austen()");

    const authors = segments.collection<Author>("Authors");
    for (const ID of ids) assert.deepEqual(await authors.key(ID).select("ID", "name").get(), { ID, name: `named ${ID}` }, ID);

    await authors.key("austen(1)").delete();
    await assert.rejects(plain.collection<Author>("Authors").key("austen(1)").get(), { name: "ODataHttpError", status: 404 });
    assert.equal((await plain.collection<Author>("Authors").key("austen()").select("ID").get()).ID, "austen()");
  });
});
