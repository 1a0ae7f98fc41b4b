/**
 * Where the first entry of an Atom feed ends, found while the feed still arrives. The XML reader
 * (xml.ts) takes whole documents; this follows no more than the nesting of the tags, so that a
 * reader that wants one entity (`first()`, the probes of `partitions(n)`) can read the feed's
 * beginning, closed after that entry, as a document of its own, and need not wait for the rest of
 * a feed a service sends whole although it was asked for `$top=1`.
 *
 * Each piece of text is looked at once: markup that a piece ends in is taken up in the next one
 * where it was left, keeping at most a tag's name (bounded) of it. It checks nothing: the document
 * cut at the offset found is read by the XML reader, which refuses it if the scan was misled.
 */

/** The longest start of markup (a tag's name with its `<`) kept from one piece to the next. */
const NAME_LIMIT = 1024;

/** A scan of an Atom feed's text, given piece by piece as it arrives. */
export class AtomEntryScan {
  /** The name of the document's root element as written (`feed`, `a:feed`): `</root>` closes a beginning. */
  root = "";
  /** The offset in the document of the piece pushed next. */
  #offset = 0;
  /** The beginning of markup that the last piece ended in: its `<` and what followed, or the first characters of the `until` it may end with. */
  #held = "";
  /** Within a comment, a CDATA section or a processing instruction: the text that ends it. */
  #until = "";
  /** Within a tag, past its name: the name, and whether it is an end tag. */
  #tag: { name: string; closing: boolean } | undefined;
  /** Within the tag: the quote of the attribute value open (`""` outside one), and whether the last character outside one was `/`. */
  #quote = "";
  #slash = false;
  /** How many elements are open; `-1` once the scan gave up (what followed it is for the XML reader to judge). */
  #depth = 0;

  /**
   * Takes the next piece of the text; gives the offset in the document just past the end of the
   * root's first `entry` child (its end tag, or an empty `<entry/>`) once the text holds it, else
   * `-1`. Once it gave an offset, or met what it does not follow (a document type declaration, a
   * name longer than 1,024 characters, the root's end), it gives `-1` for good.
   */
  push(piece: string): number {
    if (this.#depth < 0) return -1;
    const text = this.#held + piece;
    const base = this.#offset - this.#held.length;
    this.#offset += piece.length;
    this.#held = "";
    let at = 0;
    for (;;) {
      if (this.#until !== "") {
        const end = text.indexOf(this.#until, at);
        if (end < 0) {
          // The end may start in this piece and finish in the next: its possible first characters are kept.
          this.#held = text.slice(Math.max(at, text.length - this.#until.length + 1));
          return -1;
        }
        at = end + this.#until.length;
        this.#until = "";
      } else if (this.#tag) {
        // The tag ends at the first ">" outside a quoted value (a value may hold ">").
        for (; at < text.length; at++) {
          const char = text[at];
          if (this.#quote !== "") {
            if (char === this.#quote) this.#quote = "";
          } else if (char === ">") {
            break;
          } else {
            if (char === '"' || char === "'") this.#quote = char;
            this.#slash = char === "/";
          }
        }
        if (at === text.length) return -1;
        at++;
        const { name, closing } = this.#tag;
        this.#tag = undefined;
        if (closing) this.#depth--;
        else if (this.#depth === 0) this.root = name;
        if (!closing && !this.#slash) this.#depth++;
        else if (this.#depth === 1 && name.slice(name.indexOf(":") + 1) === "entry") return this.#stop(base + at);
        if (this.#depth === 0) return this.#stop(-1);
      } else {
        const open = text.indexOf("<", at);
        if (open < 0) return -1;
        const head = text.slice(open, open + NAME_LIMIT);
        const tag = /^<(\/?)([^\s/>!?]+)[\s/>]/.exec(head);
        if (tag) {
          this.#tag = { name: tag[2] as string, closing: tag[1] === "/" };
          this.#slash = false;
          // The character after the name is the tag's own (">", "/" or a space before attributes).
          at = open + tag[0].length - 1;
          continue;
        }
        const special = head.startsWith("<!--") ? "-->" : head.startsWith("<![CDATA[") ? "]]>" : head.startsWith("<?") ? "?>" : "";
        if (special !== "") {
          this.#until = special;
          at = open + (special === "]]>" ? 9 : special === "-->" ? 4 : 2);
          continue;
        }
        // Too little of the markup yet to tell what it is: kept for the next piece. Anything else
        // (a document type declaration, an endless name) ends the scan.
        if (open + head.length < text.length || head.length === NAME_LIMIT || (head.startsWith("<!") && !"<![CDATA[".startsWith(head) && !"<!--".startsWith(head))) return this.#stop(-1);
        this.#held = head;
        return -1;
      }
    }
  }

  #stop(offset: number): number {
    this.#depth = -1;
    return offset;
  }
}
