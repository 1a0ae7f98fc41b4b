/** A `debug` function for the wire log tests that keeps the lines, and the lines with their timings made comparable. */
export function collector(): { debug: (line: string) => void; lines: string[]; shown(): string[] } {
  const lines: string[] = [];
  return {
    debug: (line) => lines.push(line),
    lines,
    shown: () => lines.map((line) => line.replace(/ \d+ ms\b/, " N ms")),
  };
}
