/**
 * The demo service's functions and parameter aliases, over HTTP on 127.0.0.1. A function
 * parameter's value may be a parameter alias, given as a query option of the request
 * (`totalValue(status=@s)?@s='open'`, OData 4.01 Part 2 §5.1.1.13.1); SAP CAP answers such a call
 * as the one with the value inline. The demo refused it 400 ("Cannot read the function
 * parameters"). An alias the query does not give is the null value, which these parameters
 * (Nullable="false") refuse.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startDemoService, type DemoService } from "../demo/service.js";

let service: DemoService;
let root: string;

before(async () => {
  service = await startDemoService({ productCount: 30 });
  root = service.serviceUrl;
});
after(() => service.close());

async function get(path: string): Promise<{ status: number; body: { value?: unknown; error?: { code: string; target?: string } } }> {
  const response = await fetch(root + path);
  return { status: response.status, body: (await response.json()) as { value?: unknown } };
}

describe("function parameters given as aliases", () => {
  test("an unbound and a bound function answer as with the value inline", async () => {
    for (const [aliased, inline] of [
      ["totalValue(status=@s)?@s='open'", "totalValue(status='open')"],
      ["totalValue(status=@s)?@s=%27open%27", "totalValue(status='open')"],
      ["Orders(1)/Demo.discountedAmount(percent=@p)?@p=10", "Orders(1)/Demo.discountedAmount(percent=10)"],
      ["Orders(2)/Demo.discountedAmount(percent=@p)?@p=12.5", "Orders(2)/Demo.discountedAmount(percent=12.5)"],
    ]) {
      const expected = await get(inline as string);
      assert.equal(expected.status, 200, inline);
      const answer = await get(aliased as string);
      assert.equal(answer.status, 200, `${aliased}: ${JSON.stringify(answer.body)}`);
      assert.deepEqual(answer.body, expected.body, aliased);
    }
  });

  test("an alias with no value, or one of the wrong type, is refused 400 naming the parameter", async () => {
    for (const path of ["totalValue(status=@s)", "totalValue(status=@s)?@s=5", "Orders(1)/Demo.discountedAmount(percent=@p)?@p='ten'", "Orders(1)/Demo.discountedAmount(percent=@p)?@q=10"]) {
      const answer = await get(path);
      assert.equal(answer.status, 400, path);
      assert.ok(answer.body.error?.target === "status" || answer.body.error?.target === "percent", `${path}: ${JSON.stringify(answer.body)}`);
    }
  });
});
