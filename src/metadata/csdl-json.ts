/**
 * Reading CSDL JSON (OData 4.01 JSON CSDL: `$Version`, `$EntityContainer`, schemas as members,
 * `$Kind`, `$Type`, `$Collection`, `$Nullable`...) into the service model. Defaults differ from
 * CSDL XML and are applied here: `$Type` defaults to `Edm.String`, a missing `$Nullable` means
 * false, a decimal without `$Scale` has a variable scale, and a member without `$Kind` in a
 * structured type is a property.
 */
import type {
  ActionImport,
  AnnotationValue,
  Annotations,
  EntityContainer,
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
  TypeDefinition,
  TypeFacets,
  TypeReference,
} from "./model.js";
import { badMetadata } from "./edmx.js";
import { applyTargetedAnnotations, inheritContainerMembers, NameResolver, normaliseTarget, type TargetedAnnotations } from "./targets.js";
import { applyFacetDefaults, defaultValueText, enumValueFits, MAX_NESTING, normaliseLineEnds, scaleOf, setMember, sridOf } from "./values.js";
import { describe, isRecord } from "../util/values.js";

type JsonObject = Record<string, unknown>;

/** `$["Ns"]["Type"]["$Key"]`-style locations for error messages. */
function at(path: readonly string[]): string {
  return `$${path.map((p) => `[${JSON.stringify(p)}]`).join("")}`;
}

function expectObject(value: unknown, path: readonly string[]): JsonObject {
  if (!isRecord(value)) throw badMetadata(`${at(path)} is ${describe(value)}, not an object`);
  return value;
}

function stringMember(object: JsonObject, name: string, path: readonly string[], fallback?: string): string {
  const value = object[name];
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "string" || value === "") throw badMetadata(`${at([...path, name])} is ${describe(value)}, not a name`);
  return value;
}

function booleanMember(object: JsonObject, name: string, path: readonly string[], fallback: boolean): boolean {
  const value = object[name];
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw badMetadata(`${at([...path, name])} is ${describe(value)}, not true or false`);
  return value;
}

/** Reads a CSDL JSON document (text already parsed). */
export function readCsdlJson(document: unknown): ServiceModelData {
  const root = expectObject(document, []);
  const version = root["$Version"];
  if (typeof version !== "string") throw badMetadata(`$["$Version"] is ${describe(version)}: this is not a CSDL JSON document`);

  const resolver = new NameResolver();
  const references: MetadataReference[] = [];
  const referenceMember = root["$Reference"];
  if (referenceMember !== undefined) {
    for (const [uri, value] of Object.entries(expectObject(referenceMember, ["$Reference"]))) {
      const reference = expectObject(value, ["$Reference", uri]);
      const includes: MetadataReference["includes"] = [];
      const list = reference["$Include"] ?? [];
      if (!Array.isArray(list)) throw badMetadata(`${at(["$Reference", uri, "$Include"])} is not an array`);
      list.forEach((item, i) => {
        const include = expectObject(item, ["$Reference", uri, "$Include", String(i)]);
        const namespace = stringMember(include, "$Namespace", ["$Reference", uri, "$Include", String(i)]);
        const alias = include["$Alias"];
        resolver.addNamespace(namespace);
        if (typeof alias === "string") {
          resolver.addAlias(alias, namespace);
          includes.push({ namespace, alias });
        } else includes.push({ namespace });
      });
      references.push({ uri, includes });
    }
  }

  const schemaEntries = Object.entries(root).filter(([name, value]) => !name.startsWith("$") && !name.startsWith("@") && isRecord(value));
  for (const [namespace, value] of schemaEntries) {
    const alias = (value as JsonObject)["$Alias"];
    resolver.addNamespace(namespace);
    if (typeof alias === "string") resolver.addAlias(alias, namespace);
  }

  const reader = new CsdlJsonReader(resolver);
  const schemas = schemaEntries.map(([namespace, value]) => reader.schema(namespace, value as JsonObject));
  const extendsProblem = inheritContainerMembers(schemas, (container) => {
    const namespace = schemas.find((schema) => schema.entityContainer === container)?.namespace ?? "";
    return at([namespace, container.name]);
  });
  if (extendsProblem !== undefined) throw badMetadata(extendsProblem);
  applyTargetedAnnotations(schemas, reader.targeted);

  const data: ServiceModelData = { format: "csdl-json", odataVersion: version, references, schemas };
  const container = root["$EntityContainer"];
  if (container !== undefined) {
    if (typeof container !== "string") throw badMetadata(`$["$EntityContainer"] is ${describe(container)}, not a qualified name`);
    const resolved = resolver.name(container);
    if (!schemas.some((s) => s.entityContainer?.qualifiedName === resolved)) {
      throw badMetadata(`$["$EntityContainer"] names ${JSON.stringify(container)}, which no schema declares`);
    }
    data.entityContainer = resolved;
  }
  return data;
}

class CsdlJsonReader {
  readonly targeted: TargetedAnnotations[] = [];
  readonly #resolver: NameResolver;

  constructor(resolver: NameResolver) {
    this.#resolver = resolver;
  }

  schema(namespace: string, object: JsonObject): Schema {
    const path = [namespace];
    const schema: Schema = {
      namespace,
      entityTypes: [],
      complexTypes: [],
      enumTypes: [],
      typeDefinitions: [],
      actions: [],
      functions: [],
      annotations: this.#annotations(object),
      externalAnnotations: {},
    };
    if (typeof object["$Alias"] === "string") schema.alias = object["$Alias"];
    for (const [name, value] of Object.entries(object)) {
      if (name.startsWith("$") || name.includes("@")) continue;
      const memberPath = [...path, name];
      const qualifiedName = `${namespace}.${name}`;
      if (Array.isArray(value)) {
        value.forEach((item, i) => {
          const overload = expectObject(item, [...memberPath, String(i)]);
          const kind = overload["$Kind"];
          if (kind !== "Action" && kind !== "Function") throw badMetadata(`${at([...memberPath, String(i), "$Kind"])} is ${describe(kind)}, not "Action" or "Function"`);
          const operation = this.#operation(overload, name, qualifiedName, kind, [...memberPath, String(i)]);
          (kind === "Action" ? schema.actions : schema.functions).push(operation);
        });
        continue;
      }
      const member = expectObject(value, memberPath);
      switch (member["$Kind"]) {
        case "EntityType":
          schema.entityTypes.push(this.#entityType(member, name, qualifiedName, memberPath));
          break;
        case "ComplexType":
          schema.complexTypes.push({ kind: "ComplexType", ...this.#structured(member, name, qualifiedName, memberPath) });
          break;
        case "EnumType":
          schema.enumTypes.push(this.#enumType(member, name, qualifiedName, memberPath));
          break;
        case "TypeDefinition":
          schema.typeDefinitions.push(this.#typeDefinition(member, name, qualifiedName, memberPath));
          break;
        case "EntityContainer":
          if (schema.entityContainer) throw badMetadata(`${at(memberPath)}: the schema ${namespace} has a second entity container`);
          schema.entityContainer = this.#container(member, name, qualifiedName, memberPath);
          break;
        case "Term":
          break;
        default:
          throw badMetadata(`${at([...memberPath, "$Kind"])} is ${describe(member["$Kind"])}, not a kind of schema element`);
      }
    }
    const targeted = object["$Annotations"];
    if (targeted !== undefined) {
      for (const [target, value] of Object.entries(expectObject(targeted, [...path, "$Annotations"]))) {
        this.targeted.push({ target: this.#resolver.target(target), annotations: this.#annotations(expectObject(value, [...path, "$Annotations", target])), schema });
      }
    }
    return schema;
  }

  #structured(object: JsonObject, name: string, qualifiedName: string, path: string[]) {
    const properties: Property[] = [];
    const navigationProperties: NavigationProperty[] = [];
    for (const member in object) {
      if (member.startsWith("$") || member.includes("@")) continue;
      const memberPath = [...path, member];
      const definition = expectObject(object[member], memberPath);
      const kind = definition["$Kind"];
      if (kind === "NavigationProperty") navigationProperties.push(this.#navigationProperty(definition, member, memberPath));
      else if (kind === undefined || kind === "Property") properties.push(this.#property(definition, member, memberPath));
      else throw badMetadata(`${at([...memberPath, "$Kind"])} is ${describe(kind)}, not "Property" or "NavigationProperty"`);
    }
    const base = {
      name,
      qualifiedName,
      abstract: booleanMember(object, "$Abstract", path, false),
      openType: booleanMember(object, "$OpenType", path, false),
      properties,
      navigationProperties,
      annotations: this.#annotations(object),
    };
    const baseType = object["$BaseType"];
    return baseType === undefined ? base : { ...base, baseType: this.#resolver.name(stringMember(object, "$BaseType", path)) };
  }

  #entityType(object: JsonObject, name: string, qualifiedName: string, path: string[]): EntityType {
    const keyMember = object["$Key"] ?? [];
    if (!Array.isArray(keyMember)) throw badMetadata(`${at([...path, "$Key"])} is ${describe(keyMember)}, not an array`);
    const key = keyMember.map((item, i) => {
      if (typeof item === "string") return { name: item, path: item };
      // An aliased key part: { "Alias": "Path/To/Property" }.
      const entries = isRecord(item) ? Object.entries(item) : [];
      const [alias, target] = entries[0] ?? [];
      if (entries.length !== 1 || typeof alias !== "string" || typeof target !== "string") {
        throw badMetadata(`${at([...path, "$Key", String(i)])} is ${describe(item)}, not a property name or { alias: path }`);
      }
      return { name: alias, path: target };
    });
    return {
      kind: "EntityType",
      ...this.#structured(object, name, qualifiedName, path),
      key,
      hasStream: booleanMember(object, "$HasStream", path, false),
    };
  }

  #enumType(object: JsonObject, name: string, qualifiedName: string, path: string[]): EnumType {
    const underlyingType = typeof object["$UnderlyingType"] === "string" ? object["$UnderlyingType"] : "Edm.Int32";
    const members = Object.entries(object)
      .filter(([member]) => !member.startsWith("$") && !member.includes("@"))
      .map(([member, value]) => {
        if (typeof value !== "number" || !Number.isInteger(value)) throw badMetadata(`${at([...path, member])} is ${describe(value)}, not an integer`);
        if (!enumValueFits(value, underlyingType)) throw badMetadata(`${at([...path, member])} is ${value}, which its enumeration's ${underlyingType} does not hold`);
        return { name: member, value, annotations: this.#annotations(object, member) };
      });
    return {
      kind: "EnumType",
      name,
      qualifiedName,
      underlyingType,
      isFlags: booleanMember(object, "$IsFlags", path, false),
      members,
      annotations: this.#annotations(object),
    };
  }

  #typeDefinition(object: JsonObject, name: string, qualifiedName: string, path: string[]): TypeDefinition {
    const underlyingType = this.#resolver.name(stringMember(object, "$UnderlyingType", path));
    const { nullable: _nullable, ...facets } = this.#facets(object, path, underlyingType);
    return {
      kind: "TypeDefinition",
      name,
      qualifiedName,
      underlyingType,
      ...facets,
      annotations: this.#annotations(object),
    };
  }

  /** The facets written on a member, and the defaults CSDL JSON gives those that are not, for a value of `type`. */
  #facets(object: JsonObject, path: string[], type: string): TypeFacets {
    const facets: TypeFacets = { nullable: booleanMember(object, "$Nullable", path, false) };
    const maxLength = object["$MaxLength"];
    if (maxLength !== undefined) facets.maxLength = this.#count(maxLength, [...path, "$MaxLength"]);
    const precision = object["$Precision"];
    if (precision !== undefined) facets.precision = this.#count(precision, [...path, "$Precision"]);
    const scale = object["$Scale"];
    if (scale !== undefined) {
      const value = scaleOf(scale);
      // A string of digits past 2^53 reads as a rounded number, or Infinity (null in the model's JSON form).
      if (value === undefined || (typeof value === "number" && !Number.isSafeInteger(value))) throw badMetadata(`${at([...path, "$Scale"])} is ${describe(scale)}, not a non-negative integer, "variable" or "floating"`);
      facets.scale = value;
    }
    const srid = object["$SRID"];
    if (srid !== undefined) facets.srid = sridOf(srid);
    // Unicode is kept only where it says false: true is what its absence means in both forms.
    if (!booleanMember(object, "$Unicode", path, true)) facets.unicode = false;
    applyFacetDefaults(facets, type, "json");
    return facets;
  }

  #count(value: unknown, path: string[]): number {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) throw badMetadata(`${at(path)} is ${describe(value)}, not a non-negative integer`);
    return value;
  }

  #typeReference(object: JsonObject, path: string[]): TypeReference {
    const type = this.#resolver.name(stringMember(object, "$Type", path, "Edm.String"));
    return { type, collection: booleanMember(object, "$Collection", path, false), ...this.#facets(object, path, type) };
  }

  #property(object: JsonObject, name: string, path: string[]): Property {
    const property: Property = { name, ...this.#typeReference(object, path), annotations: this.#annotations(object) };
    if (object["$DefaultValue"] !== undefined) property.defaultValue = defaultValueText(object["$DefaultValue"], property.type);
    return property;
  }

  #navigationProperty(object: JsonObject, name: string, path: string[]): NavigationProperty {
    const { type, collection, nullable } = this.#typeReference(object, path);
    const constraints = object["$ReferentialConstraint"];
    const navigation: NavigationProperty = {
      name,
      type,
      collection,
      nullable: nullable && !collection,
      referentialConstraints:
        constraints === undefined
          ? []
          : Object.entries(expectObject(constraints, [...path, "$ReferentialConstraint"]))
              .filter(([property]) => !property.includes("@"))
              .map(([property, referencedProperty]) => ({ property, referencedProperty: String(referencedProperty) })),
      annotations: this.#annotations(object),
    };
    if (typeof object["$Partner"] === "string") navigation.partner = this.#resolver.path(object["$Partner"]);
    if (object["$ContainsTarget"] !== undefined) navigation.containsTarget = booleanMember(object, "$ContainsTarget", path, false);
    if (typeof object["$OnDelete"] === "string") navigation.onDelete = object["$OnDelete"];
    return navigation;
  }

  #operation(object: JsonObject, name: string, qualifiedName: string, kind: "Action" | "Function", path: string[]): Operation {
    const parameterList = object["$Parameter"] ?? [];
    if (!Array.isArray(parameterList)) throw badMetadata(`${at([...path, "$Parameter"])} is not an array`);
    const parameters: Parameter[] = parameterList.map((item, i) => {
      const parameterPath = [...path, "$Parameter", String(i)];
      const parameter = expectObject(item, parameterPath);
      return { name: stringMember(parameter, "$Name", parameterPath), ...this.#typeReference(parameter, parameterPath), annotations: this.#annotations(parameter) };
    });
    const operation: Operation = { kind, name, qualifiedName, bound: booleanMember(object, "$IsBound", path, false), parameters, annotations: this.#annotations(object) };
    if (kind === "Function") operation.composable = booleanMember(object, "$IsComposable", path, false);
    if (typeof object["$EntitySetPath"] === "string") operation.entitySetPath = this.#resolver.path(object["$EntitySetPath"]);
    if (object["$ReturnType"] !== undefined) {
      operation.returnType = this.#typeReference(expectObject(object["$ReturnType"], [...path, "$ReturnType"]), [...path, "$ReturnType"]);
    }
    if (operation.bound && parameters.length === 0) throw badMetadata(`${at(path)} is bound but has no binding parameter`);
    return operation;
  }

  #container(object: JsonObject, name: string, qualifiedName: string, path: string[]): EntityContainer {
    const container: EntityContainer = {
      name,
      qualifiedName,
      entitySets: [],
      singletons: [],
      actionImports: [],
      functionImports: [],
      annotations: this.#annotations(object),
    };
    const extendsName = object["$Extends"];
    if (extendsName !== undefined) container.extends = this.#resolver.name(stringMember(object, "$Extends", path));
    for (const [member, value] of Object.entries(object)) {
      if (member.startsWith("$") || member.includes("@")) continue;
      const memberPath = [...path, member];
      const item = expectObject(value, memberPath);
      const entitySet = typeof item["$EntitySet"] === "string" ? { entitySet: normaliseTarget(this.#resolver, item["$EntitySet"], qualifiedName) } : {};
      if (item["$Action"] !== undefined) {
        const actionImport: ActionImport = { kind: "ActionImport", name: member, action: this.#resolver.name(stringMember(item, "$Action", memberPath)), ...entitySet, annotations: this.#annotations(item) };
        container.actionImports.push(actionImport);
      } else if (item["$Function"] !== undefined) {
        const functionImport: FunctionImport = {
          kind: "FunctionImport",
          name: member,
          function: this.#resolver.name(stringMember(item, "$Function", memberPath)),
          ...entitySet,
          includeInServiceDocument: booleanMember(item, "$IncludeInServiceDocument", memberPath, false),
          annotations: this.#annotations(item),
        };
        container.functionImports.push(functionImport);
      } else {
        const bindings = item["$NavigationPropertyBinding"];
        const navigationPropertyBindings =
          bindings === undefined
            ? []
            : Object.entries(expectObject(bindings, [...memberPath, "$NavigationPropertyBinding"])).map(([bindingPath, target]) => ({
                path: this.#resolver.path(bindingPath),
                target: normaliseTarget(this.#resolver, String(target), qualifiedName),
              }));
        const type = this.#resolver.name(stringMember(item, "$Type", memberPath));
        if (booleanMember(item, "$Collection", memberPath, false)) {
          container.entitySets.push({
            kind: "EntitySet",
            name: member,
            entityType: type,
            navigationPropertyBindings,
            includeInServiceDocument: booleanMember(item, "$IncludeInServiceDocument", memberPath, true),
            annotations: this.#annotations(item),
          });
        } else {
          container.singletons.push({
            kind: "Singleton",
            name: member,
            type,
            nullable: booleanMember(item, "$Nullable", memberPath, false),
            navigationPropertyBindings,
            annotations: this.#annotations(item),
          });
        }
      }
    }
    return container;
  }

  /** The annotations `@Term` (or, with `member`, `member@Term`) of an object, terms resolved. */
  #annotations(object: JsonObject, member?: string): Annotations {
    const prefix = member === undefined ? "@" : `${member}@`;
    const annotations: Annotations = {};
    // `for...in` rather than Object.entries: this runs for every member of every type.
    for (const name in object) {
      if (!name.startsWith(prefix)) continue;
      const term = name.slice(prefix.length);
      // Annotations of annotations (`@A@B`) are left out, as the EDMX reader leaves them out.
      if (term.includes("@")) continue;
      setMember(annotations, this.#resolver.term(term), this.#value(object[name], name, 0));
    }
    return annotations;
  }

  /**
   * An annotation value with the names in it resolved: terms of nested annotations, record types
   * (`@type`, or CSDL JSON 4.0's `@odata.type`, both `[uri]#Name`), value paths, the types of
   * casts, applied functions and labeled element references. Line ends of strings become LF.
   * `annotation` is the member the value belongs to (for the error), `depth` how far down it is.
   */
  #value(value: unknown, annotation: string, depth: number): AnnotationValue {
    if (typeof value === "string") return normaliseLineEnds(value);
    if (typeof value === "number") {
      // A number past the doubles' range parses as Infinity, which the model's JSON form would
      // make null; the digits are gone by then (EDMX keeps such a decimal as its text).
      if (!Number.isFinite(value)) throw badMetadata(`the value of ${JSON.stringify(annotation)} holds the number ${describe(value)}, which the model cannot keep (a decimal beyond the range of a double is kept when written as a string)`);
      return value === 0 ? 0 : value;
    }
    if (typeof value === "object" && value !== null && depth >= MAX_NESTING) {
      throw badMetadata(`the value of ${JSON.stringify(annotation)} is nested more than ${MAX_NESTING} levels deep (or contains itself)`);
    }
    if (Array.isArray(value)) return value.map((item) => this.#value(item, annotation, depth + 1));
    if (!isRecord(value)) return value as AnnotationValue;
    const result: Record<string, AnnotationValue> = {};
    for (const [name, member] of Object.entries(value)) {
      const at = name.indexOf("@");
      if (name === "@type" || name === "@odata.type") {
        if (typeof member === "string") result["@type"] = this.#resolver.name(member.slice(member.indexOf("#") + 1));
      } else if (at >= 0) {
        const term = name.slice(at + 1);
        if (!term.includes("@")) result[`${name.slice(0, at)}@${this.#resolver.term(term)}`] = this.#value(member, annotation, depth + 1);
      } else if (name.startsWith("$")) {
        result[name] = this.#expressionMember(name, member, annotation, depth + 1);
      } else {
        setMember(result, name, this.#value(member, annotation, depth + 1));
      }
    }
    // Casts and type tests without a type are to Edm.String, as everywhere in CSDL JSON.
    if ((Object.hasOwn(result, "$Cast") || Object.hasOwn(result, "$IsOf")) && !Object.hasOwn(result, "$Type")) result["$Type"] = "Edm.String";
    return result;
  }

  /** A `$`-member of a dynamic expression. */
  #expressionMember(name: string, member: unknown, annotation: string, depth: number): AnnotationValue {
    // The model keeps an SRID as a string, as it does for properties.
    if (name === "$SRID" && (typeof member === "number" || typeof member === "string")) return sridOf(member);
    if (typeof member !== "string") return this.#value(member, annotation, depth);
    switch (name) {
      case "$Path":
        return this.#resolver.path(member);
      case "$Type":
      case "$Function":
      case "$LabeledElementReference":
        return this.#resolver.name(member);
      case "$Scale": {
        const scale = scaleOf(member);
        if (typeof scale === "number" && !Number.isSafeInteger(scale)) throw badMetadata(`the value of ${JSON.stringify(annotation)} has a $Scale of ${describe(member)}, not a non-negative integer, "variable" or "floating"`);
        return scale ?? member;
      }
      default:
        return this.#value(member, annotation, depth);
    }
  }
}
