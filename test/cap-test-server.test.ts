// The CAP test server as the suite uses it: one server for a whole run, a database of its own for
// every test file (test/servers/cap.ts, test/servers/cap/server.js). What CAP itself does is pinned
// in the opt-in suite test/cap-behaviour/cap-server.test.ts (`npm run test:cap-behaviour`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { CAP_ORIGIN_VARIABLE, capRoots, startCap, type CapServer } from "./servers/cap.js";
import { useCap } from "./servers/use-cap.js";
import type { Book } from "./servers/cap/types.js";

const cap = useCap();

interface Reply {
  status: number;
  body: unknown;
}

async function send(url: string, init?: RequestInit): Promise<Reply> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: text === "" ? undefined : (JSON.parse(text) as unknown) };
}

async function stockOfBook1(root: string): Promise<number | null> {
  const { status, body } = await send(`${root}Books(1)?$select=stock`);
  assert.equal(status, 200, `${root}Books(1): ${JSON.stringify(body)}`);
  return (body as Pick<Book, "stock">).stock;
}

async function setStockOfBook1(root: string, stock: number): Promise<void> {
  const { status, body } = await send(`${root}Books(1)`, {
    method: "PATCH",
    headers: { "Content-Type": "application/json", "If-Match": "*" },
    body: JSON.stringify({ stock }),
  });
  assert.equal(status, 200, JSON.stringify(body));
}

/** A name for a database of this test alone. */
const databaseName = (label: string): string => `${cap.database}-${label}`;

test("startCap gives service roots under /db/<name>/ on the server's origin", () => {
  assert.match(cap.origin, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.match(cap.database, /^cap-test-server-\d+-\d+$/);
  assert.equal(cap.v4, `${cap.origin}/db/${cap.database}/odata/v4/catalog/`);
  assert.equal(cap.v2, `${cap.origin}/db/${cap.database}/odata/v2/catalog/`);
});

test("a write to one database is not seen in another database or the default one", async () => {
  const other = capRoots(cap.origin, databaseName("other"));
  const defaultV4 = `${cap.origin}/odata/v4/catalog/`;
  const seed = await stockOfBook1(cap.v4);
  assert.equal(seed, 37);

  await setStockOfBook1(cap.v4, 1234);
  assert.equal(await stockOfBook1(cap.v4), 1234);
  assert.equal(await stockOfBook1(other.v4), 37);
  assert.equal(await stockOfBook1(defaultV4), 37);

  await setStockOfBook1(other.v4, 5);
  assert.equal(await stockOfBook1(cap.v4), 1234);
  assert.equal(await stockOfBook1(other.v4), 5);
  await setStockOfBook1(cap.v4, 37);
});

test("a new database holds the seed data, the 100,000 generated Readings included", async () => {
  const fresh = capRoots(cap.origin, databaseName("fresh"));
  const readings = await fetch(`${fresh.v4}Readings/$count`);
  assert.equal(await readings.text(), "100000");
  const books = await send(`${fresh.v4}Books/$count`);
  assert.equal(books.body, 23);
});

test("through the v2 adapter a request stays on its database, and the adapter's absolute URIs keep the /db/ prefix", async () => {
  const db = capRoots(cap.origin, databaseName("v2"));
  await setStockOfBook1(db.v4, 77);
  const { status, body } = await send(`${db.v2}Books(1)?$select=ID,stock&$format=json`);
  assert.equal(status, 200);
  const entity = (body as { d: { ID: number; stock: number; __metadata: { uri: string } } }).d;
  assert.equal(entity.stock, 77);
  // The adapter writes 127.0.0.1 as localhost.
  assert.equal(entity.__metadata.uri, `${db.v2.replace("127.0.0.1", "localhost")}Books(1)`);
  // A v2 write lands in the same database.
  const patched = await fetch(`${db.v2}Books(1)`, {
    method: "MERGE",
    headers: { "Content-Type": "application/json", "If-Match": "*" },
    body: JSON.stringify({ stock: 78 }),
  });
  assert.ok(patched.ok, `MERGE answered ${patched.status}: ${await patched.text()}`);
  assert.equal(await stockOfBook1(db.v4), 78);
  assert.equal(await stockOfBook1(cap.v4), 37);
});

test("DELETE /db/<name> drops a database: the next request under that name finds the seed data again", async () => {
  const name = databaseName("dropped");
  const db = capRoots(cap.origin, name);
  await setStockOfBook1(db.v4, 9);
  const dropped = await fetch(`${cap.origin}/db/${name}`, { method: "DELETE" });
  assert.equal(dropped.status, 204);
  assert.equal(await stockOfBook1(db.v4), 37);
  await fetch(`${cap.origin}/db/${name}`, { method: "DELETE" });
});

test(`with ${CAP_ORIGIN_VARIABLE} set, startCap starts no server: a new database on that one, which stop() drops`, async () => {
  const saved = process.env[CAP_ORIGIN_VARIABLE];
  process.env[CAP_ORIGIN_VARIABLE] = `${cap.origin}/`;
  let shared: CapServer;
  try {
    shared = await startCap();
  } finally {
    if (saved === undefined) delete process.env[CAP_ORIGIN_VARIABLE];
    else process.env[CAP_ORIGIN_VARIABLE] = saved;
  }
  assert.equal(shared.origin, cap.origin);
  assert.equal(shared.pid, undefined);
  assert.notEqual(shared.database, cap.database);
  assert.equal(shared.v4, capRoots(cap.origin, shared.database).v4);

  await setStockOfBook1(shared.v4, 3);
  assert.equal(await stockOfBook1(cap.v4), 37);
  await shared.stop();
  await shared.stop();
  // Dropped: the same roots now reach a database made anew.
  assert.equal(await stockOfBook1(shared.v4), 37);
  await fetch(`${cap.origin}/db/${shared.database}`, { method: "DELETE" });
});

test("a database header that is not a plain name is refused", async () => {
  const res = await fetch(`${cap.origin}/odata/v4/catalog/Books/$count`, { headers: { "x-traverse-database": "../x" } });
  assert.equal(res.status, 400);
  assert.match(await res.text(), /x-traverse-database/);
});

test("the server accepts no connections on another address than 127.0.0.1", async () => {
  // 127.0.0.2 is loopback too on Linux: a server bound to 0.0.0.0 would accept there.
  const port = Number(new URL(cap.origin).port);
  const socket = connect({ host: "127.0.0.2", port, timeout: 1000 });
  const outcome = await new Promise<string>((resolve) => {
    socket.once("connect", () => resolve("connected"));
    socket.once("timeout", () => resolve("timeout"));
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
  });
  socket.destroy();
  assert.notEqual(outcome, "connected");
  // Control: the same port on 127.0.0.1 does accept.
  assert.equal((await fetch(cap.v4)).status, 200);
});
