/**
 * A JSON `$batch` answered in pieces, each naming the next by `@nextLink` (JSON Format 4.01 §19.4),
 * decodes each part's answer once: the results made after every piece give the parts answered
 * before the values already decoded, where each piece decoded every part answered so far again
 * (the cost the batch's size times the pieces). The results are those of the same answer given at
 * once, a part whose answer cannot be read among them. Counted by the parses of the parts' bodies
 * (JSON.parse watched while the batch is sent), against a node:http service on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { json, serve } from "./batch-server.js";

const PARTS = 6;

/** Part n's answer: an entity, but for part 4, a number, which is no entity. */
const valueOf = (id: string): unknown => (id === "4" ? 42 : { ID: Number(id), title: `Book ${id}` });
/** Part n's body as the client reads it, a JSON value of the answer written as its text. */
const bodyOf = (id: string) => JSON.stringify(valueOf(id));

test("a JSON batch answered in pieces through @nextLink decodes each part once, with the results of the answer given at once", async (t) => {
  // Each piece answers `piece` parts and names the next; `piece` is set before each send.
  let piece = 1;
  const service = await serve((request) => {
    const from = request.method === "POST" ? 0 : Number(new URL(request.url, "http://127.0.0.1").searchParams.get("from"));
    const ids = Array.from({ length: PARTS }, (_, n) => String(n + 1)).slice(from, from + piece);
    const responses = ids.map((id) => ({ id, status: 200, headers: { "content-type": "application/json" }, body: valueOf(id) }));
    const next = from + piece < PARTS ? { "@nextLink": `$batch?from=${from + piece}` } : {};
    return { status: 200, headers: json, body: JSON.stringify({ responses, ...next }) };
  });
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, version: "4.01" });
  const batch = client.batch({ format: "json" });
  for (let key = 1; key <= PARTS; key++) batch.get(client.collection("Books").key(key));

  // The parses of each part's body, by the body.
  const parses = new Map<string, number>();
  const parse = JSON.parse;
  const bodies = new Set(Array.from({ length: PARTS }, (_, n) => bodyOf(String(n + 1))));
  const watched = async () => {
    parses.clear();
    JSON.parse = ((text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
      if (bodies.has(text)) parses.set(text, (parses.get(text) ?? 0) + 1);
      return parse(text, reviver);
    }) as typeof JSON.parse;
    try {
      return await batch.send();
    } finally {
      JSON.parse = parse;
    }
  };

  piece = 1;
  const inPieces = await watched();
  const parsedInPieces = [...bodies].map((body) => parses.get(body) ?? 0);
  assert.equal(service.seen.length, PARTS, "one POST and a GET of each next link");
  assert.deepEqual(service.seen.slice(1).map((seen) => seen.url), ["/svc/$batch?from=1", "/svc/$batch?from=2", "/svc/$batch?from=3", "/svc/$batch?from=4", "/svc/$batch?from=5"]);
  // Each part's body decoded once, the one that cannot be read too (it was decoded again at each
  // piece after its own: 6, 5, 4, ... times).
  assert.deepEqual(parsedInPieces, [1, 1, 1, 1, 1, 1]);

  piece = PARTS;
  const atOnce = await watched();
  assert.deepEqual([...bodies].map((body) => parses.get(body) ?? 0), [1, 1, 1, 1, 1, 1]);

  // The same results either way.
  const shown = (results: typeof atOnce) => results.map((result) => (result.ok ? { ok: true, status: result.status, value: result.value } : { ok: false, status: result.status, code: result.error.code, message: result.error.message }));
  assert.deepEqual(shown(inPieces), shown(atOnce));
  assert.deepEqual(shown(inPieces)[0], { ok: true, status: 200, value: { ID: 1, title: "Book 1" } });
  assert.deepEqual(shown(inPieces)[3], { ok: false, status: 200, code: "BAD_PAYLOAD", message: (shown(atOnce)[3] as { message: string }).message });
  assert.match((shown(inPieces)[3] as { message: string }).message, /^response to request 4 \(GET Books\(4\)\): /);
});
