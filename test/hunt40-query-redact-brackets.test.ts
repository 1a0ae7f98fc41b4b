/**
 * A message that quotes a redacted URL in brackets, as the library's own do (`… already read
 * (https://…?sig=***); stopping instead of looping`): every error's message is redacted again as a
 * whole, and the URL found in it runs on over the `);` that closes it, which was masked with the
 * value, leaving `(…sig=*** stopping`. A value masked already is left, the brackets with it; a
 * secret is still masked whatever follows it. Shown on a node:http server's next link and on the
 * redaction of text.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClientError } from "../src/index.js";
import { serveClient, sendJson } from "./servers/recording-server.js";
import { redactText, redactUrl } from "../src/util/redact.js";

describe("a redacted URL in brackets keeps its brackets", () => {
  test("NEXT_LINK_LOOP: the loop's URL, its signature masked, in its parentheses and before the ;", async (t) => {
    const { server, client, root } = await serveClient(t, (request, res) => {
      const link = "Items?$skiptoken=1&sig=s3cr3t-SIG&api_key=k3y";
      sendJson(res, 200, { value: [{ ID: request.path.includes("skiptoken") ? 2 : 1 }], "@odata.nextLink": link });
    });
    const error = await client.collection("Items").list().then(
      () => assert.fail("the loop was followed"),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof ODataClientError);
    assert.equal(error.code, "NEXT_LINK_LOOP");
    assert.equal(
      error.message,
      `the service sent a next link back to a page already read (${root}Items?$skiptoken=1&sig=***&api_key=***); stopping instead of looping`,
    );
    assert.doesNotMatch(`${error.message} ${error.stack} ${JSON.stringify(error)}`, /s3cr3t|k3y/);
    assert.deepEqual(server.requests.map((request) => request.path), ["/odata/Items", "/odata/Items?$skiptoken=1&sig=s3cr3t-SIG&api_key=k3y"]);
  });

  // A timeout long enough that the request itself is answered before it even on a loaded machine: the onResponse is what times out.
  test("TIMEOUT of onResponse: the URL, its code masked, then the message's colon", async (t) => {
    const { server, client, root } = await serveClient(t, (_request, res) => sendJson(res, 200, { value: [] }));
    const error = await client
      .collection("Items")
      .param("code", "s3cr3t-FN-KEY")
      .list({ onResponse: () => new Promise<void>(() => {}), timeout: 1000 })
      .then(
        () => assert.fail("onResponse never settles"),
        (caught: unknown) => caught,
      );
    assert.ok(error instanceof ODataClientError);
    assert.equal(error.code, "TIMEOUT");
    assert.equal(error.message, `GET ${root}Items?code=***: its onResponse did not settle within 1000 ms (option "timeout")`);
    assert.equal(server.requests[0]?.path, "/odata/Items?code=s3cr3t-FN-KEY");
  });

  test("redactText of a message with a redacted URL in brackets leaves it as it is, query and path parameters alike", () => {
    for (const url of ["https://h/svc/Books?$top=1&access_token=Q7tk", "https://h/svc/Books;jsessionid=Q7js", "https://h/svc/Books?%73ig=Q7sg", "https://h/svc/?sig=Q7sg#x"]) {
      const message = `GET failed (${redactUrl(url)}); see [${redactUrl(url)}], {${redactUrl(url)}}.`;
      assert.doesNotMatch(message, /Q7/);
      assert.equal(redactText(message), message, url);
    }
  });

  test("a secret is masked whatever follows it: a value that goes on after *** is one", () => {
    assert.equal(redactText("(GET https://h/x?sig=***abc)"), "(GET https://h/x?sig=***");
    assert.equal(redactText("(GET https://h/x?sig=***-abc)"), "(GET https://h/x?sig=***");
    assert.equal(redactUrl("https://h/x?sig=***abc"), "https://h/x?sig=***");
    assert.equal(redactUrl("https://h/x;jsessionid=***abc/y"), "https://h/x;jsessionid=***/y");
    assert.equal(redactText("see https://h/x?%73ig=***abc"), "see https://h/x?%73ig=***");
    // A raw secret with a bracket after it: the bracket may be the secret's, and is masked with it.
    assert.equal(redactText("(GET https://h/x?sig=abc)"), "(GET https://h/x?sig=***");
  });
});
