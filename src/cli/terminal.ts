/**
 * What the command line writes: data to stdout (with backpressure: a reader that is slower than
 * the service holds the walk back instead of filling memory), and everything else to stderr:
 * progress (only on a terminal, or with `--progress`), a one-line summary (unless `--quiet`),
 * warnings and errors. Colour only on a terminal and never with `NO_COLOR`.
 */
import { CliInterrupted } from "./errors.js";
import { displayWidth, fitWidth, visibleText } from "./formats.js";

/** The part of a writable stream the command line uses (`process.stdout`, `process.stderr`). */
export interface TextStream {
  write(text: string, callback?: (error?: Error | null) => void): boolean;
  once(event: "drain", listener: () => void): unknown;
  once(event: "error", listener: (error: Error) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  readonly isTTY?: boolean;
  /** The terminal's width now (it changes on a resize); `undefined` where the stream has none. */
  readonly columns?: number | undefined;
  /**
   * What `write` makes of a text (the run's secrets masked, cli/secrets.ts), for a line that is cut
   * to the terminal's width: masked before it is cut, a secret at the cut is masked whole.
   */
  mask?(text: string): string;
}

/** stdout as a data sink: `write` waits when the reader is behind, until the run is interrupted. */
export class DataOutput {
  readonly #stream: TextStream;
  readonly #signal: AbortSignal | undefined;
  #closed: Error | undefined;

  /** `signal` is the run's interrupt: a write waiting for the reader gives up when it aborts. */
  constructor(stream: TextStream, signal?: AbortSignal) {
    this.#stream = stream;
    this.#signal = signal;
  }


  /** Whether stdout is a terminal (a table then fits its width). */
  get isTTY(): boolean {
    return this.#stream.isTTY === true;
  }

  /**
   * The terminal's width (120 when it reports none), or `undefined` when stdout is not a terminal:
   * a table written to a file or a pipe has no width to fit, and cutting its cells would lose
   * values (a GUID, an Int64) without a word.
   */
  get columns(): number | undefined {
    if (!this.#stream.isTTY) return undefined;
    return this.#stream.columns || 120;
  }

  /**
   * Writes text; resolves once the stream can take more. Rejects when the reader has gone (EPIPE),
   * and with `CliInterrupted` when the run is interrupted while the reader is behind. Text written
   * after the interrupt (a resume token) is handed to the stream without waiting.
   */
  async write(text: string): Promise<void> {
    if (this.#closed) throw this.#closed;
    if (text === "") return;
    if (this.#stream.write(text)) return;
    const signal = this.#signal;
    if (signal?.aborted) return;
    await new Promise<void>((resolve, reject) => {
      const settle = () => {
        this.#stream.removeListener("drain", onDrain);
        this.#stream.removeListener("error", onError);
        signal?.removeEventListener("abort", onAbort);
      };
      const onDrain = () => {
        settle();
        resolve();
      };
      const onError = (error: Error) => {
        settle();
        this.#closed = error;
        reject(error);
      };
      // A reader that does not read would otherwise hold Ctrl-C and SIGTERM off until it goes.
      const onAbort = () => {
        settle();
        reject(new CliInterrupted("interrupted while waiting for the reader of stdout to take more output"));
      };
      this.#stream.once("drain", onDrain);
      this.#stream.once("error", onError);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}

/** How much a command tells on stderr. */
export interface ReporterOptions {
  /** `--quiet`: no progress, no summary (warnings and errors still). */
  quiet: boolean;
  /** `--progress`: progress even when stderr is not a terminal. */
  progress: boolean;
  /** The environment, for `NO_COLOR`. */
  env: Readonly<Record<string, string | undefined>>;
}

const ESC = "\u001b[";

/** Formats a count with thousands separators. */
export function formatCount(value: number): string {
  // One formatter for the process: toLocaleString() builds a new one for every call.
  countFormat ??= new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
  return countFormat.format(Math.round(value));
}

let countFormat: Intl.NumberFormat | undefined;

/** A count with its noun, plural but for one: `1 row`, `0 rows`, `1,500 rows`. */
export function formatCounted(value: number, noun: string): string {
  const text = formatCount(value);
  return `${text} ${noun}${text === "1" ? "" : "s"}`;
}

/** Formats seconds as `m:ss` or `h:mm:ss`. */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** What a walk reports: rows and pages so far, and the total where it is known. */
export interface WalkProgress {
  rows: number;
  pages: number;
  total?: number | undefined;
}

/**
 * stderr: a progress line redrawn in place on a terminal (a plain line about once a second with
 * `--progress` elsewhere), messages that keep clear of it, and the final summary.
 */
export class Reporter {
  readonly #stream: TextStream;
  readonly #options: ReporterOptions;
  readonly #tty: boolean;
  readonly #color: boolean;
  #drawn = false;
  /** The progress line on a terminal as drawn (painted and cut), to draw it again below a log line. */
  #line = "";
  #lastDraw = -Infinity;
  /** The status of the operation's last line: a line with another status is not held back (see operation). */
  #lastStatus: string | undefined;

  constructor(stream: TextStream, options: ReporterOptions) {
    this.#stream = stream;
    this.#options = options;
    this.#tty = stream.isTTY === true;
    // https://no-color.org: any non-empty NO_COLOR turns colour off.
    this.#color = this.#tty && !options.env["NO_COLOR"];
  }

  /** Whether progress is shown at all. */
  get showsProgress(): boolean {
    return !this.#options.quiet && (this.#tty || this.#options.progress);
  }

  /** Whether progress is shown and its next line is due (on a terminal ten times a second, elsewhere once a second). */
  #due(force: boolean): boolean {
    if (!this.showsProgress) return false;
    return force || performance.now() - this.#lastDraw >= (this.#tty ? 100 : 1000);
  }

  /** Shows progress text; on a terminal at most ten times a second, elsewhere once a second. */
  progress(text: string, force = false): void {
    if (!this.#due(force)) return;
    this.#draw(this.#shown(text));
  }

  /**
   * Text of a progress line, which may hold a monitor's status as the service wrote it: its
   * secrets masked (before the line is cut, which would leave the part of a secret before the cut
   * unmasked) and its control characters shown, not obeyed.
   */
  #shown(text: string): string {
    return visibleText(this.#stream.mask?.(text) ?? text);
  }

  /** The columns a progress line may take: all but the last (a terminal that reports no size, 0, has 80). */
  #width(): number {
    return (this.#stream.columns || 80) - 1;
  }

  /** Draws a progress line of shown text (#shown): on a terminal in place, cut by its width on screen at a character's edge. */
  #draw(shown: string): void {
    this.#lastDraw = performance.now();
    if (this.#tty) {
      this.#line = this.#paint(fitWidth(shown, this.#width())[0], "2");
      this.#stream.write(`\r${ESC}2K${this.#line}`);
      this.#drawn = true;
    } else {
      this.#stream.write(`${shown}\n`);
    }
  }

  /** Shows a walk's progress: rows, rows/s, pages, and percent and ETA when the total is known. */
  walk(label: string, progress: WalkProgress, startedAt: number, force = false): void {
    // Checked before the text is made: an export calls this after every page.
    if (!this.#due(force)) return;
    const seconds = (performance.now() - startedAt) / 1000;
    const rate = seconds > 0 ? progress.rows / seconds : 0;
    const parts = [`${label} ${formatCounted(progress.rows, "row")}`, `${formatCount(rate)} rows/s`, formatCounted(progress.pages, "page")];
    if (progress.total !== undefined && progress.total > 0) {
      const share = Math.min(1, progress.rows / progress.total);
      parts.push(`${bar(share, 12)} ${String(Math.floor(share * 100)).padStart(3)}%`);
      if (rate > 0 && progress.rows < progress.total) parts.push(`ETA ${formatDuration((progress.total - progress.rows) / rate)}`);
    }
    this.progress(parts.join("  "), force);
  }

  /**
   * Shows a long-running operation's state: a bar when the service reports a percentage, the
   * status, the time so far. On a terminal a status too long for the line is cut, not the time.
   * `force` (a poll's news) draws the line at once on a terminal, where it is redrawn in place;
   * elsewhere each line is a line of the log, so a poll every 50 ms waits its second like a walk's
   * page, unless its status is not the last line's: the log then shows every status the operation
   * went through, the last one among them.
   */
  operation(label: string, status: string, percentComplete: number, startedAt: number, force = false): void {
    if (!this.#due(force && (this.#tty || status !== this.#lastStatus))) return;
    this.#lastStatus = status;
    const seconds = (performance.now() - startedAt) / 1000;
    const percent = percentComplete < 0 ? "   ?%" : ` ${String(percentComplete).padStart(3)}%`;
    const head = this.#shown(`${label} ${bar(percentComplete < 0 ? 0 : percentComplete / 100, 30)}${percent}  `);
    const time = `  ${formatDuration(seconds)}`;
    let shown = this.#shown(status);
    if (this.#tty) shown = fitWidth(shown, Math.max(STATUS_MIN_WIDTH, this.#width() - displayWidth(head) - time.length))[0];
    this.#draw(`${head}${shown}${time}`);
  }

  /**
   * A line of the `--debug` wire log: on a terminal the progress line is cleared first, so that the
   * log line starts a line of its own, and drawn again below it; elsewhere the log line alone.
   */
  log(text: string): void {
    const drawn = this.#drawn;
    this.clear();
    this.#stream.write(`${text}\n`);
    if (drawn) {
      this.#stream.write(this.#line);
      this.#drawn = true;
    }
  }

  /** Removes the progress line (before other output, and at the end). */
  clear(): void {
    if (this.#drawn) this.#stream.write(`\r${ESC}2K`);
    this.#drawn = false;
  }

  /** The one-line summary at the end (unless `--quiet`); its control characters shown (it may hold a monitor's status). */
  summary(text: string): void {
    this.clear();
    if (!this.#options.quiet) this.#stream.write(`${visibleText(text)}\n`);
  }

  /** A warning (also with `--quiet`); its control characters shown, not acted on (it may quote the service). */
  warn(text: string): void {
    this.clear();
    this.#stream.write(`${this.#paint("warning:", "33")} ${visibleText(text)}\n`);
  }

  /** An error message; its control characters shown, not acted on (a service's error message is in it). */
  error(text: string): void {
    this.clear();
    this.#stream.write(`${this.#paint("error:", "31")} ${visibleText(text)}\n`);
  }

  /** Raw text (help, JSON errors). */
  write(text: string): void {
    this.clear();
    this.#stream.write(text);
  }

  #paint(text: string, code: string): string {
    return this.#color ? `${ESC}${code}m${text}${ESC}0m` : text;
  }
}

/** The least width a status is cut to on an operation's progress line: on a narrower terminal the whole line is cut. */
const STATUS_MIN_WIDTH = 10;

function bar(share: number, width: number): string {
  const filled = Math.round(Math.max(0, Math.min(1, share)) * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
}
