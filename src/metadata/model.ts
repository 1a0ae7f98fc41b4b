/**
 * The service model read from `$metadata`: plain data (every field JSON-serialisable, whichever
 * format it came from: EDMX of OData v4 or v2, or CSDL JSON) and {@link ServiceModel}, which adds
 * lookups on top of it. One service gives the same model from its EDMX and from its CSDL JSON.
 * Qualified names are always written with the schema's namespace (aliases are resolved while
 * parsing, in type names, targets and value paths), and annotation terms are full names
 * (`Org.OData.Core.V1.Computed`).
 */
import { ODataClientError } from "../errors.js";

/**
 * Annotation values in the shape of OData CSDL JSON (§14.4, §14.5), whichever form they were read
 * from:
 * - constants: booleans; numbers for `Int`, `Decimal` and `Float` (as `JSON.parse` gives them, so
 *   integers beyond 2^53 and decimals of more than 15 digits are rounded; `"INF"`, `"-INF"` and
 *   `"NaN"` stay strings); strings for the others, a `String` kept exactly as written except that
 *   its line ends (CR LF, CR) are LF; enumeration members as member names (`"Read,Write"` for flags);
 * - paths: a value path as `{ "$Path": "..." }` with aliases resolved; the model paths
 *   (`PropertyPath`, `NavigationPropertyPath`, `AnnotationPath`, `ModelElementPath`) as plain
 *   strings, as written (CSDL JSON does not mark them, so they cannot be told from text);
 * - `null`, arrays (Collection), objects for records (`@type` for the record's type, `@Term` for
 *   its annotations, `Property@Term` for those of a property value);
 * - dynamic expressions as objects: `{ "$If": [...] }`, `{ "$Eq": [a, b] }` (and the other
 *   operators), `{ "$Not": a }`, `{ "$Apply": [...], "$Function": "odata.concat" }`,
 *   `{ "$Cast": a, "$Type": "Edm.Decimal", "$Scale": 2 }`, `{ "$IsOf": a, "$Type": "...", "$Collection": true }`,
 *   `{ "$LabeledElement": a, "$Name": "n" }`, `{ "$LabeledElementReference": "Ns.n" }`,
 *   `{ "$UrlRef": a }`, and `{ "$Null": null, "@Term": ... }` for an annotated null; annotations
 *   of any of them as `@Term` members.
 */
export type AnnotationValue = null | boolean | number | string | AnnotationValue[] | { [name: string]: AnnotationValue };

/**
 * Annotations of one model element: full term name (with `#qualifier` when qualified) → value.
 * @example { "Org.OData.Core.V1.Computed": true, "com.sap.vocabularies.Common.v1.Label#short": "Title" }
 */
export type Annotations = Record<string, AnnotationValue>;

/** The type facets a property, parameter, return type or type definition may carry. */
export interface TypeFacets {
  /** Whether `null` is allowed. */
  nullable: boolean;
  /** The maximum length, or `"max"` (CSDL XML 4.0 only; CSDL JSON cannot say it). */
  maxLength?: number | "max" | undefined;
  /**
   * The precision. CSDL XML gives a temporal value (`Edm.DateTimeOffset`, `Edm.Duration`,
   * `Edm.TimeOfDay`) without it the precision 0, so such values read from OData v4 EDMX always
   * have one; in CSDL JSON its absence leaves it unspecified.
   */
  precision?: number | undefined;
  /**
   * The scale, or `"variable"` / `"floating"`. Always set for `Edm.Decimal`: where the document
   * says none, CSDL XML means 0 and CSDL JSON means `"variable"`.
   */
  scale?: number | "variable" | "floating" | undefined;
  srid?: string | undefined;
  /** `false` when only ASCII characters are allowed; absent otherwise (`true` is the default in both forms). */
  unicode?: boolean | undefined;
}

/** A reference to a type: its qualified name, whether it is a collection, and its facets. */
export interface TypeReference extends TypeFacets {
  /** The qualified name of the (element) type, such as `"Edm.String"` or `"CatalogService.Books"`. */
  type: string;
  /** Whether it is `Collection(type)`. */
  collection: boolean;
}

/** A structural property. */
export interface Property extends TypeReference {
  name: string;
  /**
   * The default value as a literal: text as written, booleans as `"true"`/`"false"`, numbers of
   * a numeric type in their shortest form (`"2.5"`, also for a written `"2.50"`) when that loses
   * no digit.
   */
  defaultValue?: string | undefined;
  /** OData v2 `ConcurrencyMode="Fixed"`: the property takes part in the ETag. */
  concurrencyMode?: "Fixed" | undefined;
  annotations: Annotations;
  /** OData v2 `sap:*` attributes (`label`, `creatable`, `filterable`...), by local name. */
  sap?: Record<string, string> | undefined;
}

/** A referential constraint of a navigation property: `property` (here) refers to `referencedProperty` (there). */
export interface ReferentialConstraint {
  property: string;
  referencedProperty: string;
}

/** A navigation property. */
export interface NavigationProperty {
  name: string;
  /** The qualified name of the target entity type. */
  type: string;
  /** Whether it leads to many entities. */
  collection: boolean;
  nullable: boolean;
  /** The navigation property of the target type that leads back, if declared. */
  partner?: string | undefined;
  containsTarget?: boolean | undefined;
  referentialConstraints: ReferentialConstraint[];
  /** `OnDelete` action: `"Cascade"`, `"None"`, `"SetNull"` or `"SetDefault"`. */
  onDelete?: string | undefined;
  annotations: Annotations;
  /** OData v2: the association and roles this navigation property was defined by. */
  association?: { name: string; fromRole: string; toRole: string } | undefined;
  sap?: Record<string, string> | undefined;
}

/** One key property: `name` is how the key predicate names it (the alias, if any), `path` the property path. */
export interface KeyRef {
  name: string;
  path: string;
}

/** What entity and complex types share. */
export interface StructuredTypeBase {
  name: string;
  /** `Namespace.Name`. */
  qualifiedName: string;
  baseType?: string | undefined;
  abstract: boolean;
  openType: boolean;
  /** Own properties (inherited ones are on the base type: see `ServiceModel.propertiesOf`). */
  properties: Property[];
  navigationProperties: NavigationProperty[];
  annotations: Annotations;
  sap?: Record<string, string> | undefined;
}

/** An entity type. */
export interface EntityType extends StructuredTypeBase {
  kind: "EntityType";
  /** Own key (a derived type inherits its base type's: see `ServiceModel.keyOf`). */
  key: KeyRef[];
  /** Whether it is a media entity type. */
  hasStream: boolean;
}

/** A complex type. */
export interface ComplexType extends StructuredTypeBase {
  kind: "ComplexType";
}

/** A member of an enumeration type. */
export interface EnumMember {
  name: string;
  /** The member's value; in an Edm.Int64 enumeration beyond 2^53, the nearest number. */
  value: number;
  annotations: Annotations;
}

/** An enumeration type. */
export interface EnumType {
  kind: "EnumType";
  name: string;
  qualifiedName: string;
  underlyingType: string;
  /** Whether members combine as flags. */
  isFlags: boolean;
  members: EnumMember[];
  annotations: Annotations;
}

/** A type definition: a named primitive type with facets. */
export interface TypeDefinition extends Omit<TypeFacets, "nullable"> {
  kind: "TypeDefinition";
  name: string;
  qualifiedName: string;
  underlyingType: string;
  annotations: Annotations;
}

/** A parameter of an action or function. */
export interface Parameter extends TypeReference {
  name: string;
  annotations: Annotations;
}

/** An action or function (one overload). */
export interface Operation {
  kind: "Action" | "Function";
  name: string;
  qualifiedName: string;
  /** Whether the first parameter is the binding parameter. */
  bound: boolean;
  /** Functions only: whether further path segments or query options may follow. */
  composable?: boolean | undefined;
  entitySetPath?: string | undefined;
  parameters: Parameter[];
  returnType?: TypeReference;
  annotations: Annotations;
  /** OData v2 FunctionImports: their `sap:*` attributes (such as `action-for`), by local name. */
  sap?: Record<string, string> | undefined;
}

/** A navigation property binding of an entity set or singleton: `path` leads into `target`. */
export interface NavigationPropertyBinding {
  /** The path to the navigation property, type casts in it written with their namespace. */
  path: string;
  /**
   * The target entity set or singleton: its name (`Set`) when it is in the same entity
   * container, however the document wrote it (`self.Container/Set` too); `Namespace.Container/Set`
   * for another container. A path into a containment navigation property follows it (`Settings/Items`).
   */
  target: string;
}

/** An entity set. */
export interface EntitySet {
  kind: "EntitySet";
  name: string;
  /** The qualified name of its entity type. */
  entityType: string;
  navigationPropertyBindings: NavigationPropertyBinding[];
  includeInServiceDocument: boolean;
  annotations: Annotations;
  sap?: Record<string, string> | undefined;
}

/** A singleton. */
export interface Singleton {
  kind: "Singleton";
  name: string;
  type: string;
  nullable: boolean;
  navigationPropertyBindings: NavigationPropertyBinding[];
  annotations: Annotations;
}

/** An action import. */
export interface ActionImport {
  kind: "ActionImport";
  name: string;
  /** The qualified name of the action (all its unbound overloads). */
  action: string;
  /** The entity set of the returned entities: its name in the same container, else `Namespace.Container/Set`. */
  entitySet?: string | undefined;
  annotations: Annotations;
  /** OData v1/v2 service operations (`m:HttpMethod`) that became actions: the HTTP method they are called with. */
  httpMethod?: string;
}

/** A function import. */
export interface FunctionImport {
  kind: "FunctionImport";
  name: string;
  /** The qualified name of the function (all its unbound overloads). */
  function: string;
  /** The entity set of the returned entities: its name in the same container, else `Namespace.Container/Set`. */
  entitySet?: string | undefined;
  includeInServiceDocument: boolean;
  annotations: Annotations;
  /** OData v1/v2 service operations (`m:HttpMethod`): the HTTP method they are called with (`GET`). */
  httpMethod?: string;
}

/**
 * The entity container: what the service root offers. A container that extends another of the
 * same document (`Extends`) lists the entity sets, singletons and imports it inherits after its
 * own (the same objects as in the container they come from), leaving out those it redefines. The
 * default container of an OData v2 document that holds several (`m:IsDefaultEntityContainer`)
 * lists the members of the others after its own in the same way, leaving out the names it already
 * has: the service root offers them all by their plain names.
 */
export interface EntityContainer {
  name: string;
  qualifiedName: string;
  /**
   * The qualified name of the entity container this one extends. One the document does not hold
   * (a referenced document's, or one nobody declares) is not read, and its members are not listed.
   */
  extends?: string | undefined;
  entitySets: EntitySet[];
  singletons: Singleton[];
  actionImports: ActionImport[];
  functionImports: FunctionImport[];
  annotations: Annotations;
}

/** One schema. */
export interface Schema {
  namespace: string;
  alias?: string | undefined;
  entityTypes: EntityType[];
  complexTypes: ComplexType[];
  enumTypes: EnumType[];
  typeDefinitions: TypeDefinition[];
  /** Actions, overloads as separate entries. */
  actions: Operation[];
  /** Functions, overloads as separate entries. */
  functions: Operation[];
  entityContainer?: EntityContainer | undefined;
  /** Annotations of the schema itself. */
  annotations: Annotations;
  /** Targeted annotations whose target is not an element of this model (say, of a referenced vocabulary), by target. */
  externalAnnotations: Record<string, Annotations>;
}

/** A document `$metadata` refers to (vocabularies, other services), with the namespaces it includes. */
export interface MetadataReference {
  uri: string;
  includes: { namespace: string; alias?: string | undefined }[];
}

/** The plain data of a service model. */
export interface ServiceModelData {
  /** The format it was read from. */
  format: "edmx" | "csdl-json";
  /** The OData version of the service: `"4.0"`, `"4.01"` (EDMX/CSDL version) or `"2.0"`/`"1.0"`/`"3.0"` (v2 `DataServiceVersion`). */
  odataVersion: string;
  references: MetadataReference[];
  schemas: Schema[];
  /** The qualified name of the entity container, if there is one. */
  entityContainer?: string | undefined;
}

/**
 * Aliases of the standard vocabularies, usable in lookups even where the document declares none;
 * a namespace of the document of one of these names takes precedence over it.
 */
export const STANDARD_VOCABULARY_ALIASES: Readonly<Record<string, string>> = {
  Core: "Org.OData.Core.V1",
  Capabilities: "Org.OData.Capabilities.V1",
  Measures: "Org.OData.Measures.V1",
  Validation: "Org.OData.Validation.V1",
  Aggregation: "Org.OData.Aggregation.V1",
  Authorization: "Org.OData.Authorization.V1",
  JSON: "Org.OData.JSON.V1",
  Repeatability: "Org.OData.Repeatability.V1",
  Temporal: "Org.OData.Temporal.V1",
  Common: "com.sap.vocabularies.Common.v1",
  UI: "com.sap.vocabularies.UI.v1",
  Communication: "com.sap.vocabularies.Communication.v1",
};

type StructuredType = EntityType | ComplexType;
type AnyType = EntityType | ComplexType | EnumType | TypeDefinition;

/** Something that carries annotations. */
export interface Annotatable {
  annotations: Annotations;
}

/**
 * A service model: the plain data of `$metadata` (`JSON.stringify(model)` gives exactly it, and
 * `new ServiceModel(JSON.parse(text))` rebuilds the model) with lookups by name.
 * @example
 * const model = await client.metadata();
 * const books = model.entitySet("Books");
 * model.keyOf(books.entityType);            // [{ name: "ID", path: "ID" }]
 * model.annotation(books, "Capabilities.InsertRestrictions");
 */
export class ServiceModel implements ServiceModelData {
  readonly format: "edmx" | "csdl-json";
  readonly odataVersion: string;
  readonly references: MetadataReference[];
  readonly schemas: Schema[];
  readonly entityContainer?: string;

  readonly #aliases = new Map<string, string>();
  readonly #types = new Map<string, AnyType>();
  readonly #actions = new Map<string, Operation[]>();
  readonly #functions = new Map<string, Operation[]>();
  readonly #containers = new Map<string, EntityContainer>();

  constructor(data: ServiceModelData) {
    this.format = data.format;
    this.odataVersion = data.odataVersion;
    this.references = data.references;
    this.schemas = data.schemas;
    if (data.entityContainer !== undefined) this.entityContainer = data.entityContainer;
    for (const [alias, namespace] of Object.entries(STANDARD_VOCABULARY_ALIASES)) this.#aliases.set(alias, namespace);
    const namespaces: string[] = [];
    for (const reference of data.references) {
      for (const include of reference.includes) {
        namespaces.push(include.namespace);
        if (include.alias) this.#aliases.set(include.alias, include.namespace);
      }
    }
    for (const schema of data.schemas) {
      namespaces.push(schema.namespace);
      if (schema.alias) this.#aliases.set(schema.alias, schema.namespace);
      for (const type of [...schema.entityTypes, ...schema.complexTypes, ...schema.enumTypes, ...schema.typeDefinitions]) {
        this.#types.set(type.qualifiedName, type);
      }
      for (const action of schema.actions) pushTo(this.#actions, action.qualifiedName, action);
      for (const fn of schema.functions) pushTo(this.#functions, fn.qualifiedName, fn);
      if (schema.entityContainer) this.#containers.set(schema.entityContainer.qualifiedName, schema.entityContainer);
    }
    // A schema named like a standard vocabulary's alias (`Common`, `Core`, `UI`) keeps its names:
    // `Common.Person` is the document's type, as the readers resolved it (metadata/targets.ts).
    for (const namespace of namespaces) this.#aliases.delete(namespace);
  }

  /** The plain data (what `JSON.stringify` writes). */
  toJSON(): ServiceModelData {
    const data: ServiceModelData = { format: this.format, odataVersion: this.odataVersion, references: this.references, schemas: this.schemas };
    if (this.entityContainer !== undefined) data.entityContainer = this.entityContainer;
    return data;
  }

  /**
   * A qualified name with its alias (of this document or a standard vocabulary) replaced by the
   * namespace. A namespace the document declares or includes is not an alias, even when it is
   * named like a standard vocabulary's (`Common.Person` of a schema `Common` stays as it is).
   */
  resolveName(name: string): string {
    const dot = name.lastIndexOf(".");
    if (dot < 0) return name;
    const namespace = this.#aliases.get(name.slice(0, dot));
    return namespace === undefined ? name : `${namespace}${name.slice(dot)}`;
  }

  /** The entity container (`model.entityContainer`), or `undefined` when the document has none. */
  container(): EntityContainer | undefined {
    return this.entityContainer === undefined ? undefined : this.#containers.get(this.entityContainer);
  }

  /** The entity set `name` of the entity container, or `undefined`. */
  entitySet(name: string): EntitySet | undefined {
    return this.container()?.entitySets.find((set) => set.name === name);
  }

  /** The singleton `name` of the entity container, or `undefined`. */
  singleton(name: string): Singleton | undefined {
    return this.container()?.singletons.find((singleton) => singleton.name === name);
  }

  /** The action import `name`, or `undefined`. */
  actionImport(name: string): ActionImport | undefined {
    return this.container()?.actionImports.find((item) => item.name === name);
  }

  /** The function import `name`, or `undefined`. */
  functionImport(name: string): FunctionImport | undefined {
    return this.container()?.functionImports.find((item) => item.name === name);
  }

  /** The entity type of this qualified (or alias-qualified) name, or `undefined`. */
  entityType(name: string): EntityType | undefined {
    const type = this.#types.get(this.resolveName(name));
    return type?.kind === "EntityType" ? type : undefined;
  }

  /** The complex type of this qualified name, or `undefined`. */
  complexType(name: string): ComplexType | undefined {
    const type = this.#types.get(this.resolveName(name));
    return type?.kind === "ComplexType" ? type : undefined;
  }

  /** The enumeration type of this qualified name, or `undefined`. */
  enumType(name: string): EnumType | undefined {
    const type = this.#types.get(this.resolveName(name));
    return type?.kind === "EnumType" ? type : undefined;
  }

  /** The type definition of this qualified name, or `undefined`. */
  typeDefinition(name: string): TypeDefinition | undefined {
    const type = this.#types.get(this.resolveName(name));
    return type?.kind === "TypeDefinition" ? type : undefined;
  }

  /** All overloads of the action with this qualified name (empty when there is none). */
  actions(name: string): Operation[] {
    return this.#actions.get(this.resolveName(name)) ?? [];
  }

  /** All overloads of the function with this qualified name (empty when there is none). */
  functions(name: string): Operation[] {
    return this.#functions.get(this.resolveName(name)) ?? [];
  }

  /**
   * The actions and functions bound to an entity type (or to a collection of it, with
   * `collection: true`), including those bound to its base types.
   */
  boundOperations(type: string | EntityType, options: { collection?: boolean } = {}): Operation[] {
    const names = new Set(this.#lineage(this.#structured(type, "boundOperations")).map((t) => t.qualifiedName));
    const found: Operation[] = [];
    for (const schema of this.schemas) {
      for (const operation of [...schema.actions, ...schema.functions]) {
        const binding = operation.bound ? operation.parameters[0] : undefined;
        if (binding && names.has(binding.type) && binding.collection === (options.collection ?? false)) found.push(operation);
      }
    }
    return found;
  }

  /** The entity type of an entity set (by name or value). */
  entityTypeOf(set: string | EntitySet): EntityType {
    const entitySet = this.#set(set, "entityTypeOf");
    const type = this.entityType(entitySet.entityType);
    if (!type) throw lookupError(`the entity type ${entitySet.entityType} of the entity set ${entitySet.name} is not in the model`);
    return type;
  }

  /**
   * The key of an entity type (by qualified name or value), inherited from its base type where it
   * declares none.
   * @example model.keyOf("CatalogService.Pairs") // [{ name: "A", path: "A" }, { name: "B", path: "B" }]
   */
  keyOf(type: string | EntityType): KeyRef[] {
    for (const t of this.#lineage(this.#structured(type, "keyOf"))) {
      if (t.kind === "EntityType" && t.key.length > 0) return t.key;
    }
    return [];
  }

  /** The structural properties of a type, inherited ones first. */
  propertiesOf(type: string | EntityType | ComplexType): Property[] {
    return this.#lineage(this.#structured(type, "propertiesOf")).reverse().flatMap((t) => t.properties);
  }

  /** The navigation properties of a type, inherited ones first. */
  navigationPropertiesOf(type: string | EntityType | ComplexType): NavigationProperty[] {
    return this.#lineage(this.#structured(type, "navigationPropertiesOf")).reverse().flatMap((t) => t.navigationProperties);
  }

  /**
   * The properties whose values make up the ETag of an entity set's entities: the paths of its
   * `Core.OptimisticConcurrency` annotation (v4), or, where that names none (SAP's v2 documents
   * declare it with an empty list), the properties with `ConcurrencyMode="Fixed"` (v2). Empty
   * when the service declares none.
   */
  etagProperties(set: string | EntitySet): string[] {
    const entitySet = this.#set(set, "etagProperties");
    const declared = entitySet.annotations["Org.OData.Core.V1.OptimisticConcurrency"];
    // `{ $PropertyPath }` items are how models stored by earlier versions of this library wrote paths.
    const paths = Array.isArray(declared)
      ? declared.flatMap((item) => {
          if (typeof item === "string") return [item];
          if (item !== null && typeof item === "object" && !Array.isArray(item) && typeof item["$PropertyPath"] === "string") return [item["$PropertyPath"]];
          return [];
        })
      : [];
    if (paths.length > 0) return paths;
    const type = this.entityType(entitySet.entityType);
    return type ? this.propertiesOf(type).filter((p) => p.concurrencyMode === "Fixed").map((p) => p.name) : [];
  }

  /**
   * The value of an annotation on a model element, the term by full name or alias
   * (`"Core.Computed"`, `"Capabilities.InsertRestrictions#q"`); `undefined` when it is absent.
   * @example model.annotation(model.entitySet("Books")!, "Capabilities.InsertRestrictions")
   */
  annotation(element: Annotatable, term: string): AnnotationValue | undefined {
    const hash = term.indexOf("#");
    const name = this.resolveName(hash < 0 ? term : term.slice(0, hash));
    const key = hash < 0 ? name : `${name}${term.slice(hash)}`;
    return Object.hasOwn(element.annotations, key) ? element.annotations[key] : undefined;
  }

  #set(set: string | EntitySet, method: string): EntitySet {
    if (typeof set !== "string") return set;
    const found = this.entitySet(set);
    if (!found) throw lookupError(`${method}: there is no entity set ${JSON.stringify(set)} in the model`);
    return found;
  }

  #structured(type: string | StructuredType, method: string): StructuredType {
    if (typeof type !== "string") return type;
    const found = this.#types.get(this.resolveName(type));
    if (!found || (found.kind !== "EntityType" && found.kind !== "ComplexType")) {
      throw lookupError(`${method}: there is no entity or complex type ${JSON.stringify(type)} in the model`);
    }
    return found;
  }

  /** The type and its base types, the type itself first; stops at a cycle or an unknown base. */
  #lineage(type: StructuredType): StructuredType[] {
    const chain: StructuredType[] = [];
    let current: StructuredType | undefined = type;
    while (current && !chain.includes(current)) {
      chain.push(current);
      const base: AnyType | undefined = current.baseType === undefined ? undefined : this.#types.get(current.baseType);
      current = base && (base.kind === "EntityType" || base.kind === "ComplexType") ? base : undefined;
    }
    return chain;
  }
}

/**
 * Adds `value` to the list of `key` in `map`, making the list with its first value.
 * @internal Not exported from the package.
 */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function lookupError(message: string): ODataClientError {
  return new ODataClientError("METADATA_LOOKUP", message);
}
