// A multipart changeset that fails with a 412 or 428 at a request the service names (the
// Content-ID of the one answer in the changeset's place, as SAP CAP and its v2 adapter send it, or
// the member's own answer beside the others' 424) gives that request the same explanation of its
// 412 or 428 as a JSON batch's member, a top-level part or the write sent alone gets: the answer is
// its own. Before, only its neighbours were told anything ("was not applied: its changeset failed
// at request 2 ..."); the request that failed read a bare "[412]: Precondition Failed". Against a
// node:http service on 127.0.0.1 answering the multipart batch, and against SAP CAP (v4 and v2).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { failure, serve, type Reply } from "./batch-server.js";
import { useCap } from "./servers/use-cap.js";
import type { Book } from "./servers/cap/types.js";

const CHANGED = "(precondition failed: the entity changed since it was read (its ETag no longer matches If-Match); read it again and reapply the change)";
const REQUIRED = '(precondition required: the service wants If-Match for this write; pass { etag } (the entity read earlier or its ETag), or { ifMatch: "*" } to write whatever version is there)';

/** One `application/http` part with its Content-ID. */
function httpPart(contentId: string, statusLine: string, body: string): string {
  return `Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: ${contentId}\r\n\r\nHTTP/1.1 ${statusLine}\r\nContent-Type: application/json\r\n\r\n${body}\r\n`;
}

function errorBody(status: number, message: string): string {
  return JSON.stringify({ error: { code: String(status), message } });
}

/** A changeset of two updates (Content-IDs 1 and 2) sent to a service answering `answer`. */
async function sendChangeset(t: { after: (fn: () => void) => void }, answer: Reply, etag: string | undefined) {
  const service = await serve(() => answer);
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, retry: false });
  const books = client.collection("Books");
  const batch = client.batch();
  let first!: ReturnType<typeof batch.update>;
  let second!: ReturnType<typeof batch.update>;
  batch.changeset((cs) => {
    first = cs.update(books.key(3), { stock: 1 }, { ifMatch: "*" });
    second = cs.update(books.key(1), { stock: 2 }, etag === undefined ? undefined : { etag });
  });
  await batch.send();
  assert.equal(service.seen.length, 1);
  const sent = service.seen[0]!.body;
  assert.match(sent, /Content-ID: 1\r\n\r\nPATCH Books\(3\) HTTP\/1\.1\r\n[^]*if-match: \*\r\n\r\n\{"stock":1\}\r\n/);
  assert.match(sent, /Content-ID: 2\r\n\r\nPATCH Books\(1\) HTTP\/1\.1\r\n/);
  if (etag === undefined) assert.doesNotMatch(sent.slice(sent.indexOf("PATCH Books(1)")), /if-match/i);
  else assert.ok(sent.includes(`\r\nif-match: ${etag}\r\n\r\n{"stock":2}\r\n`), sent);
  return { url: service.url, first: first.result(), second: second.result() };
}

for (const [status, reason, explanation, etag] of [
  [412, "Precondition Failed", CHANGED, 'W/"1"'],
  [428, "Precondition Required", REQUIRED, undefined],
] as const) {
  test(`multipart changeset failed with ${status} in its place, naming request 2 by Content-ID: request 2's error explains its ${status}; request 1 says it was not applied`, async (t) => {
    // SAP CAP's form: one response in the changeset's place, carrying the failed request's Content-ID.
    const answer: Reply = {
      status: 200,
      headers: { "Content-Type": "multipart/mixed; boundary=batch_answer" },
      body: `--batch_answer\r\n${httpPart("2", `${status} ${reason}`, errorBody(status, reason))}--batch_answer--\r\n`,
    };
    const { url, first, second } = await sendChangeset(t, answer, etag);

    assert.equal(failure(second, status).message, `PATCH ${url}Books(1) failed with HTTP ${status} ${reason} [${status}]: ${reason} ${explanation}`);
    // The other member's words are not its own precondition's: it sent If-Match: *.
    assert.equal(failure(first, status).message, `PATCH ${url}Books(3) was not applied: its changeset failed at request 2 (PATCH ${url}Books(1)) with HTTP ${status} ${reason} [${status}]: ${reason}`);
  });
}

test("multipart changeset answered per member, 424 for request 1 and 412 for request 2: request 2's error explains its 412", async (t) => {
  const inner = `--cs_answer\r\n${httpPart("1", "424 Failed Dependency", errorBody(424, "Failed Dependency"))}--cs_answer\r\n${httpPart("2", "412 Precondition Failed", errorBody(412, "Precondition Failed"))}--cs_answer--\r\n`;
  const answer: Reply = {
    status: 200,
    headers: { "Content-Type": "multipart/mixed; boundary=batch_answer" },
    body: `--batch_answer\r\nContent-Type: multipart/mixed; boundary=cs_answer\r\n\r\n${inner}--batch_answer--\r\n`,
  };
  const { url, first, second } = await sendChangeset(t, answer, 'W/"1"');

  assert.equal(failure(second, 412).message, `PATCH ${url}Books(1) failed with HTTP 412 Precondition Failed [412]: Precondition Failed ${CHANGED}`);
  assert.ok(failure(first, 424).message.startsWith(`PATCH ${url}Books(3) was not applied: its changeset failed at request 2 (PATCH ${url}Books(1)) with HTTP 412 Precondition Failed`));
});

test("a failed changeset that names no request explains no member's 412: the one answer may be any member's", async (t) => {
  const answer: Reply = {
    status: 200,
    headers: { "Content-Type": "multipart/mixed; boundary=batch_answer" },
    body: `--batch_answer\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 412 Precondition Failed\r\nContent-Type: application/json\r\n\r\n${errorBody(412, "Precondition Failed")}\r\n--batch_answer--\r\n`,
  };
  const { url, first, second } = await sendChangeset(t, answer, 'W/"1"');
  assert.equal(failure(first, 412).message, `PATCH ${url}Books(3) was not applied: its changeset failed with HTTP 412 Precondition Failed [412]: Precondition Failed`);
  assert.equal(failure(second, 412).message, `PATCH ${url}Books(1) was not applied: its changeset failed with HTTP 412 Precondition Failed [412]: Precondition Failed`);
});

describe("against SAP CAP", () => {
  const cap = useCap();

  for (const version of ["4.0", "2.0"] as const) {
    test(`OData ${version} multipart: a changeset's update with a stale ETag fails with 412 explained, as in a JSON batch`, async () => {
      const sent: string[] = [];
      const recording: typeof fetch = (input, init) => {
        if (String(input).endsWith("/$batch")) sent.push(String(init?.body));
        return fetch(input, init);
      };
      const root = version === "4.0" ? cap.v4 : cap.v2;
      const client = new ODataClient({ serviceUrl: root, version, fetch: recording });
      const books = client.collection<Book>("Books");
      const read = await books.key(6).get();
      await books.key(6).update({ stock: 60 }, { etag: read });
      const batch = client.batch();
      let other!: ReturnType<typeof batch.update>;
      let stale!: ReturnType<typeof batch.update>;
      batch.changeset((cs) => {
        other = cs.update(books.key(7), { stock: 70 }, { ifMatch: "*" });
        stale = cs.update(books.key(6), { stock: 61 }, { etag: read });
      });
      await batch.send();

      assert.equal(sent.length, 1);
      const method = version === "4.0" ? "PATCH" : "MERGE";
      assert.match(sent[0]!, new RegExp(`Content-ID: 2\\r\\n\\r\\n${method} Books\\(6\\) HTTP/1\\.1\\r\\n`));
      const etag = version === "4.0" ? (read as { "@odata.etag": string })["@odata.etag"] : (read as unknown as { __metadata: { etag: string } }).__metadata.etag;
      assert.ok(sent[0]!.includes(`if-match: ${etag}\r\n`));
      const error = failure(stale.result(), 412);
      assert.ok(error.message.startsWith(`${method} ${root}Books(6) failed with HTTP 412 `), error.message);
      assert.ok(error.message.endsWith(` ${CHANGED}`), error.message);
      assert.ok(failure(other.result(), 412).message.startsWith(`${method} ${root}Books(7) was not applied: its changeset failed at request 2 (${method} ${root}Books(6))`));
      // Nothing of the changeset was applied.
      assert.equal((await books.key(6).get()).stock, 60);
    });
  }
});
