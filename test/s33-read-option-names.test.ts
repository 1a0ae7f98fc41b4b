// Every option error of a read names the call, as its `timeout` and `headers` errors do: a program
// that reads in several places learns which call was given the wrong option. Nothing is sent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { startServer } from "./servers/recording-server.js";

test("readAhead, maxPageSize, from and a delta's format are refused naming the call, before anything is sent", async (t) => {
  const server = await startServer((_request, res) => {
    res.end();
  });
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("svc/") });
  const items = client.collection("Items");
  const link = server.url("svc/Items?$deltatoken=1");
  const cases: [() => Promise<unknown>, new (...args: never[]) => Error, string][] = [
    [() => items.list({ readAhead: -1 }), RangeError, 'list(): option "readAhead" must be an integer >= 0; got -1'],
    [() => items.stream({ maxPageSize: 0 }).next(), RangeError, 'stream(): option "maxPageSize" must be a positive integer; got 0'],
    [() => items.pages({ from: "" })[Symbol.asyncIterator]().next(), TypeError, 'pages(): option "from" must be a next link string'],
    [() => items.page({ maxPageSize: 1.5 }), RangeError, 'page(): option "maxPageSize" must be a positive integer; got 1.5'],
    [() => client.delta(link, { maxPageSize: 0 }).next(), RangeError, 'delta(link): option "maxPageSize" must be a positive integer; got 0'],
    [() => client.delta(link, { format: "xml" as never }).next(), TypeError, 'delta(link): option "format" must be "json" or "atom"; got "xml"'],
  ];
  for (const [call, type, message] of cases) await assert.rejects(call(), (error: unknown) => error instanceof type && error.message === message);
  assert.deepEqual(server.requests, []);
});
