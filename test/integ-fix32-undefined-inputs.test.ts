/**
 * The batch's raw request and an HTTP error's init take `undefined` for an optional member, as
 * every other input does: under exactOptionalPropertyTypes (this repository's setting)
 * `{ headers: maybeHeaders }` compiles only where the member is declared `| undefined`, and at run
 * time `undefined` means "not given".
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ODataClient, ODataHttpError } from "../src/index.js";
import { sendText, startServer } from "./servers/recording-server.js";
import { virtualDiagnostics } from "./virtual-program.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const VIRTUAL = join(ROOT, "test", "integ-fix32-undefined-inputs.virtual");
const CRLF = "\r\n";

/** A program that hands possibly-undefined values to the optional members, as computed options are. */
const PROGRAM = `import { ODataClient, ODataHttpError, type BatchRawRequest, type ODataHttpErrorInit } from "../../src/index.js";
declare const headers: Record<string, string> | undefined;
declare const statusText: string | undefined;
const batch = new ODataClient({ serviceUrl: "http://127.0.0.1:9/odata/" }).batch();
batch.request({ method: "GET", url: "Books(1)", headers });
export const raw: BatchRawRequest = { method: "GET", url: "Books(2)", headers, body: undefined };
const init: ODataHttpErrorInit = { status: 503, statusText, method: "GET", url: "http://127.0.0.1:9/odata/Books", headers: {}, body: "" };
export const error = new ODataHttpError(init);
`;

test("BatchRawRequest.headers and ODataHttpErrorInit.statusText take a value that may be undefined, which is taken as not given", async (t) => {
  const file = join(VIRTUAL, "program.ts");
  assert.deepEqual(virtualDiagnostics(new Map([[file, PROGRAM]]), VIRTUAL, ROOT, " ").get(file), []);

  // On the wire: the part has the default Accept and no other header.
  const answer = [
    "--resp",
    "Content-Type: application/http",
    "Content-Transfer-Encoding: binary",
    "",
    "HTTP/1.1 200 OK",
    "Content-Type: application/json",
    "",
    '{"ID":1,"title":"Dune"}',
    "--resp--",
    "",
  ].join(CRLF);
  const server = await startServer((_request, res) => sendText(res, 200, answer, { "content-type": "multipart/mixed; boundary=resp", "odata-version": "4.0" }));
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("odata/"), version: "4.0", retry: false });
  const batch = client.batch({ format: "multipart", boundaries: { batch: "batch_1", changeset: (n) => `changeset_${n}` } });
  const maybeHeaders: Record<string, string> | undefined = undefined;
  const book = batch.request<{ ID: number; title: string }>({ method: "GET", url: "Books(1)", headers: maybeHeaders });
  await batch.send();

  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${request.path}`),
    ["POST /odata/$batch"],
  );
  assert.equal(
    server.requests[0]!.body,
    ["--batch_1", "Content-Type: application/http", "Content-Transfer-Encoding: binary", "Content-ID: 1", "", "GET Books(1) HTTP/1.1", "accept: application/json", "", "", "--batch_1--", ""].join(CRLF),
  );
  const result = book.result();
  assert.ok(result.ok);
  assert.deepEqual(result.value, { ID: 1, title: "Dune" });

  const error = new ODataHttpError({ status: 503, statusText: undefined, method: "GET", url: "http://127.0.0.1:9/odata/Books", headers: {}, body: "" });
  assert.equal(error.message, "GET http://127.0.0.1:9/odata/Books failed with HTTP 503");
});
