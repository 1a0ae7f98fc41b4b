// An OData v2 batch sends a write added to the batch itself in a changeset of its own; SAP Gateway
// answers that changeset's failure with one response in its place. A 412 or 428 there is the
// write's own answer, and is explained as a top-level write's is (README "$batch", ETags).
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataHttpError } from "../src/index.js";
import { serve } from "./batch-server.js";

/** SAP Gateway's answer to a failed changeset: one response in its place, no Content-ID. */
function gatewayFailure(status: number, reason: string): { status: number; headers: Record<string, string>; body: string } {
  const error = JSON.stringify({ error: { code: "/IWBEP/CM_MGW_RT/022", message: { lang: "en", value: reason } } });
  const part = `Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\n\r\n${error}\r\n`;
  return { status: 202, headers: { "Content-Type": "multipart/mixed; boundary=gw_answer" }, body: `--gw_answer\r\n${part}--gw_answer--\r\n` };
}

for (const [status, reason, explanation] of [
  [412, "Precondition Failed", "(precondition failed: the entity changed since it was read (its ETag no longer matches If-Match); read it again and reapply the change)"],
  [428, "Precondition Required", "(precondition required: the service wants If-Match for this write; pass { etag } (the entity read earlier or its ETag), or { ifMatch: \"*\" } to write whatever version is there)"],
] as const) {
  test(`v2: a top-level update answered ${status} in its own changeset's place gets the precondition explanation`, async () => {
    const service = await serve(() => gatewayFailure(status, reason));
    try {
      const client = new ODataClient({ serviceUrl: service.url, version: "2.0" });
      const batch = client.batch();
      const update = batch.update(client.collection("Books").key(2), { stock: 1 }, { etag: 'W/"1"' });
      await batch.send();

      assert.equal(service.seen.length, 1);
      const body = service.seen[0]!.body;
      assert.match(body, /^--(batch_[^\r]+)\r\nContent-Type: multipart\/mixed; boundary=changeset_[^\r]+\r\n\r\n--changeset_[^\r]+\r\nContent-Type: application\/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: 1\r\n\r\nMERGE Books\(2\) HTTP\/1\.1\r\n/);
      assert.match(body, /\r\nif-match: W\/"1"\r\n\r\n\{"stock":1\}\r\n--changeset_[^\r]+--\r\n--batch_[^\r]+--\r\n$/);

      const result = update.result();
      assert.equal(result.ok, false);
      assert.equal(result.status, status);
      assert.ok(result.error instanceof ODataHttpError);
      assert.equal(result.error.code, "HTTP_ERROR");
      assert.equal(result.error.status, status);
      assert.equal(result.error.odataError?.code, "/IWBEP/CM_MGW_RT/022");
      assert.equal(result.error.message, `MERGE ${service.url}Books(2) failed with HTTP ${status} ${reason} [/IWBEP/CM_MGW_RT/022]: ${reason} ${explanation}`);
    } finally {
      service.close();
    }
  });
}
