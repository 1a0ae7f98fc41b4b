/**
 * What both readers (EDMX and CSDL JSON) share once the schemas are read: alias resolution in
 * names and paths, the normal form of navigation property binding targets, and applying
 * `Annotations Target="..."` blocks to the elements they target (OData CSDL 4.01 §14.1.2: a
 * target is a qualified name, optionally an overload signature in parentheses, and a path of
 * member names below it).
 */
import type { Annotations, EntityContainer, EnumType, Operation, Schema, TypeDefinition } from "./model.js";
import { STANDARD_VOCABULARY_ALIASES } from "./model.js";
import { setMember } from "./values.js";

/**
 * Alias → namespace for one document: its schemas, its references, and the standard vocabularies.
 * A namespace the document declares or includes is never read as an alias: a schema may be named
 * `Common` or `Core`, and its `Common.Person` is then its own type, not SAP's vocabulary's.
 */
export class NameResolver {
  readonly #aliases = new Map<string, string>(Object.entries(STANDARD_VOCABULARY_ALIASES));
  readonly #namespaces = new Set<string>();

  addAlias(alias: string, namespace: string): void {
    this.#aliases.set(alias, namespace);
  }

  /** A namespace of the document's schemas or of an `edmx:Include`: names qualified by it stay as written. */
  addNamespace(namespace: string): void {
    this.#namespaces.add(namespace);
  }

  /** A qualified name (or `Collection(name)`) with its alias replaced by the namespace. */
  name(name: string): string {
    // A loop, not recursion, for the (invalid) Collection(Collection(...)): a document may nest
    // it deep enough to overflow the call stack.
    let collections = 0;
    while ((collections + 1) * 12 <= name.length && name.startsWith("Collection(", collections * 11) && name[name.length - 1 - collections] === ")") collections++;
    const inner = collections === 0 ? name : name.slice(collections * 11, -collections);
    const dot = inner.lastIndexOf(".");
    const prefix = dot < 0 ? undefined : inner.slice(0, dot);
    const namespace = prefix === undefined || this.#namespaces.has(prefix) ? undefined : this.#aliases.get(prefix);
    if (namespace === undefined) return name;
    return `${"Collection(".repeat(collections)}${namespace}${inner.slice(dot)}${")".repeat(collections)}`;
  }

  /** A term name, keeping its `#qualifier`. */
  term(term: string): string {
    const hash = term.indexOf("#");
    return hash < 0 ? this.name(term) : `${this.name(term.slice(0, hash))}${term.slice(hash)}`;
  }

  /**
   * A path (a value path, an entity set path, a binding path or target) with the aliases of its
   * type-cast segments (`self.Manager`) and term-cast segments (`@UI.LineItem#q`, also after a
   * navigation property: `Items@Core.Description`) resolved.
   */
  path(path: string): string {
    if (!path.includes(".")) return path;
    return path
      .split("/")
      .map((segment) => this.#segment(segment))
      .join("/");
  }

  /** A target path: the qualified names in its first segment, its overload signature and its later segments resolved. */
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
            .map((part) => part.trim())
            .filter((part) => part !== "")
            .map((part) => this.name(part))
            .join(",")})`;
    return [head, ...segments.slice(1).map((segment) => this.#segment(segment))].join("/");
  }

  #segment(segment: string): string {
    const at = segment.indexOf("@");
    if (at >= 0) return `${segment.slice(0, at + 1)}${this.term(segment.slice(at + 1))}`;
    // A key predicate or function parameters are not names.
    return segment.includes(".") && !segment.includes("(") ? this.name(segment) : segment;
  }
}

/**
 * A navigation property binding target (or the entity set of an action or function import) in
 * its normal form: the simple name when it is in `container` (the container the binding belongs
 * to), however the document wrote it; `Namespace.Container/Set` when it is in another one.
 * Aliases are resolved in both cases.
 */
export function normaliseTarget(resolver: NameResolver, target: string, container: string): string {
  const resolved = resolver.path(target);
  return resolved.startsWith(`${container}/`) ? resolved.slice(container.length + 1) : resolved;
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

type Annotated = { annotations: Annotations };
type Named = Annotated & { name: string };
type StructuredType = Schema["entityTypes"][number] | Schema["complexTypes"][number];

/** What a qualified name in a target can stand for. */
type TargetRoot =
  | { kind: "structured"; type: StructuredType }
  | { kind: "enum"; type: EnumType }
  | { kind: "typeDefinition"; type: TypeDefinition }
  | { kind: "container"; container: EntityContainer }
  | { kind: "operations"; operations: Operation[] };

/**
 * Merges each block into the element it targets; a target outside the model stays in its schema's
 * `externalAnnotations`. Annotations written inline win over targeted ones of the same term.
 * `containers`: every container the document holds, a second one of an EDMX v2 schema (which no
 * schema keeps) among them, so that targets reach them all.
 */
export function applyTargetedAnnotations(schemas: Schema[], blocks: TargetedAnnotations[], containers: readonly EntityContainer[] = []): void {
  if (blocks.length === 0) return;
  // One index of the qualified names: a document like Microsoft Graph's has thousands of blocks
  // and thousands of types, too many to search through for each block.
  const roots = new Map<string, TargetRoot>();
  for (const container of containers) roots.set(container.qualifiedName, { kind: "container", container });
  for (const schema of schemas) {
    for (const type of schema.entityTypes) roots.set(type.qualifiedName, { kind: "structured", type });
    for (const type of schema.complexTypes) roots.set(type.qualifiedName, { kind: "structured", type });
    for (const type of schema.enumTypes) roots.set(type.qualifiedName, { kind: "enum", type });
    for (const type of schema.typeDefinitions) roots.set(type.qualifiedName, { kind: "typeDefinition", type });
    if (schema.entityContainer) roots.set(schema.entityContainer.qualifiedName, { kind: "container", container: schema.entityContainer });
    for (const operation of [...schema.actions, ...schema.functions]) {
      const root = roots.get(operation.qualifiedName);
      if (root?.kind === "operations") root.operations.push(operation);
      else if (root === undefined) roots.set(operation.qualifiedName, { kind: "operations", operations: [operation] });
    }
  }
  // The members of each element a target reaches into, by name, indexed when first reached: a
  // search of the list for each block is quadratic in a container of thousands of entity sets,
  // each with its block.
  const members: MemberIndexes = new Map();
  for (const block of blocks) {
    const elements = findTargets(roots, members, block.target);
    if (elements.length === 0) {
      // Own members only, set with setMember: the target and the terms are the document's names.
      const external = block.schema.externalAnnotations;
      let kept = Object.hasOwn(external, block.target) ? external[block.target] : undefined;
      if (kept === undefined) setMember(external, block.target, (kept = {}));
      for (const [term, value] of Object.entries(block.annotations)) setMember(kept, term, value);
      continue;
    }
    for (const element of elements) {
      for (const [term, value] of Object.entries(block.annotations)) {
        if (!Object.hasOwn(element.annotations, term)) setMember(element.annotations, term, value);
      }
    }
  }
}

/**
 * The model elements a target names. Targets that reach further (a property through an entity set
 * or a complex property, a return type, an annotation) name an element the model does not keep
 * annotations for, and find nothing.
 */
function findTargets(roots: Map<string, TargetRoot>, members: MemberIndexes, target: string): Annotated[] {
  const segments = splitPath(target);
  if (segments.length > 2) return [];
  const first = segments[0] ?? "";
  const member = segments[1];
  const paren = first.indexOf("(");
  const root = roots.get(paren < 0 ? first : first.slice(0, paren));
  if (root === undefined) return [];
  if (root.kind === "operations") {
    const signature = paren < 0 ? undefined : first.slice(paren + 1, -1).split(",").filter((part) => part !== "");
    const operations = signature === undefined ? root.operations : root.operations.filter((operation) => matchesSignature(operation, signature));
    if (member === undefined) return operations;
    return operations.flatMap((operation) => operation.parameters.filter((p) => p.name === member));
  }
  if (paren >= 0) return [];
  switch (root.kind) {
    case "structured": {
      const type = root.type;
      return member === undefined ? [type] : byName(members, type, () => [type.properties, type.navigationProperties], member);
    }
    case "enum": {
      const type = root.type;
      return member === undefined ? [type] : byName(members, type, () => [type.members], member);
    }
    case "typeDefinition":
      return member === undefined ? [root.type] : [];
    case "container": {
      const container = root.container;
      if (member === undefined) return [container];
      return byName(members, container, () => [container.entitySets, container.singletons, container.actionImports, container.functionImports], member);
    }
  }
}

/** The members of each element a target reached into, by name. */
type MemberIndexes = Map<object, Map<string, Annotated>>;

/** The member `name` of `owner`: the first of that name in its `lists`, in order. */
function byName(indexes: MemberIndexes, owner: object, lists: () => readonly (readonly Named[])[], name: string): Annotated[] {
  let index = indexes.get(owner);
  if (index === undefined) {
    index = new Map();
    for (const list of lists()) for (const item of list) if (!index.has(item.name)) index.set(item.name, item);
    indexes.set(owner, index);
  }
  const found = index.get(name);
  return found === undefined ? [] : [found];
}

/**
 * Follows the `Extends` of the document's entity containers (OData CSDL 4.01 §13.1.2): each
 * container gets the entity sets, singletons and imports of the containers it extends, directly
 * or through others, after its own; a member of a base container is left out where a container
 * nearer in the chain has one of its name (an entity set or singleton redefined with a more
 * derived type). Returns what is wrong instead, leaving the containers as they are: a chain of
 * them that runs in a circle. A base container the document does not hold (one a referenced
 * document declares, `edmx:Include` or `$Include`, or one nobody declares) gives nothing to
 * inherit. `locate` says where a container is written, for the message.
 */
export function inheritContainerMembers(schemas: readonly Schema[], locate: (container: EntityContainer) => string): string | undefined {
  const containers = new Map<string, EntityContainer>();
  for (const schema of schemas) if (schema.entityContainer) containers.set(schema.entityContainer.qualifiedName, schema.entityContainer);
  const chains = new Map<EntityContainer, EntityContainer[]>();
  for (const container of containers.values()) {
    const base = container.extends;
    if (base === undefined) continue;
    // A base this document does not hold (a referenced document's, or one the service never
    // declared) gives nothing to inherit: the container keeps its Extends and its own members, as
    // the rest of the model takes a reference it cannot resolve, rather than refusing the service.
    if (!containers.has(base)) continue;
    // The container and those it extends, up to one that extends none or one outside the document.
    const chain = [container];
    for (let next = containers.get(base); next !== undefined; next = next.extends === undefined ? undefined : containers.get(next.extends)) {
      if (chain.includes(next)) {
        const names = [...chain, next].map((passed) => passed.qualifiedName);
        return `${locate(container)} extends ${base}, and the chain of Extends runs in a circle (${names.join(" → ")})`;
      }
      chain.push(next);
    }
    chains.set(container, chain);
  }
  // Every chain is read before any container grows, so that none inherits inherited members twice.
  const own = new Map([...chains.values()].flat().map((container) => [container, { ...container }]));
  for (const [container, chain] of chains) {
    const taken = new Set<string>();
    const lists = noMembers();
    // The names of one container hide those of the containers it extends.
    for (const link of chain) appendMembers(lists, own.get(link) ?? link, taken);
    Object.assign(container, lists);
  }
  return undefined;
}

/** The member lists of an entity container. */
export type ContainerMembers = Pick<EntityContainer, "entitySets" | "singletons" | "actionImports" | "functionImports">;

/** Member lists with no members, to append to (see {@link appendMembers}). */
export function noMembers(): ContainerMembers {
  return { entitySets: [], singletons: [], actionImports: [], functionImports: [] };
}

/**
 * Appends the members of the container `from` to the lists `into`, except those whose name
 * `taken` holds, then takes the names appended. A name at the service root addresses one member,
 * whichever its kind: one taken by an entity set leaves out an import of that name too. The
 * members of one container do not hide each other (a document that names two alike is kept as it
 * is). Both a container that extends others (CSDL 4.01 §13.1.2) and a v2 default container that
 * gathers the other containers of its document use it, so they agree on which member a name means.
 */
export function appendMembers(into: ContainerMembers, from: ContainerMembers, taken: Set<string>): void {
  const appended: string[] = [];
  const append = <T extends { name: string }>(list: T[], items: readonly T[]) => {
    for (const item of items) {
      if (taken.has(item.name)) continue;
      list.push(item);
      appended.push(item.name);
    }
  };
  append(into.entitySets, from.entitySets);
  append(into.singletons, from.singletons);
  append(into.actionImports, from.actionImports);
  append(into.functionImports, from.functionImports);
  for (const name of appended) taken.add(name);
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
