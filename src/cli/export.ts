/**
 * The export engine: a collection (or one partition of it) walked page by page into a file, its
 * checkpoint kept behind the walk, and a parallel export that walks the partitions of a plan at
 * once and joins their parts into one file at the end.
 *
 * What it guarantees:
 * - Memory holds the page being written and the one read ahead, whatever the number of rows.
 * - A checkpoint holds the URL of the next page and the output's length after a page already in
 *   the file (handed to the operating system), saved atomically behind the walk: `FileSink`
 *   writes, and `CheckpointWriter` saves once the write is done, at most one save per interval
 *   (100 ms unless given), only the latest checkpoint when several wait (see there). A process killed at any moment resumes from the last checkpoint: the
 *   output is cut back to the saved length (whatever was written after it, half a page included,
 *   goes) and the walk goes on from the saved link. Every entity is written once.
 * - An abort (Ctrl-C) stops the walk; the checkpoint of the last page written stays.
 * - A next link back to a page already written (in this run, or among the last ones of the runs
 *   before, which the checkpoint names) stops the walk before that page is read again; the
 *   checkpoint says so, and is not resumed from: reading on would write the page's rows twice.
 * - A checkpoint is removed last, once the output is complete: a kill before that leaves one that
 *   `--resume` finishes from without reading a page (a walk's says `done`; a parallel export's
 *   says `joined` before its parts are removed).
 */
import { constants as fsConstants, createReadStream, write as fsWrite } from "node:fs";
import { open, rm, stat, type FileHandle } from "node:fs/promises";
import { ODataClientError, type CollectionQuery, type QueryPartition } from "../index.js";
import type { ODataVersion } from "../options.js";
import { CheckpointWriter, checkResumePoint, httpUrl, loadCheckpoint, RECENT_PAGE_LINKS, removeCheckpoint, saveCheckpoint, type JoinedOutput, type ParallelCheckpoint, type WalkCheckpoint } from "./checkpoint.js";
import { CliUsageError } from "./errors.js";
import { queryPages } from "../resources/read-query.js";
import { RecentLinks } from "../read/traversal.js";
import { redactUrl } from "../util/redact.js";
import { EntityTexts } from "../payload/entity-text.js";
import { columnsOf, csvFormat, jsonFormat, ndjsonFormat, pageRows, pageRowsText, type FileFormatName, type RowFormat } from "./formats.js";

/** Writes all of `bytes` at `position` of the file `fd` (a write may take fewer bytes than it is given). */
function writeAt(fd: number, bytes: Uint8Array, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (offset: number) => {
      if (offset >= bytes.byteLength) return resolve();
      // The callback form: one request to libuv's pool, none of the promise API's wrapping per call.
      fsWrite(fd, bytes, offset, bytes.byteLength - offset, position + offset, (error, written) => (error ? reject(error) : step(offset + written)));
    };
    step(0);
  });
}

/**
 * A file written at known offsets, its length tracked. Writes go to the operating system behind
 * the caller, one at a time and in order: `write()` resolves once the write before it is done, so
 * the walk reads and parses the next page while this one is written, and at most one page waits.
 */
export class FileSink {
  readonly path: string;
  readonly #handle: FileHandle;
  #length: number;
  /** The last write handed over (rejected with its error, or the error of a write before it). */
  #lastWrite: Promise<void> = Promise.resolve();
  /** An existing file that is emptied with the first write, not before (see {@link open}). */
  #emptyFirst: boolean;
  /** Whether {@link open} made the file: it was not there before. */
  readonly created: boolean;

  private constructor(path: string, handle: FileHandle, length: number, emptyFirst = false, created = false) {
    this.path = path;
    this.#handle = handle;
    this.#length = length;
    this.#emptyFirst = emptyFirst;
    this.created = created;
  }

  /**
   * A new file, or an existing one cut back to `resumeAt` bytes. A file that is there and not
   * resumed, or resumed before anything was written (`resumeAt` 0: the first page never came), is
   * emptied only by the first write: an export that fails before its first page leaves an earlier
   * export's file as it was, however often it is resumed. It is opened now all the same, so that a
   * path that cannot be written fails before anything is asked.
   */
  static async open(path: string, resumeAt?: number): Promise<FileSink> {
    if (resumeAt === undefined || resumeAt === 0) {
      // Write-only, created if missing, not emptied (O_TRUNC) yet: a file that cannot be written
      // fails here, before anything is asked. Made only if missing (O_EXCL) first, to know whether
      // it was there: a walk that fails before its first page removes only a file it made.
      const writeOnly = fsConstants.O_WRONLY | fsConstants.O_CREAT;
      let created = true;
      const handle = await open(path, writeOnly | fsConstants.O_EXCL).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "EEXIST") throw error;
        created = false;
        return open(path, writeOnly);
      });
      // Only a regular file with something in it is emptied, by the first write.
      const full = await handle.stat().then((found) => found.isFile() && found.size > 0, async (error: unknown) => {
        await handle.close();
        throw error;
      });
      return new FileSink(path, handle, 0, full, created);
    }
    let handle: FileHandle;
    try {
      handle = await open(path, "r+");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        throw new CliUsageError(`cannot resume: the output ${path} of the checkpoint is gone; start the export again without --resume`);
      }
      throw error;
    }
    const { size } = await handle.stat();
    if (size < resumeAt) {
      await handle.close();
      throw new CliUsageError(`cannot resume: ${path} holds ${size} bytes, fewer than the ${resumeAt} the checkpoint saved; it was changed since, start again without --resume`);
    }
    await handle.truncate(resumeAt);
    return new FileSink(path, handle, resumeAt);
  }

  /** Whether the file holds bytes from before that the first write empties (nothing was written yet). */
  get holdsEarlierBytes(): boolean {
    return this.#emptyFirst;
  }

  /** The length written so far. */
  get length(): number {
    return this.#length;
  }

  /**
   * Appends bytes (text as UTF-8) after those given so far; `length` counts them at once.
   * Resolves when the write before this one is done (rejects with its error); `written()` tells
   * when this one is.
   */
  write(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    const position = this.#length;
    this.#length += bytes.byteLength;
    const before = this.#lastWrite;
    const fd = this.#handle.fd;
    const emptyFirst = this.#emptyFirst;
    this.#emptyFirst = false;
    const ready = emptyFirst ? before.then(() => this.#handle.truncate(0)) : before;
    // A failure names the file (the system's error names only the call: "ENOSPC: ..., write").
    this.#lastWrite = ready.then(() =>
      writeAt(fd, bytes, position).catch((error: NodeJS.ErrnoException) => {
        const failed = new Error(`writing ${this.path} failed: ${error.code ?? error.message}${error.code === "ESPIPE" ? " (it cannot be written at a position: name a regular file)" : ""}`, { cause: error });
        throw Object.assign(failed, { code: error.code });
      }),
    );
    // Its failure is reported by the next write(), written() or close().
    this.#lastWrite.catch(() => {});
    return before;
  }

  /** Resolves once everything given to `write()` so far is written (rejects with the first failure). */
  written(): Promise<void> {
    return this.#lastWrite;
  }

  /** Waits for the writes, then closes the file (also when a write failed, rejecting with its error). */
  async close(): Promise<void> {
    try {
      await this.#lastWrite;
    } finally {
      await this.#handle.close();
    }
  }
}

/** The row format of a file format (CSV needs its columns). */
export function rowFormat(format: FileFormatName, columns: readonly string[] | undefined, warn: (text: string) => void): RowFormat {
  switch (format) {
    case "ndjson":
      return ndjsonFormat();
    case "json":
      return jsonFormat();
    case "csv":
      return csvFormat(columns ?? [], (name) => warn(`the rows have a property ${JSON.stringify(name)} that is not one of the CSV columns; its values are left out`));
  }
}

/** What a walk reports after each page. */
export interface WalkReport {
  rows: number;
  pages: number;
}

/** One walk into one file. */
export interface WalkJob {
  /** The query to walk (a partition of it already applied). */
  query: CollectionQuery;
  out: string;
  checkpoint: string;
  format: FileFormatName;
  /** A whole file (with head and tail) or a part of a parallel export (rows only). */
  whole: boolean;
  /** CSV columns known before the first row (else the first row decides). */
  columns?: string[] | undefined;
  partition?: QueryPartition | undefined;
  /** Where to go on from (`--resume`). */
  resume?: WalkCheckpoint | undefined;
  /** The OData version the pages are read as, kept in the checkpoint (`--odata-version`). */
  odataVersion?: ODataVersion | undefined;
  /** The version the service's `$metadata` declared, kept in the checkpoint for a resume ({@link WalkCheckpoint.declaredVersion}). */
  declaredVersion?: string | undefined;
  /** The headers that may choose the rows, kept in the checkpoint ({@link WalkCheckpoint.headers}). */
  headers?: Record<string, string> | undefined;
  /** The least time from one checkpoint save to the next, in ms (`CheckpointWriter`; default 100). */
  checkpointInterval?: number | undefined;
  signal: AbortSignal;
  onPage(report: WalkReport): void;
  warn(text: string): void;
}

/**
 * Walks a query into a file, checkpointing behind the pages written; resolves with the final checkpoint
 * (`done`). A whole file gets its tail and its checkpoint removed; a part keeps its checkpoint
 * until the parts are joined.
 */
export async function walkToFile(job: WalkJob): Promise<WalkCheckpoint> {
  const resume = job.resume;
  const sink = await FileSink.open(job.out, resume?.length);
  const checkpoints = new CheckpointWriter(job.checkpoint, job.checkpointInterval);
  let columns = resume ? resume.columns : job.columns;
  const state: WalkCheckpoint = resume
    ? { ...resume }
    : {
        type: "traverse-odata/export-checkpoint",
        version: 1,
        ...checkpointHead(job, columns),
        whole: job.whole,
        ...(job.partition ? { partition: job.partition } : {}),
        next: job.query.url(),
        length: 0,
        rows: 0,
        pages: 0,
        done: false,
        savedAt: "",
      };
  try {
    let format = rowFormat(job.format, columns, job.warn);
    // The head goes out with the first page (and before the tail when no page came), so that the
    // first checkpoint can be saved before anything is written. CSV columns may wait for a row.
    let headPending = job.whole && state.length === 0;
    const headReady = () => job.format !== "csv" || columns !== undefined;
    // The first checkpoint is saved while the first page is read, and is on disk before anything is written.
    let firstSave = !resume;
    if (firstSave) checkpoints.save(state);
    job.onPage({ rows: state.rows, pages: state.pages });

    if (!state.done) {
      // `from`: the saved next link (or, before the first page, the query's own URL).
      // NDJSON and JSON take each page's entities as the service wrote them where they can
      // (entity-text.ts): serializing every entity again would cost as much as parsing the page did.
      // CSV takes the digits of long numbers from there.
      const texts = format.rowsFromText ? new EntityTexts() : undefined;
      const onWholeBody = texts?.keep;
      // Before its first page a walk starts from the query itself, whose `$top` the library's walk
      // holds to; a resumed one follows its saved link, which knows nothing of the rows before it,
      // so the rows past `$top` are cut here (a service such as Graph reads `$top` as a page size).
      const top = topOf(job.query.url());
      const pages = queryPages(job.query, { from: state.pages === 0 ? undefined : state.next, signal: job.signal, onWholeBody });
      // The links of the pages written. The library's walk stops at a loop among the links of its
      // own run only, and a resumed walk is a new one: a link back to a page written before the
      // resume would be read again, its rows written twice.
      const written = new RecentLinks();
      for (const link of state.recentLinks ?? []) written.add(link);
      for await (const page of pages) {
        let entities = page.value as Record<string, unknown>[];
        if (top !== undefined && state.rows + entities.length > top) entities = entities.slice(0, Math.max(top - state.rows, 0));
        // A page cut to `$top` keeps the text of the entities it begins with (EntityTexts.take).
        const pageText = texts?.take(entities);
        let head = "";
        if (job.format === "csv" && columns === undefined && entities.length > 0) {
          columns = columnsOf(entities[0]);
          format = rowFormat(job.format, columns, job.warn);
          state.columns = columns;
        }
        if (headPending && headReady()) {
          head = format.head();
          headPending = false;
        }
        const rows = pageRows(format, entities, state.rows, pageText);
        // One write a page, its head included (the rows may be the page's bytes).
        const text = head === "" ? rows : typeof rows === "string" ? head + rows : Buffer.concat([Buffer.from(head), rows]);
        if (firstSave) {
          await checkpoints.flush();
          firstSave = false;
        }
        await sink.write(text);
        // The link this page was read from (the walk's first URL, or the next link before it).
        const pageLink = linkOfPage(state.next as string);
        written.add(pageLink);
        // A new array: the checkpoints waiting to be saved hold the one before (CheckpointWriter copies shallowly).
        state.recentLinks = [...(state.recentLinks ?? []).slice(1 - RECENT_PAGE_LINKS), pageLink];
        state.length = sink.length;
        state.rows += entities.length;
        state.pages += 1;
        const looped = page.nextLink !== undefined && written.has(linkOfPage(page.nextLink));
        // A page without a next link is the last one only once the walk ends after it: the walk
        // hands out a page whose next link is no URL without it, and fails when it would follow it
        // (BAD_PAYLOAD). Until then its checkpoint waits: a failure leaves the one of the page
        // before, so that `--resume` reads this page again and the rows are not taken for all.
        const lastSoFar = page.nextLink === undefined;
        // A next link with a user name or password is refused when followed (CREDENTIALS_IN_URL), and
        // one of another scheme (`urn:`, `ftp:`) whatever the trusted origins: its page's checkpoint
        // waits too, so that the credentials never reach the disk and `--resume` reads that page
        // again rather than refusing a checkpoint it cannot follow.
        const unfollowable = page.nextLink !== undefined && unfollowableLink(page.nextLink);
        if (top !== undefined && state.rows >= top) {
          delete state.next;
          state.done = true;
        } else if (page.nextLink === undefined) {
          delete state.next;
        } else if (looped) {
          delete state.next;
          state.loop = page.nextLink;
        } else {
          state.next = page.nextLink;
        }
        if (page.count !== undefined) state.total = page.count;
        // Its checkpoint is saved once the page is in the file, behind the walk (see CheckpointWriter).
        if ((!lastSoFar && !unfollowable) || state.done) checkpoints.save(state, sink.written());
        job.onPage({ rows: state.rows, pages: state.pages });
        if (looped) {
          await checkpoints.flush();
          throw new ODataClientError(
            "NEXT_LINK_LOOP",
            `the service sent a next link back to a page already read (${redactUrl(state.loop as string)}); stopping instead of looping: the rows read so far are in ${job.out}, and --resume will not read on from there`,
          );
        }
        // `$top` reached by a resumed walk: what it would read on is past it. A page without a next
        // link does not end the loop: the walk ends after it, or fails (see lastSoFar).
        if (state.done) break;
      }
      if (!state.done) {
        // The walk ended after its last page (or, resumed, without one: its link led nowhere).
        delete state.next;
        state.done = true;
        checkpoints.save(state, sink.written());
      }
      await checkpoints.flush();
    }
    if (job.whole) {
      await sink.write(`${headPending && headReady() ? format.head() : ""}${format.tail(state.rows)}`);
      await sink.close();
      await removeCheckpoint(job.checkpoint);
    } else {
      // A part with no rows writes nothing, and must still end empty.
      await sink.write("");
      await sink.close();
    }
    return state;
  } catch (error) {
    // The checkpoints queued so far go to disk before the error ends the walk (Ctrl-C included).
    await checkpoints.flush().catch(() => {});
    await sink.close().catch(() => {});
    // A whole file's walk that ends before its first page (a query the service refuses, Ctrl-C
    // while it is asked) leaves nothing worth resuming: a checkpoint kept would refuse the
    // corrected command, and `--resume` of it as another query. It goes, and the output with it
    // when this walk made the file (an earlier export's file is left as it was, unemptied). A
    // resumed one keeps it over a file that holds bytes: they may be rows of the run before (one
    // whose first page's next link was no URL, or that was killed after writing it), which
    // without a checkpoint would pass for a complete export.
    if (job.whole && state.pages === 0 && sink.length === 0 && !(resume && sink.holdsEarlierBytes)) {
      await removeCheckpoint(job.checkpoint).catch(() => {});
      if (sink.created) await rm(job.out, { force: true }).catch(() => {});
    }
    throw error;
  }
}

/**
 * Whether the walk refuses to follow `link` whatever the trusted origins, so that a checkpoint
 * naming it could never be resumed: no http(s) URL (as `--resume` checks, {@link httpUrl}), or
 * one naming a user or password.
 */
function unfollowableLink(link: string): boolean {
  const url = httpUrl(link);
  return url === undefined || url.username !== "" || url.password !== "";
}

/** The `$top` of a query's URL, if it has one. */
function topOf(url: string): number | undefined {
  const top = new URL(url).searchParams.get("$top");
  return top === null ? undefined : Number(top);
}

/** A page's link as the walk compares it: absolute, without its fragment (never sent, so the same page). */
function linkOfPage(link: string): string {
  try {
    const url = new URL(link);
    url.hash = "";
    return url.href;
  } catch {
    return link;
  }
}

/** One walk to a stream (`--out -`: stdout), with no checkpoint. */
export interface StreamJob {
  /** The query to walk (a partition of it already applied). */
  query: CollectionQuery;
  format: FileFormatName;
  /** CSV columns known before the first row (else the first row decides). */
  columns?: string[] | undefined;
  /** Writes text to the stream; resolves when it can take more. */
  write(text: string): Promise<void>;
  signal: AbortSignal;
  onPage(report: WalkReport): void;
  warn(text: string): void;
}

/**
 * Walks a query to a stream, page by page, in the same formats and bytes as {@link walkToFile}
 * writes a whole file; resolves with the rows and pages written. A stream cannot be cut back to
 * the end of a page, so nothing is checkpointed: an interrupted walk starts again from the beginning.
 */
export async function walkToStream(job: StreamJob): Promise<WalkReport> {
  let columns = job.columns;
  let format = rowFormat(job.format, columns, job.warn);
  // CSV without known columns writes its header with the first row, which gives them.
  let headPending = true;
  const headReady = () => job.format !== "csv" || columns !== undefined;
  const texts = new EntityTexts();
  const report: WalkReport = { rows: 0, pages: 0 };
  job.onPage({ ...report });
  for await (const page of queryPages(job.query, { signal: job.signal, onWholeBody: texts.keep })) {
    const entities = page.value as Record<string, unknown>[];
    if (job.format === "csv" && columns === undefined && entities.length > 0) {
      columns = columnsOf(entities[0]);
      format = rowFormat(job.format, columns, job.warn);
    }
    let head = "";
    if (headPending && headReady()) {
      head = format.head();
      headPending = false;
    }
    await job.write(head + pageRowsText(format, entities, report.rows, texts.take(entities)));
    report.rows += entities.length;
    report.pages += 1;
    job.onPage({ ...report });
  }
  await job.write(`${headPending && headReady() ? format.head() : ""}${format.tail(report.rows)}`);
  return report;
}

/** The part files and checkpoints of a parallel export of `out` with `checkpoint`. */
function partFiles(out: string, checkpoint: string, count: number): { file: string; checkpoint: string }[] {
  const base = checkpoint.replace(/\.json$/i, "");
  return Array.from({ length: count }, (_, i) => ({
    file: `${out}.part-${i + 1}-of-${count}`,
    checkpoint: `${base}.part-${i + 1}-of-${count}.json`,
  }));
}

/** A parallel export: the plan's partitions walked at once, then joined into `out`. */
export interface ParallelJob {
  query: CollectionQuery;
  out: string;
  checkpoint: string;
  format: FileFormatName;
  columns?: string[] | undefined;
  plan: QueryPartition[];
  /** The saved state of an export that is resumed. */
  resume?: ParallelCheckpoint | undefined;
  /** As {@link WalkJob.odataVersion}. */
  odataVersion?: ODataVersion | undefined;
  /** As {@link WalkJob.declaredVersion}. */
  declaredVersion?: string | undefined;
  /** As {@link WalkJob.headers}. */
  headers?: Record<string, string> | undefined;
  /** The origins whose next links the walks follow (the service's, `--trust-origin`): a part's checkpoint may go on at one. */
  trustedOrigins?: ReadonlySet<string> | undefined;
  /** The least time from one checkpoint save of a part to the next, in ms. */
  checkpointInterval?: number | undefined;
  signal: AbortSignal;
  onPage(report: WalkReport): void;
  warn(text: string): void;
}

/**
 * What both kinds of checkpoint say of the export they belong to, for a resume to check: its
 * request, OData version, format, columns and output file; and the version the service declared,
 * for a resume to ask as the run that read it did.
 */
function checkpointHead(job: WalkJob | ParallelJob, columns: string[] | undefined) {
  return {
    request: job.query.url(),
    ...(job.odataVersion ? { odataVersion: job.odataVersion } : {}),
    ...(job.declaredVersion ? { declaredVersion: job.declaredVersion } : {}),
    ...(job.headers ? { headers: job.headers } : {}),
    format: job.format,
    ...(columns ? { columns } : {}),
    out: job.out,
  };
}

/** Runs a parallel export; resolves with the rows and pages written. */
export async function parallelExport(job: ParallelJob): Promise<WalkReport> {
  if (job.resume?.joined) return finishJoined(job.resume, job.resume.joined, job.checkpoint);
  const parts = job.resume?.parts ?? partFiles(job.out, job.checkpoint, job.plan.length);
  const columns = job.resume ? job.resume.columns : job.columns;
  const checkpoint: ParallelCheckpoint = job.resume ?? {
    type: "traverse-odata/export-parallel",
    version: 1,
    ...checkpointHead(job, columns),
    plan: job.plan,
    parts,
    savedAt: "",
  };
  // Each part reads its rows with a format of its own: a warning is said once for all of them.
  const said = new Set<string>();
  const warn = (text: string) => {
    if (said.has(text)) return;
    said.add(text);
    job.warn(text);
  };
  if (!job.resume) {
    // Part checkpoints an earlier export left (killed, or its main checkpoint deleted by hand) must
    // not be taken for this export's when it is resumed.
    for (const part of parts) await removeCheckpoint(part.checkpoint);
    await saveCheckpoint(job.checkpoint, checkpoint);
  }
  const reports: WalkReport[] = job.plan.map(() => ({ rows: 0, pages: 0 }));
  const report = () => job.onPage(reports.reduce((sum, r) => ({ rows: sum.rows + r.rows, pages: sum.pages + r.pages }), { rows: 0, pages: 0 }));
  // The first failure stops the other walks (each keeps its checkpoint).
  const stop = new AbortController();
  const signal = stop.signal;
  const forward = () => stop.abort(job.signal.reason);
  if (job.signal.aborted) forward();
  else job.signal.addEventListener("abort", forward, { once: true });
  const results = await Promise.allSettled(
    job.plan.map(async (partition, i): Promise<WalkCheckpoint> => {
      const part = parts[i] as { file: string; checkpoint: string };
      // A range the plan found empty is not asked for: its part holds nothing.
      if (partition.kind === "empty") return emptyWalk(job, partition, part.file);
      try {
        const saved = job.resume ? await loadCheckpoint(part.checkpoint) : undefined;
        if (saved !== undefined && saved.type !== "traverse-odata/export-checkpoint") {
          throw new CliUsageError(`the checkpoint ${part.checkpoint} of part ${i + 1} is not the checkpoint of a walk`);
        }
        if (saved !== undefined && (saved.request !== job.query.partition(partition).url() || saved.format !== job.format || saved.out !== part.file)) {
          throw new CliUsageError(`the checkpoint ${part.checkpoint} of part ${i + 1} is of another export; delete the export's checkpoints to start again`);
        }
        // Its next link as a single walk's is checked: on the service of its request or a trusted origin, or the file is named as damaged.
        if (saved !== undefined) checkResumePoint(saved, part.checkpoint, job.trustedOrigins);
        return await walkToFile({
          query: job.query.partition(partition),
          out: part.file,
          checkpoint: part.checkpoint,
          format: job.format,
          whole: false,
          columns,
          partition,
          resume: saved,
          odataVersion: job.odataVersion,
          declaredVersion: job.declaredVersion,
          headers: job.headers,
          checkpointInterval: job.checkpointInterval,
          signal,
          onPage: (r) => {
            reports[i] = r;
            report();
          },
          warn,
        });
      } catch (error) {
        stop.abort(error);
        throw error;
      }
    }),
  );
  job.signal.removeEventListener("abort", forward);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failed) {
    // The error that stopped the others, not the aborts it caused.
    const first = results.find((result): result is PromiseRejectedResult => result.status === "rejected" && !(result.reason instanceof Error && result.reason.name === "AbortError"));
    throw (first ?? failed).reason;
  }
  const walks = results.map((result) => (result as PromiseFulfilledResult<WalkCheckpoint>).value);
  const length = await joinParts(job.out, job.format, columns, walks, parts.map((part) => part.file), job.warn);
  const written = walks.reduce((sum, walk) => ({ rows: sum.rows + walk.rows, pages: sum.pages + walk.pages }), { rows: 0, pages: 0 });
  // Once `out` is whole the export's checkpoint says so, before anything is removed: a kill while the
  // parts go leaves it, and `--resume` finishes from it (finishJoined) instead of finding no checkpoint.
  const joined: JoinedOutput = { length, ...written };
  await saveCheckpoint(job.checkpoint, { ...checkpoint, joined });
  return finishJoined(checkpoint, joined, job.checkpoint);
}

/**
 * Ends a parallel export whose parts are joined into its output: removes the parts, then the
 * export's checkpoint. Each part's checkpoint goes before its file, so that none says "done" of a
 * file that is gone; the export's checkpoint goes last, so that a kill before it is finished by `--resume`.
 */
async function finishJoined(checkpoint: ParallelCheckpoint, joined: JoinedOutput, file: string): Promise<WalkReport> {
  const size = await stat(checkpoint.out).then(
    (found) => found.size,
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw error;
    },
  );
  if (size !== joined.length) {
    // Its parts may be gone already: what the output was cannot be made again from them.
    throw new CliUsageError(`cannot resume: the export was complete in ${checkpoint.out} (${joined.length} bytes), which ${size === undefined ? "is gone" : `holds ${size} bytes now`}; delete the checkpoint ${file} and start again without --resume`);
  }
  for (const part of checkpoint.parts) {
    await removeCheckpoint(part.checkpoint);
    await rm(part.file, { force: true });
  }
  await removeCheckpoint(file);
  return { rows: joined.rows, pages: joined.pages };
}

function emptyWalk(job: ParallelJob, partition: QueryPartition, file: string): WalkCheckpoint {
  return {
    type: "traverse-odata/export-checkpoint",
    version: 1,
    request: partition.url,
    format: job.format,
    out: file,
    whole: false,
    partition,
    length: 0,
    rows: 0,
    pages: 0,
    done: true,
    savedAt: "",
  };
}

/** Writes `out` from the parts, in plan order: the head, each part's rows (joined), the tail; resolves with its length. */
async function joinParts(out: string, formatName: FileFormatName, columns: string[] | undefined, walks: WalkCheckpoint[], files: string[], warn: (text: string) => void): Promise<number> {
  const format = rowFormat(formatName, columns, warn);
  const sink = await FileSink.open(out);
  try {
    // CSV without columns (an empty set that nothing names them for) has no header line, as a single walk writes it.
    await sink.write(formatName === "csv" && !columns?.length ? "" : format.head());
    let written = 0;
    for (let i = 0; i < walks.length; i++) {
      const walk = walks[i] as WalkCheckpoint;
      if (walk.rows === 0 || walk.length === 0) continue;
      if (written > 0) await sink.write(format.separator);
      const size = (await stat(files[i] as string)).size;
      if (size < walk.length) throw new CliUsageError(`the part ${files[i]} holds fewer bytes than its checkpoint saved; it was changed, start the export again`);
      for await (const chunk of createReadStream(files[i] as string, { start: 0, end: walk.length - 1 })) await sink.write(chunk as Buffer);
      written += walk.rows;
    }
    await sink.write(format.tail(written));
  } finally {
    await sink.close();
  }
  return sink.length;
}
