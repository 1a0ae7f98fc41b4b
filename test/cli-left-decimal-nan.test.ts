// `call --param m=NaN` (INF, -INF) where m is an Edm.Decimal: OData 4.0's decimal is a number in
// digits (its ABNF's decimalValue has no nanInfinity; only its double has), and so is v2's; OData
// 4.01 adds NaN, INF and -INF for the decimal with Scale="floating" (an IEEE 754 decimal
// floating-point number, CSDL 4.01 section 3.4.3), none for a fixed or variable scale. Refused
// with exit 2 naming the parameter, nothing sent; kept where the version and the declared facets
// allow it. As `m=…` and in JSON (`m:=…`, a property of a complex parameter). Over node:http
// services on 127.0.0.1 (test/servers/v4-metadata-service.ts); the command line runs in this process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliInProcess } from "./cli-in-process.js";
import { v4MetadataService } from "./servers/v4-metadata-service.js";

const show = (o: { code: number; stdout: string; stderr: string }) => `exit ${o.code}\nstdout: ${o.stdout}\nstderr: ${o.stderr}`;

/** A service of EDMX version `version` whose function f and action a take a decimal m with `facets`, and a complex p whose Amount has them. */
const metadata = (version: string, facets: string) => `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="${version}" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="S" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<ComplexType Name="Money"><Property Name="Amount" Type="Edm.Decimal" ${facets}/></ComplexType>
<Function Name="f"><Parameter Name="m" Type="Edm.Decimal" ${facets}/><ReturnType Type="Edm.String"/></Function>
<Action Name="a"><Parameter Name="m" Type="Edm.Decimal" ${facets}/><Parameter Name="p" Type="S.Money"/></Action>
<EntityContainer Name="C"><FunctionImport Name="f" Function="S.f"/><ActionImport Name="a" Action="S.a"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

test("OData 4.0: NaN, INF and -INF for an Edm.Decimal parameter are refused (exit 2, the parameter named), nothing sent", async (t) => {
  const service = await v4MetadataService(t, metadata("4.0", 'Precision="16" Scale="2"'));
  for (const [args, where, text] of [
    [["f", "--param", "m=NaN"], "--param m", "NaN"],
    [["a", "--param", "m=INF"], "--param m", "INF"],
    [["a", "--param", "m= -INF "], "--param m", "-INF"],
    [["a", "--param", 'm:="NaN"'], "--param m", "NaN"],
    [["a", "--param", "m=1", "--param", 'p:={"Amount":"NaN"}'], "--param p.Amount", "NaN"],
  ] as const) {
    const outcome = await cliInProcess(["call", service.url, ...args]);
    assert.equal(outcome.code, 2, show(outcome));
    assert.equal(
      outcome.stderr,
      `error: ${where}: "${text}" is not a value of an Edm.Decimal in OData 4.0, where a decimal is a number in digits (NaN, INF and -INF are values of an OData 4.01 decimal with Scale="floating" only)\n`,
    );
  }
  assert.deepEqual(service.calls(), [], "nothing was sent but $metadata");
});

test("OData 4.01: refused for a decimal of a fixed or variable scale, naming the scale", async (t) => {
  for (const [facets, scale] of [
    ['Precision="10" Scale="variable"', "variable"],
    ['Precision="10"', "0"],
  ] as const) {
    const service = await v4MetadataService(t, metadata("4.01", facets));
    const outcome = await cliInProcess(["call", service.url, "f", "--param", "m=NaN"]);
    assert.equal(outcome.code, 2, show(outcome));
    assert.equal(outcome.stderr, `error: --param m: "NaN" is not a value of this Edm.Decimal (Scale="${scale}"): NaN, INF and -INF are values of an OData 4.01 decimal with Scale="floating" only\n`);
    assert.deepEqual(service.calls(), []);
  }
});

test("--odata-version 2.0: a v2 decimal has no NaN either", async (t) => {
  const service = await v4MetadataService(t, metadata("4.01", 'Precision="16" Scale="floating"'));
  const outcome = await cliInProcess(["call", service.url, "f", "--param", "m=NaN", "--odata-version", "2.0"]);
  assert.equal(outcome.code, 2, show(outcome));
  assert.match(outcome.stderr, /^error: --param m: "NaN" is not a value of an Edm\.Decimal in OData 2\.0, /);
  assert.deepEqual(service.calls(), []);
});

test("OData 4.01 with Scale=\"floating\": NaN, INF and -INF are sent; digits are sent everywhere as before", async (t) => {
  const floating = await v4MetadataService(t, metadata("4.01", 'Precision="16" Scale="floating"'));
  for (const args of [
    ["f", "--param", "m=NaN"],
    ["f", "--param", "m=-INF"],
    ["a", "--param", "m=INF", "--param", 'p:={"Amount":"NaN"}'],
  ]) {
    const outcome = await cliInProcess(["call", floating.url, ...args, "-q"]);
    assert.equal(outcome.code, 0, show(outcome));
  }
  assert.deepEqual(floating.calls(), ["GET /svc/f(m=NaN)", "GET /svc/f(m=-INF)", 'POST /svc/a {"m":"INF","p":{"Amount":"NaN"}}']);

  const fixed = await v4MetadataService(t, metadata("4.0", 'Precision="16" Scale="2"'));
  const outcome = await cliInProcess(["call", fixed.url, "f", "--param", "m=12.50", "-q"]);
  assert.equal(outcome.code, 0, show(outcome));
  assert.deepEqual(fixed.calls(), ["GET /svc/f(m=12.50)"]);
});
