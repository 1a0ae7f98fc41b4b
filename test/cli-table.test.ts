// The terminal text of the traverse-odata binary against node:http services: the table sized by
// display width (CJK, combining marks, emoji), cells cut at grapheme boundaries, control characters
// of the service shown instead of acted on (table cells, describe, stderr messages; JSON and CSV
// untouched), and `get` keys typed as the help says (a v2 DateTime with Z, long integers, a
// repeated key name).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { buildCli, runCli, runInTerminal, shellQuote, show } from "./cli-harness.js";

let server: Server;
let base = "";
/** What each run sent: the decoded request paths. */
const seen: string[] = [];
/** The entities `/v4/T` answers with. */
let rows: unknown[] = [];
/** Polls of `/job/monitor` so far. */
let polls = 0;

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
    if (url.startsWith("/v4/T") || url.startsWith("/v2/T") || url.startsWith("/v2-bare/T")) return send(200, "application/json", JSON.stringify({ value: rows }), { "odata-version": "4.0" });
    // A long-running job whose monitor's status is text with a terminal's control sequences in it.
    if (url.startsWith("/job/$metadata")) return send(404, "text/plain", "none");
    if (url.startsWith("/job/run")) return send(202, "application/json", "{}", { location: `${base}/job/monitor` });
    if (url.startsWith("/job/monitor")) {
      polls += 1;
      return polls < 3 ? send(200, "application/json", JSON.stringify({ status: "Running\u001b]0;owned\u0007\u001b[2J", percentComplete: 10 })) : send(200, "application/json", JSON.stringify({ status: "Succeeded", value: 1 }));
    }
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

/** `query <base>/v4/ T --quiet` as a table on a terminal of 160 columns: what the terminal showed. */
async function tableInTerminal(entities: unknown[]) {
  rows = entities;
  const command = ["node", await buildCli(), "query", `${base}/v4/`, "T", "--quiet"].map(shellQuote).join(" ");
  const { code, output } = await runInTerminal(command);
  assert.equal(code, 0, output);
  // The terminal turns each line break into CR LF.
  return output.replaceAll("\r\n", "\n");
}

test("on a terminal, a cell longer than its column is cut at a grapheme boundary within the width, an ellipsis after it", async () => {
  const output = await tableInTerminal([
    { K: `${"a".repeat(38)}😀😀😀`, N: 1 },
    { K: `${"東".repeat(25)}`, N: 2 },
    { K: `${"e\u0301".repeat(45)}`, N: 3 },
  ]);
  assert.ok(!output.includes("\uFFFD"), output);
  assert.equal(
    output,
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

test("on a terminal, the progress line shows the control characters of a monitor's status, not sends them", async () => {
  polls = 0;
  const command = ["node", await buildCli(), "call", `${base}/job/`, "run", "--async", "--poll-interval", "1"].map(shellQuote).join(" ");
  const { code, output } = await runInTerminal(command);
  assert.equal(code, 0, output);
  assert.match(output, /Running␛\]0;owned␇␛\[2J/);
  assert.ok(!output.includes("\u001b]0;owned"), "the title sequence is not sent");
  assert.ok(!output.includes("\u001b[2J"), "the screen is not cleared");
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
  assert.match(offset.stderr, /^error: <key> Day: the string "2020-01-01T00:00:00\+01:00" has the offset \+01:00, which an Edm.DateTime cannot carry/);
  assert.deepEqual(seen, ["/v2/$metadata"]);
});

test("without $metadata, an integer key of any length is sent as its digits (v2 with L beyond 15 digits); digits with leading zeros are a code, sent as a string", async () => {
  const cases: [string, string, string][] = [
    ["4.0", "000000000000012345", "/v4/T('000000000000012345')"],
    ["2.0", "0012", "/v2-bare/T('0012')"],
    ["4.0", "0", "/v4/T(0)"],
    ["4.0", "1234567890123456789", "/v4/T(1234567890123456789)"],
    ["4.0", "9223372036854775807", "/v4/T(9223372036854775807)"],
    ["4.0", "123456789012345", "/v4/T(123456789012345)"],
    ["4.0", "12345678901234567890123", "/v4/T(12345678901234567890123)"],
    ["2.0", "1234567890123456789", "/v2-bare/T(1234567890123456789L)"],
    ["2.0", "42", "/v2-bare/T(42)"],
  ];
  rows = [];
  for (const [version, key, path] of cases) {
    seen.length = 0;
    // Folders whose $metadata is not found (/v2/$metadata lists Orders alone, where T is refused).
    const folder = version === "2.0" ? "v2-bare" : "v4";
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

test("on a terminal, a table wider than the terminal is narrowed to fit it, its widest columns cut first", async () => {
  const output = await tableInTerminal([{ A: "a".repeat(40), B: "b".repeat(40), C: "c".repeat(40), D: "d".repeat(40), E: "e".repeat(40) }]);
  // 5 columns of 40 and 4 gaps of 2 take 208 columns; the widest shrink one at a time to 152 + 8.
  const widths = [30, 30, 30, 31, 31];
  const cells = ["a", "b", "c", "d", "e"].map((letter, i) => `${letter.repeat((widths[i] as number) - 1)}…`);
  assert.equal(
    output,
    [
      ["A", "B", "C", "D", "E"].map((name, i) => (i === 4 ? name : name.padEnd(widths[i] as number))).join("  "),
      widths.map((w) => "-".repeat(w)).join("  "),
      cells.join("  "),
      "",
    ].join("\n"),
  );
});

test("when stdout is not a terminal, the table cuts no cell: long values are written whole, the columns as wide as their text", async () => {
  const guid = "0f8fad5b-d9cb-469f-a165-70867728950e";
  const note = `${"x".repeat(60)}東京😀e\u0301`;
  const result = await table([
    // An Int64 as a v4 service with IEEE754Compatible=true writes it: a string.
    { ID: guid, Big: "9223372036854775807", Note: note, More: "m".repeat(45) },
    { ID: "short", Big: 1, Note: "n", More: "" },
  ]);
  const noteWidth = 60 + 4 + 2 + 1;
  assert.equal(
    result.stdout,
    [
      `ID${" ".repeat(34)}  Big${" ".repeat(16)}  Note${" ".repeat(noteWidth - 4)}  More`,
      `${"-".repeat(36)}  ${"-".repeat(19)}  ${"-".repeat(noteWidth)}  ${"-".repeat(45)}`,
      `${guid}  9223372036854775807  ${note}  ${"m".repeat(45)}`,
      `short${" ".repeat(31)}  1${" ".repeat(18)}  n`,
      "",
    ].join("\n"),
  );
  assert.equal(result.stderr, "");
});

test("when stdout is not a terminal, a cell longer than the rows that sized its column is written whole, the rest of its line after it", async () => {
  // The first 200 rows size the columns; the 201st is wider.
  const entities = Array.from({ length: 200 }, (_, i) => ({ K: `k${i}`.padEnd(5, "."), N: i }));
  const long = `${"z".repeat(50)}-end`;
  entities.push({ K: long, N: 200 });
  const result = await table(entities);
  const lines = result.stdout.split("\n");
  assert.equal(lines.length, 1 + 1 + 201 + 1);
  assert.equal(lines[0], "K      N");
  assert.equal(lines[1], "-----  ---");
  assert.equal(lines[2], "k0...  0");
  assert.equal(lines[202], `${long}  200`);
  assert.equal(lines[203], "");
});

test("without $select or $metadata the table's columns are the first row's, and a property of a later row warns once, as CSV does", async () => {
  const entities = [{ A: 1 }, { A: 2, B: "x" }, { A: 3, B: "y", C: true }, { A: 4, C: false, "B@odata.type": "#String" }];
  const result = await table(entities);
  assert.equal(result.stdout, "A\n-\n1\n2\n3\n4\n");
  assert.equal(
    result.stderr,
    [
      'warning: the rows have a property "B" that is not one of the table columns; its values are left out',
      'warning: the rows have a property "C" that is not one of the table columns; its values are left out',
      "",
    ].join("\n"),
  );
  const csv = await table(entities, "--format", "csv");
  assert.equal(csv.stdout, "A\r\n1\r\n2\r\n3\r\n4\r\n");
  assert.equal(csv.stderr, result.stderr.replaceAll("the table columns", "the CSV columns"));
  // Rows that have only the columns warn of nothing.
  const plain = await table([{ A: 1, B: 2 }, { B: 3 }, { A: 4, B: 5 }]);
  assert.equal(plain.stdout, "A  B\n-  -\n1  2\n   3\n4  5\n");
  assert.equal(plain.stderr, "");
});

test("get takes a negative key as its positional argument, also after -- and after an option with a value; an unknown option is still refused", async () => {
  rows = [];
  const cases: [string[], string][] = [
    [["T", "-9223372036854775808"], "/v4/T(-9223372036854775808)"],
    [["T", "-42", "--select", "A"], "/v4/T(-42)?$select=A"],
    [["-H", "X-A: 1", "T", "-7"], "/v4/T(-7)"],
    [["-qH", "X-A: 1", "T", "-8"], "/v4/T(-8)"],
    [["T", "--", "-9223372036854775808"], "/v4/T(-9223372036854775808)"],
    [["--", "T", "-5"], "/v4/T(-5)"],
    [["T", "--", "--select"], "/v4/T('--select')"],
  ];
  for (const [args, path] of cases) {
    seen.length = 0;
    const result = await runCli(["get", "--quiet", `${base}/v4/`, ...args]);
    assert.equal(result.code, 0, `${args.join(" ")}: ${show(result)}`);
    assert.deepEqual(seen, ["/v4/$metadata", path], args.join(" "));
    assert.equal(result.stdout, '{\n  "value": []\n}\n');
    assert.equal(result.stderr, "");
  }
  seen.length = 0;
  const unknown = await runCli(["get", `${base}/v4/`, "T", "-x"]);
  assert.equal(unknown.code, 2, show(unknown));
  assert.equal(unknown.stderr, "error: get: unknown option -x (see traverse-odata get --help)\n");
  assert.deepEqual(seen, []);
  // A negative number that is an option's value stays its value (here refused as a timeout).
  const value = await runCli(["get", `${base}/v4/`, "T", "1", "--timeout", "-5"]);
  assert.equal(value.code, 2, show(value));
  assert.deepEqual(seen, []);
});
