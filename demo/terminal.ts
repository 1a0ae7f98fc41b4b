/**
 * Output helpers of the demo: headings, and a progress display that is a live bar on a terminal
 * and plain lines elsewhere (CI logs, pipes, files), with no dependency.
 */

/** Where the demo writes; only what it needs of `process.stdout`. */
export interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

const ESC = "\u001b[";

/** Prints a section heading (bold on a terminal, unless NO_COLOR asks for no styling: https://no-color.org). */
export function heading(out: Output, text: string, env: Readonly<Record<string, string | undefined>> = process.env): void {
  if (out.isTTY && !env["NO_COLOR"]) out.write(`\n${ESC}1m${text}${ESC}22m\n`);
  else out.write(`\n== ${text} ==\n`);
}

/** Prints an indented line. */
export function line(out: Output, text = ""): void {
  out.write(text === "" ? "\n" : `  ${text}\n`);
}

/** A progress display for one operation. */
export interface ProgressDisplay {
  /** Shows the latest status and percentage (-1: not reported yet). */
  update(status: string, percentComplete: number): void;
  /** Ends the display (the bar's line is kept). */
  finish(): void;
}

/**
 * A progress display: on a terminal one line redrawn with `\r` (a bar, the percentage, the status);
 * elsewhere a plain line whenever status or percentage changes.
 */
export function progressDisplay(out: Output, label: string): ProgressDisplay {
  let last = "";
  let drawn = false;
  return {
    update(status, percentComplete) {
      const percent = percentComplete < 0 ? "  ?%" : `${String(percentComplete).padStart(3)}%`;
      if (out.isTTY) {
        const width = Math.max(10, Math.min(40, (out.columns ?? 80) - label.length - 30));
        const filled = percentComplete < 0 ? 0 : Math.round((percentComplete / 100) * width);
        const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
        out.write(`\r${ESC}2K  ${label} [${bar}] ${percent}  ${status}`);
        drawn = true;
        return;
      }
      const text = `${label} ${percent}  ${status}`;
      if (text !== last) out.write(`  ${text}\n`);
      last = text;
    },
    finish() {
      if (drawn) out.write("\n");
      drawn = false;
    },
  };
}

/** A live display of a walk: rows so far, rows per second, and memory. */
export interface RateDisplay {
  /** Shows the rows read so far; redrawn at most a few times a second. */
  update(rows: number): void;
  /** Ends the display with the final figures. */
  finish(rows: number): void;
}

/**
 * A rate display: on a terminal one line redrawn with `\r`; elsewhere a plain line about once a
 * second. `rss` is the caller's memory figure (it samples the peak as the walk goes).
 */
export function rateDisplay(out: Output, label: string, total: number, rss: () => number): RateDisplay {
  const started = performance.now();
  let lastDraw = 0;
  const text = (rows: number) => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(rows / seconds) : 0;
    const percent = total > 0 ? Math.min(100, Math.floor((rows / total) * 100)) : 0;
    return `${label} ${rows.toLocaleString("en-US").padStart(9)} rows ${String(percent).padStart(3)}%  ${rate.toLocaleString("en-US").padStart(9)} rows/s  rss ${Math.round(rss() / 2 ** 20)} MB`;
  };
  return {
    update(rows) {
      const now = performance.now();
      if (now - lastDraw < (out.isTTY ? 100 : 1_000)) return;
      lastDraw = now;
      if (out.isTTY) out.write(`\r${ESC}2K  ${text(rows)}`);
      else out.write(`  ${text(rows)}\n`);
    },
    finish(rows) {
      if (out.isTTY) out.write(`\r${ESC}2K  ${text(rows)}\n`);
      else out.write(`  ${text(rows)}\n`);
    },
  };
}
