// A service whose $metadata declares OData 1.0 to 3.0 is read as v2 without --odata-version; when
// its answers then look like OData v4 (OData-Version: 4.0), the error names what the service
// declared, not `--odata-version 2.0`, an option the user never typed. Given the option, the words
// stay those of the option. Over node:http services on 127.0.0.1; the command line runs in this
// process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliInProcess } from "./cli-in-process.js";
import { sendJson } from "./servers/recording-server.js";
import { metadataService, productsV2Metadata } from "./servers/metadata-service.js";

const show = (o: { code: number; stdout: string; stderr: string }) => `exit ${o.code}\nstdout: ${o.stdout}\nstderr: ${o.stderr}`;

/** Its $metadata as a v2 EDMX declaring `version`, every other answer v4 JSON with OData-Version: 4.0. */
function mixedService(t: { after(fn: () => Promise<void>): void }, version: string) {
  return metadataService(t, productsV2Metadata(version), {}, (request, res) => {
    if (request.path.startsWith("/svc/Products?")) return sendJson(res, 200, { "@odata.context": "$metadata#Products", value: [{ ID: 1, Name: "Chai" }] }, { "odata-version": "4.0" });
    sendJson(res, 200, { "@odata.context": "$metadata#Products/$entity", ID: 1, Name: "Chai" }, { "odata-version": "4.0" });
  });
}

const OPTION_HINT = "the service looks like OData v4 (it answered OData-Version: 4.0), which the command read as OData 2.0 (--odata-version 2.0): leave the option out, or give --odata-version 4.0";

for (const version of ["1.0", "2.0", "3.0"]) {
  const declared = `the service looks like OData v4 (it answered OData-Version: 4.0), which the command read as OData 2.0 (the service declares OData ${version}${version === "2.0" ? "" : ", read as v2"}): give --odata-version 4.0`;

  test(`$metadata declares ${version}, no --odata-version: get, call and query name what the service declared, not the option; with it, the option`, async (t) => {
    const server = await mixedService(t, version);
    const url = server.url("svc/");
    for (const [args, request] of [
      [["get", url, "Products", "1"], `GET ${server.url("svc/Products(1)")}: `],
      [["call", url, "Cheapest"], `GET ${server.url("svc/Cheapest")}: `],
    ] as const) {
      const outcome = await cliInProcess(args);
      assert.equal(outcome.code, 2, show(outcome));
      assert.equal(outcome.stdout, "");
      assert.equal(outcome.stderr, `error: ${request}${declared}\n`);
      assert.doesNotMatch(outcome.stderr, /--odata-version 2\.0/);
    }
    // A table reads $metadata, then the page: a v4 page has no "d".
    const table = await cliInProcess(["query", url, "Products", "--select", "ID,Name"]);
    assert.equal(table.code, 1, show(table));
    assert.match(table.stderr, new RegExp(`the v2 collection body has no "d" member; ${declared.replace(/[()]/g, "\\$&")}\\n$`));
    assert.doesNotMatch(table.stderr, /--odata-version 2\.0/);

    // Given the option, the words are the option's, as before (and a 3.0 service is asked for verbose JSON all the same).
    const given = await cliInProcess(["get", url, "Products", "1", "--odata-version", "2.0"]);
    assert.equal(given.code, 2, show(given));
    assert.equal(given.stderr, `error: GET ${server.url("svc/Products(1)")}: ${OPTION_HINT}\n`);
    const givenTable = await cliInProcess(["query", url, "Products", "--select", "ID,Name", "--odata-version", "2.0"]);
    assert.equal(givenTable.code, 1, show(givenTable));
    assert.match(givenTable.stderr, new RegExp(`the v2 collection body has no "d" member; ${OPTION_HINT.replace(/[().]/g, "\\$&")}\\n$`));

    const json = version === "3.0" ? "application/json;odata=verbose" : "application/json";
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path} ${String(r.headers.accept)}`),
      [
        ...["GET /svc/$metadata", "GET /svc/Products(1)", "GET /svc/$metadata", "GET /svc/Cheapest", "GET /svc/$metadata", "GET /svc/Products?$select=ID,Name"],
        ...["GET /svc/$metadata", "GET /svc/Products(1)", "GET /svc/$metadata", "GET /svc/Products?$select=ID,Name"],
      ].map((line) => `${line} ${line.endsWith("$metadata") ? "application/xml" : json}`),
    );
  });
}
