/**
 * The wire log of a PUT whose CSRF token fetch meets a busy service (see
 * hunt40-http-csrf-fetch-busy.test.ts): the retry step sends the PUT again, and each attempt's
 * token fetch is what goes on the wire for it. Its lines carry that attempt's number
 * (`csrf retry 1/2`), so that the PUT's `retry 2/2` follows the retries the log shows, rather than
 * standing after fetches that read as the first attempt's, as if the PUT's own first attempts had
 * gone unlogged. On a node:http service on 127.0.0.1: the log's lines and what the service saw.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { serveClient, type Handler } from "./servers/recording-server.js";

/** A service whose first `busy` token fetches are answered 503, then issue `tok-1`; writes with it are answered by `write`. */
function busyTokenService(busy: number, write: (n: number) => number = () => 204): Handler {
  let fetches = 0;
  let writes = 0;
  return (request, res) => {
    if (request.headers["x-csrf-token"] === "Fetch") {
      fetches += 1;
      if (fetches <= busy) return void res.writeHead(503, { "retry-after": "0" }).end();
      return void res.writeHead(200, { "x-csrf-token": "tok-1" }).end();
    }
    if (request.headers["x-csrf-token"] !== "tok-1") return void res.writeHead(403, { "x-csrf-token": "Required" }).end();
    res.writeHead(write(++writes), { "retry-after": "0" }).end();
  };
}

/** The request lines of the log, as `#n label > METHOD path`. */
const requestLines = (lines: readonly string[], origin: string) =>
  lines.filter((line) => / > /.test(line)).map((line) => line.replace(origin, "").replace(/ \{.*$/, ""));

test("a PUT whose token fetch is answered 503 twice: the fetches of its retries are logged as those retries, then the PUT as retry 2/2", async (t) => {
  const lines: string[] = [];
  const { server, client } = await serveClient(t, busyTokenService(2), { csrf: true, retry: { retries: 2, delay: 5 }, debug: (line) => void lines.push(line) });
  await client.collection("Books").key(1).replace({ ID: 1, title: "x" });
  assert.deepEqual(requestLines(lines, server.origin), [
    "#1 csrf > GET /odata/",
    "#2 csrf retry 1/2 > GET /odata/",
    "#3 csrf retry 2/2 > GET /odata/",
    "#4 retry 2/2 > PUT /odata/Books(1)",
  ]);
});

test("a PUT whose token fetch is answered 503 once and whose first sending is answered 503: fetch, fetch of retry 1, PUT of retry 1, PUT of retry 2", async (t) => {
  const lines: string[] = [];
  const { server, client } = await serveClient(t, busyTokenService(1, (n) => (n === 1 ? 503 : 204)), {
    csrf: true,
    retry: { retries: 3, delay: 5 },
    debug: (line) => void lines.push(line),
  });
  await client.collection("Books").key(1).replace({ ID: 1, title: "x" });
  assert.deepEqual(requestLines(lines, server.origin), [
    "#1 csrf > GET /odata/",
    "#2 csrf retry 1/3 > GET /odata/",
    "#3 retry 1/3 > PUT /odata/Books(1)",
    "#4 retry 2/3 > PUT /odata/Books(1)",
  ]);
});

test("a POST, never sent twice, whose token fetch is answered 503 twice: the fetch is retried (csrf retry 1/2, 2/2), the POST sent once without a retry number", async (t) => {
  const lines: string[] = [];
  const { server, client } = await serveClient(t, busyTokenService(2), { csrf: true, retry: { retries: 2, delay: 5 }, debug: (line) => void lines.push(line) });
  await client.collection("Books").create({ ID: 1 });
  assert.deepEqual(requestLines(lines, server.origin), [
    "#1 csrf > GET /odata/",
    "#2 csrf retry 1/2 > GET /odata/",
    "#3 csrf retry 2/2 > GET /odata/",
    "#4 > POST /odata/Books",
  ]);
});
