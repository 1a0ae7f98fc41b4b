// The shape's `literals` in the filter builder: a comparison of a top-level property the shape
// names takes the named type (and null, and an expression), so a GUID, a date or a v2 Int64 given
// as text, which would be written as a quoted string, does not compile. A path into a complex or
// related type takes the rule of the type that declares its last property. The type checks run in the test build
// (`tsc --noEmit` of `npm test`); at run time each test asserts the filter the accepted values give.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { edm, ODataClient, type EdmValue, type Entity } from "../src/index.js";
import { shopService } from "./codegen/v4/index.js";
import { shopService as shopServiceDeclared } from "./codegen/v4-declarations/index.js";
import { sALES_SRV_Entities } from "./codegen/v2/index.js";

const GUID = "0f8fad5b-d9cb-469f-a165-70867728950e";

interface Device extends Entity<{ key: "id"; navigation: "owner"; literals: { id: EdmValue; seen: Date | EdmValue } }> {
  id: string;
  seen: string | null;
  name: string;
  owner?: Owner | null;
}
interface Owner extends Entity<{ key: "id"; navigation: never; literals: { id: EdmValue } }> {
  id: string;
}
/** Device without literals: its comparisons take what they took before. */
interface PlainDevice extends Entity<{ key: "id"; navigation: never }> {
  id: string;
  seen: string | null;
}

const client = new ODataClient({ serviceUrl: "http://example.test/odata/" });
const v2 = new ODataClient({ serviceUrl: "http://example.test/sap/", version: "2.0" });

/** The decoded `$filter` of a query's URL. */
function filterOf(url: string): string | null {
  return new URL(url).searchParams.get("$filter");
}

describe("comparisons take the type the shape's literals name", () => {
  test("a hand-written interface: eq, ne, lt, in refuse text for a named property, take its edm values, a Date where named, and null", () => {
    const devices = client.collection<Device>("Devices");
    // @ts-expect-error a Guid given as text would be quoted
    void devices.filter((f) => f.eq("id", GUID));
    // @ts-expect-error in a list too
    void devices.filter((f) => f.in("id", [GUID]));
    // @ts-expect-error a DateTimeOffset given as text
    void devices.filter((f) => f.lt("seen", "2024-01-02T10:00:00Z"));
    const q = devices.filter((f) =>
      f.and(f.in("id", [edm.guid(GUID), null]), f.lt("seen", new Date(Date.UTC(2024, 0, 2))), f.ne("seen", null), f.eq("name", "x"), f.eq("id", f.field("owner/id"))),
    );
    assert.equal(filterOf(q.url()), `(id eq ${GUID} or id eq null) and seen lt 2024-01-02T00:00:00.000Z and seen ne null and name eq 'x' and id eq owner/id`);
  });

  test("a path into a related type takes the literals of the related type", () => {
    const q = client.collection<Device>("Devices").filter((f) => f.eq("owner/id", edm.guid(GUID)));
    assert.equal(filterOf(q.url()), `owner/id eq ${GUID}`);
    // Text, which would be sent quoted, does not compile below the first segment either.
    // @ts-expect-error a GUID of the related type given as text
    assert.equal(filterOf(client.collection<Device>("Devices").filter((f) => f.eq("owner/id", GUID)).url()), `owner/id eq '${GUID}'`);
  });

  test("an interface without literals, and a loose type, take text as before", () => {
    const q = client.collection<PlainDevice>("Devices").filter((f) => f.and(f.eq("id", GUID), f.lt("seen", new Date(0))));
    assert.equal(filterOf(q.url()), `id eq '${GUID}' and seen lt 1970-01-01T00:00:00.000Z`);
    assert.equal(filterOf(client.collection("Devices").filter((f) => f.eq("id", GUID)).url()), `id eq '${GUID}'`);
  });

  test("generated v4 types: Guid, Date and DateTimeOffset properties refuse text; an enumeration takes its member names", () => {
    for (const shop of [shopService(client), shopServiceDeclared(client)]) {
      // @ts-expect-error Edm.Guid
      void shop.Solutions.filter((f) => f.eq("SolutionId", GUID));
      // @ts-expect-error Edm.Date
      void shop.Slots.filter((f) => f.eq("Day", "2024-01-02"));
      // @ts-expect-error Edm.Date is not a JS Date either
      void shop.Slots.filter((f) => f.eq("Day", new Date(0)));
      // @ts-expect-error Edm.DateTimeOffset
      void shop.Books.filter((f) => f.gt("Created", "2024-01-02T00:00:00Z"));
      // A member's name is sent as a string, which OData 4.01 reads (edm.enumMember writes 4.0's form).
      assert.equal(filterOf(shop.Books.filter((f) => f.eq("Format", "Paper")).url()), "Format eq 'Paper'");
      // @ts-expect-error not a member of Format
      void shop.Books.filter((f) => f.eq("Format", "Vinyl"));
      const q = shop.Books.filter((f) => f.and(f.gt("Created", new Date(Date.UTC(2024, 0, 2))), f.eq("Format", edm.enumMember("Shop.Format", "Paper")), f.eq("Title", "x"), f.lt("Price", 10)));
      assert.equal(filterOf(q.url()), "Created gt 2024-01-02T00:00:00.000Z and Format eq Shop.Format'Paper' and Title eq 'x' and Price lt 10");
    }
  });

  test("generated v2 types: Int64, Guid and DateTime properties refuse text; a complex property's member keeps its type's rule", () => {
    const sales = sALES_SRV_Entities(v2);
    // @ts-expect-error v2 Edm.Int64 wants 42L
    void sales.Orders.filter((f) => f.eq("OrderID", "42"));
    // @ts-expect-error nor a number, written without its L
    void sales.Orders.filter((f) => f.eq("OrderID", 42));
    // @ts-expect-error v2 Edm.Guid wants guid'...'
    void sales.Orders.filter((f) => f.eq("Guid", GUID));
    // @ts-expect-error v2 Edm.Time wants time'...'
    void sales.Shifts.filter((f) => f.eq("Length", "PT8H"));
    const q = sales.Orders.filter((f) => f.and(f.eq("OrderID", edm.int64("42")), f.eq("Total/Amount", edm.decimal("1.5")), f.eq("Year", 2024)));
    assert.equal(filterOf(q.url()), "OrderID eq 42L and Total/Amount eq 1.5M and Year eq 2024");
  });
});
