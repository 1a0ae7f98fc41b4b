/**
 * A Decimal written with zeros that say nothing (`12.50`, `1.0`, `+007.5`, `1.50e1`) goes in a v4
 * JSON body as the JSON number of its value, as OData JSON asks without `IEEE754Compatible`
 * (node:http on 127.0.0.1). Before, such a text went as a JSON string, which a strict service may
 * refuse: the commonest way to type a price (`--param price=12.50` on the command line) sent
 * `{"price":"12.50"}`. A value a double cannot hold stays a string, and with the client option
 * `ieee754Compatible` (and in v2) every Decimal is one, as before.
 *
 * Zeros before the whole part's first digit (`007.50`) and a minus before zero (`-0`, `-0.0`) say
 * nothing either: the JSON number is the same value (JSON writes -0 as `0`, and a Decimal has no
 * negative zero). They went as the strings `"007.50"` and `"-0.0"`, which this file first asserted;
 * they now go as `7.5` and `0`.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { edm } from "../src/index.js";
import { onlyRequest, sendJson, serveClient } from "./servers/recording-server.js";

function noContent(res: ServerResponse): void {
  res.writeHead(204);
  res.end();
}

describe("a Decimal's zeros that say nothing", () => {
  test("an action's parameters go as JSON numbers of their values; digits a double cannot hold stay a string", async (t) => {
    const { server, client } = await serveClient(t, (_r, res) => noContent(res));
    await client.action("price").invoke({
      price: edm.decimal("12.50"),
      one: edm.decimal("1.0"),
      tenth: edm.decimal("0.10"),
      padded: edm.decimal("+007.50"),
      scaled: edm.decimal("1.50e1"),
      negative: edm.decimal("-0.0"),
      exact: edm.decimal("0.1000000000000000055511151231257827"),
    });
    const request = onlyRequest(server);
    assert.equal(request.headers["content-type"], "application/json");
    assert.equal(request.body, '{"price":12.5,"one":1,"tenth":0.1,"padded":7.5,"scaled":15,"negative":0,"exact":"0.1000000000000000055511151231257827"}');
  });

  test("leading zeros and a minus before zero go as the number in every form; a sign before other digits stays, and zeros do not hide digits a double loses", async (t) => {
    const { server, client } = await serveClient(t, (_r, res) => noContent(res));
    await client.action("price").invoke({
      zeros: edm.decimal("007"),
      negativeZeros: edm.decimal("-007.50"),
      minusZero: edm.decimal("-0"),
      minusZeros: edm.decimal("-00.000"),
      minusZeroExponent: edm.decimal("-0.0e-3"),
      minusHalf: edm.decimal("-00.5"),
      zeroFraction: edm.decimal("0.5"),
      long: edm.decimal("0009007199254740993"),
      tiny: edm.decimal("-1e-400"),
    });
    assert.equal(
      onlyRequest(server).body,
      '{"zeros":7,"negativeZeros":-7.5,"minusZero":0,"minusZeros":0,"minusZeroExponent":0,"minusHalf":-0.5,"zeroFraction":0.5,"long":"0009007199254740993","tiny":"-1e-400"}',
    );
  });

  test("an entity's properties in a create go the same way", async (t) => {
    const { server, client } = await serveClient(t, (_r, res) => sendJson(res, 201, { ID: 1, Price: 12.5 }));
    await client.collection("Products").create({ ID: 1, Price: edm.decimal("12.50") });
    assert.equal(onlyRequest(server).body, '{"ID":1,"Price":12.5}');
  });

  test("with ieee754Compatible every Decimal is the string as written, and the content type says so", async (t) => {
    const { server, client } = await serveClient(t, (_r, res) => noContent(res), { ieee754Compatible: true });
    await client.action("price").invoke({ price: edm.decimal("12.50") });
    const request = onlyRequest(server);
    assert.match(String(request.headers["content-type"]), /IEEE754Compatible=true/i);
    assert.equal(request.body, '{"price":"12.50"}');
  });
});
