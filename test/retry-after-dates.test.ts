// Retry-After as an HTTP-date, read strictly (RFC 9110 §5.6.7) rather than by Date.parse, on the
// wire: the retry step's pause and the poller's first and later polls. Dates far from today are
// used so that the clock of the machine does not change what is asserted.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ODataClient, ODataHttpError } from "../src/index.js";

interface Seen {
  method: string;
  url: string;
}

async function serve(handler: (request: IncomingMessage, response: ServerResponse, seen: Seen[]) => void) {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    seen.push({ method: request.method ?? "", url: request.url ?? "" });
    handler(request, response, seen);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const root = `http://127.0.0.1:${(server.address() as AddressInfo).port}/svc/`;
  return { root, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const json = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  response.writeHead(status, { "content-type": "application/json", "odata-version": "4.0", ...headers });
  response.end(JSON.stringify(body));
};

test("a 503 whose Retry-After has an RFC 850 two-digit year of a coming year (-68, 2068) is given back, not retried at once as 1968", async () => {
  const service = await serve((_request, response) => json(response, 503, { error: { code: "busy", message: "busy" } }, { "retry-after": "Thursday, 06-Dec-68 02:00:30 GMT" }));
  try {
    const client = new ODataClient({ serviceUrl: service.root, retry: { retries: 2, delay: 1, maxDelay: 60_000 } });
    await assert.rejects(client.collection("Items").key(1).get(), (error: unknown) => error instanceof ODataHttpError && error.status === 503);
    assert.deepEqual(service.seen, [{ method: "GET", url: "/svc/Items(1)" }]);
  } finally {
    await service.close();
  }
});

test("a 503 whose Retry-After is no valid HTTP-date (31 February, hour 25, a weekday the date is not on) is retried after the backoff, not given back for a date Date.parse makes of it", async () => {
  for (const date of ["Sat, 31 Feb 2099 02:00:30 GMT", "Sun, 06 Dec 2099 25:00:03 GMT", "Tue, 07 Dec 2099 02:00:30 GMT"]) {
    const service = await serve((_request, response, seen) => {
      if (seen.length === 1) json(response, 503, { error: { code: "busy", message: "busy" } }, { "retry-after": date });
      else json(response, 200, { ID: 1 });
    });
    try {
      const client = new ODataClient({ serviceUrl: service.root, retry: { retries: 2, delay: 1, maxDelay: 60_000 } });
      assert.deepEqual(await client.collection("Items").key(1).get(), { ID: 1 }, date);
      assert.deepEqual(
        service.seen.map((request) => request.url),
        ["/svc/Items(1)", "/svc/Items(1)"],
        date,
      );
    } finally {
      await service.close();
    }
  }
});

test("a 202 whose Retry-After is no valid HTTP-date polls after pollInterval, not at the date Date.parse makes of it", async () => {
  const service = await serve((request, response) => {
    if (request.method === "POST") {
      response.writeHead(202, { location: "monitor/1", "retry-after": "Sat, 31 Feb 2099 02:00:30 GMT" });
      response.end();
    } else {
      json(response, 200, { "@odata.context": "$metadata#Jobs/$entity", ID: 7 });
    }
  });
  try {
    const client = new ODataClient({ serviceUrl: service.root, retry: false });
    const poller = await client.collection("Jobs").createAsync({ ID: 7 }, { pollInterval: 5, maxWait: 2_000 });
    assert.equal(poller.statusUrl, `${service.root}monitor/1`);
    assert.deepEqual(await poller.wait(), { ID: 7 });
    assert.deepEqual(service.seen, [
      { method: "POST", url: "/svc/Jobs" },
      { method: "GET", url: "/svc/monitor/1" },
    ]);
  } finally {
    await service.close();
  }
});

test("a monitor's 202 whose Retry-After is an RFC 850 date of 2068 is not polled again before maxWait, as one of 1968 would be", async () => {
  const service = await serve((request, response, seen) => {
    if (request.method === "POST") {
      response.writeHead(202, { location: "monitor/1" });
      response.end();
    } else if (seen.length === 2) {
      response.writeHead(202, { location: "monitor/1", "retry-after": "Thursday, 06-Dec-68 02:00:30 GMT" });
      response.end();
    } else {
      json(response, 200, { "@odata.context": "$metadata#Jobs/$entity", ID: 7 });
    }
  });
  try {
    const client = new ODataClient({ serviceUrl: service.root, retry: false });
    const poller = await client.collection("Jobs").createAsync({ ID: 7 }, { pollInterval: 5, maxWait: 300 });
    await assert.rejects(poller.wait(), (error: unknown) => (error as { code?: string }).code === "ASYNC_OPERATION_TIMEOUT");
    assert.deepEqual(service.seen, [
      { method: "POST", url: "/svc/Jobs" },
      { method: "GET", url: "/svc/monitor/1" },
    ]);
  } finally {
    await service.close();
  }
});
