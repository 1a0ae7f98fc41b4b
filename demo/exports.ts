/**
 * Export jobs of the demo service: the files an export writes, and a job that writes its file in
 * slices as time passes, hashing what it writes, so that its progress and its final checksum are
 * the honest outcome of the work.
 */
import { createHash, type Hash } from "node:crypto";
import { CSV_HEADER, productCsv, productJson } from "./products.js";

/** How an export file of products is written. */
export interface ExportWriter {
  /** The media type of the file. */
  readonly contentType: string;
  /** The text before the first row. */
  head(): string;
  /** The text of one row; `position` counts from 0. */
  row(id: number, position: number): string;
  /** The text after the last row. */
  tail(): string;
}

const WRITERS: ReadonlyMap<string, ExportWriter> = new Map<string, ExportWriter>([
  ["csv", { contentType: "text/csv; charset=utf-8", head: () => CSV_HEADER, row: (id) => productCsv(id), tail: () => "" }],
  [
    "json",
    {
      contentType: "application/json",
      head: () => "[\n",
      row: (id, position) => (position === 0 ? "" : ",\n") + productJson(id),
      tail: () => "\n]\n",
    },
  ],
]);

/** The export formats the service can write. */
export const EXPORT_FORMATS: readonly string[] = [...WRITERS.keys()];

/** The writer of a format, or `undefined` when the service has none. */
export function exportWriter(format: string): ExportWriter | undefined {
  return WRITERS.get(format);
}

/** The export file of the first `rowCount` products, in slices of text (for streaming it again). */
export function* exportFileChunks(writer: ExportWriter, rowCount: number, rowsPerChunk = 2_000): Generator<string> {
  yield writer.head();
  for (let first = 0; first < rowCount; first += rowsPerChunk) {
    const last = Math.min(rowCount, first + rowsPerChunk);
    let chunk = "";
    for (let position = first; position < last; position++) chunk += writer.row(position + 1, position);
    yield chunk;
  }
  yield writer.tail();
}

/** Where an export job stands. */
export type ExportJobState =
  | { name: "queued" }
  | { name: "running" }
  | { name: "succeeded"; checksum: string; size: number; finishedAt: number }
  | { name: "failed"; httpStatus: number; error: { code: string; message: string; target?: string } }
  | { name: "cancelled" };

/** What a client asked for when it created the job. */
export interface ExportJobRequest {
  format: string;
  rowCount: number;
  /** How the monitor reports the final answer: OData 4.01 (`AsyncResult` header) or 4.0 (`application/http`). */
  resultForm: "4.01" | "4.0";
}

/**
 * One export job. It spends the first tenth of its duration queued, then writes its rows at an even
 * pace. The work is caught up whenever someone looks (`advance`), which keeps the service free of
 * background timers: a service with no observers does no work, and closing it leaves nothing behind.
 */
export class ExportJob {
  readonly id: number;
  readonly monitorId: string;
  readonly request: ExportJobRequest;
  readonly createdAt: number;
  readonly duration: number;
  #state: ExportJobState = { name: "queued" };
  #rowsWritten = 0;
  #bytesWritten = 0;
  #hash: Hash | undefined = createHash("sha256");

  constructor(id: number, monitorId: string, request: ExportJobRequest, createdAt: number, duration: number) {
    this.id = id;
    this.monitorId = monitorId;
    this.request = request;
    this.createdAt = createdAt;
    this.duration = Math.max(0, duration);
  }

  get state(): ExportJobState {
    return this.#state;
  }

  get rowsWritten(): number {
    return this.#rowsWritten;
  }

  /** Whole percent of the rows written; 100 only once the file is complete. */
  get percentComplete(): number {
    if (this.#state.name === "succeeded") return 100;
    if (this.request.rowCount === 0) return 0;
    return Math.min(99, Math.floor((this.#rowsWritten * 100) / this.request.rowCount));
  }

  /** The status word the monitor reports while the job runs or after it ended. */
  get statusText(): string {
    switch (this.#state.name) {
      case "queued":
        return "NotStarted";
      case "running":
        return "Running";
      case "succeeded":
        return "Succeeded";
      case "failed":
        return "Failed";
      case "cancelled":
        return "Cancelled";
    }
  }

  /** Does the work that should have been done by `now`. */
  advance(now: number): void {
    this.#workUntil(this.duration === 0 ? 1 : (now - this.createdAt) / this.duration, now);
  }

  /** Does all of the work at once (for a client that did not ask for an asynchronous answer). */
  runToCompletion(): void {
    this.#workUntil(1, Date.now());
  }

  /** Works until `elapsed` (a share of the duration: 0.1 queued, then rows at an even pace). */
  #workUntil(elapsed: number, now: number): void {
    const state = this.#state.name;
    if (state !== "queued" && state !== "running") return;
    if (elapsed < 0.1) return;
    const writer = exportWriter(this.request.format);
    if (writer === undefined) {
      // The request was well-formed, but no writer exists for the format: the job fails when it
      // starts, and the monitor reports the 400 the synchronous request would have got.
      this.#fail(400, {
        code: "UnsupportedFormat",
        message: `Export format '${this.request.format}' is not supported; use one of: ${EXPORT_FORMATS.join(", ")}`,
        target: "format",
      });
      return;
    }
    if (state === "queued") {
      this.#state = { name: "running" };
      this.#write(writer.head());
    }
    const share = Math.min(1, (elapsed - 0.1) / 0.9);
    const target = Math.min(this.request.rowCount, Math.floor(this.request.rowCount * share));
    let text = "";
    for (let position = this.#rowsWritten; position < target; position++) {
      text += writer.row(position + 1, position);
      if (text.length >= 64 * 1024) {
        this.#write(text);
        text = "";
      }
    }
    this.#write(text);
    this.#rowsWritten = Math.max(this.#rowsWritten, target);
    if (share >= 1 && this.#rowsWritten === this.request.rowCount) {
      this.#write(writer.tail());
      const checksum = `sha256:${(this.#hash as Hash).digest("hex")}`;
      this.#hash = undefined;
      this.#state = { name: "succeeded", checksum, size: this.#bytesWritten, finishedAt: now };
    }
  }

  /** Stops the job; the monitor is gone afterwards. */
  cancel(): void {
    this.#hash = undefined;
    if (this.#state.name === "queued" || this.#state.name === "running") this.#state = { name: "cancelled" };
  }

  #write(text: string): void {
    if (text === "") return;
    const bytes = Buffer.from(text, "utf8");
    this.#hash?.update(bytes);
    this.#bytesWritten += bytes.byteLength;
  }

  #fail(httpStatus: number, error: { code: string; message: string; target?: string }): void {
    this.#hash = undefined;
    this.#state = { name: "failed", httpStatus, error };
  }
}
