// The wire log's line of a failed request is `CODE: message`. Masked as one text, a code holding a
// secret word (CREDENTIALS_IN_URL) read as a header name, and the whole message after it was
// masked: the line said `CREDENTIALS_IN_URL: ***")`. The message is masked on its own now; what
// it carries of a secret still is.
import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { ODataClientError, type PipelineStep } from "../src/index.js";
import { answerJson, serveClient } from "./servers/recording-server.js";

test("a request refused for credentials in its URL is logged with its message, the password nowhere", async (t) => {
  const lines: string[] = [];
  // A step of the program's own that writes credentials into the URL: the client refuses to send it.
  const credentials: PipelineStep = {
    name: "credentials",
    handle(request, next) {
      request.url.username = "u";
      request.url.password = "PassW0rdSecret";
      return next(request);
    },
  };
  const { server, client, root } = await serveClient(t, answerJson(200, { value: [] }), { debug: (line) => lines.push(line), steps: [credentials] });
  const error = await client.collection("Books").list().then(
    () => assert.fail("resolved"),
    (failure: unknown) => failure,
  );
  assert.ok(error instanceof ODataClientError);
  assert.equal(error.code, "CREDENTIALS_IN_URL");
  assert.equal(server.requests.length, 0, "nothing was sent");
  assert.equal(lines.length, 2, lines.join("\n"));
  assert.equal(lines[0], `#1 > GET ${root}Books {"accept":"application/json","accept-language":"en"}`);
  assert.match(lines[1]!, /^#1 ! GET \S+ failed after \d+ ms: CREDENTIALS_IN_URL: (.*)$/);
  assert.equal(lines[1]!.replace(/^.* ms: /, ""), `CREDENTIALS_IN_URL: ${error.message}`);
  assert.doesNotMatch(lines.join("\n") + inspect(error, { depth: 6 }), /PassW0rdSecret/);
});

test("a failure whose message holds a secret still has it masked in the log line", async (t) => {
  const lines: string[] = [];
  // The transport's own words carry a bearer token (a proxy's), which the error already masks.
  const fetch = () => Promise.reject(new TypeError("proxy said: Authorization: Bearer eyJhbGciOi.Sup3rSecret99 was refused"));
  const { server, client, root } = await serveClient(t, answerJson(200, { value: [] }), { debug: (line) => lines.push(line), fetch });
  const error = await client.collection("Books").list().then(
    () => assert.fail("resolved"),
    (failure: unknown) => failure,
  );
  assert.ok(error instanceof ODataClientError);
  assert.equal(error.message, `GET ${root}Books failed before an answer arrived: proxy said: Authorization: ***`);
  assert.equal(server.requests.length, 0);
  assert.equal(lines.length, 2, lines.join("\n"));
  assert.equal(lines[1]!.replace(/ after \d+ ms:/, " after … ms:"), `#1 ! GET ${root}Books failed after … ms: NETWORK_ERROR: ${error.message}`);
  assert.doesNotMatch(lines.join("\n"), /Sup3rSecret99/);
});
