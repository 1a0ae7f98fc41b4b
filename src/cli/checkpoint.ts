/**
 * Export checkpoints: small JSON files saved behind the pages written, atomically (a temporary file
 * beside it, then a rename over it), so that a process killed at any moment leaves either the
 * previous checkpoint or the new one, never half of one.
 */
import { rename as fsRename, writeFile as fsWriteFile } from "node:fs";
import { readdir, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { QueryPartition } from "../index.js";
import type { ODataVersion } from "../options.js";
import { CliUsageError } from "./errors.js";
import type { FileFormatName } from "./formats.js";
import { parseJsonFile } from "./json-file.js";
import { isSecretHeaderName, redactUrl } from "../util/redact.js";
import { formatCounted } from "./terminal.js";

/**
 * How many links of the pages last written a walk's checkpoint keeps ({@link WalkCheckpoint.recentLinks}).
 * A service that loops sends a walk back to the page it is on or to one shortly before; the saves
 * stay small (a checkpoint is saved up to ten times a second). Within one run the walk remembers
 * as many links as the library's own walk does.
 */
export const RECENT_PAGE_LINKS = 32;

/** Where one walk stands: the output's length after the last page written, and the next page's URL. */
export interface WalkCheckpoint {
  type: "traverse-odata/export-checkpoint";
  version: 1;
  /** The URL of the walk's first page: which export this is. */
  request: string;
  /**
   * The OData version the pages are read as (`--odata-version`): the same URL read as another
   * version is another export. Absent in checkpoints saved before it was kept: then not checked.
   */
  odataVersion?: ODataVersion;
  /**
   * The version the service's `$metadata` declared, where the run that started the export read it
   * and reads the service as OData 2.0 (1.0, 2.0 or 3.0): a resume reads no `$metadata`, and asks
   * as that run did (a 3.0 service for verbose JSON, which is v2's form). Absent where it was not
   * read, and in checkpoints saved before it was kept.
   */
  declaredVersion?: string;
  /**
   * The headers the requests carried (`-H`, a profile's `headers`) that may choose the rows
   * (`sap-client`, `Accept-Language`): names in lower case ({@link keptHeaders}). Secrets are left
   * out, names and values. Absent in checkpoints saved before they were kept: then not checked.
   */
  headers?: Record<string, string>;
  format: FileFormatName;
  /** The CSV columns, fixed by the first page. */
  columns?: string[];
  /** The file the rows go to. */
  out: string;
  /** `true`: a whole file (head and tail); `false`: rows only, a part of a parallel export. */
  whole: boolean;
  /** The partition the walk reads (`--partition k/N`, or one part of `--parallel N`). */
  partition?: QueryPartition;
  /** The URL of the next page to read; absent once the last page is written, or once a loop stopped the walk. */
  next?: string;
  /**
   * The links of the last pages written (at most {@link RECENT_PAGE_LINKS}, the latest last): a
   * resumed walk that meets a next link back to one of them stops there, as a walk that is not
   * interrupted would. Absent in checkpoints saved before they were kept.
   */
  recentLinks?: string[];
  /**
   * The next link that led back to a page already read: the walk stopped before it, its rows up to
   * there in the file. The page behind it is never read again, or its rows would be written twice:
   * `--resume` of such a checkpoint is refused.
   */
  loop?: string;
  /** The output file's length in bytes after the last page written (and its head). */
  length: number;
  rows: number;
  pages: number;
  /** The last page is written (the tail, for a whole file, may not be yet). */
  done: boolean;
  /** The total the service reported, where known (for the ETA). */
  total?: number;
  savedAt: string;
}

/** A parallel export: its plan, and where each part writes and checkpoints. */
export interface ParallelCheckpoint {
  type: "traverse-odata/export-parallel";
  version: 1;
  request: string;
  /** As a walk's {@link WalkCheckpoint.odataVersion}. */
  odataVersion?: ODataVersion;
  /** As a walk's {@link WalkCheckpoint.declaredVersion}. */
  declaredVersion?: string;
  /** As a walk's {@link WalkCheckpoint.headers}. */
  headers?: Record<string, string>;
  format: FileFormatName;
  columns?: string[];
  out: string;
  plan: QueryPartition[];
  parts: { file: string; checkpoint: string }[];
  /**
   * Saved once the parts are joined into `out`, before they are removed: the output is complete, of
   * `length` bytes. A `--resume` from it reads nothing: it removes what is left and ends.
   */
  joined?: JoinedOutput;
  savedAt: string;
}

/** The output of a parallel export once its parts are joined: its length in bytes, and the rows and pages in it. */
export interface JoinedOutput {
  length: number;
  rows: number;
  pages: number;
}

/** Either kind of checkpoint file. */
export type ExportCheckpoint = WalkCheckpoint | ParallelCheckpoint;

/** The checkpoint as it is now, stamped with the time (`savedAt`). */
function stamped<C extends ExportCheckpoint>(checkpoint: C): C {
  return { ...checkpoint, savedAt: new Date().toISOString() };
}

/** The text of a checkpoint file. */
function checkpointText(checkpoint: ExportCheckpoint): string {
  return `${JSON.stringify(checkpoint, null, 2)}\n`;
}

/**
 * Writes a file atomically: a temporary file in the same folder, then a rename over the old one.
 * The callback forms of `node:fs`: an export saves one up to ten times a second, and the promise API's
 * file handles cost the walk's thread about half again as much per save.
 */
function replaceFile(file: string, text: string): Promise<void> {
  const temporary = temporaryFile(file);
  const failed = (error: NodeJS.ErrnoException) => new Error(`cannot write ${file}: ${error.code ?? error.message}`, { cause: error });
  return new Promise((resolve, reject) => {
    fsWriteFile(temporary, text, (error) => {
      if (error) return reject(failed(error));
      fsRename(temporary, file, (renameError) => (renameError ? reject(failed(renameError)) : resolve()));
    });
  });
}

/** The file a save of `file` writes before it renames it over `file`: named with this process's id. */
function temporaryFile(file: string): string {
  return `${file}.${process.pid}.tmp`;
}

/**
 * Checks, before an export starts, that its checkpoint can be saved: the temporary file a save
 * writes is made and removed again. A save fails else only once the walk has started, leaving an
 * empty output behind. The error (exit 1, as for any file that cannot be written) names the option
 * and the file.
 */
export async function checkCheckpointWritable(file: string, option: string, out?: string): Promise<void> {
  const temporary = temporaryFile(file);
  try {
    await writeFile(temporary, "", { flag: "w" });
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    // A checkpoint named after the output (no --checkpoint given) is news to the user: the option
    // they gave, and the file they named, are --out's.
    const message = out === undefined ? `${option} ${file} cannot be written: ${why}` : `--out ${out} cannot be written: its checkpoint ${file} cannot be made beside it (${why}); name another --out, or a --checkpoint elsewhere`;
    throw new Error(message, { cause: error });
  }
  await unlink(temporary);
}

/** Saves a checkpoint atomically and resolves once it is in place. */
export async function saveCheckpoint(file: string, checkpoint: ExportCheckpoint): Promise<void> {
  await replaceFile(file, checkpointText(stamped(checkpoint)));
}

/** The shortest time from the start of one save of a walk's checkpoint to the start of the next, in ms. */
export const CHECKPOINT_INTERVAL_MS = 100;

/**
 * The checkpoints of one walk, each saved atomically, in the order given, behind the walk: the
 * checkpoint is taken as it is when `save()` is called (after its page is written), and written
 * while the walk reads and writes the next page. A checkpoint on disk never claims more than the
 * output holds: it is only ever one of an earlier page. `flush()` saves the latest checkpoint given
 * and waits for it; a failed save fails the next `save()` or `flush()`.
 *
 * At most one save starts per `interval` (100 ms unless given), and saves never queue: while one
 * is on its way or the interval runs, only the latest checkpoint given waits, and one given later
 * replaces it unwritten. A save is four file operations, and a rename over the old file can take
 * tens of milliseconds (ext4 flushes the new file's data first); against a service that answers a
 * page in a few milliseconds, a save per page costs the export about a twentieth of its speed
 * (`npm run bench -- export` shows both) and saves checkpoints that the next one makes worthless.
 * Against a service whose pages take 100 ms or more (most real ones), every page's checkpoint is
 * saved. A process killed at any moment reads again at most the pages of the last interval;
 * `flush()` (the first page, the end, an error, Ctrl-C) does not wait for it.
 */
export class CheckpointWriter {
  readonly file: string;
  readonly #interval: number;
  /** The save in progress, until it and those waiting behind it are done. */
  #running: Promise<void> | undefined;
  /** The latest checkpoint given and not yet saved, with the write it waits for. */
  #waiting: { checkpoint: ExportCheckpoint; after: Promise<unknown> | undefined } | undefined;
  #failure: { error: unknown } | undefined;
  /** When the last save started (`performance.now()`). */
  #lastStart = Number.NEGATIVE_INFINITY;
  /** Set by `flush()`: the saves behind it start without waiting for the interval. */
  #hurry = false;
  /** Ends the interval being waited for at once. */
  #wake: (() => void) | undefined;

  constructor(file: string, interval = CHECKPOINT_INTERVAL_MS) {
    this.file = file;
    this.#interval = interval;
  }

  /**
   * Queues a save of `checkpoint` as it is now, made once `after` (the write of the page it
   * describes) is done. `after` must settle after the writes of the checkpoints given before, and
   * fail when one of them failed (as `FileSink.written()` does): a checkpoint that is replaced
   * unwritten is not waited for. After a failure nothing more is saved: a later checkpoint would
   * claim the bytes of the write that failed.
   */
  save(checkpoint: ExportCheckpoint, after?: Promise<unknown>): void {
    if (this.#failure) throw this.#failure.error;
    // A shallow copy: the walk changes its state's counters and link, never the values inside them.
    this.#waiting = { checkpoint: stamped(checkpoint), after };
    this.#running ??= this.#drain();
  }

  /** Saves the waiting checkpoint (after the interval), then the one that waits after it, until none waits. */
  async #drain(): Promise<void> {
    try {
      while (this.#waiting !== undefined && !this.#failure) {
        const pause = this.#lastStart + this.#interval - performance.now();
        if (pause > 0 && !this.#hurry) await this.#sleep(pause);
        const next = this.#waiting;
        this.#waiting = undefined;
        try {
          await next.after;
          this.#lastStart = performance.now();
          await replaceFile(this.file, checkpointText(next.checkpoint));
        } catch (error) {
          this.#failure ??= { error };
        }
      }
    } finally {
      this.#waiting = undefined;
      this.#running = undefined;
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => (this.#wake = undefined));
  }

  /** Saves the latest checkpoint given (not waiting for the interval) and resolves once it is in place. */
  async flush(): Promise<void> {
    this.#hurry = true;
    try {
      this.#wake?.();
      while (this.#running) await this.#running;
    } finally {
      this.#hurry = false;
    }
    if (this.#failure) throw this.#failure.error;
  }
}

/** Reads a checkpoint; `undefined` when there is none. A file that is not one is a usage error. */
export async function loadCheckpoint(file: string): Promise<ExportCheckpoint | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    throw new Error(`cannot read the checkpoint ${file}: ${code ?? (error as Error).message}`, { cause: error });
  }
  let value: unknown;
  try {
    value = parseJsonFile(text);
  } catch {
    throw new CliUsageError(`the checkpoint ${file} is not JSON; it is not a traverse-odata checkpoint (or it was damaged)`);
  }
  const type = (value as { type?: unknown } | null)?.type;
  if ((type !== "traverse-odata/export-checkpoint" && type !== "traverse-odata/export-parallel") || (value as { version?: unknown }).version !== 1) {
    throw new CliUsageError(`the checkpoint ${file} is not a traverse-odata export checkpoint (version 1)`);
  }
  const saved = value as Partial<WalkCheckpoint> & Partial<ParallelCheckpoint>;
  if (typeof saved.request !== "string" || typeof saved.out !== "string") throw new CliUsageError(`the checkpoint ${file} lacks its request, output, length, rows or pages`);
  if (saved.odataVersion !== undefined && !["2.0", "4.0", "4.01"].includes(saved.odataVersion)) throw damagedCheckpoint(file, "its OData version is not 2.0, 4.0 or 4.01");
  // Handed to the client as a version its $metadata declared: a version number, nothing else.
  if (saved.declaredVersion !== undefined && !(typeof saved.declaredVersion === "string" && /^\d\.\d{1,2}$/.test(saved.declaredVersion))) {
    throw damagedCheckpoint(file, "the OData version its service declared is not a version number");
  }
  if (saved.headers !== undefined && !(typeof saved.headers === "object" && saved.headers !== null && !Array.isArray(saved.headers) && Object.values(saved.headers).every((value) => typeof value === "string"))) {
    throw damagedCheckpoint(file, "its headers are not an object of names and values");
  }
  if (saved.columns !== undefined && !(Array.isArray(saved.columns) && saved.columns.every((column) => typeof column === "string"))) {
    throw damagedCheckpoint(file, "its columns are not a list of names");
  }
  if (type === "traverse-odata/export-checkpoint") {
    if (!isLength(saved.length) || !isLength(saved.rows) || !isLength(saved.pages)) {
      throw new CliUsageError(`the checkpoint ${file} lacks its request, output, length, rows or pages`);
    }
    if (saved.recentLinks !== undefined && !(Array.isArray(saved.recentLinks) && saved.recentLinks.every((link) => typeof link === "string"))) {
      throw damagedCheckpoint(file, "its recent links are not a list of URLs");
    }
    if (saved.loop !== undefined && typeof saved.loop !== "string") throw damagedCheckpoint(file, "its loop is not a URL");
    const partitionKind: unknown = (saved.partition as { kind?: unknown } | null | undefined)?.kind;
    if (saved.partition !== undefined && (typeof saved.partition !== "object" || saved.partition === null || !["key-range", "skip", "empty"].includes(partitionKind as string))) {
      throw damagedCheckpoint(file, "its partition is not one");
    }
  } else if (saved.joined !== undefined) {
    const joined = saved.joined as Partial<JoinedOutput> | null;
    if (typeof joined !== "object" || joined === null || !isLength(joined.length) || !isLength(joined.rows) || !isLength(joined.pages)) {
      throw damagedCheckpoint(file, "the length, rows and pages of its joined output are not counts");
    }
  }
  return value as ExportCheckpoint;
}

/**
 * The headers of a checkpoint ({@link WalkCheckpoint.headers}): a run's configured headers but the
 * secrets, which never reach the disk: those whose name says so ({@link isSecretHeaderName}), and
 * those whose value `isSecretValue` (a profile's header read from the environment); names in lower
 * case, as HTTP compares them.
 */
export function keptHeaders(headers: ReadonlyArray<readonly [string, string]>, isSecretValue: (value: string) => boolean = () => false): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of headers) if (!isSecretHeaderName(name) && !isSecretValue(value)) kept[name.toLowerCase()] = value;
  return kept;
}

/** The first header whose value differs between a checkpoint's headers and this run's, said for a refusal; `undefined` when none does. */
export function headerDifference(saved: Record<string, string>, now: Record<string, string>): string | undefined {
  for (const name of new Set([...Object.keys(saved), ...Object.keys(now)])) {
    const [before, after] = [saved[name], now[name]];
    if (before === after) continue;
    if (before === undefined) return `header ${name}: not sent then, ${JSON.stringify(after)} now`;
    return `header ${name}: ${JSON.stringify(before)}, ${after === undefined ? "not sent now" : `not ${JSON.stringify(after)}`}`;
  }
  return undefined;
}

/** The error of a checkpoint that is one, but damaged. */
export function damagedCheckpoint(file: string, what: string): CliUsageError {
  return new CliUsageError(`the checkpoint ${file} is damaged: ${what}; delete it to start again`);
}

/**
 * Checks what a checkpoint of this very export (its request checked) holds before the walk goes
 * on from it: a parallel one's plan and parts, and a walk's next link, which is asked with the run's
 * credentials and so must be an absolute URL on the origin of the walk's own first request or on
 * one of `trustedOrigins` (`--trust-origin`, a profile's `trustedOrigins`: where the walk follows
 * next links too). A walk that a loop of next links stopped is not gone on from (exit 2).
 */
export function checkResumePoint(checkpoint: ExportCheckpoint, file: string, trustedOrigins: ReadonlySet<string> = new Set()): void {
  if (checkpoint.type === "traverse-odata/export-parallel") {
    const { plan, parts } = checkpoint as Partial<ParallelCheckpoint>;
    if (!Array.isArray(plan) || !Array.isArray(parts) || plan.length !== parts.length || plan.length === 0) {
      throw damagedCheckpoint(file, "its plan and parts are not lists of the same length");
    }
    // Each part's file and checkpoint are written, read and removed by name.
    const named = (path: unknown) => typeof path === "string" && path !== "";
    if (!parts.every((part: unknown) => named((part as { file?: unknown } | null)?.file) && named((part as { checkpoint?: unknown } | null)?.checkpoint))) {
      throw damagedCheckpoint(file, "its parts are not each a file and a checkpoint");
    }
    return;
  }
  if (checkpoint.loop !== undefined) {
    // Reading the page behind the link again would write its rows twice; the service's paging is
    // broken, and a retry meets the same loop.
    throw new CliUsageError(
      `cannot resume: the export stopped because the service sent a next link back to a page already read (${redactUrl(checkpoint.loop)}); ${checkpoint.out} holds the ${formatCounted(checkpoint.rows, "row")} read until then, and reading on would repeat rows. Delete the checkpoint ${file} to export again from the beginning`,
    );
  }
  if (checkpoint.next === undefined) return;
  const origin = httpOrigin(checkpoint.next);
  if (origin === undefined) throw damagedCheckpoint(file, "its next link is not a URL on the service of its request");
  if (origin === httpOrigin(checkpoint.request) || trustedOrigins.has(origin)) return;
  // A link on another origin is what a hand-edited checkpoint holds, or what the service sent and
  // the run that saved it did not follow (an origin not trusted then): the command can trust it.
  throw new CliUsageError(
    `the checkpoint ${file} is damaged: its next link is not a URL on the service of its request, nor on a trusted origin (it is on ${origin}: if the service sent it, give --trust-origin ${origin} to go on, if you trust that origin with the credentials and headers); else delete it to start again`,
  );
}

/**
 * Removes a checkpoint and the temporary files that killed saves left behind: this process's, and
 * those of an earlier process that was killed while it wrote one (named with that process's id).
 */
export async function removeCheckpoint(file: string): Promise<void> {
  // The temporary files first: a process killed in between leaves the checkpoint, which a rerun
  // removes again, rather than temporary files that nothing would remove.
  const name = basename(file);
  const folder = dirname(file);
  const entries = await readdir(folder).catch(() => [] as string[]);
  for (const entry of entries) {
    if (entry.startsWith(`${name}.`) && /^\.\d+\.tmp$/.test(entry.slice(name.length))) await rm(join(folder, entry), { force: true });
  }
  await rm(file, { force: true });
}

/** The origin of `link` where it is an absolute http(s) URL (what `--resume` follows). */
export function httpOrigin(link: unknown): string | undefined {
  return httpUrl(link)?.origin;
}

/** `link` parsed where it is an absolute http(s) URL (see {@link httpOrigin}), else `undefined`. */
export function httpUrl(link: unknown): URL | undefined {
  if (typeof link !== "string") return undefined;
  try {
    const url = new URL(link);
    return url.protocol === "http:" || url.protocol === "https:" ? url : undefined;
  } catch {
    return undefined;
  }
}

function isLength(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}
