/**
 * A `NaN` key value (what `parseInt` gives for text that is no number) is refused with a
 * `TypeError` before anything is sent: no entity has it as its key, and `Books(NaN)` reached the
 * service, which answered a 400 or a 404 far from the mistake, or for a `delete()` nothing useful.
 * Infinity stays a Double's literal (`INF`). Real HTTP (node:http, port 0).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { answerJson, serveClient } from "./servers/recording-server.js";

test("get(), delete() and a navigation of a NaN key are refused naming the key call, and nothing is sent", async (t) => {
  const { server, client } = await serveClient(t, answerJson(200, { ID: 1 }));
  const books = client.collection("Books");
  const refused = { name: "TypeError", message: "key(value): a key value cannot be NaN" };
  await assert.rejects(async () => books.key(Number.parseInt("twelve")).get(), refused);
  await assert.rejects(async () => books.key(Number.NaN).delete(), refused);
  await assert.rejects(async () => client.collection("Pairs").key({ A: 1, B: Number.NaN }).get(), { name: "TypeError", message: "key({ B }): a key value cannot be NaN" });
  await assert.rejects(async () => books.key(Number.NaN).navigate("reviews").list(), refused);
  assert.equal(server.requests.length, 0);
  // A number key is sent as before, Infinity as the Double literal INF.
  await books.key(12).get();
  await books.key(Infinity).get();
  assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), ["GET /odata/Books(12)", "GET /odata/Books(INF)"]);
});
