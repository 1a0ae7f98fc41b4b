/**
 * A synthetic `$metadata` document of the size and shape of a Dynamics 365 / Dataverse service:
 * thousands of entity types of some sixty properties each, an entity set for every type, and the
 * shape that makes such models hard for generators and for the compiler: every entity type has
 * lookups to the user entity (`createdby`, `modifiedby`, `owninguser`), and the user entity has a
 * collection-valued back-link from each of them, so every type reaches every other in two
 * navigation steps. Some types have lookups to others, bound actions and functions, and the names
 * include a case-only twin (`solution` and `Solution`) as Dynamics has. Names are made up and fixed
 * by a seed, so every run writes the same document. No real document is used.
 */
import { random } from "./metadata-document.js";

/** How many of each construct the document has. */
export interface DynamicsShape {
  entityTypes: number;
  /** Structural properties per entity type, on average. */
  propertiesPerType: number;
  /** Lookups (to-one navigation properties) per entity type to other entity types, besides the user ones. */
  lookupsPerType: number;
  /** Bound actions and functions. */
  boundOperations: number;
}

/** ≥ 5,000 entity types and ≥ 300,000 properties: about 30 MB of EDMX. */
export const DYNAMICS_SHAPE: Readonly<DynamicsShape> = { entityTypes: 5_000, propertiesPerType: 72, lookupsPerType: 3, boundOperations: 600 };

const NS = "Microsoft.Dynamics.CRM";
const TYPES = [
  ["Edm.String", ' MaxLength="100" Unicode="false"'],
  ["Edm.String", ""],
  ["Edm.Int32", ""],
  ["Edm.Decimal", ' Precision="23" Scale="10"'],
  ["Edm.Boolean", ""],
  ["Edm.DateTimeOffset", ' Precision="0"'],
  ["Edm.Guid", ""],
  ["Edm.Int64", ""],
  ["Edm.Double", ""],
  ["Edm.Date", ""],
] as const;

/** The entity type names: Dynamics-like lowercase names, the user entity first. */
export function dynamicsEntityNames(count: number): string[] {
  const base = ["systemuser", "account", "contact", "lead", "opportunity", "incident", "solution", "Solution", "team", "businessunit"];
  const names = base.slice(0, Math.min(count, base.length));
  for (let i = names.length; i < count; i++) names.push(`new_entity${String(i).padStart(4, "0")}`);
  return names;
}

/** The entity set of an entity type: its name with an `s`, as Dataverse's plural names go. */
export function dynamicsSetName(type: string): string {
  return `${type}s`;
}

/** Writes the document; `stats` counts what went in. */
export function dynamicsShapedMetadata(shape: DynamicsShape = DYNAMICS_SHAPE, seed = 365): { text: string; stats: { entityTypes: number; properties: number; navigationProperties: number } } {
  const next = random(seed);
  const names = dynamicsEntityNames(shape.entityTypes);
  const parts: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>\n',
    '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">\n<edmx:DataServices>\n',
    `<Schema Namespace="${NS}" Alias="mscrm" xmlns="http://docs.oasis-open.org/odata/ns/edm">\n`,
  ];
  let properties = 0;
  let navigationProperties = 0;
  const lookups = new Map<string, string[]>();
  for (const [index, name] of names.entries()) {
    const key = `${name.toLowerCase()}id`;
    const lines = [`<EntityType Name="${name}">`, `<Key><PropertyRef Name="${key}"/></Key>`, `<Property Name="${key}" Type="Edm.Guid" Nullable="false"/>`];
    const count = Math.max(5, Math.round(shape.propertiesPerType * (0.5 + next())));
    for (let p = 1; p < count; p++) {
      const [type, facets] = TYPES[Math.floor(next() * TYPES.length)] as (typeof TYPES)[number];
      lines.push(`<Property Name="new_attribute${p}" Type="${type}"${facets}/>`);
    }
    properties += count;
    if (index > 0) {
      for (const role of ["createdby", "modifiedby", "owninguser"]) {
        lines.push(`<NavigationProperty Name="${role}" Type="mscrm.systemuser" Partner="lk_${name}_${role}"/>`);
        navigationProperties += 1;
      }
      const targets: string[] = [];
      for (let l = 0; l < shape.lookupsPerType; l++) {
        const target = names[1 + Math.floor(next() * (names.length - 1))] as string;
        lines.push(`<NavigationProperty Name="new_lookup${l}" Type="mscrm.${target}"/>`);
        targets.push(target);
        navigationProperties += 1;
      }
      lookups.set(name, targets);
    } else {
      // The user entity: a back-link from every other type's user lookups.
      for (const other of names.slice(1)) {
        for (const role of ["createdby", "modifiedby", "owninguser"]) {
          lines.push(`<NavigationProperty Name="lk_${other}_${role}" Type="Collection(mscrm.${other})" Partner="${role}"/>`);
          navigationProperties += 1;
        }
      }
    }
    lines.push("</EntityType>\n");
    parts.push(lines.join("\n"));
  }
  for (let o = 0; o < shape.boundOperations; o++) {
    const target = names[Math.floor(next() * names.length)] as string;
    const kind = o % 3 === 0 ? "Function" : "Action";
    const returnType = kind === "Function" ? `<ReturnType Type="mscrm.${target}"/>` : "";
    parts.push(
      `<${kind} Name="new_operation${o}" IsBound="true"><Parameter Name="entity" Type="mscrm.${target}" Nullable="false"/><Parameter Name="Comment" Type="Edm.String"/>${returnType}</${kind}>\n`,
    );
  }
  parts.push('<EntityContainer Name="System">\n');
  for (const name of names) {
    const bindings = [...(lookups.get(name) ?? []).map((target, l) => `<NavigationPropertyBinding Path="new_lookup${l}" Target="${dynamicsSetName(target)}"/>`)];
    parts.push(`<EntitySet Name="${dynamicsSetName(name)}" EntityType="mscrm.${name}">${bindings.join("")}</EntitySet>\n`);
  }
  parts.push("</EntityContainer>\n</Schema>\n</edmx:DataServices>\n</edmx:Edmx>\n");
  return { text: parts.join(""), stats: { entityTypes: names.length, properties, navigationProperties } };
}
