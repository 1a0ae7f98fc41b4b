/**
 * The filter builder: functions that return {@link FilterExpression} values, which compose into
 * `$filter` (and `$orderby`) expressions. Field paths are checked as OData identifiers, values
 * become literals of the client's OData version, and compound operands are parenthesised by
 * operator precedence, so an expression means what its structure says.
 */
import { ODataClientError } from "../errors.js";
import type { ODataVersion } from "../options.js";
import { checkWellFormed, formatLiteral, isEdmValue, isV2 } from "./literal-format.js";
import type { LiteralValue } from "./literals.js";
import { checkIdentifier, checkPath, checkQualifiedName } from "./names.js";
import { checkRawExpression } from "./raw-text.js";
import type { CollectionPath, FieldPath, FilterFieldPath, FilterPathLiteralType, FilterPathType, FilterValue, IsCollection, LambdaMember, StringPath, ValidFilterPath, ValidOrderByPath } from "./types.js";
import type { EdmValue } from "./literals.js";
import { describe } from "../util/values.js";

// Binding strength, loosest first (OData v4 Part 2 §5.1.1.16 orders them the same way; equality
// and relational operators are treated as one level and never chained without parentheses).
const OR = 1;
const AND = 2;
const COMPARISON = 3;
const ADDITIVE = 4;
const MULTIPLICATIVE = 5;
const UNARY = 6;
const PRIMARY = 7;

// The syntax an expression's text depends on: v2's or v4's, or a piece of OData 4.01 that 4.0
// lacks (the `in` operator; `$this`, which 4.0's grammar does not have beside `$it`), named as a
// 4.0 or v2 query names it when it refuses the expression.
type Family = "v2" | "v4" | "the in operator" | "$this";

const EXPRESSION = Symbol("FilterExpression");

// The v2 string calls that `f.contains()` and its kin wrap as `call eq true`, by their wrapper.
const v2Calls = new WeakMap<FilterExpression, FilterExpression>();

/**
 * One expression of the OData expression language, such as `Price gt 10` or `tolower(Name)`.
 * Immutable; `toString()` gives its text. Made by the filter builder (or `f.raw` for text you trust).
 */
export class FilterExpression {
  readonly #text: string;
  readonly #precedence: number;
  readonly #family: Family | undefined;
  readonly [EXPRESSION] = true;

  /** @internal Made by the filter builder. */
  constructor(text: string, precedence: number, family: Family | undefined) {
    this.#text = text;
    this.#precedence = precedence;
    this.#family = family;
  }

  /** The expression text, as it goes into the URL (before percent-encoding). */
  toString(): string {
    return this.#text;
  }

  /** @internal How tightly the expression binds (for parenthesising). */
  get precedence(): number {
    return this.#precedence;
  }

  /** @internal The protocol family whose syntax the expression uses, if it depends on one. */
  get family(): Family | undefined {
    return this.#family;
  }
}

/** Never set: the member that carries, for the compiler alone, the path of a field expression. */
declare const fieldPath: unique symbol;

/**
 * What `f.field(path)` gives: an expression like any other, which carries its path `P` for the
 * compiler alone, so that the function form of `orderBy()` checks a bare field's path as its path
 * form checks one ({@link OrderByExpression}). Nothing of the path exists at run time.
 */
export interface FieldExpression<out P extends string = string> extends FilterExpression {
  /** Never set: the path, for the compiler alone. */
  readonly [fieldPath]?: P;
}

/**
 * What the function form of `orderBy()` of a query of `T` takes: any expression, a bare field
 * ({@link FieldExpression}) only where its path `Q` is one `$orderby` sorts by
 * ({@link ValidOrderByPath}: not a navigation, complex or collection-valued property).
 */
export type OrderByExpression<T, Q extends string, Root = T, This = Root> = FilterExpression & { readonly [fieldPath]?: Q & ValidOrderByPath<T, Q, Root, This> };

/** Whether `value` is a {@link FilterExpression}. */
export function isFilterExpression(value: unknown): value is FilterExpression {
  return typeof value === "object" && value !== null && (value as { [EXPRESSION]?: unknown })[EXPRESSION] === true;
}

/** A field of `T` (checked by the compiler, validated at run time) or an expression. */
export type Operand<T> = FieldPath<T> | FilterExpression;

/**
 * The path `P` given for a field of `T` (checked by the compiler for that string alone), or an
 * expression; `$it/...` names a path of `Root`, the outermost entity, and `$this/...` one of
 * `This`, the entity being filtered (the same but inside an expand's filter).
 */
export type PathOperand<T, P extends string, Root = T, This = Root> = (P & ValidFilterPath<T, P, Root, This>) | FilterExpression;

/** The path `P` of a string property of `T` (for the string functions), or an expression. */
export type StringOperand<T, P extends string, Root = T, This = Root> = (P & StringPath<T, P, Root, This>) | FilterExpression;

/**
 * What a comparison with the property at path `P` of `T` accepts: a value of its type, `null`, or
 * an expression. Where the type that declares the path's last property names it in its shape's
 * `literals` (an entity's own property, or one of a complex or related type below it), the type
 * named there stands for its type. Nothing for a collection-valued property: OData compares single
 * values only, and a service answers `reviews eq null` with an error (SAP CAP's is a 500).
 */
export type ComparisonValue<T, P extends string, Root = T, This = Root> = [P] extends [never]
  ? ValueOperand
  : FilterPathLiteralType<T, P, Root, This> extends infer V
    ? IsCollection<V> extends true
      ? never
      : FilterValue<V> | FilterExpression
    : never;

/** The text argument of a string function on the property at `P` of `T` (any value when its type is not known). */
export type StringValue<T, P extends string, Root = T, This = Root> = [P] extends [never]
  ? ValueOperand
  : unknown extends FilterPathType<T, P, Root, This>
    ? ValueOperand
    : string | EdmValue | FilterExpression;

/** A value that becomes a literal, or an expression. */
export type ValueOperand = LiteralValue | FilterExpression;

/** Options of `f.any` and `f.all`. */
export interface LambdaOptions {
  /**
   * The lambda variable's name; by default the first letter of the navigation property (with a
   * number added where an enclosing lambda's variable has it). A name an enclosing lambda's variable
   * has is refused with a `TypeError`: inside, the enclosing builder's paths would name this
   * lambda's member. `$it` and `$this` are not identifiers, and are refused so too.
   */
  as?: string | undefined;
}

type LambdaPredicate = (x: FilterBuilder<Record<string, unknown>>) => FilterExpression;

// The `any`/`all` calls running right now (their callbacks run synchronously), as the text that
// opens them (`books/any(b:`), so that a nested lambda never reuses an enclosing variable's name:
// inside it, the enclosing builder's `b/...` paths would name the inner lambda's member.
const activeLambdas: string[] = [];

/**
 * The filter builder for entities of type `T`, writing literals for one OData version. Get one as
 * the argument of `q.filter((f) => ...)`, or from {@link createFilterBuilder}.
 * @typeParam T - the type whose properties a path names: the entity filtered, or inside
 * `f.any`/`f.all` the type of the collection's members.
 * @typeParam Root - the outermost entity, whose properties `$it/...` names: `T` itself for the
 * builder of a query's own filter, and the entity of the query's collection or entity inside the
 * filter of an expanded navigation property too (OData URL Conventions 4.01 §5.1.3).
 * @typeParam This - the entity filtered, whose properties `$this/...` names: `Root`, but the
 * expanded entity inside an expand's filter.
 *
 * One builder type stands for another where it takes every path the other takes: a
 * `FilterBuilder<Book>` is not a `FilterBuilder<Author>`, nor a `FilterBuilder<Review, Author>` a
 * `FilterBuilder<Review, Book>`, while a builder of an entity type is one of a type it extends. A
 * predicate written as a function of its own is still one for `f.any("reviews", ...)` when it is
 * typed `FilterBuilder<Review>`: its `$it/...` paths are then checked against `Review` (write
 * `FilterBuilder<Review, Book>` for `Book`).
 * @example
 * q.filter((f) => f.and(f.eq("status", "open"), f.or(f.gt("total", 100), f.contains("customer/name", "O'Brien"))))
 */
export class FilterBuilder<T = Record<string, unknown>, out Root = T, out This = Root> {
  readonly #version: ODataVersion;
  readonly #variable: string | undefined;
  // Set, to the text that opens its lambda (`books/any(b:`), when the predicate this builder was
  // made for has returned: kept beyond it, the builder would write `b/...` where no lambda declares
  // `b`, or where an enclosing lambda's `b` is another collection's member.
  #ended: string | undefined;

  // The variance is written out where the compiler can check it. Unwritten, it is measured once
  // per program that relates two builder types (inferring an `f.any` predicate does) by comparing
  // two builders member by member, thousands of type instantiations, and the measure found that no
  // parameter matters (each method's own path parameter `P` takes whatever the other builder's
  // takes): a builder of any entity passed for one of any other. `Root` and `This` reach the path
  // methods only as the defaults of their own `R` and `H` (and `f.any`/`f.all` hand them on to
  // their predicate's builder), which lets the compiler verify `out`: it cannot follow them
  // through the conditional path types. `T` cannot be annotated: `f.any` and `f.all` give their
  // predicate a builder of `LambdaMember<T, P>`, which the compiler cannot relate for two `T`s; it
  // stays measured, and `entity` makes the measure come out covariant.

  /** Never set: the type of the entity the builder's paths belong to, for the compiler alone. */
  declare protected readonly entity?: T | undefined;

  /** @internal Use {@link createFilterBuilder}, or the builder that `filter()` passes in. */
  constructor(version: ODataVersion, variable?: string) {
    this.#version = version;
    this.#variable = variable;
  }

  /** The OData version whose literals this builder writes. */
  get version(): ODataVersion {
    return this.#version;
  }

  /**
   * Inside `f.any`/`f.all`: the lambda variable itself, for collections of primitive values
   * (`Tags/any(t:t eq 'new')` is `f.any("Tags", (t) => t.eq(t.self, "new"))`).
   */
  get self(): FilterExpression {
    const variable = this.#live("f.self");
    if (variable === undefined) {
      throw new ODataClientError("NOT_IN_LAMBDA", "f.self names a lambda variable and exists only inside f.any() or f.all()");
    }
    return this.#make(variable, PRIMARY);
  }

  // --- operands -------------------------------------------------------------------------------

  /**
   * A reference to a property path, for comparing one field with another: `f.gt("price", f.field("cost"))`.
   * The expression carries its path for the compiler ({@link FieldExpression}), whose `orderBy()` refuses one it cannot sort by.
   */
  field<P extends FilterFieldPath<T>, R = Root, H = This>(path: P & ValidFilterPath<T, P, R, H>): FieldExpression<P> {
    return this.#field(path, "f.field(path)");
  }

  /** A value written as a literal of the client's version: `f.literal("O'Brien")` is `'O''Brien'`. */
  literal(value: LiteralValue): FilterExpression {
    return this.#make(formatLiteral(value, this.#version, "f.literal(value)"), PRIMARY);
  }

  /**
   * Expression text taken as it is, for syntax the builder does not cover. Never put untrusted
   * input here: nothing in it is quoted. It must be one whole expression (string literals closed,
   * parentheses balanced outside them, no `;`), so that it stays one operand of what it is combined
   * with; anything else throws a `TypeError`.
   */
  raw(text: string): FilterExpression {
    if (typeof text !== "string" || text.trim() === "") throw new TypeError(`f.raw(text): expected non-empty text; got ${describe(text)}`);
    checkRawExpression(text, "f.raw(text)");
    checkWellFormed(text, "f.raw(text)");
    return new FilterExpression(text, OR, undefined);
  }

  // --- comparison -----------------------------------------------------------------------------

  /** `field eq value` (`value` may be `null`: `field eq null`). */
  eq<P extends FilterFieldPath<T>, R = Root, H = This>(field: PathOperand<T, P, R, H>, value: ComparisonValue<T, P, R, H>): FilterExpression {
    return this.#compare("eq", field, value);
  }

  /** `field ne value`. */
  ne<P extends FilterFieldPath<T>, R = Root, H = This>(field: PathOperand<T, P, R, H>, value: ComparisonValue<T, P, R, H>): FilterExpression {
    return this.#compare("ne", field, value);
  }

  /** `field gt value`. */
  gt<P extends FilterFieldPath<T>, R = Root, H = This>(field: PathOperand<T, P, R, H>, value: ComparisonValue<T, P, R, H>): FilterExpression {
    return this.#compare("gt", field, value);
  }

  /** `field ge value`. */
  ge<P extends FilterFieldPath<T>, R = Root, H = This>(field: PathOperand<T, P, R, H>, value: ComparisonValue<T, P, R, H>): FilterExpression {
    return this.#compare("ge", field, value);
  }

  /** `field lt value`. */
  lt<P extends FilterFieldPath<T>, R = Root, H = This>(field: PathOperand<T, P, R, H>, value: ComparisonValue<T, P, R, H>): FilterExpression {
    return this.#compare("lt", field, value);
  }

  /** `field le value`. */
  le<P extends FilterFieldPath<T>, R = Root, H = This>(field: PathOperand<T, P, R, H>, value: ComparisonValue<T, P, R, H>): FilterExpression {
    return this.#compare("le", field, value);
  }

  /**
   * `field in (a,b,c)` (OData 4.01, which added the operator); OData 4.0 and v2 have no `in`, so
   * there it is `(field eq a or field eq b ...)`, as it is in 4.01 where a value is an expression
   * (a field, a sum: the list of `in` holds literals only). An empty list matches nothing and is
   * written `false`. An expression holding the 4.01 `in` is refused by queries of 4.0 and v2.
   */
  in<P extends FilterFieldPath<T>, R = Root, H = This>(field: PathOperand<T, P, R, H>, values: readonly ComparisonValue<T, P, R, H>[]): FilterExpression {
    if (!Array.isArray(values)) throw new TypeError(`f.in(field, values): values must be an array; got ${describe(values)}`);
    const left = this.#operand(field, "f.in(field)");
    if (values.length === 0) return this.#make("false", PRIMARY);
    if (this.#version !== "4.01" || values.some(isFilterExpression)) {
      return this.or(...values.map((value) => this.#binary(left, "eq", this.#value(value, "f.in(values)"), COMPARISON, false)));
    }
    // OData 4.01 lists `in` and `has` among the tightest-binding operators, so any compound
    // operand is parenthesised.
    const items = values.map((value) => this.#wrap(this.#value(value, "f.in(values)"), PRIMARY));
    return new FilterExpression(`${this.#wrap(left, PRIMARY)} in (${items.join(",")})`, COMPARISON, "the in operator");
  }

  /**
   * `field has NS.Flags'Value'` for enumeration flags (OData v4). The right side of `has` is an
   * enumeration literal: an `edm.enumMember(type, members)` value, or an expression that is one
   * (`f.raw`, taken as it is).
   */
  has<P extends FilterFieldPath<T>, R = Root, H = This>(field: PathOperand<T, P, R, H>, value: (EdmValue & { readonly type: "Enum" }) | FilterExpression): FilterExpression {
    this.#onlyV4("f.has()", "the has operator");
    if (!isFilterExpression(value) && !(isEdmValue(value) && value.type === "Enum")) {
      throw new TypeError(`f.has(value): expected an enumeration member, edm.enumMember(type, members); got ${isEdmValue(value) ? `an ${value.type} value` : describe(value)}`);
    }
    const operand = this.#operand(field, "f.has(field)");
    const member = this.#value(value, "f.has(value)");
    return this.#make(`${this.#wrap(operand, PRIMARY)} has ${this.#wrap(member, PRIMARY)}`, COMPARISON, operand, member);
  }

  // --- string matching ------------------------------------------------------------------------

  /** Whether the text contains `value`: v4 `contains(field,'x')`, v2 `substringof('x',field) eq true`. */
  contains<P extends FilterFieldPath<T>, R = Root, H = This>(field: StringOperand<T, P, R, H>, value: StringValue<T, P, R, H>): FilterExpression {
    const target = this.#operand(field, "f.contains(field)");
    const text = this.#value(value, "f.contains(value)");
    if (isV2(this.#version)) return this.#isTrue(this.#call("substringof", [text, target]));
    return this.#call("contains", [target, text]);
  }

  /** Whether the text starts with `value`: `startswith(field,'x')` (v2 adds `eq true`, as its conventions write it). */
  startsWith<P extends FilterFieldPath<T>, R = Root, H = This>(field: StringOperand<T, P, R, H>, value: StringValue<T, P, R, H>): FilterExpression {
    const call = this.#textCall("startsWith", field, value);
    return isV2(this.#version) ? this.#isTrue(call) : call;
  }

  /** Whether the text ends with `value`: `endswith(field,'x')` (v2 adds `eq true`). */
  endsWith<P extends FilterFieldPath<T>, R = Root, H = This>(field: StringOperand<T, P, R, H>, value: StringValue<T, P, R, H>): FilterExpression {
    const call = this.#textCall("endsWith", field, value);
    return isV2(this.#version) ? this.#isTrue(call) : call;
  }

  // --- logic ----------------------------------------------------------------------------------

  /** All of the expressions (`true` when given none). */
  and(...expressions: FilterExpression[]): FilterExpression {
    return this.#junction("and", AND, "true", expressions);
  }

  /** Any of the expressions (`false` when given none). */
  or(...expressions: FilterExpression[]): FilterExpression {
    return this.#junction("or", OR, "false", expressions);
  }

  /** `not expr`. */
  not(expression: FilterExpression): FilterExpression {
    const operand = this.#expression(expression, "f.not(expression)");
    return this.#make(`not ${this.#wrap(operand, PRIMARY)}`, UNARY, operand);
  }

  /**
   * Whether any member of a collection matches: `Tags/any(t:t/Name eq 'x')`. Inside the callback,
   * the builder it receives prefixes field paths with the lambda variable, and takes `$it/...` and
   * `$this/...` paths of the outermost entity and the entity being filtered (the `Root` and `This`
   * of this builder); the outer builder still refers to that entity. Without a predicate: whether
   * the collection is non-empty. OData v4 only (lambda operators came after v2). The callback's
   * builder serves that call alone: a path or `self` of it taken after the callback returned throws
   * a `TypeError` naming the variable, which no lambda declares there.
   */
  any<P extends FieldPath<T>>(
    path: P & CollectionPath<T, P>,
    predicate?: (x: FilterBuilder<LambdaMember<T, P>, Root, This>) => FilterExpression,
    options?: LambdaOptions,
  ): FilterExpression;
  /**
   * `f.any` with a predicate written for another outermost entity (`R`) and entity filtered (`H`),
   * such as a function of a `FilterBuilder<Review>`, whose `$it/...` paths are checked against them.
   */
  any<P extends FieldPath<T>, R = Root, H = This>(
    path: P & CollectionPath<T, P>,
    predicate: (x: FilterBuilder<LambdaMember<T, P>, R, H>) => FilterExpression,
    options?: LambdaOptions,
  ): FilterExpression;
  any(path: unknown, predicate?: (x: never) => FilterExpression, options?: LambdaOptions): FilterExpression {
    return this.#lambda("any", path, predicate as unknown as LambdaPredicate | undefined, options);
  }

  /** Whether every member of a collection matches: `Items/all(i:i/Qty gt 0)`. OData v4 only. */
  all<P extends FieldPath<T>>(
    path: P & CollectionPath<T, P>,
    predicate: (x: FilterBuilder<LambdaMember<T, P>, Root, This>) => FilterExpression,
    options?: LambdaOptions,
  ): FilterExpression;
  /** `f.all` with a predicate written for another outermost entity (`R`) and entity filtered (`H`). */
  all<P extends FieldPath<T>, R = Root, H = This>(
    path: P & CollectionPath<T, P>,
    predicate: (x: FilterBuilder<LambdaMember<T, P>, R, H>) => FilterExpression,
    options?: LambdaOptions,
  ): FilterExpression;
  all(path: unknown, predicate: (x: never) => FilterExpression, options?: LambdaOptions): FilterExpression {
    if (typeof predicate !== "function") throw new TypeError("f.all(path, predicate): a predicate function is required");
    return this.#lambda("all", path, predicate as unknown as LambdaPredicate, options);
  }

  // --- arithmetic -----------------------------------------------------------------------------

  /** `a add b`. */
  add<P extends FilterFieldPath<T>, R = Root, H = This>(left: PathOperand<T, P, R, H>, right: ValueOperand): FilterExpression {
    return this.#arithmetic("add", left, right, ADDITIVE);
  }

  /** `a sub b`. */
  sub<P extends FilterFieldPath<T>, R = Root, H = This>(left: PathOperand<T, P, R, H>, right: ValueOperand): FilterExpression {
    return this.#arithmetic("sub", left, right, ADDITIVE);
  }

  /** `a mul b`. */
  mul<P extends FilterFieldPath<T>, R = Root, H = This>(left: PathOperand<T, P, R, H>, right: ValueOperand): FilterExpression {
    return this.#arithmetic("mul", left, right, MULTIPLICATIVE);
  }

  /** `a div b`. */
  div<P extends FilterFieldPath<T>, R = Root, H = This>(left: PathOperand<T, P, R, H>, right: ValueOperand): FilterExpression {
    return this.#arithmetic("div", left, right, MULTIPLICATIVE);
  }

  /** `a mod b`. */
  mod<P extends FilterFieldPath<T>, R = Root, H = This>(left: PathOperand<T, P, R, H>, right: ValueOperand): FilterExpression {
    return this.#arithmetic("mod", left, right, MULTIPLICATIVE);
  }

  // --- string functions -----------------------------------------------------------------------

  /** `tolower(field)`. */
  tolower<P extends FilterFieldPath<T>, R = Root, H = This>(field: StringOperand<T, P, R, H>): FilterExpression {
    return this.#unary("tolower", field);
  }

  /** `toupper(field)`. */
  toupper<P extends FilterFieldPath<T>, R = Root, H = This>(field: StringOperand<T, P, R, H>): FilterExpression {
    return this.#unary("toupper", field);
  }

  /** `trim(field)`. */
  trim<P extends FilterFieldPath<T>, R = Root, H = This>(field: StringOperand<T, P, R, H>): FilterExpression {
    return this.#unary("trim", field);
  }

  /** `length(field)`. */
  length<P extends FilterFieldPath<T>, R = Root, H = This>(field: StringOperand<T, P, R, H>): FilterExpression {
    return this.#unary("length", field);
  }

  /** `indexof(field,'x')` (zero-based; -1 when absent). */
  indexof<P extends FilterFieldPath<T>, R = Root, H = This>(field: StringOperand<T, P, R, H>, value: StringValue<T, P, R, H>): FilterExpression {
    return this.#textCall("indexof", field, value);
  }

  /** `substring(field,start)` or `substring(field,start,length)`. */
  substring<P extends FilterFieldPath<T>, R = Root, H = This>(field: StringOperand<T, P, R, H>, start: number | FilterExpression, length?: number | FilterExpression): FilterExpression {
    const args = [this.#operand(field, "f.substring(field)"), this.#position(start, "f.substring(start)")];
    if (length !== undefined) args.push(this.#position(length, "f.substring(length)"));
    return this.#call("substring", args);
  }

  /** `concat(field,value)`; use `f.field()` to concatenate two fields. */
  concat<P extends FilterFieldPath<T>, R = Root, H = This>(field: StringOperand<T, P, R, H>, value: StringValue<T, P, R, H>): FilterExpression {
    return this.#textCall("concat", field, value);
  }

  // --- date and time functions ----------------------------------------------------------------

  /** `year(field)`. */
  year<P extends FilterFieldPath<T>, R = Root, H = This>(field: PathOperand<T, P, R, H>): FilterExpression {
    return this.#unary("year", field);
  }

  /** `month(field)`. */
  month<P extends FilterFieldPath<T>, R = Root, H = This>(field: PathOperand<T, P, R, H>): FilterExpression {
    return this.#unary("month", field);
  }

  /** `day(field)`. */
  day<P extends FilterFieldPath<T>, R = Root, H = This>(field: PathOperand<T, P, R, H>): FilterExpression {
    return this.#unary("day", field);
  }

  /** `hour(field)`. */
  hour<P extends FilterFieldPath<T>, R = Root, H = This>(field: PathOperand<T, P, R, H>): FilterExpression {
    return this.#unary("hour", field);
  }

  /** `minute(field)`. */
  minute<P extends FilterFieldPath<T>, R = Root, H = This>(field: PathOperand<T, P, R, H>): FilterExpression {
    return this.#unary("minute", field);
  }

  /** `second(field)`. */
  second<P extends FilterFieldPath<T>, R = Root, H = This>(field: PathOperand<T, P, R, H>): FilterExpression {
    return this.#unary("second", field);
  }

  /** `date(field)`: the date part of a DateTimeOffset (OData v4). */
  date<P extends FilterFieldPath<T>, R = Root, H = This>(field: PathOperand<T, P, R, H>): FilterExpression {
    this.#onlyV4("f.date()", "the date() function");
    return this.#unary("date", field);
  }

  /** `time(field)`: the time-of-day part of a DateTimeOffset (OData v4). */
  time<P extends FilterFieldPath<T>, R = Root, H = This>(field: PathOperand<T, P, R, H>): FilterExpression {
    this.#onlyV4("f.time()", "the time() function");
    return this.#unary("time", field);
  }

  /** `now()`: the service's current point in time (OData v4). */
  now(): FilterExpression {
    this.#onlyV4("f.now()", "the now() function");
    return this.#call("now", []);
  }

  // --- arithmetic functions -------------------------------------------------------------------

  /** `round(field)`. */
  round<P extends FilterFieldPath<T>, R = Root, H = This>(field: PathOperand<T, P, R, H>): FilterExpression {
    return this.#unary("round", field);
  }

  /** `floor(field)`. */
  floor<P extends FilterFieldPath<T>, R = Root, H = This>(field: PathOperand<T, P, R, H>): FilterExpression {
    return this.#unary("floor", field);
  }

  /** `ceiling(field)`. */
  ceiling<P extends FilterFieldPath<T>, R = Root, H = This>(field: PathOperand<T, P, R, H>): FilterExpression {
    return this.#unary("ceiling", field);
  }

  // --- types ----------------------------------------------------------------------------------

  /**
   * `isof(Type)` (the entity itself) or `isof(field,Type)`. v2 writes the type name quoted:
   * `isof(field,'NS.Type')`.
   */
  isof(typeOrField: string | Operand<T>, type?: string): FilterExpression {
    return this.#typeFunction("isof", typeOrField, type);
  }

  /** `cast(Type)` or `cast(field,Type)`, such as `cast(Price,Edm.Int64)` (v2 quotes the type name). */
  cast(typeOrField: string | Operand<T>, type?: string): FilterExpression {
    return this.#typeFunction("cast", typeOrField, type);
  }

  // --- internals ------------------------------------------------------------------------------

  get #family(): Family {
    return isV2(this.#version) ? "v2" : "v4";
  }

  /**
   * An expression of this builder's family, or of the 4.01 syntax that one of the `parts` it is
   * made of uses: a part is of this builder's family, raw text (no family), or of 4.01 syntax, since
   * one of the other family was refused on its way in.
   */
  #make(text: string, precedence: number, ...parts: FilterExpression[]): FilterExpression {
    return new FilterExpression(text, precedence, parts.find((part) => part.family !== undefined && part.family !== this.#family)?.family ?? this.#family);
  }

  #onlyV4(method: string, what: string): void {
    requireV4(this.#version, method, what);
  }

  /**
   * A property path (`$count` as its last segment unless `count` is false), below the lambda
   * variable inside a lambda; `$it/...` names the outermost entity (the query's, inside an
   * expand's filter too) and `$this/...` the entity filtered, inside a lambda too; `$it` or `$this`
   * alone is the instance itself, as a primitive of a collection of primitives is (OData 4.0 has
   * `$it eq 'x'`). The three are OData v4's, and `$this` is 4.01's alone: its expression says so, and a 4.0
   * query (or builder it is combined in) refuses it as it refuses a 4.01 `in`.
   */
  #field(path: unknown, where: string, count = true): FilterExpression {
    const variable = this.#live(where);
    const checked = checkPath(path, where, { count, variables: true });
    if (checked.includes("$")) this.#onlyV4(where, `the path ${checked}`);
    const text = variable === undefined || checked.startsWith("$") ? checked : `${variable}/${checked}`;
    return new FilterExpression(text, PRIMARY, `${checked}/`.startsWith("$this/") ? "$this" : this.#family);
  }

  /** The lambda variable (undefined outside a lambda); a `TypeError` naming `where` once the lambda's predicate has returned. */
  #live(where: string): string | undefined {
    if (this.#ended) throw new TypeError(`${where}: ${this.#variable} is the variable of the lambda ${this.#ended}...), whose predicate has returned`);
    return this.#variable;
  }

  #expression(value: unknown, where: string): FilterExpression {
    return checkVersion(builderExpression(value, where), this.#version, where, "this builder writes");
  }

  #operand(value: unknown, where: string): FilterExpression {
    return isFilterExpression(value) ? this.#expression(value, where) : this.#field(value, where);
  }

  /** A position or length in a string: a whole number from 0, or an expression. */
  #position(value: unknown, where: string): FilterExpression {
    if (!isFilterExpression(value) && !(Number.isSafeInteger(value) && (value as number) >= 0) && !(typeof value === "bigint" && value >= 0n)) {
      throw new RangeError(`${where}: expected an integer >= 0 or an expression; got ${describe(value)}`);
    }
    return this.#value(value, where);
  }

  /** `value` as an operand: an expression as it is, anything else as a literal (an error naming `where` when it cannot be one). */
  #value(value: unknown, where: string): FilterExpression {
    return isFilterExpression(value) ? this.#expression(value, where) : this.#make(formatLiteral(value, this.#version, where), PRIMARY);
  }

  #wrap(expression: FilterExpression, minimum: number): string {
    const text = String(expression);
    return expression.precedence < minimum ? `(${text})` : text;
  }

  #binary(left: FilterExpression, operator: string, right: FilterExpression, precedence: number, chainable: boolean): FilterExpression {
    // Left-associative operators may repeat on the left (`a sub b sub c`); anything else of the
    // same strength is parenthesised (`a sub (b sub c)`, `(a eq b) eq true`).
    const leftText = this.#wrap(left, chainable && precedence !== COMPARISON ? precedence : precedence + 1);
    const rightText = this.#wrap(right, precedence + 1);
    return this.#make(`${leftText} ${operator} ${rightText}`, precedence, left, right);
  }

  #compare(operator: string, field: unknown, value: unknown): FilterExpression {
    const left = this.#operand(field, `f.${operator}(field)`);
    // v2's `substringof(...) eq true` compared with a boolean compares the call itself: SAP CAP's
    // v2 adapter refuses `(... eq true) eq false`.
    const call = typeof value === "boolean" && v2Calls.get(left);
    return this.#binary(call || left, operator, this.#value(value, `f.${operator}(value)`), COMPARISON, false);
  }

  #arithmetic(operator: string, left: unknown, right: unknown, precedence: number): FilterExpression {
    return this.#binary(this.#operand(left, `f.${operator}(left)`), operator, this.#value(right, `f.${operator}(right)`), precedence, true);
  }

  #isTrue(call: FilterExpression): FilterExpression {
    const wrapped = this.#make(`${String(call)} eq true`, COMPARISON, call);
    v2Calls.set(wrapped, call);
    return wrapped;
  }

  #call(name: string, args: FilterExpression[]): FilterExpression {
    // Function arguments are delimited by the parentheses and commas, so need no wrapping.
    return this.#make(`${name}(${args.map(String).join(",")})`, PRIMARY, ...args);
  }

  /** `name(field)`, its errors naming `f.<name>(field)`. */
  #unary(name: string, field: unknown): FilterExpression {
    return this.#call(name, [this.#operand(field, `f.${name}(field)`)]);
  }

  /** `method(field,value)` in lower case (`startswith(Name,'x')`), its errors naming `f.<method>(field)` and `f.<method>(value)`. */
  #textCall(method: string, field: unknown, value: unknown): FilterExpression {
    return this.#call(method.toLowerCase(), [this.#operand(field, `f.${method}(field)`), this.#value(value, `f.${method}(value)`)]);
  }

  #junction(operator: string, precedence: number, empty: string, expressions: FilterExpression[]): FilterExpression {
    const checked = expressions.map((expression, index) => this.#expression(expression, `f.${operator}(#${index + 1})`));
    if (checked.length === 0) return this.#make(empty, PRIMARY);
    if (checked.length === 1) return checked[0] as FilterExpression;
    return this.#make(checked.map((expression) => this.#wrap(expression, precedence)).join(` ${operator} `), precedence, ...checked);
  }

  #lambda(
    operator: "any" | "all",
    path: unknown,
    predicate: LambdaPredicate | undefined,
    options: LambdaOptions | undefined,
  ): FilterExpression {
    this.#onlyV4(`f.${operator}()`, `the ${operator} lambda operator`);
    // A lambda ranges over the members of a collection; `Orders/$count` is a number, and `$it` or
    // `$this` alone is the one value filtered.
    if (path === "$it" || path === "$this") throw new TypeError(`f.${operator}(path): ${path} alone is the value filtered, not a collection`);
    const collection = this.#field(path, `f.${operator}(path)`, false);
    if (predicate === undefined) return this.#make(`${String(collection)}/${operator}()`, PRIMARY, collection);
    if (typeof predicate !== "function") throw new TypeError(`f.${operator}(path, predicate): predicate must be a function`);
    const where = `f.${operator}({ as })`;
    const variable = options?.as === undefined ? this.#freshVariable(String(path)) : checkIdentifier(options.as, where);
    const lambda = `${String(collection)}/${operator}(${variable}:`;
    const enclosing = activeLambdas.find((active) => active.endsWith(`(${variable}:`));
    if (enclosing) throw new TypeError(`${where}: ${variable} is the variable of the enclosing lambda ${enclosing}...)`);
    activeLambdas.push(lambda);
    const builder = new FilterBuilder(this.#version, variable);
    let body: FilterExpression;
    try {
      body = this.#expression(predicate(builder), `f.${operator}(path, predicate) result`);
    } finally {
      activeLambdas.pop();
      builder.#ended = lambda;
    }
    return this.#make(`${lambda}${String(body)})`, PRIMARY, collection, body);
  }

  #freshVariable(path: string): string {
    const last = path.split("/").pop() ?? "";
    const initial = /^[A-Za-z]/.test(last) ? last.charAt(0).toLowerCase() : "x";
    let name = initial;
    for (let n = 1; activeLambdas.some((active) => active.endsWith(`(${name}:`)) || name === this.#variable; n++) name = `${initial}${n}`;
    return name;
  }

  #typeFunction(name: "isof" | "cast", typeOrField: unknown, type: string | undefined): FilterExpression {
    const where = `f.${name}()`;
    const quote = (typeName: string): string => (isV2(this.#version) ? `'${typeName}'` : typeName);
    if (type === undefined) {
      return this.#make(`${name}(${quote(checkQualifiedName(typeOrField, `${where} type`))})`, PRIMARY);
    }
    const target = this.#operand(typeOrField, `${where} field`);
    return this.#make(`${name}(${String(target)},${quote(checkQualifiedName(type, `${where} type`))})`, PRIMARY, target);
  }
}

/**
 * A filter builder writing literals for `version` (default `"4.0"`), for building expressions
 * outside a query. An expression whose syntax depends on the version can only be used in queries
 * of the same version family (v2 or v4), and one holding the `in` that a 4.01 builder writes, or a
 * `$this/...` path, only in 4.01 queries (a 4.0 or v2 query refuses it with `VERSION_MISMATCH`:
 * their services have neither).
 */
export function createFilterBuilder<T = Record<string, unknown>>(version: ODataVersion = "4.0"): FilterBuilder<T> {
  return new FilterBuilder<T>(version);
}

/**
 * `value` if it is an expression; text and anything else throw a `TypeError` naming `where`. What
 * a builder's function returns goes through here: raw text has its own ways in, `f.raw()` and
 * `filter("...")`, which check it.
 * @internal
 */
export function builderExpression(value: unknown, where: string): FilterExpression {
  if (!isFilterExpression(value)) {
    throw new TypeError(`${where}: expected an expression made by the filter builder; got ${describe(value)} (wrap hand-written text in f.raw())`);
  }
  return value;
}

/**
 * Checks that an expression suits a query of `version` and returns its text; raw text is
 * returned as it is.
 * @internal
 */
export function expressionText(expression: FilterExpression | string, version: ODataVersion, where: string): string {
  if (typeof expression === "string") {
    if (expression.trim() === "") throw new TypeError(`${where}: the expression is empty`);
    return expression;
  }
  if (!isFilterExpression(expression)) {
    throw new TypeError(`${where}: expected a string, an expression or a function (f) => expression; got ${describe(expression)}`);
  }
  return String(checkVersion(expression, version, where, "the client speaks"));
}

/**
 * `expression`, checked to be one that OData `version` reads: one of its family (v2 or v4), and
 * no 4.01 `in` or `$this` for a 4.0 or v2 service (OData 4.0 services, Olingo 4 and Business
 * Central among them, refuse them; a 4.0 builder writes `f.in` as `eq` terms joined by `or`).
 */
function checkVersion(expression: FilterExpression, version: ODataVersion, where: string, writer: string): FilterExpression {
  const family = expression.family;
  const newer = family !== undefined && family !== "v2" && family !== "v4";
  if (newer ? version !== "4.01" : family !== undefined && family !== (isV2(version) ? "v2" : "v4")) {
    throw new ODataClientError(
      "VERSION_MISMATCH",
      `${where}: ${describe(String(expression))} ${newer ? `uses ${family} of OData 4.01` : `was built for OData ${family}`}, but ${writer} OData ${version}`,
    );
  }
  return expression;
}

/**
 * Throws `UNSUPPORTED_BY_VERSION` naming `where` when OData `version` is v2, which does not have
 * `what` (an option, a function, a path) of OData v4.
 * @internal
 */
export function requireV4(version: ODataVersion, where: string, what: string): void {
  if (isV2(version)) {
    throw new ODataClientError("UNSUPPORTED_BY_VERSION", `${where}: ${what} does not exist in OData ${version}; it needs OData v4`);
  }
}
