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

/** Prints a section heading (bold on a terminal). */
export function heading(out: Output, text: string): void {
  if (out.isTTY) out.write(`\n${ESC}1m${text}${ESC}22m\n`);
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
