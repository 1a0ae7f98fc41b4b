/**
 * How the generator names what it writes. Property, entity set and singleton names are never
 * changed (they are what goes on the wire; one that is no OData name, which the client refuses, is
 * left out by the generator, and one that is no JavaScript identifier is written quoted). Type
 * names become TypeScript identifiers by these rules, applied in this order, the same for the same
 * model on every run:
 *
 * 1. A simple name declared in more than one namespace is prefixed with its namespace, dots as
 *    `_`: `Sales.Order` and `Billing.Order` become `Sales_Order` and `Billing_Order`.
 * 2. Characters that cannot stand in an identifier (a hyphen, a dot, an emoji) become `_`, one
 *    for each; a first character that can only continue one (a digit) gets a `_` in front:
 *    `2nd-Level` becomes `_2nd_Level`. Letters of every script stand in an identifier (Unicode's
 *    ID_Start and ID_Continue, as JavaScript reads names): `客户` and `Заказ` stay as they are. Not
 *    those Unicode 16.0 and later added (Garay, Kirat Rai, `Ɤ`): TypeScript 5.9 reads names by the
 *    tables of Unicode 15.1 and refuses them, so they count as characters that cannot stand there
 *    (see {@link NEWER_THAN_TYPESCRIPT}).
 * 3. A reserved word of JavaScript or TypeScript, a name of TypeScript's standard types (`string`,
 *    `Object`, `Promise`), a global the generated code names (`Pick`, `Uint8Array`, `TypeError`,
 *    `NaN`), or a name the generated file imports (`Entity`, `ODataClient`) gets a `_` behind:
 *    `class` becomes `class_`. The factory's name (option `name`) must not be one of these.
 * 4. Names that differ only in case (Dynamics' `solution` and `Solution`) are both kept: TypeScript
 *    tells them apart, and the generator writes all types into one file, so no file system can
 *    fold them together. So are names that differ only in their Unicode normalization (`Café`
 *    with a precomposed `é` and with `e` and a combining accent): TypeScript compares names by
 *    their code points and does not normalize them.
 * 5. The names the generator makes itself (`<Type>Key`, `<Operation>Parameters`, `<Type>Input`, the GeoJSON
 *    types, the service interface) come after the model's names. A name that is taken, by either,
 *    gets `_` behind, and from the second time on a number after it: `XKey_`, `XKey_2`, `XKey_3`.
 *    A number rather than more underscores keeps the names short and the naming linear in time
 *    where many names meet (thousands of emoji-only names all become `_`).
 */

/** Words that cannot name a type, or that would shadow one the generated file needs. */
const RESERVED = new Set([
  // JavaScript reserved words, strict mode included.
  "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "enum", "export",
  "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof", "new", "null", "return", "super",
  "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with", "yield", "let", "static",
  "implements", "interface", "package", "private", "protected", "public", "await", "arguments", "eval",
  // TypeScript's type keywords and the standard types a generated file mentions or a reader expects.
  // `unique` (of `unique symbol`) and `intrinsic` are such keywords only where a type is expected:
  // `CollectionQuery<unique>` does not parse, `type X = intrinsic` is refused.
  "any", "unknown", "never", "object", "string", "number", "boolean", "bigint", "symbol", "undefined", "type", "keyof",
  "readonly", "infer", "is", "asserts", "declare", "namespace", "module", "abstract", "as", "satisfies", "global", "unique",
  "intrinsic",
  "Object", "String", "Number", "Boolean", "Symbol", "Array", "ReadonlyArray", "Record", "Partial", "Readonly", "Promise",
  "Date", "Error", "Function", "Map", "Set", "JSON", "Math",
  // The globals the generated code names: a type of the model declared under one of these names
  // would stand for it in the file (`Pick<ActionCall...>`, the factory's `: Uint8Array`), and a
  // factory named so (`--name TypeError`) would be what the factory's `new TypeError(...)` or the
  // v2 helpers' `NaN` and `Infinity` call or read: either way the file would not compile.
  // (`Object`, `Number`, `JSON`, `Record` and `Date`, which it names too, are above.)
  "Pick", "Uint8Array", "RangeError", "TypeError", "atob", "NaN", "Infinity",
  // What the generated file imports (EntityInput and EntityInputValue for entity-typed parameters).
  "ActionCall", "CollectionQuery", "EdmValue", "Entity", "EntityInput", "EntityInputValue", "EntityQuery", "FunctionCall",
  "ODataClient", "edm",
  // And what it imports with the option reader.
  "ODataReader", "ReadCollectionQuery", "ReadEntityQuery",
]);

/**
 * The letters, marks and digits that Unicode 16.0 and 17.0 made ID_Start or ID_Continue. The
 * JavaScript engine that runs the generator may know them (Node 20.20 reads Unicode 17), but
 * TypeScript 5.9's scanner has the tables of Unicode 15.1 and takes such a character for an
 * invalid one: a name holding it, written bare, is a file that does not compile. So a name with
 * one is written quoted, and a type name gets `_` for it. Checked against TypeScript's own
 * `isIdentifierStart` and `isIdentifierPart` for every code point (test/codegen-fix32-unicode16.test.ts):
 * an engine of a later Unicode makes that test fail, and the new characters belong here then.
 */
const NEWER_THAN_TYPESCRIPT =
  /[\u088f\u0897\u0c5c\u0cdc\u1acf-\u1add\u1ae0-\u1aeb\u1c89\u1c8a\ua7cb-\ua7cf\ua7d2\ua7d4\ua7da-\ua7dc\ua7f1\u{105c0}-\u{105f3}\u{10940}-\u{10959}\u{10d40}-\u{10d65}\u{10d69}-\u{10d6d}\u{10d6f}-\u{10d85}\u{10ec2}-\u{10ec7}\u{10efa}-\u{10efc}\u{11380}-\u{11389}\u{1138b}\u{1138e}\u{11390}-\u{113b5}\u{113b7}-\u{113c0}\u{113c2}\u{113c5}\u{113c7}-\u{113ca}\u{113cc}-\u{113d3}\u{113e1}\u{113e2}\u{116d0}-\u{116e3}\u{11b60}-\u{11b67}\u{11bc0}-\u{11be0}\u{11bf0}-\u{11bf9}\u{11db0}-\u{11ddb}\u{11de0}-\u{11de9}\u{11f5a}\u{13460}-\u{143fa}\u{16100}-\u{16139}\u{16d40}-\u{16d6c}\u{16d70}-\u{16d79}\u{16ea0}-\u{16eb8}\u{16ebb}-\u{16ed3}\u{16ff2}-\u{16ff6}\u{187f8}-\u{187ff}\u{18cff}\u{18d09}-\u{18d1e}\u{18d80}-\u{18df2}\u{1ccf0}-\u{1ccf9}\u{1e5d0}-\u{1e5fa}\u{1e6c0}-\u{1e6de}\u{1e6e0}-\u{1e6f5}\u{1e6fe}\u{1e6ff}\u{2b73a}-\u{2b73f}\u{2cea2}-\u{2cead}\u{323b0}-\u{33479}]/u;

/**
 * A JavaScript IdentifierName: ID_Start, `$` or `_` first, then ID_Continue, `$` and the zero-width
 * non-joiner and joiner. Reserved words are IdentifierNames too, and stand bare as property names.
 */
const IDENTIFIER_NAME = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u;

/**
 * Whether a text can be written unquoted as a property name (`客户`, `Größe` as well as `name`):
 * the same letters of every script that type names keep (rule 2), so that a generated type's
 * members read as its name does. Anything else (`a-b`, `1x`, a name with a letter of Unicode 16) is
 * written quoted.
 */
export function isIdentifier(name: string): boolean {
  return IDENTIFIER_NAME.test(name) && !NEWER_THAN_TYPESCRIPT.test(name);
}

/**
 * Whether a text is one of the words rule 3 gives a `_`: a reserved word, a standard type's name,
 * or a name the generated file imports. Such a word cannot name what the file declares.
 */
export function isReserved(name: string): boolean {
  return RESERVED.has(name);
}

/** A property name as written in an interface or object literal: bare if it can be, else quoted. */
export function propertyName(name: string): string {
  return isIdentifier(name) ? name : JSON.stringify(name);
}

/**
 * A name as the key of a data property in an object literal: as {@link propertyName}, except
 * `__proto__`, which there would set the object's prototype instead of adding a member (a computed
 * key adds it).
 */
export function objectKey(name: string): string {
  return name === "__proto__" ? '["__proto__"]' : propertyName(name);
}

/**
 * A character (code point) that cannot continue an identifier: ECMAScript's IdentifierPart is
 * Unicode's ID_Continue, `$`, and the zero-width joiner and non-joiner; and one TypeScript does not
 * know yet ({@link NEWER_THAN_TYPESCRIPT}).
 */
const NOT_IDENTIFIER_PART = new RegExp(`[^\\p{ID_Continue}$\\u200c\\u200d]|${NEWER_THAN_TYPESCRIPT.source}`, "gu");

/** A character that can start an identifier: ID_Start, `$` and `_`. */
const IDENTIFIER_START = /^[\p{ID_Start}$_]/u;

/**
 * Rule 2 and 3: a text as a type identifier. The Unicode tables are the JavaScript engine's, less
 * the characters TypeScript does not know yet: a letter of a script Unicode added recently is a
 * letter only where both know it.
 */
export function toIdentifier(name: string): string {
  let id = name.replace(NOT_IDENTIFIER_PART, "_");
  if (!IDENTIFIER_START.test(id)) id = `_${id}`;
  if (isReserved(id)) id = `${id}_`;
  return id;
}

/**
 * Hands out type names: first those of the model's types (rules 1 to 4, in the constructor),
 * then the generator's own (rule 5, {@link TypeNames.claim}).
 */
export class TypeNames {
  readonly #byQualifiedName = new Map<string, string>();
  readonly #taken = new Set<string>();
  /** For a name that was taken when claimed, the number of the next suffix to try (1 is `_`). */
  readonly #nextSuffix = new Map<string, number>();

  /**
   * Names the model's types, given by qualified name and simple name. The outcome depends only on
   * the set of types, not on the order they are given in.
   */
  constructor(types: Iterable<{ qualifiedName: string; name: string }>) {
    const all = [...types].sort((a, b) => compare(a.qualifiedName, b.qualifiedName));
    // Invalid CSDL: two types of one qualified name (an entity and a complex type, say) would be
    // typed as one of them, silently.
    for (const [index, type] of all.entries()) {
      if (index > 0 && all[index - 1]?.qualifiedName === type.qualifiedName) throw new RangeError(`generate: the model declares the type ${type.qualifiedName} twice`);
    }
    const namespaces = new Map<string, number>();
    for (const type of all) namespaces.set(type.name, (namespaces.get(type.name) ?? 0) + 1);
    for (const type of all) {
      const shared = (namespaces.get(type.name) ?? 0) > 1;
      const base = toIdentifier(shared ? type.qualifiedName : type.name);
      // Two different texts can still meet after rule 2 (`a-b` and `a_b`): the later in sort order yields.
      this.#byQualifiedName.set(type.qualifiedName, this.claim(base));
    }
  }

  /** The identifier of a model type, by qualified name. */
  of(qualifiedName: string): string | undefined {
    return this.#byQualifiedName.get(qualifiedName);
  }

  /** Takes the first free name of `wanted`, `wanted_`, `wanted_2`, `wanted_3`... (rule 5). */
  claim(wanted: string): string {
    const base = toIdentifier(wanted);
    let name = base;
    if (this.#taken.has(base)) {
      // Each base counts on from where it stopped last, and a candidate (`<base>_`, `<base>_<n>`)
      // is one base's only: a taken name is passed over at most once, so naming stays linear.
      let suffix = this.#nextSuffix.get(base) ?? 1;
      for (;;) {
        name = suffix === 1 ? `${base}_` : `${base}_${suffix}`;
        suffix++;
        if (!this.#taken.has(name)) break;
      }
      this.#nextSuffix.set(base, suffix);
    }
    this.#taken.add(name);
    return name;
  }
}

/** Ordinal comparison of texts: the same order on every machine and locale. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
