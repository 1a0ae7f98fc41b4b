/**
 * `query`, `count` and `get`: reading to stdout. `query` follows next links to the end, writing
 * each page as it arrives (memory bounded by a page), in a table, JSON, NDJSON or CSV; a table holds
 * its first TABLE_SAMPLE rows back, whatever the pages, to size its columns.
 */
import { formatCount, formatCounted } from "../terminal.js";
import { flag, stringOption } from "../args.js";
import { CliUsageError } from "../errors.js";
import { answerRecorder, clientFor, clientWithMetadata, optionalMetadata, type Command } from "../context.js";
import { columnsOf, exactEntities, jsonWithServiceDigits, pageRowsText, TableWriter, type FormatName, type RowFormat } from "../formats.js";
import type { EntityQuery } from "../../index.js";
import { EntityTexts } from "../../payload/entity-text.js";
import { queryPages } from "../../resources/read-query.js";
import { rowFormat } from "../export.js";
import { buildEntityQuery, buildQuery, columnsFor, declaredColumns, pageSizeWarning, QUERY_OPTIONS, rowsToRead } from "../query-args.js";
import { parseKey } from "../values.js";
import { v4AnswerCheck, versionGiven } from "../connect.js";
import { checkSetName, containerMember, explainMissingSet } from "../container-names.js";

const FORMATS: readonly FormatName[] = ["table", "json", "ndjson", "csv"];

/** How many rows, from the start of the walk, size a table's columns (held back until read). */
const TABLE_SAMPLE = 200;

/** `query <service> <set>`: every page of a query to stdout, as a table, JSON, NDJSON or CSV. */
export const queryCommand: Command = {
  spec: {
    name: "query",
    summary: "Read a collection to stdout, following next links to the end: a table, JSON, NDJSON or CSV.",
    synopsis: "<service> <set>",
    positionals: { min: 2, max: 2 },
    options: {
      ...QUERY_OPTIONS,
      count: { type: "boolean", help: "ask for the total count ($count=true): in JSON as @odata.count, else in the summary on stderr (with --quiet alone on a line: count: N)" },
      format: { type: "string", value: "F", help: "table (default), json, ndjson or csv" },
    },
    notes: 'Example:\n  traverse-odata query https://host/odata/v4/catalog/ Books --filter "stock gt 0" --select ID,title --top 10',
  },
  async run(context) {
    const [service = "", set = ""] = context.args.positionals;
    const format = (stringOption(context.args, "format") ?? "table") as FormatName;
    if (!FORMATS.includes(format)) throw new CliUsageError(`--format must be one of ${FORMATS.join(", ")}; got ${JSON.stringify(format)}`);
    const made = clientFor(context, service);
    // The options are checked before anything is sent.
    let query = buildQuery(made.client.collection(set), context.args, { paging: true, count: true });
    // A table or CSV reads `$metadata` for its columns, and so the version it declares.
    const { client, model } = format === "csv" || format === "table" ? await clientWithMetadata(context, service, undefined, made) : { ...made, model: undefined };
    if (client !== made.client) query = buildQuery(client.collection(set), context.args, { paging: true, count: true });
    // The $metadata read for the columns knows the service's names: a set it lacks is refused before its pages are asked.
    checkSetName("query", model, set);
    const declared = declaredColumns(context.args, set, model);
    const { stdout, reporter } = context;
    const pageSize = pageSizeWarning(context.args, client.version);
    if (pageSize !== undefined) reporter.warn(pageSize);
    const started = performance.now();
    let rows = 0;
    let pages = 0;
    let count: number | undefined;
    let table: TableWriter | undefined;
    // The table's first rows, until TABLE_SAMPLE of them are read or the walk ends: a service that
    // pages small (SAP Gateway pages of a few rows) would otherwise size the columns by its first page.
    let held: Record<string, unknown>[] = [];
    /** The table's header and the rows held so far, its columns sized by them (TableWriter). */
    const startTable = (): string => {
      // Without $select or $metadata the first entity gives the columns, as for CSV: none read, no table.
      if (declared === undefined && held.length === 0) return "";
      const onExtra = (name: string) => reporter.warn(`the rows have a property ${JSON.stringify(name)} that is not one of the table columns; its values are left out`);
      table = new TableWriter(columnsFor(declared, held[0]), held.slice(0, TABLE_SAMPLE), stdout.columns, onExtra);
      const text = table.rows(held);
      held = [];
      return text;
    };
    let lines = format === "table" || (format === "csv" && declared === undefined) ? undefined : rowFormat(format, declared, (text) => reporter.warn(text));
    const counted = format === "json" && flag(context.args, "count");
    // JSON with --count wraps the array in an object that carries the count (the first page gives it).
    const headOf = (lineFormat: RowFormat) => `${counted ? `{"@odata.count":${count ?? "null"},"value":` : ""}${lineFormat.head()}`;
    let headDone = false;
    // Each page's entities as the service wrote them, as export takes them (entity-text.ts): the
    // formats write the digits of long numbers as sent, where JavaScript's numbers would round them.
    const texts = new EntityTexts();
    try {
      for await (const page of queryPages(query, { signal: context.signal, onWholeBody: texts.keep })) {
        const entities = page.value as Record<string, unknown>[];
        const pageText = texts.take(entities);
        if (page.count !== undefined) count = page.count;
        let text = "";
        if (format === "table") {
          const exact = pageText === undefined ? entities : exactEntities(pageText, entities);
          if (table) text = table.rows(exact);
          else {
            held = held.concat(exact);
            if (held.length >= TABLE_SAMPLE) text = startTable();
          }
        } else {
          // CSV without $select or $metadata takes its columns from the first entity.
          if (lines === undefined && entities.length > 0) lines = rowFormat("csv", columnsOf(entities[0]), (warning) => reporter.warn(warning));
          if (lines && !headDone) {
            text += headOf(lines);
            headDone = true;
          }
          if (lines) text += pageRowsText(lines, entities, rows, pageText);
        }
        rows += entities.length;
        pages += 1;
        reporter.clear();
        await stdout.write(text);
        reporter.walk(set, { rows, pages, total: rowsToRead(count, context.args) }, started);
      }
    } catch (error) {
      // The rows read before a failed page or Ctrl-C are printed, as they would have been had the
      // table not held them; the walk's error is the one reported. No rows, no header: a walk
      // refused at its first page prints nothing, as before.
      if (format === "table" && table === undefined && held.length > 0) {
        reporter.clear();
        await stdout.write(startTable()).catch(() => {});
      }
      // JSON and NDJSON read no $metadata: a first page answered 404 asks it whether the set is named otherwise.
      if ((format === "json" || format === "ndjson") && pages === 0) throw await explainMissingSet(error, "query", set, () => optionalMetadata(client, context.signal));
      throw error;
    }
    // A walk of fewer rows than TABLE_SAMPLE: they all size the columns.
    if (format === "table" && table === undefined) {
      reporter.clear();
      await stdout.write(startTable());
    }
    if (lines) await stdout.write(`${headDone ? "" : headOf(lines)}${lines.tail(rows)}${counted ? "}\n" : ""}`);
    const seconds = (performance.now() - started) / 1000;
    reporter.summary(`${formatCounted(rows, "row")}${count === undefined ? "" : ` (count ${formatCount(count)})`} in ${formatCounted(pages, "page")}, ${seconds.toFixed(1)} s`);
    if (flag(context.args, "count")) {
      // A count asked for and not given would otherwise show as nothing at all (or JSON's null).
      if (count === undefined) reporter.warn(`--count: the service answered no count (${client.version === "2.0" ? "__count" : "@odata.count"})`);
      // The count is data the user asked for: --quiet leaves out the summary that tells it, not the count.
      else if (!counted && flag(context.args, "quiet")) reporter.write(`count: ${count}\n`);
    }
  },
};

/** `count <service> <set>`: `GET <set>/$count`. */
export const countCommand: Command = {
  spec: {
    name: "count",
    summary: "Print the number of entities of a collection (GET <set>/$count), with --filter and --search.",
    synopsis: "<service> <set>",
    positionals: { min: 2, max: 2 },
    options: { filter: QUERY_OPTIONS["filter"]!, search: QUERY_OPTIONS["search"]! },
  },
  async run(context) {
    const [service = "", set = ""] = context.args.positionals;
    const made = clientFor(context, service);
    // The options are checked before anything is sent.
    let query = buildQuery(made.client.collection(set), context.args, { paging: false });
    // $search is OData v4's alone: with it, and no version set, $metadata says the version the
    // service speaks, as for `query`, so that a v2 service's count is refused it rather than sent it.
    const read = context.args.values["search"] !== undefined && !versionGiven(context.environment) ? await clientWithMetadata(context, service, undefined, made) : undefined;
    const client = read?.client ?? made.client;
    if (client !== made.client) query = buildQuery(client.collection(set), context.args, { paging: false });
    let count: number;
    try {
      count = await query.countAll({ signal: context.signal });
    } catch (error) {
      // Without --search no $metadata is read for a count: only a 404 asks it whether the set is
      // named otherwise. With it, the read serves: a client that speaks the version it declares
      // has a $metadata cache of its own, and a failed read (a 404) is kept by none.
      throw await explainMissingSet(error, "count", set, () => (read ? Promise.resolve(read.model) : optionalMetadata(client, context.signal)));
    }
    await context.stdout.write(`${count}\n`);
  },
};

/** `get <service> <set> <key>` (one entity as JSON) and `get <service> <singleton>`. */
export const getCommand: Command = {
  spec: {
    name: "get",
    summary: "Print one entity as JSON, by its key (42, O'Brien, or Name=value,Name=value for a key of several properties or an alternate key), or a singleton by its name alone.",
    synopsis: "<service> <set> <key>, or <service> <singleton>",
    positionals: { min: 2, max: 3 },
    options: { select: QUERY_OPTIONS["select"]!, expand: QUERY_OPTIONS["expand"]! },
    notes:
      "Key values are typed by $metadata where the service has it (strings, GUIDs, dates...; binary data in base64 or base64url, as JSON prints it); without it an integer is a number and anything else a string. A value in single quotes is a string as OData writes one, commas and all, a quote inside doubled: Product='Smith, John',Language=EN. An alternate key that $metadata declares (Core.AlternateKeys) is given by its names: accountnumber=A3.\n" +
      "Without a key the name is read as a singleton (GET Me), where $metadata declares it one or does not declare it an entity set; an entity set given no key, or a singleton given one, is refused before anything is sent (without $metadata, a name that answers a collection is refused once read). A singleton that $metadata declares Nullable and that has no entity prints null.\n" +
      "Examples:\n  traverse-odata get https://host/odata/v4/catalog/ Books 42\n  traverse-odata get https://graph.microsoft.com/v1.0/ me --select displayName",
  },
  async run(context) {
    const [service = "", set = "", keyText] = context.args.positionals;
    const answers = answerRecorder();
    // An entity of a v4 service read as v2 would print, its @odata.context and all: stopped.
    const { client, model } = await clientWithMetadata(context, service, [answers.step, v4AnswerCheck(context.environment)]);
    // Before the key is read: a set $metadata lacks would type it as no key (`products('abc')`).
    checkSetName("get", model, set);
    const member = containerMember(model, set);
    let target;
    if (keyText === undefined) {
      // `GET People` would answer the whole set, which `get` would then fail to read as one entity.
      if (member?.kind === "entitySet") {
        const key = member.key.length > 0 ? ` (${member.key.join(", ")})` : "";
        throw new CliUsageError(`get: ${JSON.stringify(set)} is an entity set: give the key${key} of the entity to read, traverse-odata get <service> ${set} <key>; traverse-odata query reads the whole set`);
      }
      target = client.singleton(set, { nullable: member?.kind === "singleton" && member.nullable });
    } else {
      // `Me(1)` addresses nothing: a singleton is the one entity its name gives.
      if (member?.kind === "singleton") throw new CliUsageError(`get: ${JSON.stringify(set)} is a singleton, which has no key: traverse-odata get <service> ${set} reads it`);
      target = client.collection(set).key(parseKey(keyText, set, model, client.version));
    }
    const entity = await buildEntityQuery(target as EntityQuery, context.args).get({ signal: context.signal });
    // A name no $metadata declared, read as a singleton, that answers a page (`{"value": [...]}`)
    // is an entity set: its first page is no entity to print as one.
    if (keyText === undefined && member === undefined && isPage(entity)) {
      throw new CliUsageError(`get: ${JSON.stringify(set)} answered a collection, not one entity: give the key of the entity to read, traverse-odata get <service> ${set} <key>; traverse-odata query reads the whole set`);
    }
    await context.stdout.write(`${jsonWithServiceDigits(entity, await answers.text())}\n`);
  },
};

/** Whether `value`, read as one entity, is a collection's page: a `value` array and nothing else but annotations (`@odata.nextLink`, `@odata.count`). */
function isPage(value: unknown): boolean {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  return Array.isArray((value as { value?: unknown }).value) && Object.keys(value).every((name) => name === "value" || name.startsWith("@"));
}
