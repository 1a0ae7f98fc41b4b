/**
 * The wire log of the CSRF token fetch: its answer issues the token and the session cookie, and a
 * service may repeat them in a header of its own (SAP's `sap-message`) in that same answer. They
 * are masked there as `X-CSRF-Token` itself is, and as every later answer masks them once sent.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { sendJson, serveClient } from "./servers/recording-server.js";
import { collector } from "./wire-log-collector.js";

const TOKEN = "Kp2Wd9Xr4Lm7Qs1Zt8Vn";
/** As SAP writes a session id in its cookie: percent-encoded, which the service echoes decoded. */
const SESSION_COOKIE = "Xq7Lr2Pz9Kw4Tn8Vb3Hm%3d";
const SESSION_ID = "Xq7Lr2Pz9Kw4Tn8Vb3Hm=";

test("the CSRF token fetch's answer line masks the token and session id the service repeats in sap-message", async (t) => {
  const log = collector();
  const echo = JSON.stringify({ code: "/IWFND/CM/001", message: `token ${TOKEN} session ${SESSION_ID} client sap-client=100`, severity: "info" });
  const { server, client, root } = await serveClient(
    t,
    (request, res) => {
      if (request.headers["x-csrf-token"] === "Fetch") {
        res.writeHead(200, {
          "content-type": "application/json",
          "x-csrf-token": TOKEN,
          "set-cookie": [`SAP_SESSIONID_ABC_100=${SESSION_COOKIE}; path=/; HttpOnly`, "sap-usercontext=sap-client=100; path=/"],
          "sap-message": echo,
        });
        res.end("{}");
        return;
      }
      sendJson(res, 201, { ID: 7 }, { "sap-message": echo });
    },
    { csrf: true, debug: log.debug },
  );
  await client.collection<{ ID: number }>("Books").create({ ID: 7 });

  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${request.path} ${request.headers["x-csrf-token"]} ${request.headers.cookie}`),
    ["GET /odata/ Fetch undefined", `POST /odata/Books ${TOKEN} SAP_SESSIONID_ABC_100=${SESSION_COOKIE}; sap-usercontext=sap-client=100`],
  );
  const masked = JSON.stringify(JSON.stringify({ code: "/IWFND/CM/001", message: "token *** session *** client sap-client=100", severity: "info" }));
  assert.deepEqual(log.shown(), [
    `#1 csrf > GET ${root} {"accept":"application/json","accept-language":"en","x-csrf-token":"Fetch"}`,
    `#1 csrf < 200 GET ${root} N ms {"content-type":"application/json","sap-message":${masked},"x-csrf-token":"***"}`,
    `#2 > POST ${root}Books {"accept":"application/json","accept-language":"en","content-type":"application/json","odata-maxversion":"4.0","odata-version":"4.0","x-csrf-token":"***"}`,
    `#2 < 201 POST ${root}Books N ms {"content-type":"application/json","sap-message":${masked}}`,
  ]);
});
