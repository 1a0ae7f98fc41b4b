/**
 * An OData error's instance annotations (OData JSON Format §21.1): SAP's `@Common.numericSeverity`
 * on the error and on each of its details, Dataverse's `@Microsoft.PowerApps.CDS.*` error details.
 * `odataError.annotations` keeps them by their names as sent, redacted as the rest of the error
 * is; an error without any has no `annotations`. Over node:http on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { sendJson, startServer } from "./servers/recording-server.js";
import { httpError } from "./http-error.js";


test("SAP's numericSeverity on the error and on each detail is kept as annotations; an error without any has none", async (t) => {
  const server = await startServer((request, res) =>
    request.path.includes("Plain")
      ? sendJson(res, 400, { error: { code: "400", message: "plain" } })
      : sendJson(res, 400, {
          error: {
            code: "ASSERT_RANGE",
            message: "Value is out of range",
            target: "stock",
            "@Common.numericSeverity": 4,
            "@Common.longtextUrl": "/texts/ASSERT_RANGE",
            details: [{ code: "W1", message: "check the price", target: "price", "@Common.numericSeverity": 3 }],
          },
        }),
  );
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("odata/v4/catalog/"), retry: false });
  const error = await httpError(client.collection("Books").key(1).update({ stock: -1 }, { etag: false }));
  assert.deepEqual([server.requests[0]?.method, server.requests[0]?.path, server.requests[0]?.body], ["PATCH", "/odata/v4/catalog/Books(1)", '{"stock":-1}']);
  assert.deepEqual(error.odataError, {
    code: "ASSERT_RANGE",
    message: "Value is out of range",
    target: "stock",
    details: [{ code: "W1", message: "check the price", target: "price", annotations: { "@Common.numericSeverity": 3 } }],
    annotations: { "@Common.numericSeverity": 4, "@Common.longtextUrl": "/texts/ASSERT_RANGE" },
  });
  const plain = await httpError(client.collection("Plain").list());
  assert.deepEqual(plain.odataError, { code: "400", message: "plain" });
});

test("Dataverse's error details are kept as annotations, a secret in them masked", async (t) => {
  const token = "eyJ0eXAiOiJKV1QiLCJhbGciOi.dataverse-token";
  const server = await startServer((_request, res) =>
    sendJson(res, 412, {
      error: {
        code: "0x80060882",
        message: "The version of the existing record doesn't match the RowVersion property provided.",
        "@Microsoft.PowerApps.CDS.ErrorDetails.ApiExceptionSourceKey": "Plugin/Microsoft.Crm.Common.ObjectModel.AccountService",
        "@Microsoft.PowerApps.CDS.HelpLink": "http://go.microsoft.com/fwlink/?LinkID=398563&error=Microsoft.Crm.CrmException%3a80060882",
        "@Microsoft.PowerApps.CDS.TraceText": `[Microsoft.Crm] sent Authorization: Bearer ${token}`,
        "@Microsoft.PowerApps.CDS.InnerError.Message": "RowVersion mismatch",
      },
    }),
  );
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("api/data/v9.2/"), retry: false, auth: { bearer: token } });
  const error = await httpError(client.collection("accounts").key("00000000-0000-0000-0000-000000000001").update({ name: "x" }, { etag: 'W/"1"' }));
  assert.equal(server.requests[0]?.headers["if-match"], 'W/"1"');
  assert.deepEqual(error.odataError?.annotations, {
    "@Microsoft.PowerApps.CDS.ErrorDetails.ApiExceptionSourceKey": "Plugin/Microsoft.Crm.Common.ObjectModel.AccountService",
    "@Microsoft.PowerApps.CDS.HelpLink": "http://go.microsoft.com/fwlink/?LinkID=398563&error=Microsoft.Crm.CrmException%3a80060882",
    "@Microsoft.PowerApps.CDS.TraceText": "[Microsoft.Crm] sent Authorization: ***",
    "@Microsoft.PowerApps.CDS.InnerError.Message": "RowVersion mismatch",
  });
  assert.ok(!JSON.stringify(error).includes(token));
});
