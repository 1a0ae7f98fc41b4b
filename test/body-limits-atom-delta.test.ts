// Bodies read whole, against node:http services on 127.0.0.1 that never stop sending: an Atom page of
// a v2 walk and a delta page (JSON, and Atom asked for with `format: "atom"`) are cut at 64 MiB
// (ATOM_PAGE_LIMIT of payload/atom.ts), an operation's result and `$metadata` at 256 MiB (the
// default of readBodyText, http/body.ts), with BAD_PAYLOAD naming the request and the limit, and the
// connection is closed, so that no more data flows. They were read without a bound: memory grew for
// as long as the service kept sending, which `timeout` does not stop while data comes.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, type ODataClientOptions } from "../src/index.js";
import { clientRejection } from "./servers/recording-server.js";
import { assertCutOff, serveEndless, type EndlessService } from "./servers/endless-service.js";

const LIMIT = 64 * 1024 * 1024;
const TEXT_LIMIT = 256 * 1024 * 1024;

async function serve(t: { after(fn: () => Promise<void>): void }, contentType: string, head: string, fill: string, limit = LIMIT): Promise<EndlessService> {
  return serveEndless(t, contentType, head, fill, limit);
}

function clientFor(service: EndlessService, options: Partial<ODataClientOptions> = {}): ODataClient {
  return new ODataClient({ serviceUrl: service.url("svc/"), retry: false, timeout: 5_000, ...options });
}


async function drain(pages: AsyncIterable<unknown>): Promise<unknown[]> {
  const read: unknown[] = [];
  for await (const page of pages) read.push(page);
  return read;
}


const ATOM_HEAD =
  '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"><id>Items</id><title type="text">Items</title>';
const ATOM_ENTRY = '<entry><id>Items(1)</id><content type="application/xml"><m:properties><d:ID m:type="Edm.Int32">1</d:ID></m:properties></content></entry>';

describe("pages read whole never grow past 64 MiB", () => {
  test("a v2 walk whose Atom page never ends rejects with BAD_PAYLOAD naming the page and the limit, and closes the connection", { timeout: 30_000 }, async (t) => {
    const service = await serve(t, "application/atom+xml;type=feed;charset=utf-8", ATOM_HEAD, ATOM_ENTRY);
    const error = await clientRejection(drain(clientFor(service, { version: "2.0" }).collection("Items").pages()));
    assert.equal(error.code, "BAD_PAYLOAD");
    assert.equal(error.message, `GET ${service.url("svc/Items")} answered more than ${LIMIT} bytes`);
    await assertCutOff(service);
    assert.deepEqual(service.paths, ["/svc/Items"]);
  });

  test("a v4 delta page of JSON that never ends rejects with BAD_PAYLOAD naming the page and the limit, and closes the connection", { timeout: 30_000 }, async (t) => {
    const service = await serve(t, "application/json", '{"@odata.context":"$metadata#Items/$delta","value":[', '{"ID":1,"Name":"changed"},');
    const error = await clientRejection(drain(clientFor(service).delta(service.url("svc/Items?$deltatoken=1"))));
    assert.equal(error.code, "BAD_PAYLOAD");
    assert.equal(error.message, `GET ${service.url("svc/Items?$deltatoken=1")} answered more than ${LIMIT} bytes`);
    await assertCutOff(service);
    assert.deepEqual(service.paths, ["/svc/Items?$deltatoken=1"]);
  });

  test('a v2 delta page asked for as Atom (format: "atom") that never ends rejects with BAD_PAYLOAD naming the page and the limit, and closes the connection', { timeout: 30_000 }, async (t) => {
    const service = await serve(t, "application/atom+xml;type=feed", ATOM_HEAD, ATOM_ENTRY);
    const error = await clientRejection(drain(clientFor(service, { version: "2.0" }).delta("Items?!deltatoken='1'", { format: "atom" })));
    assert.equal(error.code, "BAD_PAYLOAD");
    assert.equal(error.message, `GET ${service.url("svc/Items?!deltatoken=%271%27")} answered more than ${LIMIT} bytes`);
    await assertCutOff(service);
    assert.deepEqual(service.paths, ["/svc/Items?!deltatoken=%271%27"]);
  });
});

describe("answers read whole without a bound of their own stop at 256 MiB", () => {
  test("an operation whose result never ends rejects with BAD_PAYLOAD naming the call and the limit, and closes the connection", { timeout: 30_000 }, async (t) => {
    const service = await serve(t, "application/json", '{"@odata.context":"$metadata#Collection(Edm.String)","value":[', '"row",', TEXT_LIMIT);
    const error = await clientRejection(clientFor(service).function("report").get());
    assert.equal(error.code, "BAD_PAYLOAD");
    assert.equal(error.message, `GET ${service.url("svc/report()")} answered more than ${TEXT_LIMIT} bytes`);
    await assertCutOff(service);
    assert.deepEqual(service.paths, ["/svc/report()"]);
  });

  test("a write whose answer never ends rejects create() with BAD_PAYLOAD naming the POST and the limit, and closes the connection", { timeout: 30_000 }, async (t) => {
    const service = await serve(t, "application/json", '{"ID":1,"note":"', "still writing ", TEXT_LIMIT);
    const error = await clientRejection(clientFor(service).collection("Items").create({ ID: 1 }));
    assert.equal(error.code, "BAD_PAYLOAD");
    assert.equal(error.message, `POST ${service.url("svc/Items")} answered more than ${TEXT_LIMIT} bytes`);
    await assertCutOff(service);
    assert.deepEqual(service.paths, ["/svc/Items"]);
  });

  test("a status monitor whose answer never ends rejects the poll with BAD_PAYLOAD naming the monitor and the limit, and closes the connection", { timeout: 30_000 }, async (t) => {
    const service = await serve(t, "application/json", '{"status":"Running","detail":"', "still running ", TEXT_LIMIT);
    const error = await clientRejection(clientFor(service).asyncPoller("monitor/1").poll());
    assert.equal(error.code, "BAD_PAYLOAD");
    assert.equal(error.message, `GET ${service.url("svc/monitor/1")} answered more than ${TEXT_LIMIT} bytes`);
    await assertCutOff(service);
    assert.deepEqual(service.paths, ["/svc/monitor/1"]);
  });

  test("a multipart $batch answer that never ends, read as bytes, rejects send() with BAD_PAYLOAD naming the batch and the limit, and closes the connection", { timeout: 30_000 }, async (t) => {
    const service = await serve(t, "multipart/mixed; boundary=b", "--b\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n", "\u00ff\u0001", TEXT_LIMIT);
    const batch = clientFor(service).batch({ format: "multipart" });
    batch.request({ method: "GET", url: "Items(1)/$value" });
    const error = await clientRejection(batch.send());
    assert.equal(error.code, "BAD_PAYLOAD");
    assert.equal(error.message, `POST ${service.url("svc/$batch")} answered more than ${TEXT_LIMIT} bytes`);
    await assertCutOff(service);
    assert.deepEqual(service.paths, ["/svc/$batch"]);
  });

  test("$metadata that never ends rejects with BAD_PAYLOAD naming the request and the limit, and closes the connection", { timeout: 30_000 }, async (t) => {
    const service = await serve(
      t,
      "application/xml",
      '<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="NS" xmlns="http://docs.oasis-open.org/odata/ns/edm">',
      '<EntityType Name="T"><Property Name="P" Type="Edm.String"/></EntityType>',
      TEXT_LIMIT,
    );
    const error = await clientRejection(clientFor(service).metadata());
    assert.equal(error.code, "BAD_PAYLOAD");
    assert.equal(error.message, `GET ${service.url("svc/$metadata")} answered more than ${TEXT_LIMIT} bytes`);
    await assertCutOff(service);
    assert.deepEqual(service.paths, ["/svc/$metadata"]);
  });
});
