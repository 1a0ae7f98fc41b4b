// A `--param name:=<json>` number is held to its declared type's range as `--param name=value` is:
// an Edm.Single beyond 3.4e38 (which a double holds) is refused with exit 2 naming the parameter,
// in the same words either way, and nothing is sent; a value at the edge of each range goes out.
// Over a node:http service on 127.0.0.1 whose $metadata declares the operations.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliInProcess } from "./cli-in-process.js";
import { v4MetadataService } from "./servers/v4-metadata-service.js";

const TYPES = { b: "Edm.Byte", sb: "Edm.SByte", i16: "Edm.Int16", i32: "Edm.Int32", i64: "Edm.Int64", s: "Edm.Single", d: "Edm.Double", m: "Edm.Decimal" } as const;
const parameters = Object.entries(TYPES).map(([name, type]) => `<Parameter Name="${name}" Type="${type}"/>`).join("");

const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="T" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<Function Name="f"><Parameter Name="d" Type="Edm.Double"/><Parameter Name="s" Type="Edm.Single"/><ReturnType Type="Edm.String"/></Function>
<Action Name="a">${parameters}<Parameter Name="ss" Type="Collection(Edm.Single)"/></Action>
<EntityContainer Name="C"><FunctionImport Name="f" Function="T.f"/><ActionImport Name="a" Action="T.a"/></EntityContainer>
</Schema></edmx:Dataservices></edmx:Edmx>`.replace("</edmx:Dataservices>", "</edmx:DataServices>");

const show = (o: { code: number; stdout: string; stderr: string }) => `exit ${o.code}\nstdout: ${o.stdout}\nstderr: ${o.stderr}`;

test("an Edm.Single beyond its range given as JSON is refused as name=value refuses it; nothing is sent", async (t) => {
  const { url, calls } = await v4MetadataService(t, METADATA);
  for (const value of ["1e39", "-1e39", "3.5e38"]) {
    const typed = await cliInProcess(["call", url, "f", "--param", "d=1", "--param", `s=${value}`]);
    const json = await cliInProcess(["call", url, "f", "--param", "d:=1", "--param", `s:=${value}`]);
    assert.equal(typed.code, 2, show(typed));
    assert.equal(json.code, 2, show(json));
    assert.match(json.stderr, new RegExp(`^error: --param s: "${value}" is not a number in the range of Edm\\.Single `), show(json));
    assert.equal(json.stderr, typed.stderr);
  }
  // In a collection, as its item.
  const item = await cliInProcess(["call", url, "a", "--param", "ss:=[1,1e39]"]);
  assert.equal(item.code, 2, show(item));
  assert.match(item.stderr, /^error: --param ss\[1\]: "1e39" is not a number in the range of Edm\.Single /, show(item));
  assert.deepEqual(calls(), []);
});

test("each ranged type refuses the same value in the := form as in the = form, naming the parameter; nothing is sent", async (t) => {
  const { url, calls } = await v4MetadataService(t, METADATA);
  for (const [name, value] of [["b", "256"], ["b", "-1"], ["sb", "-129"], ["sb", "128"], ["i16", "32768"], ["i32", "2147483648"], ["i64", "9223372036854775808"], ["s", "1e39"], ["d", "1e400"], ["d", "-1e309"]] as const) {
    const typed = await cliInProcess(["call", url, "a", "--param", `${name}=${value}`]);
    const json = await cliInProcess(["call", url, "a", "--param", `${name}:=${value}`]);
    assert.equal(typed.code, 2, show(typed));
    assert.equal(json.code, 2, `${name}:=${value}\n${show(json)}`);
    assert.match(json.stderr, new RegExp(`^error: --param ${name}: "${value}" is not (an integer|a number) in the range of ${TYPES[name].replace(".", "\\.")} `), show(json));
  }
  assert.deepEqual(calls(), []);
});

test("a value at the edge of each range is sent, in the := form as in the = form", async (t) => {
  const { url, calls } = await v4MetadataService(t, METADATA);
  const edges = ["b=255", "sb=-128", "i16=-32768", "i32=2147483647", "i64=9223372036854775807", "s=3.4028234663852886e38", "d=1.7976931348623157e308", "m=1e39"];
  const typed = await cliInProcess(["call", url, "a", "-q", ...edges.flatMap((edge) => ["--param", edge])]);
  assert.equal(typed.code, 0, show(typed));
  const json = await cliInProcess(["call", url, "a", "-q", ...edges.flatMap((edge) => ["--param", edge.replace("=", ":=")])]);
  assert.equal(json.code, 0, show(json));
  const sent = calls();
  assert.equal(sent.length, 2);
  assert.equal(sent[1], 'POST /svc/a {"b":255,"sb":-128,"i16":-32768,"i32":2147483647,"i64":"9223372036854775807","s":3.4028234663852886e+38,"d":1.7976931348623157e+308,"m":"1000000000000000000000000000000000000000"}');
  assert.equal(sent[0], sent[1]);
  // A Single of a few digits, given as JSON, goes as JSON.parse reads it: the direct path still holds.
  const small = await cliInProcess(["call", url, "f", "-q", "--param", "d:=1.5", "--param", "s:=2.5"]);
  assert.equal(small.code, 0, show(small));
  assert.equal(calls()[2], "GET /svc/f(d=1.5,s=2.5)");
});
