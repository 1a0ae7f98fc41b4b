/**
 * The generator: TypeScript for a service model. One interface per entity and complex type, one
 * type per enumeration type and type definition, a key type per entity type, and a factory that
 * binds the entity sets, singletons and operation imports to a client (or, with `reader`, the
 * entity sets and singletons to an `ODataReader`). Names follow
 * `./names.ts`, types `./edm-types.ts`. The output depends only on the model and the options:
 * types sorted by qualified name, container members by name, properties in document order.
 */
import { createHash } from "node:crypto";
import type { ComplexType, EntityContainer, EntityType, EnumType, KeyRef, NavigationProperty, Operation, Parameter, Property, ServiceModel, TypeDefinition, TypeReference } from "../index.js";
import { FLOATS, GEO_KINDS, geoDeclarations, isFloatingDecimal, mapPrimitive, type GeoKind, type MappingOptions } from "./edm-types.js";
import { compare, isIdentifier, objectKey, propertyName, toIdentifier, TypeNames } from "./names.js";
import { SERVICE_OPERATION_METHODS } from "../operations/requests.js";
import { isIdentifier as isODataIdentifier, isQualifiedName } from "../util/identifiers.js";
import { alternateKeysOn } from "../metadata/alternate-keys.js";

/** The options of {@link generate}. */
export interface GenerateOptions {
  /**
   * The name of the factory function: a JavaScript identifier that is not a reserved word or a
   * name the generated file uses (`class`, `edm` are refused).
   * @default the entity container's name with its first letter lowercased (`catalogService`), made
   * an identifier by the type names' rules (a container `Default` gives `default_`)
   */
  name?: string | undefined;
  /**
   * Keep only these entity sets, singletons and operation imports (by their names in the
   * metadata), with the types they reach: their entity types and those types' base types, the
   * complex, enumeration and type definition types of their properties, and the parameter and
   * result types of their bound and imported operations. Navigation properties that lead to an
   * entity type outside this are kept, typed `Record<string, unknown>`: a model such as Dynamics'
   * reaches every type through navigation, so following them would keep everything.
   * @default every set, singleton, import and type of the model
   */
  only?: readonly string[] | undefined;
  /**
   * OData v4: the service sends `Edm.Int64` and `Edm.Decimal` as strings (the
   * `IEEE754Compatible=true` form of JSON), so they are typed `string`. OData v2 sends them as
   * strings whatever this says.
   * @default false
   */
  ieee754Compatible?: boolean | undefined;
  /**
   * The module the generated file imports the library's types from.
   * @default "traverse-odata"; with `reader`, "traverse-odata/read"
   */
  importFrom?: string | undefined;
  /**
   * Write the factory for an `ODataReader` (`traverse-odata/read`): it takes a reader (an
   * `ODataClient` too, which is one), gives a `ReadCollectionQuery` per entity set and a
   * `ReadEntityQuery` per singleton, and imports its types from `traverse-odata/read` alone, so a
   * program that only reads bundles no writing or operation code. Operation imports are left out
   * (a reader calls no operations) and named in the header; the types are those of the client's
   * form, bound operations in the entity shapes included.
   * @default false
   */
  reader?: boolean | undefined;
  /**
   * Where the metadata came from, for the header: a name (a file path or a redacted URL) and the
   * document's text, whose SHA-256 the header states. Without it the header names the model and
   * hashes its JSON.
   */
  source?: { name: string; text: string | Uint8Array } | undefined;
  /**
   * Write the types as a declaration file `index.d.ts` and the factory as plain JavaScript
   * `index.js`, instead of one `index.ts`. A program that imports them type-checks only what it
   * uses when `skipLibCheck` is on, rather than every generated interface and getter: for a
   * service of thousands of entity types, what is left is mostly the reading of the file.
   * @default false
   */
  declarations?: boolean | undefined;
}

/** What {@link generate} returns: file names (relative to the output folder) to their texts. */
export type GeneratedFiles = Record<string, string>;

/** What one generation run knows beyond the model. */
interface Context {
  model: ServiceModel;
  names: TypeNames;
  mapping: MappingOptions;
  /** Entity types whose interfaces are written (qualified names). */
  entityTypes: Set<string>;
  /** Complex, enumeration and type definition types written. */
  otherTypes: Set<string>;
  /** The GeoJSON kinds used; their declarations are written when any is. */
  geo: Record<GeoKind | "Position", string> | undefined;
  /** Bound operations by the qualified name of their binding type, instance and collection apart. */
  bound: Map<string, { single: Operation[]; collection: Operation[] }>;
  /** Whether a bound function's parameter, a key property or a shape's literal is typed `EdmValue` (the file then imports the type). */
  edmValue: boolean;
  /** Whether an interface extends `Entity` (every entity type's, a complex type's with literals): the file then imports the type. */
  entityShape: boolean;
  /** Whether an operation parameter is typed with `EntityInput` (see {@link entityInputText}): the file then imports the type. */
  entityInput: boolean;
  /** Whether a complex property of an entity input is typed with `EntityInputValue` (see {@link entityValueText}): the file then imports the type. */
  entityInputValue: boolean;
  /**
   * The input types of complex types that hold an entity or a complex type with derived types (see
   * {@link complexValueText}), by qualified name: each named and declared once, after the type's interface.
   */
  inputs: Map<string, { name: string; declaration: string }>;
  /** The input types of entity and complex types as an entity input takes them (see {@link entityValueText}), by qualified name, declared as `inputs` are. */
  entityInputs: Map<string, { name: string; declaration: string }>;
  /** The complex types that hold, at some depth, an entity input or a complex type with derived types (see {@link holders}); made when first asked. */
  holders: { entity: Set<string>; derived: Set<string> } | undefined;
  /** Whether the file is for an `ODataReader`, whose entry point has no `EntityInput`. */
  reader: boolean;
  /** The entity and complex types derived from each type of the model, directly or not (see {@link derivedTypes}); made when first asked. */
  derived: Map<string, Array<EntityType | ComplexType>> | undefined;
  /** Each entity and complex type's own shape, by qualified name (see {@link ownShape}). */
  shapes: Map<string, ShapeParts>;
  /** Whether an operation import has an Edm.Binary parameter (the factory then decodes its text). */
  bytesOfBase64: boolean;
  /** Whether a v2 operation import has an Edm.Double or Edm.Single parameter (the factory then reads its text). */
  numberOfText: boolean;
  /** Properties left out of the interfaces written, as `Type/name`, for the header (see {@link isAddressable}). */
  unaddressableProperties: Set<string>;
  /** Bound operations left out of the shapes, for the header (see {@link isAddressable}). */
  unaddressableBound: Operation[];
}

/**
 * Generates TypeScript for a service model read by `parseMetadata` or `client.metadata()`: an
 * `index.ts` with an interface per entity and complex type, a type per enumeration type, a
 * `<Type>Key` per entity type and the factory `export function <name>(client: ODataClient)`
 * (with `reader`, `<name>(reader: ODataReader)`); with `declarations`, the same as `index.d.ts`
 * and the factory as `index.js`.
 * @example
 * import { parseMetadata } from "traverse-odata";
 * import { generate } from "traverse-odata/codegen";
 * const files = generate(parseMetadata(text), { name: "catalog", only: ["Books"] });
 * for (const [name, content] of Object.entries(files)) writeFileSync(join(out, name), content);
 */
export function generate(model: ServiceModel, options: GenerateOptions = {}): GeneratedFiles {
  const container = model.container();
  const factoryName = resolveFactoryName(options.name, container);
  const allTypes = model.schemas.flatMap((schema) => [...schema.entityTypes, ...schema.complexTypes, ...schema.enumTypes, ...schema.typeDefinitions]);
  const names = new TypeNames(allTypes);
  const v2 = !model.odataVersion.startsWith("4");
  const context: Context = {
    model,
    names,
    mapping: { v2, ieee754Compatible: options.ieee754Compatible === true },
    entityTypes: new Set(),
    otherTypes: new Set(),
    geo: undefined,
    bound: new Map(),
    edmValue: false,
    entityShape: false,
    entityInput: false,
    entityInputValue: false,
    inputs: new Map(),
    entityInputs: new Map(),
    holders: undefined,
    reader: options.reader === true,
    derived: undefined,
    shapes: new Map(),
    bytesOfBase64: false,
    numberOfText: false,
    unaddressableProperties: new Set(),
    unaddressableBound: [],
  };
  if (!v2) context.bound = indexBoundOperations(model, context.unaddressableBound);
  const reader = context.reader;
  const named = selectMembers(container, options.only);
  // ODataReader has no action() or function(): a call on it would compile against a wrong type
  // and throw. The imports go, named in the header; with `only`, so do the types they alone reach.
  const readerLeftOut = reader ? [...named.actionImports, ...named.functionImports].map((item) => item.name).sort(compare) : [];
  const chosen: Members = reader ? { ...named, actionImports: [], functionImports: [] } : named;
  // A container member whose name the client refuses (`second-hand`), or an import of an operation
  // with such a parameter name, would be a getter that compiles and throws when used.
  const unaddressable: Array<{ name: string }> = [...chosen.entitySets, ...chosen.singletons].filter((member) => !isAddressable(member.name));
  for (const item of [...chosen.actionImports, ...chosen.functionImports]) {
    if (!isAddressable(item.name) || importOverloads(model, item).some((o) => o.parameters.some((p) => !isAddressable(p.name)))) unaddressable.push(item);
  }
  const addressable = <T extends { name: string }>(items: readonly T[]) => items.filter((item) => !unaddressable.includes(item));
  const selected: Members = {
    entitySets: addressable(chosen.entitySets),
    singletons: addressable(chosen.singletons),
    actionImports: addressable(chosen.actionImports),
    functionImports: addressable(chosen.functionImports),
  };
  // OData v2 sends a function import's parameters as URL literals, which have no form for a
  // collection: the client refuses every array for one, so no typed call could be made. Left out,
  // and named in the header.
  const unsendable = v2 ? [...selected.actionImports, ...selected.functionImports].filter((item) => importOverloads(model, item).some((o) => o.parameters.some((p) => p.collection))) : [];
  const members: Members = {
    ...selected,
    actionImports: selected.actionImports.filter((item) => !unsendable.includes(item)),
    functionImports: selected.functionImports.filter((item) => !unsendable.includes(item)),
  };
  keepTypes(context, members, options.only === undefined);

  const body: string[] = [];
  // Where each entity and complex type's interface stands, for the input type an operation may ask for later.
  const blocks = new Map<string, number>();
  for (const type of allTypes.slice().sort((a, b) => compare(a.qualifiedName, b.qualifiedName))) {
    if (type.kind === "EntityType" && context.entityTypes.has(type.qualifiedName)) blocks.set(type.qualifiedName, body.push(entityInterface(context, type)) - 1);
    else if (type.kind === "ComplexType" && context.otherTypes.has(type.qualifiedName)) blocks.set(type.qualifiedName, body.push(complexInterface(context, type)) - 1);
    else if (type.kind === "EnumType" && context.otherTypes.has(type.qualifiedName)) body.push(enumDeclaration(context, type));
    else if (type.kind === "TypeDefinition" && context.otherTypes.has(type.qualifiedName)) body.push(typeDefinitionDeclaration(context, type));
  }
  // The generator's own names come after the model's (rule 5 of ./names.ts), in this fixed order.
  const keyNames = new Map<string, string>();
  for (const qualifiedName of [...context.entityTypes].sort(compare)) keyNames.set(qualifiedName, names.claim(`${names.of(qualifiedName)}Key`));
  const keys = [...keyNames].map(([qualifiedName, keyName]) => keyDeclaration(context, qualifiedName, keyName));
  const service = serviceDeclarations(context, factoryName, members, reader);
  const geo = context.geo ? geoDeclarations(context.geo) : [];
  for (const [qualifiedName, input] of [...context.inputs, ...context.entityInputs]) {
    const index = blocks.get(qualifiedName) as number;
    body[index] = `${body[index] as string}\n\n${input.declaration}`;
  }

  const typeImports = [reader ? "ODataReader" : "ODataClient", ...(context.entityShape ? ["Entity"] : []), ...(context.entityInput ? ["EntityInput"] : []), ...(context.entityInputValue ? ["EntityInputValue"] : []), ...(context.edmValue ? ["EdmValue"] : []), ...service.imports.filter((name) => name !== "edm")].sort(compare);
  const valueImports = service.imports.filter((name) => name === "edm");
  const header = headerLines(model, options.source, reader);
  // OData v1 to v3: the bindable FunctionImports of CSDL 3.0 are bound operations, which the
  // client cannot call (it sends OData v2, which has none): not typed as calls, named here.
  const v3BoundOperations = v2 ? model.schemas.flatMap((schema) => [...schema.actions, ...schema.functions]).filter((o) => o.bound) : [];
  if (v3BoundOperations.length > 0) {
    header.splice(-1, 0, `// Left out: the bound operations of this OData v3 document (${v3BoundOperations.map((o) => commentText(o.qualifiedName)).join(", ")}), which the client does not call.`);
  }
  if (unsendable.length > 0) {
    const names = unsendable.map((item) => item.name).sort(compare);
    header.splice(-1, 0, `// Left out: the operation imports with collection parameters (${names.map(commentText).join(", ")}), which OData v2 cannot send.`);
  }
  if (readerLeftOut.length > 0) {
    header.splice(-1, 0, `// Left out: the operation imports (${readerLeftOut.map(commentText).join(", ")}), which a reader does not call.`);
  }
  header.splice(-1, 0, ...unaddressableLines(context, unaddressable));
  const from = JSON.stringify(options.importFrom ?? (reader ? "traverse-odata/read" : "traverse-odata"));
  const valueImport = valueImports.length > 0 ? [`import { ${valueImports.join(", ")} } from ${from};`] : [];
  if (options.declarations === true) {
    // The declarations need no value import: `edm` is used by the factory's body only.
    const declarations = [
      ...header,
      `import type { ${typeImports.join(", ")} } from ${from};`,
      "",
      ...[...body, ...keys, ...geo, ...service.declarations, service.factoryDeclaration].map((block) => `${block}\n`),
    ].join("\n");
    const script = [...header, ...valueImport, ...(valueImport.length > 0 ? [""] : []), `${service.factoryScript}\n`].join("\n");
    return { "index.d.ts": declarations, "index.js": script };
  }
  const text = [
    ...header,
    ...valueImport,
    `import type { ${typeImports.join(", ")} } from ${from};`,
    "",
    ...[...body, ...keys, ...geo, ...service.declarations, service.factory].map((block) => `${block}\n`),
  ].join("\n");
  return { "index.ts": text };
}

function resolveFactoryName(name: string | undefined, container: EntityContainer | undefined): string {
  if (name !== undefined) {
    // An identifier the type names' rules 2 and 3 leave as it is (`服务` too, as a default may be).
    if (typeof name !== "string" || toIdentifier(name) !== name) {
      throw new TypeError(`generate: option "name" must be a JavaScript identifier that is not a reserved word or a name the generated file uses; got ${JSON.stringify(name)}`);
    }
    return name;
  }
  // The container's name with a lower-case first letter, then the type names' rules 2 and 3
  // (a container named `Default` gives `default_`).
  const base = container?.name ?? "service";
  return toIdentifier(`${base.charAt(0).toLowerCase()}${base.slice(1)}`);
}

/**
 * Text from the model (a name, a type) as it may stand in a comment: a star followed by a slash
 * in it would end a doc comment and a line break a line comment, and what followed would be code.
 * Names in XML and CSDL JSON may hold both.
 */
function commentText(text: string): string {
  return text.replace(/\*\//g, "*\\/").replace(/[\r\n\u2028\u2029]/g, " ");
}

/**
 * Whether the client can name a container member, property or parameter of the model in a request:
 * CSDL's SimpleIdentifier (a letter or `_`, then letters, digits and `_`, at most 128 characters),
 * the rule the client checks names by. A member typed under another name (`second-hand`, `$count`,
 * a name of 3,000 characters) would compile and throw when used, so it is left out and named in
 * the header ({@link unaddressableLines}).
 */
function isAddressable(name: string): boolean {
  return isODataIdentifier(name);
}

/**
 * The header's lines naming what was left out because the client cannot address it (see
 * {@link isAddressable}): the container members whose names it refuses, the operation imports and
 * bound operations with such a parameter name (or, bound, such a qualified name), and properties.
 */
function unaddressableLines(context: Context, members: ReadonlyArray<{ name: string }>): string[] {
  const listed = (names: Iterable<string>) => [...new Set(names)].sort(compare).map((name) => commentText(JSON.stringify(name))).join(", ");
  const named = members.filter((m) => !isAddressable(m.name)).map((m) => m.name);
  const byParameter = members.filter((m) => isAddressable(m.name)).map((m) => m.name);
  // Those of types the file writes: the others are in no shape anyway.
  const bound = context.unaddressableBound.filter((o) => context.entityTypes.has(o.parameters[0]?.type ?? "")).map((o) => o.qualifiedName);
  const lines = [
    ...(named.length > 0 ? [`//   entity sets, singletons and operation imports: ${listed(named)}`] : []),
    ...(byParameter.length > 0 ? [`//   operation imports with such a parameter: ${listed(byParameter)}`] : []),
    ...(bound.length > 0 ? [`//   bound operations so named or with such a parameter: ${listed(bound)}`] : []),
    ...(context.unaddressableProperties.size > 0 ? [`//   properties: ${listed(context.unaddressableProperties)}`] : []),
  ];
  if (lines.length === 0) return [];
  return ['// Left out: names OData cannot address (an OData name is letters, digits and "_", at most 128 characters, not starting with a digit):', ...lines];
}

/** The header: what generated the file, from what, and the document's SHA-256. */
function headerLines(model: ServiceModel, source: GenerateOptions["source"], reader: boolean): string[] {
  const name = source?.name ?? "a ServiceModel";
  const hash = createHash("sha256")
    .update(source === undefined ? JSON.stringify(model) : source.text)
    .digest("hex");
  return [
    `// Generated by traverse-odata generate from ${commentText(name)}`,
    `// sha256 of the ${source === undefined ? "model's JSON" : "metadata document"}: ${hash}`,
    "// Do not edit: generate again (traverse-odata generate ... --check tells whether this file is current).",
    ...(reader ? ["// Made for ODataReader (traverse-odata/read, generate --reader): the entity sets and singletons, to read."] : []),
    "",
  ];
}

// ---------------------------------------------------------------------------------------------
// Which container members and types are written.

interface Members {
  entitySets: EntityContainer["entitySets"];
  singletons: EntityContainer["singletons"];
  actionImports: EntityContainer["actionImports"];
  functionImports: EntityContainer["functionImports"];
}

function selectMembers(container: EntityContainer | undefined, only: readonly string[] | undefined): Members {
  const all: Members = {
    entitySets: container?.entitySets ?? [],
    singletons: container?.singletons ?? [],
    actionImports: container?.actionImports ?? [],
    functionImports: container?.functionImports ?? [],
  };
  if (only === undefined) return all;
  if (!Array.isArray(only) || only.some((name) => typeof name !== "string")) {
    throw new TypeError('generate: option "only" must be an array of entity set, singleton or operation import names');
  }
  const wanted = new Set(only);
  const known = new Set([...all.entitySets, ...all.singletons, ...all.actionImports, ...all.functionImports].map((member) => member.name));
  const unknown = [...wanted].filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new RangeError(`generate: option "only" names ${unknown.map((name) => JSON.stringify(name)).join(", ")}, which the service's container${container ? ` ${container.name}` : ""} does not have`);
  }
  return {
    entitySets: all.entitySets.filter((set) => wanted.has(set.name)),
    singletons: all.singletons.filter((singleton) => wanted.has(singleton.name)),
    actionImports: all.actionImports.filter((item) => wanted.has(item.name)),
    functionImports: all.functionImports.filter((item) => wanted.has(item.name)),
  };
}

/** The unbound operations an action or function import calls (the overloads of a v4 function). */
function importOverloads(model: ServiceModel, item: Members["actionImports"][number] | Members["functionImports"][number]): Operation[] {
  return ("action" in item ? model.actions(item.action) : model.functions(item.function)).filter((o) => !o.bound);
}

/** The bound operations by binding type; those whose names the client refuses go to `unaddressable` instead. */
function indexBoundOperations(model: ServiceModel, unaddressable: Operation[]): Context["bound"] {
  const index: Context["bound"] = new Map();
  for (const schema of model.schemas) {
    for (const operation of [...schema.actions, ...schema.functions]) {
      const binding = operation.bound ? operation.parameters[0] : undefined;
      if (!binding) continue;
      // The binding parameter's name is never sent.
      if (!isQualifiedName(operation.qualifiedName) || operation.parameters.slice(1).some((p) => !isAddressable(p.name))) {
        unaddressable.push(operation);
        continue;
      }
      let entry = index.get(binding.type);
      if (!entry) index.set(binding.type, (entry = { single: [], collection: [] }));
      (binding.collection ? entry.collection : entry.single).push(operation);
    }
  }
  return index;
}

/** The types the members reach (see {@link GenerateOptions.only}); with `everything`, all of them. */
function keepTypes(context: Context, members: Members, everything: boolean): void {
  const { model } = context;
  const pending: string[] = [];
  const reach = (qualifiedName: string) => pending.push(qualifiedName);
  if (everything) {
    for (const schema of model.schemas) {
      for (const type of [...schema.entityTypes, ...schema.complexTypes, ...schema.enumTypes, ...schema.typeDefinitions]) reach(type.qualifiedName);
    }
  }
  for (const set of members.entitySets) reach(set.entityType);
  for (const singleton of members.singletons) reach(singleton.type);
  const operationTypes = (operations: readonly Operation[]) => {
    for (const operation of operations) {
      for (const parameter of operation.parameters) reach(parameter.type);
      if (operation.returnType) reach(operation.returnType.type);
    }
  };
  for (const item of [...members.actionImports, ...members.functionImports]) operationTypes(importOverloads(model, item));

  while (pending.length > 0) {
    const name = pending.pop() as string;
    if (context.entityTypes.has(name) || context.otherTypes.has(name)) continue;
    const entity = model.entityType(name);
    const complex = entity ? undefined : model.complexType(name);
    const other = entity || complex ? undefined : (model.enumType(name) ?? model.typeDefinition(name));
    if (entity) context.entityTypes.add(name);
    else if (complex || other) context.otherTypes.add(name);
    else continue;
    const structured = entity ?? complex;
    if (!structured) continue;
    // Refuses a cycle or a base of the other kind before the properties are merged along it.
    const chain = lineage(model, structured);
    if (structured.baseType !== undefined) reach(structured.baseType);
    for (const property of model.propertiesOf(structured)) if (isAddressable(property.name)) reach(property.type);
    if (entity) {
      for (const type of chain) {
        const bound = context.bound.get(type.qualifiedName);
        if (bound) operationTypes([...bound.single, ...bound.collection]);
      }
    }
  }
}

/**
 * An entity or complex type and its base types, itself first, up to a base type the model does
 * not declare. Refused, naming the chain: base types that form a cycle, and a base type of the
 * other kind (CSDL §6.1.1 and §9.1.1: an entity type's base type is an entity type, a complex
 * type's a complex type). The model's `propertiesOf` follows either silently, and the interface
 * would merge what it found.
 */
function lineage(model: ServiceModel, type: EntityType | ComplexType): Array<EntityType | ComplexType> {
  const chain: Array<EntityType | ComplexType> = [];
  const seen = new Set<EntityType | ComplexType>();
  const named = (last: EntityType | ComplexType) => [...chain, last].map((each) => each.qualifiedName).join(" -> ");
  for (let current: EntityType | ComplexType | undefined = type; current; ) {
    if (seen.has(current)) throw new RangeError(`generate: the base types of ${type.qualifiedName} form a cycle: ${named(current)}`);
    if (current.kind !== type.kind) {
      const which = type.kind === "EntityType" ? `entity type ${type.qualifiedName} has a complex type` : `complex type ${type.qualifiedName} has an entity type`;
      throw new RangeError(`generate: the ${which} among its base types: ${named(current)}`);
    }
    chain.push(current);
    seen.add(current);
    const base: string | undefined = current.baseType;
    current = base === undefined ? undefined : (model.entityType(base) ?? model.complexType(base));
  }
  return chain;
}

// ---------------------------------------------------------------------------------------------
// Declarations.

/**
 * The TypeScript type of a type reference: element type, `[]` for a collection, `| null` when
 * nullable (for a collection, on its items).
 */
function typeText(context: Context, reference: Pick<TypeReference, "type" | "collection" | "nullable" | "scale">): string | undefined {
  const element = elementType(context, reference.type, reference.scale);
  if (element === undefined) return undefined;
  // A collection of entities never holds null: CSDL gives its Nullable no meaning (§12.8).
  return referenceText(element, reference, reference.collection && reference.nullable && !context.model.entityType(reference.type));
}

/**
 * `element` as the type of a reference: an array of it for a collection, with `| null` where
 * nullable. CSDL XML §7.2.1: a collection is never null; its Nullable (true by default in EDMX)
 * says whether its items may be (`itemsNullable`, where the type tells otherwise), and the reader
 * gives them as sent.
 */
function referenceText(element: string, reference: Pick<TypeReference, "collection" | "nullable">, itemsNullable = reference.nullable): string {
  if (reference.collection) {
    const item = itemsNullable && element !== "unknown" ? `${element} | null` : element;
    return `${/[ |&]/.test(item) ? `(${item})` : item}[]`;
  }
  return reference.nullable && element !== "unknown" ? `${element} | null` : element;
}

/** The TypeScript type of one element type; `undefined` for a stream. `scale`: an `Edm.Decimal`'s Scale facet. */
function elementType(context: Context, type: string, scale?: TypeReference["scale"]): string | undefined {
  const primitive = mapPrimitive(type, context.mapping, scale);
  if (primitive?.kind === "ts") return primitive.text;
  if (primitive?.kind === "stream") return undefined;
  if (primitive?.kind === "geo") return geoName(context, primitive.geo);
  if (context.entityTypes.has(type) || context.otherTypes.has(type)) {
    const name = context.names.of(type);
    if (name !== undefined) return name;
  }
  // An entity or complex type left out by `only` is an object. A type the model does not declare
  // (one of a referenced document) may as well be an enumeration or a primitive's type definition.
  return context.model.entityType(type) || context.model.complexType(type) ? "Record<string, unknown>" : "unknown";
}

/** The TypeScript type of an entity type: an object, even one the model does not declare. */
function entityText(context: Context, type: string): string {
  const text = elementType(context, type) as string;
  return text === "unknown" ? "Record<string, unknown>" : text;
}

function geoName(context: Context, kind: GeoKind): string {
  if (!context.geo) {
    const names: Partial<Record<GeoKind | "Position", string>> = {};
    names.Position = context.names.claim("GeoJSONPosition");
    for (const each of GEO_KINDS) names[each] = context.names.claim(each === "Collection" ? "GeoJSONGeometryCollection" : `GeoJSON${each}`);
    names[""] = context.names.claim("GeoJSONGeometry");
    context.geo = names as Record<GeoKind | "Position", string>;
  }
  return context.geo[kind];
}

function propertyLines(context: Context, owner: string, properties: readonly Property[], navigation: readonly NavigationProperty[]): string[] {
  // Invalid CSDL, but seen: a derived type that declares a base type's property again, or a
  // navigation property named like a property. One member each, or the interface would not compile.
  const names = new Set<string>();
  for (const { name } of [...properties, ...navigation]) {
    if (names.has(name)) throw new RangeError(`generate: the type ${owner} has two members named ${JSON.stringify(name)} (with its base types, properties and navigation properties together)`);
    names.add(name);
  }
  const lines: string[] = [];
  for (const { name } of [...properties, ...navigation]) if (!isAddressable(name)) context.unaddressableProperties.add(`${owner}/${name}`);
  for (const property of properties) {
    if (!isAddressable(property.name)) continue;
    const type = typeText(context, property);
    if (type === undefined) continue; // a stream property: read with media()
    lines.push(`  ${propertyName(property.name)}: ${type};`);
  }
  for (const nav of navigation) {
    if (!isAddressable(nav.name)) continue;
    const target = entityText(context, nav.type);
    // Present only when expanded.
    lines.push(`  ${propertyName(nav.name)}?: ${nav.collection ? `${target}[]` : nav.nullable ? `${target} | null` : target};`);
  }
  return lines;
}

/**
 * The index signature of an open type (`OpenType="true"`, on the type or a base type), whose
 * instances may hold properties the metadata does not declare: the service sends them, and
 * `select()` and filters may name them. Typed `unknown`, as nothing says what they hold.
 */
function dynamicPropertyLines(model: ServiceModel, type: EntityType | ComplexType): string[] {
  if (!lineage(model, type).some((each) => each.openType)) return [];
  return ["  /** A dynamic property: the type is open, so the service may send properties its metadata does not declare. */", "  [property: string]: unknown;"];
}

/** The members of an {@link Entity} shape besides `literals`, in the order they are written. */
const SHAPE_MEMBERS = ["key", "navigation", "alternateKeys", "actions", "functions", "collectionActions", "collectionFunctions"] as const;

/** What the shape of one type's interface names: its members' texts, and the `literals` by property name. */
interface ShapeParts {
  members: Map<(typeof SHAPE_MEMBERS)[number], string>;
  literals: Map<string, string>;
}

/**
 * The shape of an entity or complex type as the type alone gives it: for an entity type its key,
 * navigation properties, literals, alternate keys and bound operations (its base types' too); for
 * a complex type its literals. Made once per type (see {@link writtenShape}, which reads those of
 * derived types as well).
 */
function ownShape(context: Context, type: EntityType | ComplexType): ShapeParts {
  const cached = context.shapes.get(type.qualifiedName);
  if (cached) return cached;
  const { model } = context;
  const members: ShapeParts["members"] = new Map();
  const properties = model.propertiesOf(type);
  const literals = new Map(literalMembers(context, properties));
  const shape: ShapeParts = { members, literals };
  context.shapes.set(type.qualifiedName, shape);
  if (type.kind === "ComplexType") return shape;
  const key = model.keyOf(type);
  if (key.length > 0) members.set("key", union(key.map((k) => JSON.stringify(k.name))));
  // `never` when there are none: a shape without the member would let the queries take complex
  // properties for navigation.
  members.set("navigation", union(model.navigationPropertiesOf(type).filter((n) => isAddressable(n.name)).map((n) => JSON.stringify(n.name))));
  // A key name that is no member of the interface (an alias of a property in a complex property,
  // `AddrId` for `Addr/Id`, or a name left out) would take any literal value in key(): named here
  // with its type in the <Type>Key, key() takes what that takes.
  for (const k of key) {
    if (isAddressable(k.name) && properties.some((p) => p.name === k.name)) continue;
    literals.set(k.name, keyMemberType(context, type, k.path));
  }
  const alternates = alternateKeysOf(model, type).map((parts) => keyRecordText(context, type, parts));
  if (alternates.length > 0) members.set("alternateKeys", union(alternates));
  const single: Operation[] = [];
  const collection: Operation[] = [];
  for (const each of lineage(model, type)) {
    const bound = context.bound.get(each.qualifiedName);
    if (bound) {
      single.push(...bound.single);
      collection.push(...bound.collection);
    }
  }
  const byKind = (operations: Operation[], kind: Operation["kind"]) => operations.filter((o) => o.kind === kind).sort((a, b) => compare(a.qualifiedName, b.qualifiedName));
  for (const [member, operations] of [
    ["actions", byKind(single, "Action")],
    ["functions", byKind(single, "Function")],
    ["collectionActions", byKind(collection, "Action")],
    ["collectionFunctions", byKind(collection, "Function")],
  ] as const) {
    if (operations.length === 0) continue;
    const items = operations.map((o) => {
      // The overloads of the name, this one among them: by binding type (this type's and its base
      // types') and, for functions, by parameter names.
      const overloads = operations.filter((each) => each.qualifiedName === o.qualifiedName);
      const parameters = overloadParameters(context, o.kind, overloads.map((each) => each.parameters.slice(1)), o.kind === "Function")[overloads.indexOf(o)];
      return `{ name: ${JSON.stringify(o.qualifiedName)}; parameters: ${parameters}; result: ${resultText(context, o)} }`;
    });
    members.set(member, items.map((item) => `\n    | ${item}`).join(""));
  }
  return shape;
}

/**
 * The shape a type's interface is written with: its own ({@link ownShape}), widened so that the
 * interface of every type derived from it (of those written) stays assignable to it. `Entity`
 * holds the shape as a function's parameter, so a derived interface is assignable to its base's
 * where the base's shape is assignable to the derived one's: each member the derived shape has,
 * the base's must have too. So the base's `literals` also name the literals of its derived types'
 * properties (`Manager`'s `Budget` in `Employee`'s; where two derived types type one name apart,
 * the intersection of both), which no path of the base type reaches; and a member only derived
 * shapes have (a key below an abstract base without one, alternate keys, bound operations) is
 * `never` in the base's, which the queries read as they read a missing member: nothing named.
 * On an open type, a name only derived types declare is `any` in the base's `literals` (below).
 */
function writtenShape(context: Context, type: EntityType | ComplexType): ShapeParts {
  const own = ownShape(context, type);
  // A complex type's interface without literals extends nothing, and any shape is assignable to it.
  if (type.kind === "ComplexType" && own.literals.size === 0) return own;
  const written = type.kind === "EntityType" ? context.entityTypes : context.otherTypes;
  const derived = derivedTypes(context, type)
    .filter((each) => written.has(each.qualifiedName))
    .map((each) => ownShape(context, each));
  if (derived.length === 0) return own;
  const types = new Map<string, Set<string>>();
  for (const shape of [own, ...derived]) {
    for (const [name, text] of shape.literals) {
      let set = types.get(name);
      if (!set) types.set(name, (set = new Set()));
      set.add(text);
    }
  }
  // On an open type a name only derived types declare is a dynamic property of the type itself,
  // which holds any value: typed by a derived type's literal, a filter of the base set comparing it
  // with a string would not compile. `any` reads as any literal value where a filter or key() reads
  // the shape, and stays assignable to each derived type's literal, as the derived shapes need.
  const open = lineage(context.model, type).some((each) => each.openType);
  const literals = new Map(
    [...types].map(([name, set]) => [name, open && !own.literals.has(name) ? "any" : set.size === 1 ? [...set].join("") : [...set].map((text) => `(${text})`).join(" & ")]),
  );
  const members: ShapeParts["members"] = new Map();
  for (const member of SHAPE_MEMBERS) {
    const text = own.members.get(member) ?? (derived.some((shape) => shape.members.has(member)) ? "never" : undefined);
    if (text !== undefined) members.set(member, text);
  }
  return { members, literals };
}

/** The `Entity<{ ... }>` an interface extends for `shape`; `undefined` for a complex type's shape without literals. */
function shapeText(shape: ShapeParts): string | undefined {
  const member = (name: (typeof SHAPE_MEMBERS)[number]) => {
    const text = shape.members.get(name);
    return text === undefined ? [] : [`${name}:${text.startsWith("\n") ? "" : " "}${text}`];
  };
  const literals = [...shape.literals].map(([name, text]) => `${propertyName(name)}: ${text}`);
  const items = [
    ...member("key"),
    ...member("navigation"),
    ...(literals.length > 0 ? [`literals: { ${literals.join("; ")} }`] : []),
    ...SHAPE_MEMBERS.slice(2).flatMap(member),
  ];
  if (items.length === 0) return undefined;
  // Key and navigation fit on the line; literals, alternate keys and bound operations put each member on a line.
  const oneLine = literals.length === 0 && [...shape.members].every(([name, text]) => name === "key" || name === "navigation" || text === "never");
  return oneLine ? `Entity<{ ${items.join("; ")} }>` : `Entity<{\n${items.map((item) => `  ${item};\n`).join("")}}>`;
}

function entityInterface(context: Context, type: EntityType): string {
  const { model } = context;
  const name = context.names.of(type.qualifiedName) as string;
  context.entityShape = true;
  const extendsText = shapeText(writtenShape(context, type)) as string;
  // A key property is never null (CSDL §6.5, "Key"), though some documents leave out its
  // Nullable="false" (Dataverse's `accountid`), which EDMX would read as nullable: typed
  // `| null`, a key read from an entity could not be given to key() without a cast.
  const key = new Set(model.keyOf(type).map((k) => k.path));
  const properties = model.propertiesOf(type).map((p) => (p.nullable && !p.collection && key.has(p.name) ? { ...p, nullable: false } : p));
  const body = [...propertyLines(context, type.qualifiedName, properties, model.navigationPropertiesOf(type)), ...dynamicPropertyLines(model, type)];
  return `/** Entity type ${commentText(type.qualifiedName)}. */\nexport interface ${name} extends ${extendsText} {\n${body.join("\n")}${body.length > 0 ? "\n" : ""}}`;
}

function complexInterface(context: Context, type: ComplexType): string {
  const name = context.names.of(type.qualifiedName) as string;
  const properties = context.model.propertiesOf(type);
  // A filter path into a complex property (`Address/Lat`) compares with the literal of the
  // property it ends at, which the complex type's own shape names: without it a GUID or a v2
  // Double given as text would be written quoted. The shape has `literals` alone, so a complex
  // type without them is typed as before.
  const shape = shapeText(writtenShape(context, type));
  if (shape !== undefined) context.entityShape = true;
  const extendsText = shape === undefined ? "" : ` extends ${shape}`;
  const body = [...propertyLines(context, type.qualifiedName, properties, context.model.navigationPropertiesOf(type)), ...dynamicPropertyLines(context.model, type)];
  return `/** Complex type ${commentText(type.qualifiedName)}. */\nexport interface ${name}${extendsText} {\n${body.join("\n")}${body.length > 0 ? "\n" : ""}}`;
}

function enumDeclaration(context: Context, type: EnumType): string {
  const name = context.names.of(type.qualifiedName) as string;
  const members = type.members.map((m) => JSON.stringify(m.name));
  if (members.length === 0) return `/** Enumeration type ${commentText(type.qualifiedName)} (no members). */\nexport type ${name} = string;`;
  const names = union(members);
  // The reader gives a flags value as its member names, comma-separated: "Read,Write".
  const text = type.isFlags ? `${names} | \`\${${names}},\${string}\`` : names;
  return `/** Enumeration type ${commentText(type.qualifiedName)}${type.isFlags ? " (flags: member names joined by commas)" : ""}. */\nexport type ${name} = ${text};`;
}

function typeDefinitionDeclaration(context: Context, type: TypeDefinition): string {
  const name = context.names.of(type.qualifiedName) as string;
  return `/** Type definition ${commentText(type.qualifiedName)} (${commentText(type.underlyingType)}). */\nexport type ${name} = ${elementType(context, type.underlyingType, type.scale) ?? "unknown"};`;
}

function keyDeclaration(context: Context, qualifiedName: string, keyName: string): string {
  const type = context.model.entityType(qualifiedName) as EntityType;
  const key = context.model.keyOf(type);
  const text = key.length === 0 ? "never" : key.length === 1 ? keyMemberType(context, type, (key[0] as KeyRef).path) : keyRecordText(context, type, key);
  // The alternate keys as the shape names them, which key() takes too.
  const alternates = key.length === 0 ? [] : alternateKeysOf(context.model, type).map((parts) => keyRecordText(context, type, parts));
  const which = alternates.length > 0 ? ", or one of its alternate keys" : "";
  return `/** The key of ${commentText(qualifiedName)}${which}, as \`key()\` takes it. */\nexport type ${keyName} = ${union([text, ...alternates])};`;
}

/** A key of several parts (or an alternate key) as an object type: `{ A: number; B: string }`. */
function keyRecordText(context: Context, type: EntityType, parts: readonly KeyRef[]): string {
  return `{ ${parts.map((k) => `${propertyName(k.name)}: ${keyMemberType(context, type, k.path)}`).join("; ")} }`;
}

/**
 * The alternate keys of an entity type (metadata/alternate-keys.ts), declared on the type or a base
 * type. Left out: a key with a part the client cannot name in a predicate (a path of several
 * segments without an alias) or whose path reaches no property, which no call could use. One
 * declared on an entity set belongs to that set, not to every set of the type, and so to no
 * generated type.
 */
function alternateKeysOf(model: ServiceModel, type: EntityType): KeyRef[][] {
  return alternateKeysOn(model, lineage(model, type)).filter((key) => key.every((k) => isAddressable(k.name) && propertyAt(model, type, k.path) !== undefined));
}

/** The property at `path` (segments through complex properties) of an entity type, if there is one. */
function propertyAt(model: ServiceModel, type: EntityType, path: string): Property | undefined {
  let structured: EntityType | ComplexType | undefined = type;
  let found: Property | undefined;
  for (const segment of path.split("/")) {
    if (structured === undefined) return undefined;
    found = model.propertiesOf(structured).find((p) => p.name === segment);
    if (found === undefined) return undefined;
    structured = model.complexType(found.type);
  }
  return found;
}

/** The type of the key property at `path` of an entity type in its `<Type>Key`. */
function keyMemberType(context: Context, type: EntityType, path: string): string {
  const { model } = context;
  // A key property may sit in a complex property (`Address/Zip`, v4 only).
  let properties = model.propertiesOf(type);
  const segments = path.split("/");
  for (const [index, segment] of segments.entries()) {
    const property = properties.find((p) => p.name === segment);
    if (!property) return "string | number";
    if (index === segments.length - 1) return keyValueType(context, property.type) ?? elementType(context, property.type) ?? "string";
    const complex = model.complexType(property.type);
    if (!complex) return "string | number";
    properties = model.propertiesOf(complex);
  }
  return "string | number";
}

/**
 * Whether a call of an operation of `kind` may leave the parameter out, which its type then says
 * with `?`. One annotated `Core.OptionalParameter` may. So may a nullable parameter of a v4 action,
 * whose value is null when the body leaves it out (OData JSON Format 4.0 §17, 4.01 Part 1
 * §11.5.4.1), and of a v2 service operation, whose nullable parameters the URL may leave out
 * (MS-ODATA 2.2.3.6.3). Not of a v4 function: the service picks the overload by the parameter
 * names a call gives (CSDL 4.01 §12.2), so only `Core.OptionalParameter` says one may be missing.
 * A collection's `Nullable` speaks of its items, never of the collection.
 */
function mayLeaveOut(context: Context, kind: Operation["kind"], parameter: Parameter): boolean {
  if (Object.hasOwn(parameter.annotations, "Org.OData.Core.V1.OptionalParameter")) return true;
  return parameter.nullable && !parameter.collection && (kind === "Action" || context.mapping.v2);
}

/**
 * An object type of the parameters of an operation of `kind`: `{ quantity?: number | null }`,
 * those a call may leave out ({@link mayLeaveOut}) with `?`.
 * `inUrl`: the parameters of a bound function, which go into its URL as literals through the
 * generic `function()` (no generated wrapper converts them, as {@link operationLiterals} does for
 * function imports). A plain string there is written as a quoted string, which is not the literal
 * of a GUID, a date, an enumeration member, a binary value or a 64-bit integer given as text: such
 * parameters take the `edm.*` value (and, in v4, Int64 and Decimal a number too).
 * `others`: names of other overloads' parameters, each a member `?: never` (see {@link overloadParameters}).
 */
function parametersText(context: Context, kind: Operation["kind"], parameters: readonly Parameter[], inUrl = false, others: readonly string[] = []): string {
  // Not `{}`, which would accept any value.
  if (parameters.length === 0 && others.length === 0) return "Record<string, never>";
  const items = parameters.map((p) => {
    const optional = mayLeaveOut(context, kind, p) ? "?" : "";
    return `${propertyName(p.name)}${optional}: ${(inUrl ? urlParameterType(context, p) : undefined) ?? entityInputText(context, p) ?? complexInputText(context, p) ?? typeText(context, p) ?? "unknown"}`;
  });
  return `{ ${[...items, ...others.map((name) => `${propertyName(name)}?: never`)].join("; ")} }`;
}

/**
 * The parameter types of the overloads of one operation, in their order (see {@link parametersText}).
 * Overloads differ in their parameter names (CSDL 4.01 §12.2), and the service picks the one whose
 * names a call gives: an object with one overload's parameters and another's matches none, yet a
 * plain union of the overloads' types accepts it. So each type names the parameters only other
 * overloads have, as `?: never`. Not a member of TypeScript's `Object` (`valueOf`): an object
 * literal has that member, which `never` would refuse. The other names Object.prototype has
 * (`__proto__`, `__defineGetter__`) are no members of a literal's type, and are named: without
 * them, the union would have a member its overloads' types do not all declare, which the factory
 * reading it would not compile.
 */
function overloadParameters(context: Context, kind: Operation["kind"], overloads: ReadonlyArray<readonly Parameter[]>, inUrl = false): string[] {
  const names = [...new Set(overloads.flatMap((parameters) => parameters.map((p) => p.name)))];
  return overloads.map((parameters) => {
    const others = names.filter((name) => !parameters.some((p) => p.name === name) && !OBJECT_MEMBERS.has(name));
    return parametersText(context, kind, parameters, inUrl, others);
  });
}

/**
 * Past this many entity types derived from a parameter's entity type, {@link entityInputText}
 * types it as the base type's input open to any other property, rather than the union of the
 * inputs: Dataverse derives hundreds of types from `crmbaseentity`, and a union of that many
 * mapped types would make each call that names one slow to check.
 */
const MAX_DERIVED_INPUTS = 32;

/**
 * The type of an operation parameter (bound or imported, action or function) of an entity type:
 * what a write takes for that type (`EntityInput<account>`, or its `<Type>Input`, see
 * {@link entityValueText}), not its interface. The interface takes the interfaces of derived types
 * (see {@link writtenShape}), but no object literal with `@odata.type` or a derived type's
 * properties, and no row of a `select()`; an input takes those as well as any value of the type or
 * a derived one.
 * Where the model derives types from it (or it is abstract), the parameter takes the input of
 * each; past {@link MAX_DERIVED_INPUTS} of them, or where some are not written (`only`) or none is
 * known of an abstract type, the type's input with any other property. A collection is an array
 * of the same, a nullable parameter may be null. `undefined` for a parameter of another type, and
 * in a reader's file, whose entry point has no `EntityInput` and which calls no operations.
 * `parameter` may be a navigation property of a complex type a parameter holds (see {@link complexValueText}).
 */
function entityInputText(context: Context, parameter: Pick<TypeReference, "type" | "collection" | "nullable">): string | undefined {
  const entity = inputEntityType(context, parameter.type);
  if (entity === undefined) return undefined;
  context.entityInput = true;
  const derived = derivedTypes(context, entity);
  const written = derived.filter((each) => context.entityTypes.has(each.qualifiedName));
  // An interface without members makes an input that a string or a number matches too.
  const input = (type: EntityType) => `${entityValueText(context, type)}${hasMembers(context, type) ? "" : " & object"}`;
  let element: string;
  if (derived.length === 0 && !entity.abstract) element = input(entity);
  else if (written.length < derived.length || derived.length > MAX_DERIVED_INPUTS || derived.length === 0) {
    // `any`, not `unknown`: an interface value (an entity read earlier) has no index signature,
    // which only `any` lets it match.
    element = `${input(entity)} & { readonly [property: string]: any }`;
  } else element = union([entity, ...written].map(input));
  // As in {@link typeText}: a collection of entities holds no null.
  return referenceText(element, parameter, false);
}

/**
 * What an entity input takes for a value of `type`: for an entity type `EntityInput<T>`, for a
 * complex type (a property of an entity input) `EntityInputValue<T>`; both type each complex
 * property by its declared type alone, so that a value of a derived complex type (its
 * `@odata.type` and its own properties) is refused. Where a complex property's type has derived
 * types, or holds one at any depth (see {@link holdsDerived}), that property takes what a complex
 * parameter of its type takes ({@link complexElementText}), each type as this takes it: the input
 * is then a type of its own, declared once after the type's interface, `<Type>Input` for an entity
 * type and `<Type>InputValue` for a complex type.
 */
function entityValueText(context: Context, type: EntityType | ComplexType): string {
  const { model } = context;
  const name = context.names.of(type.qualifiedName) as string;
  const entity = type.kind === "EntityType";
  const replaced: Array<{ property: Property; type: ComplexType }> = [];
  for (const property of model.propertiesOf(type)) {
    const held = isAddressable(property.name) ? model.complexType(property.type) : undefined;
    if (held !== undefined && context.otherTypes.has(held.qualifiedName) && (derivedTypes(context, held).length > 0 || holdsDerived(context, held.qualifiedName))) replaced.push({ property, type: held });
  }
  if (replaced.length === 0) {
    if (entity) context.entityInput = true;
    else context.entityInputValue = true;
    return entity ? `EntityInput<${name}>` : `EntityInputValue<${name}>`;
  }
  const known = context.entityInputs.get(type.qualifiedName);
  if (known !== undefined) return known.name;
  context.entityInput = true;
  // Named before its members are written, so that a member of the type itself names it.
  const input = { name: context.names.claim(`${name}${entity ? "Input" : "InputValue"}`), declaration: "" };
  context.entityInputs.set(type.qualifiedName, input);
  // Optional, as each member of an EntityInput is.
  const members = replaced.map(({ property, type: held }) => `${propertyName(property.name)}?: ${referenceText(complexElementText(context, held, true), property)}`);
  const keys = union(replaced.map(({ property }) => JSON.stringify(property.name)));
  // A key remapping, as in {@link complexValueText}.
  input.declaration =
    `/** ${entity ? "Entity" : "Complex"} type ${commentText(type.qualifiedName)} as ${entity ? "an operation parameter" : "a property of an entity input"} takes it: a complex property's value may be of a type derived from the property's. */\n` +
    `export type ${input.name} = EntityInput<{ [K in keyof ${name} as K extends ${keys} ? never : K]: ${name}[K] }> & { ${members.join("; ")} };`;
  return input.name;
}

/**
 * The type of an operation parameter of a complex type: what {@link complexElementText} gives for
 * the type, an array of it for a collection, `| null` where nullable. `undefined` for parameters
 * of other types, and where the type's interface is what the parameter takes.
 */
function complexInputText(context: Context, parameter: Parameter): string | undefined {
  const complex = context.model.complexType(parameter.type);
  if (complex === undefined || !context.otherTypes.has(complex.qualifiedName)) return undefined;
  const element = complexElementText(context, complex);
  if (element === context.names.of(complex.qualifiedName)) return undefined;
  // As {@link typeText}: a collection's Nullable speaks of its items.
  return referenceText(element, parameter);
}

/**
 * What an operation parameter takes for a value of the complex type `complex` (one value: no array,
 * no null), as the parameter or as a complex property inside one, at any depth: where the model
 * derives others from it (of those written), a value of the type or of a derived one, which then
 * carries the `@odata.type` that tells the service which (OData JSON Format: a value of a type
 * derived from the declared one names its type). The interface alone refuses an object literal of
 * a derived type, whose properties it does not declare, and the annotation; a union of the
 * interfaces with any annotation would let one literal mix the properties of two derived types,
 * and type a property two types declare by either. So each member is one type with its own
 * `@odata.type`: required of a derived type (the union picks the member by it, and checks the
 * literal against that one), left out or the type's own of the declared type, whose member refuses
 * the properties only derived types have (`?: never`). An open type takes any other property, so
 * its member does not refuse them. Past {@link MAX_DERIVED_INPUTS} derived types, or where some are
 * not written (`only`), the declared type with any annotation and property, as
 * {@link entityInputText} does. A type without members (an abstract base) is an object still: its
 * interface would take a string or a number.
 * Each type stands as {@link complexValueText} writes it, so that an entity or a derived complex
 * value it holds is taken too; `inEntity` (a complex property of an entity input), as
 * {@link entityValueText} writes it, as an entity input's properties take their values (all
 * members optional, a `Date` for a date).
 */
function complexElementText(context: Context, complex: ComplexType, inEntity = false): string {
  const { model } = context;
  const derived = derivedTypes(context, complex);
  const written = derived.filter((each) => context.otherTypes.has(each.qualifiedName));
  const value = (type: ComplexType) => (inEntity ? entityValueText(context, type) : complexValueText(context, type));
  const object = hasMembers(context, complex) ? "" : " & object";
  if (derived.length === 0) return `${value(complex)}${object}`;
  if (written.length < derived.length || derived.length > MAX_DERIVED_INPUTS) {
    // `any`, not `unknown`: as in entityInputText, an interface value has no index signature.
    return `${value(complex)}${object} & { readonly "@odata.type"?: string; readonly [property: string]: any }`;
  }
  const annotation = (type: ComplexType, optional: string) => `readonly "@odata.type"${optional}: ${JSON.stringify(`#${type.qualifiedName}`)}`;
  const own = new Set(memberNames(model, complex));
  const refused = lineage(model, complex).some((each) => each.openType)
    ? []
    : [...new Set(written.flatMap((each) => memberNames(model, each)))].filter((each) => !own.has(each) && !OBJECT_MEMBERS.has(each));
  // The refused names as one mapped type: each a member `?: never`, written shorter for a wide hierarchy.
  const base = `${value(complex)}${object} & { ${annotation(complex, "?")} }${refused.length > 0 ? ` & { readonly [K in ${union(refused.map((each) => JSON.stringify(each)))}]?: never }` : ""}`;
  return [`(${base})`, ...written.map((each) => `(${value(each)} & { ${annotation(each, "")} })`)].join(" | ");
}

/** The entity type of `type` where an operation parameter of it takes an `EntityInput` (see {@link entityInputText}), else `undefined`. */
function inputEntityType(context: Context, type: string): EntityType | undefined {
  const entity = context.model.entityType(type);
  return context.reader || entity === undefined || !context.entityTypes.has(entity.qualifiedName) ? undefined : entity;
}

/**
 * What an operation parameter takes for a value of the complex type `complex`: its interface,
 * except that a navigation property (a complex type may declare one, CSDL 4.01 §8) takes what an
 * entity parameter takes ({@link entityInputText}), and a complex property whose type has derived
 * types, or holds one or a navigation property at any depth, takes what a complex parameter of its
 * type takes ({@link complexElementText}). The interface types such a member with the declared
 * type's read interface, which no literal naming a derived type (`@odata.type`, its key or its
 * own properties) matches: Dataverse's `GrantAccess` takes `PrincipalAccess: { AccessMask,
 * Principal: { "@odata.type": "#Microsoft.Dynamics.CRM.systemuser", systemuserid } }`. The
 * interface itself stays the read shape; the input is a type of its own, `<Type>Input`, declared
 * once and named wherever the type stands: written out at each use, a type held twice on each of
 * n levels would be 2^n copies. A recursive type's input names itself.
 */
function complexValueText(context: Context, complex: ComplexType): string {
  const name = context.names.of(complex.qualifiedName) as string;
  if (!holdsEntity(context, complex.qualifiedName) && !holdsDerived(context, complex.qualifiedName)) return name;
  const known = context.inputs.get(complex.qualifiedName);
  if (known !== undefined) return known.name;
  // Named before its members are written, so that a member of the type itself names it.
  const input = { name: context.names.claim(`${name}Input`), declaration: "" };
  context.inputs.set(complex.qualifiedName, input);
  const { model } = context;
  const replaced: string[] = [];
  const members: string[] = [];
  for (const property of model.propertiesOf(complex)) {
    const type = isAddressable(property.name) ? model.complexType(property.type) : undefined;
    if (type === undefined || !context.otherTypes.has(type.qualifiedName)) continue;
    if (derivedTypes(context, type).length === 0 && !holdsEntity(context, type.qualifiedName) && !holdsDerived(context, type.qualifiedName)) continue;
    replaced.push(property.name);
    members.push(`${propertyName(property.name)}: ${referenceText(complexElementText(context, type), property)}`);
  }
  for (const nav of model.navigationPropertiesOf(complex)) {
    const entity = isAddressable(nav.name) ? entityInputText(context, nav) : undefined;
    if (entity === undefined) continue;
    replaced.push(nav.name);
    // Optional, as in the interface: present only when the caller gives it.
    members.push(`${propertyName(nav.name)}?: ${entity}`);
  }
  const keys = union(replaced.map((each) => JSON.stringify(each)));
  // Not `Omit`, which of an open type keeps the index signature alone (its keys are `string`), and
  // which a model's type of that name would stand for: a key remapping keeps the other members as declared.
  input.declaration =
    `/** Complex type ${commentText(complex.qualifiedName)} as an operation parameter takes it: an entity it holds, at any depth, as an entity parameter takes one, and a complex value of a derived type where one may stand. */\n` +
    `export type ${input.name} = { [K in keyof ${name} as K extends ${keys} ? never : K]: ${name}[K] } & { ${members.join("; ")} };`;
  return input.name;
}

/**
 * Whether the complex type `qualifiedName` (written) has a navigation property that takes an
 * entity input, or a complex property whose type does, at any depth (see {@link holders}).
 */
function holdsEntity(context: Context, qualifiedName: string): boolean {
  context.holders ??= holders(context);
  return context.holders.entity.has(qualifiedName);
}

/**
 * Whether the complex type `qualifiedName` (written) has a complex property whose type has derived
 * types (written or not), or a complex property whose type does, at any depth (see {@link holders}).
 */
function holdsDerived(context: Context, qualifiedName: string): boolean {
  context.holders ??= holders(context);
  return context.holders.derived.has(qualifiedName);
}

/**
 * The complex types (written) that hold an entity ({@link holdsEntity}) and those that hold a
 * complex type with derived types ({@link holdsDerived}). Found once for all types, from those with
 * such a member back through the types that hold them, so each type and property is looked at
 * once, cycles included.
 */
function holders(context: Context): { entity: Set<string>; derived: Set<string> } {
  const { model } = context;
  const heldBy = new Map<string, string[]>();
  const entity: string[] = [];
  const derived: string[] = [];
  for (const holder of context.otherTypes) {
    const type = model.complexType(holder);
    if (type === undefined) continue;
    for (const property of model.propertiesOf(type)) {
      const held = model.complexType(property.type);
      if (!isAddressable(property.name) || held === undefined || !context.otherTypes.has(held.qualifiedName)) continue;
      let list = heldBy.get(held.qualifiedName);
      if (!list) heldBy.set(held.qualifiedName, (list = []));
      list.push(holder);
      if (derivedTypes(context, held).length > 0) derived.push(holder);
    }
    if (model.navigationPropertiesOf(type).some((nav) => isAddressable(nav.name) && inputEntityType(context, nav.type) !== undefined)) entity.push(holder);
  }
  const closure = (pending: string[]) => {
    const found = new Set<string>();
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      if (found.has(next)) continue;
      found.add(next);
      pending.push(...(heldBy.get(next) ?? []));
    }
    return found;
  };
  return { entity: closure(entity), derived: closure(derived) };
}

/** The names of the members an interface of `type` has for its properties and navigation properties. */
function memberNames(model: ServiceModel, type: ComplexType): string[] {
  return [...model.propertiesOf(type), ...model.navigationPropertiesOf(type)].map((each) => each.name).filter(isAddressable);
}

/** Whether the interface of an entity or complex type has a member (a property, a navigation property, or the index signature of an open type). */
function hasMembers(context: Context, type: EntityType | ComplexType): boolean {
  const { model } = context;
  if (model.navigationPropertiesOf(type).some((n) => isAddressable(n.name))) return true;
  if (model.propertiesOf(type).some((p) => isAddressable(p.name) && p.type !== "Edm.Stream")) return true;
  return lineage(model, type).some((each) => each.openType);
}

/** The entity (or complex) types of the model derived from `type`, directly or through others, by qualified name. */
function derivedTypes<T extends EntityType | ComplexType>(context: Context, type: T): T[] {
  if (context.derived === undefined) {
    const { model } = context;
    const index = new Map<string, Array<EntityType | ComplexType>>();
    for (const schema of model.schemas) {
      for (const each of [...schema.entityTypes, ...schema.complexTypes]) {
        // Each base type once: a cycle of base types (refused where such a type is written) ends the walk.
        const seen = new Set<string>([each.qualifiedName]);
        for (let base = each.baseType; base !== undefined && !seen.has(base); base = (model.entityType(base) ?? model.complexType(base))?.baseType) {
          seen.add(base);
          let list = index.get(base);
          if (!list) index.set(base, (list = []));
          list.push(each);
        }
      }
    }
    for (const list of index.values()) list.sort((a, b) => compare(a.qualifiedName, b.qualifiedName));
    context.derived = index;
  }
  // A base of the other kind is refused where such a type is written (see {@link lineage}).
  return (context.derived.get(type.qualifiedName) ?? []).filter((each): each is T => each.kind === type.kind);
}

/** The members TypeScript's `Object` interface declares, which every object type has. */
const OBJECT_MEMBERS = new Set(["constructor", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable", "toLocaleString", "toString", "valueOf"]);

/** The type of a bound function's parameter that must be an `edm.*` value (see {@link parametersText}), else `undefined`. */
function urlParameterType(context: Context, parameter: Parameter): string | undefined {
  if (parameter.collection) return undefined;
  // Bound operations are OData v4's alone (a v1 to v3 document's are left out): a number is the
  // literal of an Int64 or Decimal in a v4 URL.
  const element = typedLiteralType(context, parameter.type, true);
  if (element === undefined) return undefined;
  return parameter.nullable ? `${element} | null` : element;
}

/**
 * The type of a key property in a `<Type>Key`: what `key()`, which has no model to convert with,
 * writes as the property's literal (see {@link typedLiteralType}); `undefined` where the type the
 * reader gives is written right. Numbers only where the entity interface types the property
 * `number`, as `key()` takes no other numbers for it. An enumeration takes its member names, as
 * its filter comparisons do (see {@link literalMembers}), or the `edm.enumMember` value.
 */
function keyValueType(context: Context, type: string): string | undefined {
  const text = typedLiteralType(context, type, !context.mapping.v2 && !context.mapping.ieee754Compatible);
  return text !== undefined && context.model.enumType(literalType(context, type)) ? `${elementType(context, type) as string} | ${text}` : text;
}

/**
 * The members of the `literals` of an entity's or a complex type's shape: `SolutionId: EdmValue`
 * for each property whose type the interface gives as a string while its URL literal is not a
 * quoted string (see {@link typedLiteralType}), typed as its `<Type>Key` member would be. `key()`
 * and the filter comparisons (of paths that end at it, `Address/Lat` too) then refuse a plain
 * string for it, which they would write quoted. A property typed `number` is left out: a number is
 * its literal. So are enumerations (their member names stay) and collections, which have no literal.
 */
function literalMembers(context: Context, properties: readonly Property[]): Array<[name: string, type: string]> {
  const members: Array<[name: string, type: string]> = [];
  for (const property of properties) {
    if (property.collection || !isAddressable(property.name)) continue;
    // A decimal of floating scale may be "INF" too: it takes the edm value as a Double does.
    if (elementType(context, literalType(context, property.type), literalScale(context, property.type, property.scale)) === "number") continue;
    // An enumeration keeps its member names: `'Paper'` is the literal OData 4.01 (and most 4.0
    // services) read, and `edm.enumMember` writes the 4.0 form where a service insists on it.
    if (context.model.enumType(literalType(context, property.type))) continue;
    const type = keyValueType(context, property.type);
    if (type !== undefined) members.push([property.name, type]);
  }
  return members;
}

/**
 * What a value of EDM type `type` must be where the library's generic methods (`key()`, a bound
 * function's `function()`) write it into a URL: they write a plain string as a quoted string, which
 * is not the literal of a GUID, a date, a time, a duration, a binary value, an enumeration member
 * (OData 4.0 wants `Type'Member'`), or an Int64 or Decimal; such values take the `edm.*` value, a
 * JS `Date` too for the type it is the literal of, and a number for an Int64 or Decimal where
 * `numbers` says it is written right; a Double or Single (typed `number | string` in v2, with
 * `"NaN" | "INF" | "-INF"` in v4), a number or the `edm.*` value. `undefined` for the other types
 * (strings of `Edm.String`, numbers of the 32-bit types, booleans...), whose values the reader's
 * type already writes right.
 */
function typedLiteralType(context: Context, declared: string, numbers: boolean): string | undefined {
  const type = literalType(context, declared);
  // A Double or Single the reader gives as text ("0.1" from SAP CAP or Gateway in v2, "INF" in
  // v4) would be written quoted, 'INF', which no service reads as a number: a number (Infinity
  // is written INF), or edm.double(text), is its literal.
  if (FLOATS.has(type)) {
    context.edmValue = true;
    return "number | EdmValue";
  }
  if (TYPED_LITERALS[type] === undefined && !context.model.enumType(type)) return undefined;
  context.edmValue = true;
  // A JS Date is written as a DateTimeOffset literal in v4 and a DateTime literal in v2.
  const dateType = context.mapping.v2 ? "Edm.DateTime" : "Edm.DateTimeOffset";
  if (type === "Edm.Int64" || type === "Edm.Decimal") return numbers ? "number | EdmValue" : "EdmValue";
  return type === dateType ? "Date | EdmValue" : "EdmValue";
}

/**
 * What a call resolves with: the unwrapped result, `undefined` for none. A nullable single result
 * may also be `undefined`: a service answers the null value with `204 No Content` (OData 4.01 Part
 * 1, 9.1.4; SAP CAP does), which a call, a poller and a `$batch` part give as `undefined`, as they
 * do an action's 204 (without `$metadata` the client cannot tell the two apart); only a body
 * that says null (`{"value": null}`, `{"@odata.null": true}`) gives `null`. A collection is never
 * null: a 204 there is not expected, and its type says the array.
 */
function resultText(context: Context, operation: Operation): string {
  const { returnType } = operation;
  if (!returnType) return "undefined";
  const text = typeText(context, returnType);
  if (text === undefined) return "unknown";
  return returnType.nullable && !returnType.collection ? `${text} | undefined` : text;
}

/** The type whose literal a value of `type` is written as: a type definition's underlying type, else `type`. */
function literalType(context: Context, type: string): string {
  return context.model.typeDefinition(type)?.underlyingType ?? type;
}

/** The Scale facet of a value of `type` declared with `scale`: a type definition's own where `type` is one, as {@link literalType} takes its underlying type. */
function literalScale(context: Context, type: string, scale?: TypeReference["scale"]): TypeReference["scale"] {
  return context.model.typeDefinition(type)?.scale ?? scale;
}

/**
 * The EDM types whose values a URL must write as typed literals, but which the generated types
 * give as strings (or, for Int64 and Decimal, strings or numbers): each by the expression that
 * turns the value (a JavaScript expression) into the `edm` value that writes its literal.
 * `operation` and `parameter` name the parameter in an error the expression throws.
 */
const TYPED_LITERALS: Readonly<Record<string, (value: string, operation: string, parameter: string) => string>> = {
  "Edm.Guid": (value) => `edm.guid(${value})`,
  "Edm.Date": (value) => `edm.date(${value})`,
  "Edm.DateTimeOffset": (value) => `edm.dateTimeOffset(${value})`,
  // The reader gives a v2 DateTime with a "Z" (it is UTC, as /Date(ms)/ is), which the literal
  // datetime'...' has no place for; any other offset is still refused by edm.dateTime.
  "Edm.DateTime": (value) => `edm.dateTime(${value}.replace(/Z$/, ""))`,
  "Edm.TimeOfDay": (value) => `edm.timeOfDay(${value})`,
  "Edm.Duration": (value) => `edm.duration(${value})`,
  "Edm.Time": (value) => `edm.duration(${value})`,
  "Edm.Int64": (value) => `edm.int64(${value})`,
  "Edm.Decimal": (value) => `edm.decimal(${value})`,
  // The text the reader gives (base64url in v4 JSON, base64 in v2), which edm.binary takes as bytes.
  "Edm.Binary": (value, operation, parameter) => `edm.binary(${BYTES_OF_BASE64}(${value}, ${JSON.stringify(operation)}, ${JSON.stringify(parameter)}))`,
};

/**
 * The factory's first lines: the client it is given must read the service as the types say. A v2
 * model on a v4 client (or the reverse) would read every answer in the other JSON form; a v4
 * model whose Int64 and Decimal are strings (`ieee754Compatible`) on a client that does not ask
 * for them so gets numbers, and the reverse. Either way the types would lie from the first read,
 * so the factory refuses, naming the option that disagrees.
 */
function clientCheckLines(context: Context, factoryName: string, client: "client" | "reader"): string[] {
  const refuse = (condition: string, message: string) => `  if (${condition}) throw new TypeError(${JSON.stringify(`${factoryName}(${client}): ${message}`)});`;
  if (context.mapping.v2) {
    return [refuse(`${client}.version !== "2.0"`, `the types were generated from OData 2.0 $metadata, but the ${client} speaks OData 4 (make it with version: "2.0")`)];
  }
  const strings = context.mapping.ieee754Compatible;
  const version = refuse(`${client}.version === "2.0"`, `the types were generated from OData 4 $metadata, but the ${client} speaks OData 2.0 (option "version")`);
  // A model without Int64 or Decimal values reads the same either way.
  if (!context.mapping.usesIeee754) return [version];
  return [
    version,
    strings
      ? refuse(`${client}.ieee754Compatible !== true`, `the types have Edm.Int64 and Edm.Decimal values as strings (generated with ieee754Compatible), but the ${client} does not ask for them so (make it with ieee754Compatible: true)`)
      : refuse(`${client}.ieee754Compatible === true`, `the types have Edm.Int64 and Edm.Decimal values as numbers (generated without ieee754Compatible), but the ${client} asks for them as strings (option ieee754Compatible; generate with --ieee754-compatible)`),
  ];
}

/** The factory's local function that reads a v2 Edm.Double or Edm.Single parameter's text (see {@link numberOfTextLines}). */
const NUMBER_OF_TEXT = "numberOfText";

/**
 * The factory's local function that turns the text of a v2 Edm.Double or Edm.Single parameter
 * (as SAP CAP and Gateway send these values, and the reader gives them) into the number it
 * stands for, which the client writes as a number literal; the client would write the text as a
 * quoted string. Text that is not a number is refused rather than sent as NaN. A whole number
 * beyond Int32, which the client writes as an Int64 literal (`10000000000L`, refused for a Double
 * parameter), becomes the `edm` value of the parameter's type (`10000000000d`); other numbers stay
 * plain (`0.1`), the form SAP CAP's v2 adapter reads too. The type is the fourth argument,
 * `"Edm.Double"` when left out.
 */
function numberOfTextLines(typed: boolean): string[] {
  // The result, a number or an edm value, is left to inference: the file need not import EdmValue for it.
  const [value, name, parameter, type] = typed
    ? ["value: number | string", "operation: string", "parameter: string", 'type: "Edm.Double" | "Edm.Single" = "Edm.Double"']
    : ["value", "operation", "parameter", 'type = "Edm.Double"'];
  return [
    `  // A v2 Edm.Double or Edm.Single parameter is given as the reader gives its values: a number, or text ("0.1").`,
    `  const ${NUMBER_OF_TEXT} = (${value}, ${name}, ${parameter}, ${type}) => {`,
    `    let number${typed ? ": number" : ""};`,
    `    if (typeof value !== "string") number = value;`,
    `    else if (/^-?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?$/.test(value)) number = Number(value);`,
    `    else if (value === "INF" || value === "-INF" || value === "NaN") number = value === "NaN" ? NaN : value === "INF" ? Infinity : -Infinity;`,
    `    else throw new RangeError(\`\${operation}: the parameter "\${parameter}" is not a number or the text of one; got \${JSON.stringify(value)}\`);`,
    `    // Written as it is, a whole number beyond Int32 would be an Int64 literal (10000000000L).`,
    `    if (!Number.isSafeInteger(number) || (number >= -2147483648 && number <= 2147483647)) return number;`,
    `    return type === "Edm.Single" ? edm.single(number) : edm.double(number);`,
    `  };`,
  ];
}

/** The factory's local function that decodes an Edm.Binary parameter (see {@link bytesOfBase64Lines}). */
const BYTES_OF_BASE64 = "bytesOfBase64";

/**
 * The factory's local function that turns the base64 or base64url text of an Edm.Binary parameter
 * into bytes, in TypeScript or (`typed` false) JavaScript. It is local to the factory, so that its
 * name cannot meet a name of the model.
 */
function bytesOfBase64Lines(typed: boolean): string[] {
  const [text, name, parameter, bytes] = typed ? ["text: string", "operation: string", "parameter: string", ": Uint8Array"] : ["text", "operation", "parameter", ""];
  return [
    `  // An Edm.Binary parameter is given as the reader gives its values: base64url (v4) or base64 (v2) text.`,
    `  const ${BYTES_OF_BASE64} = (${text}, ${name}, ${parameter})${bytes} => {`,
    `    let binary${typed ? ": string" : ""};`,
    `    try {`,
    `      binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));`,
    `    } catch (error) {`,
    `      throw new RangeError(\`\${operation}: the Edm.Binary parameter "\${parameter}" is not base64 or base64url text\`, { cause: error });`,
    `    }`,
    `    return Uint8Array.from(binary, (char) => char.charCodeAt(0));`,
    `  };`,
  ];
}

/**
 * The parameters of an operation import that go into its URL as typed literals (a GUID, a date,
 * an enumeration member, a v4 Double...), as object members that turn the given value into an
 * `edm` value (or, for a v2 Double or Single given as text, into a number); a `null` or left-out
 * value stays as it is, and so does a collection. A parameter that some overloads lack (CSDL 4.01
 * §12.2: unbound overloads differ in their parameter names) is `never` in the other overloads'
 * types, or not a member of them (see {@link overloadParameters}), so it is read where `in` has
 * narrowed the union to the overloads that have it, and only added where it was given. A
 * parameter whose type differs between overloads (`since` an `Edm.Date` in one, an
 * `Edm.DateTimeOffset` in another) is converted by the type of the overload the call names, which
 * the service too picks by the parameter names given (see {@link overloadTest}).
 * `name` is the import's name, for errors. `edm` says whether a member calls an `edm` function;
 * `lines` are the members in TypeScript, `scriptLines` the same in JavaScript.
 */
function operationLiterals(context: Context, name: string, overloads: readonly Operation[]): { lines: string[]; scriptLines: string[]; edm: boolean } {
  const parameterNames = [...new Set(overloads.flatMap((o) => o.parameters.map((p) => p.name)))];
  const lines: string[] = [];
  const scriptLines: string[] = [];
  let edm = false;
  for (const parameter of parameterNames) {
    // The overloads that have the parameter, each with its declaration of it.
    const having = overloads.flatMap((o) => o.parameters.filter((p) => p.name === parameter).map((declared) => ({ operation: o, declared })));
    const member = objectKey(parameter);
    const read = readParameter(parameter);
    const everywhere = having.length === overloads.length;
    // A name that every object inherits (`toString`, `constructor`) reads Object.prototype's member
    // where the caller left the parameter out: only an own member is the parameter (undefined, left
    // out of the call, otherwise).
    const own = `Object.prototype.hasOwnProperty.call(params, ${JSON.stringify(parameter)})`;
    const inherited = parameter in Object.prototype;
    // The own member is read once, into the parameter of a function called at once: a test of a
    // conditional expression does not narrow its repetition, as a test of `params.x` narrows
    // `params.x`, so the file would not compile. Where only some overloads have the parameter, the
    // compiler types the member with Object.prototype's for the others (`valueOf: () => Object`),
    // which an own member is not: the typed form says it is the parameter's type.
    const subject = inherited ? "value" : read;
    // Where the overloads give the parameter different TypeScript types, each conversion is
    // given the value as its overload's type.
    const types = new Set(having.map(({ declared }) => `${elementType(context, declared.type) ?? "unknown"}${declared.collection ? "[]" : ""}`));
    const literal = (typed: boolean): string | undefined => {
      const conversions = having.map(({ operation, declared }) => {
        const value = typed && types.size > 1 ? `(${subject} as ${elementType(context, declared.type) ?? "unknown"})` : subject;
        return { operation, text: declared.collection ? undefined : literalOf(context, name, parameter, declared.type, value, declared.scale) };
      });
      if (conversions.every((c) => c.text === undefined)) return undefined;
      const first = conversions[0]?.text;
      if (conversions.every((c) => c.text === first)) return first;
      // The last overload's conversion where the tests of the others fail.
      const candidates = having.map((each) => each.operation);
      let text: string | undefined;
      for (const conversion of conversions.slice().reverse()) {
        const test = text === undefined ? undefined : overloadTest(context, conversion.operation, candidates, parameter);
        text = test === undefined ? (conversion.text ?? subject) : `${test} ? ${conversion.text ?? subject} : ${text}`;
      }
      return text;
    };
    const typedLiteral = literal(true);
    if (typedLiteral === undefined) continue;
    // Every conversion calls an edm function (the v2 number helper too).
    edm = true;
    const converted = (typed: boolean) => {
      const text = typed ? typedLiteral : (literal(false) as string);
      if (!inherited) return `${member}: ${read} == null ? ${read} : ${text}`;
      const declaredTypes = having.map(({ declared }) => typeText(context, declared) ?? "unknown");
      const typedRead = typed && !everywhere ? `${read} as ${union([...new Set(declaredTypes)])}` : read;
      // Where only some overloads have it, the member is there: the line adds it only then.
      return `${member}: ((value) => value == null ? value : ${text})(${everywhere ? `${own} ? ${typedRead} : undefined` : typedRead})`;
    };
    const line = (typed: boolean) => (everywhere ? converted(typed) : `...(${inherited ? own : `${JSON.stringify(parameter)} in params`} ? { ${converted(typed)} } : {})`);
    lines.push(line(true));
    scriptLines.push(line(false));
  }
  return { lines, scriptLines, edm };
}

/** How the factory reads the parameter `name` of the call: `params.since`, `params["a-b"]`. */
function readParameter(name: string): string {
  return isIdentifier(name) ? `params.${name}` : `params[${JSON.stringify(name)}]`;
}

/**
 * The expression that converts `value` (a JavaScript expression) of a parameter of EDM type
 * `declared` (and, for an `Edm.Decimal`, Scale facet `scale`) into what writes its literal (see
 * {@link TYPED_LITERALS}), or `undefined` where the value is written right as it is. Notes in
 * `context` the helpers the factory then needs.
 */
function literalOf(context: Context, name: string, parameter: string, declared: string, value: string, scale?: TypeReference["scale"]): string | undefined {
  const type = literalType(context, declared);
  // A v4 decimal of floating scale is typed as a Double is, Infinity and NaN among its numbers
  // (edm-types.ts), which edm.decimal refuses: it is written as a Double, whose v4 literal is the
  // one a filter writes for the number (`1.5`, `INF`, `-INF`, `NaN`).
  if (isFloatingDecimal(type, context.mapping, literalScale(context, declared, scale))) return `edm.double(${value})`;
  if (context.mapping.v2 && FLOATS.has(type)) {
    // The helper makes a whole number beyond Int32 an edm value of the parameter's type.
    context.numberOfText = true;
    return `${NUMBER_OF_TEXT}(${value}, ${JSON.stringify(name)}, ${JSON.stringify(parameter)}${type === "Edm.Single" ? `, "Edm.Single"` : ""})`;
  }
  // v4 gives "NaN", "INF" and "-INF" as text, which the client would quote; the edm value
  // writes them bare, and a number as the client would.
  if (FLOATS.has(type)) return `edm.${type === "Edm.Single" ? "single" : "double"}(${value})`;
  const write = TYPED_LITERALS[type];
  if (write !== undefined) {
    if (type === "Edm.Binary") context.bytesOfBase64 = true;
    return write(value, name, parameter);
  }
  // A flags value as the reader gives it, the member names joined by commas as the service wrote
  // them ("Read,Write", or "Read, Write" from ASP.NET Core OData), goes as it is: edm.enumMember
  // splits it.
  if (context.model.enumType(type)) return `edm.enumMember(${JSON.stringify(type)}, ${value})`;
  return undefined;
}

/**
 * A test, in the factory, that the call names `operation` among the overloads `candidates` (those
 * with the parameter `given`, which the call gives): the parameters it lacks and another candidate
 * has are left out, and those it requires and another candidate may lack are given. The types let
 * a call name one overload only (see {@link overloadParameters}), so that test tells them apart.
 * `undefined` where nothing needs testing. A parameter left out is one missing or `undefined`,
 * as the client leaves such a parameter out of the URL.
 */
function overloadTest(context: Context, operation: Operation, candidates: readonly Operation[], given: string): string | undefined {
  const others = candidates.filter((o) => o !== operation);
  // Literals are written for v4 functions and v2 operations, whose rule of what may be left out is the function's.
  const required = (o: Operation, name: string) => o.parameters.some((p) => p.name === name && !mayLeaveOut(context, "Function", p));
  const has = (o: Operation, name: string) => o.parameters.some((p) => p.name === name);
  const names = [...new Set(candidates.flatMap((o) => o.parameters.map((p) => p.name)))].filter((n) => n !== given);
  const terms: string[] = [];
  for (const name of names) {
    const read = readParameter(name);
    const present = name in Object.prototype ? `Object.prototype.hasOwnProperty.call(params, ${JSON.stringify(name)}) && ${read} !== undefined` : `${read} !== undefined`;
    if (!has(operation, name) && others.some((o) => has(o, name))) terms.push(name in Object.prototype ? `!(${present})` : `${read} === undefined`);
    else if (required(operation, name) && others.some((o) => !required(o, name))) terms.push(name in Object.prototype ? `(${present})` : present);
  }
  return terms.length === 0 ? undefined : terms.length === 1 ? terms[0] : `(${terms.join(" && ")})`;
}

function union(items: readonly string[]): string {
  return items.length === 0 ? "never" : items.join(" | ");
}

/** What {@link serviceDeclarations} writes. */
interface ServiceText {
  /** The parameter types of the operation imports and the service interface. */
  declarations: string[];
  /** The factory in TypeScript, for `index.ts`. */
  factory: string;
  /** The factory's signature alone, for `index.d.ts`. */
  factoryDeclaration: string;
  /** The factory in JavaScript, for `index.js`: the same body without type arguments. */
  factoryScript: string;
  imports: string[];
}

/**
 * The service interface, the factory, and the parameter types of the operation imports. With
 * `reader`, the factory takes an `ODataReader` and `members` hold no operation imports.
 */
function serviceDeclarations(context: Context, factoryName: string, members: Members, reader: boolean): ServiceText {
  const { model, names } = context;
  const interfaceName = names.claim(`${factoryName.charAt(0).toUpperCase()}${factoryName.slice(1)}`);
  const imports = new Set<string>();
  const fields: string[] = [];
  const values: string[] = [];
  const scripts: string[] = [];
  const parameterTypes: string[] = [];
  // `value` is the member of the TypeScript factory; `script` the same member in JavaScript.
  type Row = { name: string; field: string; value: string; script: string };
  const rows: Row[] = [];
  // The factory's parameter: a reader's file says what it is given.
  const client = reader ? "reader" : "client";
  const getter = (name: string, method: string, typeArguments: string, options = "") => ({
    value: `get ${propertyName(name)}() {\n      return ${client}.${method}<${typeArguments}>(${JSON.stringify(name)}${options});\n    }`,
    script: `get ${propertyName(name)}() {\n      return ${client}.${method}(${JSON.stringify(name)}${options});\n    }`,
  });
  const [collectionQuery, entityQuery] = reader ? ["ReadCollectionQuery", "ReadEntityQuery"] : ["CollectionQuery", "EntityQuery"];
  for (const set of members.entitySets) {
    const type = entityText(context, set.entityType);
    imports.add(collectionQuery);
    rows.push({ name: set.name, field: `${collectionQuery}<${type}>`, ...getter(set.name, "collection", type) });
  }
  for (const singleton of members.singletons) {
    const type = entityText(context, singleton.type);
    imports.add(entityQuery);
    // A nullable singleton (OData 4.01, `Nullable="true"`) may have no entity: the service answers 204,
    // which get() reads as null only where the singleton is made `{ nullable: true }`, as the type's
    // last argument says (EntityQuery's fourth, ReadEntityQuery's fifth). Another singleton's 204 rejects.
    const field = singleton.nullable ? `${entityQuery}<${type}, never, {}, ${reader ? '"read", ' : ""}null>` : `${entityQuery}<${type}>`;
    rows.push({ name: singleton.name, field, ...getter(singleton.name, "singleton", type, singleton.nullable ? ", { nullable: true }" : "") });
  }
  const operationRows = (item: { name: string; httpMethod?: string }, overloads: Operation[], kind: "Action" | "Function") => {
    const result = overloads.length === 0 ? "unknown" : union([...new Set(overloads.map((o) => resultText(context, o)))]);
    const overloadTypes = overloadParameters(context, kind, overloads.map((o) => o.parameters));
    const parameters = overloads.length === 0 ? "Record<string, unknown>" : union([...new Set(overloadTypes)]);
    const parametersName = names.claim(`${item.name.charAt(0).toUpperCase()}${item.name.slice(1)}Parameters`);
    parameterTypes.push(`/** The parameters of the ${kind === "Action" ? "action" : "function"} import ${commentText(item.name)}. */\nexport type ${parametersName} = ${parameters};`);
    // A v4 action's parameters are a JSON body, which needs no literals; a v2 action's go into the
    // URL as a function's do.
    const converted = kind === "Function" || context.mapping.v2 ? operationLiterals(context, item.name, overloads) : { lines: [], scriptLines: [], edm: false };
    const literals = converted.lines;
    if (converted.edm) imports.add("edm");
    if (kind === "Action") {
      imports.add("ActionCall");
      // A v2 service operation declared with PUT, MERGE or DELETE is called with that method.
      const method = item.httpMethod !== undefined && item.httpMethod !== "POST" && (SERVICE_OPERATION_METHODS as readonly string[]).includes(item.httpMethod) ? `, { method: ${JSON.stringify(item.httpMethod)} }` : "";
      if (literals.length === 0) {
        rows.push({ name: item.name, field: `ActionCall<${result}, ${parametersName}>`, ...getter(item.name, "action", `${result}, ${parametersName}`, method) });
        return;
      }
      // ActionCall's methods, each converting the parameters first: an ActionCall itself cannot be
      // made with them converted, as client.action() takes no parameters.
      const field = `Pick<ActionCall<${result}, ${parametersName}>, "url" | "invoke" | "invokeAsync">`;
      const member = (typed: boolean) =>
        [
          `get ${propertyName(item.name)}()${typed ? `: ${field}` : ""} {`,
          `      const call = client.action${typed ? `<${result}>` : ""}(${JSON.stringify(item.name)}${method});`,
          `      const literals = (params${typed ? `: ${parametersName} | undefined` : ""}) => params && {`,
          `        ...params,`,
          ...(typed ? literals : converted.scriptLines).map((line) => `        ${line},`),
          `      };`,
          `      return {`,
          `        url: (params) => call.url(literals(params)),`,
          `        invoke: (params, options) => call.invoke(literals(params), options),`,
          `        invokeAsync: (params, options) => call.invokeAsync(literals(params), options),`,
          `      };`,
          `    }`,
        ].join("\n");
      rows.push({ name: item.name, field, value: member(true), script: member(false) });
    } else {
      imports.add("FunctionCall");
      const optional = (o: Operation) => o.parameters.every((p) => mayLeaveOut(context, kind, p));
      const param = `params${overloads.some(optional) ? "?" : ""}: ${parametersName}`;
      const args = (members: readonly string[]) => (members.length === 0 ? "params" : `params && {\n      ...params,\n${members.map((line) => `      ${line},\n`).join("")}    }`);
      const call = (members: readonly string[]) => `(${JSON.stringify(item.name)}, ${args(members).replaceAll("\n", "\n  ")})`;
      const value = `(${param}) =>\n      client.function<${result}>${call(literals)}`;
      // Overloads with results of their own: a call signature each, so that a call's result is
      // its overload's. The factory's one function, typed with the union of the results, is
      // given the interface's type.
      const signatures = [...new Set(overloads.map((o, index) => `(params${optional(o) ? "?" : ""}: ${overloadTypes[index]}): FunctionCall<${resultText(context, o)}>;`))];
      const ownResults = new Set(overloads.map((o) => resultText(context, o))).size > 1;
      rows.push({
        name: item.name,
        field: ownResults ? `{\n${signatures.map((signature) => `    ${signature}\n`).join("")}  }` : `(${param}) => FunctionCall<${result}>`,
        value: `${objectKey(item.name)}: ${ownResults ? `(${value}) as ${interfaceName}[${JSON.stringify(item.name)}]` : value}`,
        script: `${objectKey(item.name)}: (params) =>\n      client.function${call(converted.scriptLines)}`,
      });
    }
  };
  const byName = <T extends { name: string }>(items: readonly T[]) => items.slice().sort((a, b) => compare(a.name, b.name));
  for (const item of byName(members.actionImports)) operationRows(item, importOverloads(model, item), "Action");
  for (const item of byName(members.functionImports)) operationRows(item, importOverloads(model, item), "Function");
  rows.sort((a, b) => compare(a.name, b.name));
  for (const [index, row] of rows.entries()) {
    // Invalid CSDL: two members of the container with one name would be one member twice.
    if (index > 0 && rows[index - 1]?.name === row.name) throw new RangeError(`generate: the container declares ${JSON.stringify(row.name)} twice (entity sets, singletons and operation imports share one namespace)`);
  }
  for (const row of rows) {
    fields.push(`  readonly ${propertyName(row.name)}: ${row.field};`);
    values.push(`    ${row.value},`);
    scripts.push(`    ${row.script},`);
  }
  const container = model.container();
  const serviceName = commentText(container?.qualifiedName ?? "the service");
  const serviceInterface = `/** What ${factoryName}() returns: the entity sets${reader ? " and singletons" : ", singletons and operation imports"} of ${serviceName}${reader ? ", to read" : ""}. */\nexport interface ${interfaceName} {\n${fields.join("\n")}${fields.length > 0 ? "\n" : ""}}`;
  const doc = reader
    ? [
        `/**`,
        ` * The service ${commentText(container?.qualifiedName ?? "")} on a reader (an ODataReader, or an ODataClient, which is one): one`,
        ` * typed read query per entity set and singleton. Each access makes a new (immutable) query value; nothing is sent until a`,
        ` * query runs.`,
        ` */`,
      ]
    : [
        `/**`,
        ` * The service ${commentText(container?.qualifiedName ?? "")} on a client: one typed query per entity set and singleton, one call per`,
        ` * operation import. Each access makes a new (immutable) query value; nothing is sent until a query runs.`,
        ` */`,
      ];
  const parameter = reader ? "reader: ODataReader" : "client: ODataClient";
  const body = (members: string[], typed: boolean) => [
    ...clientCheckLines(context, factoryName, client),
    ...(context.bytesOfBase64 ? bytesOfBase64Lines(typed) : []),
    ...(context.numberOfText ? numberOfTextLines(typed) : []),
    `  return {`,
    ...members,
    `  };`,
    `}`,
  ];
  return {
    declarations: [...parameterTypes.sort(compare), serviceInterface],
    factory: [...doc, `export function ${factoryName}(${parameter}): ${interfaceName} {`, ...body(values, true)].join("\n"),
    factoryDeclaration: [...doc, `export declare function ${factoryName}(${parameter}): ${interfaceName};`].join("\n"),
    // The types are in index.d.ts beside it, which TypeScript reads for this file.
    factoryScript: [...doc, `export function ${factoryName}(${client}) {`, ...body(scripts, false)].join("\n"),
    imports: [...imports],
  };
}
