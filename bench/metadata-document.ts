/**
 * A synthetic `$metadata` document of the size and shape of Microsoft Graph v1.0's (about 3.4 MB):
 * the same counts of enumeration types and members, entity and complex types, properties (with
 * Graph's mix of types and facets), navigation properties (most of them containment), bound
 * actions and functions with their parameters, an entity container with sets, singletons and
 * bindings, and some 4,900 `Annotations` blocks of descriptions and capability records. Names and
 * texts are made up and fixed by a seed, so every run parses the same document. Graph's own
 * document is not in this repository; this stands in for it in the bench.
 */

/** How many of each construct the document has; the defaults are Graph v1.0's counts. */
export interface GraphShape {
  enumTypes: number;
  enumMembers: number;
  entityTypes: number;
  complexTypes: number;
  properties: number;
  navigationProperties: number;
  actions: number;
  functions: number;
  entitySets: number;
  singletons: number;
  /** `Annotations` blocks with a Core.Description of a type, property or member. */
  descriptionBlocks: number;
  /** `Annotations` blocks of entity sets' and navigation properties' Capabilities records. */
  capabilityBlocks: number;
  /** The schemas besides `microsoft.graph` (Graph has ten smaller ones). */
  extraSchemas: number;
}

/** Microsoft Graph v1.0's counts, as its `$metadata` had them when this bench was written. */
export const GRAPH_V1_SHAPE: Readonly<GraphShape> = {
  enumTypes: 861,
  enumMembers: 6347,
  entityTypes: 1182,
  complexTypes: 1779,
  properties: 10525,
  navigationProperties: 1432,
  actions: 857,
  functions: 326,
  entitySets: 41,
  singletons: 31,
  descriptionBlocks: 4474,
  capabilityBlocks: 404,
  extraSchemas: 10,
};

const EDMX = "http://docs.oasis-open.org/odata/ns/edmx";
const EDM = "http://docs.oasis-open.org/odata/ns/edm";

const WORDS = (
  "access account activity alert app approval assignment attachment audit authentication booking calendar call " +
  "certificate channel chat cloud compliance conditional configuration contact content conversation device directory " +
  "document domain drive education event external file filter group identity incident item label list location " +
  "mail managed meeting member message mobile notebook online package page permission phone place plan policy " +
  "presence print protection provisioning record report request resource risk role room schedule schema search " +
  "security service session setting share site subscription task team template tenant thread token training user " +
  "video windows workbook"
).split(" ");

/** Graph's mix of property types, each with how often it occurs (per 1000 properties). */
const PROPERTY_TYPES: readonly (readonly [type: string, weight: number, facets?: string])[] = [
  ["Edm.String", 364],
  ["Edm.Boolean", 140],
  ["Edm.DateTimeOffset", 74],
  ["Edm.Int32", 71],
  ["Collection(Edm.String)", 31, ' Nullable="false"'],
  ["Edm.Int64", 15],
  ["Edm.Double", 10],
  ["Edm.Duration", 5],
  ["Edm.Guid", 4],
  ["Edm.Single", 4],
  ["Edm.Binary", 3],
  ["Edm.Date", 3],
  ["Edm.TimeOfDay", 2],
  ["Edm.Decimal", 2, ' Precision="18" Scale="4"'],
  ["Edm.Stream", 1],
  ["complex", 180],
  ["enum", 70],
  ["Collection(complex)", 21, ' Nullable="false"'],
];

const DESCRIPTION_WORDS = (
  "the of a to and is for that this in be by or when which are with value not an if as from can its only set " +
  "supported returned default read property used service entity collection identifier date time user group"
).split(" ");

/** A small, fast, seeded generator (mulberry32), so that the document is the same on every run. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Builds the document: OData 4.0 EDMX, one large schema `microsoft.graph` (alias `graph`) and
 * `extraSchemas` smaller ones, in Graph's layout (enumerations, entity types, complex types,
 * operations, the container, then the `Annotations` blocks).
 * @example
 * const xml = graphShapedMetadata();
 * xml.length; // about 3.4 million characters
 */
export function graphShapedMetadata(shape: GraphShape = GRAPH_V1_SHAPE, seed = 1182): string {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const between = (low: number, high: number) => low + Math.floor(next() * (high - low + 1));
  // Unique camelCase names from the word list: the index written in base WORDS.length.
  const nameOf = (index: number, suffix = ""): string => {
    const parts: string[] = [];
    let rest = index;
    do {
      parts.push(WORDS[rest % WORDS.length] as string);
      rest = Math.floor(rest / WORDS.length);
    } while (rest > 0);
    return parts.map((word, i) => (i === 0 ? word : word[0]!.toUpperCase() + word.slice(1))).join("") + suffix;
  };
  const sentence = (words: number) => {
    const text = Array.from({ length: words }, () => pick(DESCRIPTION_WORDS)).join(" ");
    return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
  };

  const enums = Array.from({ length: shape.enumTypes }, (_, i) => nameOf(i, "Type"));
  const entities = Array.from({ length: shape.entityTypes }, (_, i) => (i === 0 ? "entity" : nameOf(i + 5000)));
  const complexes = Array.from({ length: shape.complexTypes }, (_, i) => nameOf(i + 20000, "Info"));
  const typeWeights = PROPERTY_TYPES.reduce((sum, [, weight]) => sum + weight, 0);
  const propertyType = (): { type: string; facets: string } => {
    let roll = next() * typeWeights;
    for (const [type, weight, facets] of PROPERTY_TYPES) {
      roll -= weight;
      if (roll > 0) continue;
      if (type === "complex") return { type: `graph.${pick(complexes)}`, facets: "" };
      if (type === "Collection(complex)") return { type: `Collection(graph.${pick(complexes)})`, facets: facets ?? "" };
      if (type === "enum") return { type: `graph.${pick(enums)}`, facets: "" };
      return { type, facets: facets ?? "" };
    }
    return { type: "Edm.String", facets: "" };
  };

  const out: string[] = [];
  const line = (indent: number, text: string) => out.push(`${" ".repeat(indent)}${text}\n`);
  const annotationTargets: string[] = [];

  line(0, '<?xml version="1.0" encoding="utf-8"?>');
  line(0, `<edmx:Edmx Version="4.0" xmlns:edmx="${EDMX}">`);
  line(2, "<edmx:DataServices>");
  const schemas = [{ namespace: "microsoft.graph", alias: "graph" }, ...Array.from({ length: shape.extraSchemas }, (_, i) => ({ namespace: `microsoft.graph.${nameOf(i + 90000)}`, alias: "" }))];
  // The extra schemas get a small share of every kind of type, as Graph's do.
  const share = (count: number, schema: number) => {
    const small = Math.floor(count * 0.03);
    return schema === 0 ? [0, count - small * shape.extraSchemas] : [count - small * (shape.extraSchemas - schema + 1), count - small * (shape.extraSchemas - schema)];
  };

  let propertiesLeft = shape.properties;
  let navigationLeft = shape.navigationProperties;
  let membersLeft = shape.enumMembers;
  schemas.forEach((schema, s) => {
    line(4, `<Schema Namespace="${schema.namespace}"${schema.alias ? ` Alias="${schema.alias}"` : ""} xmlns="${EDM}">`);
    const [enumFrom, enumTo] = share(shape.enumTypes, s) as [number, number];
    for (let i = enumFrom; i < enumTo; i++) {
      const members = i === shape.enumTypes - 1 ? membersLeft : Math.min(membersLeft, between(3, 12));
      membersLeft -= members;
      line(6, `<EnumType Name="${enums[i]}"${next() < 0.06 ? ' IsFlags="true"' : ""}>`);
      for (let m = 0; m < members; m++) line(8, `<Member Name="${nameOf(i * 13 + m + 40000)}" Value="${m === members - 1 ? 99 : m}" />`);
      line(6, "</EnumType>");
    }
    const [entityFrom, entityTo] = share(shape.entityTypes, s) as [number, number];
    for (let i = entityFrom; i < entityTo; i++) {
      const name = entities[i] as string;
      const properties = Math.min(propertiesLeft, i === 0 ? 1 : between(1, 8));
      const navigation = i === 0 ? 0 : Math.min(navigationLeft, next() < 0.5 ? between(1, 4) : 0);
      propertiesLeft -= properties;
      navigationLeft -= navigation;
      const base = i === 0 ? "" : ` BaseType="graph.${next() < 0.8 ? "entity" : entities[Math.floor(next() * i)]}"`;
      const flags = `${next() < 0.15 ? ' Abstract="true"' : ""}${next() < 0.3 ? ' OpenType="true"' : ""}`;
      line(6, `<EntityType Name="${name}"${base}${flags}>`);
      if (i === 0) line(8, '<Key><PropertyRef Name="id" /></Key>');
      for (let p = 0; p < properties; p++) {
        const property = i === 0 ? "id" : nameOf(i * 17 + p + 60000);
        const { type, facets } = i === 0 ? { type: "Edm.String", facets: ' Nullable="false"' } : propertyType();
        line(8, `<Property Name="${property}" Type="${type}"${facets} />`);
        if (annotationTargets.length < shape.descriptionBlocks && next() < 0.42) annotationTargets.push(`${schema.alias || schema.namespace}.${name}/${property}`);
      }
      for (let n = 0; n < navigation; n++) {
        const target = entities[1 + Math.floor(next() * (entities.length - 1))];
        const contained = next() < 0.75;
        line(8, `<NavigationProperty Name="${nameOf(i * 5 + n + 70000)}" Type="Collection(graph.${target})"${contained ? ' ContainsTarget="true"' : ""} />`);
      }
      line(6, "</EntityType>");
      if (annotationTargets.length < shape.descriptionBlocks && next() < 0.3) annotationTargets.push(`${schema.alias || schema.namespace}.${name}`);
    }
    const [complexFrom, complexTo] = share(shape.complexTypes, s) as [number, number];
    for (let i = complexFrom; i < complexTo; i++) {
      const name = complexes[i] as string;
      const properties = i === shape.complexTypes - 1 ? Math.max(propertiesLeft, 0) : Math.min(propertiesLeft, between(1, 5));
      propertiesLeft -= properties;
      // A base among the complex types written before this one, never the type itself: CSDL has no
      // base-type cycles (the generator refuses one). The draw is made either way, so the rest of
      // the document is the one every earlier run wrote.
      const baseOf = (index: number): string => {
        const pick = Math.floor(next() * index);
        return index === 0 ? "" : ` BaseType="graph.${complexes[pick]}"`;
      };
      line(6, `<ComplexType Name="${name}"${next() < 0.1 ? baseOf(i) : ""}${next() < 0.2 ? ' OpenType="true"' : ""}>`);
      for (let p = 0; p < properties; p++) {
        const property = nameOf(i * 11 + p + 80000);
        const { type, facets } = propertyType();
        line(8, `<Property Name="${property}" Type="${type}"${facets} />`);
        if (annotationTargets.length < shape.descriptionBlocks && next() < 0.35) annotationTargets.push(`${schema.alias || schema.namespace}.${name}/${property}`);
      }
      line(6, "</ComplexType>");
    }
    if (s === 0) {
      for (let i = 0; i < shape.actions + shape.functions; i++) {
        const isAction = i < shape.actions;
        const kind = isAction ? "Action" : "Function";
        const bindingType = entities[1 + Math.floor(next() * (entities.length - 1))];
        const collection = next() < 0.3;
        line(6, `<${kind} Name="${nameOf(i + 100000)}" IsBound="true"${!isAction && next() < 0.4 ? ' IsComposable="true"' : ""}>`);
        line(8, `<Parameter Name="bindingParameter" Type="${collection ? `Collection(graph.${bindingType})` : `graph.${bindingType}`}"${collection ? ' Nullable="false"' : ""} />`);
        const parameters = between(0, 3);
        for (let p = 0; p < parameters; p++) {
          const { type, facets } = propertyType();
          line(8, `<Parameter Name="${nameOf(i * 3 + p + 110000)}" Type="${type}"${facets}${next() < 0.2 ? ">" : " />"}`);
          if (out[out.length - 1]!.endsWith(">\n") && !out[out.length - 1]!.endsWith("/>\n")) {
            line(10, '<Annotation Term="Org.OData.Core.V1.OptionalParameter" />');
            line(8, "</Parameter>");
          }
        }
        if (!isAction || next() < 0.2) line(8, `<ReturnType Type="${next() < 0.5 ? `Collection(graph.${pick(complexes)})` : "Edm.Boolean"}" Nullable="false" />`);
        line(6, `</${kind}>`);
      }
      line(6, '<EntityContainer Name="GraphService">');
      const sets = Array.from({ length: shape.entitySets }, (_, i) => nameOf(i + 120000, "s"));
      sets.forEach((set, i) => {
        line(8, `<EntitySet Name="${set}" EntityType="graph.${entities[1 + i * 7]}">`);
        for (let b = 0; b < 2; b++) line(10, `<NavigationPropertyBinding Path="${nameOf(i * 2 + b + 130000)}" Target="${pick(sets)}" />`);
        line(8, "</EntitySet>");
      });
      for (let i = 0; i < shape.singletons; i++) {
        line(8, `<Singleton Name="${nameOf(i + 140000)}" Type="graph.${entities[3 + i * 11]}">`);
        line(10, `<NavigationPropertyBinding Path="${nameOf(i + 150000)}" Target="${pick(sets)}" />`);
        line(8, "</Singleton>");
      }
      line(6, "</EntityContainer>");
      // Capability records of entity sets and navigation properties, as Graph annotates them.
      for (let i = 0; i < shape.capabilityBlocks; i++) {
        line(6, `<Annotations Target="microsoft.graph.GraphService/${sets[i % sets.length]}${i < sets.length ? "" : `/${nameOf(i + 160000)}`}">`);
        line(8, '<Annotation Term="Org.OData.Capabilities.V1.UpdateRestrictions">');
        line(10, "<Record>");
        line(12, `<PropertyValue Property="Updatable" Bool="${next() < 0.5}" />`);
        line(12, '<PropertyValue Property="Permissions">');
        line(14, "<Collection>");
        line(16, '<Record Type="Org.OData.Capabilities.V1.PermissionType">');
        line(18, `<PropertyValue Property="SchemeName" String="Delegated" />`);
        line(18, `<PropertyValue Property="Scopes"><Collection><String>${nameOf(i + 170000)}.ReadWrite.All</String></Collection></PropertyValue>`);
        line(16, "</Record>");
        line(14, "</Collection>");
        line(12, "</PropertyValue>");
        line(10, "</Record>");
        line(8, "</Annotation>");
        line(6, "</Annotations>");
      }
    }
    // The descriptions of this schema's types and properties.
    const own = annotationTargets.filter((target) => (s === 0 ? target.startsWith("graph.") : target.startsWith(`${schema.namespace}.`)));
    for (const target of own) {
      line(6, `<Annotations Target="${target}">`);
      line(8, `<Annotation Term="Org.OData.Core.V1.Description" String="${sentence(between(6, 18))}" />`);
      if (next() < 0.12) line(8, '<Annotation Term="Org.OData.Core.V1.Computed" Bool="true" />');
      line(6, "</Annotations>");
    }
    line(4, "</Schema>");
  });
  line(2, "</edmx:DataServices>");
  line(0, "</edmx:Edmx>");
  return out.join("");
}
