/**
 * Which products a read of `Products` answers, and in which order: the sequence that its `$filter`
 * and `$orderby` select from the catalogue. Without either it is the catalogue itself, computed
 * from the position (a million products cost nothing). Otherwise the matching IDs are listed once,
 * in order, and kept for the next requests of the same query: following next links, or reading the
 * count and then the rows, does not filter and sort the catalogue again.
 *
 * Pages of a sequence are cut by the ID of the last product sent (the `$skiptoken`): the next page
 * starts after that product in the sequence's order. The order is total (ties are broken by ID), so
 * the position after any product is one place, found again on every request.
 */
import { compareByItems, compareValues, compileFilter, compileOrderBy, type OrderItem, type Value } from "./filter.js";
import { PRODUCT_SHAPE, productAt } from "./products.js";
import type { QueryRefusal } from "./query-options.js";

/** The products one query selects, in its order. */
interface ProductSequence {
  /** How many products the query selects. */
  readonly length: number;
  /** The ID of the product at `index` (from 0) of the sequence. */
  idAt(index: number): number;
  /**
   * The index where the products after product `id` start: the number of products of the sequence
   * that come before it or are it. `id` need not be selected (a client may send any `$skiptoken`).
   */
  positionAfter(id: number): number;
}

/** How many queries' sequences are kept (a million IDs take 4 MB). */
const KEPT_SEQUENCES = 8;

/** The sequences of the queries on a catalogue of `productCount` products. */
export class ProductQueries {
  readonly #productCount: number;
  /** By query, the least recently used first. */
  readonly #kept = new Map<string, ProductSequence>();

  constructor(productCount: number) {
    this.#productCount = productCount;
  }

  /** The sequence that `$filter` and `$orderby` (null: not given) select, or why the query is refused. */
  sequence(filter: string | null, orderBy: string | null): ProductSequence | QueryRefusal {
    const predicate = filter === null ? undefined : compileFilter(filter, PRODUCT_SHAPE);
    if (predicate !== undefined && typeof predicate !== "function") return predicate;
    const items = orderBy === null ? [] : compileOrderBy(orderBy, PRODUCT_SHAPE);
    if (!Array.isArray(items)) return items;
    const order = significantItems(items);
    if (predicate === undefined && order.length === 0) return catalogue(this.#productCount);

    const key = JSON.stringify([filter, order.map((item) => [item.text, item.descending])]);
    const kept = this.#kept.get(key);
    if (kept) {
      this.#kept.delete(key);
      this.#kept.set(key, kept);
      return kept;
    }
    const ids: number[] = [];
    for (let id = 1; id <= this.#productCount; id++) if (predicate === undefined || predicate(productAt(id))) ids.push(id);
    const sequence = order.length === 0 ? byId(Int32Array.from(ids)) : ordered(ids, order);
    this.#kept.set(key, sequence);
    if (this.#kept.size > KEPT_SEQUENCES) this.#kept.delete(this.#kept.keys().next().value as string);
    return sequence;
  }
}

/**
 * The items that decide the order: those up to the first that is `ID` itself, which is unique, so
 * nothing after it can matter; none when that is the first, ascending (the catalogue's own order).
 */
function significantItems(items: readonly OrderItem[]): OrderItem[] {
  const id = items.findIndex((item) => item.text === "ID");
  const significant = id < 0 ? [...items] : items.slice(0, id + 1);
  return significant.length === 1 && id === 0 && !significant[0]?.descending ? [] : significant;
}

/** The whole catalogue in ID order: product `index + 1` at `index`. */
function catalogue(productCount: number): ProductSequence {
  return {
    length: productCount,
    idAt: (index) => index + 1,
    positionAfter: (id) => Math.min(Math.max(id, 0), productCount),
  };
}

/** Selected products in ID order. */
function byId(ids: Int32Array): ProductSequence {
  return {
    length: ids.length,
    idAt: (index) => ids[index] as number,
    positionAfter: (id) => firstIndex(ids.length, (index) => (ids[index] as number) > id),
  };
}

/** Selected products sorted by `items`, then by ID: a total order, so a stable one. */
function ordered(ids: readonly number[], items: readonly OrderItem[]): ProductSequence {
  const keysOf = (id: number): Value[] => {
    const product = productAt(id);
    return items.map((item) => item.evaluate(product));
  };
  const compare = compareByItems(items);
  // The keys are computed once per product for the sort, a column per item; a search computes
  // the few it needs.
  const columns = items.map(() => new Array<Value>(ids.length));
  ids.forEach((id, position) => {
    const product = productAt(id);
    items.forEach((item, index) => ((columns[index] as Value[])[position] = item.evaluate(product)));
  });
  const byKeys = (a: number, b: number): number => {
    for (let index = 0; index < items.length; index++) {
      const column = columns[index] as Value[];
      const order = compareValues(column[a] as Value, column[b] as Value);
      if (order !== 0) return (items[index] as OrderItem).descending ? -order : order;
    }
    return (ids[a] as number) - (ids[b] as number);
  };
  const sorted = Int32Array.from(Array.from(ids.keys()).sort(byKeys), (position) => ids[position] as number);
  return {
    length: sorted.length,
    idAt: (index) => sorted[index] as number,
    positionAfter: (id) => {
      const after = keysOf(id);
      return firstIndex(sorted.length, (index) => compare(keysOf(sorted[index] as number), sorted[index] as number, after, id) > 0);
    },
  };
}

/** The least index below `length` for which `isPast` holds (`length` if none), where it holds from some index on. */
function firstIndex(length: number, isPast: (index: number) => boolean): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (isPast(middle)) high = middle;
    else low = middle + 1;
  }
  return low;
}
