/**
 * The demo service's product catalogue: entities computed from their ID alone, so that a collection
 * of a million products costs no memory. Each function is pure and cheap; the service serialises
 * products straight to JSON or CSV text without building objects first.
 */
import type { EntityShape, PropertyType } from "./filter.js";

/** One product as the service sends it. */
export interface Product {
  ID: number;
  Name: string;
  Category: string;
  Price: number;
  Stock: number;
  ReleaseDate: string;
}

/** The property names of `Product`, in the order the service writes them. */
export const PRODUCT_PROPERTIES: readonly (keyof Product)[] = ["ID", "Name", "Category", "Price", "Stock", "ReleaseDate"];

/** The entity type `Demo.Product` as `$filter` and `$orderby` read it (its types as `$metadata` declares them). */
export const PRODUCT_SHAPE: EntityShape = {
  type: "Product",
  properties: { ID: "Edm.Int32", Name: "Edm.String", Category: "Edm.String", Price: "Edm.Decimal", Stock: "Edm.Int32", ReleaseDate: "Edm.Date" } satisfies Record<keyof Product, PropertyType>,
};

const CATEGORIES = ["Books", "Garden", "Kitchen", "Music", "Outdoor", "Tools", "Toys", "Games"] as const;

// Ten years of release dates, formatted once: toISOString per entity would dominate the cost.
const RELEASE_DATES: readonly string[] = Array.from({ length: 3650 }, (_, day) =>
  new Date(Date.UTC(2015, 0, 1) + day * 86_400_000).toISOString().slice(0, 10),
);

function category(id: number): string {
  return CATEGORIES[id % CATEGORIES.length] as string;
}

/** A price between 1.00 and 1000.99, spread by a multiplicative hash of the ID. */
function price(id: number): string {
  const cents = 100 + ((id * 7919) % 100_000);
  return (cents / 100).toFixed(2);
}

function stock(id: number): number {
  return (id * 31) % 500;
}

function releaseDate(id: number): string {
  return RELEASE_DATES[id % RELEASE_DATES.length] as string;
}

/** The product with this ID (IDs run from 1 to the collection size). */
export function productAt(id: number): Product {
  return { ID: id, Name: `Product ${id}`, Category: category(id), Price: Number(price(id)), Stock: stock(id), ReleaseDate: releaseDate(id) };
}

/** The product with this ID as compact JSON, written without `JSON.stringify` (names need no escaping). */
export function productJson(id: number): string {
  return `{"ID":${id},"Name":"Product ${id}","Category":"${category(id)}","Price":${price(id)},"Stock":${stock(id)},"ReleaseDate":"${releaseDate(id)}"}`;
}

/** The product with only the `select`ed properties, as JSON. */
export function productJsonSelected(id: number, select: readonly (keyof Product)[]): string {
  const product = productAt(id);
  const picked: Partial<Record<keyof Product, unknown>> = {};
  for (const name of select) picked[name] = product[name];
  return JSON.stringify(picked);
}

/** The header line of a CSV export. */
export const CSV_HEADER = `${PRODUCT_PROPERTIES.join(",")}\n`;

/** The product as one CSV line (no field needs quoting). */
export function productCsv(id: number): string {
  return `${id},Product ${id},${category(id)},${price(id)},${stock(id)},${releaseDate(id)}\n`;
}
