/**
 * The wire log (option `debug`) where things go wrong, against node:http servers: a logger that
 * fails asynchronously, a service that echoes the client's secrets bare in headers of its own, and
 * a request that fails or is aborted after its answer's headers came (the body stalls, the caller
 * aborts, the connection drops), which ends in a `!` line as one failing before its answer does.
 */
import assert from "node:assert/strict";
import { appendFile } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, test } from "node:test";
import { isODataHttpError, ODataClient } from "../src/index.js";
import { sendJson, serveClient, waitFor } from "./servers/recording-server.js";
import { collector } from "./wire-log-collector.js";
import { regExpText } from "./regexp-text.js";


/** The reasons of the unhandled rejections while `run` runs and for a moment after it. */
async function unhandledRejections(run: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on("unhandledRejection", listener);
  try {
    await run();
    // A rejection is reported unhandled once the microtasks after it ran; a logger's may come later.
    await sleep(60);
  } finally {
    process.off("unhandledRejection", listener);
  }
  return seen;
}

/** Answers a collection's headers and the start of its body, then nothing more (a stalled body). */
function startOfBody(res: ServerResponse): void {
  res.writeHead(200, { "content-type": "application/json" });
  res.write('{"value":[{"ID":1},');
}

const CRLF = "\r\n";

describe("a debug function that fails asynchronously", () => {
  test("an async logger whose promise rejects (appending to a file in a folder that does not exist) fails neither the request nor the process, and gets every line", async (t) => {
    const { root } = await serveClient(t, (_request, res) => sendJson(res, 200, { value: [{ ID: 1 }] }));
    const file = join(tmpdir(), `no-such-folder-${process.pid}-${Date.now()}`, "wire.log");
    const asked: string[] = [];
    const logging = new ODataClient({
      serviceUrl: root,
      retry: false,
      debug: (line) => {
        asked.push(line);
        return appendFile(file, `${line}\n`);
      },
    });
    let rows: unknown;
    const unhandled = await unhandledRejections(async () => {
      rows = (await logging.collection("Books").page()).value;
    });
    assert.deepEqual(rows, [{ ID: 1 }]);
    assert.deepEqual(unhandled, []);
    assert.deepEqual(
      asked.map((line) => line.replace(/ \d+ ms\b/, " N ms")),
      [`#1 > GET ${root}Books {"accept":"application/json","accept-language":"en"}`, `#1 < 200 GET ${root}Books N ms {"content-type":"application/json"}`],
    );
  });

  test("a logger's promise is not waited for: one that rejects only after the request is done leaves no unhandled rejection either", async (t) => {
    const { root } = await serveClient(t, (_request, res) => sendJson(res, 200, { value: [] }));
    // The logger's promises settle when the test says, not on a timer: a request slower than the
    // timer on a loaded machine would otherwise see them settled already.
    const rejects: Array<(error: Error) => void> = [];
    const client = new ODataClient({
      serviceUrl: root,
      retry: false,
      debug: () => new Promise<void>((_resolve, reject) => void rejects.push(reject)),
    });
    const unhandled = await unhandledRejections(async () => {
      await client.collection("Books").page();
      // Both lines were written, and the request was done with neither promise settled.
      assert.equal(rejects.length, 2);
      for (const reject of rejects) reject(new Error("log sink down"));
    });
    assert.deepEqual(unhandled, []);
  });
});

describe("secrets the service echoes bare in headers of its own are masked", () => {
  const TOKEN = "eyJhbGciOiJIUzI1NiJ9.tok-SECRET-abc123";
  const KEY = "apikey-SECRET-778899";

  test("a bearer token and a configured x-api-key echoed in x-debug-caller and sap-message show as *** in the answer's line, as in ODataHttpError.headers", async (t) => {
    const log = collector();
    const { server, root } = await serveClient(t, (request, res) => {
      const echo = {
        "x-debug-caller": String(request.headers.authorization ?? "").replace(/^Bearer /, ""),
        "sap-message": JSON.stringify({ message: `key ${String(request.headers["x-api-key"])} over quota` }),
      };
      if (request.path.includes("Fail")) sendJson(res, 403, { error: { code: "X", message: "no" } }, echo);
      else sendJson(res, 200, { value: [] }, echo);
    });
    const client = new ODataClient({ serviceUrl: root, retry: false, auth: { bearer: TOKEN }, headers: { "x-api-key": KEY }, debug: log.debug });
    await client.collection("Books").page();
    const failure = await client.collection("Fail").page().then(
      () => assert.fail("the 403 was not refused"),
      (error: unknown) => error,
    );
    assert.ok(isODataHttpError(failure));

    // The wire carried both, and the service did echo them.
    assert.equal(server.requests[0]?.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(server.requests[0]?.headers["x-api-key"], KEY);
    const masked = '"sap-message":"{\\"message\\":\\"key *** over quota\\"}","x-debug-caller":"***"';
    assert.deepEqual(log.shown(), [
      `#1 > GET ${root}Books {"accept":"application/json","accept-language":"en","x-api-key":"***"}`,
      `#1 < 200 GET ${root}Books N ms {"content-type":"application/json",${masked}}`,
      `#2 > GET ${root}Fail {"accept":"application/json","accept-language":"en","x-api-key":"***"}`,
      `#2 < 403 GET ${root}Fail N ms {"content-type":"application/json",${masked}}`,
    ]);
    assert.equal(failure.headers["x-debug-caller"], "***");
    assert.equal(failure.headers["sap-message"], '{"message":"key *** over quota"}');
    for (const secret of [TOKEN, KEY]) assert.equal(log.lines.join("\n").includes(secret), false, `the log shows ${secret}`);
  });

  test(
    "a $batch part's answer that echoes the batch's bearer token and a part's own x-api-key shows them as *** in its part line",
    // The batch layer hands the secrets it masks its failed parts with to the log (batch/send.ts).
    async (t) => {
      const log = collector();
      const PART_KEY = "part-key-SECRET-445566";
      const { server, root } = await serveClient(t, (request, res) => {
        const part = (status: string, headers: string[]) =>
          ["--answer", "Content-Type: application/http", "Content-Transfer-Encoding: binary", "", `HTTP/1.1 ${status}`, "Content-Type: application/json", ...headers, "", "{}"].join(CRLF);
        const caller = String(request.headers.authorization ?? "").replace(/^Bearer /, "");
        const body = [
          part("200 OK", [`X-Debug-Caller: ${caller}`]),
          part("404 Not Found", [`sap-message: {"message":"key ${PART_KEY} unknown"}`]),
          `--answer--${CRLF}`,
        ].join(CRLF);
        res.writeHead(200, { "content-type": "multipart/mixed; boundary=answer", "odata-version": "4.0", "content-length": Buffer.byteLength(body) });
        res.end(body);
      });
      const client = new ODataClient({ serviceUrl: root, retry: false, auth: { bearer: TOKEN }, debug: log.debug });
      const books = client.collection<{ ID: number }>("Books");
      const batch = client.batch({ boundaries: { batch: "batch_b", changeset: (n) => `changeset_${n}` } });
      batch.get(books.key(1));
      batch.request({ method: "GET", url: "Books(2)", headers: { "x-api-key": PART_KEY } });
      await batch.send();

      assert.ok(server.requests[0]?.body.includes(PART_KEY), "the part carried its key");
      assert.deepEqual(log.shown().slice(2), [
        `batch part 1 < 200 GET ${root}Books(1) {"content-type":"application/json","x-debug-caller":"***"}`,
        `batch part 2 < 404 GET ${root}Books(2) {"content-type":"application/json","sap-message":"{\\"message\\":\\"key *** unknown\\"}"}`,
      ]);
      for (const secret of [TOKEN, PART_KEY]) assert.equal(log.lines.join("\n").includes(secret), false, `the log shows ${secret}`);
    },
  );
});

describe("a page asked for ahead that has no answer when the caller leaves the walk", () => {
  test("ends in a ! line saying the traversal was left (README, Seeing the wire)", async (t) => {
    const log = collector();
    const { server, client, root } = await serveClient(
      t,
      (request, res) => {
        // Page 2 never answers: it is on the wire, unanswered, when the caller leaves.
        if (request.path === "/odata/Walk") sendJson(res, 200, { value: [{ ID: 1 }], "@odata.nextLink": "Walk?p=2" });
      },
      { debug: log.debug },
    );
    for await (const page of client.collection("Walk").pages({ readAhead: 1 })) {
      assert.deepEqual(page.value, [{ ID: 1 }]);
      await waitFor(() => server.requests.length === 2, "page 2 asked for ahead");
      break;
    }
    await waitFor(() => log.shown().length === 4, "page 2's ! line");
    assert.deepEqual(log.shown().slice(2, 3), [`#2 > GET ${root}Walk?p=2 {"accept":"application/json","accept-language":"en"}`]);
    assert.match(log.shown()[3] as string, new RegExp(`^#2 ! GET ${regExpText(root)}Walk\\?p=2 aborted after N ms: AbortError: the traversal was left$`));
  });
});

describe("a request that fails after its answer's headers came ends in a ! line", () => {
  test("a walk whose page body stalls ends in a ! line with the stall's TIMEOUT", async (t) => {
    const log = collector();
    const { client, root } = await serveClient(t, (_request, res) => startOfBody(res), { timeout: 150, debug: log.debug });
    await assert.rejects(client.collection("Books").list(), { code: "TIMEOUT" });
    assert.deepEqual(log.shown(), [
      `#1 > GET ${root}Books {"accept":"application/json","accept-language":"en"}`,
      `#1 < 200 GET ${root}Books N ms {"content-type":"application/json"}`,
      `#1 ! GET ${root}Books aborted after N ms: TIMEOUT: GET ${root}Books: the answer's body stalled, no data arrived for 150 ms (option "timeout")`,
    ]);
  });

  test("an error answer whose body stalls ends in a ! line too, its error still an ODataHttpError", async (t) => {
    const log = collector();
    const { client, root } = await serveClient(
      t,
      (_request, res) => {
        res.writeHead(500, { "content-type": "application/json" });
        res.write('{"error":{"code":"BUSY","message":"try');
      },
      { timeout: 150, debug: log.debug },
    );
    const failure = await client.collection("Books").list().then(() => undefined, (error: unknown) => error);
    assert.ok(isODataHttpError(failure), String(failure));
    assert.equal(failure.status, 500);
    assert.deepEqual(log.shown(), [
      `#1 > GET ${root}Books {"accept":"application/json","accept-language":"en"}`,
      `#1 < 500 GET ${root}Books N ms {"content-type":"application/json"}`,
      `#1 ! GET ${root}Books aborted after N ms: TIMEOUT: GET ${root}Books: the answer's body stalled, no data arrived for 150 ms (option "timeout")`,
    ]);
  });

  test("an error answer whose connection drops in the middle of its body ends in a ! line with the NETWORK_ERROR", async (t) => {
    const log = collector();
    const { client, root } = await serveClient(
      t,
      (_request, res) => {
        res.writeHead(500, { "content-type": "application/json" });
        res.write('{"error":{"code":"BUSY","message":"try');
        setTimeout(() => res.socket?.destroy(), 20);
      },
      { debug: log.debug },
    );
    const failure = await client.collection("Books").list().then(() => undefined, (error: unknown) => error);
    assert.ok(isODataHttpError(failure), String(failure));
    assert.equal(failure.status, 500);
    assert.equal(log.shown().length, 3, log.shown().join("\n"));
    assert.match(log.shown()[2] as string, new RegExp(`^#1 ! GET ${root.replace(/[.?]/g, "\\$&")}Books failed after N ms: NETWORK_ERROR: reading the answer's body failed: terminated`));
  });

  test("a walk the caller aborts while its page body comes ends in a ! line with the abort", async (t) => {
    const log = collector();
    const { client, root } = await serveClient(t, (_request, res) => startOfBody(res), { debug: log.debug });
    const controller = new AbortController();
    const walk = client.collection("Books").list({ signal: controller.signal });
    // Aborted once the answer's headers are in (its `<` line written), while the body comes.
    await waitFor(() => log.shown().length === 2, "the answer's headers");
    controller.abort();
    await assert.rejects(walk, { name: "AbortError" });
    assert.deepEqual(log.shown(), [
      `#1 > GET ${root}Books {"accept":"application/json","accept-language":"en"}`,
      `#1 < 200 GET ${root}Books N ms {"content-type":"application/json"}`,
      `#1 ! GET ${root}Books aborted after N ms: AbortError: This operation was aborted`,
    ]);
  });

  test("a walk whose connection drops in the middle of the page body ends in a ! line with the NETWORK_ERROR", async (t) => {
    const log = collector();
    const { client, root } = await serveClient(
      t,
      (_request, res) => {
        startOfBody(res);
        setTimeout(() => res.socket?.destroy(), 20);
      },
      { debug: log.debug },
    );
    await assert.rejects(client.collection("Books").list(), { code: "NETWORK_ERROR" });
    assert.equal(log.lines.length, 3, log.lines.join("\n"));
    assert.match(log.shown()[2] as string, new RegExp(`^#1 ! GET ${regExpText(root)}Books failed after N ms: NETWORK_ERROR: reading the answer of GET ${regExpText(root)}Books failed: terminated`));
  });

  test("a body read whole (get()) whose connection drops, and a media stream that stalls, end in a ! line each", async (t) => {
    const log = collector();
    const { client, root } = await serveClient(
      t,
      (request, res) => {
        if (request.path.endsWith("/$value")) {
          res.writeHead(200, { "content-type": "image/png" });
          res.write("PNG");
          return;
        }
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"ID":1,');
        setTimeout(() => res.socket?.destroy(), 20);
      },
      { timeout: 400, debug: log.debug },
    );
    await assert.rejects(client.collection("Books").key(1).get(), { code: "NETWORK_ERROR" });
    const { body } = await client.collection("Photos").key(1).media().stream();
    const reader = body.getReader();
    assert.equal(new TextDecoder().decode((await reader.read()).value), "PNG");
    await assert.rejects(reader.read(), { code: "TIMEOUT" });

    const shown = log.shown();
    assert.equal(shown.length, 6, shown.join("\n"));
    assert.match(shown[2] as string, new RegExp(`^#1 ! GET ${regExpText(root)}Books\\(1\\) failed after N ms: NETWORK_ERROR: reading the answer of GET ${regExpText(root)}Books\\(1\\) failed: terminated`));
    assert.equal(shown[4], `#2 < 200 GET ${root}Photos(1)/$value N ms {"content-type":"image/png"}`);
    assert.equal(
      shown[5],
      `#2 ! GET ${root}Photos(1)/$value aborted after N ms: TIMEOUT: GET ${root}Photos(1)/$value: the answer's body stalled, no data arrived for 400 ms (option "timeout")`,
    );
  });

  test("no ! line for a body read to its end, one that is no JSON, a media stream the caller cancels, or a page read ahead while the caller leaves the walk", async (t) => {
    const log = collector();
    const { server, client, root } = await serveClient(
      t,
      (request, res) => {
        if (request.path === "/odata/Walk") {
          sendJson(res, 200, { value: [{ ID: 1 }], "@odata.nextLink": "Walk?p=2" });
        } else if (request.path === "/odata/Walk?p=2") {
          // Page 2's body is still arriving when the caller leaves: the walk stops reading it.
          startOfBody(res);
        } else if (request.path.endsWith("/$value")) {
          res.writeHead(200, { "content-type": "image/png" });
          res.write("PNG");
        } else if (request.path.startsWith("/odata/Broken")) {
          res.writeHead(200, { "content-type": "application/json" }).end("not json");
        } else {
          sendJson(res, 200, { value: [{ ID: 1 }] });
        }
      },
      { timeout: 400, debug: log.debug },
    );
    assert.deepEqual(await client.collection("Books").list(), [{ ID: 1 }]);
    await assert.rejects(client.collection("Broken").list(), { code: "BAD_PAYLOAD" });
    const { body } = await client.collection("Photos").key(1).media().stream();
    const reader = body.getReader();
    await reader.read();
    await reader.cancel();
    for await (const page of client.collection("Walk").pages({ readAhead: 1 })) {
      assert.deepEqual(page.value, [{ ID: 1 }]);
      // Page 2 is read ahead: its answer came, and its body is being read when the caller leaves.
      await waitFor(() => log.lines.some((line) => line.startsWith(`#5 < 200 GET ${root}Walk?p=2`)), "page 2's answer");
      await sleep(20);
      break;
    }
    assert.deepEqual(
      server.requests.map((request) => request.path),
      ["/odata/Books", "/odata/Broken", "/odata/Photos(1)/$value", "/odata/Walk", "/odata/Walk?p=2"],
    );
    // Past the timeout: a stall would have been reported by now.
    await sleep(500);
    assert.deepEqual(
      log.lines.map((line) => line.split(" ").slice(0, 3).join(" ")),
      ["#1 > GET", "#1 < 200", "#2 > GET", "#2 < 200", "#3 > GET", "#3 < 200", "#4 > GET", "#4 < 200", "#5 > GET", "#5 < 200"],
    );
  });
});

/** `text` as a regular expression that matches it literally. */
