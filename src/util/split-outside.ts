/**
 * The parts of `text` between the `separator`s that are outside parentheses, string literals
 * (`'...'`, a doubled `''` inside one reading as two quotes that close and open it again) and
 * `$search` phrases (`"..."`, `\"` inside one escaping a quote): how `$expand` items and their
 * nested options are told apart.
 * @example splitOutside("a($select=x,y),b", ",") // ["a($select=x,y)", "b"]
 */
export function splitOutside(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let at = 0; at < text.length; at++) {
    const char = text[at];
    if (quote !== undefined) {
      if (char === "\\" && quote === '"') at++;
      else if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') quote = char;
    else if (char === "(") depth++;
    else if (char === ")") depth--;
    else if (char === separator && depth === 0) {
      parts.push(text.slice(start, at));
      start = at + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}
