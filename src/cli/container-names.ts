/**
 * The names of the service's entity container, as the commands that read `$metadata` check theirs
 * against it: a set the container does not have (`products` for `Products`) is refused before any
 * request, in the words of `describe`, where the service would answer 404 and the key typing of
 * `$metadata` would be lost on the way. The commands that send the set's request without reading
 * `$metadata` tell the same where the service answers it 404 ({@link explainMissingSet}).
 */
import { ODataHttpError, type EntityContainer, type ServiceModel } from "../index.js";
import { CliUsageError } from "./errors.js";

/** The names of `candidates` that `name` matches but for case: what the user most likely meant. */
function sameButCase(name: string, candidates: readonly string[]): string[] {
  const lower = name.toLowerCase();
  return [...new Set(candidates.filter((candidate) => candidate !== name && candidate.toLowerCase() === lower))];
}

/** The names of `containers`' members of one kind, each once (two containers may both have a set of a name). */
function namesOf(containers: readonly EntityContainer[], kind: "entitySets" | "singletons" | "functionImports"): string[] {
  return [...new Set(containers.flatMap((container) => container[kind].map((member) => member.name)))];
}

/**
 * The error for a name that is neither an entity set nor a singleton of the model's entity
 * container: `<command>: the service has no entity set "products" (did you mean "Products"?); it
 * has …`, the hint where one of them differs from the name in case only.
 */
export function unknownSetError(command: string, model: ServiceModel, name: string): CliUsageError {
  return new CliUsageError(`${command}: ${unknownSetMessage(model, name)}`);
}

/**
 * What {@link unknownSetError} says after the command's name. The sets and singletons listed are
 * those of `containers`, the containers the name was looked for in, so that no name it would have
 * been found under is left out; the hint names those of `candidates` that differ from it in case only.
 */
function unknownSetMessage(model: ServiceModel, name: string, candidates?: readonly string[], containers: readonly EntityContainer[] = [model.container()].filter((c) => c !== undefined)): string {
  const sets = namesOf(containers, "entitySets");
  const singletons = namesOf(containers, "singletons");
  const near = sameButCase(name, candidates ?? [...sets, ...singletons]);
  const hint = near.length === 0 ? "" : ` (did you mean ${near.map((n) => JSON.stringify(n)).join(" or ")}?)`;
  const listed = sets.join(", ") || "none";
  return singletons.length === 0
    ? `the service has no entity set ${JSON.stringify(name)}${hint}; it has ${listed}`
    : `the service has no entity set or singleton ${JSON.stringify(name)}${hint}; it has the entity sets ${listed} and the singletons ${singletons.join(", ")}`;
}

/**
 * The commands that read a function import as they read a set: `query` and `export` send `GET
 * <name>` and read its answer as pages, which a function import's collection result is. `get`
 * addresses an entity by key below the name, which no import has, and no command here calls an
 * action import (that is `call`'s), so neither is offered to them as what the user meant.
 */
const READS_FUNCTION_IMPORTS: ReadonlySet<string> = new Set(["query", "export"]);

/** The names a request path may start with in `container`: its entity sets, singletons and imports. */
function memberNames(container: EntityContainer): string[] {
  return [...container.entitySets, ...container.singletons, ...container.functionImports, ...container.actionImports].map((member) => member.name);
}

/**
 * Whether the members of `container` may be more than the model lists: it extends a container the
 * document does not hold (a referenced document's), whose members the model never read.
 */
function extendsUnread(container: EntityContainer, containers: readonly EntityContainer[], seen = new Set<EntityContainer>()): boolean {
  if (container.extends === undefined || seen.has(container)) return false;
  seen.add(container);
  const base = containers.find((c) => c.qualifiedName === container.extends);
  return base === undefined || extendsUnread(base, containers, seen);
}

/**
 * Refuses (exit 2) a `<set>` argument that `$metadata` says the service does not have, before the
 * command sends anything for it. Only what surely does not exist is refused: nothing without a
 * model or a container; a path (`Orders(1)/Items`), left to the checks that refuse it as they did;
 * a name in any container of the document (a v2 document may hold several) as an entity set,
 * singleton, function or action import; a name qualified by something that is none of those
 * containers (`Other.Set`); and nothing where a container inherits members the document does not
 * give. A name the service has but in another case is named in the message.
 */
export function checkSetName(command: string, model: ServiceModel | undefined, name: string): void {
  const unknown = unknownSet(command, model, name);
  if (unknown !== undefined) throw new CliUsageError(`${command}: ${unknown}`);
  const singleton = singletonNote(command, model, name);
  if (singleton !== undefined) throw new CliUsageError(`${command}: ${singleton}`);
}

/** The commands that read `<set>` as a collection: its pages, or its `$count`. */
const READS_COLLECTIONS: ReadonlySet<string> = new Set(["query", "count", "export"]);

/**
 * What a command that reads a collection ({@link READS_COLLECTIONS}) is told of a `<set>` that
 * `$metadata` declares a singleton, or `undefined`: its answer is one entity, which no walk reads
 * as pages (and `Me/$count` is no count); `get` reads it.
 */
function singletonNote(command: string, model: ServiceModel | undefined, name: string): string | undefined {
  if (!READS_COLLECTIONS.has(command) || containerMember(model, name)?.kind !== "singleton") return undefined;
  return `${JSON.stringify(name)} is a singleton, one entity and no collection: traverse-odata get <service> ${name} reads it`;
}

/** What {@link checkSetName} refuses `name` with (after the command's name), or `undefined` where it lets the name be sent. */
function unknownSet(command: string, model: ServiceModel | undefined, name: string): string | undefined {
  if (model === undefined || model.container() === undefined || !/^[\p{L}_][\p{L}\p{N}_]*(?:\.[\p{L}_][\p{L}\p{N}_]*)*$/u.test(name)) return undefined;
  const containers = model.schemas.flatMap((schema) => (schema.entityContainer ? [schema.entityContainer] : []));
  const dot = name.lastIndexOf(".");
  // A qualified name: `Container.Set` (OData 2.0's way to a set of another container than the default).
  const qualifier = dot < 0 ? undefined : name.slice(0, dot);
  const member = name.slice(dot + 1);
  const within = qualifier === undefined ? containers : containers.filter((c) => c.name === qualifier || c.qualifiedName === qualifier);
  if (within.length === 0 || within.some((c) => extendsUnread(c, containers))) return undefined;
  if (within.flatMap(memberNames).includes(member)) return undefined;
  // Only what the command could have taken is offered as the name meant.
  const offered = [...namesOf(within, "entitySets"), ...namesOf(within, "singletons"), ...(READS_FUNCTION_IMPORTS.has(command) ? namesOf(within, "functionImports") : [])];
  // An OData 1.0 to 3.0 schema may hold several containers, of which the model keeps the default
  // one: a name none of the kept ones has may be another's, and only a name that differs from one
  // of theirs but in case is surely a mistake.
  if (!model.odataVersion.startsWith("4") && sameButCase(member, offered).length === 0) return undefined;
  return unknownSetMessage(model, name, qualifier === undefined ? offered : offered.map((n) => `${qualifier}.${n}`), within);
}

/**
 * What `$metadata` says `name` (a `<set>` argument, maybe qualified by its container) is: an entity
 * set (with its key's names), a singleton (and whether it may be null), or `undefined` where it
 * names neither, or there is no model. `get` reads a singleton by its name alone and an entity set
 * by its key, and tells which where the user gave the other.
 */
export function containerMember(
  model: ServiceModel | undefined,
  name: string,
): { kind: "entitySet"; key: string[] } | { kind: "singleton"; nullable: boolean } | undefined {
  if (model === undefined) return undefined;
  const containers = model.schemas.flatMap((schema) => (schema.entityContainer ? [schema.entityContainer] : []));
  const dot = name.lastIndexOf(".");
  const qualifier = dot < 0 ? undefined : name.slice(0, dot);
  const member = name.slice(dot + 1);
  // Unqualified, a name is the default container's (the one the model keeps as container()).
  const within = qualifier === undefined ? [model.container()].filter((c) => c !== undefined) : containers.filter((c) => c.name === qualifier || c.qualifiedName === qualifier);
  for (const container of within) {
    const set = container.entitySets.find((s) => s.name === member);
    if (set) {
      const type = model.entityType(set.entityType);
      return { kind: "entitySet", key: type ? model.keyOf(type).map((k) => k.name) : [] };
    }
    const singleton = container.singletons.find((s) => s.name === member);
    if (singleton) return { kind: "singleton", nullable: singleton.nullable };
  }
  return undefined;
}

/**
 * `error` where the service answered 404 to a request for the set `name` that the command sent
 * without reading `$metadata` first (`count`, `query` as JSON or NDJSON, `export` of one walk):
 * `$metadata` is read then, and where it has no such set, the error says so in the words of
 * {@link checkSetName}, with the name of another case the service declares and the sets it has
 * (`products` for `Products`). The error keeps its class and status, and so its exit code; a set
 * that exists costs no request, and one that `$metadata` cannot tell of (it cannot be read, or
 * has the set) leaves the error as it was. `metadata` reads the document (the client's cache, or
 * the command's own read). A name `$metadata` declares a singleton, which the service answered
 * 404 as a collection, is said to be one in the same way.
 */
export async function explainMissingSet(error: unknown, command: string, name: string, metadata: () => Promise<ServiceModel | undefined>): Promise<unknown> {
  // Only a 404 asks $metadata: any other failure is told as it came, at no request more.
  if (!(error instanceof ODataHttpError) || error.status !== 404) return error;
  let model: ServiceModel | undefined;
  try {
    model = await metadata();
  } catch {
    // The 404 is what the user needs to know; a $metadata that fails too adds nothing to it.
    return error;
  }
  // A singleton the service answers 404 for as a collection (`Me/$count`) is said to be one.
  const unknown = unknownSet(command, model, name) ?? singletonNote(command, model, name);
  if (unknown !== undefined) error.message = `${error.message}; ${unknown}`;
  return error;
}
