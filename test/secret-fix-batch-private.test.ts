/**
 * A batch and its changesets keep the client's core (its options, credentials among them) private:
 * no property reaches it and `util.inspect` with hidden members and getters shown prints none of
 * them. The batch still sends its writes with the credentials.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";
import { ODataClient, type BatchChangeset, type BatchHandle } from "../src/index.js";
import { sendJson, startServer } from "./servers/recording-server.js";

const CLIENT_SECRET = "OAuthClientSecret-4242";
const API_KEY = "ApiKey-4242";

test("a batch and its changeset show no credential through a property or inspect(showHidden, getters), and still send them", async (t) => {
  const CRLF = "\r\n";
  const server = await startServer((request, res) => {
    if (request.path === "/token") {
      sendJson(res, 200, { access_token: "AccessTok-4242-abcdef", token_type: "Bearer", expires_in: 3600 });
      return;
    }
    const changeset = /boundary=(changeset[^\r\n;]*)/.exec(request.body)?.[1] ?? "cs";
    const body = [
      `--b1`,
      `Content-Type: multipart/mixed; boundary=${changeset}`,
      "",
      `--${changeset}`,
      "Content-Type: application/http",
      "Content-Transfer-Encoding: binary",
      "Content-ID: 1",
      "",
      "HTTP/1.1 204 No Content",
      "",
      "",
      `--${changeset}--`,
      `--b1--`,
      "",
    ].join(CRLF);
    res.writeHead(200, { "content-type": "multipart/mixed; boundary=b1", "odata-version": "4.0" });
    res.end(body);
  });
  t.after(() => server.close());
  const client = new ODataClient({
    serviceUrl: server.url("odata/"),
    retry: false,
    headers: { "x-api-key": API_KEY },
    auth: { oauth2: { tokenUrl: server.url("token"), clientId: "app", clientSecret: CLIENT_SECRET } },
  });
  const batch = client.batch();
  let changeset: BatchChangeset | undefined;
  let created: BatchHandle<unknown> | undefined;
  batch.changeset((writes) => {
    changeset = writes;
    created = writes.create(client.collection("Books"), { ID: 1 });
  });
  assert.ok(changeset !== undefined && created !== undefined);

  const secrets = new RegExp(`${CLIENT_SECRET}|${API_KEY}`);
  for (const value of [batch, changeset]) {
    assert.equal((value as unknown as { context?: unknown }).context, undefined);
    assert.doesNotMatch(inspect(value, { showHidden: true, getters: true, depth: Infinity }), secrets);
  }

  await batch.send();
  const result = created.result();
  assert.ok(result.ok);
  assert.equal(result.status, 204);
  assert.equal(result.value, undefined);
  const sent = server.requests.find((request) => request.path === "/odata/$batch");
  assert.equal(sent?.headers["x-api-key"], API_KEY);
  assert.equal(sent?.headers.authorization, "Bearer AccessTok-4242-abcdef");
  assert.match(sent?.body ?? "", /POST Books HTTP\/1\.1/);
});
