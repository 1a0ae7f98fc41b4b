/**
 * Which TypeScript type stands for a primitive EDM type: what the client's reader hands back for
 * it, per OData version. v2 JSON sends `Edm.Int64` and `Edm.Decimal` as strings; v4 JSON sends
 * them as numbers unless the service answers in the `IEEE754Compatible=true` form. v4 `Edm.Double`
 * and `Edm.Single` are numbers, or the strings `"NaN"`, `"INF"` and `"-INF"`, which JSON has no
 * number for (OData JSON Format §7.1) and the reader passes on as sent; so is a v4 `Edm.Decimal`
 * of `Scale="floating"` (CSDL 4.01 §7.2.4; JSON Format 4.01 §7.1), unless it is a string in the
 * `IEEE754Compatible=true` form anyway. v2 ones are numbers or
 * strings: services that follow the v2 JSON format send numbers, SAP CAP's v2 adapter and SAP
 * Gateway send strings (`"0.1"`), and the v2 JSON reader passes either on as sent (the Atom reader
 * gives numbers). Dates, times, durations, GUIDs and binary values are
 * strings (v2 `Edm.DateTime` as the ISO 8601 text the reader turns `/Date(...)/` into). Geography and geometry values are GeoJSON objects. Streams have no
 * type: they are not in the entity's JSON and are reached with `media()`.
 */

import type { TypeFacets } from "../metadata/model.js";

/** What decides the mapping besides the type's name. */
export interface MappingOptions {
  /** The service speaks OData v2 (or v1, v3). */
  v2: boolean;
  /** v4 `Edm.Int64` and `Edm.Decimal` arrive as strings. */
  ieee754Compatible: boolean;
  /**
   * Set once a v4 `Edm.Int64` or `Edm.Decimal` has been mapped: the types then depend on
   * `ieee754Compatible`, and the generated factory checks the client's option against it.
   */
  usesIeee754?: boolean;
}

const STRINGS = new Set([
  "Edm.String", "Edm.Guid", "Edm.Date", "Edm.DateTimeOffset", "Edm.TimeOfDay", "Edm.Duration", "Edm.Binary",
  // CSDL 1.0 to 3.0.
  "Edm.DateTime", "Edm.Time",
]);
const NUMBERS = new Set(["Edm.Byte", "Edm.SByte", "Edm.Int16", "Edm.Int32", "Edm.Float"]);
/** The floating-point types, which services send as numbers or as strings (see above). */
export const FLOATS = new Set(["Edm.Single", "Edm.Double"]);
/** What the v4 JSON reader gives for an Edm.Double or Edm.Single. */
const V4_FLOAT = 'number | "NaN" | "INF" | "-INF"';

/** The GeoJSON object kinds, by the EDM type suffix after `Edm.Geography` or `Edm.Geometry`. */
export const GEO_KINDS = ["Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon", "Collection"] as const;

/** One GeoJSON kind, or `""` for the abstract `Edm.Geography` / `Edm.Geometry`. */
export type GeoKind = (typeof GEO_KINDS)[number] | "";

/** The result of mapping one EDM primitive type. */
export type Mapped =
  | { kind: "ts"; text: string }
  | { kind: "geo"; geo: GeoKind }
  | { kind: "stream" };

/**
 * Maps a primitive EDM type name (`Edm.*`); `undefined` when the name is not one. `scale` is the
 * Scale facet of the property, parameter, return type or type definition (an `Edm.Decimal`'s).
 */
export function mapPrimitive(type: string, options: MappingOptions, scale?: TypeFacets["scale"]): Mapped | undefined {
  if (STRINGS.has(type)) return { kind: "ts", text: "string" };
  if (NUMBERS.has(type)) return { kind: "ts", text: "number" };
  if (FLOATS.has(type)) return { kind: "ts", text: options.v2 ? "number | string" : V4_FLOAT };
  if (type === "Edm.Boolean") return { kind: "ts", text: "boolean" };
  if (type === "Edm.Int64" || type === "Edm.Decimal") {
    if (!options.v2) options.usesIeee754 = true;
    if (options.v2 || options.ieee754Compatible) return { kind: "ts", text: "string" };
    return { kind: "ts", text: isFloatingDecimal(type, options, scale) ? V4_FLOAT : "number" };
  }
  if (type === "Edm.Stream") return { kind: "stream" };
  const geo = /^Edm\.Geo(?:graphy|metry)(.*)$/.exec(type);
  if (geo) {
    const kind = geo[1] as GeoKind;
    if (kind === "" || (GEO_KINDS as readonly string[]).includes(kind)) return { kind: "geo", geo: kind };
  }
  // Edm.Untyped, Edm.PrimitiveType, Edm.AnnotationPath and the like: nothing narrower is known.
  if (type.startsWith("Edm.")) return { kind: "ts", text: "unknown" };
  return undefined;
}

/**
 * Whether `type` with Scale facet `scale` is a v4 `Edm.Decimal` of floating scale that
 * {@link mapPrimitive} types as a Double (its numbers, `"NaN"`, `"INF"`, `"-INF"`): not where the
 * service is v2 or `ieee754Compatible`, where a decimal is a string.
 */
export function isFloatingDecimal(type: string, options: MappingOptions, scale?: TypeFacets["scale"]): boolean {
  return type === "Edm.Decimal" && scale === "floating" && !options.v2 && !options.ieee754Compatible;
}

/** The GeoJSON declarations a generated file needs, given the names the generator gave them. */
export function geoDeclarations(names: Readonly<Record<GeoKind | "Position", string>>): string[] {
  const n = names;
  const crs = "  /** The coordinate reference system, when the service names one. */\n  crs?: { type: string; properties: Record<string, unknown> };";
  const shape = (kind: string, type: string, coordinates: string) =>
    `/** A GeoJSON ${type}: Edm.Geography${kind} and Edm.Geometry${kind} values. */\nexport interface ${n[kind as GeoKind]} {\n  type: "${type}";\n  coordinates: ${coordinates};\n${crs}\n}`;
  return [
    `/** A GeoJSON position: longitude, latitude (or x, y), and optionally altitude. */\nexport type ${n.Position} = number[];`,
    shape("Point", "Point", n.Position),
    shape("LineString", "LineString", `${n.Position}[]`),
    shape("Polygon", "Polygon", `${n.Position}[][]`),
    shape("MultiPoint", "MultiPoint", `${n.Position}[]`),
    shape("MultiLineString", "MultiLineString", `${n.Position}[][]`),
    shape("MultiPolygon", "MultiPolygon", `${n.Position}[][][]`),
    `/** A GeoJSON GeometryCollection: Edm.GeographyCollection and Edm.GeometryCollection values. */\nexport interface ${n.Collection} {\n  type: "GeometryCollection";\n  geometries: ${n[""]}[];\n${crs}\n}`,
    `/** Any GeoJSON geometry: Edm.Geography and Edm.Geometry values. */\nexport type ${n[""]} = ${GEO_KINDS.map((kind) => n[kind]).join(" | ")};`,
  ];
}
