// The shape's `literals`: properties whose values the reader gives as strings but whose URL literal
// is not a quoted string (a GUID, a date, a v2 Int64...; not an enumeration, whose member names stay). Named there,
// `key()` takes the type the shape gives (an edm.* value, a JS Date where it is the literal) and
// refuses a plain string, which it would quote. The type checks run in the test build (`tsc
// --noEmit` of `npm test`): every misuse is marked `@ts-expect-error`. At run time the tests assert
// what the accepted values put on the wire, against a node:http server.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { edm, ODataClient, parseMetadata, type EdmValue, type Entity, type EntityKey, type KeyValue } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import { shopService } from "./codegen/v4/index.js";
import { shopService as shopServiceDeclared } from "./codegen/v4-declarations/index.js";
import { sALES_SRV_Entities } from "./codegen/v2/index.js";
import { answerJson, serveClient } from "./servers/recording-server.js";

/** `true` when `A` and `B` are assignable both ways. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compiles only for `true`. */
function expectType<_T extends true>(): void {}

const GUID = "0f8fad5b-d9cb-469f-a165-70867728950e";

/** A hand-written interface whose shape names literals: a Guid key and a DateTimeOffset. */
interface Device extends Entity<{ key: "id"; navigation: never; literals: { id: EdmValue; seen: Date | EdmValue } }> {
  id: string;
  seen: string | null;
  name: string;
}

/** A composite key with one named literal: `b` keeps the rule of its own type. */
interface Reading extends Entity<{ key: "device" | "at"; navigation: never; literals: { device: EdmValue } }> {
  device: string;
  at: number;
}

/** The same as Device without `literals`: what it gives is what every shaped interface gave before. */
interface PlainDevice extends Entity<{ key: "id"; navigation: never }> {
  id: string;
  seen: string | null;
}

const client = new ODataClient({ serviceUrl: "http://example.test/odata/" });
const v2 = new ODataClient({ serviceUrl: "http://example.test/sap/", version: "2.0" });

/** The path and query of a URL, decoded. */
function pathOf(url: string): string {
  const parsed = new URL(url);
  return decodeURIComponent(parsed.pathname + parsed.search);
}

describe("key() takes the type the shape's literals name", () => {
  test("a hand-written interface: the named key takes edm values, not a plain string; others keep their own type", () => {
    const devices = client.collection<Device>("Devices");
    expectType<Same<KeyValue<Device>, EdmValue | { readonly id: EdmValue }>>();
    expectType<Same<KeyValue<Reading>, { readonly device: EdmValue; readonly at: number | bigint | EdmValue }>>();
    // @ts-expect-error a Guid key given as text would be quoted
    void devices.key(GUID);
    // @ts-expect-error in an object too
    void devices.key({ id: GUID });
    const readings = client.collection<Reading>("Readings");
    // @ts-expect-error the named member of a composite key refuses text
    void readings.key({ device: GUID, at: 1 });
    // @ts-expect-error the other member keeps its own type's rule
    void readings.key({ device: edm.guid(GUID), at: "1" });
    assert.equal(pathOf(devices.key(edm.guid(GUID)).url()), `/odata/Devices(${GUID})`);
    assert.equal(pathOf(devices.key({ id: edm.guid(GUID) }).url()), `/odata/Devices(id=${GUID})`);
    assert.equal(pathOf(readings.key({ device: edm.guid(GUID), at: 3 }).url()), `/odata/Readings(device=${GUID},at=3)`);
  });

  test("an interface without literals, and a loose type, take what they took before", () => {
    expectType<Same<KeyValue<PlainDevice>, string | Date | EdmValue | { readonly id: string | Date | EdmValue }>>();
    expectType<Same<KeyValue<Record<string, unknown>>, EntityKey<Record<string, unknown>>>>();
    expectType<Same<Extract<KeyValue<Record<string, unknown>>, string>, string>>();
    assert.equal(pathOf(client.collection<PlainDevice>("Devices").key("x").url()), "/odata/Devices('x')");
    assert.equal(pathOf(client.collection("Devices").key(GUID).url()), `/odata/Devices('${GUID}')`);
  });

  test("generated v4 types: a Guid, Date or DateTimeOffset key refuses text, in index.ts and in the declarations", () => {
    for (const shop of [shopService(client), shopServiceDeclared(client)]) {
      // @ts-expect-error Edm.Guid: v4 writes it bare, a string would be quoted
      void shop.Solutions.key(GUID);
      // @ts-expect-error the same key of the case-only twin (Dynamics' solution)
      void shop.solutions.key(GUID);
      // @ts-expect-error Edm.Date and Edm.DateTimeOffset of a composite key
      void shop.Slots.key({ Day: "2024-01-02", At: "2024-01-02T10:00:00Z" });
      // @ts-expect-error Edm.Date is not a JS Date either: a Date is written as a DateTimeOffset
      void shop.Slots.key({ Day: new Date(0), At: new Date(0) });
      // A v4 Int64 typed number keeps its numbers; an Int32 member of a composite key too.
      void shop.Books.key(7);
      void shop.Books.key(9007199254740993n);
      void shop.Reviews.key({ BookID: 1, Number: 2 });
      // Edm.String keys are strings as before.
      void shop.Authors.key("Austen");
    }
  });

  test("generated v2 types: an Int64, Guid or DateTime key refuses text", () => {
    const sales = sALES_SRV_Entities(v2);
    // @ts-expect-error v2 Edm.Int64 wants 42L; a string would be quoted
    void sales.Orders.key({ OrderID: "42", Year: 2024 });
    // @ts-expect-error nor a number, written 42 without its L
    void sales.Orders.key({ OrderID: 42, Year: 2024 });
    // @ts-expect-error v2 Edm.Guid and Edm.DateTime want guid'...' and datetime'...'
    void sales.Shifts.key({ EmployeeGuid: GUID, Start: "2024-01-02T10:00:00Z" });
    // Edm.String keys are strings as before.
    void sales.Customers.key("C1");
  });
});

describe("the values key() takes for the named literals reach the wire as their literals", () => {
  for (const [form, factory] of [["index.ts", shopService], ["index.js of the declarations", shopServiceDeclared]] as const) {
    test(`v4 ${form}: a Guid bare, a Date and a DateTimeOffset as dates, not quoted`, async (t) => {
      const { server, client: live } = await serveClient(t, answerJson(200, {}));
      const shop = factory(live);
      await shop.Solutions.key(edm.guid(GUID)).get();
      await shop.Solutions.key({ SolutionId: edm.guid(GUID) }).get();
      await shop.Slots.key({ Day: edm.date("2024-01-02"), At: new Date(Date.UTC(2024, 0, 2, 10)) }).get();
      await shop.Slots.key({ Day: edm.date("2024-01-02"), At: edm.dateTimeOffset("2024-01-02T12:00:00+02:00") }).get();
      assert.deepEqual(
        server.requests.map((r) => decodeURIComponent(r.path)),
        [
          `/odata/Solutions(${GUID})`,
          `/odata/Solutions(SolutionId=${GUID})`,
          "/odata/Slots(Day=2024-01-02,At=2024-01-02T10:00:00.000Z)",
          "/odata/Slots(Day=2024-01-02,At=2024-01-02T12:00:00+02:00)",
        ],
      );
    });
  }

  test("v2: an Int64 with its L, a Guid and a DateTime typed", async (t) => {
    const { server, client: live } = await serveClient(t, answerJson(200, { d: {} }), { version: "2.0" });
    const sales = sALES_SRV_Entities(live);
    await sales.Orders.key({ OrderID: edm.int64("4500000001"), Year: 2024 }).get();
    await sales.Shifts.key({ EmployeeGuid: edm.guid(GUID), Start: new Date(Date.UTC(2024, 0, 2, 10)) }).get();
    await sales.Shifts.key({ EmployeeGuid: edm.guid(GUID), Start: edm.dateTime("2024-01-02T10:00:00") }).get();
    assert.deepEqual(
      server.requests.map((r) => decodeURIComponent(r.path)),
      [
        "/odata/Orders(OrderID=4500000001L,Year=2024)",
        `/odata/Shifts(EmployeeGuid=guid'${GUID}',Start=datetime'2024-01-02T10:00:00.000')`,
        `/odata/Shifts(EmployeeGuid=guid'${GUID}',Start=datetime'2024-01-02T10:00:00')`,
      ],
    );
  });

  test("v4 and v2: a filter comparison of a named literal property with its edm value or Date writes its literal", async (t) => {
    const { server: v4Server, client: v4Client } = await serveClient(t, answerJson(200, { value: [] }));
    const shop = shopService(v4Client);
    await shop.Solutions.filter((f) => f.eq("SolutionId", edm.guid(GUID))).page();
    await shop.Slots.filter((f) => f.and(f.eq("Day", edm.date("2024-01-02")), f.lt("At", new Date(Date.UTC(2024, 0, 2, 10))), f.ne("Length", null))).page();
    await shop.Books.filter((f) => f.in("Format", [edm.enumMember("Shop.Format", "Paper"), null])).page();
    const { server: v2Server, client: v2Client } = await serveClient(t, answerJson(200, { d: { results: [] } }), { version: "2.0" });
    const sales = sALES_SRV_Entities(v2Client);
    await sales.Orders.filter((f) => f.and(f.eq("OrderID", edm.int64("42")), f.eq("Guid", edm.guid(GUID)))).page();
    assert.deepEqual(
      v4Server.requests.map((r) => decodeURIComponent(r.path)),
      [
        `/odata/Solutions?$filter=SolutionId eq ${GUID}`,
        "/odata/Slots?$filter=Day eq 2024-01-02 and At lt 2024-01-02T10:00:00.000Z and Length ne null",
        "/odata/Books?$filter=Format eq Shop.Format'Paper' or Format eq null",
      ],
    );
    assert.deepEqual(
      v2Server.requests.map((r) => decodeURIComponent(r.path)),
      [`/odata/Orders?$filter=OrderID eq 42L and Guid eq guid'${GUID}'`],
    );
  });
});

describe("which properties the generator names in literals", () => {
  const metadata = (version: string, body: string) =>
    `<edmx:Edmx Version="${version}" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="N" xmlns="http://docs.oasis-open.org/odata/ns/edm">${body}</Schema></edmx:DataServices></edmx:Edmx>`;
  const model = parseMetadata(
    metadata(
      "4.0",
      `<EnumType Name="Color"><Member Name="Red"/></EnumType><TypeDefinition Name="Code" UnderlyingType="Edm.Guid"/><TypeDefinition Name="Name" UnderlyingType="Edm.String"/>
      <EntityType Name="E"><Key><PropertyRef Name="id"/></Key>
        <Property Name="id" Type="Edm.Int32" Nullable="false"/><Property Name="g" Type="Edm.Guid"/><Property Name="d" Type="Edm.Date"/>
        <Property Name="o" Type="Edm.DateTimeOffset"/><Property Name="t" Type="Edm.TimeOfDay"/><Property Name="u" Type="Edm.Duration"/>
        <Property Name="b" Type="Edm.Binary"/><Property Name="i" Type="Edm.Int64"/><Property Name="m" Type="Edm.Decimal"/>
        <Property Name="e" Type="N.Color"/><Property Name="c" Type="N.Code"/><Property Name="n" Type="N.Name"/><Property Name="s" Type="Edm.String"/>
        <Property Name="gs" Type="Collection(Edm.Guid)"/><Property Name="st" Type="Edm.Stream"/><Property Name="my-date" Type="Edm.Date"/>
        <NavigationProperty Name="next" Type="N.E"/></EntityType>
      <EntityContainer Name="C"><EntitySet Name="Es" EntityType="N.E"/></EntityContainer>`,
    ),
  );

  test("v4: every property whose literal a string is not, but not numbers, strings, enumerations, collections, streams or navigation", () => {
    const text = generate(model)["index.ts"] ?? "";
    assert.match(
      text,
      /^ {2}literals: \{ g: EdmValue; d: EdmValue; o: Date \| EdmValue; t: EdmValue; u: EdmValue; b: EdmValue; c: EdmValue \};$/m,
    );
  });

  test("v4 with ieee754Compatible: Int64 and Decimal, typed string, are named too", () => {
    const text = generate(model, { ieee754Compatible: true })["index.ts"] ?? "";
    assert.match(text, /^ {2}literals: \{ g: EdmValue; d: EdmValue; o: Date \| EdmValue; t: EdmValue; u: EdmValue; b: EdmValue; i: EdmValue; m: EdmValue; c: EdmValue \};$/m);
  });

  test("an entity type with no such property has no literals member, and its shape stays on one line", () => {
    const plain = parseMetadata(
      metadata("4.0", `<EntityType Name="P"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int64" Nullable="false"/><Property Name="s" Type="Edm.String"/></EntityType><EntityContainer Name="C"><EntitySet Name="Ps" EntityType="N.P"/></EntityContainer>`),
    );
    const text = generate(plain)["index.ts"] ?? "";
    assert.match(text, /^export interface P extends Entity<\{ key: "id"; navigation: never \}> \{$/m);
    assert.doesNotMatch(text, /literals/);
  });
});
