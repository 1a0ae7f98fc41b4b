// A `--param name:=<json>` number where an integer type stands (Edm.Byte, SByte, Int16, Int32,
// Int64, alone or as a collection's items) is checked as `--param name=value` is: a fraction, or a
// value beyond the type's range, is refused with exit 2, the message naming the parameter and the
// type, and nothing is called; a whole value in range goes as before (1e2 is 100, an Int64 beyond
// 2^53 keeps its digits). The command line runs in this process against a node:http service.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliInProcess } from "./cli-in-process.js";
import { v4MetadataService } from "./servers/v4-metadata-service.js";

const TYPES = {
  Byte: ["0", "255"],
  SByte: ["-128", "127"],
  Int16: ["-32768", "32767"],
  Int32: ["-2147483648", "2147483647"],
  Int64: ["-9223372036854775808", "9223372036854775807"],
} as const;
type IntegerType = keyof typeof TYPES;
const NAMES = Object.keys(TYPES) as IntegerType[];

const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="T" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<Function Name="f">${NAMES.map((type) => `<Parameter Name="p${type}" Type="Edm.${type}"/>`).join("")}<Parameter Name="list" Type="Collection(Edm.Int32)"/><ReturnType Type="Edm.String"/></Function>
<Action Name="a">${NAMES.map((type) => `<Parameter Name="p${type}" Type="Edm.${type}"/>`).join("")}</Action>
<EntityContainer Name="C"><FunctionImport Name="f" Function="T.f"/><ActionImport Name="a" Action="T.a"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

const service = (t: { after(fn: () => Promise<void>): void }) => v4MetadataService(t, METADATA);

const show = (o: { code: number; stdout: string; stderr: string }) => `exit ${o.code}\nstdout: ${o.stdout}\nstderr: ${o.stderr}`;

/** One more than `digits` (toward +1) or one less (-1). */
const beyond = (digits: string, step: 1n | -1n) => String(BigInt(digits) + step);

test("a fraction given as JSON to any integer type is refused with exit 2, naming the parameter and its type; nothing is called", async (t) => {
  const { url, calls } = await service(t);
  for (const type of NAMES) {
    for (const operation of ["f", "a"]) {
      const outcome = await cliInProcess(["call", url, operation, "--param", `p${type}:=1.5`]);
      assert.equal(outcome.code, 2, show(outcome));
      assert.ok(outcome.stderr.startsWith(`error: --param p${type}: "1.5" is not an integer in decimal digits (an Edm.${type}, ${TYPES[type][0]} to ${TYPES[type][1]})`), show(outcome));
    }
  }
  // An item of a collection, and a fraction in exponent notation.
  const item = await cliInProcess(["call", url, "f", "--param", "list:=[1, 2.5e-1]"]);
  assert.equal(item.code, 2, show(item));
  assert.match(item.stderr, /^error: --param list\[1\]: "2\.5e-1" is not an integer in decimal digits \(an Edm\.Int32, /);
  assert.deepEqual(calls(), []);
});

test("a JSON value beyond an integer type's range, either way, is refused with exit 2, naming the parameter and its range; nothing is called", async (t) => {
  const { url, calls } = await service(t);
  for (const type of NAMES) {
    const [min, max] = TYPES[type];
    for (const value of [beyond(max, 1n), beyond(min, -1n), "1e30"]) {
      const outcome = await cliInProcess(["call", url, "f", "--param", `p${type}:=${value}`]);
      assert.equal(outcome.code, 2, show(outcome));
      assert.ok(outcome.stderr.startsWith(`error: --param p${type}: "${value}" is not an integer in the range of Edm.${type} (${min} to ${max})`), show(outcome));
    }
  }
  assert.deepEqual(calls(), []);
});

test("whole JSON values in range go as they did: the ends of each range, 1e2 as 100, an Int64 beyond 2^53 with its digits", async (t) => {
  const { url, calls } = await service(t);
  for (const type of NAMES) {
    const [min, max] = TYPES[type];
    const outcome = await cliInProcess(["call", url, "f", "--param", `p${type}:=${min}`, "-q"]);
    assert.equal(outcome.code, 0, show(outcome));
    const top = await cliInProcess(["call", url, "a", "--param", `p${type}:=${max}`, "-q"]);
    assert.equal(top.code, 0, show(top));
  }
  const exponent = await cliInProcess(["call", url, "f", "--param", "pByte:=1e2", "--param", "pInt64:=9007199254740993", "-q"]);
  assert.equal(exponent.code, 0, show(exponent));
  assert.deepEqual(calls(), [
    "GET /svc/f(pByte=0)",
    'POST /svc/a {"pByte":255}',
    "GET /svc/f(pSByte=-128)",
    'POST /svc/a {"pSByte":127}',
    "GET /svc/f(pInt16=-32768)",
    'POST /svc/a {"pInt16":32767}',
    "GET /svc/f(pInt32=-2147483648)",
    'POST /svc/a {"pInt32":2147483647}',
    "GET /svc/f(pInt64=-9223372036854775808)",
    // Beyond 2^53, as `--param name=value` sends it: the digits, in a string.
    'POST /svc/a {"pInt64":"9223372036854775807"}',
    "GET /svc/f(pByte=100,pInt64=9007199254740993)",
  ]);
});
