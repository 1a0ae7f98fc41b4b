// `{ tunnel: true }` on a `$batch` write is refused with a TypeError naming the part's method and
// the option, and nothing is sent: a tunnel gets a write past a proxy that refuses its method, but
// a part's method is written inside the batch's POST, where no proxy reads it. Before, the part
// went out as `POST` with `X-HTTP-Method`, which only the service saw (SAP CAP refuses it 405 in
// v4). `tunnel: false`, what a part does anyway, is taken. Against a node:http service on 127.0.0.1.
import { test } from "node:test";
import assert from "node:assert/strict";
import { serveClient } from "./servers/recording-server.js";

const EMPTY_BATCH = (_request: unknown, res: import("node:http").ServerResponse) => {
  res.writeHead(200, { "Content-Type": "multipart/mixed; boundary=b" });
  res.end("--b--\r\n");
};

for (const version of ["4.0", "2.0"] as const) {
  test(`v${version}: a $batch update, replace, delete or create with { tunnel: true } is refused naming the part and the option, and nothing is sent`, async (t) => {
    const { server, client } = await serveClient(t, EMPTY_BATCH, { version });
    const books = client.collection("Books");
    const cases: Array<[string, (batch: ReturnType<typeof client.batch>) => void]> = [
      ["update(patch)", (batch) => batch.update(books.key(1), { stock: 1 }, { tunnel: true } as never)],
      ["replace(entity)", (batch) => batch.replace(books.key(1), { ID: 1 }, { tunnel: true } as never)],
      ["delete()", (batch) => batch.delete(books.key(1), { tunnel: true } as never)],
      ["create(entity)", (batch) => batch.create(books, { ID: 2 }, { tunnel: true } as never)],
    ];
    for (const [method, add] of cases) {
      const batch = client.batch();
      add(batch);
      await assert.rejects(batch.send(), (error: Error) => {
        assert.equal(error.name, "TypeError");
        assert.equal(
          error.message,
          `${method}: option "tunnel" is not taken by a request in a $batch, whose method no proxy sees inside the batch's POST: add it without { tunnel: true }`,
        );
        return true;
      });
      // toRequest() writes the same plan, and refuses it alike.
      await assert.rejects(batch.toRequest(), { name: "TypeError", message: new RegExp(`^${method.replace(/[()]/g, "\\$&")}: option "tunnel"`) });
    }
    // In a changeset alike.
    const batch = client.batch();
    batch.changeset((cs) => cs.update(books.key(1), { stock: 1 }, { tunnel: true } as never));
    await assert.rejects(batch.send(), { name: "TypeError", message: /^update\(patch\): option "tunnel" is not taken by a request in a \$batch/ });
    assert.deepEqual(server.requests, []);
  });
}

test("a $batch update with tunnel: false goes as the plain method inside the batch", async (t) => {
  const { server, client } = await serveClient(t, EMPTY_BATCH, { version: "2.0" });
  const batch = client.batch();
  batch.update(client.collection("Books").key(1), { stock: 1 }, { tunnel: false });
  await batch.send().catch(() => undefined);
  assert.equal(server.requests.length, 1);
  const body = server.requests[0]!.body;
  assert.match(body, /\r\n\r\nMERGE Books\(1\) HTTP\/1\.1\r\n/);
  assert.doesNotMatch(body, /x-http-method/i);
});

// The compiler refuses it too: a part's options take `tunnel: false` alone (never called).
export function tunnelTypes(client: import("../src/index.js").ODataClient): void {
  const batch = client.batch();
  // @ts-expect-error a $batch part cannot be tunnelled
  batch.update(client.collection("Books").key(1), { stock: 1 }, { tunnel: true });
  batch.delete(client.collection("Books").key(1), { tunnel: false });
}
