// Reading $metadata takes work in proportion to the document: a document with four times the
// entity types (and associations, sets, imports, annotation blocks) takes about four times the
// work, not sixteen. Work is counted, not timed: the array elements that the readers, and the
// model walked set by set, visit (the callbacks of find, some, filter, map and the like, the
// steps of for...of and spread, the elements indexOf and includes pass), which is where a search
// inside a loop over the document makes reading quadratic. Counts do not depend on the machine's
// load, so the bound can be tight enough to tell four from sixteen.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { parseMetadata, type ServiceModel } from "../src/index.js";

const ITERATION_METHODS = ["find", "findIndex", "findLast", "findLastIndex", "some", "every", "filter", "map", "flatMap", "forEach", "reduce"] as const;
const SCANNING_METHODS = ["indexOf", "lastIndexOf", "includes"] as const;

/** Runs `run` (synchronously) and returns how many array elements it visited. */
function arrayWork(run: () => void): number {
  const prototype = Array.prototype as unknown as Record<string | symbol, unknown>;
  const originals = new Map<string | symbol, unknown>();
  let visited = 0;
  const patch = (name: string | symbol, replacement: unknown) => {
    originals.set(name, prototype[name]);
    Object.defineProperty(prototype, name, { value: replacement, writable: true, configurable: true, enumerable: false });
  };
  const iterator = prototype[Symbol.iterator] as (this: unknown[]) => Iterator<unknown>;
  patch(Symbol.iterator, function (this: unknown[]) {
    const inner = iterator.call(this);
    return {
      next() {
        visited++;
        return inner.next();
      },
      [Symbol.iterator]() {
        return this;
      },
    };
  });
  for (const name of ITERATION_METHODS) {
    const original = prototype[name] as (this: unknown[], callback: (...args: unknown[]) => unknown, ...rest: unknown[]) => unknown;
    patch(name, function (this: unknown[], callback: (...args: unknown[]) => unknown, ...rest: unknown[]) {
      return original.call(
        this,
        function (this: unknown, ...args: unknown[]) {
          visited++;
          return callback.apply(this, args);
        },
        ...rest,
      );
    });
  }
  for (const name of SCANNING_METHODS) {
    const original = prototype[name] as (this: unknown[], ...args: unknown[]) => unknown;
    patch(name, function (this: unknown[], ...args: unknown[]) {
      const result = original.apply(this, args);
      visited += this.length;
      return result;
    });
  }
  try {
    run();
  } finally {
    for (const [name, original] of originals) Object.defineProperty(prototype, name, { value: original, writable: true, configurable: true, enumerable: false });
  }
  return visited;
}

/**
 * Reads the document and takes each entity set's type, key and ETag properties, as a generator
 * does. (A lookup by name, `model.entitySet(name)`, searches the container's list: the model's
 * class loads at every client's start, where an index of its own would cost bytes.)
 */
function readAndWalk(text: string, types: number): ServiceModel {
  const model = parseMetadata(text);
  const container = model.container();
  assert.equal(container?.entitySets.length, types);
  assert.equal((container?.functionImports.length ?? 0) + (container?.actionImports.length ?? 0), types);
  for (const set of container?.entitySets ?? []) {
    model.keyOf(model.entityTypeOf(set));
    model.etagProperties(set);
  }
  return model;
}

/** SAP Gateway-style OData v2: each type with a navigation property over its own association and association set, a function import each. */
function v2Document(types: number): string {
  const parts: string[] = [];
  const container: string[] = [];
  for (let i = 0; i < types; i++) {
    const next = (i + 1) % types;
    parts.push(
      `<EntityType Name="T${i}" sap:content-version="1"><Key><PropertyRef Name="ID"/></Key>` +
        `<Property Name="ID" Type="Edm.Int32" Nullable="false" sap:filterable="false"/><Property Name="Name" Type="Edm.String" ConcurrencyMode="Fixed"/>` +
        `<Property Name="NextID" Type="Edm.Int32"/><NavigationProperty Name="Next" Relationship="S.A${i}" FromRole="From" ToRole="To"/>` +
        `<NavigationProperty Name="Previous" Relationship="S.A${(i + types - 1) % types}" FromRole="To" ToRole="From"/></EntityType>`,
      `<Association Name="A${i}"><End Type="S.T${i}" Multiplicity="*" Role="From"/><End Type="S.T${next}" Multiplicity="0..1" Role="To"/>` +
        `<ReferentialConstraint><Principal Role="To"><PropertyRef Name="ID"/></Principal><Dependent Role="From"><PropertyRef Name="NextID"/></Dependent></ReferentialConstraint></Association>`,
    );
    container.push(
      `<EntitySet Name="Set${i}" EntityType="S.T${i}" sap:creatable="false"/>`,
      `<AssociationSet Name="AS${i}" Association="S.A${i}"><End EntitySet="Set${i}" Role="From"/><End EntitySet="Set${next}" Role="To"/></AssociationSet>`,
      `<FunctionImport Name="Count${i}" ReturnType="Edm.Int32" EntitySet="Set${i}" m:HttpMethod="${i % 2 === 0 ? "GET" : "POST"}"/>`,
    );
  }
  return (
    `<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" ` +
    `xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" xmlns:sap="http://www.sap.com/Protocols/SAPData">` +
    `<edmx:DataServices m:DataServiceVersion="2.0"><Schema Namespace="S" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">` +
    `${parts.join("")}<EntityContainer Name="C" m:IsDefaultEntityContainer="true">${container.join("")}</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`
  );
}

/**
 * OData v4: types with navigation properties, sets with bindings, an Annotations block for each
 * set and each property, half the sets in a base container the service's container extends.
 */
function v4Document(types: number): string {
  const schema: string[] = [];
  const own: string[] = [];
  const base: string[] = [];
  for (let i = 0; i < types; i++) {
    const next = (i + 1) % types;
    schema.push(
      `<EntityType Name="T${i}"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="Name" Type="Edm.String"/>` +
        `<NavigationProperty Name="Next" Type="S.T${next}" Partner="Previous"/><NavigationProperty Name="Previous" Type="Collection(S.T${next})"/></EntityType>`,
      `<Function Name="Count${i}"><ReturnType Type="Edm.Int32"/></Function>`,
      `<Annotations Target="S.Service/Set${i}"><Annotation Term="Core.OptimisticConcurrency"><Collection><PropertyPath>Name</PropertyPath></Collection></Annotation></Annotations>`,
      `<Annotations Target="S.T${i}/Name"><Annotation Term="Core.Description" String="the name"/></Annotations>`,
    );
    (i % 2 === 0 ? own : base).push(
      `<EntitySet Name="Set${i}" EntityType="S.T${i}"><NavigationPropertyBinding Path="Next" Target="Set${next}"/></EntitySet>`,
      `<FunctionImport Name="Count${i}" Function="S.Count${i}"/>`,
    );
  }
  return (
    `<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>` +
    `<Schema Namespace="S" xmlns="http://docs.oasis-open.org/odata/ns/edm">${schema.join("")}<EntityContainer Name="Service" Extends="B.Base">${own.join("")}</EntityContainer></Schema>` +
    `<Schema Namespace="B" xmlns="http://docs.oasis-open.org/odata/ns/edm"><EntityContainer Name="Base">${base.join("")}</EntityContainer></Schema>` +
    `</edmx:DataServices></edmx:Edmx>`
  );
}

/** The CSDL JSON form of a document like `v4Document`'s, without the base container. */
function csdlJsonDocument(types: number): string {
  const schema: Record<string, unknown> = {};
  const container: Record<string, unknown> = { $Kind: "EntityContainer" };
  const annotations: Record<string, unknown> = {};
  for (let i = 0; i < types; i++) {
    const next = (i + 1) % types;
    schema[`T${i}`] = { $Kind: "EntityType", $Key: ["ID"], ID: { $Type: "Edm.Int32" }, Name: { $Nullable: true }, Next: { $Kind: "NavigationProperty", $Type: `S.T${next}` } };
    schema[`Count${i}`] = [{ $Kind: "Function", $ReturnType: { $Type: "Edm.Int32" } }];
    container[`Set${i}`] = { $Collection: true, $Type: `S.T${i}`, $NavigationPropertyBinding: { Next: `Set${next}` } };
    container[`Count${i}`] = { $Function: `S.Count${i}` };
    annotations[`S.Service/Set${i}`] = { "@Org.OData.Core.V1.OptimisticConcurrency": ["Name"] };
    annotations[`S.T${i}/Name`] = { "@Org.OData.Core.V1.Description": "the name" };
  }
  schema["Service"] = container;
  schema["$Annotations"] = annotations;
  return JSON.stringify({ $Version: "4.01", $EntityContainer: "S.Service", S: schema });
}

/** The work for `types` and for four times as many, and their ratio. */
function growth(make: (types: number) => string, types: number): { small: number; large: number; ratio: number } {
  const smallText = make(types);
  const largeText = make(4 * types);
  const small = arrayWork(() => readAndWalk(smallText, types));
  const large = arrayWork(() => readAndWalk(largeText, 4 * types));
  return { small, large, ratio: large / small };
}

// Linear work grows four times (these documents give 4.0); a search per element of the document
// sixteen times, less its linear share (the readers before their indexes gave 11 to 14).
const MAX_RATIO = 5;

describe("reading $metadata takes work in proportion to the document", () => {
  test("the counter sees a search inside a loop: its work grows with the square of the list", () => {
    const quadratic = (n: number) => arrayWork(() => {
      const list = Array.from({ length: n }, (_, i) => i);
      for (const item of list) list.find((other) => other === item);
    });
    assert.ok(quadratic(400) / quadratic(100) > 12);
  });

  test("OData v2 EDMX: associations, association sets, function imports and SAP attributes of four times the types take at most five times the work", () => {
    const { small, large, ratio } = growth(v2Document, 400);
    const model = parseMetadata(v2Document(3));
    // What the indexes give is what the searches gave.
    assert.deepEqual(model.entitySet("Set0")?.navigationPropertyBindings, [{ path: "Next", target: "Set1" }, { path: "Previous", target: "Set2" }]);
    assert.equal(model.entityType("S.T0")?.navigationProperties[0]?.partner, "Previous");
    assert.ok(ratio < MAX_RATIO, `400 types: ${small} elements visited; 1,600 types: ${large} (${ratio.toFixed(1)} times)`);
  });

  test("OData v4 EDMX: bindings, an Annotations block per set and property, and a container that extends another take at most five times the work", () => {
    const { small, large, ratio } = growth(v4Document, 400);
    const model = parseMetadata(v4Document(3));
    assert.deepEqual(model.etagProperties("Set1"), ["Name"]);
    assert.ok(ratio < MAX_RATIO, `400 types: ${small} elements visited; 1,600 types: ${large} (${ratio.toFixed(1)} times)`);
  });

  test("CSDL JSON: the same document takes at most five times the work", () => {
    const { small, large, ratio } = growth(csdlJsonDocument, 400);
    assert.ok(ratio < MAX_RATIO, `400 types: ${small} elements visited; 1,600 types: ${large} (${ratio.toFixed(1)} times)`);
  });
});
