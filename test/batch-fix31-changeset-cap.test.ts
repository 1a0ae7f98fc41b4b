// Against SAP CAP: a changeset whose second create has a duplicate key fails for both requests,
// and the create that did nothing wrong says it was not applied because of the other, which CAP
// names (multipart: the Content-ID of its one answer; JSON: the response answered 500).
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataHttpError, type BatchResult } from "../src/index.js";
import { useCap } from "./servers/use-cap.js";
import type { Author, Book } from "./servers/cap/types.js";

const cap = useCap();

function assertFailure(result: BatchResult<unknown>, message: string): ODataHttpError {
  assert.equal(result.ok, false);
  assert.equal(result.status, 500);
  const { error } = result;
  assert.ok(error instanceof ODataHttpError);
  assert.equal(error.code, "HTTP_ERROR");
  assert.match(error.odataError?.message ?? "", /^UNIQUE constraint failed: /);
  assert.equal(error.message, message);
  return error;
}

for (const format of ["multipart", "json"] as const) {
  test(`${format}: the valid create of a changeset that failed on a duplicate key says the changeset failed at the other request`, async () => {
    const sent: string[] = [];
    const recording: typeof fetch = (input, init) => {
      if (String(input).endsWith("/$batch")) sent.push(String(init?.body));
      return fetch(input, init);
    };
    const client = new ODataClient({ serviceUrl: cap.v4, fetch: recording });
    const batch = client.batch({ format });
    let author!: ReturnType<typeof batch.create<Author>>;
    let book!: ReturnType<typeof batch.create<Book>>;
    batch.changeset((cs) => {
      author = cs.create(client.collection<Author>("Authors"), { ID: `fix31-${format}`, name: "Fine" });
      book = cs.create(client.collection<Book>("Books"), { ID: 1, title: "Duplicate key" });
    });
    await batch.send();

    assert.equal(sent.length, 1);
    if (format === "json") {
      const { requests } = JSON.parse(sent[0]!) as { requests: { id: string; method: string; url: string; atomicityGroup: string }[] };
      assert.deepEqual(requests.map(({ id, method, url, atomicityGroup }) => ({ id, method, url, atomicityGroup })), [
        { id: "1", method: "POST", url: "Authors", atomicityGroup: "g1" },
        { id: "2", method: "POST", url: "Books", atomicityGroup: "g1" },
      ]);
    } else {
      assert.match(sent[0]!, /Content-ID: 1\r\n\r\nPOST Authors HTTP\/1\.1\r\n[^]*Content-ID: 2\r\n\r\nPOST Books HTTP\/1\.1\r\n/);
    }
    // CAP's JSON batch gives a part's status without its reason phrase.
    const statusLine = format === "json" ? "500" : "500 Internal Server Error";
    const said = "UNIQUE constraint failed: traverse_test_Books.ID";
    assertFailure(book.result(), `POST ${cap.v4}Books failed with HTTP ${statusLine}: ${said}`);
    const error = assertFailure(author.result(), `POST ${cap.v4}Authors was not applied: its changeset failed at request 2 (POST ${cap.v4}Books) with HTTP ${statusLine}: ${said}`);
    assert.ok(error.cause instanceof ODataHttpError);
    assert.equal(error.cause.url, `${cap.v4}Books`);
    await assert.rejects(client.collection<Author>("Authors").key(`fix31-${format}`).get(), (failure: unknown) => failure instanceof ODataHttpError && failure.status === 404);
  });
}
