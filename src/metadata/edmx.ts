/**
 * Reading EDMX (`$metadata` as XML) into the service model: OData v4 CSDL XML, and the CSDL of
 * OData v2 (and v3), whose associations, association sets and function imports are turned into
 * the v4 shapes (navigation targets and bindings, actions and functions with imports). SAP's
 * `sap:*` attributes are kept as they are and the entity-set ones are also read as the
 * `Capabilities` annotations they stand for.
 */
import { ODataClientError } from "../errors.js";
import { attributeValue, parseXml, textContent, type XmlElement } from "../payload/xml.js";
import type {
  ActionImport,
  AnnotationValue,
  Annotations,
  ComplexType,
  EntityContainer,
  EntitySet,
  EntityType,
  EnumType,
  FunctionImport,
  MetadataReference,
  NavigationProperty,
  Operation,
  Parameter,
  Property,
  Schema,
  ServiceModelData,
  Singleton,
  TypeDefinition,
  TypeFacets,
  TypeReference,
} from "./model.js";
import { pushTo } from "./model.js";
import { appendMembers, applyTargetedAnnotations, inheritContainerMembers, NameResolver, noMembers, normaliseTarget, type TargetedAnnotations } from "./targets.js";
import { applyFacetDefaults, defaultValueText, enumValueFits, MAX_NESTING, normaliseLineEnds, numberOf, scaleOf, setMember, sridOf, XML_INTEGER } from "./values.js";
import { clipText } from "../util/redact.js";

const EDMX_V4 = "http://docs.oasis-open.org/odata/ns/edmx";
const EDM_V4 = "http://docs.oasis-open.org/odata/ns/edm";
const EDMX_V2 = "http://schemas.microsoft.com/ado/2007/06/edmx";
/** SAP Gateway's v2 documents bind their root to the v2 namespace and their references to the v4 one. */
const EDMX_NAMESPACES = new Set([EDMX_V4, EDMX_V2]);
const METADATA_V2 = "http://schemas.microsoft.com/ado/2007/08/dataservices/metadata";
const SAP = "http://www.sap.com/Protocols/SAPData";

/** The CSDL namespaces of the 2006-2009 vintages (OData v1 to v3) and of OData v4. */
const EDM_NAMESPACES = new Set([
  EDM_V4,
  "http://schemas.microsoft.com/ado/2006/04/edm",
  "http://schemas.microsoft.com/ado/2007/05/edm",
  "http://schemas.microsoft.com/ado/2008/01/edm",
  "http://schemas.microsoft.com/ado/2008/09/edm",
  "http://schemas.microsoft.com/ado/2009/11/edm",
]);

/** A BAD_METADATA error that says what is wrong and where (element, name, character offset). */
export function badMetadata(what: string, cause?: unknown): ODataClientError {
  return new ODataClientError("BAD_METADATA", `the service metadata cannot be read: ${what}`, cause === undefined ? undefined : { cause });
}

function where(element: XmlElement): string {
  const name = attributeValue(element, "", "Name");
  return `<${element.name}${name === undefined ? "" : ` Name="${name}"`}> at character offset ${element.offset}`;
}

/** Reads an EDMX document. */
export function readEdmx(text: string): ServiceModelData {
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (error) {
    throw badMetadata(error instanceof Error ? error.message : String(error), error);
  }
  if (root.local !== "Edmx" || (root.namespace !== EDMX_V4 && root.namespace !== EDMX_V2)) {
    throw badMetadata(`the root element is <${root.name}> in namespace ${JSON.stringify(root.namespace)}, not edmx:Edmx`);
  }
  const v4 = root.namespace === EDMX_V4;
  const dataServices = edmxChildren(root, "DataServices")[0];
  if (!dataServices) throw badMetadata(`<${root.name}> has no edmx:DataServices element`);

  const resolver = new NameResolver();
  const references: MetadataReference[] = [];
  for (const reference of edmxChildren(root, "Reference")) {
    const uri = attributeValue(reference, "", "Uri") ?? attributeValue(reference, "", "Url");
    if (uri === undefined) throw badMetadata(`${where(reference)} has no Uri`);
    const includes: MetadataReference["includes"] = [];
    for (const include of edmxChildren(reference, "Include")) {
      const namespace = required(include, "Namespace");
      const alias = attributeValue(include, "", "Alias");
      resolver.addNamespace(namespace);
      if (alias !== undefined) resolver.addAlias(alias, namespace);
      includes.push(alias === undefined ? { namespace } : { namespace, alias });
    }
    references.push({ uri, includes });
  }

  const schemaElements = edmChildren(dataServices, "Schema");
  if (schemaElements.length === 0) throw badMetadata("edmx:DataServices has no Schema element");
  for (const element of schemaElements) {
    const namespace = required(element, "Namespace");
    const alias = attributeValue(element, "", "Alias");
    resolver.addNamespace(namespace);
    if (alias !== undefined) resolver.addAlias(alias, namespace);
    // CSDL 1.0 to 3.0 (OData v2, v3) name another schema's namespace by an alias with <Using>, as
    // v4 does with edmx:Include: `Type="T.Address"` after `<Using Namespace="Shop.Types" Alias="T"/>`.
    // Taken for the whole document, as an Include's alias is; a document that gave one alias to two
    // namespaces in two schemas would have the later one win.
    if (!v4) for (const using of edmChildren(element, "Using")) resolver.addAlias(required(using, "Alias"), required(using, "Namespace"));
  }

  const reader = new EdmxReader(resolver, v4);
  const schemas = schemaElements.map((element) => reader.schema(element));
  const extendsProblem = inheritContainerMembers(schemas, (container) => reader.whereContainer(container));
  if (extendsProblem !== undefined) throw badMetadata(extendsProblem);
  const v2Types = v4 ? undefined : reader.finishV2(schemas);
  // Every container read is a target, a v2 schema's second one too, which no schema keeps.
  applyTargetedAnnotations(schemas, reader.targeted, reader.containers());
  const container = v4 ? serviceContainer(schemas) : reader.defaultContainer(schemas);
  if (container && !v4) gatherV2Containers(container, reader.containers());
  // After the targeted annotations: a term the document states in an Annotations block is the
  // document's word, which the sap: attributes only add to (see sapCapabilities). A set the
  // default container gathered from another is listed twice, and annotated once.
  if (v2Types) {
    const sets = new Set(schemas.flatMap((schema) => schema.entityContainer?.entitySets ?? []));
    for (const set of sets) sapCapabilities(set, lineageOf(v2Types, set.entityType));
  }

  const version = v4 ? (attributeValue(root, "", "Version") ?? "4.0") : (attributeValue(dataServices, METADATA_V2, "DataServiceVersion") ?? "1.0");
  const data: ServiceModelData = { format: "edmx", odataVersion: version, references, schemas };
  if (container) data.entityContainer = container.qualifiedName;
  return data;
}

/**
 * OData 1.0 to 3.0 let a schema hold several containers, of which one is the default
 * (`m:IsDefaultEntityContainer`); SAP Gateway serves the members of every one at the service root,
 * by their plain names. So the default container lists the other containers' entity sets and
 * imports after its own, the same objects, leaving out a name one listed before already has, of
 * whichever kind (its own first; see appendMembers). A container of another schema keeps its members too; a second one of the default's
 * schema, which no schema keeps, lives on in them.
 */
function gatherV2Containers(service: EntityContainer, containers: readonly EntityContainer[]): void {
  const taken = new Set<string>();
  const lists = noMembers();
  appendMembers(lists, service, taken);
  for (const other of containers) if (other !== service) appendMembers(lists, other, taken);
  Object.assign(service, lists);
}

/**
 * The container of a v4 service: the first that no other container of the document extends (a
 * document that declares a base container beside the one extending it serves the extending one).
 */
function serviceContainer(schemas: Schema[]): EntityContainer | undefined {
  const containers = schemas.flatMap((schema) => (schema.entityContainer ? [schema.entityContainer] : []));
  const extended = new Set(containers.map((container) => container.extends));
  return containers.find((container) => !extended.has(container.qualifiedName)) ?? containers[0];
}

/** Child elements in either EDMX namespace with this local name (each element's own binding of its prefix counts). */
function edmxChildren(element: XmlElement, local: string): XmlElement[] {
  const found: XmlElement[] = [];
  for (const child of element.children) {
    if (typeof child !== "string" && child.local === local && EDMX_NAMESPACES.has(child.namespace)) found.push(child);
  }
  return found;
}

/** Child elements in any CSDL namespace with this local name. */
function edmChildren(element: XmlElement, local: string): XmlElement[] {
  const found: XmlElement[] = [];
  for (const child of element.children) {
    if (typeof child !== "string" && child.local === local && EDM_NAMESPACES.has(child.namespace)) found.push(child);
  }
  return found;
}

function required(element: XmlElement, attribute: string): string {
  const value = attributeValue(element, "", attribute);
  if (value === undefined || value === "") throw badMetadata(`${where(element)} has no ${attribute} attribute`);
  return value;
}

function booleanAttribute(element: XmlElement, attribute: string, fallback: boolean): boolean {
  const value = attributeValue(element, "", attribute);
  if (value === undefined) return fallback;
  const read = xsBoolean(value);
  if (read === undefined) throw badMetadata(`${where(element)} has ${attribute}=${JSON.stringify(value)}, which is not true or false`);
  return read;
}

/**
 * An xs:boolean, the type the schemas give every boolean of a `$metadata` document (the facets,
 * an annotation's `Bool`, the `m:` attributes of v2): 1 and 0 are written for true and false too,
 * and white space around the value is collapsed away. `undefined` for anything else.
 */
function xsBoolean(value: string): boolean | undefined {
  const text = value.trim();
  if (text === "true" || text === "1") return true;
  if (text === "false" || text === "0") return false;
  return undefined;
}

/** A v2 document's `m:` boolean attribute (`m:HasStream`, `m:IsDefaultEntityContainer`); absent or not a boolean is false. */
function metadataFlag(element: XmlElement, attribute: string): boolean {
  const value = attributeValue(element, METADATA_V2, attribute);
  return value !== undefined && xsBoolean(value) === true;
}

function integer(element: XmlElement, attribute: string, value: string): number {
  if (!/^\d+$/.test(value)) throw badMetadata(`${where(element)} has ${attribute}=${JSON.stringify(value)}, which is not a non-negative integer`);
  return safeInteger(element, attribute, value, Number(value));
}

/** Digits as an error shows them: a long run cut, with its length. */
function shownDigits(value: string): string {
  return value.length > 24 ? `${JSON.stringify(`${value.slice(0, 20)}…`)} (${value.length} digits)` : JSON.stringify(value);
}

/**
 * `number`, read from the digits `value`, if it is exact: a larger one would be rounded, or be
 * Infinity, which JSON turns into null, so the model would not survive its own JSON form (the CSDL
 * JSON reader refuses such numbers as well).
 */
function safeInteger(element: XmlElement, attribute: string, value: string, number: number): number {
  if (Number.isSafeInteger(number)) return number;
  throw badMetadata(`${where(element)} has ${attribute}=${shownDigits(value)}, which is larger than the largest integer kept exactly (${Number.MAX_SAFE_INTEGER})`);
}

function sapAttributes(element: XmlElement): Record<string, string> | undefined {
  let sap: Record<string, string> | undefined;
  for (const attribute of element.attributes) {
    if (attribute.namespace === SAP) setMember((sap ??= {}), attribute.local, attribute.value);
  }
  return sap;
}

/** v2 association ends and constraints, by qualified association name. */
interface Association {
  ends: Map<string, { type: string; multiplicity: string }>;
  constraint?: { principal: string; dependent: string; pairs: { principal: string; dependent: string }[] };
}

class EdmxReader {
  readonly targeted: TargetedAnnotations[] = [];
  readonly #resolver: NameResolver;
  readonly #v4: boolean;
  readonly #associations = new Map<string, Association>();
  readonly #associationSets: { container: EntityContainer; association: string; ends: Map<string, string> }[] = [];
  readonly #defaultContainers = new Set<EntityContainer>();
  readonly #containerElements = new Map<EntityContainer, XmlElement>();
  /** How many expressions the one being read is inside of. */
  #nesting = 0;

  constructor(resolver: NameResolver, v4: boolean) {
    this.#resolver = resolver;
    this.#v4 = v4;
  }

  schema(element: XmlElement): Schema {
    const namespace = required(element, "Namespace");
    const alias = attributeValue(element, "", "Alias");
    const schema: Schema = {
      namespace,
      entityTypes: [],
      complexTypes: [],
      enumTypes: [],
      typeDefinitions: [],
      actions: [],
      functions: [],
      annotations: this.#inlineAnnotations(element),
      externalAnnotations: {},
    };
    if (alias !== undefined) schema.alias = alias;
    for (const child of element.children) {
      if (typeof child === "string" || !EDM_NAMESPACES.has(child.namespace)) continue;
      switch (child.local) {
        case "EntityType":
          schema.entityTypes.push(this.#entityType(child, namespace));
          break;
        case "ComplexType":
          schema.complexTypes.push(this.#complexType(child, namespace));
          break;
        case "EnumType":
          schema.enumTypes.push(this.#enumType(child, namespace));
          break;
        case "TypeDefinition":
          schema.typeDefinitions.push(this.#typeDefinition(child, namespace));
          break;
        case "Action":
          schema.actions.push(this.#operation(child, namespace, "Action"));
          break;
        case "Function":
          schema.functions.push(this.#operation(child, namespace, "Function"));
          break;
        case "EntityContainer": {
          if (schema.entityContainer && this.#v4) throw badMetadata(`${where(child)}: the schema ${namespace} has a second entity container`);
          const container = this.#container(child, schema);
          if (!schema.entityContainer || metadataFlag(child, "IsDefaultEntityContainer")) schema.entityContainer = container;
          break;
        }
        case "Association":
          this.#association(child, namespace);
          break;
        case "Annotations": {
          const target = required(child, "Target");
          // A Qualifier on the block qualifies every annotation in it (CSDL XML 4.01 §14.3.1).
          const qualifier = attributeValue(child, "", "Qualifier");
          this.targeted.push({ target: this.#resolver.target(target), annotations: this.#inlineAnnotations(child, qualifier), schema });
          break;
        }
      }
    }
    // CSDL JSON lists the overloads of one name together; so does the model, whatever the order
    // of the XML elements.
    schema.actions = groupOverloads(schema.actions);
    schema.functions = groupOverloads(schema.functions);
    return schema;
  }

  /** Where the element of a container read here is, for error messages. */
  whereContainer(container: EntityContainer): string {
    const element = this.#containerElements.get(container);
    return element === undefined ? `the entity container ${container.qualifiedName}` : where(element);
  }

  /** Every container read, in document order, those no schema keeps (a v2 schema's second one) too. */
  containers(): EntityContainer[] {
    return [...this.#containerElements.keys()];
  }

  /** The v2 default container (`m:IsDefaultEntityContainer`), else the first. */
  defaultContainer(schemas: Schema[]): EntityContainer | undefined {
    const containers = schemas.flatMap((s) => (s.entityContainer ? [s.entityContainer] : []));
    return containers.find((c) => this.#defaultContainers.has(c)) ?? containers[0];
  }

  #structured(element: XmlElement, namespace: string) {
    const name = required(element, "Name");
    const base = {
      name,
      qualifiedName: `${namespace}.${name}`,
      abstract: booleanAttribute(element, "Abstract", false),
      openType: booleanAttribute(element, "OpenType", false),
      properties: edmChildren(element, "Property").map((p) => this.#property(p)),
      navigationProperties: edmChildren(element, "NavigationProperty").map((p) => this.#navigationProperty(p)),
      annotations: this.#inlineAnnotations(element),
    };
    const baseType = attributeValue(element, "", "BaseType");
    const sap = sapAttributes(element);
    return { ...base, ...(baseType === undefined ? {} : { baseType: this.#resolver.name(baseType) }), ...(sap ? { sap } : {}) };
  }

  #entityType(element: XmlElement, namespace: string): EntityType {
    const key = edmChildren(element, "Key")[0];
    const refs = key ? edmChildren(key, "PropertyRef") : [];
    return {
      kind: "EntityType",
      ...this.#structured(element, namespace),
      key: refs.map((ref) => {
        const path = required(ref, "Name");
        return { name: attributeValue(ref, "", "Alias") ?? path, path };
      }),
      hasStream: booleanAttribute(element, "HasStream", false) || metadataFlag(element, "HasStream"),
    };
  }

  #complexType(element: XmlElement, namespace: string): ComplexType {
    return { kind: "ComplexType", ...this.#structured(element, namespace) };
  }

  #enumType(element: XmlElement, namespace: string): EnumType {
    const name = required(element, "Name");
    const underlyingType = attributeValue(element, "", "UnderlyingType") ?? "Edm.Int32";
    let next = 0;
    const members = edmChildren(element, "Member").map((member) => {
      const raw = attributeValue(member, "", "Value");
      if (raw !== undefined && !XML_INTEGER.test(raw)) throw badMetadata(`${where(member)} has Value=${JSON.stringify(clipText(raw, 40))}, which is not an integer`);
      const value = raw === undefined ? next : Number(raw);
      if (!enumValueFits(value, underlyingType)) {
        const given = raw === undefined ? `the value ${value} that follows the member before it` : `Value=${JSON.stringify(clipText(raw, 40))}`;
        throw badMetadata(`${where(member)} has ${given}, which its enumeration's ${underlyingType} does not hold`);
      }
      next = value + 1;
      return { name: required(member, "Name"), value, annotations: this.#inlineAnnotations(member) };
    });
    return {
      kind: "EnumType",
      name,
      qualifiedName: `${namespace}.${name}`,
      underlyingType,
      isFlags: booleanAttribute(element, "IsFlags", false),
      members,
      annotations: this.#inlineAnnotations(element),
    };
  }

  #typeDefinition(element: XmlElement, namespace: string): TypeDefinition {
    const name = required(element, "Name");
    const underlyingType = this.#resolver.name(required(element, "UnderlyingType"));
    const { nullable: _nullable, ...facets } = this.#facets(element, underlyingType);
    return {
      kind: "TypeDefinition",
      name,
      qualifiedName: `${namespace}.${name}`,
      underlyingType,
      ...facets,
      annotations: this.#inlineAnnotations(element),
    };
  }

  /** The facets written on an element, and the defaults CSDL XML gives those that are not, for a value of `type`. */
  #facets(element: XmlElement, type: string): TypeFacets {
    const facets: TypeFacets = { nullable: booleanAttribute(element, "Nullable", true) };
    const maxLength = attributeValue(element, "", "MaxLength");
    if (maxLength !== undefined) facets.maxLength = maxLength.toLowerCase() === "max" ? "max" : integer(element, "MaxLength", maxLength);
    const precision = attributeValue(element, "", "Precision");
    if (precision !== undefined) facets.precision = integer(element, "Precision", precision);
    const scale = attributeValue(element, "", "Scale");
    if (scale !== undefined) {
      const value = scaleOf(scale);
      if (value === undefined) throw badMetadata(`${where(element)} has Scale=${JSON.stringify(scale)}, which is not a non-negative integer, variable or floating`);
      facets.scale = typeof value === "number" ? safeInteger(element, "Scale", scale, value) : value;
    }
    const srid = attributeValue(element, "", "SRID");
    if (srid !== undefined) facets.srid = sridOf(srid);
    // Unicode is kept only where it says false: true is what its absence means in both forms.
    if (!booleanAttribute(element, "Unicode", true)) facets.unicode = false;
    applyFacetDefaults(facets, type, this.#v4 ? "xml-v4" : "xml-v2");
    return facets;
  }

  #typeReference(element: XmlElement, attribute = "Type"): TypeReference {
    const written = this.#resolver.name(required(element, attribute));
    const collection = /^Collection\((.+)\)$/.exec(written);
    const type = collection?.[1] ?? written;
    return { type, collection: collection !== null, ...this.#facets(element, type) };
  }

  #property(element: XmlElement): Property {
    const property: Property = { name: required(element, "Name"), ...this.#typeReference(element), annotations: this.#inlineAnnotations(element) };
    const defaultValue = attributeValue(element, "", "DefaultValue");
    if (defaultValue !== undefined) property.defaultValue = defaultValueText(defaultValue, property.type);
    if (attributeValue(element, "", "ConcurrencyMode") === "Fixed") property.concurrencyMode = "Fixed";
    const sap = sapAttributes(element);
    if (sap) property.sap = sap;
    return property;
  }

  #navigationProperty(element: XmlElement): NavigationProperty {
    const name = required(element, "Name");
    if (!this.#v4) {
      // v2: the target and multiplicity come from the association, read in finishV2.
      const navigation: NavigationProperty = {
        name,
        type: "",
        collection: false,
        nullable: true,
        referentialConstraints: [],
        annotations: this.#inlineAnnotations(element),
        association: {
          name: this.#resolver.name(required(element, "Relationship")),
          fromRole: required(element, "FromRole"),
          toRole: required(element, "ToRole"),
        },
      };
      const sap = sapAttributes(element);
      if (sap) navigation.sap = sap;
      return navigation;
    }
    const { type, collection, nullable } = this.#typeReference(element);
    const navigation: NavigationProperty = {
      name,
      type,
      collection,
      // A collection is never null (CSDL forbids Nullable on a collection-valued navigation property).
      nullable: nullable && !collection,
      referentialConstraints: edmChildren(element, "ReferentialConstraint").map((c) => ({
        property: required(c, "Property"),
        referencedProperty: required(c, "ReferencedProperty"),
      })),
      annotations: this.#inlineAnnotations(element),
    };
    const partner = attributeValue(element, "", "Partner");
    if (partner !== undefined) navigation.partner = this.#resolver.path(partner);
    if (attributeValue(element, "", "ContainsTarget") !== undefined) navigation.containsTarget = booleanAttribute(element, "ContainsTarget", false);
    const onDelete = edmChildren(element, "OnDelete")[0];
    if (onDelete) navigation.onDelete = required(onDelete, "Action");
    return navigation;
  }

  #operation(element: XmlElement, namespace: string, kind: "Action" | "Function"): Operation {
    const name = required(element, "Name");
    const operation: Operation = {
      kind,
      name,
      qualifiedName: `${namespace}.${name}`,
      bound: booleanAttribute(element, "IsBound", false),
      parameters: edmChildren(element, "Parameter").map((p) => this.#parameter(p)),
      annotations: this.#inlineAnnotations(element),
    };
    if (kind === "Function") operation.composable = booleanAttribute(element, "IsComposable", false);
    const entitySetPath = attributeValue(element, "", "EntitySetPath");
    if (entitySetPath !== undefined) operation.entitySetPath = this.#resolver.path(entitySetPath);
    const returnType = edmChildren(element, "ReturnType")[0];
    if (returnType) operation.returnType = this.#typeReference(returnType);
    if (operation.bound && operation.parameters.length === 0) throw badMetadata(`${where(element)} is bound but has no binding parameter`);
    return operation;
  }

  #parameter(element: XmlElement): Parameter {
    return { name: required(element, "Name"), ...this.#typeReference(element), annotations: this.#inlineAnnotations(element) };
  }

  #container(element: XmlElement, schema: Schema): EntityContainer {
    const name = required(element, "Name");
    const qualifiedName = `${schema.namespace}.${name}`;
    const container: EntityContainer = {
      name,
      qualifiedName,
      entitySets: [],
      singletons: [],
      actionImports: [],
      functionImports: [],
      annotations: this.#inlineAnnotations(element),
    };
    const extendsName = attributeValue(element, "", "Extends");
    if (extendsName !== undefined) container.extends = this.#resolver.name(extendsName);
    if (metadataFlag(element, "IsDefaultEntityContainer")) this.#defaultContainers.add(container);
    this.#containerElements.set(container, element);
    // The names of the container's imports so far: v2 overloads share one import.
    const importNames = new Set<string>();
    for (const child of element.children) {
      if (typeof child === "string" || !EDM_NAMESPACES.has(child.namespace)) continue;
      switch (child.local) {
        case "EntitySet": {
          const set: EntitySet = {
            kind: "EntitySet",
            name: required(child, "Name"),
            entityType: this.#resolver.name(required(child, "EntityType")),
            navigationPropertyBindings: this.#bindings(child, qualifiedName),
            includeInServiceDocument: booleanAttribute(child, "IncludeInServiceDocument", true),
            annotations: this.#inlineAnnotations(child),
          };
          const sap = sapAttributes(child);
          if (sap) set.sap = sap;
          container.entitySets.push(set);
          break;
        }
        case "Singleton": {
          const singleton: Singleton = {
            kind: "Singleton",
            name: required(child, "Name"),
            type: this.#resolver.name(required(child, "Type")),
            nullable: booleanAttribute(child, "Nullable", false),
            navigationPropertyBindings: this.#bindings(child, qualifiedName),
            annotations: this.#inlineAnnotations(child),
          };
          container.singletons.push(singleton);
          break;
        }
        case "ActionImport": {
          const item: ActionImport = {
            kind: "ActionImport",
            name: required(child, "Name"),
            action: this.#resolver.name(required(child, "Action")),
            annotations: this.#inlineAnnotations(child),
          };
          const entitySet = attributeValue(child, "", "EntitySet");
          if (entitySet !== undefined) item.entitySet = normaliseTarget(this.#resolver, entitySet, qualifiedName);
          container.actionImports.push(item);
          importNames.add(item.name);
          break;
        }
        case "FunctionImport":
          if (this.#v4) container.functionImports.push(this.#functionImport(child, qualifiedName));
          else this.#v2FunctionImport(child, container, schema, importNames);
          break;
        case "AssociationSet": {
          const ends = new Map<string, string>();
          for (const end of edmChildren(child, "End")) ends.set(required(end, "Role"), required(end, "EntitySet"));
          this.#associationSets.push({ container, association: this.#resolver.name(required(child, "Association")), ends });
          break;
        }
      }
    }
    return container;
  }

  /** The bindings of an entity set or singleton of `container`, their targets in the normal form. */
  #bindings(element: XmlElement, container: string) {
    return edmChildren(element, "NavigationPropertyBinding").map((b) => ({
      path: this.#resolver.path(required(b, "Path")),
      target: normaliseTarget(this.#resolver, required(b, "Target"), container),
    }));
  }

  #functionImport(element: XmlElement, container: string): FunctionImport {
    const item: FunctionImport = {
      kind: "FunctionImport",
      name: required(element, "Name"),
      function: this.#resolver.name(required(element, "Function")),
      includeInServiceDocument: booleanAttribute(element, "IncludeInServiceDocument", false),
      annotations: this.#inlineAnnotations(element),
    };
    const entitySet = attributeValue(element, "", "EntitySet");
    if (entitySet !== undefined) item.entitySet = normaliseTarget(this.#resolver, entitySet, container);
    return item;
  }

  /**
   * A FunctionImport of CSDL 1.0 to 3.0 becomes an operation of the container's schema and, unless
   * it is bound, its import. With `m:HttpMethod` it is a service operation (OData v1 and v2, and
   * SAP Gateway): a function when called with GET, an action otherwise. Without it, it is an OData
   * v3 action or function: a function only when `IsSideEffecting="false"` (the attribute defaults
   * to true), bound to its first parameter when `IsBindable="true"`.
   */
  #v2FunctionImport(element: XmlElement, container: EntityContainer, schema: Schema, importNames: Set<string>): void {
    const name = required(element, "Name");
    const declared = attributeValue(element, METADATA_V2, "HttpMethod")?.toUpperCase();
    const kind = declared !== undefined ? (declared === "GET" ? "Function" : "Action") : booleanAttribute(element, "IsSideEffecting", true) ? "Action" : "Function";
    const bound = declared === undefined && booleanAttribute(element, "IsBindable", false);
    const operation: Operation = {
      kind,
      name,
      qualifiedName: `${schema.namespace}.${name}`,
      bound,
      parameters: edmChildren(element, "Parameter").map((p) => this.#parameter(p)),
      annotations: this.#inlineAnnotations(element),
    };
    if (bound && operation.parameters.length === 0) throw badMetadata(`${where(element)} is bindable but has no parameter to bind`);
    if (kind === "Function") operation.composable = booleanAttribute(element, "IsComposable", false);
    // CSDL 3.0 also allows the return type as a child element.
    const returnTypeElement = edmChildren(element, "ReturnType")[0];
    if (attributeValue(element, "", "ReturnType") !== undefined) operation.returnType = this.#typeReference(element, "ReturnType");
    else if (returnTypeElement) operation.returnType = this.#typeReference(returnTypeElement);
    const entitySet = attributeValue(element, "", "EntitySet");
    // A bound operation's EntitySet is a path from its binding parameter, as v4's EntitySetPath.
    if (bound && entitySet !== undefined) operation.entitySetPath = this.#resolver.path(entitySet);
    const sap = sapAttributes(element);
    if (sap) operation.sap = sap;
    (kind === "Function" ? schema.functions : schema.actions).push(operation);
    // Bound operations have no import; overloads share one.
    if (bound || importNames.has(name)) return;
    importNames.add(name);
    const method = declared === undefined ? {} : { httpMethod: declared };
    const set = entitySet === undefined ? {} : { entitySet: normaliseTarget(this.#resolver, entitySet, container.qualifiedName) };
    if (kind === "Function") {
      container.functionImports.push({ kind: "FunctionImport", name, function: operation.qualifiedName, includeInServiceDocument: false, annotations: {}, ...method, ...set });
    } else {
      container.actionImports.push({ kind: "ActionImport", name, action: operation.qualifiedName, annotations: {}, ...method, ...set });
    }
  }

  #association(element: XmlElement, namespace: string): void {
    const name = required(element, "Name");
    const association: Association = { ends: new Map() };
    for (const end of edmChildren(element, "End")) {
      association.ends.set(required(end, "Role"), { type: this.#resolver.name(required(end, "Type")), multiplicity: required(end, "Multiplicity") });
    }
    const constraint = edmChildren(element, "ReferentialConstraint")[0];
    if (constraint) {
      const principal = edmChildren(constraint, "Principal")[0];
      const dependent = edmChildren(constraint, "Dependent")[0];
      if (!principal || !dependent) throw badMetadata(`${where(constraint)} in the association ${name} needs a Principal and a Dependent`);
      const principalRefs = edmChildren(principal, "PropertyRef").map((r) => required(r, "Name"));
      const dependentRefs = edmChildren(dependent, "PropertyRef").map((r) => required(r, "Name"));
      association.constraint = {
        principal: required(principal, "Role"),
        dependent: required(dependent, "Role"),
        pairs: principalRefs.map((p, i) => ({ principal: p, dependent: dependentRefs[i] ?? "" })),
      };
    }
    this.#associations.set(`${namespace}.${name}`, association);
  }

  /**
   * v2: navigation properties get their target type, multiplicity, referential constraints and
   * partner from their association; association sets become navigation property bindings.
   * Returns the entity types by qualified name (the first of each name), for the SAP attributes
   * to be read once the targeted annotations are in.
   */
  finishV2(schemas: Schema[]): Map<string, EntityType> {
    // Indexes, not searches: a document of some thousands of entity types and associations made
    // a search per navigation property and association set quadratic (16,000 types took seconds).
    const types = new Map<string, EntityType>();
    const navigations = new Map<EntityType, Map<string, NavigationProperty[]>>();
    for (const schema of schemas) {
      for (const type of schema.entityTypes) {
        // The first type of a name is the one a reference finds, as a search in document order did.
        if (!types.has(type.qualifiedName)) types.set(type.qualifiedName, type);
        const byEnd = new Map<string, NavigationProperty[]>();
        for (const navigation of type.navigationProperties) {
          if (navigation.association) pushTo(byEnd, associationEnd(navigation.association.name, navigation.association.fromRole), navigation);
        }
        navigations.set(type, byEnd);
      }
    }
    /** The navigation properties of `type` that leave from `role` of `association`, in document order. */
    const leaving = (type: EntityType, association: string, role: string) => navigations.get(type)?.get(associationEnd(association, role)) ?? [];

    for (const type of navigations.keys()) {
      for (const navigation of type.navigationProperties) {
        const link = navigation.association;
        if (!link) continue;
        const association = this.#associations.get(link.name);
        const target = association?.ends.get(link.toRole);
        if (!association || !target) {
          throw badMetadata(`the navigation property ${type.qualifiedName}/${navigation.name} refers to the association ${link.name} role ${link.toRole}, which is not declared`);
        }
        navigation.type = target.type;
        navigation.collection = target.multiplicity === "*";
        navigation.nullable = target.multiplicity === "0..1";
        const constraint = association.constraint;
        if (constraint && constraint.dependent === link.fromRole && constraint.principal === link.toRole) {
          navigation.referentialConstraints = constraint.pairs.map((pair) => ({ property: pair.dependent, referencedProperty: pair.principal }));
        }
        const targetType = types.get(target.type);
        const partner = targetType && leaving(targetType, link.name, link.toRole).find((n) => n !== navigation);
        if (partner) navigation.partner = partner.name;
      }
    }

    const setsByContainer = new Map<EntityContainer, Map<string, EntitySet>>();
    const boundPaths = new Map<EntitySet, Set<string>>();
    for (const { container, association, ends } of this.#associationSets) {
      if (!this.#associations.has(association)) continue;
      let sets = setsByContainer.get(container);
      if (!sets) {
        sets = new Map();
        for (const set of container.entitySets) if (!sets.has(set.name)) sets.set(set.name, set);
        setsByContainer.set(container, sets);
      }
      for (const [role, setName] of ends) {
        const set = sets.get(setName);
        const type = set && types.get(set.entityType);
        if (!set || !type) continue;
        const targetSet = ends.get(otherRole(ends, role));
        if (targetSet === undefined) continue;
        let paths = boundPaths.get(set);
        if (!paths) {
          paths = new Set(set.navigationPropertyBindings.map((b) => b.path));
          boundPaths.set(set, paths);
        }
        for (const navigation of leaving(type, association, role)) {
          if (paths.has(navigation.name)) continue;
          paths.add(navigation.name);
          set.navigationPropertyBindings.push({ path: navigation.name, target: targetSet });
        }
      }
    }
    return types;
  }

  // --- annotations ----------------------------------------------------------------------------
  //
  // Values take the shape CSDL JSON gives them (OData CSDL JSON 4.01 §14.4 and §14.5), so that a
  // document read from either form gives the same model.

  /**
   * The `Annotation` children of an element (in any CSDL namespace: SAP puts v4 ones into v2
   * documents), each under its full term name and qualifier; `qualifier` is that of the
   * enclosing `Annotations` block, for the annotations that name none of their own.
   */
  #inlineAnnotations(element: XmlElement, qualifier?: string): Annotations {
    const annotations: Annotations = {};
    for (const child of edmChildren(element, "Annotation")) {
      const term = this.#resolver.term(required(child, "Term"));
      const own = attributeValue(child, "", "Qualifier") ?? qualifier;
      const value = this.#valueOf(child);
      // An annotation without a value applies the term's default; for the Tag terms that is true.
      setMember(annotations, own === undefined ? term : `${term}#${own}`, value === undefined ? true : value);
    }
    return annotations;
  }

  /** The annotations of an expression element, as the `@Term` members CSDL JSON gives it. */
  #annotationMembers(element: XmlElement, into: Record<string, AnnotationValue>): Record<string, AnnotationValue> {
    for (const [term, value] of Object.entries(this.#inlineAnnotations(element))) into[`@${term}`] = value;
    return into;
  }

  /**
   * The value of an element that holds one expression (`Annotation`, `PropertyValue`,
   * `LabeledElement`, `UrlRef`): an attribute in attribute notation, or the first expression
   * child; `undefined` when there is none.
   */
  #valueOf(element: XmlElement): AnnotationValue | undefined {
    for (const attribute of element.attributes) {
      // As in element notation, only a string keeps the white space around it (XML Schema
      // collapses it for the other types: `Int=" 5 "` is 5).
      if (attribute.namespace === "" && ATTRIBUTE_EXPRESSIONS.has(attribute.local)) return this.#constant(element, attribute.local, attribute.local === "String" ? attribute.value : attribute.value.trim());
    }
    const expression = firstExpression(element);
    return expression === undefined ? undefined : this.#expression(expression);
  }

  #constant(element: XmlElement, kind: string, text: string): AnnotationValue {
    switch (kind) {
      case "String":
        return normaliseLineEnds(text);
      case "Bool": {
        const value = xsBoolean(text);
        if (value === undefined) throw badMetadata(`${where(element)} has the Bool value ${JSON.stringify(text)}`);
        return value;
      }
      case "Int": {
        const value = /^[-+]?\d+$/.test(text) ? numberOf(text) : undefined;
        if (value === undefined) throw badMetadata(`${where(element)} has the Int value ${JSON.stringify(text)}`);
        // Past the doubles' range it would be Infinity, which the model's JSON form makes null (the
        // CSDL JSON reader refuses it too); below that, beyond 2^53, it is rounded as JSON.parse does.
        if (!Number.isFinite(value)) throw badMetadata(`${where(element)} has the Int value ${shownDigits(text)}, which is beyond Edm.Int64`);
        return value;
      }
      case "Decimal":
      case "Float": {
        // INF, -INF and NaN stay strings, as in CSDL JSON; so does a number past the doubles' range
        // (a decimal may be that large), kept exactly as CSDL JSON's string form of a decimal keeps
        // it, where Infinity would become null in the model's JSON form.
        const value = numberOf(text);
        return value !== undefined && Number.isFinite(value) ? value : text;
      }
      case "EnumMember":
        // "Ns.Type/Member Ns.Type/Other" → "Member,Other", as CSDL JSON writes it.
        return text
          .split(/\s+/)
          .filter((member) => member !== "")
          .map((member) => member.slice(member.lastIndexOf("/") + 1))
          .join(",");
      case "Path":
        return { $Path: this.#resolver.path(text) };
      case "UrlRef":
        return { $UrlRef: text };
      default:
        // Binary, Date, DateTimeOffset, Duration, Guid, TimeOfDay; and the model paths, which CSDL
        // JSON writes as plain strings that cannot be told from text, so they are kept as written.
        return text;
    }
  }

  /** An expression element's value; every nested expression is read through here, which bounds the depth. */
  #expression(element: XmlElement): AnnotationValue {
    if (this.#nesting >= MAX_NESTING) throw badMetadata(`${where(element)} is nested more than ${MAX_NESTING} expressions deep`);
    this.#nesting++;
    try {
      return this.#expressionValue(element);
    } finally {
      this.#nesting--;
    }
  }

  #expressionValue(element: XmlElement): AnnotationValue {
    const kind = element.local;
    // Only a string keeps its white space: the other values' types collapse it (XML Schema).
    if (kind === "String") return normaliseLineEnds(textContent(element));
    if (ATTRIBUTE_EXPRESSIONS.has(kind) && kind !== "UrlRef") return this.#constant(element, kind, textContent(element).trim());
    switch (kind) {
      case "Null": {
        const annotations = this.#annotationMembers(element, {});
        return Object.keys(annotations).length === 0 ? null : { $Null: null, ...annotations };
      }
      case "Collection":
        return expressionChildren(element).map((child) => this.#expression(child));
      case "Record":
        return this.#record(element);
      case "LabeledElementReference":
        return { $LabeledElementReference: this.#resolver.name(textContent(element).trim()) };
      case "LabeledElement":
        return this.#annotationMembers(element, { $LabeledElement: orNull(this.#valueOf(element)), $Name: required(element, "Name") });
      case "UrlRef":
        return this.#annotationMembers(element, { $UrlRef: orNull(this.#valueOf(element)) });
      case "Apply":
        return this.#annotationMembers(element, {
          $Apply: expressionChildren(element).map((child) => this.#expression(child)),
          $Function: this.#resolver.name(required(element, "Function")),
        });
      case "Cast":
      case "IsOf":
        return this.#annotationMembers(element, this.#typeTest(element, kind));
      case "Not":
      case "Neg": {
        const operand = firstExpression(element);
        return this.#annotationMembers(element, { [`$${kind}`]: operand === undefined ? null : this.#expression(operand) });
      }
      default: {
        // If, And, Or, the comparison and the arithmetic operators: their operands in an array.
        // An element this reader does not know takes the same shape, its attributes as members.
        const value: Record<string, AnnotationValue> = { [`$${kind}`]: expressionChildren(element).map((child) => this.#expression(child)) };
        if (!OPERATORS.has(kind)) for (const attribute of element.attributes) if (attribute.namespace === "") value[`$${attribute.local}`] = attribute.value;
        return this.#annotationMembers(element, value);
      }
    }
  }

  #record(element: XmlElement): Record<string, AnnotationValue> {
    const record: Record<string, AnnotationValue> = {};
    const type = attributeValue(element, "", "Type");
    if (type !== undefined) record["@type"] = this.#resolver.name(type);
    for (const property of edmChildren(element, "PropertyValue")) {
      const name = required(property, "Property");
      const value = this.#valueOf(property);
      if (value !== undefined) setMember(record, name, value);
      for (const [term, annotation] of Object.entries(this.#inlineAnnotations(property))) record[`${name}@${term}`] = annotation;
    }
    return this.#annotationMembers(element, record);
  }

  /** `Cast` and `IsOf`: the operand, the type (`$Collection` for a collection) and its facets, none implied. */
  #typeTest(element: XmlElement, kind: "Cast" | "IsOf"): Record<string, AnnotationValue> {
    const operand = firstExpression(element);
    const written = this.#resolver.name(required(element, "Type"));
    const collection = /^Collection\((.+)\)$/.exec(written);
    const value: Record<string, AnnotationValue> = { [`$${kind}`]: operand === undefined ? null : this.#expression(operand), $Type: collection?.[1] ?? written };
    if (collection) value["$Collection"] = true;
    const maxLength = attributeValue(element, "", "MaxLength");
    // "max" has no CSDL JSON form; it says no more than the facet's absence.
    if (maxLength !== undefined && maxLength.toLowerCase() !== "max") value["$MaxLength"] = integer(element, "MaxLength", maxLength);
    const precision = attributeValue(element, "", "Precision");
    if (precision !== undefined) value["$Precision"] = integer(element, "Precision", precision);
    const scale = attributeValue(element, "", "Scale");
    if (scale !== undefined) {
      const read = scaleOf(scale);
      value["$Scale"] = typeof read === "number" ? safeInteger(element, "Scale", scale, read) : (read ?? scale);
    }
    const srid = attributeValue(element, "", "SRID");
    if (srid !== undefined) value["$SRID"] = sridOf(srid);
    if (!booleanAttribute(element, "Unicode", true)) value["$Unicode"] = false;
    return value;
  }
}

/** The constants, paths and `UrlRef`, which may be written as attributes (attribute notation). */
const ATTRIBUTE_EXPRESSIONS = new Set([
  "Binary",
  "Bool",
  "Date",
  "DateTimeOffset",
  "Decimal",
  "Duration",
  "EnumMember",
  "Float",
  "Guid",
  "Int",
  "String",
  "TimeOfDay",
  "AnnotationPath",
  "ModelElementPath",
  "NavigationPropertyPath",
  "Path",
  "PropertyPath",
  "UrlRef",
]);

/** The operators with two operands (and `If`, with two or three), whose element has no attributes. */
const OPERATORS = new Set(["And", "Or", "Eq", "Ne", "Gt", "Ge", "Lt", "Le", "Has", "In", "Add", "Sub", "Mul", "Div", "DivBy", "Mod", "If"]);

/** The child elements of an expression that are expressions (not its annotations). */
function expressionChildren(element: XmlElement): XmlElement[] {
  const found: XmlElement[] = [];
  for (const child of element.children) {
    if (typeof child !== "string" && child.local !== "Annotation" && EDM_NAMESPACES.has(child.namespace)) found.push(child);
  }
  return found;
}

function firstExpression(element: XmlElement): XmlElement | undefined {
  for (const child of element.children) {
    if (typeof child !== "string" && child.local !== "Annotation" && EDM_NAMESPACES.has(child.namespace)) return child;
  }
  return undefined;
}

function orNull(value: AnnotationValue | undefined): AnnotationValue {
  return value === undefined ? null : value;
}

/** The overloads of each name together, names in the order of their first overload. */
function groupOverloads(operations: Operation[]): Operation[] {
  const byName = new Map<string, Operation[]>();
  for (const operation of operations) pushTo(byName, operation.name, operation);
  return byName.size === operations.length ? operations : [...byName.values()].flat();
}

/** One end of a v2 association as a map key; U+0000 cannot occur in an XML document, so no two ends share a key. */
function associationEnd(association: string, role: string): string {
  return `${association}\u0000${role}`;
}

/** The role at the other end of an association set from `role` (itself when the set names no other). */
function otherRole(ends: Map<string, string>, role: string): string {
  for (const other of ends.keys()) if (other !== role) return other;
  return role;
}

/**
 * SAP's v2 entity-set, property and navigation property attributes (`sap:creatable="false"`,
 * `sap:updatable-path`, `sap:filterable="false"`, `sap:requires-filter="true"`...) as the
 * Capabilities annotations they mean ("SAP Annotations for OData Version 2.0"). The document's own
 * annotations, inline or targeted, win: a term it has is kept, and where it is a record the
 * attributes only add the members it lacks (a SortRestrictions of the document without
 * NonSortableProperties gets the properties marked `sap:sortable="false"`): both are the service's
 * word, and the record alone would hide what the attributes say. An attribute left out says
 * nothing here, though SAP's default differs from OData's for `searchable` and `change-tracking`:
 * a v2 document without `sap:` attributes is not made to look restricted.
 */
function sapCapabilities(set: EntitySet, types: readonly EntityType[]): void {
  const annotate = (term: string, value: AnnotationValue) => {
    const key = `Org.OData.Capabilities.V1.${term}`;
    if (!Object.hasOwn(set.annotations, key)) {
      set.annotations[key] = value;
      return;
    }
    const present = set.annotations[key];
    if (!isPlainRecord(present) || !isPlainRecord(value)) return;
    // A copy: the document's record may be shared by the elements an Annotations block targets.
    const merged: Record<string, AnnotationValue> = { ...present };
    let added = false;
    for (const [member, memberValue] of Object.entries(value)) {
      if (Object.hasOwn(merged, member)) continue;
      merged[member] = memberValue;
      added = true;
    }
    if (added) set.annotations[key] = merged;
  };
  const record = (entries: Array<[string, AnnotationValue | undefined]>, term: string) => {
    const value: Record<string, AnnotationValue> = {};
    for (const [member, memberValue] of entries) {
      if (memberValue !== undefined && !(Array.isArray(memberValue) && memberValue.length === 0)) value[member] = memberValue;
    }
    if (Object.keys(value).length > 0) annotate(term, value);
  };
  const sap = set.sap ?? {};
  const flag = (name: string): boolean | undefined => (sap[name] === "true" ? true : sap[name] === "false" ? false : undefined);
  const properties = types.flatMap((type) => type.properties);
  const navigations = types.flatMap((type) => type.navigationProperties);
  const marked = <T extends { name: string; sap?: Record<string, string> | undefined }>(items: readonly T[], name: string, value: string) => items.filter((item) => item.sap?.[name] === value).map((item) => item.name);

  // A navigation property's `creatable-path` names a Boolean property of the source entity; where it
  // is false, no related entity can be created: an item only there, as SAP's UI5 converter writes it.
  const nonInsertable: AnnotationValue[] = navigations.flatMap((navigation): AnnotationValue[] => {
    const creatable = navigation.sap?.["creatable"];
    const path = navigation.sap?.["creatable-path"];
    if (creatable !== undefined && path !== undefined) return [navigation.name];
    if (creatable === "false") return [navigation.name];
    return creatable === undefined && path !== undefined ? [{ $If: [{ $Not: { $Path: path } }, navigation.name] }] : [];
  });
  record(
    [
      ["Insertable", sap["creatable"] === "false" ? false : undefined],
      ["NonInsertableNavigationProperties", nonInsertable],
    ],
    "InsertRestrictions",
  );
  // Both the static attribute and its `-path` form: the document is broken, and SAP's rule is to take
  // the entities as not updatable (deletable); the path alone makes it depend on each entity.
  for (const [verb, term, member] of [
    ["updatable", "UpdateRestrictions", "Updatable"],
    ["deletable", "DeleteRestrictions", "Deletable"],
  ] as const) {
    const path = sap[`${verb}-path`];
    const value = path !== undefined && sap[verb] !== undefined ? false : path !== undefined ? { $Path: path } : sap[verb] === "false" ? false : undefined;
    record([[member, value]], term);
  }
  if (sap["countable"] === "false") annotate("CountRestrictions", { Countable: false });
  if (sap["pageable"] === "false") {
    annotate("TopSupported", false);
    annotate("SkipSupported", false);
  }
  if (sap["topable"] === "false") annotate("TopSupported", false);
  record([["Searchable", flag("searchable")]], "SearchRestrictions");
  record([["Supported", flag("change-tracking")]], "ChangeTracking");
  record(
    [
      ["RequiresFilter", sap["requires-filter"] === "true" ? true : undefined],
      ["RequiredProperties", marked(properties, "required-in-filter", "true")],
      ["NonFilterableProperties", marked(properties, "filterable", "false")],
      [
        "FilterExpressionRestrictions",
        properties.flatMap((property): AnnotationValue[] => {
          const allowed = FILTER_EXPRESSIONS.get(property.sap?.["filter-restriction"] ?? "");
          return allowed === undefined ? [] : [{ Property: property.name, AllowedExpressions: allowed }];
        }),
      ],
    ],
    "FilterRestrictions",
  );
  record([["NonSortableProperties", marked(properties, "sortable", "false")]], "SortRestrictions");
  record(
    [["RestrictedProperties", marked(navigations, "filterable", "false").map((name) => ({ NavigationProperty: name, FilterRestrictions: { Filterable: false } }))]],
    "NavigationRestrictions",
  );
}

/**
 * `sap:filter-restriction` as Capabilities' FilterExpressionType: one `eq`; several `eq` joined by
 * `or` (what `in` says); a `ge` and a `le` joined by `and` (SAP also allows one `eq` there).
 */
const FILTER_EXPRESSIONS: ReadonlyMap<string, string> = new Map([
  ["single-value", "SingleValue"],
  ["multi-value", "MultiValue"],
  ["interval", "SingleRange"],
]);

/**
 * A v2 entity type with its base types, the base types first: a base type's `sap:filterable="false"`
 * holds on the sets of every type derived from it. A base type chain that comes back to a type
 * stops there.
 */
function lineageOf(types: ReadonlyMap<string, EntityType>, qualifiedName: string): EntityType[] {
  const lineage: EntityType[] = [];
  for (let type = types.get(qualifiedName); type && !lineage.includes(type); type = type.baseType === undefined ? undefined : types.get(type.baseType)) lineage.push(type);
  return lineage.reverse();
}

/** A record value (not a collection, a null or a dynamic expression such as `{ $If }` or `{ $Path }`). */
function isPlainRecord(value: AnnotationValue | undefined): value is Record<string, AnnotationValue> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !Object.keys(value).some((key) => key.startsWith("$"));
}
