// `call --param` values given as JSON (`name:=JSON`, a collection, a structured value) keep the
// digits typed where a double would change them: an Int64 beyond 2^53 or a Decimal of many digits
// is sent with its digits, as `--param name=value` sends it, and a number its declared type cannot
// hold is refused (exit 2, naming the parameter) rather than rounded. A structured parameter given
// as plain text is refused too, not sent as a string. The service is a node:http server on
// 127.0.0.1 with a $metadata; each test reads what arrived.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliInProcess } from "./cli-in-process.js";
import { sendJson, sendText, startServer, type RecordingServer } from "./servers/recording-server.js";

const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="T" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<ComplexType Name="Addr"><Property Name="City" Type="Edm.String"/><Property Name="Zip" Type="Edm.Int64"/></ComplexType>
<Function Name="fc"><Parameter Name="ints" Type="Collection(Edm.Int64)"/><Parameter Name="i32s" Type="Collection(Edm.Int32)"/><ReturnType Type="Edm.String"/></Function>
<Action Name="a"><Parameter Name="ints" Type="Collection(Edm.Int64)"/><Parameter Name="decs" Type="Collection(Edm.Decimal)"/><Parameter Name="i64" Type="Edm.Int64"/><Parameter Name="dbl" Type="Edm.Double"/><Parameter Name="addr" Type="T.Addr"/><Parameter Name="addrs" Type="Collection(T.Addr)"/><ReturnType Type="Edm.String"/></Action>
<EntityContainer Name="C"><FunctionImport Name="fc" Function="T.fc"/><ActionImport Name="a" Action="T.a"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

async function service(t: { after(fn: () => Promise<void>): void }): Promise<{ server: RecordingServer; url: string; calls: () => { path: string; body: string }[] }> {
  const server = await startServer((request, res) => {
    if (request.path === "/svc/$metadata") return sendText(res, 200, METADATA, { "content-type": "application/xml", "odata-version": "4.0" });
    sendJson(res, 200, { value: "ok" }, { "odata-version": "4.0" });
  });
  t.after(() => server.close());
  return {
    server,
    url: server.url("svc/"),
    calls: () => server.requests.filter((r) => !r.path.endsWith("/$metadata")).map((r) => ({ path: decodeURIComponent(r.path), body: r.body })),
  };
}

const show = (outcome: { code: number; stdout: string; stderr: string }) => `exit ${outcome.code}\nstdout: ${outcome.stdout}\nstderr: ${outcome.stderr}`;

test("a Collection(Edm.Int64) function parameter keeps digits beyond 2^53 in its alias", async (t) => {
  const { url, calls } = await service(t);
  const outcome = await cliInProcess(["call", url, "fc", "--param", "ints=[9007199254740993,1234567890123456789,7]", "-q"]);
  assert.equal(outcome.code, 0, show(outcome));
  // The library writes an Int64 a double cannot hold as the string of its digits (the IEEE754Compatible form).
  assert.deepEqual(calls(), [{ path: '/svc/fc(ints=@ints)?@ints=["9007199254740993","1234567890123456789",7]', body: "" }]);
});

test("an action's Int64 and Decimal collections, name:=JSON and a complex value's Int64 member keep their digits; a Double stays a double", async (t) => {
  const { url, calls } = await service(t);
  const outcome = await cliInProcess([
    "call", url, "a",
    "--param", "ints=[9007199254740993]",
    "--param", "decs=[0.1000000000000000055511151231257827,2.5]",
    "--param", "i64:=9007199254740993",
    "--param", "dbl:=0.1000000000000000055511151231257827",
    "--param", 'addrs=[{"City":"Oslo","Zip":12345678901234567}]',
    "-q",
  ]);
  assert.equal(outcome.code, 0, show(outcome));
  const [call] = calls();
  assert.equal(call?.path, "/svc/a");
  assert.equal(
    call?.body,
    '{"ints":["9007199254740993"],"decs":["0.1000000000000000055511151231257827",2.5],"i64":"9007199254740993","dbl":0.1,"addrs":[{"City":"Oslo","Zip":"12345678901234567"}]}',
  );
});

test("a number its declared type cannot hold is refused with exit 2, naming the parameter and the item; nothing is called", async (t) => {
  const { url, calls } = await service(t);
  const int32 = await cliInProcess(["call", url, "fc", "--param", "i32s=[1,9007199254740993]", "-q"]);
  assert.equal(int32.code, 2, show(int32));
  assert.match(int32.stderr, /--param i32s\[1\]: "9007199254740993" is not an integer in the range of Edm\.Int32/);
  // JSON.parse reads it as 1: the fraction would be lost without a word.
  const int64 = await cliInProcess(["call", url, "a", "--param", "i64:=1.0000000000000000001", "-q"]);
  assert.equal(int64.code, 2, show(int64));
  assert.match(int64.stderr, /--param i64: "1\.0000000000000000001" is not an integer in decimal digits \(an Edm\.Int64/);
  const double = await cliInProcess(["call", url, "a", "--param", "dbl:=1e400", "-q"]);
  assert.equal(double.code, 2, show(double));
  assert.match(double.stderr, /--param dbl: "1e400" is not a number in the range of Edm\.Double/);
  assert.deepEqual(calls(), []);
});

test("a complex parameter given as plain text is refused with exit 2, saying to give it as name:=JSON; as JSON it is sent", async (t) => {
  const { url, calls } = await service(t);
  const plain = await cliInProcess(["call", url, "a", "--param", "addr=Oslo", "-q"]);
  assert.equal(plain.code, 2, show(plain));
  assert.match(plain.stderr, /--param addr is of the structured type T\.Addr: give it as JSON, addr:='\{"City":…,"Zip":…\}'/);
  assert.deepEqual(calls(), []);
  const json = await cliInProcess(["call", url, "a", "--param", 'addr:={"City":"Oslo"}', "-q"]);
  assert.equal(json.code, 0, show(json));
  assert.deepEqual(calls(), [{ path: "/svc/a", body: '{"addr":{"City":"Oslo"}}' }]);
});
