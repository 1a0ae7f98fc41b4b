/**
 * SAP's messages beside a successful answer: the `sap-message` header of SAP Gateway's OData v2
 * services (one JSON object, the messages after the first as its `details`) and the
 * `sap-messages` header of SAP's OData v4 stacks (RAP, CAP: a JSON array, each message's severity
 * a number). A pure reading of header text, exported on its own: a program that never reads them
 * never loads it.
 */
import { utf8Text } from "../util/utf8-text.js";

/** One of SAP's messages, read from the `sap-message` (v2) or `sap-messages` (v4) header. */
export interface SapMessage {
  /** The message's code as the service sent it (SAP Gateway: `<message class>/<number>`); `""` where it sent none. */
  code: string;
  /** The message text, in the language the request asked for. */
  message: string;
  /**
   * How it weighs: v2's `severity` word, or v4's `numericSeverity` (1 success, 2 info, 3 warning,
   * 4 error). A message that gives neither counts as an error, as CAP reads one.
   */
  severity: "success" | "info" | "warning" | "error";
  /** What it is about (a property's path, such as `Name` or `to_Item(1)/Quantity`), where the service named something. */
  target?: string;
  /** Where the message's long text is, as the service sent it (v4 `longtextUrl`, v2 `longtext_url`). */
  longtextUrl?: string;
  /**
   * `true` for a transition message, which is about this request alone, rather than a state
   * message, which stays with the entity until it is put right (RAP's two kinds): v4's
   * `transition`, v2's `transition` or `transient`, or a v2 target marked `/#TRANSIENT#` (the
   * mark taken off `target`); absent where the service said nothing of it.
   */
  transition?: boolean;
}

const SEVERITIES: ReadonlyMap<string, SapMessage["severity"]> = new Map([
  ["success", "success"],
  ["info", "info"],
  ["information", "info"],
  ["warning", "warning"],
  ["error", "error"],
]);
/** The mark of a transition message's target in OData v2 (`/#TRANSIENT#`, or `/#TRANSIENT#/Path`). */
const TRANSIENT_TARGET = "/#TRANSIENT#";
const NUMERIC_SEVERITIES: readonly SapMessage["severity"][] = ["success", "info", "warning", "error"];

/**
 * SAP's messages on an answer, from its `sap-message` (v2, SAP Gateway) and `sap-messages` (v4,
 * RAP and CAP) headers, in the order sent: the v2 header's own message first, then those of its
 * `details` (SAP sends the further messages there, each one a message of its own: they come as
 * the following elements, `details` flattened). Header names are matched in any case, as
 * `Headers` matches them; a value sent as UTF-8 bytes is read as the text it is. It never throws:
 * a value that is not JSON (the XML form Gateway sends where JSON was not asked for) gives no
 * message, and an element that is no message object with a text is left out, the others kept.
 * Empty when the answer has neither header. Pass a call's `onResponse` headers, a `$batch`
 * part's (`result.headers`), or an `ODataHttpError`'s (`error.headers`, a record).
 * @example
 * await client.collection("SalesOrders").key("4711").update({ Note: "rush" }, {
 *   onResponse: ({ headers }) => {
 *     for (const { severity, message } of sapMessages(headers)) if (severity === "warning") console.warn(message);
 *   },
 * });
 */
export function sapMessages(headers: Headers | Readonly<Record<string, string>>): SapMessage[] {
  const messages: SapMessage[] = [];
  for (const name of ["sap-message", "sap-messages"]) {
    const value = headerValue(headers, name);
    if (value === undefined) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(utf8Text(value));
    } catch {
      continue;
    }
    // A stack rather than recursion, the next element on top: the nesting of `details` is the
    // service's to choose.
    const pending: unknown[] = Array.isArray(parsed) ? [...parsed].reverse() : [parsed];
    while (pending.length > 0) {
      const entry = pending.pop();
      if (typeof entry !== "object" || entry === null || Array.isArray(entry)) continue;
      const fields = entry as Record<string, unknown>;
      const message = messageOf(fields);
      if (message) messages.push(message);
      const details = fields["details"];
      if (Array.isArray(details)) for (let i = details.length - 1; i >= 0; i--) pending.push(details[i]);
    }
  }
  return messages;
}

/** A header's value from `Headers` (of any realm) or from a record of headers, its name in any case. */
function headerValue(headers: Headers | Readonly<Record<string, string>>, name: string): string | undefined {
  if (typeof headers.get === "function") return (headers as Headers).get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name && typeof value === "string") return value;
  return undefined;
}

/** The message an object of the header describes, or `undefined` where it holds no text. */
function messageOf(fields: Record<string, unknown>): SapMessage | undefined {
  const text = fields["message"];
  if (typeof text !== "string") return undefined;
  const code = fields["code"];
  const message: SapMessage = { code: typeof code === "string" ? code : typeof code === "number" ? String(code) : "", message: text, severity: severityOf(fields) };
  let target = fields["target"];
  let transition = fields["transition"] ?? fields["transient"];
  // SAP Gateway (and CAP's v2 adapter, on a message without a target) marks a transition message
  // by its target's prefix, as UI5 reads it.
  if (typeof target === "string" && target.startsWith(TRANSIENT_TARGET)) {
    target = target.slice(TRANSIENT_TARGET.length);
    transition = true;
  }
  if (typeof target === "string" && target !== "") message.target = target;
  const longtextUrl = fields["longtextUrl"] ?? fields["longtext_url"];
  if (typeof longtextUrl === "string" && longtextUrl !== "") message.longtextUrl = longtextUrl;
  if (typeof transition === "boolean") message.transition = transition;
  return message;
}

/** v2's `severity` word, else v4's `numericSeverity` (CAP's error bodies: `@Common.numericSeverity`), else an error. */
function severityOf(fields: Record<string, unknown>): SapMessage["severity"] {
  const word = fields["severity"];
  const named = typeof word === "string" ? SEVERITIES.get(word.toLowerCase()) : undefined;
  if (named) return named;
  const level = fields["numericSeverity"] ?? fields["@Common.numericSeverity"];
  return (typeof level === "number" && NUMERIC_SEVERITIES[level - 1]) || "error";
}
