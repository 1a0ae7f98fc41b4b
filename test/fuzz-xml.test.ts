// Fuzz tests of the XML readers (issue 8), in the manner of undici's test/fuzzing: valid documents
// are mutated at random and each reader must hold one property whatever it is given. It returns a
// value or throws its own error (`BAD_PAYLOAD` for parseXml and the Atom reader, `BAD_METADATA`
// for parseMetadata) with a message; never a raw TypeError, RangeError (a stack overflow among
// them) or SyntaxError; never takes more than a second for one input (a bound on hostile inputs,
// not a speed test); never touches Object.prototype. What it returns holds no more text than the
// document (parseXml: no entity is expanded) and only plain objects and arrays (the Atom and
// metadata readers: no name in the document, such as `__proto__`, makes a prototype).
//
// The random numbers come from a seeded generator, so every run reads the same inputs and a
// failure names the seed and the input number that reproduce it, with the input shrunk to the
// part that still fails. The explicit tests below are hostile inputs worth naming one by one, and
// the regressions the fuzzing found.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { parseXml, textContent, type XmlElement } from "../src/payload/xml.js";
import { readAtomEntry, readAtomFeed } from "../src/payload/atom.js";
import { ODataClientError, parseMetadata } from "../src/index.js";
import { CSDL_JSON, SAP_V2_EDMX, V1_EDMX, V2_EDMX, V3_EDMX, V4_EDMX } from "./metadata-samples.js";
// The seeded mulberry32 that also makes the bench's large $metadata document.
import { random as seededRandom } from "../bench/metadata-document.js";

// --- the generator and the mutations ------------------------------------------------------------

type Random = () => number;


function below(random: Random, n: number): number {
  return Math.floor(random() * n);
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[below(random, items.length)] as T;
}

/**
 * Pieces of markup that reach the parser's corners: references it must refuse (a surrogate, NUL,
 * beyond U+10FFFF, an undeclared entity), declarations it must refuse, section ends out of place,
 * bindings of prefixes, characters that are no XML, and names that are special to JavaScript.
 */
const TOKENS = [
  "<", ">", "&", "&amp;", "&lt;", "&#60;", "&#x3C;", "&#xD800;", "&#xDFFF;", "&#0;", "&#x110000;", "&#99999999999999999999;",
  "&#x;", "&#;", "&lol;", "&amp", "]]>", "<![CDATA[", "<![CDATA[x]]>", "<!--", "-->", "<!-- c -->", "<?pi data?>", "<?xml version=\"1.0\"?>",
  "<!DOCTYPE x>", '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>', '<!ENTITY lol "lol">', "&lol2;",
  "</x>", "<x>", "<x/>", "</>", "<:x/>", "<x:y/>", '"', "'", "=", ' xmlns="urn:x"', ' xmlns:p=""', ' xmlns:p="urn:p"', ' p:a="1"', ' a="1" a="2"',
  "\uFEFF", "\u0000", "\uD800", "\uFFFE", "\r\n", "\r", "\t", " ", "__proto__", "constructor", "Collection(", ")", "m:null=\"true\"",
  'm:type="Edm.Int32"', 'm:type="Edm.DateTime"', 'm:type="Collection(Edm.String)"', 'xml:base="::"', 'xml:base="http://[x"', "INF", "-0", "1e400",
];

/** What a random structural value can be (for CSDL JSON, whose readers look at shapes). */
const JSON_VALUES: readonly (() => unknown)[] = [
  () => null, () => true, () => 0, () => -1, () => 1.5, () => 1e308, () => "", () => "x", () => "Edm.String", () => "Collection(", () => "__proto__",
  () => [], () => ({}), () => [null], () => ({ $Kind: "EntityType" }), () => ({ $Kind: "Action" }), () => ({ $Type: "Collection(Collection(x))" }),
];

const JSON_KEYS = ["$Kind", "$Type", "$Collection", "$Key", "$Nullable", "$BaseType", "$Annotations", "$Parameter", "$ReturnType", "$Scale", "$MaxLength", "@Core.Description", "@x@y", "__proto__", "$Reference", "$EntityContainer", ""];

type Mutation = (text: string, random: Random) => string;

/**
 * How deep `nest` goes with this start tag: mostly a few levels, now and then 150 to 450 kB of
 * start tags (at most 30,000), enough to overflow a reader that recurses per level; how deep that
 * is depends on its frames, a few thousand levels for most.
 */
function nestingDepth(random: Random, open: string): number {
  return random() < 0.03 ? Math.min(30_000, Math.floor((150_000 + below(random, 300_000)) / open.length)) : 1 + below(random, 20);
}

/**
 * Nests elements deep right after a start tag: that same tag, attributes and all, inside itself
 * (a complex value in a complex value, a collection in a collection, a scope that declares
 * prefixes in one that does), or a chain that readers walk from level to level (expanded entries,
 * record properties), or elements each declaring a prefix.
 */
function nest(text: string, random: Random): string {
  const tags = [...text.matchAll(/<([A-Za-z][\w:.-]*)(?:\s[^<>]*?)?(?<!\/)>/g)];
  if (tags.length === 0) return text;
  const tag = pick(random, tags);
  const at = tag.index + tag[0].length;
  const [open, close] =
    random() < 0.5
      ? [tag[0], `</${tag[1] ?? ""}>`]
      : pick(random, [
          [`<link rel="${RELATED}/N"><m:inline><entry>`, "</entry></m:inline></link>"],
          [`<link rel="${RELATED}/N"><m:inline><feed><entry>`, "</entry></feed></m:inline></link>"],
          ['<Record><PropertyValue Property="p">', "</PropertyValue></Record>"],
          ["<Collection>", "</Collection>"],
          ['<x xmlns:p="urn:p">', "</x>"],
          ["<x>", "</x>"],
        ]);
  const depth = nestingDepth(random, open);
  return text.slice(0, at) + open.repeat(depth) + close.repeat(depth) + text.slice(at);
}

/**
 * Gives every occurrence of a name in the document another name, so that the document stays
 * well-formed and the reader behind the XML parser sees names it did not expect, names special to
 * JavaScript objects among them.
 */
function rename(text: string, random: Random): string {
  const names = [...new Set(text.match(/(?<=[<"\/:.])[A-Za-z_][\w-]*(?=[\s>"\/.:])/g) ?? [])];
  if (names.length === 0) return text;
  const from = pick(random, names);
  const to = pick(random, ["__proto__", "__proto__", "constructor", "toString", "hasOwnProperty", "x", "Edm", "Collection", pick(random, names)]);
  return text.replace(new RegExp(String.raw`(?<=[<"/:.])${from}(?=[\s>"/.:])`, "g"), to);
}

/** Adds many attributes to a start tag (how a reader that compares each with every other shows). */
function manyAttributes(text: string, random: Random): string {
  const tags = [...text.matchAll(/<[A-Za-z][\w:.-]*/g)];
  if (tags.length === 0) return text;
  const tag = pick(random, tags);
  const at = tag.index + tag[0].length;
  const count = random() < 0.04 ? 30_000 : 1 + below(random, 50);
  let added = "";
  for (let i = 0; i < count; i++) added += ` a${i}="${i}"`;
  return text.slice(0, at) + added + text.slice(at);
}

/**
 * Flips bytes of the UTF-8 form and decodes it again, invalid sequences becoming U+FFFD: the
 * readers take text, and a body's bytes reach them through `Response.text()`, which decodes so.
 */
function flipBytes(text: string, random: Random): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length === 0) return text;
  for (let i = 1 + below(random, 4); i > 0; i--) bytes[below(random, bytes.length)] = pick(random, [0x00, 0x3c, 0x80, 0xbf, 0xc0, 0xed, 0xf4, 0xff, below(random, 256)]);
  return new TextDecoder().decode(bytes);
}

/**
 * Replaces an attribute's value: names special to JavaScript objects, a type nested in itself,
 * numbers at and beyond the edges of a double.
 */
function attributeValue(text: string, random: Random): string {
  const values = [...text.matchAll(/="[^"<]*"/g)];
  if (values.length === 0) return text;
  const value = pick(random, values);
  const replacement = pick(random, ["__proto__", "constructor", "", "x.y", "Collection(Edm.String)", "Collection(".repeat(50_000) + "Edm.String" + ")".repeat(50_000), "1e400", "-0", "INF", "NaN", "99999999999999999999"]);
  return `${text.slice(0, value.index)}="${replacement}"${text.slice(value.index + value[0].length)}`;
}

/**
 * A run of one piece where text or an attribute value starts, now and then a long one: digits (a
 * pattern that backtracks over them shows as time), spaces, references, comments.
 */
function longRun(text: string, random: Random): string {
  const starts = [...text.matchAll(/>|="/g)];
  if (starts.length === 0) return text;
  const start = pick(random, starts);
  const at = start.index + start[0].length;
  const piece = pick(random, ["1", "1", "9", " ", "&amp;", "<!---->", "<![CDATA[]]>"]);
  const count = random() < 0.1 ? Math.floor((40_000 + below(random, 20_000)) / piece.length) : 1 + below(random, 200);
  return text.slice(0, at) + piece.repeat(count) + text.slice(at);
}

const MUTATIONS: readonly Mutation[] = [
  // Truncation: the body cut off anywhere, as by a dropped connection.
  (text, random) => text.slice(0, below(random, text.length)),
  // A token inserted anywhere.
  (text, random) => {
    const at = below(random, text.length + 1);
    return text.slice(0, at) + pick(random, TOKENS) + text.slice(at);
  },
  // A token in place of a piece of the document.
  (text, random) => {
    const at = below(random, text.length + 1);
    return text.slice(0, at) + pick(random, TOKENS) + text.slice(at + 1 + below(random, 8));
  },
  // A piece removed: unbalanced tags, attributes without values, references without ends.
  (text, random) => {
    const at = below(random, text.length + 1);
    return text.slice(0, at) + text.slice(at + 1 + below(random, 40));
  },
  // A piece repeated: duplicate attributes and elements, elements inside themselves.
  (text, random) => {
    const at = below(random, text.length + 1);
    const piece = text.slice(at, at + 1 + below(random, 80));
    const to = below(random, text.length + 1);
    return text.slice(0, to) + piece.repeat(1 + below(random, 3)) + text.slice(to);
  },
  // One character replaced by any UTF-16 code unit, a lone surrogate included.
  (text, random) => {
    const at = below(random, text.length);
    return text.slice(0, at) + String.fromCharCode(below(random, 0x10000)) + text.slice(at + 1);
  },
  // An end tag's name changed, or a start tag's.
  (text, random) => {
    const tags = [...text.matchAll(/<\/?[A-Za-z][\w:.-]*/g)];
    if (tags.length === 0) return text;
    const tag = pick(random, tags);
    return text.slice(0, tag.index) + tag[0] + pick(random, ["x", ":", "_", "1", "\u00C0"]) + text.slice(tag.index + tag[0].length);
  },
  nest,
  rename,
  attributeValue,
  longRun,
  manyAttributes,
  flipBytes,
];

/**
 * The mutations that keep a document well-formed (as long as it was): most random changes break
 * the XML, and the parser's refusal is all a reader behind it gets to see.
 */
const WELL_FORMED_MUTATIONS: readonly Mutation[] = [nest, rename, attributeValue, longRun, manyAttributes];

/**
 * The document with one to four mutations applied, half the time only ones that keep it
 * well-formed. A document grown large is left as it is: it was made to test one thing (depth, a
 * long run), which a further random change would most likely hide behind a syntax error.
 */
function mutate(text: string, random: Random): string {
  const mutations = random() < 0.5 ? WELL_FORMED_MUTATIONS : MUTATIONS;
  let mutated = text;
  for (let i = 1 + below(random, 4); i > 0 && mutated.length < 100_000; i--) mutated = pick(random, mutations)(mutated, random);
  return mutated;
}

// --- the property -------------------------------------------------------------------------------

/** A reader, the error code it rejects bad input with, and what must hold for what it returns. */
interface Reader<T> {
  read: (input: T) => unknown;
  code: "BAD_PAYLOAD" | "BAD_METADATA";
  /** What is wrong with a value the reader returned for `input`, or `undefined`. */
  check?: (value: unknown, input: T) => string | undefined;
}

const OBJECT_PROTOTYPE_MEMBERS = new Set(Object.getOwnPropertyNames(Object.prototype));

/** The safety bound on one input: generous, since a machine under load can be slow. */
const MAX_MILLISECONDS = 1000;

/** How reading one input went: whether the reader returned a value, and the property it broke, if any. */
interface Outcome {
  accepted: boolean;
  /** What broke the property, and its kind (the error class or code, "check" or "time") for shrinking. */
  problem?: { what: string; kind: string };
}

function readOnce<T>(reader: Reader<T>, input: T): Outcome {
  const started = performance.now();
  let outcome: Outcome;
  try {
    const value = reader.read(input);
    const wrong = reader.check?.(value, input);
    outcome = wrong === undefined ? { accepted: true } : { accepted: true, problem: { what: wrong, kind: "check" } };
  } catch (error) {
    if (!(error instanceof ODataClientError)) {
      const name = error instanceof Error ? error.constructor.name : typeof error;
      outcome = { accepted: false, problem: { what: `threw ${name}: ${error instanceof Error ? error.message : String(error)}`, kind: name } };
    } else if (error.code !== reader.code || error.message === "") {
      outcome = { accepted: false, problem: { what: `threw ${error.code} (expected ${reader.code}): ${error.message}`, kind: error.code } };
    } else {
      outcome = { accepted: false };
    }
  }
  const elapsed = performance.now() - started;
  if (outcome.problem === undefined && elapsed > MAX_MILLISECONDS) outcome.problem = { what: `took ${Math.round(elapsed)} ms`, kind: "time" };
  // A name such as `__proto__` used as a key could reach Object.prototype and so every object of
  // the program; what got there is removed, so that the next input starts clean.
  const polluted = Object.getOwnPropertyNames(Object.prototype).filter((name) => !OBJECT_PROTOTYPE_MEMBERS.has(name));
  if (polluted.length > 0) {
    for (const name of polluted) delete (Object.prototype as Record<string, unknown>)[name];
    outcome.problem = { what: `added ${polluted.join(", ")} to Object.prototype`, kind: "pollution" };
  }
  return outcome;
}

/**
 * The shortest input found by removing ever smaller pieces that still breaks the property the
 * same way (a simple delta debugging), so that a failure reads as the few characters that matter.
 * It stops after two seconds: a large input (thousands of levels deep) shrinks slowly, and the
 * failure is reported either way.
 */
function minimize(input: string, stillFails: (candidate: string) => boolean): string {
  const deadline = performance.now() + 2000;
  let current = input;
  for (let size = current.length >> 1; size >= 1 && performance.now() < deadline; size >>= 1) {
    for (let at = 0; at + size <= current.length && performance.now() < deadline; ) {
      const candidate = current.slice(0, at) + current.slice(at + size);
      if (stillFails(candidate)) current = candidate;
      else at += size;
    }
  }
  return current;
}

function clip(text: string, length = 400): string {
  return text.length <= length ? text : `${text.slice(0, length)}… (${text.length} characters)`;
}

/**
 * Reads `runs` inputs made by `next` from the generator of `seed` and asserts the property for
 * each. A failure names the seed and the input's number and shows the input shrunk; the run goes
 * on to the end, so that it shows every kind of failure (a raw error class, a broken check, a time
 * over the bound) at once. It also asserts that the run read some inputs and refused others, so
 * that a mutation scheme that only ever breaks the documents (or never does) shows.
 */
function fuzz(seed: number, runs: number, next: (random: Random) => string, reader: Reader<string>): void {
  const random = seededRandom(seed);
  const failures = new Map<string, string>();
  let accepted = 0;
  for (let i = 0; i < runs; i++) {
    const input = next(random);
    const outcome = readOnce(reader, input);
    const problem = outcome.problem;
    if (problem !== undefined && !failures.has(problem.kind)) {
      // Timing failures are not shrunk: each try could take as long as the input did.
      const shrunk = problem.kind === "time" ? input : minimize(input, (candidate) => readOnce(reader, candidate).problem?.kind === problem.kind);
      failures.set(problem.kind, `seed 0x${seed.toString(16)}, input ${i}: ${problem.what}\n  shrunk to ${JSON.stringify(clip(shrunk))}`);
    }
    if (outcome.accepted) accepted++;
  }
  if (failures.size > 0) assert.fail(`the property fails for ${failures.size} kind(s) of input:\n${[...failures.values()].join("\n")}`);
  assert.ok(accepted > 0 && accepted < runs, `seed 0x${seed.toString(16)}: ${accepted} of ${runs} inputs read, the others refused`);
}

/**
 * What is wrong with the shape of a result, or `undefined`: every object in it must be a plain
 * object or an array (a name such as `__proto__` in a document must not give one a prototype of
 * the document's making). Walked without recursion, since the value may be deep; an object met
 * again (one annotation value on several overloads) is walked once.
 */
function notPlain(value: unknown): string | undefined {
  const seen = new Set<object>();
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next !== "object" || next === null || seen.has(next)) continue;
    seen.add(next);
    const prototype = Object.getPrototypeOf(next) as unknown;
    if (prototype !== Object.prototype && prototype !== Array.prototype) return `an object in the result has the prototype ${JSON.stringify(prototype)}`;
    for (const key of Object.keys(next)) pending.push((next as Record<string, unknown>)[key]);
  }
  return undefined;
}

/**
 * Whether the text and attribute values of an element tree are longer than the document: each
 * comes from its own stretch of the document and references only shorten it, so more text than
 * document means something was expanded.
 */
function expanded(root: XmlElement, input: string): string | undefined {
  let length = 0;
  const pending: XmlElement[] = [root];
  while (pending.length > 0) {
    const element = pending.pop() as XmlElement;
    for (const attribute of element.attributes) length += attribute.value.length;
    for (const child of element.children) {
      if (typeof child === "string") length += child.length;
      else pending.push(child);
    }
  }
  return length > input.length ? `the tree holds ${length} characters of text from a document of ${input.length}` : undefined;
}

// --- the documents ------------------------------------------------------------------------------

const ATOM = 'xmlns="http://www.w3.org/2005/Atom" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices"';
const RELATED = "http://schemas.microsoft.com/ado/2007/08/dataservices/related";
const SCHEME = "http://schemas.microsoft.com/ado/2007/08/dataservices/scheme";

/** A v2 feed with what Atom answers carry: a base, a count, links, every kind of value, an expansion. */
const FEED = `\uFEFF<?xml version="1.0" encoding="utf-8"?>
<!-- a page of products -->
<feed xml:base="https://host/svc/" ${ATOM}>
  <id>https://host/svc/Products</id>
  <m:count>2</m:count>
  <link rel="next" href="Products?$skiptoken='2'"/>
  <link rel="delta" href="Products?!deltatoken='x'"/>
  <entry m:etag="W/&quot;1&quot;">
    <id>https://host/svc/Products(1)</id>
    <category term="S.Product" scheme="${SCHEME}"/>
    <link rel="edit" href="Products(1)"/>
    <link rel="${RELATED}/Category"><m:inline><entry><id>https://host/svc/Categories(3)</id>
      <content type="application/xml"><m:properties><d:ID m:type="Edm.Int32">3</d:ID></m:properties></content></entry></m:inline></link>
    <link rel="${RELATED}/Parts"><m:inline><feed><entry><id>P(1)</id></entry></feed></m:inline></link>
    <content type="application/xml">
      <m:properties>
        <d:ID m:type="Edm.Int32">1</d:ID>
        <d:Name>Chai &amp; <![CDATA[<biscuits>]]> &#233;&#x1F375;</d:Name>
        <d:Serial m:type="Edm.Int64">9007199254740993</d:Serial>
        <d:Price m:type="Edm.Decimal">18.50</d:Price>
        <d:Weight m:type="Edm.Double">-2.5E-3</d:Weight>
        <d:Gone m:type="Edm.Boolean">false</d:Gone>
        <d:Created m:type="Edm.DateTime">2023-11-14T22:13:20.000</d:Created>
        <d:Note m:null="true"/>
        <d:Address m:type="S.Address"><d:Street>Main St. 1</d:Street><d:Geo m:type="S.Geo"><d:Lat m:type="Edm.Double">52.5</d:Lat></d:Geo></d:Address>
        <d:Tags m:type="Collection(Edm.String)"><d:element>a</d:element><d:element>b</d:element></d:Tags>
      </m:properties>
    </content>
  </entry>
  <?page last?>
  <entry><id>https://host/svc/Media(2)</id><content type="image/png" src="Media(2)/$value"/><m:properties><d:Size m:type="Edm.Int16">-5</d:Size></m:properties></entry>
</feed>`;

/** A single entry, the answer to a GET of one entity. */
const ENTRY = `<entry ${ATOM} xml:base="https://host/svc/"><id>Products(7)</id><link rel="edit" href="Products(7)"/>
<content type="application/xml"><m:properties><d:ID m:type="Edm.Int32">7</d:ID><d:Text xml:space="preserve">a\r\nb</d:Text></m:properties></content></entry>`;

/** Plain XML: default and prefixed namespaces, every kind of markup, references in both places. */
const GENERIC = `<?xml version="1.0"?>\r\n<?style sheet?><!-- head --><r xmlns="urn:r" xmlns:p="urn:p" p:a="&lt;1&gt;" b='tab\there'>
  text &amp; &#x41;&#66;<p:c p:d="x"/><![CDATA[ <not> & markup ]]><e xmlns="">unqualified</e><!-- inside --><?pi?>
  <f xml:lang="en">line\r\nline\rline</f></r>`;

/**
 * A v4 document dense with what the EDMX reader reads recursively or by pattern: annotation
 * expressions of every shape, numeric constants and default values, collection types, a targeted
 * block; so that mutations land there often.
 */
const ANNOTATED_EDMX = `<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="Fuzz.Model" Alias="F" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="Item">
        <Key><PropertyRef Name="ID"/></Key>
        <Property Name="ID" Type="Edm.Int64" Nullable="false"/>
        <Property Name="Price" Type="Edm.Decimal" Precision="9" Scale="2" DefaultValue="1.50"/>
        <Property Name="Ratio" Type="Edm.Double" DefaultValue="2.5E-3"/>
        <Property Name="Tags" Type="Collection(F.Tag)"/>
        <Annotation Term="UI.LineItem">
          <Collection>
            <Record Type="UI.DataField"><PropertyValue Property="Value" Path="Price"/><PropertyValue Property="Weight" Decimal="0.25"/></Record>
            <Record><PropertyValue Property="Values"><Collection><Float>1.5</Float><Decimal>2.25</Decimal><Int>3</Int></Collection></PropertyValue></Record>
          </Collection>
        </Annotation>
        <Annotation Term="Core.Computed"><If><Eq><Path>ID</Path><Int>0</Int></Eq><Bool>true</Bool><Bool>false</Bool></If></Annotation>
        <Annotation Term="Core.Description"><Apply Function="odata.concat"><String>a</String><Cast Type="Edm.String"><Path>ID</Path></Cast></Apply></Annotation>
      </EntityType>
      <ComplexType Name="Tag"><Property Name="Name" Type="Edm.String"/></ComplexType>
      <EntityContainer Name="Default"><EntitySet Name="Items" EntityType="F.Item"/></EntityContainer>
      <Annotations Target="F.Item/Price">
        <Annotation Term="Measures.Scale" Decimal="100.5"/>
        <Annotation Term="Core.Example"><Record><PropertyValue Property="Value" Float="1e10"/></Record></Annotation>
      </Annotations>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;

const EDMX_DOCUMENTS = [ANNOTATED_EDMX, V4_EDMX, V2_EDMX, SAP_V2_EDMX, V3_EDMX, V1_EDMX];
const CSDL_JSON_TEXT = JSON.stringify(CSDL_JSON);

const xmlReader: Reader<string> = {
  read: (input) => parseXml(input),
  code: "BAD_PAYLOAD",
  check: (value, input) => {
    const root = value as XmlElement;
    // textContent walks the whole tree: it must take any depth the parser takes.
    textContent(root);
    return expanded(root, input);
  },
};

const atomReader: Reader<string> = {
  // Both entry points: a feed document (or one entry read as a feed), and a single entry.
  read: (input) => {
    const feed = readAtomFeed(input);
    if (feed.entities.length === 1 && !input.includes("<feed")) return [feed, readAtomEntry(input)];
    return feed;
  },
  code: "BAD_PAYLOAD",
  check: (value) => notPlain(value),
};

const metadataReader: Reader<string> = {
  read: (input) => parseMetadata(input),
  code: "BAD_METADATA",
  check: (value) => notPlain((value as ReturnType<typeof parseMetadata>).toJSON()),
};

/**
 * CSDL JSON mutated as data: a member replaced by a value of another shape, one added under a
 * name the readers know, or one removed. Changing characters of the text mostly gives text that
 * is no JSON, which tells little about the reader behind `JSON.parse`.
 */
function mutateJson(random: Random): string {
  const document = JSON.parse(CSDL_JSON_TEXT) as unknown;
  const objects: Record<string, unknown>[] = [];
  const pending: unknown[] = [document];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next !== "object" || next === null) continue;
    objects.push(next as Record<string, unknown>);
    for (const value of Object.values(next)) pending.push(value);
  }
  for (let i = 1 + below(random, 3); i > 0; i--) {
    const target = pick(random, objects);
    const keys = Object.keys(target);
    const choice = random();
    // defineProperty, as JSON.parse does: an assignment to "__proto__" would set the prototype.
    const put = (key: string, value: unknown) => Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
    if (choice < 0.45 && keys.length > 0) put(pick(random, keys), pick(random, JSON_VALUES)());
    else if (choice < 0.8) put(pick(random, JSON_KEYS), pick(random, JSON_VALUES)());
    else if (keys.length > 0) delete target[pick(random, keys)];
    // Now and then an annotation value nested thousands deep.
    if (random() < 0.02) put(`@Core.Deep${i}`, JSON.parse("[".repeat(3000) + "]".repeat(3000)));
  }
  return JSON.stringify(document);
}

// --- the fuzz runs ------------------------------------------------------------------------------

// The inputs per run are chosen so that the whole file runs in a few seconds; the seeds are fixed
// so that each run reads the same inputs (change them to explore, keep them to compare).
describe("fuzzing the XML readers (seeded: the same inputs every run)", () => {
  test("parseXml returns a tree or throws BAD_PAYLOAD for 800 mutated documents, each within the bound, nothing expanded", () => {
    const documents = [GENERIC, FEED, ENTRY, V4_EDMX];
    fuzz(0x5eed0001, 800, (random) => mutate(pick(random, documents), random), xmlReader);
  });

  test("readAtomFeed and readAtomEntry return plain entities or throw BAD_PAYLOAD for 800 mutated feeds and entries", () => {
    fuzz(0x5eed0002, 800, (random) => mutate(pick(random, [FEED, ENTRY]), random), atomReader);
  });

  test("parseMetadata returns a model or throws BAD_METADATA for 750 mutated EDMX documents (v4, v2, SAP, v3, v1)", () => {
    fuzz(0x5eed0003, 750, (random) => mutate(pick(random, EDMX_DOCUMENTS), random), metadataReader);
  });

  test("parseMetadata returns a model or throws BAD_METADATA for 200 CSDL JSON texts with mutated characters", () => {
    fuzz(0x5eed0004, 200, (random) => mutate(CSDL_JSON_TEXT, random), metadataReader);
  });

  test("parseMetadata returns a model or throws BAD_METADATA for 500 CSDL JSON documents with members of the wrong shape", () => {
    fuzz(0x5eed0005, 500, mutateJson, metadataReader);
  });
});

// --- hostile documents, one by one --------------------------------------------------------------

/** The error `run` throws, asserted to be the library's own with this code. */
function refusal(run: () => unknown, code: "BAD_PAYLOAD" | "BAD_METADATA"): ODataClientError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ODataClientError, `expected an ODataClientError, got ${String(error)}`);
    assert.equal(error.code, code);
    return error;
  }
  assert.fail(`expected ${code}`);
}

/** What `run` returns, asserted to take less than the safety bound. */
function withinBound<T>(run: () => T): T {
  const started = performance.now();
  try {
    return run();
  } finally {
    const elapsed = performance.now() - started;
    assert.ok(elapsed < MAX_MILLISECONDS, `took ${Math.round(elapsed)} ms`);
  }
}

/** Ten entities of ten references each: 10^9 "lol"s, three gigabytes, if anything expanded them. */
const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
${Array.from({ length: 9 }, (_, i) => `  <!ENTITY lol${i + 1} "${`&lol${i === 0 ? "" : i};`.repeat(10)}">`).join("\n")}
]>
<lolz>&lol9;</lolz>`;

describe("hostile XML documents", () => {
  test("a document type declaration is refused before any entity in it is read (billion laughs), by every reader", () => {
    const offset = BILLION_LAUGHS.indexOf("<!DOCTYPE");
    const xml = withinBound(() => refusal(() => parseXml(BILLION_LAUGHS), "BAD_PAYLOAD"));
    assert.equal(xml.message, `the XML body is not well-formed: a document type declaration (not accepted in OData payloads) at character offset ${offset}`);
    assert.equal(withinBound(() => refusal(() => readAtomFeed(BILLION_LAUGHS), "BAD_PAYLOAD")).message, xml.message);
    const metadata = withinBound(() => refusal(() => parseMetadata(BILLION_LAUGHS), "BAD_METADATA"));
    assert.match(metadata.message, /a document type declaration \(not accepted in OData payloads\) at character offset/);
  });

  test("an external entity is neither declared nor read: the declaration is refused, and a reference to it is an unknown entity", () => {
    const declared = '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>';
    assert.match(refusal(() => parseXml(declared), "BAD_PAYLOAD").message, /a document type declaration .* at character offset 0$/);
    assert.equal(refusal(() => parseXml("<r>&xxe;</r>"), "BAD_PAYLOAD").message, "the XML body is not well-formed: the unknown entity &xxe; at character offset 3");
    assert.equal(
      refusal(() => parseXml('<r a="&xxe;"/>'), "BAD_PAYLOAD").message,
      "the XML body is not well-formed: the unknown entity &xxe; at character offset 6",
    );
    // Inside the root element a declaration is markup the parser does not know.
    assert.match(refusal(() => parseXml("<r><!DOCTYPE r></r>"), "BAD_PAYLOAD").message, /unexpected markup "<!DOCTYPE r><\/r>" at character offset 3$/);
  });

  test("a character reference to what is no XML character is refused with its offset: a surrogate, NUL, U+FFFE, beyond U+10FFFF", () => {
    for (const reference of ["&#xD800;", "&#xDFFF;", "&#0;", "&#xFFFE;", "&#x110000;", "&#99999999;", "&#x;", "&#;"]) {
      assert.equal(
        refusal(() => parseXml(`<r>ok ${reference}</r>`), "BAD_PAYLOAD").message,
        `the XML body is not well-formed: the character reference ${reference} is not a valid XML character at character offset 6`,
        reference,
      );
    }
    // Beyond 12 characters a reference is not looked for: a "&" with no ";" near it is refused as such.
    assert.equal(
      refusal(() => parseXml("<r>&#99999999999999999999;</r>"), "BAD_PAYLOAD").message,
      'the XML body is not well-formed: a "&" that does not start an entity reference at character offset 3',
    );
    assert.deepEqual(parseXml("<r>&#x1F375;&#xD7FF;&#xE000;&#x10FFFF;</r>").children, ["\u{1F375}\uD7FF\uE000\u{10FFFF}"]);
  });

  test("broken documents are refused with what is wrong and where: cut off, a stray ]]>, sections left open, a tag closed by another", () => {
    const cases: [string, string][] = [
      ["<r><a>text", "the document ended inside <a> at character offset 10"],
      ['<r a="1', "the value of the attribute a is not terminated at character offset 5"],
      ["<r>a ]]> b</r>", '"]]>" in text at character offset 5'],
      ["<r><![CDATA[x</r>", "an unterminated CDATA section at character offset 3"],
      ["<r><!-- x</r>", "an unterminated comment at character offset 3"],
      ["<r><?pi x</r>", "an unterminated processing instruction at character offset 3"],
      ["<r><a></b></r>", "the end tag </b> does not match <a> (opened at character offset 3) at character offset 6"],
      ['<r a="<"/>', '"<" in the value of the attribute a at character offset 6'],
      ["<p:r/>", "the prefix p of the element <p:r> is not bound at character offset 0"],
      ["<r/><r/>", 'content after the root element ("<r/>") at character offset 4'],
      ["\uFEFF", "the document has no root element at character offset 1"],
    ];
    for (const [document, what] of cases) {
      assert.equal(refusal(() => parseXml(document), "BAD_PAYLOAD").message, `the XML body is not well-formed: ${what}`, document);
    }
  });
});

describe("regressions the fuzzing found", () => {
  test("parseXml: 30,000 nested elements parse, and textContent reads them without recursion (it overflowed the stack)", () => {
    const depth = 30_000;
    const root = withinBound(() => parseXml(`${"<a>".repeat(depth)}deep${"</a>".repeat(depth)}`));
    let levels = 1;
    for (let element = root; element.children[0] !== undefined && typeof element.children[0] !== "string"; element = element.children[0]) levels++;
    assert.equal(levels, depth);
    assert.equal(textContent(root), "deep");
  });

  test("parseXml: 30,000 nested elements each declaring a prefix parse in linear time (the scope chain made it quadratic: seconds)", () => {
    const depth = 30_000;
    const root = withinBound(() => parseXml(`${'<a xmlns:p="urn:p">'.repeat(depth)}<p:b/>${"</a>".repeat(depth)}`));
    assert.equal(root.namespace, "");
  });

  test("parseXml: a prefix declared again inside an element is bound there and back outside it, self-closing elements included", () => {
    const root = parseXml('<r xmlns="urn:d" xmlns:p="urn:1"><p:a xmlns:p="urn:2"><p:b/></p:a><p:c xmlns:p="urn:3"/><p:d/><e xmlns=""><f/></e><g/></r>');
    const namespaces = (element: XmlElement): string[] =>
      element.children.flatMap((child) => (typeof child === "string" ? [] : [`${child.name}=${child.namespace}`, ...namespaces(child)]));
    assert.deepEqual(namespaces(root), ["p:a=urn:2", "p:b=urn:2", "p:c=urn:3", "p:d=urn:1", "e=", "f=", "g=urn:d"]);
  });

  test("parseXml: a start tag with 40,000 attributes parses in linear time (each was compared with every other: seconds)", () => {
    const attributes = Array.from({ length: 40_000 }, (_, i) => ` a${i}="${i}"`).join("");
    const root = withinBound(() => parseXml(`<r xmlns:p="urn:p" xmlns:q="urn:p"${attributes} p:x="1"/>`));
    assert.equal(root.attributes.length, 40_001);
    // Duplicates are still found, by name and by namespace and local name.
    const duplicate = withinBound(() => refusal(() => parseXml(`<r${attributes} a0="again"/>`), "BAD_PAYLOAD"));
    assert.equal(duplicate.message, `the XML body is not well-formed: the attribute a0 appears twice at character offset ${3 + attributes.length}`);
    assert.match(
      refusal(() => parseXml('<r xmlns:p="urn:p" xmlns:q="urn:p" p:x="1" q:x="2"/>'), "BAD_PAYLOAD").message,
      /the attribute \{urn:p\}x appears twice at character offset 43$/,
    );
  });

  test("Atom: a property nested 30,000 levels deep is refused with BAD_PAYLOAD (it overflowed the stack); 100 levels are read", () => {
    const entry = (depth: number) => `<entry ${ATOM}><m:properties>${"<d:x>".repeat(depth)}1${"</d:x>".repeat(depth)}</m:properties></entry>`;
    const error = withinBound(() => refusal(() => readAtomEntry(entry(30_000)), "BAD_PAYLOAD"));
    assert.match(error.message, /^the property <d:x> at character offset \d+ nests more than 100 levels deep$/);
    let value = readAtomEntry(entry(101))["x"];
    for (let level = 1; level < 101; level++) value = (value as Record<string, unknown>)["x"];
    assert.equal(value, "1");
  });

  test("Atom: expanded entries nested 20,000 levels deep are refused with BAD_PAYLOAD (it overflowed the stack); 100 levels are read", () => {
    const link = `<link rel="${RELATED}/Next"><m:inline><entry>`;
    const entry = (depth: number) => `<entry ${ATOM}>${link.repeat(depth)}${"</entry></m:inline></link>".repeat(depth)}</entry>`;
    const error = withinBound(() => refusal(() => readAtomFeed(entry(20_000)), "BAD_PAYLOAD"));
    assert.match(error.message, /^the expanded entries nest more than 100 levels deep \(<m:inline> at character offset \d+\)$/);
    let entity = readAtomEntry(entry(100));
    for (let level = 0; level < 100; level++) entity = entity["Next"] as Record<string, unknown>;
    assert.deepEqual(entity, { __metadata: {} });
  });

  test("Atom: an Edm.Double or Edm.Decimal of 100,000 digits and a letter is refused at once (the pattern backtracked: seconds)", () => {
    for (const type of ["Edm.Double", "Edm.Decimal"]) {
      const entry = `<entry ${ATOM}><m:properties><d:V m:type="${type}">${"1".repeat(100_000)}x</d:V></m:properties></entry>`;
      assert.match(withinBound(() => refusal(() => readAtomEntry(entry), "BAD_PAYLOAD")).message, new RegExp(`which is not an ${type} \\(character offset \\d+\\)$`));
    }
  });

  test("Atom: a property or navigation property named __proto__ is an own member; no entity gets a prototype from the document", () => {
    const entry = `<entry ${ATOM}><link rel="${RELATED}/__proto__"><m:inline><entry><id>E(1)</id></entry></m:inline></link>
      <m:properties><d:__proto__ m:type="S.Address"><d:__proto__>inner</d:__proto__></d:__proto__></m:properties></entry>`;
    const entity = readAtomEntry(entry);
    assert.equal(Object.getPrototypeOf(entity), Object.prototype);
    // The navigation property comes after the properties and replaces the one of the same name.
    assert.deepEqual(Object.getOwnPropertyDescriptor(entity, "__proto__")?.value, { __metadata: { id: "E(1)", uri: "E(1)" } });
    const property = readAtomEntry(entry.replace(/<link.*?<\/link>/s, ""));
    const address = Object.getOwnPropertyDescriptor(property, "__proto__")?.value as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(address), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(address, "__proto__")?.value, "inner");
  });

  const edmx = (schema: string) =>
    `<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="S" xmlns="http://docs.oasis-open.org/odata/ns/edm">${schema}</Schema></edmx:DataServices></edmx:Edmx>`;

  test("EDMX: annotation expressions nested 30,000 levels deep are refused with BAD_METADATA naming the element (a stack overflow)", () => {
    const annotation = (depth: number) => `<EntityType Name="T"><Annotation Term="Core.Example">${"<Collection>".repeat(depth)}${"</Collection>".repeat(depth)}</Annotation></EntityType>`;
    const error = withinBound(() => refusal(() => parseMetadata(edmx(annotation(30_000))), "BAD_METADATA"));
    assert.match(error.message, /^the service metadata cannot be read: <Collection> at character offset \d+ is nested more than 100 expressions deep$/);
    let value: unknown = parseMetadata(edmx(annotation(100))).entityType("S.T")?.annotations["Org.OData.Core.V1.Example"];
    for (let level = 1; level < 100; level++) value = (value as unknown[])[0];
    assert.deepEqual(value, []);
  });

  test("CSDL JSON: an annotation value nested 100,000 levels deep, or a parsed document that contains itself, is refused with BAD_METADATA", () => {
    const deep = `{"$Version":"4.01","S":{"T":{"$Kind":"EntityType","@Core.Example":${"[".repeat(100_000)}${"]".repeat(100_000)}}}}`;
    const error = withinBound(() => refusal(() => parseMetadata(deep), "BAD_METADATA"));
    assert.equal(error.message, 'the service metadata cannot be read: the value of "@Core.Example" is nested more than 100 levels deep (or contains itself)');
    const value: Record<string, unknown> = {};
    value["self"] = value;
    const cyclic = { $Version: "4.01", S: { T: { $Kind: "EntityType", "@Core.Example": value } } };
    assert.equal(refusal(() => parseMetadata(cyclic), "BAD_METADATA").message, error.message);
  });

  test("EDMX and CSDL JSON: a type written inside Collection( 100,000 times is read without recursion (it overflowed the stack)", () => {
    const type = `${"Collection(".repeat(100_000)}S.T${")".repeat(100_000)}`;
    const fromXml = withinBound(() => parseMetadata(edmx(`<ComplexType Name="T"><Property Name="P" Type="${type}"/></ComplexType>`)));
    assert.equal(fromXml.complexType("S.T")?.properties[0]?.type, type.slice("Collection(".length, -1));
    const fromJson = withinBound(() => parseMetadata({ $Version: "4.01", S: { $Alias: "A", T: { $Kind: "ComplexType", P: { $Type: type.replace("S.T", "A.T") } } } }));
    assert.equal(fromJson.complexType("S.T")?.properties[0]?.type, type);
  });

  test("EDMX: a Decimal constant or numeric default of 100,000 digits and a letter is read at once (the pattern backtracked: seconds)", () => {
    const digits = `${"1".repeat(100_000)}x`;
    const model = withinBound(() =>
      parseMetadata(edmx(`<EntityType Name="T"><Property Name="P" Type="Edm.Decimal" DefaultValue="${digits}"/><Annotation Term="Core.Example" Decimal="${digits}"/></EntityType>`)),
    );
    const entityType = model.entityType("S.T");
    assert.equal(entityType?.properties[0]?.defaultValue, digits);
    assert.equal(entityType?.annotations["Org.OData.Core.V1.Example"], digits);
  });

  test("EDMX and CSDL JSON: Annotations Target=\"__proto__\" leave Object.prototype alone, and a term named __proto__ is an own annotation", () => {
    const fromXml = parseMetadata(
      edmx(`<EntityType Name="T"><Annotation Term="__proto__"><Record><PropertyValue Property="__proto__" String="x"/></Record></Annotation></EntityType>
        <Annotations Target="__proto__"><Annotation Term="polluted" String="yes"/></Annotations>`),
    );
    const fromJson = parseMetadata(
      '{"$Version":"4.01","S":{"T":{"$Kind":"EntityType","@__proto__":{"__proto__":"x"}},"$Annotations":{"__proto__":{"@polluted":"yes"}}}}',
    );
    assert.equal(({} as Record<string, unknown>)["polluted"], undefined);
    for (const model of [fromXml, fromJson]) {
      const annotations = model.entityType("S.T")?.annotations ?? {};
      assert.equal(Object.getPrototypeOf(annotations), Object.prototype);
      const record = Object.getOwnPropertyDescriptor(annotations, "__proto__")?.value as object;
      assert.equal(Object.getPrototypeOf(record), Object.prototype);
      assert.equal(Object.getOwnPropertyDescriptor(record, "__proto__")?.value, "x");
      const external = model.schemas[0]?.externalAnnotations ?? {};
      assert.deepEqual(Object.getOwnPropertyDescriptor(external, "__proto__")?.value, { polluted: "yes" });
    }
  });
});
