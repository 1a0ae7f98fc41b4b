/**
 * The generator (`traverse-odata/codegen`) on hostile and unusual `$metadata`: reserved words,
 * non-ASCII, case-only and colliding names, undefined and recursive types, inheritance chains and
 * cycles, unusual EDM types and enumerations, hostile text in names and annotations, aliases, twin
 * type names, empty schemas, and a model of 5,000 entity types. Each input is either refused with
 * an error that names the element, or gives files that
 * 1. type-check under the repository's tsconfig (one in-memory program for every case, both the
 *    `index.ts` form and the `index.d.ts`/`index.js` form),
 * 2. hold nothing but the declarations the generator writes (each with its one doc comment), so a
 *    name or annotation cannot close a comment or a string and add code,
 * 3. keep the wire names: every service member is named, and calls the client with, exactly the
 *    name of its container member; every entity interface has exactly the EDM property names and key,
 * 4. type a program right: a small usage per case, with `@ts-expect-error` for what must not compile.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { virtualDiagnostics } from "./virtual-program.js";
import { ODataClientError, parseMetadata, type ServiceModel } from "../src/index.js";
import { generate, type GenerateOptions, type GeneratedFiles } from "../src/codegen/index.js";
import { edmxV2 as v2Document, edmxV4, schemaV4 } from "./generated-module.js";
import { isIdentifier as isODataName } from "../src/util/identifiers.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** Where the generated files seem to be: nothing is written there, the compiler host serves them from memory. */
const VIRTUAL = join(ROOT, "test", "codegen-hostile.virtual");
/** The library as seen from a generated folder. */
const IMPORT_FROM = "../../../src/index.js";

// ---------------------------------------------------------------------------------------------
// Inputs.

/** A v2 document of one schema `V2` holding `body`. */
const edmxV2 = (body: string) => v2Document(body, "V2");

/** An entity type with an Int32 key `id` and the given extra XML. */
function entity(name: string, extra = "", attributes = ""): string {
  return `<EntityType Name="${name}"${attributes}><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="false"/>${extra}</EntityType>`;
}

/** XML attribute text for any string. */
function attr(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;").replace(/\n/g, "&#10;").replace(/\r/g, "&#13;");
}

/** A string literal for any text, with U+2028 and U+2029 escaped (raw, they count as line ends for `@ts-expect-error`). */
function literal(text: string): string {
  return JSON.stringify(text).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** One name in two Unicode normalizations: `é` precomposed (NFC) and `e` with a combining acute accent (NFD). */
const CAFE_NFC = "Caf\u00e9";
const CAFE_NFD = "Cafe\u0301";

/** Text meant to break out of a doc comment, a string, a template or a script element. */
const HOSTILE = "*/ export const pwned = 1; /* ` ${globalThis} \" ' \\ </script>\n// new line\r\n\u2028\u2029 end";

interface Case {
  /** The folder of the case's files (an identifier-like word). */
  id: string;
  title: string;
  metadata: string | object;
  options?: GenerateOptions;
  /** Import list from `./index.js` and the body of a function `(client: ODataClient) => void`. */
  usage?: { imports: string; body: string };
  /** When set, a refusal must name what `refused` matches; with `mustRefuse`, the input must be refused. */
  refused?: RegExp;
  mustRefuse?: boolean;
}

const CASES: Case[] = [
  {
    id: "reserved",
    title: "names that are JS/TS reserved words or Object.prototype members (class, delete, constructor, prototype, then, default, in, enum)",
    metadata: edmxV4(
      schemaV4(
        "N",
        `<EntityType Name="class"><Key><PropertyRef Name="in"/></Key>
          <Property Name="in" Type="Edm.Int32" Nullable="false"/><Property Name="class" Type="Edm.String"/><Property Name="delete" Type="Edm.Boolean"/>
          <Property Name="constructor" Type="Edm.String"/><Property Name="prototype" Type="Edm.Int32"/><Property Name="then" Type="Edm.String"/>
          <Property Name="default" Type="N.default"/><Property Name="enum" Type="N.enum"/><Property Name="toString" Type="Edm.Int32"/>
          <Property Name="hasOwnProperty" Type="Edm.String"/><NavigationProperty Name="new" Type="N.delete"/></EntityType>
        ${entity("delete", `<Property Name="typeof" Type="Edm.String"/><NavigationProperty Name="instanceof" Type="Collection(N.class)"/>`)}
        ${entity("constructor")}${entity("prototype")}${entity("then")}
        <ComplexType Name="default"><Property Name="void" Type="Edm.String"/><Property Name="null" Type="Edm.Int32"/></ComplexType>
        <EnumType Name="enum"><Member Name="class"/><Member Name="default"/><Member Name="__proto__"/><Member Name="constructor"/></EnumType>
        <Function Name="default"><Parameter Name="class" Type="Edm.Guid" Nullable="false"/><Parameter Name="delete" Type="Edm.Int32" Nullable="false"/><ReturnType Type="Edm.String"/></Function>
        <Action Name="in"><Parameter Name="function" Type="N.enum" Nullable="false"/></Action>
        <Action Name="return" IsBound="true"><Parameter Name="this" Type="N.class"/><Parameter Name="super" Type="Edm.Int32"/></Action>
        <EntityContainer Name="Default">
          <EntitySet Name="class" EntityType="N.class"/><EntitySet Name="delete" EntityType="N.delete"/><EntitySet Name="constructor" EntityType="N.constructor"/>
          <EntitySet Name="prototype" EntityType="N.prototype"/><EntitySet Name="then" EntityType="N.then"/>
          <FunctionImport Name="default" Function="N.default"/><ActionImport Name="in" Action="N.in"/>
        </EntityContainer>`,
      ),
    ),
    usage: {
      imports: "default_, type class_, type enum_",
      body: `const svc = default_(client);
      const picked = svc.class.select("class", "delete").first();
      void picked.then((row) => {
        const text: string | null | undefined = row?.class;
        // @ts-expect-error then was not selected
        void row?.then;
        void text;
      });
      void svc.class.filter((f) => f.and(f.eq("in", 1), f.eq("constructor", "x"), f.eq("prototype", 2)));
      // @ts-expect-error in is an Int32
      void svc.class.filter((f) => f.eq("in", "1"));
      // @ts-expect-error delete is a Boolean
      void svc.class.filter((f) => f.eq("delete", 1));
      void svc.class.key(1);
      // @ts-expect-error the key is an Int32
      void svc.class.key("1");
      void svc.class.expand("new");
      // @ts-expect-error class is no navigation property
      void svc.class.expand("class");
      const member: enum_ = "__proto__";
      // @ts-expect-error not a member
      const other: enum_ = "Class";
      void svc.default({ class: "0f8fad5b-d9cb-469f-a165-70867728950e", delete: 1 }).get();
      // @ts-expect-error delete is an Int32
      void svc.default({ class: "0f8fad5b-d9cb-469f-a165-70867728950e", delete: "1" });
      void svc.in.invoke({ function: "default" });
      const row: class_ | undefined = undefined;
      void [member, other, svc.then, svc.constructor, svc.prototype, row];`,
    },
  },
  {
    id: "protoSet",
    title: "an entity set and a property named __proto__ stay named __proto__",
    metadata: edmxV4(
      schemaV4(
        "N",
        `<EntityType Name="__proto__"><Key><PropertyRef Name="__proto__"/></Key><Property Name="__proto__" Type="Edm.Int32" Nullable="false"/><Property Name="name" Type="Edm.String"/></EntityType>
        <EntityContainer Name="C"><EntitySet Name="__proto__" EntityType="N.__proto__"/></EntityContainer>`,
      ),
    ),
    usage: {
      imports: "c",
      body: `const svc = c(client);
      void svc.__proto__.select("__proto__", "name").first();
      void svc.__proto__.key(1);
      // @ts-expect-error the key is an Int32
      void svc.__proto__.key("1");`,
    },
  },
  {
    id: "protoImport",
    title: "an operation import named __proto__ is a member of the service, not its prototype",
    metadata: edmxV4(
      schemaV4(
        "N",
        `<Function Name="F"><ReturnType Type="Edm.Int32"/></Function>
        <EntityContainer Name="C"><FunctionImport Name="__proto__" Function="N.F"/></EntityContainer>`,
      ),
    ),
    usage: { imports: "c", body: `void c(client).__proto__().get();` },
  },
  {
    id: "nonAscii",
    title: "names with non-ASCII letters (Straße, Größe, 名前, Ärger) keep their wire names",
    metadata: edmxV4(
      schemaV4(
        "Ünicode",
        `<EntityType Name="Straße"><Key><PropertyRef Name="Größe"/></Key><Property Name="Größe" Type="Edm.Int32" Nullable="false"/><Property Name="名前" Type="Edm.String"/>
          <Property Name="Ärger" Type="Ünicode.Farbe"/><Property Name="emoji😀" Type="Edm.Boolean"/></EntityType>
        <EntityType Name="顧客"><Key><PropertyRef Name="ид"/></Key><Property Name="ид" Type="Edm.String" Nullable="false"/></EntityType>
        <EntityType Name="注文"><Key><PropertyRef Name="ид"/></Key><Property Name="ид" Type="Edm.Int32" Nullable="false"/></EntityType>
        <EnumType Name="Farbe"><Member Name="Grün"/><Member Name="Weiß"/></EnumType>
        <Function Name="Zähle"><Parameter Name="Größe" Type="Edm.Date"/><ReturnType Type="Edm.Int32"/></Function>
        <EntityContainer Name="Dienst"><EntitySet Name="Straßen" EntityType="Ünicode.Straße"/><EntitySet Name="顧客" EntityType="Ünicode.顧客"/>
          <EntitySet Name="注文" EntityType="Ünicode.注文"/><FunctionImport Name="Zähle" Function="Ünicode.Zähle"/></EntityContainer>`,
      ),
    ),
    usage: {
      imports: "dienst",
      body: `const svc = dienst(client);
      void svc.Straßen.select("Größe", "名前").first().then((row) => {
        const name: string | null | undefined = row?.名前;
        // @ts-expect-error Ärger was not selected
        void row?.Ärger;
        void name;
      });
      void svc.Straßen.filter((f) => f.eq("Ärger", "Grün"));
      // @ts-expect-error an emoji is no letter: emoji😀 is no OData name, which the client refuses, and is left out
      void svc.Straßen.filter((f) => f.eq("emoji😀", true));
      // @ts-expect-error 名前 is a string
      void svc.Straßen.filter((f) => f.eq("名前", 1));
      // @ts-expect-error not a member of Farbe
      void svc.Straßen.filter((f) => f.eq("Ärger", "Rot"));
      void svc.顧客.key("a");
      void svc.注文.key(1);
      // @ts-expect-error the key of 注文 is an Int32 (not the string key of 顧客)
      void svc.注文.key("a");
      void svc.Zähle({ Größe: "2024-01-02" }).get();`,
    },
  },
  {
    id: "caseOnly",
    title: "type, property and set names differing only in case stay apart",
    metadata: edmxV4(
      schemaV4(
        "N",
        `<EntityType Name="solution"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="false"/><Property Name="Name" Type="Edm.String"/><Property Name="name" Type="Edm.Int32"/></EntityType>
        <EntityType Name="Solution"><Key><PropertyRef Name="Id"/></Key><Property Name="Id" Type="Edm.String" Nullable="false"/><Property Name="NAME" Type="Edm.Boolean"/></EntityType>
        <EntityContainer Name="C"><EntitySet Name="solutions" EntityType="N.solution"/><EntitySet Name="Solutions" EntityType="N.Solution"/><EntitySet Name="SOLUTIONS" EntityType="N.solution"/></EntityContainer>`,
      ),
    ),
    usage: {
      imports: "c",
      body: `const svc = c(client);
      void svc.solutions.filter((f) => f.and(f.eq("Name", "x"), f.eq("name", 1)));
      // @ts-expect-error name (lower case) is an Int32
      void svc.solutions.filter((f) => f.eq("name", "x"));
      void svc.Solutions.key("a");
      // @ts-expect-error the key of Solution is a string
      void svc.Solutions.key(1);
      // @ts-expect-error Solution has NAME, not Name
      void svc.Solutions.select("Name");
      void svc.SOLUTIONS.key(1);`,
    },
  },
  {
    id: "scripts",
    title: "type names in CJK, Cyrillic and Greek letters keep their letters (客户, Заказ, Πελάτης), as does the factory of a container named 服务, and each names its own type",
    metadata: edmxV4(
      schemaV4(
        "销售",
        `<EntityType Name="客户"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="名称" Type="Edm.String"/>
          <Property Name="地址" Type="销售.地址"/><NavigationProperty Name="订单" Type="Collection(销售.订单)"/></EntityType>
        <EntityType Name="订单"><Key><PropertyRef Name="编号"/></Key><Property Name="编号" Type="Edm.String" Nullable="false"/><Property Name="状态" Type="销售.状态"/></EntityType>
        <EntityType Name="Заказ"><Key><PropertyRef Name="Номер"/></Key><Property Name="Номер" Type="Edm.Guid" Nullable="false"/></EntityType>
        <EntityType Name="Πελάτης"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="false"/></EntityType>
        <ComplexType Name="地址"><Property Name="城市" Type="Edm.String"/></ComplexType>
        <EnumType Name="状态"><Member Name="新"/><Member Name="完成"/></EnumType>
        <EntityContainer Name="服务"><EntitySet Name="客户" EntityType="销售.客户"/><EntitySet Name="订单" EntityType="销售.订单"/>
          <EntitySet Name="Заказы" EntityType="销售.Заказ"/><EntitySet Name="Πελάτες" EntityType="销售.Πελάτης"/></EntityContainer>`,
      ),
    ),
    usage: {
      imports: "服务, type 客户, type 订单, type 订单Key, type 地址, type 状态, type Заказ, type ЗаказKey, type Πελάτης",
      body: `const svc = 服务(client);
      const address: 地址 = { 城市: "北京" };
      const state: 状态 = "完成";
      const customer: 客户 = { ID: 1, 名称: null, 地址: address };
      const order: 订单 = { 编号: "A-1", 状态: state };
      // @ts-expect-error 订单 has no 名称: each name stands for its own type
      const mixed: 订单 = { 编号: "A-1", 状态: null, 名称: null };
      const orderKey: 订单Key = "A-1";
      // @ts-expect-error the key of 订单 is a string, not the Int32 of 客户
      const wrongKey: 订单Key = 1;
      const zakaz: Заказ | undefined = undefined;
      const zakazKey: ЗаказKey = edm.guid("0f8fad5b-d9cb-469f-a165-70867728950e");
      // @ts-expect-error 状态 has no member 旧
      void svc.订单.filter((f) => f.eq("状态", "旧"));
      void svc.客户.expand("订单").first();
      void svc.Заказы.key(zakazKey).get();
      void svc.Πελάτες.key(1).get().then((row: Πελάτης) => row.id);
      void [customer, order, mixed, orderKey, wrongKey, zakaz];`,
    },
  },
  {
    id: "normalization",
    title: "type names that differ only in Unicode normalization (Café precomposed and decomposed) or in case (CAFÉ) stay three types",
    metadata: edmxV4(
      schemaV4(
        "N",
        `${entity(CAFE_NFC, `<Property Name="nfc" Type="Edm.String"/>`)}${entity(CAFE_NFD, `<Property Name="nfd" Type="Edm.Int32"/>`)}${entity("CAF\u00c9", `<Property Name="upper" Type="Edm.Boolean"/>`)}
        <EntityContainer Name="C"><EntitySet Name="Nfc" EntityType="N.${CAFE_NFC}"/><EntitySet Name="Nfd" EntityType="N.${CAFE_NFD}"/><EntitySet Name="Upper" EntityType="N.CAF\u00c9"/></EntityContainer>`,
      ),
    ),
    usage: {
      imports: `c, type ${CAFE_NFC}, type ${CAFE_NFD}, type CAF\u00c9`,
      body: `const svc = c(client);
      const nfc: ${CAFE_NFC} = { id: 1, nfc: "x" };
      const nfd: ${CAFE_NFD} = { id: 1, nfd: 1 };
      const upper: CAF\u00c9 = { id: 1, upper: true };
      // @ts-expect-error the decomposed name is the type with nfd
      const wrong: ${CAFE_NFD} = { id: 1, nfc: "x" };
      void svc.Nfd.filter((f) => f.eq("nfd", 1));
      // @ts-expect-error Nfd's type has no nfc
      void svc.Nfd.filter((f) => f.eq("nfc", "x"));
      void [nfc, nfd, upper, wrong];`,
    },
  },
  {
    id: "collide",
    title: "names that meet after the generator's own renaming (a-b and a_b, Entity and Entity_, X and XKey, F and f imports) all get distinct identifiers",
    metadata: edmxV4(
      schemaV4(
        "N",
        `${entity("a-b", `<Property Name="fromHyphen" Type="Edm.String"/>`)}${entity("a_b", `<Property Name="fromUnderscore" Type="Edm.Int32"/>`)}
        ${entity("Entity")}${entity("Entity_")}${entity("X")}<ComplexType Name="XKey"><Property Name="k" Type="Edm.String"/></ComplexType>
        ${entity("2nd")}${entity("_2nd")}${entity("class")}${entity("class_")}${entity("C")}
        <ComplexType Name="FParameters"><Property Name="p" Type="Edm.String"/></ComplexType>
        <EntityType Name="Props"><Key><PropertyRef Name="a-b"/></Key><Property Name="a-b" Type="Edm.Int32" Nullable="false"/><Property Name="a_b" Type="Edm.String"/></EntityType>
        <Function Name="F"><Parameter Name="n" Type="Edm.Int32" Nullable="false"/><ReturnType Type="Edm.Int32"/></Function>
        <Function Name="G"><Parameter Name="s" Type="Edm.String" Nullable="false"/><ReturnType Type="Edm.String"/></Function>
        <EntityContainer Name="C">
          <EntitySet Name="a-b" EntityType="N.a-b"/><EntitySet Name="a_b" EntityType="N.a_b"/><EntitySet Name="Entity" EntityType="N.Entity"/>
          <EntitySet Name="Entity_" EntityType="N.Entity_"/><EntitySet Name="X" EntityType="N.X"/><EntitySet Name="2nd" EntityType="N.2nd"/>
          <EntitySet Name="_2nd" EntityType="N._2nd"/><EntitySet Name="Props" EntityType="N.Props"/><EntitySet Name="Cs" EntityType="N.C"/>
          <FunctionImport Name="F" Function="N.F"/><FunctionImport Name="f" Function="N.G"/>
        </EntityContainer>`,
      ),
    ),
    usage: {
      imports: "c, type XKey, type FParameters, type a_b",
      body: `const svc = c(client);
      // The set a-b is no OData name, so left out; its type a-b is a_b, and the type a_b is a_b_.
      // @ts-expect-error left out
      void svc["a-b"];
      const hyphen: a_b = { id: 1, fromHyphen: "x" };
      void svc.a_b.filter((f) => f.eq("fromUnderscore", 1));
      // @ts-expect-error a_b's type has no fromHyphen: the two did not merge
      void svc.a_b.filter((f) => f.eq("fromHyphen", "x"));
      void svc.Props.filter((f) => f.eq("a_b", "x"));
      // @ts-expect-error the property a-b is left out too
      void svc.Props.filter((f) => f.eq("a-b", 1));
      // Its key, named a-b, still takes an Int32 (the shape's literals name it), by value alone.
      void svc.Props.key(1);
      // @ts-expect-error a-b is an Int32
      void svc.Props.key("1");
      const modelKey: XKey = { k: null };
      const modelParameters: FParameters = { p: "x" };
      void svc.F({ n: 1 }).get();
      void svc.f({ s: "x" }).get();
      // @ts-expect-error f takes s, a string (not F's n)
      void svc.f({ n: 1 });
      // @ts-expect-error 2nd starts with a digit: left out
      void svc["2nd"];
      void [hyphen, modelKey, modelParameters, svc.Entity, svc.Entity_, svc._2nd, svc.Cs];`,
    },
  },
  {
    id: "long",
    title: "very long names: a type name of 3,000 characters stays; property and set names of 128 characters, the most OData allows, stay; longer ones are left out and named",
    metadata: edmxV4(
      schemaV4(
        "N",
        `<EntityType Name="${"T".repeat(3000)}"><Key><PropertyRef Name="${"p".repeat(128)}"/></Key><Property Name="${"p".repeat(128)}" Type="Edm.Int32" Nullable="false"/>
          <Property Name="${"p".repeat(3000)}" Type="Edm.String"/><Property Name="${"q-".repeat(1500)}" Type="Edm.String"/></EntityType>
        <EntityContainer Name="C"><EntitySet Name="${"S".repeat(128)}" EntityType="N.${"T".repeat(3000)}"/><EntitySet Name="${"S".repeat(3000)}" EntityType="N.${"T".repeat(3000)}"/></EntityContainer>`,
      ),
    ),
    usage: {
      imports: "c",
      body: `const svc = c(client);
      void svc.${"S".repeat(128)}.select("${"p".repeat(128)}");
      // @ts-expect-error the key is an Int32
      void svc.${"S".repeat(128)}.key("1");
      // @ts-expect-error a property name of 129 or more characters is no OData name: left out
      void svc.${"S".repeat(128)}.select("${"p".repeat(3000)}");
      // @ts-expect-error so is a set name
      void svc.${"S".repeat(3000)};`,
    },
  },
  {
    id: "dollar",
    title: "names with $, _ and digits ($Type, _, 9Lives, $count, 0, 1a, $batch)",
    metadata: edmxV4(
      schemaV4(
        "N",
        `<EntityType Name="$Type"><Key><PropertyRef Name="$"/></Key><Property Name="$" Type="Edm.Int32" Nullable="false"/><Property Name="$count" Type="Edm.String"/>
          <Property Name="_" Type="Edm.Boolean"/><Property Name="0" Type="Edm.Int32"/><Property Name="1a" Type="Edm.String"/><Property Name="__" Type="Edm.Double"/></EntityType>
        ${entity("_")}${entity("9Lives")}${entity("__")}
        <EntityContainer Name="$C"><EntitySet Name="$batch" EntityType="N.$Type"/><EntitySet Name="_" EntityType="N._"/><EntitySet Name="9" EntityType="N.9Lives"/><EntitySet Name="__" EntityType="N.__"/></EntityContainer>`,
      ),
    ),
    usage: {
      imports: "$C, type $Type",
      body: `const svc = $C(client);
      void [svc._, svc.__];
      // OData names have no $ and do not start with a digit: $batch and 9 are left out.
      // @ts-expect-error left out
      void svc.$batch;
      // @ts-expect-error left out
      void svc[9];
      const row: $Type = { _: true, __: 1.5 };
      // @ts-expect-error $count is left out of the type
      void row.$count;
      // @ts-expect-error so is 0
      void row[0];`,
    },
  },
  {
    id: "undefinedTypes",
    title: "references to types the model does not declare (property, collection, navigation, base type, set, singleton, operation)",
    metadata: edmxV4(
      schemaV4(
        "N",
        `<EntityType Name="A" BaseType="N.Missing"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="false"/>
          <Property Name="u" Type="N.Nope"/><Property Name="c" Type="Collection(Other.Nope)"/><NavigationProperty Name="n" Type="N.Gone"/>
          <NavigationProperty Name="ns" Type="Collection(N.Gone)"/></EntityType>
        <EntityType Name="K"><Key><PropertyRef Name="ref"/></Key><Property Name="ref" Type="N.Nope" Nullable="false"/></EntityType>
        <Function Name="F"><Parameter Name="p" Type="N.Nope"/><ReturnType Type="Collection(N.Nope)"/></Function>
        <EntityContainer Name="C" Extends="N.NoContainer"><EntitySet Name="As" EntityType="N.A"/><EntitySet Name="Ks" EntityType="N.K"/><EntitySet Name="Ghosts" EntityType="N.Ghost"/>
          <Singleton Name="Me" Type="N.Ghost"/><FunctionImport Name="F" Function="N.F"/><FunctionImport Name="Lost" Function="N.Lost"/><ActionImport Name="Gone" Action="N.Gone"/></EntityContainer>`,
      ),
    ),
    usage: {
      imports: "c",
      body: `const svc = c(client);
      void svc.As.select("id", "u", "c").expand("n").first();
      // @ts-expect-error id is an Int32
      void svc.As.filter((f) => f.eq("id", "1"));
      void svc.Ghosts.top(1);
      void svc.Me.get();
      void svc.F({ p: null }).get();
      void svc.Lost({}).get();
      void svc.Gone.invoke({});`,
    },
  },
  {
    id: "recursive",
    title: "self-referencing and mutually recursive complex types, and recursive navigation",
    metadata: edmxV4(
      schemaV4(
        "N",
        `<ComplexType Name="Tree"><Property Name="label" Type="Edm.String"/><Property Name="children" Type="Collection(N.Tree)"/><Property Name="parent" Type="N.Tree"/></ComplexType>
        <ComplexType Name="Ping"><Property Name="pong" Type="N.Pong"/><Property Name="n" Type="Edm.Int32"/></ComplexType>
        <ComplexType Name="Pong"><Property Name="ping" Type="N.Ping"/><Property Name="s" Type="Edm.String"/></ComplexType>
        ${entity("Node", `<Property Name="tree" Type="N.Tree"/><Property Name="ping" Type="N.Ping" Nullable="false"/><NavigationProperty Name="self" Type="N.Node"/><NavigationProperty Name="all" Type="Collection(N.Node)"/>`)}
        <EntityContainer Name="C"><EntitySet Name="Nodes" EntityType="N.Node"/></EntityContainer>`,
      ),
    ),
    usage: {
      imports: "c, type Node",
      body: `const svc = c(client);
      void svc.Nodes.select("tree").expand("self", (q) => q.expand("all", (a) => a.select("id"))).first();
      void svc.Nodes.filter((f) => f.and(f.eq("ping/pong/ping/n", 1), f.eq("tree/parent/label", "x")));
      // @ts-expect-error the path ends at an Int32
      void svc.Nodes.filter((f) => f.eq("ping/pong/ping/n", "1"));
      const node: Node = { id: 1, tree: null, ping: { pong: { ping: null, s: "x" }, n: 1 } };
      void node;`,
    },
  },
  {
    id: "deepChain",
    title: "a 100-deep inheritance chain repeats every inherited property and the inherited key",
    metadata: edmxV4(
      schemaV4(
        "N",
        `${entity("T0")}${Array.from({ length: 99 }, (_, i) => `<EntityType Name="T${i + 1}" BaseType="N.T${i}"><Property Name="p${i + 1}" Type="Edm.${i % 2 === 0 ? "String" : "Int32"}"/></EntityType>`).join("")}
        <EntityContainer Name="C"><EntitySet Name="Deep" EntityType="N.T99"/></EntityContainer>`,
      ),
    ),
    usage: {
      imports: "c",
      body: `const svc = c(client);
      void svc.Deep.select("p1", "p99").first();
      void svc.Deep.filter((f) => f.and(f.eq("p1", "x"), f.eq("p98", 1)));
      // @ts-expect-error p98 is an Int32
      void svc.Deep.filter((f) => f.eq("p98", "1"));
      void svc.Deep.key(1);
      // @ts-expect-error the inherited key is an Int32
      void svc.Deep.key("1");`,
    },
  },
  {
    id: "baseCycle",
    title: "BaseType cycles (A → B → A, a type its own base) give output that type-checks or a refusal naming the type",
    metadata: edmxV4(
      schemaV4(
        "N",
        `<EntityType Name="A" BaseType="N.B"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="false"/><Property Name="a" Type="Edm.String"/></EntityType>
        <EntityType Name="B" BaseType="N.A"><Property Name="b" Type="Edm.String"/></EntityType>
        <EntityType Name="Self" BaseType="N.Self"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="false"/></EntityType>
        <ComplexType Name="Loop" BaseType="N.Loop"><Property Name="x" Type="N.Loop"/></ComplexType>
        <EntityContainer Name="C"><EntitySet Name="As" EntityType="N.A"/><EntitySet Name="Bs" EntityType="N.B"/><EntitySet Name="Selves" EntityType="N.Self"/></EntityContainer>`,
      ),
    ),
    refused: /N\.(A|B|Self|Loop)/,
  },
  {
    id: "baseCycleRefused",
    title: "a BaseType cycle is refused with an error naming the types in it",
    mustRefuse: true,
    metadata: edmxV4(
      schemaV4(
        "N",
        `<EntityType Name="A" BaseType="N.B"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="false"/></EntityType>
        <EntityType Name="B" BaseType="N.A"><Property Name="b" Type="Edm.String"/></EntityType>
        <EntityContainer Name="C"><EntitySet Name="As" EntityType="N.A"/></EntityContainer>`,
      ),
    ),
    refused: /N\.A.*N\.B|N\.B.*N\.A/s,
  },
  {
    id: "complexBaseCycle",
    title: "a BaseType cycle of complex types (A → B → A) is refused as one of entity types is, naming the chain",
    mustRefuse: true,
    metadata: edmxV4(
      schemaV4(
        "N",
        `<ComplexType Name="A" BaseType="N.B"><Property Name="x" Type="Edm.String"/></ComplexType><ComplexType Name="B" BaseType="N.A"><Property Name="y" Type="Edm.Int32"/></ComplexType>
        ${entity("E", `<Property Name="c" Type="N.A"/>`)}<EntityContainer Name="C"><EntitySet Name="Es" EntityType="N.E"/></EntityContainer>`,
      ),
    ),
    refused: /^generate: the base types of N\.[AB] form a cycle: (N\.A -> N\.B -> N\.A|N\.B -> N\.A -> N\.B)$/,
  },
  {
    id: "complexSelfBase",
    title: "a complex type that is its own base type is refused, naming it",
    mustRefuse: true,
    metadata: edmxV4(schemaV4("N", `<ComplexType Name="A" BaseType="N.A"><Property Name="x" Type="Edm.String"/></ComplexType><EntityContainer Name="C"/>`)),
    refused: /^generate: the base types of N\.A form a cycle: N\.A -> N\.A$/,
  },
  {
    id: "entityComplexBase",
    title: "an entity type whose base type is a complex type (through an entity type between) is refused, naming the chain",
    mustRefuse: true,
    metadata: edmxV4(
      schemaV4(
        "N",
        `<ComplexType Name="X"><Property Name="x" Type="Edm.String"/></ComplexType><EntityType Name="B" BaseType="N.X"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="false"/></EntityType>
        <EntityType Name="A" BaseType="N.B"><Property Name="a" Type="Edm.String"/></EntityType><EntityContainer Name="C"><EntitySet Name="As" EntityType="N.A"/></EntityContainer>`,
      ),
      "4.0",
    ),
    refused: /^generate: the entity type N\.[AB] has a complex type among its base types: (N\.A -> )?N\.B -> N\.X$/,
  },
  {
    id: "complexEntityBase",
    title: "a complex type whose base type is an entity type is refused, naming the chain",
    mustRefuse: true,
    metadata: edmxV4(schemaV4("N", `${entity("E")}<ComplexType Name="X" BaseType="N.E"><Property Name="x" Type="Edm.String"/></ComplexType><EntityContainer Name="C"><EntitySet Name="Es" EntityType="N.E"/></EntityContainer>`)),
    refused: /^generate: the complex type N\.X has an entity type among its base types: N\.X -> N\.E$/,
  },
  {
    id: "unusualTypes",
    title: "EDM types the generator may not know (Untyped, PrimitiveType, AnnotationPath, Edm.Foo, GeographyFoo), streams, geo, type definitions, nested collections",
    metadata: edmxV4(
      schemaV4(
        "N",
        `<TypeDefinition Name="Money" UnderlyingType="Edm.Decimal"/><TypeDefinition Name="Weird" UnderlyingType="Edm.Nonsense"/>
        <EntityType Name="U" HasStream="true"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Guid" Nullable="false"/>
          <Property Name="untyped" Type="Edm.Untyped"/><Property Name="prim" Type="Edm.PrimitiveType"/><Property Name="path" Type="Edm.AnnotationPath"/>
          <Property Name="foo" Type="Edm.Foo"/><Property Name="geoFoo" Type="Edm.GeographyFoo"/><Property Name="point" Type="Edm.GeographyPoint"/>
          <Property Name="shape" Type="Edm.Geometry"/><Property Name="photo" Type="Edm.Stream"/><Property Name="money" Type="N.Money" Nullable="false"/>
          <Property Name="weird" Type="N.Weird"/><Property Name="nested" Type="Collection(Collection(Edm.String))"/>
          <Property Name="int64" Type="Edm.Int64" Nullable="false"/><Property Name="dec" Type="Edm.Decimal"/></EntityType>
        <EntityType Name="StreamKey"><Key><PropertyRef Name="s"/></Key><Property Name="s" Type="Edm.Stream" Nullable="false"/></EntityType>
        <EntityContainer Name="C"><EntitySet Name="Us" EntityType="N.U"/><EntitySet Name="Ss" EntityType="N.StreamKey"/></EntityContainer>`,
      ),
    ),
    usage: {
      imports: "c",
      body: `const svc = c(client);
      void svc.Us.select("untyped", "point", "money").first().then((row) => {
        const lon: number | undefined = row?.point?.coordinates[0];
        const money: number | undefined = row?.money;
        void [lon, money];
      });
      // @ts-expect-error a stream property is not selectable as a structural property
      void svc.Us.select("photo");
      // @ts-expect-error int64 is a number in v4 JSON
      void svc.Us.filter((f) => f.eq("int64", true));
      void svc.Us.key(edm.guid("0f8fad5b-d9cb-469f-a165-70867728950e"));`,
    },
  },
  {
    id: "enums",
    title: "enumerations: flags, negative and Int32-extreme values, reserved and hostile member names, an empty enumeration",
    metadata: edmxV4(
      schemaV4(
        "N",
        `<EnumType Name="Access" IsFlags="true"><Member Name="None" Value="0"/><Member Name="Read" Value="1"/><Member Name="Write" Value="2"/><Member Name="All" Value="-1"/></EnumType>
        <EnumType Name="Extreme" UnderlyingType="Edm.Int64"><Member Name="Min" Value="-9007199254740991"/><Member Name="Max" Value="9007199254740991"/><Member Name="Zero" Value="-0"/></EnumType>
        <EnumType Name="Hostile" IsFlags="true"><Member Name="a*/b"/><Member Name="\${x}"/><Member Name="back\`tick"/><Member Name="quote&quot;"/><Member Name="class"/></EnumType>
        <EnumType Name="Empty"/>
        ${entity("E", `<Property Name="access" Type="N.Access" Nullable="false"/><Property Name="extreme" Type="N.Extreme"/><Property Name="hostile" Type="Collection(N.Hostile)"/><Property Name="empty" Type="N.Empty"/>`)}
        <EntityContainer Name="C"><EntitySet Name="Es" EntityType="N.E"/></EntityContainer>`,
      ),
    ),
    usage: {
      imports: "c, type Access, type Hostile, type Empty",
      body: `const svc = c(client);
      const flags: Access[] = ["None", "Read,Write", "All"];
      // @ts-expect-error not a member
      const wrong: Access = "Delete";
      const hostile: Hostile[] = ["a*/b", "\${x}", "back\`tick", "quote\\"", "class", "\${x},class"];
      // @ts-expect-error not a member
      const notHostile: Hostile = "b*/a";
      const empty: Empty = "anything";
      void svc.Es.filter((f) => f.eq("access", "Read"));
      // @ts-expect-error not a member of Access
      void svc.Es.filter((f) => f.eq("access", "Delete"));
      void [flags, wrong, hostile, notHostile, empty];`,
    },
  },
  {
    id: "int64Enum",
    title: "an Int64 enumeration with members beyond 2^53 still generates (only the member names are written)",
    metadata: edmxV4(
      schemaV4(
        "N",
        `<EnumType Name="Big" UnderlyingType="Edm.Int64" IsFlags="true"><Member Name="Low" Value="-9223372036854775808"/><Member Name="High" Value="4611686018427387904"/></EnumType>
        ${entity("E", `<Property Name="big" Type="N.Big"/>`)}
        <EntityContainer Name="C"><EntitySet Name="Es" EntityType="N.E"/></EntityContainer>`,
      ),
    ),
    usage: { imports: "type Big", body: `const big: Big = "Low,High";\n      void big;` },
  },
  {
    id: "annotations",
    title: "annotations holding */, backticks, ${, quotes, line breaks and </script> add nothing to the output",
    metadata: edmxV4(
      schemaV4(
        "N",
        `<EntityType Name="A"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="false">
            <Annotation Term="Core.Description" String="${attr(HOSTILE)}"/></Property>
          <Property Name="label" Type="Edm.String"><Annotation Term="Core.LongDescription"><String>${attr(HOSTILE)}</String></Annotation></Property>
          <Annotation Term="Core.Description" String="${attr(HOSTILE)}"/></EntityType>
        <Function Name="F"><Parameter Name="p" Type="Edm.String"><Annotation Term="Core.OptionalParameter"><Record><PropertyValue Property="DefaultValue" String="${attr(HOSTILE)}"/></Record></Annotation></Parameter><ReturnType Type="Edm.Int32"/></Function>
        <EntityContainer Name="C"><EntitySet Name="As" EntityType="N.A"><Annotation Term="Core.Description" String="${attr(HOSTILE)}"/></EntitySet><FunctionImport Name="F" Function="N.F"/></EntityContainer>
        <Annotations Target="N.A/label"><Annotation Term="Core.Example" String="${attr(HOSTILE)}"/></Annotations>
        <Annotations Target="${attr("N.A*/")}"><Annotation Term="Core.Description" String="x"/></Annotations>`,
      ),
    ),
    usage: {
      imports: "c",
      body: `const svc = c(client);
      void svc.As.select("label").first();
      void svc.F().get();
      void svc.F({ p: "x" }).get();`,
    },
  },
  {
    id: "hostileNames",
    title: "type, namespace, container and import names holding */ cannot close the doc comment that names them",
    metadata: edmxV4(
      schemaV4(
        "N*/ export const pwned = 1; /*",
        `<EntityType Name="A*/ export const pwned2 = 2; /*"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="false"/></EntityType>
        <ComplexType Name="B*/"><Property Name="x" Type="Edm.String"/></ComplexType>
        <Action Name="Go"/>
        <EntityContainer Name="C*/ export const pwned3 = 3; /*"><EntitySet Name="As" EntityType="N*/ export const pwned = 1; /*.A*/ export const pwned2 = 2; /*"/>
          <ActionImport Name="Go*/ export const pwned4 = 4; /*" Action="N*/ export const pwned = 1; /*.Go"/></EntityContainer>`,
        "N",
      ),
    ),
  },
  {
    id: "hostileWireNames",
    title: "set, property and import names holding quotes, backslashes, ${, backticks, line breaks and U+2028 are left out and named in the header, which they cannot break out of; key and enumeration member names stay exact string keys",
    metadata: {
      $Version: "4.01",
      $EntityContainer: "N.C",
      N: {
        $Alias: "Self",
        A: {
          $Kind: "EntityType",
          $Key: ["k\"ey"],
          "k\"ey": { $Type: "Edm.Int32" },
          [HOSTILE]: { $Nullable: true },
          "line\nbreak": { $Type: "Self.E", $Nullable: true },
          "back\\slash`${x}": { $Type: "Edm.Boolean" },
        },
        E: { $Kind: "EnumType", [HOSTILE]: 0, "`": 1 },
        F: [{ $Kind: "Function", $Parameter: [{ $Name: "tick`${a}", $Type: "Edm.Guid", $Nullable: true }], $ReturnType: { $Type: "Edm.Int32" } }],
        C: {
          $Kind: "EntityContainer",
          [HOSTILE]: { $Collection: true, $Type: "Self.A" },
          "</script>": { $Type: "Self.A" },
          "f\u2028n": { $Function: "Self.F" },
        },
      },
    },
    usage: {
      imports: "c, type A, type AKey, type E",
      body: `const svc = c(client);
      const hostile = ${literal(HOSTILE)};
      // No OData names: the client would refuse each.
      // @ts-expect-error left out
      void svc[hostile];
      // @ts-expect-error left out
      void svc["</script>"];
      // @ts-expect-error left out
      void svc["f\\u2028n"];
      // @ts-expect-error the properties too
      void (null as unknown as A)["line\\nbreak"];
      const key: AKey = 1;
      const member: E = ${literal(HOSTILE)};
      const tick: E = "\`";
      void [key, member, tick];`,
    },
  },
  {
    id: "aliases",
    title: "namespace aliases in types, base types, sets, bindings and a second schema resolve to the right interfaces",
    metadata: edmxV4(
      schemaV4(
        "Very.Long.Namespace",
        `<EntityType Name="Base" Abstract="true"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int64" Nullable="false"/></EntityType>
        <EntityType Name="Book" BaseType="Self.Base"><Property Name="addr" Type="Self.Address"/><Property Name="kind" Type="Other.Kind"/><NavigationProperty Name="shelf" Type="Other.Shelf"/></EntityType>
        <ComplexType Name="Address"><Property Name="zip" Type="Edm.String"/></ComplexType>
        <Action Name="Touch" IsBound="true"><Parameter Name="it" Type="Self.Book"/><Parameter Name="kind" Type="Other.Kind"/></Action>
        <EntityContainer Name="Svc"><EntitySet Name="Books" EntityType="Self.Book"/><EntitySet Name="Shelves" EntityType="Other.Shelf"/></EntityContainer>`,
        "Self",
      ) +
        schemaV4(
          "Another.Space",
          `<EnumType Name="Kind"><Member Name="Paper"/><Member Name="Ebook"/></EnumType>
          <EntityType Name="Shelf"><Key><PropertyRef Name="code"/></Key><Property Name="code" Type="Edm.String" Nullable="false"/><NavigationProperty Name="books" Type="Collection(Self.Book)"/></EntityType>`,
          "Other",
        ),
    ),
    usage: {
      imports: "svc, type Book, type Shelf",
      body: `const service = svc(client);
      void service.Books.filter((f) => f.and(f.eq("addr/zip", "x"), f.eq("kind", "Ebook"), f.eq("id", 1)));
      // @ts-expect-error kind is an Other.Kind
      void service.Books.filter((f) => f.eq("kind", "Vinyl"));
      void service.Books.expand("shelf", (s) => s.select("code")).first();
      void service.Shelves.key("A1");
      // @ts-expect-error the key of Shelf is a string
      void service.Shelves.key(1);
      const shelf: Shelf["books"] = [] as Book[];
      void service.Books.key(1).action("Very.Long.Namespace.Touch").invoke({ kind: "Paper" });
      // @ts-expect-error kind is an Other.Kind
      void service.Books.key(1).action("Very.Long.Namespace.Touch").invoke({ kind: "Vinyl" });
      void shelf;`,
    },
  },
  {
    id: "twins",
    title: "the same type name in two schemas (Sales.Order, Billing.Order) and a third type already named Sales_Order",
    metadata: edmxV4(
      schemaV4("Sales", `${entity("Order", `<Property Name="salesOnly" Type="Edm.String"/>`)}`) +
        schemaV4("Billing", `${entity("Order", `<Property Name="billingOnly" Type="Edm.Int32"/>`)}`) +
        schemaV4(
          "X",
          `${entity("Sales_Order", `<Property Name="third" Type="Edm.Boolean"/>`)}
          <EntityContainer Name="C"><EntitySet Name="SalesOrders" EntityType="Sales.Order"/><EntitySet Name="BillingOrders" EntityType="Billing.Order"/><EntitySet Name="Thirds" EntityType="X.Sales_Order"/></EntityContainer>`,
        ),
    ),
    usage: {
      imports: "c",
      body: `const svc = c(client);
      void svc.SalesOrders.filter((f) => f.eq("salesOnly", "x"));
      // @ts-expect-error billingOnly belongs to Billing.Order
      void svc.SalesOrders.filter((f) => f.eq("billingOnly", 1));
      void svc.BillingOrders.filter((f) => f.eq("billingOnly", 1));
      // @ts-expect-error salesOnly belongs to Sales.Order
      void svc.BillingOrders.select("salesOnly");
      void svc.Thirds.filter((f) => f.eq("third", true));
      // @ts-expect-error salesOnly belongs to Sales.Order
      void svc.Thirds.select("salesOnly");`,
    },
  },
  {
    id: "emptySchema",
    title: "an empty schema and no entity container give an empty service",
    metadata: edmxV4(schemaV4("Empty", "") + schemaV4("AlsoEmpty", "")),
    usage: { imports: "service, type Service", body: `const svc: Service = service(client);\n      // @ts-expect-error the service has no members\n      void svc.Anything;` },
  },
  {
    id: "emptyContainer",
    title: "an empty schema beside a schema with an empty container",
    metadata: edmxV4(schemaV4("Empty", "") + schemaV4("N", `<EntityContainer Name="Nothing"/>`)),
    usage: { imports: "nothing", body: `void nothing(client);` },
  },
  {
    id: "duplicateType",
    title: "an entity type and a complex type with the same qualified name are refused, naming it",
    mustRefuse: true,
    metadata: edmxV4(
      schemaV4("N", `${entity("X", `<Property Name="e" Type="Edm.String"/>`)}<ComplexType Name="X"><Property Name="c" Type="Edm.String"/></ComplexType><EntityContainer Name="C"><EntitySet Name="Xs" EntityType="N.X"/></EntityContainer>`),
    ),
    refused: /N\.X/,
  },
  {
    id: "duplicateMember",
    title: "an entity set and a singleton with the same name are refused, naming it",
    mustRefuse: true,
    metadata: edmxV4(schemaV4("N", `${entity("D")}<EntityContainer Name="C"><EntitySet Name="Ds" EntityType="N.D"/><Singleton Name="Ds" Type="N.D"/></EntityContainer>`)),
    refused: /Ds/,
  },
  {
    id: "duplicateProperty",
    title: "a derived type redeclaring a base property, or a navigation property named like a property, is refused naming it",
    mustRefuse: true,
    metadata: edmxV4(
      schemaV4(
        "N",
        `${entity("B", `<Property Name="x" Type="Edm.String"/>`)}<EntityType Name="D" BaseType="N.B"><Property Name="x" Type="Edm.Int32"/><NavigationProperty Name="id" Type="N.B"/></EntityType>
        <EntityContainer Name="C"><EntitySet Name="Ds" EntityType="N.D"/></EntityContainer>`,
      ),
    ),
    refused: /N\.D.*\bx\b|\bx\b.*N\.D/s,
  },
  {
    id: "v2",
    title: "OData v2: reserved-word sets, function imports and parameters, associations, Int64 as string",
    metadata: edmxV2(`<EntityType Name="delete"><Key><PropertyRef Name="in"/></Key><Property Name="in" Type="Edm.Int64" Nullable="false"/><Property Name="when" Type="Edm.DateTime"/>
        <NavigationProperty Name="class" Relationship="V2.Link" FromRole="From" ToRole="To"/></EntityType>
      <EntityType Name="class"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="false"/></EntityType>
      <Association Name="Link"><End Role="From" Type="V2.delete" Multiplicity="*"/><End Role="To" Type="V2.class" Multiplicity="0..1"/></Association>
      <EntityContainer Name="default" m:IsDefaultEntityContainer="true">
        <EntitySet Name="default" EntityType="V2.delete"/><EntitySet Name="class" EntityType="V2.class"/>
        <AssociationSet Name="LinkSet" Association="V2.Link"><End Role="From" EntitySet="default"/><End Role="To" EntitySet="class"/></AssociationSet>
        <FunctionImport Name="delete" ReturnType="Collection(V2.delete)" EntitySet="default" m:HttpMethod="GET"><Parameter Name="new" Type="Edm.Guid"/><Parameter Name="in" Type="Edm.Int64"/></FunctionImport>
      </EntityContainer>`),
    usage: {
      imports: "default_",
      body: `const svc = default_(client);
      void svc.default.key(edm.int64("1")).get();
      // @ts-expect-error v2 Int64 is a string
      void svc.default.key(1);
      // @ts-expect-error a v2 Int64 key is an edm value: key() would write "1" as '1', not 1L
      const text: delete_Key = "1";
      void text;
      void svc.default.expand("class").first();
      void svc.delete({ new: null, in: null }).get();
      // @ts-expect-error in is a v2 Int64: a string
      void svc.delete({ new: null, in: 1 });`,
    },
  },
  {
    id: "globals",
    title: "types named like the globals the generated code names (Pick, Uint8Array, Record, Date, Partial, Promise, ReadonlyArray, RangeError) do not shadow them",
    // ConfirmPick is written with Pick<ActionCall...>, Print's Edm.Binary parameter with the
    // factory's `: Uint8Array`, the Guid and DateTime keys with EdmValue and Date, Ping's
    // parameters with Record<string, never>.
    metadata: edmxV2(`<EntityType Name="Pick"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Guid" Nullable="false"/><Property Name="label" Type="Edm.Binary"/></EntityType>
      <EntityType Name="Uint8Array"><Key><PropertyRef Name="at"/></Key><Property Name="at" Type="Edm.DateTime" Nullable="false"/></EntityType>
      ${entity("Record")}${entity("Date")}${entity("Partial")}${entity("Promise")}${entity("ReadonlyArray")}${entity("RangeError")}
      <EntityContainer Name="Globals" m:IsDefaultEntityContainer="true">
        <EntitySet Name="Picks" EntityType="V2.Pick"/><EntitySet Name="Arrays" EntityType="V2.Uint8Array"/><EntitySet Name="Records" EntityType="V2.Record"/>
        <EntitySet Name="Dates" EntityType="V2.Date"/><EntitySet Name="Partials" EntityType="V2.Partial"/><EntitySet Name="Promises" EntityType="V2.Promise"/>
        <EntitySet Name="ReadonlyArrays" EntityType="V2.ReadonlyArray"/><EntitySet Name="RangeErrors" EntityType="V2.RangeError"/>
        <FunctionImport Name="ConfirmPick" ReturnType="V2.Pick" EntitySet="Picks" m:HttpMethod="POST"><Parameter Name="id" Type="Edm.Guid"/></FunctionImport>
        <FunctionImport Name="Print" ReturnType="V2.Uint8Array" EntitySet="Arrays" m:HttpMethod="GET"><Parameter Name="label" Type="Edm.Binary"/></FunctionImport>
        <FunctionImport Name="Ping" ReturnType="Edm.Boolean" m:HttpMethod="GET"/>
      </EntityContainer>`),
    usage: {
      imports: "globals, type Pick_, type Uint8Array_, type Date_",
      body: `const svc = globals(client);
      const picked: Promise<Pick_ | null | undefined> = svc.ConfirmPick.invoke({ id: "0f8fad5b-d9cb-469f-a165-70867728950e" });
      const printed: Promise<Uint8Array_ | null | undefined> = svc.Print({ label: "AQID" }).get();
      const at: Date = new Date(0);
      void svc.Arrays.key(at);
      const row: Date_ | undefined = undefined;
      // @ts-expect-error Date_ is the model's type, not the global Date
      const date: Date_ = at;
      void [picked, printed, row, date, svc.Ping().get(), svc.Records, svc.Partials, svc.Promises, svc.ReadonlyArrays, svc.RangeErrors, svc.Dates];`,
    },
  },
  {
    id: "v3Bindable",
    title: "OData v3: bindable FunctionImports, bound operations the client does not call on OData v2, are left out of the shapes and the factory",
    metadata: `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">
<edmx:DataServices m:DataServiceVersion="3.0">
<Schema Namespace="NW" xmlns="http://schemas.microsoft.com/ado/2009/11/edm">
  <EntityType Name="Order"><Key><PropertyRef Name="Id"/></Key><Property Name="Id" Type="Edm.Guid" Nullable="false"/></EntityType>
  <EntityContainer Name="NW" m:IsDefaultEntityContainer="true">
    <EntitySet Name="Orders" EntityType="NW.Order"/>
    <FunctionImport Name="Ship" ReturnType="Edm.Boolean" IsBindable="true"><Parameter Name="order" Type="NW.Order"/><Parameter Name="n" Type="Edm.Int64"/></FunctionImport>
    <FunctionImport Name="Late" ReturnType="Collection(NW.Order)" EntitySet="Orders" IsBindable="true" IsSideEffecting="false"><Parameter Name="orders" Type="Collection(NW.Order)"/></FunctionImport>
  </EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`,
    usage: {
      imports: "nW",
      body: `const svc = nW(client);
      // @ts-expect-error a bound operation of OData v3 is no member of the factory
      void svc.Ship;
      // @ts-expect-error nor of the entity's shape
      void svc.Orders.key("0f8fad5b-d9cb-469f-a165-70867728950e").action("NW.Ship");
      void svc.Orders;`,
    },
  },
  {
    id: "typedKeys",
    title: "keys whose literal a plain string is not (Guid, Date, DateTimeOffset, TimeOfDay, Duration, Decimal, Binary, Int64, an enumeration, a type definition over Guid) take the values key() writes right",
    metadata: edmxV4(
      schemaV4(
        "N",
        `<EnumType Name="Color"><Member Name="Red"/><Member Name="Blue"/></EnumType><TypeDefinition Name="Code" UnderlyingType="Edm.Guid"/>
        <EntityType Name="K"><Key><PropertyRef Name="g"/><PropertyRef Name="d"/><PropertyRef Name="o"/><PropertyRef Name="t"/><PropertyRef Name="u"/><PropertyRef Name="m"/>
          <PropertyRef Name="b"/><PropertyRef Name="i"/><PropertyRef Name="e"/><PropertyRef Name="c"/><PropertyRef Name="s"/><PropertyRef Name="n"/></Key>
          <Property Name="g" Type="Edm.Guid" Nullable="false"/><Property Name="d" Type="Edm.Date" Nullable="false"/><Property Name="o" Type="Edm.DateTimeOffset" Nullable="false"/>
          <Property Name="t" Type="Edm.TimeOfDay" Nullable="false"/><Property Name="u" Type="Edm.Duration" Nullable="false"/><Property Name="m" Type="Edm.Decimal" Nullable="false"/>
          <Property Name="b" Type="Edm.Binary" Nullable="false"/><Property Name="i" Type="Edm.Int64" Nullable="false"/><Property Name="e" Type="N.Color" Nullable="false"/>
          <Property Name="c" Type="N.Code" Nullable="false"/><Property Name="s" Type="Edm.String" Nullable="false"/><Property Name="n" Type="Edm.Int32" Nullable="false"/></EntityType>
        <EntityType Name="G"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Guid" Nullable="false"/></EntityType>
        <EntityContainer Name="C"><EntitySet Name="Ks" EntityType="N.K"/><EntitySet Name="Gs" EntityType="N.G"/></EntityContainer>`,
      ),
    ),
    usage: {
      imports: "c, type KKey, type GKey",
      body: `const svc = c(client);
      const id = "0f8fad5b-d9cb-469f-a165-70867728950e";
      const key: KKey = { g: edm.guid(id), d: edm.date("2024-01-02"), o: new Date(0), t: edm.timeOfDay("08:30"), u: edm.duration("PT8H"), m: 1.5, b: edm.binary(new Uint8Array([1])), i: 42, e: edm.enumMember("N.Color", "Red"), c: edm.guid(id), s: "x", n: 1 };
      void svc.Ks.key(key).get();
      void svc.Ks.key({ ...key, o: edm.dateTimeOffset("2024-01-02T08:30:00Z"), m: edm.decimal("1.50"), i: edm.int64("9007199254740993") } satisfies KKey);
      // @ts-expect-error a Guid is not text (key() would quote it)
      const g: KKey = { ...key, g: id };
      // @ts-expect-error a Date is not text
      const d: KKey = { ...key, d: "2024-01-02" };
      // @ts-expect-error a Date is not a JS Date either (written as a DateTimeOffset)
      const dateObject: KKey = { ...key, d: new Date(0) };
      // @ts-expect-error a DateTimeOffset is not text
      const o: KKey = { ...key, o: "2024-01-02T08:30:00Z" };
      // @ts-expect-error a TimeOfDay is not text
      const t: KKey = { ...key, t: "08:30:00" };
      // @ts-expect-error a Duration is not text
      const u: KKey = { ...key, u: "PT8H" };
      // @ts-expect-error a Decimal is not text
      const m: KKey = { ...key, m: "1.5" };
      // @ts-expect-error a Binary is not base64 text
      const b: KKey = { ...key, b: "AQ==" };
      // @ts-expect-error an Int64 is not text
      const i: KKey = { ...key, i: "42" };
      // An enumeration member is its name ('Red', as OData 4.01 reads it), as in a filter, or
      // edm.enumMember() where a service wants 4.0's N.Color'Red'; key() takes the same.
      const e: KKey = { ...key, e: "Red" };
      void svc.Ks.key(e);
      // @ts-expect-error not a member of the enumeration
      const notMember: KKey = { ...key, e: "Green" };
      // @ts-expect-error a type definition over Guid is not text
      const code: KKey = { ...key, c: id };
      const one: GKey = edm.guid(id);
      void svc.Gs.key(one).get();
      // @ts-expect-error a single Guid key is not text
      const text: GKey = id;
      // key() itself takes what the key types take: the shape's literals name the key properties.
      // @ts-expect-error a Guid key given to key() as text
      void svc.Gs.key(id);
      // @ts-expect-error a member of a composite key given to key() as text
      void svc.Ks.key({ ...key, c: id });
      void [g, d, dateObject, o, t, u, m, b, i, e, notMember, code, text];`,
    },
  },
  {
    id: "literalNames",
    title: "properties named __proto__, constructor or non-ASCII, of types whose literal a string is not, are named in the shape's literals as they are on the wire; one with a hyphen is left out",
    metadata: edmxV4(
      schemaV4(
        "N",
        `<EnumType Name="Color"><Member Name="Red"/></EnumType>
        <EntityType Name="L"><Key><PropertyRef Name="__proto__"/></Key><Property Name="__proto__" Type="Edm.Guid" Nullable="false"/>
          <Property Name="constructor" Type="N.Color"/><Property Name="a-b" Type="Edm.Date"/><Property Name="Größe" Type="Edm.DateTimeOffset"/><Property Name="toString" Type="Edm.String"/></EntityType>
        <EntityContainer Name="C"><EntitySet Name="Ls" EntityType="N.L"/></EntityContainer>`,
      ),
    ),
    usage: {
      imports: "c",
      body: `const svc = c(client);
      const id = "0f8fad5b-d9cb-469f-a165-70867728950e";
      void svc.Ls.key(edm.guid(id)).get();
      void svc.Ls.key({ ["__proto__"]: edm.guid(id) }).get();
      // @ts-expect-error a Guid key given as text
      void svc.Ls.key(id);
      void svc.Ls.filter((f) => f.and(f.eq("constructor", edm.enumMember("N.Color", "Red")), f.gt("Größe", new Date(0)), f.eq("toString", "x")));
      // @ts-expect-error a-b is no OData name: left out
      void svc.Ls.filter((f) => f.lt("a-b", edm.date("2024-01-02")));`,
    },
  },
  {
    id: "typedKeysIeee",
    title: "with ieee754Compatible, an Int64 or Decimal key (typed string) takes the edm value only",
    metadata: edmxV4(
      schemaV4(
        "N",
        `<EntityType Name="K"><Key><PropertyRef Name="i"/><PropertyRef Name="m"/></Key><Property Name="i" Type="Edm.Int64" Nullable="false"/><Property Name="m" Type="Edm.Decimal" Nullable="false"/></EntityType>
        <EntityContainer Name="C"><EntitySet Name="Ks" EntityType="N.K"/></EntityContainer>`,
      ),
    ),
    options: { ieee754Compatible: true },
    usage: {
      imports: "c, type KKey",
      body: `const key: KKey = { i: edm.int64("9007199254740993"), m: edm.decimal("1.50") };
      void c(client).Ks.key(key).get();
      // @ts-expect-error key() takes no number for a property typed string
      const i: KKey = { ...key, i: 42 };
      // @ts-expect-error nor text, which it would quote
      const m: KKey = { ...key, m: "1.50" };
      void [i, m];`,
    },
  },
  {
    id: "typedKeysV2",
    title: "OData v2 keys whose literal a plain string is not (Guid, DateTime, DateTimeOffset, Time, Int64, Decimal, Binary) take the values key() writes right",
    metadata: edmxV2(`<EntityType Name="K"><Key><PropertyRef Name="g"/><PropertyRef Name="dt"/><PropertyRef Name="o"/><PropertyRef Name="t"/><PropertyRef Name="i"/><PropertyRef Name="m"/><PropertyRef Name="b"/><PropertyRef Name="s"/><PropertyRef Name="n"/></Key>
        <Property Name="g" Type="Edm.Guid" Nullable="false"/><Property Name="dt" Type="Edm.DateTime" Nullable="false"/><Property Name="o" Type="Edm.DateTimeOffset" Nullable="false"/>
        <Property Name="t" Type="Edm.Time" Nullable="false"/><Property Name="i" Type="Edm.Int64" Nullable="false"/><Property Name="m" Type="Edm.Decimal" Nullable="false"/>
        <Property Name="b" Type="Edm.Binary" Nullable="false"/><Property Name="s" Type="Edm.String" Nullable="false"/><Property Name="n" Type="Edm.Int32" Nullable="false"/></EntityType>
      <EntityContainer Name="C" m:IsDefaultEntityContainer="true"><EntitySet Name="Ks" EntityType="V2.K"/></EntityContainer>`),
    usage: {
      imports: "c, type KKey",
      body: `const id = "0f8fad5b-d9cb-469f-a165-70867728950e";
      const key: KKey = { g: edm.guid(id), dt: new Date(0), o: edm.dateTimeOffset("2024-01-02T08:30:00Z"), t: edm.duration("PT8H"), i: edm.int64("42"), m: edm.decimal("1.5"), b: edm.binary(new Uint8Array([1])), s: "x", n: 1 };
      void c(client).Ks.key(key).get();
      // @ts-expect-error a Guid is not text (v2 wants guid'...')
      const g: KKey = { ...key, g: id };
      // @ts-expect-error a DateTime is not text (v2 wants datetime'...')
      const dt: KKey = { ...key, dt: "2024-01-02T08:30:00" };
      // @ts-expect-error a DateTimeOffset is not a JS Date (written as datetime'...')
      const o: KKey = { ...key, o: new Date(0) };
      // @ts-expect-error a Time is not text (v2 wants time'...')
      const t: KKey = { ...key, t: "PT8H" };
      // @ts-expect-error an Int64 is not text (v2 wants 42L)
      const i: KKey = { ...key, i: "42" };
      // @ts-expect-error an Int64 is not a number either (written 42, not 42L)
      const iNumber: KKey = { ...key, i: 42 };
      // @ts-expect-error a Decimal is not text (v2 wants 1.5M)
      const m: KKey = { ...key, m: "1.5" };
      // @ts-expect-error a Binary is not base64 text (v2 wants X'...')
      const b: KKey = { ...key, b: "AQ==" };
      void [g, dt, o, t, i, iNumber, m, b];`,
    },
  },
  {
    id: "v2Floats",
    title: "OData v2 Double and Single, which SAP CAP and Gateway send as text: typed number | string, compared and keyed as numbers (a string would be written quoted), parameters converted",
    metadata: edmxV2(`<EntityType Name="Reading"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="false"/><Property Name="value" Type="Edm.Double"/><Property Name="ratio" Type="Edm.Single" Nullable="false"/></EntityType>
      <EntityType Name="Point"><Key><PropertyRef Name="x"/><PropertyRef Name="y"/></Key><Property Name="x" Type="Edm.Double" Nullable="false"/><Property Name="y" Type="Edm.Single" Nullable="false"/></EntityType>
      <EntityType Name="Level"><Key><PropertyRef Name="at"/></Key><Property Name="at" Type="Edm.Double" Nullable="false"/></EntityType>
      <EntityContainer Name="C" m:IsDefaultEntityContainer="true"><EntitySet Name="Readings" EntityType="V2.Reading"/><EntitySet Name="Points" EntityType="V2.Point"/><EntitySet Name="Levels" EntityType="V2.Level"/>
        <FunctionImport Name="scale" ReturnType="Edm.Double" m:HttpMethod="GET"><Parameter Name="factor" Type="Edm.Double"/><Parameter Name="ratio" Type="Edm.Single" Nullable="false"/></FunctionImport>
      </EntityContainer>`),
    usage: {
      imports: "c, type Reading, type PointKey, type LevelKey",
      body: `const svc = c(client);
      void svc.Readings.filter((f) => f.and(f.eq("value", 0.1), f.eq("ratio", edm.single(2.5)), f.eq("value", null)));
      // @ts-expect-error a v2 Double compared with text would be written '0.1'
      void svc.Readings.filter((f) => f.eq("value", "0.1"));
      // @ts-expect-error so would a Single
      void svc.Readings.filter((f) => f.gt("ratio", "2.5"));
      void svc.Readings.first().then((row: Reading | undefined) => {
        const value: number | string | null | undefined = row?.value;
        // @ts-expect-error the reader gives the text SAP services send
        const number: number | null | undefined = row?.value;
        void [value, number];
      });
      const key: PointKey = { x: 0.5, y: edm.single(1.5) };
      void svc.Points.key(key).get();
      // @ts-expect-error a Double key given as text would be written '0.5'
      const text: PointKey = { x: "0.5", y: 1 };
      const level: LevelKey = 0.5;
      void svc.Levels.key(level).get();
      // @ts-expect-error so would a lone one
      void svc.Levels.key("0.5");
      const scaled: Promise<number | string | null | undefined> = svc.scale({ factor: "0.1", ratio: 2 }).get();
      void svc.scale({ factor: null, ratio: "2.5" });
      // @ts-expect-error ratio is not nullable
      void svc.scale({ factor: 1, ratio: null });
      void [text, scaled];`,
    },
  },
  {
    id: "v2CollectionParameters",
    title: "OData v2 function imports with collection parameters (SAP CAP declares them), which no v2 call can send, are left out of the factory and its types and named in the header",
    metadata: edmxV2(`${entity("Book")}
      <ComplexType Name="Only"><Property Name="n" Type="Edm.Int32"/></ComplexType>
      <EntityContainer Name="C" m:IsDefaultEntityContainer="true"><EntitySet Name="Books" EntityType="V2.Book"/>
        <FunctionImport Name="upper" ReturnType="Collection(Edm.String)" m:HttpMethod="GET"><Parameter Name="texts" Type="Collection(Edm.String)"/></FunctionImport>
        <FunctionImport Name="reserve" ReturnType="Collection(V2.Only)" m:HttpMethod="POST"><Parameter Name="books" Type="Collection(Edm.Int32)"/></FunctionImport>
        <FunctionImport Name="echo" ReturnType="Edm.String" m:HttpMethod="GET"><Parameter Name="text" Type="Edm.String"/></FunctionImport>
      </EntityContainer>`),
    options: { only: ["Books", "upper", "reserve", "echo"] },
    usage: {
      imports: "c",
      body: `const svc = c(client);
      void svc.echo({ text: "a" }).get();
      // @ts-expect-error left out: v2 cannot send a collection parameter
      void svc.upper;
      // @ts-expect-error as is an action import with one
      void svc.reserve;`,
    },
  },
  {
    id: "csdlJson",
    title: "CSDL JSON with reserved words, non-ASCII names and an alias",
    metadata: {
      $Version: "4.01",
      $EntityContainer: "Ns.default",
      Ns: {
        $Alias: "S",
        class: { $Kind: "EntityType", $Key: ["in"], in: { $Type: "Edm.Int32" }, Größe: { $Nullable: true }, then: { $Type: "S.enum", $Nullable: true } },
        enum: { $Kind: "EnumType", $IsFlags: true, delete: 1, new: 2 },
        default: { $Kind: "EntityContainer", class: { $Collection: true, $Type: "S.class" }, constructor: { $Type: "S.class" } },
      },
    },
    usage: {
      imports: "default_",
      body: `const svc = default_(client);
      void svc.class.filter((f) => f.and(f.eq("Größe", "x"), f.eq("then", edm.enumMember("Ns.enum", ["delete", "new"]))));
      // @ts-expect-error in is an Int32
      void svc.class.filter((f) => f.eq("in", "1"));
      void svc.constructor.get();`,
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Generating, and what is allowed to go wrong.

interface Generated {
  model?: ServiceModel;
  files?: { ts: GeneratedFiles; declarations: GeneratedFiles };
  error?: unknown;
}

/** A refusal names what is wrong: the library's BAD_METADATA, or the generator's own TypeError/RangeError. */
function isRefusal(error: unknown): boolean {
  if (error instanceof ODataClientError) return error.code === "BAD_METADATA";
  return (error instanceof TypeError || error instanceof RangeError) && error.message.startsWith("generate:");
}

function run(metadata: string | object, options: GenerateOptions = {}): Generated {
  let model: ServiceModel;
  try {
    model = parseMetadata(metadata);
  } catch (error) {
    return { error };
  }
  try {
    const shared = { ...options, importFrom: IMPORT_FROM };
    return { model, files: { ts: generate(model, shared), declarations: generate(model, { ...shared, declarations: true }) } };
  } catch (error) {
    return { model, error };
  }
}

const GENERATED = new Map(CASES.map((c) => [c.id, run(c.metadata, c.options)]));

// ---------------------------------------------------------------------------------------------
// One in-memory program for every case.

function usageText(c: Case): string | undefined {
  if (!c.usage) return undefined;
  return `import { edm, type ODataClient } from "${IMPORT_FROM}";\nimport { ${c.usage.imports} } from "./index.js";\n\nexport function usage(client: ODataClient): void {\n      ${c.usage.body}\n}\n`;
}

/** The virtual files of the program: `<id>/` holds the index.ts form, `<id>.d/` the declarations form; each with the usage. */
function virtualFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const c of CASES) {
    const generated = GENERATED.get(c.id)?.files;
    if (!generated) continue;
    const usage = usageText(c);
    files.set(join(VIRTUAL, c.id, "index.ts"), generated.ts["index.ts"] ?? "");
    files.set(join(VIRTUAL, `${c.id}.d`, "index.d.ts"), generated.declarations["index.d.ts"] ?? "");
    if (usage !== undefined) {
      // The same imports with one misuse and no @ts-expect-error: proves the usages are really checked.
      if (c.id === "reserved") files.set(join(VIRTUAL, c.id, "wrong.ts"), usage.replace(/export function usage[^]*$/, "export function wrong(client: ODataClient): void {\n  void default_(client).class.key(\"1\");\n}\n"));
      files.set(join(VIRTUAL, c.id, "usage.ts"), usage);
      files.set(join(VIRTUAL, `${c.id}.d`, "usage.ts"), usage);
    }
  }
  return files;
}

let diagnosticsByFile: Map<string, string[]> | undefined;

/** Type-checks every case's files in one program under the repository's compiler options. */
function diagnosticsOf(fileName: string): string[] {
  diagnosticsByFile ??= virtualDiagnostics(virtualFiles(), VIRTUAL, ROOT);
  return diagnosticsByFile.get(fileName) ?? [`${fileName} is not in the program`];
}

// ---------------------------------------------------------------------------------------------
// What a generated file must hold.

function nameText(name: ts.PropertyName | ts.BindingName): string {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isComputedPropertyName(name) && ts.isStringLiteralLike(name.expression)) return name.expression.text;
  return `<${ts.SyntaxKind[name.kind]}>`;
}

function sorted(items: Iterable<string>): string[] {
  return [...items].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The container members the generator was asked for, by name, without those it leaves out: the
 * members whose names OData cannot address (the client refuses them), the imports with such a
 * parameter name and, for OData v2, the imports with collection parameters.
 */
function expectedMembers(model: ServiceModel): string[] {
  return sorted(containerMembers(model).kept);
}

/** The container's members the generator keeps, and those it leaves out for their names (see {@link expectedMembers}). */
function containerMembers(model: ServiceModel): { kept: string[]; unaddressable: string[] } {
  const container = model.container();
  if (!container) return { kept: [], unaddressable: [] };
  const v2 = !model.odataVersion.startsWith("4");
  type Overloads = readonly { bound: boolean; parameters: readonly { name: string; collection: boolean }[] }[];
  const unsendable = (operations: Overloads) => v2 && operations.some((o) => o.parameters.some((p) => p.collection));
  const badParameter = (operations: Overloads) => operations.some((o) => !o.bound && o.parameters.some((p) => !isODataName(p.name)));
  const imports = [
    ...container.actionImports.map((item) => ({ name: item.name, overloads: model.actions(item.action) as Overloads })),
    ...container.functionImports.map((item) => ({ name: item.name, overloads: model.functions(item.function) as Overloads })),
  ];
  const unaddressable = [...container.entitySets, ...container.singletons].filter((m) => !isODataName(m.name)).map((m) => m.name);
  unaddressable.push(...imports.filter((item) => !isODataName(item.name) || badParameter(item.overloads)).map((item) => item.name));
  const sets = [...container.entitySets, ...container.singletons].map((m) => m.name).filter((name) => isODataName(name));
  const kept = [...sets, ...imports.filter((item) => !unaddressable.includes(item.name) && !unsendable(item.overloads)).map((item) => item.name)];
  return { kept, unaddressable };
}

/** A name as the generated header writes it in a comment. */
function headerName(name: string): string {
  return JSON.stringify(name).replace(/\*\//g, "*\\/").replace(/[\r\n\u2028\u2029]/g, " ");
}

/**
 * Whether a generated file holds only what the generator writes: imports first, after them only
 * exported interfaces, type aliases and one factory function, each with exactly one doc comment
 * and no other comment before it. Injected code or a comment cut short breaks this shape.
 */
function shapeProblems(text: string, fileName: string): string[] {
  const kind = fileName.endsWith(".js") ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, kind);
  const problems: string[] = [];
  const syntax = ts.transpileModule(text, { fileName: fileName.replace(/\.d\.ts$/, ".ts"), reportDiagnostics: true }).diagnostics ?? [];
  for (const d of syntax) problems.push(`${fileName}: syntax: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
  let functions = 0;
  let afterImports = false;
  for (const [index, statement] of source.statements.entries()) {
    const all = (ts.getLeadingCommentRanges(text, statement.getFullStart()) ?? []).map((range) => text.slice(range.pos, range.end));
    // The header's line comments lead the first statement (in index.js without imports, the factory).
    const comments = index === 0 ? all.filter((comment) => !comment.startsWith("// ")) : all;
    if (ts.isImportDeclaration(statement)) {
      if (afterImports) problems.push(`${fileName}: an import after the declarations`);
      if (comments.some((comment) => !comment.startsWith("// "))) problems.push(`${fileName}: a comment before an import that is not a header line`);
      continue;
    }
    afterImports = true;
    const exported = ts.canHaveModifiers(statement) && (ts.getModifiers(statement) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    const allowed = ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isFunctionDeclaration(statement);
    if (!exported || !allowed) problems.push(`${fileName}: an unexpected statement: ${statement.getText(source).slice(0, 80)}`);
    if (ts.isFunctionDeclaration(statement)) functions++;
    if (comments.length !== 1 || !comments[0]?.startsWith("/**")) problems.push(`${fileName}: ${comments.length} comments before ${statement.getText(source).slice(0, 60)}: ${JSON.stringify(comments)}`);
  }
  if (functions !== 1) problems.push(`${fileName}: ${functions} functions, not the one factory`);
  return problems;
}

/** The factory's object literal: each member's name, and the name it passes to the client. */
function factoryMembers(text: string, fileName: string): { members: Array<{ name: string; wire: string | undefined; setsPrototype: boolean }>; returnType: string | undefined } {
  const kind = fileName.endsWith(".js") ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, kind);
  const factory = source.statements.find(ts.isFunctionDeclaration);
  const returnType = factory?.type && ts.isTypeReferenceNode(factory.type) ? factory.type.typeName.getText(source) : undefined;
  const members: Array<{ name: string; wire: string | undefined; setsPrototype: boolean }> = [];
  const returned = factory?.body?.statements.find(ts.isReturnStatement)?.expression;
  if (!returned || !ts.isObjectLiteralExpression(returned)) return { members, returnType };
  for (const property of returned.properties) {
    if (!property.name) continue;
    let wire: string | undefined;
    const visit = (node: ts.Node): void => {
      if (wire === undefined && ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.expression.getText(source) === "client") {
        const first = node.arguments[0];
        if (first && ts.isStringLiteral(first)) wire = first.text;
      }
      ts.forEachChild(node, visit);
    };
    visit(property);
    // `__proto__: value` (bare or quoted, not computed) in an object literal sets the prototype.
    const setsPrototype = ts.isPropertyAssignment(property) && !ts.isComputedPropertyName(property.name) && nameText(property.name) === "__proto__";
    members.push({ name: nameText(property.name), wire, setsPrototype });
  }
  return { members, returnType };
}

/**
 * The member names of a declared interface, in order, the key names of its `Entity<{ key }>` shape,
 * and the property names its shape's `literals` names.
 */
function interfaceOf(source: ts.SourceFile, name: string): { members: string[]; key: string[]; literals: string[]; typeArgumentOf: Map<string, string> } | undefined {
  const declaration = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name);
  if (!declaration) return undefined;
  const members: string[] = [];
  const typeArgumentOf = new Map<string, string>();
  for (const member of declaration.members) {
    if (!ts.isPropertySignature(member)) continue;
    const memberName = nameText(member.name);
    members.push(memberName);
    const argument = member.type && ts.isTypeReferenceNode(member.type) ? member.type.typeArguments?.[0] : undefined;
    if (argument && ts.isTypeReferenceNode(argument)) typeArgumentOf.set(memberName, argument.typeName.getText(source));
  }
  const key: string[] = [];
  const literals: string[] = [];
  const shape = declaration.heritageClauses?.[0]?.types[0]?.typeArguments?.[0];
  if (shape && ts.isTypeLiteralNode(shape)) {
    const literalsMember = shape.members.find((m): m is ts.PropertySignature => ts.isPropertySignature(m) && nameText(m.name) === "literals");
    if (literalsMember?.type && ts.isTypeLiteralNode(literalsMember.type)) {
      for (const member of literalsMember.type.members) if (ts.isPropertySignature(member)) literals.push(nameText(member.name));
    }
    const keyMember = shape.members.find((m): m is ts.PropertySignature => ts.isPropertySignature(m) && nameText(m.name) === "key");
    const collect = (node: ts.Node): void => {
      if (ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal)) key.push(node.literal.text);
      ts.forEachChild(node, collect);
    };
    if (keyMember?.type) collect(keyMember.type);
  }
  return { members, key, literals, typeArgumentOf };
}

/**
 * Whether the wire names are kept: the factory (index.ts and index.js) and the service interface
 * have exactly the container's member names, each member calls the client with its own name, and
 * each set's or singleton's entity interface has exactly its EDM property names and key; but for
 * the names OData cannot address, which the client refuses: those are left out, and the header
 * names each.
 */
function wireProblems(model: ServiceModel, files: Generated["files"] & object): string[] {
  const problems: string[] = [];
  const expected = expectedMembers(model);
  const header = (files.ts["index.ts"] ?? "").split("\n").filter((line) => line.startsWith("//")).join("\n");
  for (const name of containerMembers(model).unaddressable) {
    if (!header.includes(headerName(name))) problems.push(`index.ts: the header does not name the left-out member ${JSON.stringify(name)}`);
  }
  for (const [fileName, text] of [["index.ts", files.ts["index.ts"]], ["index.js", files.declarations["index.js"]]] as const) {
    const { members } = factoryMembers(text ?? "", fileName);
    const names = sorted(members.map((m) => m.name));
    if (JSON.stringify(names) !== JSON.stringify(expected)) problems.push(`${fileName}: factory members ${JSON.stringify(names)}, not ${JSON.stringify(expected)}`);
    for (const member of members) {
      if (member.wire !== member.name) problems.push(`${fileName}: member ${JSON.stringify(member.name)} calls the client with ${JSON.stringify(member.wire)}`);
      if (member.setsPrototype) problems.push(`${fileName}: member ${JSON.stringify(member.name)} sets the object's prototype`);
    }
  }
  const text = files.ts["index.ts"] ?? "";
  const source = ts.createSourceFile("index.ts", text, ts.ScriptTarget.Latest, true);
  const { returnType } = factoryMembers(text, "index.ts");
  const service = returnType === undefined ? undefined : interfaceOf(source, returnType);
  if (!service) return [...problems, `index.ts: no service interface ${String(returnType)}`];
  if (JSON.stringify(sorted(service.members)) !== JSON.stringify(expected)) problems.push(`index.ts: service interface members ${JSON.stringify(sorted(service.members))}, not ${JSON.stringify(expected)}`);
  const container = model.container();
  for (const member of [...(container?.entitySets ?? []).map((s) => ({ name: s.name, type: s.entityType })), ...(container?.singletons ?? [])]) {
    const type = model.entityType(member.type);
    const interfaceName = service.typeArgumentOf.get(member.name);
    if (!type || interfaceName === undefined) continue;
    const declared = interfaceOf(source, interfaceName);
    if (!declared) {
      problems.push(`index.ts: ${member.name} is typed ${interfaceName}, which is not declared`);
      continue;
    }
    const all = [...model.propertiesOf(type).filter((p) => p.type !== "Edm.Stream"), ...model.navigationPropertiesOf(type)].map((p) => p.name);
    const properties = all.filter((name) => isODataName(name));
    for (const name of all.filter((each) => !isODataName(each))) {
      if (!header.includes(headerName(`${type.qualifiedName}/${name}`))) problems.push(`index.ts: the header does not name the left-out property ${JSON.stringify(`${type.qualifiedName}/${name}`)}`);
    }
    if (JSON.stringify(declared.members) !== JSON.stringify(properties)) problems.push(`index.ts: ${interfaceName} (of ${member.name}) has ${JSON.stringify(declared.members)}, not ${JSON.stringify(properties)}`);
    const key = model.keyOf(type).map((k) => k.name);
    if (JSON.stringify(sorted(declared.key)) !== JSON.stringify(sorted(key))) problems.push(`index.ts: ${interfaceName} has the key ${JSON.stringify(declared.key)}, not ${JSON.stringify(key)}`);
    // The shape's literals name properties of the type (or key names, aliases among them), each
    // once, with the names the wire uses.
    const strange = declared.literals.filter((name, index) => !(properties.includes(name) || key.includes(name)) || declared.literals.indexOf(name) !== index);
    if (strange.length > 0) problems.push(`index.ts: ${interfaceName} names ${JSON.stringify(strange)} in its literals, which are not its properties or are named twice`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// The cases.

describe("hostile and unusual $metadata", () => {
  for (const c of CASES) {
    test(c.title, () => {
      const generated = GENERATED.get(c.id) as Generated;
      if (c.refused !== undefined) {
        // Either refused with the element named, or (where the case allows it) output that passes below.
        if (generated.error !== undefined || c.mustRefuse === true) {
          assert.ok(isRefusal(generated.error), `refused with ${String(generated.error)}`);
          assert.match((generated.error as Error).message, c.refused);
          return;
        }
      } else if (generated.error !== undefined) {
        assert.fail(`not generated: ${generated.error instanceof Error ? (generated.error.stack ?? generated.error.message) : String(generated.error)}`);
      }
      const files = generated.files as NonNullable<Generated["files"]>;
      const model = generated.model as ServiceModel;
      assert.deepEqual(Object.keys(files.ts), ["index.ts"]);
      assert.deepEqual(sorted(Object.keys(files.declarations)), ["index.d.ts", "index.js"]);
      const problems = [
        ...shapeProblems(files.ts["index.ts"] ?? "", "index.ts"),
        ...shapeProblems(files.declarations["index.d.ts"] ?? "", "index.d.ts"),
        ...shapeProblems(files.declarations["index.js"] ?? "", "index.js"),
        ...wireProblems(model, files),
      ];
      assert.deepEqual(problems, []);
      const checked = [join(c.id, "index.ts"), join(`${c.id}.d`, "index.d.ts"), ...(c.usage ? [join(c.id, "usage.ts"), join(`${c.id}.d`, "usage.ts")] : [])];
      for (const file of checked) assert.deepEqual(diagnosticsOf(join(VIRTUAL, file)), [], `type errors in ${file}`);
    });
  }
});

describe("around the cases", () => {
  test("the refused and the generated outcomes are what they claim: a refusal is a BAD_METADATA or generate: error, never another exception", () => {
    const refused: string[] = [];
    for (const c of CASES) {
      const { error } = GENERATED.get(c.id) as Generated;
      if (error !== undefined) {
        assert.ok(isRefusal(error), `${c.id}: ${error instanceof Error ? (error.stack ?? "") : String(error)}`);
        refused.push(c.id);
      }
    }
    // Those that must be refused are, and all the others were generated.
    const mustRefuse = CASES.filter((c) => c.mustRefuse === true).map((c) => c.id);
    assert.ok(mustRefuse.length > 0);
    for (const id of mustRefuse) assert.ok(refused.includes(id), `${id} was generated, not refused`);
    assert.ok(refused.length < CASES.length, "some cases were generated");
  });

  test("the in-memory program really checks: a wrong key type in a program using a generated file is reported", () => {
    assert.deepEqual(diagnosticsOf(join(VIRTUAL, "reserved", "usage.ts")), []);
    const wrong = diagnosticsOf(join(VIRTUAL, "reserved", "wrong.ts"));
    assert.equal(wrong.length, 1, wrong.join("\n"));
    assert.match(wrong[0] ?? "", /not assignable to parameter of type .*KeyRecord<class_, "in">/);
  });

  test("an operation import named __proto__ becomes an own member of the object the factory returns", async () => {
    const script = GENERATED.get("protoImport")?.files?.declarations["index.js"] ?? "";
    const { c } = (await import(`data:text/javascript,${encodeURIComponent(script)}`)) as { c: (client: unknown) => Record<string, unknown> };
    const service = c({ function: (name: string) => name });
    // Today the call still works by accident (`service.__proto__` reads the prototype, which is the
    // arrow function), but the member is not enumerated or spread, and the service inherits
    // Function.prototype (call, bind, name, length).
    assert.deepEqual(Object.keys(service), ["__proto__"]);
    assert.equal(Object.getPrototypeOf(service), Object.prototype);
  });

  test("the header's source name cannot end the line comment: U+2028 and U+2029 are line ends too", () => {
    const model = parseMetadata(edmxV4(schemaV4("N", `<EntityContainer Name="C"/>`)));
    const files = generate(model, { source: { name: "a.xml\u2028export const pwned = 1;\u2029b.xml", text: "x" } });
    assert.deepEqual(shapeProblems(files["index.ts"] ?? "", "index.ts"), []);
  });

  test("a type named in CJK letters keeps its name when another type is added: 客户 and 订单 are not renamed by 产品", () => {
    const named = (types: string[]) => {
      const xml = edmxV4(schemaV4("S", `${types.map((name) => entity(name)).join("")}<EntityContainer Name="C">${types.map((name) => `<EntitySet Name="${name}" EntityType="S.${name}"/>`).join("")}</EntityContainer>`));
      const text = generate(parseMetadata(xml))["index.ts"] ?? "";
      return Object.fromEntries([...text.matchAll(/\/\*\* Entity type S\.(\S+)\. \*\/\nexport interface (\S+) /g)].map((m) => [m[1], m[2]]));
    };
    assert.deepEqual(named(["客户", "订单"]), { 客户: "客户", 订单: "订单" });
    assert.deepEqual(named(["客户", "订单", "产品"]), { 产品: "产品", 客户: "客户", 订单: "订单" });
    assert.deepEqual(named(["Заказ", "Товар", "Straße"]), { Straße: "Straße", Заказ: "Заказ", Товар: "Товар" });
  });

  test("names with no identifier character (★, 😀, 😁) become _ each, one per character, and those that meet are told apart by a number from the second on", () => {
    const xml = edmxV4(schemaV4("N", `${entity("★")}${entity("😀")}${entity("😁")}${entity("★★")}<EntityContainer Name="C"/>`));
    const text = generate(parseMetadata(xml))["index.ts"] ?? "";
    const names = Object.fromEntries([...text.matchAll(/\/\*\* Entity type N\.(\S+)\. \*\/\nexport interface (\S+) /g)].map((m) => [m[1], m[2]]));
    // Sorted by qualified name (UTF-16 code units): ★, ★★, then the emoji, whose `_` and `__` are taken.
    assert.deepEqual(names, { "★": "_", "★★": "__", "😀": "__2", "😁": "__3" });
  });

  test("3,000 type names that all become __ get distinct short names in linear time, not ever longer runs of _", () => {
    // U+2600 to U+263B: symbols that cannot stand in an identifier; two of them make each name.
    const symbols = Array.from({ length: 60 }, (_, i) => String.fromCodePoint(0x2600 + i));
    const xml = (count: number) => {
      const types = Array.from({ length: count }, (_, i) => entity(`${symbols[Math.floor(i / 60)]}${symbols[i % 60]}`));
      return edmxV4(schemaV4("N", `${types.join("")}<EntityContainer Name="C"/>`));
    };
    const timed = (count: number) => {
      const model = parseMetadata(xml(count));
      const started = performance.now();
      const text = generate(model)["index.ts"] ?? "";
      return { ms: performance.now() - started, names: [...text.matchAll(/^\/\*\* Entity type .*\n^export interface (\S+) /gm)].map((m) => m[1] as string) };
    };
    const small = timed(600);
    const large = timed(3000);
    assert.equal(new Set(large.names).size, 3000);
    assert.ok(large.names.every((name) => /^__(_\d*)?$/.test(name)), large.names.find((name) => !/^__(_\d*)?$/.test(name))?.slice(0, 40));
    assert.deepEqual(large.names.slice(0, 3), ["__", "___", "___2"]);
    assert.ok(Math.max(...large.names.map((name) => name.length)) <= 7);
    // Linear with a wide margin for noise: five times the types in far less than 25 times the time.
    assert.ok(large.ms < 25 * small.ms + 1000, `600 types: ${Math.round(small.ms)} ms, 3,000: ${Math.round(large.ms)} ms`);
  });

  test("5,000 entity types generate in linear time: a guard of 20 s for generate, and one declaration per type", () => {
    const xml = (count: number) => {
      const types: string[] = [];
      const sets: string[] = [];
      for (let i = 0; i < count; i++) {
        types.push(entity(`T${i}`, `<Property Name="name" Type="Edm.String"/><Property Name="class" Type="Edm.Int32"/><NavigationProperty Name="next" Type="N.T${(i + 1) % count}"/>`));
        sets.push(`<EntitySet Name="S${i}" EntityType="N.T${i}"/>`);
      }
      return edmxV4(schemaV4("N", `${types.join("")}<EntityContainer Name="C">${sets.join("")}</EntityContainer>`));
    };
    const timed = (count: number) => {
      const model = parseMetadata(xml(count));
      const started = performance.now();
      const files = generate(model, { importFrom: IMPORT_FROM });
      return { ms: performance.now() - started, model, text: files["index.ts"] ?? "" };
    };
    const small = timed(1000);
    const large = timed(5000);
    // Measured on 2 shared cores: about 0.1 s for 1,000 and 0.2 s for 5,000.
    assert.ok(large.ms < 20_000, `${Math.round(large.ms)} ms`);
    // Linear with a wide margin for noise: five times the types in far less than 25 times the time.
    assert.ok(large.ms < 25 * small.ms + 1000, `1,000 types: ${Math.round(small.ms)} ms, 5,000: ${Math.round(large.ms)} ms`);
    assert.deepEqual(shapeProblems(large.text, "index.ts"), []);
    const source = ts.createSourceFile("index.ts", large.text, ts.ScriptTarget.Latest, true);
    // An interface and a key type per entity type, the service interface and the factory.
    assert.equal(source.statements.filter((s) => !ts.isImportDeclaration(s)).length, 2 * 5000 + 2);
    const { members } = factoryMembers(large.text, "index.ts");
    assert.equal(members.length, 5000);
    assert.ok(members.every((m) => m.wire === m.name));
  });
});
