/**
 * The names of the service's entity container, as the commands that read `$metadata` check theirs
 * against it: a set the container does not have (`products` for `Products`) is refused before any
 * request, in the words of `describe`, where the service would answer 404 and the key typing of
 * `$metadata` would be lost on the way.
 */
import type { EntityContainer, ServiceModel } from "../index.js";
import { CliUsageError } from "./errors.js";

/** The names of `candidates` that `name` matches but for case: what the user most likely meant. */
function sameButCase(name: string, candidates: readonly string[]): string[] {
  const lower = name.toLowerCase();
  return [...new Set(candidates.filter((candidate) => candidate !== name && candidate.toLowerCase() === lower))];
}

/**
 * The error for a name that is neither an entity set nor a singleton of the service's container:
 * `<command>: the service has no entity set "products" (did you mean "Products"?); it has …`, the
 * hint where a name of `candidates` (by default the container's entity sets and singletons) differs
 * from it in case only.
 */
export function unknownSetError(command: string, model: ServiceModel, name: string, candidates?: readonly string[]): CliUsageError {
  const container = model.container();
  const sets = (container?.entitySets ?? []).map((s) => s.name);
  const singletons = (container?.singletons ?? []).map((s) => s.name);
  const near = sameButCase(name, candidates ?? [...sets, ...singletons]);
  const hint = near.length === 0 ? "" : ` (did you mean ${near.map((n) => JSON.stringify(n)).join(" or ")}?)`;
  const listed = sets.join(", ") || "none";
  const message =
    singletons.length === 0
      ? `the service has no entity set ${JSON.stringify(name)}${hint}; it has ${listed}`
      : `the service has no entity set or singleton ${JSON.stringify(name)}${hint}; it has the entity sets ${listed} and the singletons ${singletons.join(", ")}`;
  return new CliUsageError(`${command}: ${message}`);
}

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
  if (model === undefined || model.container() === undefined || !/^[\p{L}_][\p{L}\p{N}_]*(?:\.[\p{L}_][\p{L}\p{N}_]*)*$/u.test(name)) return;
  const containers = model.schemas.flatMap((schema) => (schema.entityContainer ? [schema.entityContainer] : []));
  const dot = name.lastIndexOf(".");
  // A qualified name: `Container.Set` (OData 2.0's way to a set of another container than the default).
  const qualifier = dot < 0 ? undefined : name.slice(0, dot);
  const member = name.slice(dot + 1);
  const within = qualifier === undefined ? containers : containers.filter((c) => c.name === qualifier || c.qualifiedName === qualifier);
  if (within.length === 0 || within.some((c) => extendsUnread(c, containers))) return;
  const names = within.flatMap(memberNames);
  if (names.includes(member)) return;
  throw unknownSetError(command, model, name, qualifier === undefined ? names : names.map((n) => `${qualifier}.${n}`));
}
