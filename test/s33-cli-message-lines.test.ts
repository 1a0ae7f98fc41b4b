// A service's error message that holds line breaks or tabs is printed on one line of stderr, each
// line break as `⏎` and each tab as `→`, as a table cell shows them: the message cannot start a
// line of its own (a fake `error:`) on the terminal. `--json` carries the message unchanged.
// Over a node:http service on 127.0.0.1.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliInProcess } from "./cli-in-process.js";
import { sendJson, sendText, startServer } from "./servers/recording-server.js";

const MESSAGE = "line1\nerror: fake\r\nline3\u2028line4\ttabbed";

async function failingService(t: { after(fn: () => Promise<void>): void }) {
  const server = await startServer((request, res) => {
    if (request.path.startsWith("/v2/")) {
      const xml = `<?xml version="1.0" encoding="utf-8"?><error xmlns="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"><code>X2</code><message xml:lang="en">${MESSAGE.replace("\r", "&#13;")}</message></error>`;
      return sendText(res, 400, xml, { "content-type": "application/xml", dataserviceversion: "2.0" });
    }
    sendJson(res, 400, { error: { code: "X", message: MESSAGE } }, { "odata-version": "4.0" });
  });
  t.after(() => server.close());
  return server;
}

const show = (o: { code: number; stdout: string; stderr: string }) => `exit ${o.code}\nstdout: ${o.stdout}\nstderr: ${o.stderr}`;

test("a v4 service's error message with line breaks and a tab is one line on stderr, ⏎ and → in their places", async (t) => {
  const server = await failingService(t);
  const plain = await cliInProcess(["count", server.url("v4/"), "T", "--quiet"]);
  assert.equal(plain.code, 3, show(plain));
  assert.equal(plain.stderr, `error: GET ${server.url("v4/T/$count")} failed with HTTP 400 Bad Request [X]: line1⏎error: fake⏎line3⏎line4→tabbed\n`);
  assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), ["GET /v4/T/$count"]);
  const json = await cliInProcess(["count", server.url("v4/"), "T", "--quiet", "--json"]);
  assert.equal(json.code, 3, show(json));
  assert.equal((JSON.parse(json.stderr) as { error: { odataError: { message: string } } }).error.odataError.message, MESSAGE);
});

test("a v2 service's XML error message with line breaks is one line on stderr too", async (t) => {
  const server = await failingService(t);
  const plain = await cliInProcess(["count", server.url("v2/"), "T", "--quiet"]);
  assert.equal(plain.code, 3, show(plain));
  assert.equal(plain.stderr.split("\n").length, 2, show(plain));
  assert.match(plain.stderr, /^error: GET \S+\/v2\/T\/\$count failed with HTTP 400 Bad Request \[X2\]: line1⏎error: fake⏎line3⏎line4→tabbed\n$/, show(plain));
});
