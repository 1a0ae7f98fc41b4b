/**
 * A small, strict XML parser for the documents an OData v2 service sends (Atom feeds and entries):
 * whole text in, an element tree with resolved namespaces out.
 *
 * It checks well-formedness (matching tags, quoted and unique attributes, known entities, one root,
 * bound prefixes) and rejects anything else with {@link ODataClientError} code `"BAD_PAYLOAD"`.
 * Document type declarations are refused outright: OData payloads never need them, and refusing
 * them rules out entity-expansion attacks.
 */

import { ODataClientError } from "../errors.js";

/** An element: its name as written, its local name and namespace URI, attributes and content. */
export interface XmlElement {
  /** The qualified name as written, such as `"d:Name"`. */
  name: string;
  /** The name without its prefix, such as `"Name"`. */
  local: string;
  /** The namespace URI the prefix (or the default namespace) is bound to; `""` for none. */
  namespace: string;
  /** The attributes, namespace declarations (`xmlns`, `xmlns:*`) left out. */
  attributes: XmlAttribute[];
  /** Child elements and text (references replaced, line ends made LF, CDATA included, adjacent text merged). */
  children: XmlNode[];
  /** The character offset of the element's `<` in the document. */
  offset: number;
}

/** An attribute with its namespace resolved (unprefixed attributes have no namespace). */
export interface XmlAttribute {
  name: string;
  local: string;
  namespace: string;
  /**
   * The value with references replaced and each literal tab or line end turned into a space (XML
   * 1.0 §3.3.3); characters written as references, such as `&#xA;`, are kept.
   */
  value: string;
}

/** A child of an element: an element, or a piece of text. */
export type XmlNode = XmlElement | string;

/** The namespace the `xml` prefix is always bound to (for `xml:base`, `xml:lang`, `xml:space`). */
export const XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace";

const XMLNS_NAMESPACE = "http://www.w3.org/2000/xmlns/";

/**
 * Parses a whole XML document and returns its root element.
 *
 * @example
 * ```ts
 * const root = parseXml('<a:feed xmlns:a="http://www.w3.org/2005/Atom"/>');
 * root.local;     // "feed"
 * root.namespace; // "http://www.w3.org/2005/Atom"
 * ```
 */
export function parseXml(text: string): XmlElement {
  return new XmlParser(text).document();
}

/** The value of the attribute with this namespace and local name, or `undefined`. */
export function attributeValue(element: XmlElement, namespace: string, local: string): string | undefined {
  for (const attribute of element.attributes) {
    if (attribute.local === local && attribute.namespace === namespace) return attribute.value;
  }
  return undefined;
}

/** The child elements with this namespace (and local name, if given), in document order. */
export function childElements(element: XmlElement, namespace: string, local?: string): XmlElement[] {
  const found: XmlElement[] = [];
  for (const child of element.children) {
    if (typeof child !== "string" && child.namespace === namespace && (local === undefined || child.local === local)) found.push(child);
  }
  return found;
}

/** The first child element with this namespace and local name, or `undefined`. */
export function firstChildElement(element: XmlElement, namespace: string, local: string): XmlElement | undefined {
  for (const child of element.children) {
    if (typeof child !== "string" && child.namespace === namespace && child.local === local) return child;
  }
  return undefined;
}

/** The concatenated text of an element and its descendants. */
export function textContent(element: XmlElement): string {
  // A loop rather than recursion: the parser takes documents of any depth, and one nested some
  // thousands of levels deep would overflow the call stack.
  let text = "";
  const pending: XmlNode[] = [element];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (typeof node === "string") text += node;
    else for (let i = node.children.length - 1; i >= 0; i--) pending.push(node.children[i] as XmlNode);
  }
  return text;
}

/**
 * The namespace bindings in force: for each prefix (`""` for the default namespace) the URIs the
 * open elements bind it to, innermost last. A start tag pushes its declarations and its end pops
 * them, so a lookup costs the same at any depth; a chain of scopes, one per element, made each
 * lookup walk the levels up to the declaration, and a deep document quadratic (100,000 nested
 * elements declaring a prefix took minutes).
 */
class NamespaceBindings {
  readonly #uris = new Map<string, string[]>([
    ["xml", [XML_NAMESPACE]],
    ["", [""]],
  ]);

  /** The URI `prefix` is bound to, or `undefined` when it is not bound. */
  lookup(prefix: string): string | undefined {
    const uris = this.#uris.get(prefix);
    return uris?.[uris.length - 1];
  }

  declare(prefix: string, uri: string): void {
    const uris = this.#uris.get(prefix);
    if (uris) uris.push(uri);
    else this.#uris.set(prefix, [uri]);
  }

  /** Ends the declarations of an element (its `declared` prefixes). */
  release(prefixes: readonly string[]): void {
    for (const prefix of prefixes) this.#uris.get(prefix)?.pop();
  }
}

// Name characters, a practical subset of XML 1.0's productions (ASCII plus everything from U+00C0).
const NAME = /[A-Za-z_\u00C0-\uFFFF][A-Za-z0-9_.\-\u00B7\u00C0-\uFFFF]*(?::[A-Za-z_\u00C0-\uFFFF][A-Za-z0-9_.\-\u00B7\u00C0-\uFFFF]*)?/y;

const LINE_BREAK_OR_TAB = /[\t\n\r]/;
const LESS_THAN = 60;
const SLASH = 47;
const BANG = 33;
const QUESTION = 63;

const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

interface OpenElement {
  element: XmlElement;
  /** The prefixes the element declares, released at its end. */
  declared: string[];
}

class XmlParser {
  readonly #text: string;
  #pos = 0;
  readonly #bindings = new NamespaceBindings();

  constructor(text: string) {
    this.#text = text;
    if (text.charCodeAt(0) === 0xfeff) this.#pos = 1;
  }

  document(): XmlElement {
    this.#misc(true);
    if (this.#pos >= this.#text.length) this.#fail("the document has no root element");
    if (this.#text[this.#pos] !== "<") this.#fail(`text before the root element (${this.#show()})`);
    const root = this.#element();
    this.#misc(false);
    if (this.#pos < this.#text.length) this.#fail(`content after the root element (${this.#show()})`);
    return root;
  }

  #fail(what: string, at = this.#pos): never {
    throw new ODataClientError("BAD_PAYLOAD", `the XML body is not well-formed: ${what} at character offset ${at}`);
  }

  #show(): string {
    const rest = this.#text.slice(this.#pos, this.#pos + 20);
    return rest.length === 0 ? "the end" : JSON.stringify(rest);
  }

  /** Skips whitespace, comments and processing instructions (and the XML declaration at the start). */
  #misc(prolog: boolean): void {
    const text = this.#text;
    // Strictly the declaration comes first of all; whitespace before it (a known server quirk) is
    // let pass, anything else before it is not.
    let declarationAllowed = prolog;
    for (;;) {
      this.#skipSpace();
      if (text.startsWith("<?", this.#pos)) {
        const isDeclaration = /^<\?xml[\s?]/.test(text.slice(this.#pos, this.#pos + 6));
        if (isDeclaration && !declarationAllowed) this.#fail("an XML declaration not at the start");
        declarationAllowed = false;
        this.#processingInstruction();
      } else if (text.startsWith("<!--", this.#pos)) {
        declarationAllowed = false;
        this.#comment();
      } else if (text.startsWith("<!DOCTYPE", this.#pos)) {
        this.#fail("a document type declaration (not accepted in OData payloads)");
      } else {
        return;
      }
    }
  }

  #skipSpace(): void {
    const text = this.#text;
    let at = this.#pos;
    for (;;) {
      const code = text.charCodeAt(at);
      if (code === 32 || code === 10 || code === 13 || code === 9) at++;
      else break;
    }
    this.#pos = at;
  }

  #processingInstruction(): void {
    const end = this.#text.indexOf("?>", this.#pos + 2);
    if (end < 0) this.#fail("an unterminated processing instruction");
    this.#pos = end + 2;
  }

  #comment(): void {
    const end = this.#text.indexOf("-->", this.#pos + 4);
    if (end < 0) this.#fail("an unterminated comment");
    this.#pos = end + 3;
  }

  #name(what: string): string {
    NAME.lastIndex = this.#pos;
    const match = NAME.exec(this.#text);
    if (!match) this.#fail(`expected ${what} but found ${this.#show()}`);
    this.#pos = NAME.lastIndex;
    return match[0];
  }

  /** Parses the element at `#pos` (a `<`) and everything inside it, without recursion. */
  #element(): XmlElement {
    const text = this.#text;
    const stack: OpenElement[] = [];
    let root: XmlElement | undefined;
    for (;;) {
      const current = stack[stack.length - 1];
      if (current === undefined && root !== undefined) return root;
      if (this.#pos >= text.length) {
        this.#fail(current ? `the document ended inside <${current.element.name}>` : "the document ended early");
      }
      if (current === undefined || text.charCodeAt(this.#pos) === LESS_THAN) {
        const next = text.charCodeAt(this.#pos + 1);
        if (current !== undefined && next === SLASH) {
          this.#endTag(current.element);
          stack.pop();
          this.#bindings.release(current.declared);
          continue;
        }
        if (current !== undefined && next === BANG && text.startsWith("<!--", this.#pos)) {
          this.#comment();
          continue;
        }
        if (current !== undefined && next === BANG && text.startsWith("<![CDATA[", this.#pos)) {
          const end = text.indexOf("]]>", this.#pos + 9);
          if (end < 0) this.#fail("an unterminated CDATA section");
          appendText(current.element, normaliseLineEnds(text.slice(this.#pos + 9, end)));
          this.#pos = end + 3;
          continue;
        }
        if (current !== undefined && next === QUESTION) {
          this.#processingInstruction();
          continue;
        }
        if (next === BANG) this.#fail(`unexpected markup ${this.#show()}`);
        const open = this.#startTag();
        if (current) current.element.children.push(open.element);
        else root = open.element;
        if (this.#selfClosing) this.#bindings.release(open.declared);
        else stack.push(open);
        continue;
      }
      // Character data up to the next tag.
      let end = text.indexOf("<", this.#pos);
      if (end < 0) end = text.length;
      const raw = text.slice(this.#pos, end);
      if (raw.includes("]]>")) this.#fail('"]]>" in text', this.#pos + raw.indexOf("]]>"));
      // Line ends are normalised before references are replaced, so that a `&#xD;` survives
      // (XML 1.0 §2.11 applies to the literal text only).
      appendText(current.element, this.#decode(normaliseLineEnds(raw), this.#pos));
      this.#pos = end;
    }
  }

  /** Set by `#startTag`: whether the tag it read ended with "/>". */
  #selfClosing = false;

  #startTag(): OpenElement {
    const text = this.#text;
    const offset = this.#pos;
    this.#pos++;
    const name = this.#name("an element name");
    const raw: { name: string; value: string; at: number }[] = [];
    // Sets, not a search of the attributes read so far: that is quadratic in their number, and
    // one tag with 100,000 attributes took half a minute.
    const names = new Set<string>();
    let selfClosing = false;
    for (;;) {
      const before = this.#pos;
      this.#skipSpace();
      const char = text[this.#pos];
      if (char === ">") {
        this.#pos++;
        break;
      }
      if (char === "/" && text[this.#pos + 1] === ">") {
        this.#pos += 2;
        selfClosing = true;
        break;
      }
      if (char === undefined) this.#fail(`the document ended inside the tag <${name}`);
      if (this.#pos === before) this.#fail(`expected whitespace, ">" or "/>" in <${name}> but found ${this.#show()}`);
      const at = this.#pos;
      const attributeName = this.#name("an attribute name");
      this.#skipSpace();
      if (text[this.#pos] !== "=") this.#fail(`expected "=" after the attribute ${attributeName}`);
      this.#pos++;
      this.#skipSpace();
      const quote = text[this.#pos];
      if (quote !== '"' && quote !== "'") this.#fail(`the value of the attribute ${attributeName} is not quoted`);
      const end = text.indexOf(quote, this.#pos + 1);
      if (end < 0) this.#fail(`the value of the attribute ${attributeName} is not terminated`);
      const value = text.slice(this.#pos + 1, end);
      if (value.includes("<")) this.#fail(`"<" in the value of the attribute ${attributeName}`, this.#pos + 1 + value.indexOf("<"));
      if (names.has(attributeName)) this.#fail(`the attribute ${attributeName} appears twice`, at);
      names.add(attributeName);
      // Attribute-value normalisation (XML 1.0 §3.3.3): each literal white-space character becomes
      // a space (a CR LF pair, one line end, a single one), before references are replaced: a
      // character reference such as `&#xD;&#xA;` stands for itself and is kept.
      const literal = LINE_BREAK_OR_TAB.test(value) ? value.replace(/\r\n|[\t\n\r]/g, " ") : value;
      raw.push({ name: attributeName, value: this.#decode(literal, this.#pos + 1), at });
      this.#pos = end + 1;
    }

    // Namespace declarations first: they apply to the element's own name and attributes.
    const declared: string[] = [];
    for (const attribute of raw) {
      if (attribute.name === "xmlns" || attribute.name.startsWith("xmlns:")) {
        const prefix = attribute.name === "xmlns" ? "" : attribute.name.slice(6);
        if (prefix !== "" && attribute.value === "") this.#fail(`the prefix ${prefix} is bound to an empty namespace`, attribute.at);
        this.#bindings.declare(prefix, attribute.value);
        declared.push(prefix);
      }
    }
    const attributes: XmlAttribute[] = [];
    // Namespace and local name; a local name has no space, so the first space ends it.
    const expandedNames = new Set<string>();
    for (const attribute of raw) {
      if (attribute.name === "xmlns" || attribute.name.startsWith("xmlns:")) continue;
      const colon = attribute.name.indexOf(":");
      if (colon < 0) {
        attributes.push({ name: attribute.name, local: attribute.name, namespace: "", value: attribute.value });
        continue;
      }
      const prefix = attribute.name.slice(0, colon);
      const namespace = this.#bindings.lookup(prefix);
      if (namespace === undefined) this.#fail(`the prefix ${prefix} of the attribute ${attribute.name} is not bound`, attribute.at);
      const local = attribute.name.slice(colon + 1);
      const expandedName = `${local} ${namespace}`;
      if (expandedNames.has(expandedName)) this.#fail(`the attribute {${namespace}}${local} appears twice`, attribute.at);
      expandedNames.add(expandedName);
      attributes.push({ name: attribute.name, local, namespace: namespace === XMLNS_NAMESPACE ? "" : namespace, value: attribute.value });
    }
    const colon = name.indexOf(":");
    const prefix = colon < 0 ? "" : name.slice(0, colon);
    const namespace = this.#bindings.lookup(prefix);
    if (namespace === undefined) this.#fail(`the prefix ${prefix} of the element <${name}> is not bound`, offset);
    const element: XmlElement = { name, local: colon < 0 ? name : name.slice(colon + 1), namespace, attributes, children: [], offset };
    this.#selfClosing = selfClosing;
    return { element, declared };
  }

  #endTag(element: XmlElement): void {
    const at = this.#pos;
    this.#pos += 2;
    const name = this.#name("an element name in the end tag");
    this.#skipSpace();
    if (this.#text[this.#pos] !== ">") this.#fail(`expected ">" to close </${name}`);
    this.#pos++;
    if (name !== element.name) this.#fail(`the end tag </${name}> does not match <${element.name}> (opened at character offset ${element.offset})`, at);
  }

  /** Replaces entity and character references; `at` is where `raw` starts, for error offsets. */
  #decode(raw: string, at: number): string {
    let amp = raw.indexOf("&");
    if (amp < 0) return raw;
    let out = "";
    let from = 0;
    while (amp >= 0) {
      const semicolon = raw.indexOf(";", amp + 1);
      if (semicolon < 0 || semicolon - amp > 12) this.#fail('a "&" that does not start an entity reference', at + amp);
      const reference = raw.slice(amp + 1, semicolon);
      let replacement: string | undefined;
      if (reference.startsWith("#")) {
        const code = /^#x[0-9A-Fa-f]+$/.test(reference)
          ? Number.parseInt(reference.slice(2), 16)
          : /^#[0-9]+$/.test(reference)
            ? Number.parseInt(reference.slice(1), 10)
            : Number.NaN;
        if (!isXmlChar(code)) this.#fail(`the character reference &${reference}; is not a valid XML character`, at + amp);
        replacement = String.fromCodePoint(code);
      } else {
        replacement = Object.hasOwn(PREDEFINED_ENTITIES, reference) ? PREDEFINED_ENTITIES[reference] : undefined;
        if (replacement === undefined) this.#fail(`the unknown entity &${reference};`, at + amp);
      }
      out += raw.slice(from, amp) + replacement;
      from = semicolon + 1;
      amp = raw.indexOf("&", from);
    }
    return out + raw.slice(from);
  }
}

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 || code === 0xa || code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff)
  );
}

/** End-of-line handling (XML 1.0 §2.11): CR LF and a lone CR become LF. */
function normaliseLineEnds(text: string): string {
  return text.indexOf("\r") < 0 ? text : text.replace(/\r\n?/g, "\n");
}

function appendText(element: XmlElement, text: string): void {
  if (text.length === 0) return;
  const children = element.children;
  const last = children[children.length - 1];
  if (typeof last === "string") children[children.length - 1] = last + text;
  else children.push(text);
}
