/**
 * Values typed on the command line (keys of `get`, parameters of `call`) turned into values of
 * their EDM type, which the library then writes as literals or JSON for the service's version.
 */
import { edm, ODataClientError, type ODataVersion, type Annotatable, type ComplexType, type EntitySet, type EntityType, type EnumType, type KeyRef, type LiteralValue, type Parameter, type ServiceModel, type TypeReference } from "../index.js";
import { CliUsageError } from "./errors.js";
import { numberText, parseKeepingNumbers } from "./formats.js";
import { DECIMAL } from "../query/literal-format.js";
import { isRecord } from "../util/values.js";
import { bytesOfBase64 } from "../util/base64-text.js";
import { alternateKeysOn } from "../metadata/alternate-keys.js";

/**
 * A command-line text as a value of `type` (`Edm.Int32`, `Edm.Guid` ...). Without a type (no
 * `$metadata`), an integer text is a number and anything else a string. `version`: the OData
 * version the client speaks, which says how a decimal in exponent notation is written
 * ({@link decimalForVersion}).
 */
function typedValue(text: string, type: string | undefined, where: string, version?: ODataVersion): LiteralValue {
  const fail = (what: string): never => {
    throw new CliUsageError(`${where}: ${JSON.stringify(text)} is not ${what}`);
  };
  // Number() would also take 0x2A, 0b11, .5 and Infinity: a value the user did not mean to send.
  // OData writes a number in decimal or exponent notation (the ABNF's decimalValue), its special
  // values as NaN, INF and -INF. Spaces around it are no mistake, as for an integer.
  const decimal = (type: keyof typeof FLOAT_RANGES | "Edm.Decimal"): string => {
    const digits = text.trim();
    if (digits === "NaN" || digits === "INF" || digits === "-INF") return digits;
    if (!DECIMAL.test(digits)) fail(`a number in decimal or exponent notation (an ${type}: 12.5, -1.5e3, INF, -INF or NaN)`);
    return digits;
  };
  const float = (type: keyof typeof FLOAT_RANGES): number | "NaN" | "INF" | "-INF" => {
    const digits = decimal(type);
    if (digits === "NaN" || digits === "INF" || digits === "-INF") return digits;
    const value = Number(digits);
    // 1e400 is read as Infinity: a value beyond the type's range, which INF names when it is meant.
    if (!finiteIn(value, type)) fail(`a number in the range of ${type} (up to ${FLOAT_RANGES[type]} either way; INF and -INF name the infinities)`);
    return value;
  };
  const integer = (type: keyof typeof INTEGER_RANGES): bigint => {
    const [min, max] = INTEGER_RANGES[type];
    // Number() would also take 0x2A, 0b11 and 4.2e1: a value the user did not mean to send. Spaces
    // around the digits are no mistake ("A=1, B=2").
    const digits = text.trim();
    if (!/^[+-]?\d+$/.test(digits)) fail(`an integer in decimal digits (an ${type}, ${min} to ${max})`);
    const value = BigInt(digits);
    if (value < min || value > max) fail(`an integer in the range of ${type} (${min} to ${max})`);
    return value;
  };
  try {
    switch (type) {
      case undefined: {
        // An integer is a number however long: up to 15 digits a plain one, beyond that an Int64
        // with its exact digits (a double would round them; v2 writes it with its L), beyond
        // Int64's range a Decimal.
        // Digits with leading zeros are a code (SAP's 18-digit material numbers): a string.
        if (!/^-?\d+$/.test(text) || /^-?0\d/.test(text)) return text;
        if (text.replace(/^-?0*/, "").length <= 15) return Number(text);
        const [min, max] = INTEGER_RANGES["Edm.Int64"];
        const big = BigInt(text);
        return big >= min && big <= max ? edm.int64(big) : edm.decimal(text);
      }
      case "Edm.String":
        return text;
      case "Edm.Byte":
      case "Edm.SByte":
      case "Edm.Int16":
      case "Edm.Int32":
        return Number(integer(type));
      case "Edm.Int64":
        return edm.int64(integer(type));
      case "Edm.Decimal":
        return edm.decimal(decimalForVersion(decimal(type), version, where));
      case "Edm.Double":
        return edm.double(float(type));
      case "Edm.Single":
        return edm.single(float(type));
      case "Edm.Boolean":
        if (text !== "true" && text !== "false") fail("true or false");
        return text === "true";
      case "Edm.Guid":
        return edm.guid(text);
      case "Edm.Date":
        return edm.date(text);
      case "Edm.DateTimeOffset":
        return edm.dateTimeOffset(text);
      case "Edm.DateTime":
        // A v2 DateTime is read (and printed) in UTC with a Z, which its literal has no place for:
        // a Z or +00:00 is dropped, as the generated client's factory does; another offset is refused.
        return edm.dateTime(text.replace(/(?:Z|[+-]00:00)$/, ""));
      case "Edm.TimeOfDay":
        return edm.timeOfDay(text);
      case "Edm.Duration":
      case "Edm.Time":
        return edm.duration(text);
      case "Edm.Binary": {
        const bytes = bytesFromBase64(text.trim());
        if (bytes === undefined) fail("binary data in base64 or base64url (AAEC for the bytes 00 01 02, padded with = or not)");
        return edm.binary(bytes as Uint8Array);
      }
      default:
        // Types this table does not know: the text as it is (a type definition comes here as its
        // underlying type; an enumeration of the service's $metadata goes to enumValue instead).
        return text;
    }
  } catch (error) {
    if (error instanceof CliUsageError) throw error;
    // The edm.* checks say what the value should look like, in the words of a program that calls
    // them: the command line's user gave an argument, not edm.guid(value).
    throw new CliUsageError(`${where}: ${inArgumentWords((error as Error).message)}`);
  }
}

/**
 * The start of a message of the library about a value given to it (`key(value): `, `key({ B }): `,
 * `function("f") parameter "d": `): what a key or a `--param` value runs into once it is written
 * in the client's version (a v4 Edm.Duration of years, an enumeration member on v2).
 */
const VALUE_GIVEN_TO = /^(?:key\(value\)|key\(\{ ([\p{L}\p{N}_]+) \}\)|(?:function|action)\("(?:[^"\\]|\\.)*"\) parameter "([^"\\]+)"): /u;

/**
 * An error of the library about a key or a parameter value the command line gave it, said of the
 * argument the user typed (`<key> B: `, `--param d: `) rather than of the library call; any other
 * error as it is. Its class (and so its exit code) stays.
 */
export function inArgumentTerms(error: unknown): unknown {
  const usage = error instanceof TypeError || error instanceof RangeError || (error instanceof ODataClientError && error.code === "UNSUPPORTED_BY_VERSION");
  const match = usage ? VALUE_GIVEN_TO.exec(error.message) : null;
  if (!usage || match === null) return error;
  const [given, keyPart, parameter] = match;
  const where = parameter !== undefined ? `--param ${parameter}` : keyPart !== undefined ? `<key> ${keyPart}` : "<key>";
  error.message = `${where}: ${inArgumentWords(error.message.slice(given.length))}`;
  return error;
}

/** A library call's name at the start of an edm.* check's message (`edm.guid(value): `, `edm.duration("P1Y"): `). */
const LIBRARY_CALL = /^edm\.\w+\((?:value|bytes|member|("(?:[^"\\]|\\.)*"))\): /;

/**
 * The message of an edm.* check as said of a command-line argument: without the call's name, and
 * with advice a program could follow (another edm.* function, a `Date`) turned into what to type.
 */
function inArgumentWords(message: string): string {
  // A call that names the value it was given: the value stays, which the rest of the message does not quote.
  return message.replace(LIBRARY_CALL, (_call, quoted: string | undefined) => (quoted === undefined ? "" : `${quoted} cannot be sent: `)).replace(/; use edm\.dateTimeOffset\(value\), or new Date\(value\) for the same instant in UTC$/, "; give the same instant in UTC, ending in Z");
}

/**
 * The bytes of base64 (RFC 4648 §4) or base64url (§5) text, padded or not: the forms an Edm.Binary
 * value has in JSON (v4 base64url, v2 base64), as `query` and `get` print it (read as the library
 * reads a binary value, `bytesOfBase64`). `undefined` for other text, and for text that is no
 * encoding's own (`AB`, whose last bits are not zero, would decode to the bytes of `AA`): a typo is
 * refused, not sent as other bytes.
 */
function bytesFromBase64(text: string): Uint8Array | undefined {
  const bytes = bytesOfBase64(text);
  const canonical = bytes && Buffer.from(bytes).toString("base64url");
  return canonical === text.replace(/=+$/, "").replaceAll("+", "-").replaceAll("/", "_") ? bytes : undefined;
}

/** The values each integer type holds (OData CSDL, section 4.4 Primitive Types). */
const INTEGER_RANGES = {
  "Edm.Byte": [0n, 255n],
  "Edm.SByte": [-128n, 127n],
  "Edm.Int16": [-32_768n, 32_767n],
  "Edm.Int32": [-2_147_483_648n, 2_147_483_647n],
  "Edm.Int64": [-9_223_372_036_854_775_808n, 9_223_372_036_854_775_807n],
} as const satisfies Record<string, readonly [bigint, bigint]>;

/** The largest finite value of each binary floating-point type (IEEE 754 binary64 and binary32). */
const FLOAT_RANGES = {
  "Edm.Double": "1.7976931348623157e308",
  "Edm.Single": "3.4028234663852886e38",
} as const;

/**
 * Whether `value` stays finite as a value of `type`: a Single beyond 3.4e38 does not, though a
 * double holds it. The one range check of a typed and a JSON number alike.
 */
function finiteIn(value: number, type: string | undefined): boolean {
  return Number.isFinite(type === "Edm.Single" ? Math.fround(value) : value);
}

/**
 * The most digits a decimal in exponent notation is written out to where the version's decimal
 * literal has no exponent: far more than any service's decimal holds, and `1e999999999` is
 * refused rather than written as a gigabyte of zeros.
 */
const MAX_WRITTEN_DIGITS = 1000;

/**
 * A decimal's text (DECIMAL, or NaN, INF, -INF) as the client's `version` writes it. OData 4.0's
 * decimal literal is digits with an optional point (its ABNF: decimalValue = [SIGN] 1*DIGIT
 * ["." 1*DIGIT], the exponent being doubleValue's); OData 4.01 adds the exponent to decimalValue.
 * So for 4.0 an exponent is worked into the digits, exactly, on the text (`1.5e3` is `1500`,
 * `-2.5E-3` is `-0.0025`, the digits of the mantissa kept: `1.50e1` is `15.0`); a number of more
 * than MAX_WRITTEN_DIGITS digits so written is refused, naming `where`. 4.01 and an unknown version
 * take the text as given; so does v2, whose literal (`1500M`) the library writes without the
 * exponent, refusing more digits than v2's decimal has.
 */
function decimalForVersion(text: string, version: ODataVersion | undefined, where: string): string {
  const [, sign, integer = "", fraction = "", exponentSign, exponent] = DECIMAL.exec(text) ?? [];
  if (version !== "4.0" || exponent === undefined) return text;
  const negative = sign === "-" ? "-" : "";
  // The mantissa's digits without leading zeros (but the last), and where the point goes in them.
  const written = `${integer}${fraction}`;
  const digits = written.replace(/^0+(?=\d)/, "");
  if (/^0$/.test(digits)) return `${negative}0`;
  const point = integer.length - (written.length - digits.length) + Number(`${exponentSign === "-" ? "-" : ""}${exponent}`);
  // Measured before anything is padded: an exponent of a billion costs nothing to refuse.
  const length = point <= 0 ? 1 - point + digits.length : Math.max(point, digits.length);
  if (!(length <= MAX_WRITTEN_DIGITS)) {
    throw new CliUsageError(`${where}: ${JSON.stringify(text)} has more than ${MAX_WRITTEN_DIGITS} digits written out, as an OData 4.0 decimal is written (its literal has no exponent)`);
  }
  if (point <= 0) return `${negative}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return `${negative}${digits}${"0".repeat(point - digits.length)}`;
  return `${negative}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/**
 * A command-line text as a value of the declared `type`: a member of one of the service's
 * enumerations as {@link enumValue} reads it, anything else as {@link typedValue} does.
 */
function declaredValue(text: string, type: string | undefined, model: ServiceModel | undefined, where: string, version: ODataVersion | undefined): LiteralValue {
  const enumeration = type === undefined ? undefined : model?.enumType(type);
  return enumeration ? enumValue(text, enumeration, where) : typedValue(text, type, where, version);
}

/**
 * A member of an enumeration (`Blue`; for a flags enumeration several, `Red,Blue`; a member's
 * value, `1`, for its name), as an `edm.enumMember` value: the library writes it qualified,
 * `NS.Color'Blue'`, which OData 4.0's URL grammar requires and 4.01's allows (CSDL JSON and the
 * bodies take the member names alone). A name the enumeration does not have is refused here, with
 * its members, rather than by the service.
 */
function enumValue(text: string, type: EnumType, where: string): LiteralValue {
  const parts = text.split(",").map((part) => part.trim());
  const known = type.members.map((member) => member.name);
  const names = parts.map((part) => {
    const member = type.members.find((candidate) => candidate.name === part || (/^-?\d+$/.test(part) && String(candidate.value) === part));
    if (member === undefined) {
      const shown = known.slice(0, 10).join(", ") + (known.length > 10 ? ", …" : "");
      throw new CliUsageError(`${where}: ${JSON.stringify(part)} is not a member of ${type.qualifiedName} (its members: ${shown || "none"})`);
    }
    return member.name;
  });
  if (names.length > 1 && !type.isFlags) throw new CliUsageError(`${where}: ${type.qualifiedName} is not a flags enumeration; give one member, not ${JSON.stringify(text)}`);
  return edm.enumMember(type.qualifiedName, names);
}

/**
 * The type whose literal a value of `type` is written as: a type definition's underlying primitive
 * type (`OrderNo` over `Edm.Int32` is written `42`, not `'42'`: CSDL 4.01, 11 Type Definition),
 * else `type` itself.
 */
function literalType(type: string, model: ServiceModel | undefined): string {
  return model?.typeDefinition(type)?.underlyingType ?? type;
}

/**
 * The declaration of a key part (its type and facets): its property path (`Address/PostalCode` for
 * an alias `Zip`) followed from the entity type through complex properties; `undefined` where the
 * model does not lead there.
 */
function keyPartDeclaration(ref: KeyRef, type: EntityType, model: ServiceModel): TypeReference | undefined {
  let structured: EntityType | ComplexType | undefined = type;
  let found: TypeReference | undefined;
  for (const segment of ref.path.split("/")) {
    if (structured === undefined) return undefined;
    found = model.propertiesOf(structured).find((p) => p.name === segment);
    if (found === undefined) return undefined;
    structured = model.complexType(found.type);
  }
  return found;
}

/**
 * The key of `get <set> <key>` and `call --key`: one value (`42`, `O'Brien`), or `Name=value`
 * pairs separated by commas for a key of several properties (`A=1,B=x`) or an alternate key the
 * set declares ({@link alternateKeysOf}: `accountnumber=A3`), typed by `$metadata` where the
 * service has it. A value that begins with a single quote is a string literal as OData writes one
 * (`Product='Smith, John'`, a quote inside doubled), commas and all: the only way a part of several
 * can hold a comma. `version`: the OData version the client speaks, which says whether a decimal
 * key may be NaN, INF or -INF ({@link checkDecimalSpecial}) and how its exponent is written
 * ({@link decimalForVersion}), as for a parameter.
 */
export function parseKey(text: string, set: string, model: ServiceModel | undefined, version?: ODataVersion): LiteralValue | Record<string, LiteralValue> {
  const entitySet = model?.entitySet(set);
  const type = entitySet && model ? model.entityTypeOf(entitySet) : undefined;
  const key = type && model ? model.keyOf(type) : [];
  const alternates = entitySet && type && model ? alternateKeysOf(entitySet, type, model) : [];
  const refs = [...key, ...alternates.flat()];
  // A key predicate names an aliased part by its alias (OData URL Conventions 4.3.1); its value
  // is typed by the property the alias stands for. A quoted value is a string where nothing else
  // says what it is: without $metadata `'42'` stays the text 42, not the number.
  const partValue = (name: string | undefined, given: string, quoted: boolean, where: string): LiteralValue => {
    const ref = refs.find((k) => k.name === name);
    const declared = ref && type && model ? keyPartDeclaration(ref, type, model) : undefined;
    const literal = declared === undefined ? (quoted ? "Edm.String" : undefined) : literalType(declared.type, model);
    if (declared && literal === "Edm.Decimal") checkDecimalSpecial(given.trim(), declared, model, version, where);
    return declaredValue(given, literal, model, where, version);
  };
  const named = /^([\p{L}_][\p{L}\p{N}_]*)=/u.exec(text)?.[1];
  // `Name=value` pairs, unless the key is one property and the text is simply its value (which
  // may hold a `=`): then only the key's name or a part of an alternate key starts pairs.
  const pairs = named !== undefined && (key.length !== 1 || named === key[0]?.name || alternates.some((k) => k.some((ref) => ref.name === named)));
  if (pairs) {
    // No prototype, so that a key property named `__proto__` is a member, not a prototype set.
    const value = Object.create(null) as Record<string, LiteralValue>;
    for (const part of keyParts(text)) {
      if (part.name in value) throw new CliUsageError(`<key> ${JSON.stringify(text)}: ${part.name} is given twice`);
      if (key.length > 0 && !refs.some((k) => k.name === part.name)) {
        throw new CliUsageError(`<key>: ${part.name} is not a key property of ${set} (its key: ${keyNames(key)}${alternates.length > 0 ? `; its alternate keys: ${alternates.map(keyNames).join(" | ")}` : ""})`);
      }
      value[part.name] = partValue(part.name, part.value, part.quoted, `<key> ${part.name}`);
    }
    if (key.length === 0) return value;
    const given = Object.keys(value);
    const isKey = (candidate: readonly KeyRef[]): boolean => candidate.length === given.length && candidate.every((k) => k.name in value);
    // A key of one property is written in its short form, `Set(2)`, which every service takes; an
    // alternate key always by its names, which are what tell it from the key.
    if (isKey(key)) return key.length === 1 ? (value[(key[0] as KeyRef).name] as LiteralValue) : value;
    if (alternates.some(isKey)) return value;
    if (alternates.length === 0) throw new CliUsageError(`<key>: ${set} is keyed by ${keyNames(key)}; give each as Name=value`);
    throw new CliUsageError(`<key>: ${set} is keyed by ${keyNames(key)}, or by one of its alternate keys ${alternates.map(keyNames).join(" | ")}; give each part of one of them as Name=value`);
  }
  if (key.length > 1) {
    // A value that holds a comma is quoted there as OData writes a string (a quote inside doubled).
    const quoting = text.includes(",") ? `, a value that holds a comma quoted: ${key[0]!.name}='${text.replace(/'/g, "''")}'` : "";
    throw new CliUsageError(`<key>: ${set} is keyed by ${keyNames(key)}; write its key as ${key.map((k) => `${k.name}=…`).join(",")}${quoting}`);
  }
  // A value alone needs no quotes, but may have them: `'42'` is the string 42.
  const trimmed = text.trim();
  const literal = trimmed.startsWith("'") ? stringLiteral(trimmed, 0) : undefined;
  const quoted = literal !== undefined && literal.end === trimmed.length;
  try {
    return partValue(key[0]?.name, quoted ? literal.value : text, quoted, "<key>");
  } catch (error) {
    // `accountnumber=A3` for a set keyed by a GUID: the user named a property, which is no key.
    const ref = key[0];
    if (!(error instanceof CliUsageError) || named === undefined || ref === undefined || type === undefined || model === undefined) throw error;
    const declared = keyPartDeclaration(ref, type, model)?.type;
    const alternate = alternates.length > 0 ? `, or by one of its alternate keys ${alternates.map(keyNames).join(" | ")}` : ", and $metadata declares no alternate key (Core.AlternateKeys) by which to address it otherwise";
    error.message += `; ${named}=… names the property ${named}, but ${set} is keyed by ${declared === undefined ? "" : `the ${declared} property `}${ref.name}${alternate}`;
    throw error;
  }
}

/** The names of a key's parts, as `get` takes them: `A, B`. */
function keyNames(key: readonly KeyRef[]): string {
  return key.map((k) => k.name).join(", ");
}

/**
 * The alternate keys of an entity set (metadata/alternate-keys.ts), declared on the set, its entity
 * type or a base type.
 */
function alternateKeysOf(entitySet: EntitySet, type: EntityType, model: ServiceModel): KeyRef[][] {
  const annotated: Annotatable[] = [entitySet];
  for (let t: EntityType | undefined = type; t !== undefined && !annotated.includes(t); t = t.baseType === undefined ? undefined : model.entityType(t.baseType)) annotated.push(t);
  return alternateKeysOn(model, annotated);
}

/** One `Name=value` part of a key; `quoted` where its value was written as a string literal. */
interface KeyPart {
  name: string;
  value: string;
  quoted: boolean;
}

/**
 * The `Name=value` parts of a key text, split at the commas outside quoted values. A value is
 * quoted where it begins with a single quote (spaces before it aside): it runs to the quote that
 * closes it, and only spaces may follow before the next comma; a quote within a value that does
 * not begin with one is the value's (`A=O'Brien`), as before there were quoted values.
 */
function keyParts(text: string): KeyPart[] {
  const parts: KeyPart[] = [];
  let at = 0;
  for (;;) {
    const comma = text.indexOf(",", at);
    const end = comma < 0 ? text.length : comma;
    const equals = text.indexOf("=", at);
    const name = equals < 0 || equals > end ? "" : text.slice(at, equals).trim();
    if (name === "") throw new CliUsageError(`<key> ${JSON.stringify(text)}: ${unsplittable(text, at, parts.at(-1))}`);
    const open = equals + 1 + (/^\s*/.exec(text.slice(equals + 1))?.[0].length ?? 0);
    if (text[open] !== "'") {
      parts.push({ name, value: text.slice(equals + 1, end), quoted: false });
      if (comma < 0) return parts;
      at = comma + 1;
      continue;
    }
    const literal = stringLiteral(text, open);
    if (literal === undefined) throw new CliUsageError(`<key> ${name}: the quoted value ${JSON.stringify(text.slice(open))} has no closing quote; a quote inside a quoted value is doubled ('O''Brien')`);
    const next = literal.end + (/^\s*/.exec(text.slice(literal.end))?.[0].length ?? 0);
    parts.push({ name, value: literal.value, quoted: true });
    if (next === text.length) return parts;
    if (text[next] !== ",") {
      const stop = text.indexOf(",", literal.end);
      const rest = text.slice(literal.end, stop < 0 ? undefined : stop);
      throw new CliUsageError(`<key> ${name}: the quoted value ${JSON.stringify(text.slice(open, literal.end))} ends at its closing quote, and ${JSON.stringify(rest)} follows it; a quote inside a quoted value is doubled ('O''Brien')`);
    }
    at = next + 1;
  }
}

/**
 * Why a key text cannot be split into `Name=value` parts where the part at `at` has no name: with,
 * where the part before it has a plain value, that value written quoted up to the next part that
 * has a name (`Product='Smith, John'`), which is what a comma inside a value most often means.
 */
function unsplittable(text: string, at: number, before: KeyPart | undefined): string {
  const usage = "write a key of several properties as Name=value,Name=value, a value that holds a comma quoted as OData writes a string (a quote inside doubled)";
  if (before === undefined || before.quoted) return `${usage}: Name='Smith, John'`;
  const stray = text.slice(at).split(",");
  const next = stray.findIndex((part) => /^\s*[\p{L}_][\p{L}\p{N}_]*\s*=/u.test(part));
  // A backslash before the comma was meant to escape it, which the quotes now do.
  const value = [before.value, ...stray.slice(0, next < 0 ? undefined : next)].join(",").replaceAll("\\,", ",");
  return `${usage}: ${before.name}='${value.replaceAll("'", "''")}'`;
}

/**
 * The string literal (OData's ABNF: a quote, the characters with each quote doubled, a quote) that
 * opens at `open` in `text`: its value and where it ends; `undefined` where no quote closes it.
 */
function stringLiteral(text: string, open: number): { value: string; end: number } | undefined {
  let value = "";
  let at = open + 1;
  for (;;) {
    const quote = text.indexOf("'", at);
    if (quote < 0) return undefined;
    value += text.slice(at, quote);
    if (text[quote + 1] !== "'") return { value, end: quote + 1 };
    value += "'";
    at = quote + 2;
  }
}

/**
 * The parameters of `call`: `--param name=value` typed by the operation's parameter in
 * `$metadata` (a string without it), `--param name:=json` taken as JSON, each of its numbers with
 * the digits typed (jsonParameter). `version`: the OData version the client speaks, which says
 * whether a decimal may be NaN, INF or -INF ({@link checkDecimalSpecial}).
 */
export function parseParameters(items: readonly string[], parameters: readonly Parameter[] | undefined, model: ServiceModel | undefined, version?: ODataVersion): Record<string, unknown> {
  // No prototype, so that a parameter named `__proto__` is a member, not a prototype set.
  const result = Object.create(null) as Record<string, unknown>;
  for (const item of items) {
    const match = /^([\p{L}_][\p{L}\p{N}_]*)(:?=)(.*)$/su.exec(item);
    if (!match) throw new CliUsageError(`--param must be name=value (or name:=json); got ${JSON.stringify(item.slice(0, 60))}`);
    const [, name = "", operator, value = ""] = match;
    // The last would win without a word, where the user may have meant either.
    if (name in result) throw new CliUsageError(`--param ${name} is given twice; give each parameter once (a collection as JSON: ${name}=[…])`);
    const declared = parameters?.find((parameter) => parameter.name === name);
    if (parameters && !declared) {
      throw new CliUsageError(`--param ${name}: the operation has no parameter ${name} (its parameters: ${parameters.map((p) => p.name).join(", ") || "none"})`);
    }
    if (operator === ":=") {
      result[name] = jsonParameter(value, declared, model, name, `--param ${name}:= must be followed by JSON; got ${JSON.stringify(value.slice(0, 60))}`, version);
      continue;
    }
    // A collection or a structured value is JSON text; a primitive is typed by its declaration.
    const declaredType = declared && literalType(declared.type, model);
    const structured = declared !== undefined && (declared.collection || !declaredType?.startsWith("Edm."));
    if (structured && /^[[{]/.test(value.trim())) {
      const notJson = `--param ${name}: a ${declared.collection ? "collection" : declared.type} is written as JSON; ${JSON.stringify(value.slice(0, 60))} is not JSON`;
      result[name] = jsonParameter(value, declared, model, name, notJson, version);
      continue;
    }
    const complex = declared && !declared.collection && declaredType !== undefined ? (model?.complexType(declaredType) ?? model?.entityType(declaredType)) : undefined;
    if (complex && model) {
      // Sent as it is, the text would be a string where the service expects an object.
      const members = model.propertiesOf(complex).slice(0, 2).map((property) => `${JSON.stringify(property.name)}:…`);
      throw new CliUsageError(`--param ${name} is of the structured type ${declared?.type}: give it as JSON, ${name}:='{${members.join(",")}}'`);
    }
    if (declared?.collection) {
      // Sent as it is, `a,b` would be one string where the service expects a collection.
      const items = value === "" ? [] : value.split(",");
      const example = JSON.stringify(declaredType === "Edm.String" || !declaredType?.startsWith("Edm.") ? items : items.map((item) => (/^-?\d+(?:\.\d+)?$/.test(item.trim()) ? Number(item) : item)));
      throw new CliUsageError(`--param ${name} is a collection (Collection(${declared.type})): give it as JSON: ${name}='${example.slice(0, 80)}'`);
    }
    if (declared && declaredType === "Edm.Decimal") checkDecimalSpecial(value.trim(), declared, model, version, `--param ${name}`);
    result[name] = declaredValue(value, declaredType ?? "Edm.String", model, `--param ${name}`, version);
  }
  return result;
}

/**
 * Refuses NaN, INF and -INF (`text`) as the value of a decimal `declared` (a parameter, a
 * property of a structured one, or a key property) where they are none of its values, naming `where`: OData 4.0's
 * decimal is a number in digits (its ABNF's decimalValue has no nanInfinity, which only its double
 * has), and so is OData v2's (`1.5M`). OData 4.01 adds nanInfinity to decimalValue for the decimal
 * with `Scale="floating"`, an IEEE 754 decimal floating-point number (CSDL 4.01, 3.4.3 Scale); a
 * decimal of a fixed or variable scale has digits to the right of its point, and no NaN. Without a
 * version (nothing typed yet) nothing is refused.
 */
function checkDecimalSpecial(text: string, declared: TypeReference, model: ServiceModel | undefined, version: ODataVersion | undefined, where: string): void {
  if (version === undefined || (text !== "NaN" && text !== "INF" && text !== "-INF")) return;
  // A type definition over Edm.Decimal carries the facets itself.
  const scale = declared.type === "Edm.Decimal" ? declared.scale : model?.typeDefinition(declared.type)?.scale;
  if (version === "4.01" && scale === "floating") return;
  const only = `NaN, INF and -INF are values of an OData 4.01 decimal with Scale="floating" only`;
  if (version !== "4.01") throw new CliUsageError(`${where}: ${JSON.stringify(text)} is not a value of an Edm.Decimal in OData ${version}, where a decimal is a number in digits (${only})`);
  throw new CliUsageError(`${where}: ${JSON.stringify(text)} is not a value of this Edm.Decimal (Scale="${scale ?? 0}"): ${only}`);
}

/**
 * The JSON text of a parameter (`name:=JSON`, a collection or a structured value), each number
 * that `JSON.parse` would not keep as typed (an Int64 beyond 2^53, a Decimal of many digits)
 * typed by the parameter's declaration: `notJson` is the message for text that is not JSON.
 */
function jsonParameter(text: string, declared: Parameter | undefined, model: ServiceModel | undefined, name: string, notJson: string, version: ODataVersion | undefined): unknown {
  let parsed: unknown;
  try {
    parsed = parseKeepingNumbers(text);
  } catch {
    throw new CliUsageError(notJson);
  }
  return exactNumbers(parsed, declared, model, `--param ${name}`, version);
}

/**
 * `value` (parsed by parseKeepingNumbers) with each kept number's text made the value its type
 * calls for, each number where an integer type stands checked against it, and each binary value or
 * enumeration member typed as typedValue and enumValue type one given alone: `type` is where
 * `value` stands (a parameter, a property, or for an item of a collection its element type),
 * followed into complex and entity types by their properties.
 */
function exactNumbers(value: unknown, type: TypeReference | undefined, model: ServiceModel | undefined, where: string, version: ODataVersion | undefined): unknown {
  const literal = type === undefined ? undefined : literalType(type.type, model);
  const digits = numberText(value);
  if (digits !== undefined) return jsonNumberValue(digits, literal, where, version);
  // A number JSON.parse reads as written is checked against an integer type all the same: 1.5 or
  // 300 would go as given where an Edm.Int64 or an Edm.Byte cannot hold them.
  if (typeof value === "number" && isIntegerType(literal)) return jsonInteger(String(value), literal, where);
  // A binary value or an enumeration member in JSON is a string (a member also its value, a
  // number), typed as the same value given alone is: checked here, written in the form the
  // service's version wants (v4 JSON's base64url).
  const enumeration = type === undefined ? undefined : model?.enumType(type.type);
  if (enumeration && (typeof value === "string" || (typeof value === "number" && Number.isInteger(value)))) return enumValue(String(value), enumeration, where);
  if (typeof value === "string" && literal === "Edm.Binary") return typedValue(value, literal, where);
  // JSON writes a decimal's NaN, INF and -INF as strings, where its type has them.
  if (typeof value === "string" && literal === "Edm.Decimal" && type !== undefined) checkDecimalSpecial(value, type, model, version, where);
  if (Array.isArray(value)) {
    const item = type === undefined ? undefined : { ...type, collection: false };
    return value.map((element, index) => exactNumbers(element, item, model, `${where}[${index}]`, version));
  }
  if (!isRecord(value)) return value;
  const structured = type === undefined || model === undefined ? undefined : (model.complexType(type.type) ?? model.entityType(type.type));
  const properties = structured && model ? model.propertiesOf(structured) : [];
  // No prototype: a member named `__proto__` (JSON.parse makes it an own one) stays a member.
  const copy = Object.create(null) as Record<string, unknown>;
  for (const [member, item] of Object.entries(value)) copy[member] = exactNumbers(item, properties.find((property) => property.name === member), model, `${where}.${member}`, version);
  return copy;
}

/** The EDM types whose values JSON writes as numbers. */
const NUMERIC_TYPES = new Set(["Edm.Byte", "Edm.SByte", "Edm.Int16", "Edm.Int32", "Edm.Int64", "Edm.Decimal", "Edm.Double", "Edm.Single"]);

/**
 * A JSON number's text as the value sent for it: the number `JSON.parse` reads where that is the
 * very value typed; else the value of its numeric type, digits kept (an Int64 or a Decimal: the
 * library writes their exact digits, as it does for `--param name=value`; a Double is a double,
 * refused beyond its range); else, where the type is not known or no number, an Int64 for an
 * integer in its range and a Decimal otherwise, as typedValue types an integer without `$metadata`.
 * A decimal's number that JavaScript writes with an exponent (`1e21`, `1e-7`) is a Decimal too where
 * the client speaks OData 4.0, whose decimal literal has none ({@link decimalForVersion}).
 */
function jsonNumberValue(digits: string, type: string | undefined, where: string, version: ODataVersion | undefined): unknown {
  if (isIntegerType(type)) return jsonInteger(digits, type, where);
  const number = Number(digits);
  const exponent = type === "Edm.Decimal" && version === "4.0" && /e/i.test(String(number));
  // A number its type cannot hold goes on to typedValue, which refuses it in the words of `name=value`.
  if (finiteIn(number, type) && sameDecimal(String(number), digits) && !exponent) return number;
  if (type !== undefined && NUMERIC_TYPES.has(type)) return typedValue(digits, type, where, version);
  return typedValue(digits, /^-?\d+$/.test(digits) ? undefined : "Edm.Decimal", where, version);
}

/** Whether `type` is one of the integer types (INTEGER_RANGES). */
function isIntegerType(type: string | undefined): type is keyof typeof INTEGER_RANGES {
  return type !== undefined && Object.hasOwn(INTEGER_RANGES, type);
}

/**
 * A JSON number (its text, DECIMAL) where an integer type stands: its value, which may be written
 * with a point or an exponent (`1e2` is 100), whole and within the type's range, as a number (an
 * Int64 beyond 2^53 as `edm.int64`, its digits kept); anything else is refused, naming `where`.
 */
function jsonInteger(text: string, type: keyof typeof INTEGER_RANGES, where: string): LiteralValue {
  const [min, max] = INTEGER_RANGES[type];
  const [, sign = "", digits = "0", exponent = "0"] = /^(-?)(\d+)e(-?\d+)$/.exec(decimalKey(text)) ?? [];
  const power = Number(exponent);
  // In typedValue's words, the text quoted: the same mistake reads the same either way it is given.
  if (power < 0) throw new CliUsageError(`${where}: ${JSON.stringify(text)} is not an integer in decimal digits (an ${type}, ${min} to ${max})`);
  // More digits than Int64's 19 is beyond every range: 1e400 is not spelt out first.
  const value = digits.length + power > 20 ? undefined : BigInt(`${sign}${digits}${"0".repeat(power)}`);
  if (value === undefined || value < min || value > max) throw new CliUsageError(`${where}: ${JSON.stringify(text)} is not an integer in the range of ${type} (${min} to ${max})`);
  return type === "Edm.Int64" && (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) ? edm.int64(value) : Number(value);
}

/** Whether two decimal texts (DECIMAL) stand for the same number: `1.50e2` and `150` do. */
function sameDecimal(a: string, b: string): boolean {
  return decimalKey(a) === decimalKey(b);
}

/** A decimal text as its sign, its significant digits and their exponent: `1.50e2` and `150` both `15e1`. */
function decimalKey(text: string): string {
  const [, sign, integer = "", fraction = "", exponentSign, exponent = "0"] = DECIMAL.exec(text) ?? [];
  const all = `${integer}${fraction}`.replace(/^0+/, "");
  const digits = all.replace(/0+$/, "");
  if (digits === "") return "0";
  const power = Number(`${exponentSign === "-" ? "-" : ""}${exponent}`) - fraction.length + (all.length - digits.length);
  return `${sign === "-" ? "-" : ""}${digits}e${power}`;
}
