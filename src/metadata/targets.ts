/**
 * What both readers (EDMX and CSDL JSON) share once the schemas are read: alias resolution, and
 * applying `Annotations Target="..."` blocks to the elements they target (OData CSDL 4.01
 * §14.1.2: a target is a qualified name, optionally an overload signature in parentheses, and a
 * path of member names below it).
 */
import type { Annotations, EntityContainer, Operation, Schema } from "./model.js";
import { STANDARD_VOCABULARY_ALIASES } from "./model.js";

/** Alias → namespace for one document: its schemas, its references, and the standard vocabularies. */
export class NameResolver {
  readonly #aliases = new Map<string, string>(Object.entries(STANDARD_VOCABULARY_ALIASES));

  addAlias(alias: string, namespace: string): void {
    this.#aliases.set(alias, namespace);
  }

  /** A qualified name (or `Collection(name)`) with its alias replaced by the namespace. */
  name(name: string): string {
    const collection = /^Collection\((.*)\)$/.exec(name);
    if (collection) return `Collection(${this.name(collection[1] ?? "")})`;
    const dot = name.lastIndexOf(".");
    if (dot < 0) return name;
    const namespace = this.#aliases.get(name.slice(0, dot));
    return namespace === undefined ? name : `${namespace}${name.slice(dot)}`;
  }

  /** A term name, keeping its `#qualifier`. */
  term(term: string): string {
    const hash = term.indexOf("#");
    return hash < 0 ? this.name(term) : `${this.name(term.slice(0, hash))}${term.slice(hash)}`;
  }

  /** A target path: the qualified names in its first segment and its overload signature resolved. */
  target(target: string): string {
    const segments = splitPath(target);
    const first = segments[0] ?? "";
    const paren = first.indexOf("(");
    const head =
      paren < 0
        ? this.name(first)
        : `${this.name(first.slice(0, paren))}(${first
            .slice(paren + 1, -1)
            .split(",")
            .filter((part) => part !== "")
            .map((part) => this.name(part.trim()))
            .join(",")})`;
    return [head, ...segments.slice(1)].join("/");
  }
}

/** Splits a target path at the slashes outside parentheses. */
function splitPath(path: string): string[] {
  const segments: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < path.length; i++) {
    const char = path[i];
    if (char === "(") depth++;
    else if (char === ")") depth--;
    else if (char === "/" && depth === 0) {
      segments.push(path.slice(start, i));
      start = i + 1;
    }
  }
  segments.push(path.slice(start));
  return segments;
}

/** One `Annotations` block, its target already resolved. */
export interface TargetedAnnotations {
  target: string;
  annotations: Annotations;
  /** The schema the block was written in (where an unplaceable target is kept). */
  schema: Schema;
}

/**
 * Merges each block into the element it targets; a target outside the model stays in its schema's
 * `externalAnnotations`. Annotations written inline win over targeted ones of the same term.
 */
export function applyTargetedAnnotations(schemas: Schema[], blocks: TargetedAnnotations[]): void {
  for (const block of blocks) {
    const elements = findTargets(schemas, block.target);
    if (elements.length === 0) {
      const kept = (block.schema.externalAnnotations[block.target] ??= {});
      Object.assign(kept, block.annotations);
      continue;
    }
    for (const element of elements) {
      for (const [term, value] of Object.entries(block.annotations)) {
        if (!Object.hasOwn(element.annotations, term)) element.annotations[term] = value;
      }
    }
  }
}

type Annotated = { annotations: Annotations };

function findTargets(schemas: Schema[], target: string): Annotated[] {
  const segments = splitPath(target);
  const first = segments[0] ?? "";
  const paren = first.indexOf("(");
  const qualifiedName = paren < 0 ? first : first.slice(0, paren);
  const signature = paren < 0 ? undefined : first.slice(paren + 1, -1).split(",").filter((part) => part !== "");
  const member = segments[1];
  if (segments.length > 2) return [];

  for (const schema of schemas) {
    const types = [...schema.entityTypes, ...schema.complexTypes];
    const structured = types.find((type) => type.qualifiedName === qualifiedName);
    if (structured) {
      if (member === undefined) return [structured];
      const found = structured.properties.find((p) => p.name === member) ?? structured.navigationProperties.find((p) => p.name === member);
      return found ? [found] : [];
    }
    const enumType = schema.enumTypes.find((type) => type.qualifiedName === qualifiedName);
    if (enumType) {
      if (member === undefined) return [enumType];
      const found = enumType.members.find((m) => m.name === member);
      return found ? [found] : [];
    }
    const typeDefinition = schema.typeDefinitions.find((type) => type.qualifiedName === qualifiedName);
    if (typeDefinition) return member === undefined ? [typeDefinition] : [];
    const container = schema.entityContainer;
    if (container && container.qualifiedName === qualifiedName) return containerTarget(container, member);
    const operations = [...schema.actions, ...schema.functions].filter(
      (operation) => operation.qualifiedName === qualifiedName && (signature === undefined || matchesSignature(operation, signature)),
    );
    if (operations.length > 0) {
      if (member === undefined) return operations;
      if (member === "$ReturnType") return [];
      return operations.flatMap((operation) => operation.parameters.filter((p) => p.name === member));
    }
  }
  return [];
}

function containerTarget(container: EntityContainer, member: string | undefined): Annotated[] {
  if (member === undefined) return [container];
  const found =
    container.entitySets.find((item) => item.name === member) ??
    container.singletons.find((item) => item.name === member) ??
    container.actionImports.find((item) => item.name === member) ??
    container.functionImports.find((item) => item.name === member);
  return found ? [found] : [];
}

/**
 * Whether an overload has this signature: the binding parameter's type for a bound action, all
 * parameter types for a function (none for an unbound action).
 */
function matchesSignature(operation: Operation, signature: string[]): boolean {
  const typeOf = (p: { type: string; collection: boolean }) => (p.collection ? `Collection(${p.type})` : p.type);
  const parameters = operation.kind === "Action" ? (operation.bound ? operation.parameters.slice(0, 1) : []) : operation.parameters;
  return parameters.length === signature.length && parameters.every((p, i) => typeOf(p) === signature[i]);
}
