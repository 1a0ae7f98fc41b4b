// A Location header sent unencoded, as raw UTF-8 bytes (`Location: Tgt/Müller€`), which fetch gives
// one character per byte: the client reads it as the UTF-8 it is before resolving it, as fetch
// does when it follows a redirect itself, for the redirects it follows and for every Location of a
// long-running operation. A value that is no UTF-8 as bytes is resolved as it came.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ODataClient } from "../src/index.js";

/** The UTF-8 bytes of `text` as a string node:http writes one byte per character. */
const utf8Bytes = (text: string) => Buffer.from(text, "utf8").toString("latin1");

/** Where a correct client goes for `Müller€`: its UTF-8, percent-encoded. */
const MUELLER = "M%C3%BCller%E2%82%AC";

async function serve(handler: (request: IncomingMessage, response: ServerResponse) => void) {
  const seen: string[] = [];
  const server = createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const root = `http://127.0.0.1:${(server.address() as AddressInfo).port}/svc/`;
  return { root, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function entity(response: ServerResponse, body: Record<string, unknown>, status = 200) {
  response.writeHead(status, { "content-type": "application/json", "odata-version": "4.0" });
  response.end(JSON.stringify(body));
}

function notFound(response: ServerResponse) {
  response.writeHead(404, { "content-type": "application/json" });
  response.end(JSON.stringify({ error: { code: "404", message: "no such resource" } }));
}

test("a redirect to an unencoded UTF-8 Location is followed to the URL that fetch itself follows it to", async () => {
  const service = await serve((request, response) => {
    if (request.url === "/svc/Red(1)") {
      response.writeHead(307, { location: utf8Bytes("Tgt/Müller€") });
      response.end();
    } else if (request.url === `/svc/Tgt/${MUELLER}`) entity(response, { ID: 1 });
    else notFound(response);
  });
  try {
    const native = await fetch(`${service.root}Red(1)`);
    assert.equal(new URL(native.url).pathname, `/svc/Tgt/${MUELLER}`);
    await native.body?.cancel();
    service.seen.length = 0;
    const client = new ODataClient({ serviceUrl: service.root, retry: false });
    assert.deepEqual(await client.collection("Red").key(1).get(), { ID: 1 });
    assert.deepEqual(service.seen, ["GET /svc/Red(1)", `GET /svc/Tgt/${MUELLER}`]);
  } finally {
    await service.close();
  }
});

test("a redirect's Location that is no UTF-8 as bytes (ISO-8859-1 ü) is resolved as it came", async () => {
  const service = await serve((request, response) => {
    if (request.url === "/svc/Red(1)") {
      response.writeHead(301, { location: "Tgt/M\xfcller" });
      response.end();
    } else if (request.url === "/svc/Tgt/M%C3%BCller") entity(response, { ID: 2 });
    else notFound(response);
  });
  try {
    const client = new ODataClient({ serviceUrl: service.root, retry: false });
    assert.deepEqual(await client.collection("Red").key(1).get(), { ID: 2 });
    assert.deepEqual(service.seen, ["GET /svc/Red(1)", "GET /svc/Tgt/M%C3%BCller"]);
  } finally {
    await service.close();
  }
});

test("a 202's unencoded UTF-8 Location is the statusUrl the poller shows and polls", async () => {
  const service = await serve((request, response) => {
    if (request.method === "POST") {
      response.writeHead(202, { location: utf8Bytes("monitor/Müller€") });
      response.end();
    } else if (request.url === `/svc/monitor/${MUELLER}`) entity(response, { "@odata.context": "$metadata#Jobs/$entity", ID: 7 });
    else notFound(response);
  });
  try {
    const client = new ODataClient({ serviceUrl: service.root, retry: false });
    const poller = await client.collection("Jobs").createAsync({ ID: 7 }, { pollInterval: 5 });
    assert.equal(poller.statusUrl, `${service.root}monitor/${MUELLER}`);
    assert.deepEqual(await poller.wait(), { ID: 7 });
    assert.deepEqual(service.seen, ["POST /svc/Jobs", `GET /svc/monitor/${MUELLER}`]);
  } finally {
    await service.close();
  }
});

test("a done-at-once 201's unencoded UTF-8 Location is the statusUrl", async () => {
  const service = await serve((_request, response) => {
    response.writeHead(201, { location: utf8Bytes("Jobs('Müller€')"), "content-type": "application/json", "odata-version": "4.0" });
    response.end(JSON.stringify({ "@odata.context": "$metadata#Jobs/$entity", ID: 7 }));
  });
  try {
    const client = new ODataClient({ serviceUrl: service.root, retry: false });
    const poller = await client.collection("Jobs").createAsync({ ID: 7 }, { pollInterval: 5 });
    assert.equal(poller.statusUrl, `${service.root}Jobs('${MUELLER}')`);
    assert.deepEqual(await poller.wait(), { ID: 7 });
    assert.deepEqual(service.seen, ["POST /svc/Jobs"]);
  } finally {
    await service.close();
  }
});

test("a monitor's unencoded UTF-8 Location is polled or fetched where it names: a new monitor on 202, the result on 303 and on 204", async () => {
  for (const status of [202, 303, 204]) {
    const service = await serve((request, response) => {
      if (request.method === "POST") {
        response.writeHead(202, { location: "monitor/1" });
        response.end();
      } else if (request.url === "/svc/monitor/1") {
        response.writeHead(status, { location: utf8Bytes("result/Müller€") });
        response.end();
      } else if (request.url === `/svc/monitor/result/${MUELLER}`) entity(response, { "@odata.context": "$metadata#Jobs/$entity", ID: 8 });
      else notFound(response);
    });
    try {
      const client = new ODataClient({ serviceUrl: service.root, retry: false });
      const poller = await client.collection("Jobs").createAsync({ ID: 8 }, { pollInterval: 5 });
      assert.deepEqual(await poller.wait(), { ID: 8 }, `${status}`);
      assert.deepEqual(service.seen, ["POST /svc/Jobs", "GET /svc/monitor/1", `GET /svc/monitor/result/${MUELLER}`], `${status}`);
      if (status === 202) assert.equal(poller.statusUrl, `${service.root}monitor/result/${MUELLER}`);
    } finally {
      await service.close();
    }
  }
});

test("an action answered 202 with an unencoded UTF-8 Location names that monitor; a batch answered so polls it", async () => {
  const service = await serve((request, response) => {
    if (request.url === "/svc/Start" || request.url === "/svc/$batch") {
      response.writeHead(202, { location: utf8Bytes("monitor/Müller€") });
      response.end();
    } else if (request.url === `/svc/monitor/${MUELLER}`) {
      response.writeHead(202, { "retry-after": "1" });
      response.end();
    } else notFound(response);
  });
  try {
    const client = new ODataClient({ serviceUrl: service.root, retry: false });
    await assert.rejects(client.action("Start").invoke(), (error: Error & { code?: string }) => {
      assert.equal(error.code, "ASYNC_OPERATION_PENDING");
      assert.ok(error.message.endsWith(`The monitor: ${service.root}monitor/${MUELLER}`), error.message);
      return true;
    });
    const batch = client.batch();
    batch.get(client.collection("Things").key(1));
    const poller = await batch.sendAsync();
    assert.equal(await poller.poll(), true);
    assert.deepEqual(service.seen, ["POST /svc/Start", "POST /svc/$batch", `GET /svc/monitor/${MUELLER}`]);
  } finally {
    await service.close();
  }
});
