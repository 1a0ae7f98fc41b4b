/**
 * Checking the names that go into a URL unquoted: property paths, navigation paths, qualified type
 * names and lambda variables. Anything that is not a plain OData identifier (letters, digits, `_`)
 * is refused, so a "field" can never smuggle an operator or a second expression into a query.
 */
import { describe } from "../util/values.js";
import { isIdentifier, isQualifiedName } from "../util/identifiers.js";

/** What may appear in a path besides identifiers. */
export interface PathRules {
  /** `*` (and `Namespace.*`) as the last segment, as in `$select`. */
  star?: boolean;
  /** `$count` as the last segment, as in `Orders/$count gt 2` (or `$expand=Orders/$count`). */
  count?: boolean;
  /** `$ref` as the last segment, as in `$expand=Orders/$ref`. */
  ref?: boolean;
  /**
   * `$it` or `$this` as the first segment, naming the instance filtered or ordered (alone, a
   * primitive of a collection of primitives, as in `Tags?$filter=$it eq 'x'`): expressions only
   * (`$filter`, `$orderby`), never `$select` or `$expand`.
   */
  variables?: boolean;
  /**
   * The call that takes the path (`select`, `expand` or `orderBy`), for the hint of a path written
   * in OData's own query syntax (`"ID,Name"`, `"Price desc"`), where the call wants another form.
   */
  call?: "select" | "expand" | "orderBy";
}

/**
 * Checks a property or navigation path (`Name`, `author/name`, `Items/NS.Special/Code`) and returns
 * it unchanged; throws a `TypeError` that names `where` otherwise.
 */
export function checkPath(path: unknown, where: string, rules: PathRules = {}): string {
  if (typeof path !== "string" || path.length === 0) {
    throw new TypeError(`${where}: a property path must be a non-empty string; got ${describe(path)}`);
  }
  const segments = path.split("/");
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (isIdentifier(segment) || isQualifiedName(segment)) return;
    if (index === 0 && rules.variables && (segment === "$it" || segment === "$this")) return;
    if (last && index > 0 && ((rules.count && segment === "$count") || (rules.ref && segment === "$ref"))) return;
    if (last && rules.star && (segment === "*" || (segment.endsWith(".*") && isQualifiedName(`${segment.slice(0, -2)}.x`)))) return;
    throw new TypeError(
      `${where}: ${describe(path)} is not an OData property path (identifiers made of letters, digits and "_", separated by "/")${pathHint(path, rules.call)}`,
    );
  });
  return path;
}

/**
 * How a path written in OData's own query syntax (as the command line's options take it) is given
 * to `call`: `orderBy("Price desc")` as `orderBy("Price", "desc")`, `select("ID,Name")` as
 * `select("ID", "Name")`, `expand("A,B")` as `expand("A").expand("B")`. Short, and only for the
 * error: the query layer is at a walk's start.
 */
function pathHint(path: string, call: PathRules["call"]): string {
  const direction = / (asc|desc)$/i.exec(path)?.[1];
  if (direction) return call === "orderBy" ? `; the direction is the second argument: orderBy(path, "${direction.toLowerCase()}")` : "";
  if (!path.includes(",")) return "";
  return call === "select" ? '; a path per argument: select("ID", "Name")' : call === "expand" ? '; a path per call: expand("A").expand("B")' : "";
}

/** Checks a namespace-qualified type name (`Edm.Int64`, `NS.Employee`); throws a `TypeError` naming `where`. */
export function checkQualifiedName(name: unknown, where: string): string {
  if (typeof name !== "string" || !isQualifiedName(name)) {
    throw new TypeError(`${where}: ${describe(name)} is not a qualified type name such as "Edm.String" or "Namespace.Type"`);
  }
  return name;
}

/** Checks a simple identifier; throws a `TypeError` naming `where`. */
export function checkIdentifier(name: unknown, where: string): string {
  if (typeof name !== "string" || !isIdentifier(name)) {
    throw new TypeError(`${where}: ${describe(name)} is not an OData identifier (letters, digits and "_", not starting with a digit)`);
  }
  return name;
}
