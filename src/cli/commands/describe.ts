/**
 * `describe <service> [set]`: what `$metadata` says. Without a set: the entity sets (type and
 * key), singletons and operations of the service. With one: its key, properties, navigation,
 * bound operations and capabilities (`Capabilities.*`, `Core.*` annotations, ETag properties); a
 * singleton's name gives the same of the one entity it is, without a key. `--json` prints the same
 * as JSON.
 */
import { redactUrl, type EntitySet, type KeyRef, type NavigationProperty, type Operation, type Property, type ServiceModel, type Singleton } from "../../index.js";
import { flag } from "../args.js";
import { clientFor, type Command } from "../context.js";
import { warnOfUnsentConditions } from "../connect.js";
import { unknownSetError } from "../container-names.js";
import { displayWidth, visibleText } from "../formats.js";

/** An operation as one line: `action order(quantity: Edm.Int32) -> Edm.Decimal`. */
function operationLine(operation: Operation, skipBinding: boolean): string {
  const parameters = (skipBinding && operation.bound ? operation.parameters.slice(1) : operation.parameters).map((p) => `${p.name}: ${typeText(p.type, p.collection)}`);
  const returns = operation.returnType ? ` -> ${typeText(operation.returnType.type, operation.returnType.collection)}` : "";
  return `${operation.kind === "Action" ? "action  " : "function"} ${operation.name}(${parameters.join(", ")})${returns}`;
}

function typeText(type: string, collection: boolean): string {
  return collection ? `Collection(${type})` : type;
}

/**
 * The names a key predicate gives the key's parts, as `get` takes them: an aliased part by its
 * alias (OData URL Conventions 4.3.1), which JSON pairs with the path it stands for in `keyAliases`.
 */
function keyNames(key: readonly KeyRef[]): { key: string[]; keyAliases?: Record<string, string> } {
  const aliased = key.filter((k) => k.name !== k.path);
  return { key: key.map((k) => k.name), ...(aliased.length > 0 ? { keyAliases: Object.fromEntries(aliased.map((k) => [k.name, k.path])) } : {}) };
}

/** A key as text: `ID`, or `Zip (Address/PostalCode)` for an aliased part. */
function keyText(key: { key: string[]; keyAliases?: Record<string, string> }): string {
  return key.key.map((name) => (key.keyAliases && Object.hasOwn(key.keyAliases, name) ? `${name} (${key.keyAliases[name]})` : name)).join(", ") || "-";
}

/**
 * Aligned columns of text rows, sized in terminal columns (a CJK name takes two a character), each
 * cell's control characters shown visibly (its lines need no other pass).
 */
function columns(rows: readonly (readonly string[])[], indent = "  "): string[] {
  const cells = rows.map((row) => row.map((cell) => visibleText(cell)));
  const sized = cells.map((row) => row.map(displayWidth));
  const widths: number[] = [];
  for (const row of sized) row.forEach((width, i) => (widths[i] = Math.max(widths[i] ?? 0, width)));
  return cells.map((row, r) => `${indent}${row.map((cell, i) => (i === row.length - 1 ? cell : cell + " ".repeat((widths[i] as number) - (sized[r]?.[i] as number)))).join("  ")}`.trimEnd());
}

/** The annotations of a set worth showing: capabilities and core terms, by their short names. */
function capabilities(set: EntitySet): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [term, value] of Object.entries(set.annotations)) {
    const short = term.replace(/^Org\.OData\.Capabilities\.V1\./, "Capabilities.").replace(/^Org\.OData\.Core\.V1\./, "Core.").replace(/^Org\.OData\.Aggregation\.V1\./, "Aggregation.");
    if (short !== term) shown[short] = value;
  }
  return shown;
}

function serviceSummary(model: ServiceModel, serviceUrl: string) {
  const container = model.container();
  return {
    serviceUrl: redactUrl(serviceUrl),
    odataVersion: model.odataVersion,
    entitySets: (container?.entitySets ?? []).map((set) => {
      const type = model.entityType(set.entityType);
      return { name: set.name, type: set.entityType, ...keyNames(type ? model.keyOf(type) : []) };
    }),
    singletons: (container?.singletons ?? []).map((singleton) => ({ name: singleton.name, type: singleton.type })),
    operations: [
      ...(container?.actionImports ?? []).flatMap((item) => model.actions(item.action).filter((o) => !o.bound).map((o) => ({ ...o, name: item.name }))),
      ...(container?.functionImports ?? []).flatMap((item) => model.functions(item.function).filter((o) => !o.bound).map((o) => ({ ...o, name: item.name }))),
    ],
  };
}

function setDetails(model: ServiceModel, set: EntitySet) {
  const type = model.entityTypeOf(set);
  const navigation = model.navigationPropertiesOf(type).map((nav: NavigationProperty) => ({
    name: nav.name,
    type: typeText(nav.type, nav.collection),
    target: set.navigationPropertyBindings.find((binding) => binding.path === nav.name)?.target,
  }));
  return {
    name: set.name,
    type: type.qualifiedName,
    ...keyNames(model.keyOf(type)),
    properties: model.propertiesOf(type).map((p: Property) => ({
      name: p.name,
      type: typeText(p.type, p.collection),
      nullable: p.nullable,
      ...(p.maxLength === undefined ? {} : { maxLength: p.maxLength }),
      ...(p.precision === undefined ? {} : { precision: p.precision }),
      ...(p.scale === undefined ? {} : { scale: p.scale }),
    })),
    navigation,
    // `call` names one entity with --key for the first, none for the second.
    operations: [...model.boundOperations(type).map((o) => ({ ...o, binding: "entity" as const })), ...model.boundOperations(type, { collection: true }).map((o) => ({ ...o, binding: "collection" as const }))],
    etag: model.etagProperties(set),
    capabilities: capabilities(set),
  };
}

/**
 * A singleton described as an entity set of its type is ({@link setDetails}), as the one entity it
 * is: without a key (its name addresses it), and of the operations bound to its type only those
 * bound to one entity.
 */
function singletonDetails(model: ServiceModel, singleton: Singleton) {
  const asSet: EntitySet = {
    kind: "EntitySet",
    name: singleton.name,
    entityType: singleton.type,
    navigationPropertyBindings: singleton.navigationPropertyBindings,
    includeInServiceDocument: true,
    annotations: singleton.annotations,
  };
  const { key: _key, keyAliases: _keyAliases, operations, ...details } = setDetails(model, asSet);
  return { kind: "singleton" as const, ...details, operations: operations.filter((o) => o.binding === "entity") };
}

/** `describe <service> [set]`: the service model from `$metadata`, as text or JSON. */
export const describeCommand: Command = {
  spec: {
    name: "describe",
    summary: "Show what $metadata says: entity sets, types, keys, properties, navigation, operations and capabilities.",
    synopsis: "<service> [set]",
    positionals: { min: 1, max: 2 },
    options: {},
    notes: "Examples:\n  traverse-odata describe https://host/odata/v4/catalog/\n  traverse-odata describe https://host/odata/v4/catalog/ Books --json",
  },
  async run(context) {
    const [service = "", setName] = context.args.positionals;
    const { client } = clientFor(context, service);
    warnOfUnsentConditions(context.environment, "describe", "$metadata alone");
    const model = await client.metadata({ signal: context.signal });
    const json = flag(context.args, "json");
    if (setName === undefined) {
      const summary = serviceSummary(model, client.serviceUrl);
      if (json) {
        await context.stdout.write(`${JSON.stringify({ ...summary, operations: summary.operations.map((o) => ({ kind: o.kind, name: o.name, parameters: o.parameters.map((p) => ({ name: p.name, type: typeText(p.type, p.collection) })), returnType: o.returnType ? typeText(o.returnType.type, o.returnType.collection) : null })) }, null, 2)}\n`);
        return;
      }
      // Each line's text from $metadata is shown visibly once: the columns' cells by columns(), the
      // other lines here, a line break in a name as ⏎ (it would start a line of its own).
      const lines = [visibleText(`${summary.serviceUrl}  (OData ${summary.odataVersion})`), "", "Entity sets"];
      lines.push(...columns(summary.entitySets.map((set) => [set.name, set.type, `key ${keyText(set)}`])));
      if (summary.singletons.length > 0) lines.push("", "Singletons", ...columns(summary.singletons.map((s) => [s.name, s.type])));
      if (summary.operations.length > 0) lines.push("", "Operations", ...summary.operations.map((o) => visibleText(`  ${operationLine(o, false)}`)));
      await context.stdout.write(`${lines.join("\n")}\n`);
      return;
    }
    const set = model.entitySet(setName);
    const singleton = set ? undefined : model.singleton(setName);
    if (!set && !singleton) throw unknownSetError("describe", model, setName);
    const details = set ? setDetails(model, set) : singletonDetails(model, singleton!);
    if (json) {
      await context.stdout.write(`${JSON.stringify({ ...details, operations: details.operations.map((o) => ({ kind: o.kind, name: o.qualifiedName, binding: o.binding, parameters: o.parameters.slice(1).map((p) => ({ name: p.name, type: typeText(p.type, p.collection) })), returnType: o.returnType ? typeText(o.returnType.type, o.returnType.collection) : null })) }, null, 2)}\n`);
      return;
    }
    // As above: the columns' cells are shown visibly by columns(), the other lines here.
    const lines = "key" in details
      ? [visibleText(`${details.name}  (entity set of ${details.type})`), visibleText(`key: ${keyText(details)}`), "", "Properties"]
      : [visibleText(`${details.name}  (singleton of ${details.type})`), "", "Properties"];
    // A key part inside a complex property (`Address/PostalCode`) marks none of the entity's own.
    const keyPaths = set ? model.keyOf(model.entityTypeOf(set)).map((k) => k.path) : [];
    lines.push(...columns(details.properties.map((p) => [p.name, p.type, p.nullable ? "nullable" : "not null", keyPaths.includes(p.name) ? "key" : ""])));
    if (details.navigation.length > 0) lines.push("", "Navigation", ...columns(details.navigation.map((n) => [n.name, n.type, n.target ? `-> ${n.target}` : ""])));
    const boundLines = (binding: "entity" | "collection") => details.operations.filter((o) => o.binding === binding).map((o) => visibleText(`  ${operationLine({ ...o, name: o.qualifiedName }, true)}`));
    const [onEntity, onCollection] = [boundLines("entity"), boundLines("collection")];
    // `call` addresses bound operations through an entity set: a singleton's are listed, no call shown.
    const entityHeading = set ? `Bound to one entity (call ${details.name}/<name> --key KEY)` : `Bound to ${details.name}`;
    if (onEntity.length > 0) lines.push("", visibleText(entityHeading), ...onEntity);
    if (onCollection.length > 0) lines.push("", visibleText(`Bound to the collection (call ${details.name}/<name>, no --key)`), ...onCollection);
    if (details.etag.length > 0) lines.push("", visibleText(`ETag: ${details.etag.join(", ")}`));
    const caps = Object.entries(details.capabilities);
    if (caps.length > 0) lines.push("", "Capabilities", ...columns(caps.map(([term, value]) => [term, JSON.stringify(value)])));
    await context.stdout.write(`${lines.join("\n")}\n`);
  },
};
