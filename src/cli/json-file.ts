/**
 * The JSON files the command line reads (its configuration, a checkpoint, a plan, a token): their
 * text parsed as JSON, with the byte order mark that some editors (Notepad, PowerShell's
 * `Out-File`) write at the start of a UTF-8 file dropped, since `JSON.parse` refuses it.
 * @throws SyntaxError when the text is not JSON
 */
export function parseJsonFile(text: string): unknown {
  return JSON.parse(withoutBom(text));
}

/** `text` without the byte order mark at its start, if it has one. */
export function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
