// The terminal text of the traverse-odata binary against node:http services: the table sized by
// display width (CJK, combining marks, emoji), cells cut at grapheme boundaries, control characters
// of the service shown instead of acted on (table cells, describe, stderr messages; JSON and CSV
// untouched), and `get` keys typed as the help says (a v2 DateTime with Z, long integers, a
// repeated key name).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { runCli, show } from "./cli-harness.js";

let server: Server;
let base = "";
/** What each run sent: the decoded request paths. */
const seen: string[] = [];
/** The entities `/v4/T` answers with. */
let rows: unknown[] = [];

const v2Metadata = `<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"><edmx:DataServices m:DataServiceVersion="2.0"><Schema Namespace="S" xmlns="http://schemas.microsoft.com/ado/2008/09/edm"><EntityType Name="Order"><Key><PropertyRef Name="Id"/><PropertyRef Name="Day"/></Key><Property Name="Id" Type="Edm.Int64" Nullable="false"/><Property Name="Day" Type="Edm.DateTime" Nullable="false"/></EntityType><EntityContainer Name="C" m:IsDefaultEntityContainer="true"><EntitySet Name="Orders" EntityType="S.Order"/></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;

const v4Metadata = `<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="S" xmlns="http://docs.oasis-open.org/odata/ns/edm"><EntityType Name="都市"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="名前" Type="Edm.String"/><Property Name="Note&#x202E;x" Type="Edm.String"/></EntityType><EntityContainer Name="C"><EntitySet Name="Cities" EntityType="S.都市"/></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;

before(async () => {
  server = createServer((req, res) => {
    const url = req.url ?? "";
    seen.push(decodeURIComponent(url));
    const send = (status: number, type: string, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": type, ...headers });
      res.end(body);
    };
    if (url === "/v2/$metadata") return send(200, "application/xml", v2Metadata);
    if (url.startsWith("/v2/Orders(")) return send(200, "application/json", `{"d":{"Id":"7","Day":"\\/Date(1577836800000)\\/"}}`);
    if (url === "/meta/$metadata") return send(200, "application/xml", v4Metadata, { "odata-version": "4.0" });
    if (url.startsWith("/v4/T") || url.startsWith("/v2/T")) return send(200, "application/json", JSON.stringify({ value: rows }), { "odata-version": "4.0" });
    if (url.startsWith("/esc/")) return send(400, "application/json", JSON.stringify({ error: { code: "X", message: "bad \u001b[2J\u001b[31mthing\u0007\u202Eevil" } }));
    send(404, "text/plain", "no such resource");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});
after(() => server.close());

/** `query <base>/v4/ T` as a table (stdout is no terminal: 120 columns). */
async function table(entities: unknown[], ...extra: string[]) {
  rows = entities;
  const result = await runCli(["query", `${base}/v4/`, "T", "--quiet", ...extra]);
  assert.equal(result.code, 0, show(result));
  return result;
}

test("table columns are as wide as their text on a terminal: CJK 2 a character, combining marks 0, emoji 2", async () => {
  const result = await table([
    { ID: 1, Name: "東京都千代田区", City: "x" },
    { ID: 2, Name: "Cafe\u0301 Cafe\u0301", City: "y" },
    { ID: 3, Name: "👩‍👩‍👧 ❤️ 🇯🇵", City: "z" },
    { ID: 4, Name: "plain", City: "w" },
  ]);
  assert.equal(
    result.stdout,
    [
      "ID  Name            City",
      "--  --------------  ----",
      "1   東京都千代田区  x",
      "2   Cafe\u0301 Cafe\u0301       y",
      "3   👩‍👩‍👧 ❤️ 🇯🇵        z",
      "4   plain           w",
      "",
    ].join("\n"),
  );
});

test("a cell longer than its column is cut at a grapheme boundary within the width, an ellipsis after it", async () => {
  const result = await table([
    { K: `${"a".repeat(38)}😀😀😀`, N: 1 },
    { K: `${"東".repeat(25)}`, N: 2 },
    { K: `${"e\u0301".repeat(45)}`, N: 3 },
  ]);
  assert.ok(!result.stdout.includes("\uFFFD"), result.stdout);
  assert.equal(
    result.stdout,
    [
      `K${" ".repeat(39)}  N`,
      `${"-".repeat(40)}  -`,
      `${"a".repeat(38)}…   1`,
      // 19 characters of two columns and the ellipsis: 39 columns, one space to fill the 40.
      `${"東".repeat(19)}…   2`,
      `${"e\u0301".repeat(39)}…  3`,
      "",
    ].join("\n"),
  );
});

test("control characters of the service are shown in table cells, not sent to the terminal; JSON and CSV keep them", async () => {
  const first = "ok\u001b[2J\u001b[31mRED\u0007\b\u0000\u007f\u2066";
  const second = "\u009b\u202Eevil\u200Fend\r\nx\ty";
  const result = await table([{ K: first, L: second, N: 1 }]);
  const shown = ["ok␛[2J␛[31mRED␇␈␀␡\\u{2066}", "\\u{9B}\\u{202E}evil\\u{200F}end⏎x→y"];
  // Each shown character takes one column: the columns are as wide as the shown texts are long.
  const [k, l] = shown.map((text) => text.length) as [number, number];
  assert.equal(result.stdout, `${"K".padEnd(k)}  ${"L".padEnd(l)}  N\n${"-".repeat(k)}  ${"-".repeat(l)}  -\n${shown[0]}  ${shown[1]}  1\n`);
  const json = await table([{ K: first, L: second, N: 1 }], "--format", "json");
  assert.deepEqual(JSON.parse(json.stdout), [{ K: first, L: second, N: 1 }]);
  const csv = await table([{ K: first, L: second, N: 1 }], "--format", "csv");
  assert.equal(csv.stdout, `K,L,N\r\n${first},"${second}",1\r\n`);
});

test("a service's error message on stderr shows its control characters; --json keeps them in the JSON", async () => {
  const plain = await runCli(["query", `${base}/esc/`, "T", "--quiet"]);
  assert.equal(plain.code, 3, show(plain));
  assert.equal(plain.stderr, `error: GET ${base}/esc/T failed with HTTP 400 Bad Request [X]: bad ␛[2J␛[31mthing␇\\u{202E}evil\n`);
  const json = await runCli(["query", `${base}/esc/`, "T", "--quiet", "--json"]);
  assert.equal(json.code, 3, show(json));
  assert.match(JSON.parse(json.stderr).error.message as string, /bad \u001b\[2J\u001b\[31mthing\u0007\u202Eevil$/);
});

test("a query without rows and without known columns prints nothing", async () => {
  const result = await table([]);
  assert.equal(result.stdout, "");
});

test("describe aligns CJK names by display width and shows control characters", async () => {
  const result = await runCli(["describe", `${base}/meta/`, "Cities", "--quiet"]);
  assert.equal(result.code, 0, show(result));
  assert.equal(
    result.stdout,
    [
      "Cities  (entity set of S.都市)",
      "key: ID",
      "",
      "Properties",
      "  ID             Edm.Int32   not null  key",
      "  名前           Edm.String  nullable",
      "  Note\\u{202E}x  Edm.String  nullable",
      "",
    ].join("\n"),
  );
});

test("get takes a v2 DateTime key as query prints it (with Z or +00:00); another offset is refused", async () => {
  for (const day of ["2020-01-01T00:00:00Z", "2020-01-01T00:00:00+00:00", "2020-01-01T00:00:00"]) {
    seen.length = 0;
    const result = await runCli(["get", `${base}/v2/`, "Orders", `Id=7,Day=${day}`, "--odata-version", "2.0", "--quiet"]);
    assert.equal(result.code, 0, show(result));
    assert.deepEqual(seen, ["/v2/$metadata", "/v2/Orders(Id=7L,Day=datetime'2020-01-01T00:00:00')"]);
    assert.deepEqual(JSON.parse(result.stdout), { Id: "7", Day: "2020-01-01T00:00:00Z" });
  }
  seen.length = 0;
  const offset = await runCli(["get", `${base}/v2/`, "Orders", "Id=7,Day=2020-01-01T00:00:00+01:00", "--odata-version", "2.0", "--quiet"]);
  assert.equal(offset.code, 2, show(offset));
  assert.match(offset.stderr, /^error: <key> Day: edm\.dateTime\(value\): .*"2020-01-01T00:00:00\+01:00"/);
  assert.deepEqual(seen, ["/v2/$metadata"]);
});

test("without $metadata, an integer key of any length is sent as its digits (v2 with L beyond 15 digits)", async () => {
  const cases: [string, string, string][] = [
    ["4.0", "1234567890123456789", "/v4/T(1234567890123456789)"],
    ["4.0", "9223372036854775807", "/v4/T(9223372036854775807)"],
    ["4.0", "123456789012345", "/v4/T(123456789012345)"],
    ["4.0", "12345678901234567890123", "/v4/T(12345678901234567890123)"],
    ["2.0", "1234567890123456789", "/v2/T(1234567890123456789L)"],
    ["2.0", "42", "/v2/T(42)"],
  ];
  rows = [];
  for (const [version, key, path] of cases) {
    seen.length = 0;
    const folder = version === "2.0" ? "v2" : "v4";
    const result = await runCli(["get", `${base}/${folder}/`, "T", key, "--odata-version", version, "--quiet"]);
    assert.deepEqual(seen, [`/${folder}/$metadata`, path], show(result));
  }
});

test("a key property named twice is a usage error naming it; nothing is sent", async () => {
  seen.length = 0;
  const result = await runCli(["get", `${base}/v4/`, "T", "A=1,B=2,A=3", "--quiet"]);
  assert.equal(result.code, 2, show(result));
  assert.equal(result.stderr, `error: <key> "A=1,B=2,A=3": A is given twice\n`);
  assert.deepEqual(seen, ["/v4/$metadata"]);
});
