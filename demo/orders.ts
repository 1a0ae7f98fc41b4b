/**
 * The demo service's orders: a small in-memory store with an ETag per order and a change log, so
 * that writes, ETag checks, change tracking and all-or-nothing changesets are the honest outcome
 * of what happened to the data. No HTTP here: demo/order-requests.ts answers requests with it.
 *
 * Every change takes the next number of one service-wide sequence. An order's `revision` is the
 * number of its latest change (its ETag is `W/"<revision>"`), and a delta token is the sequence
 * number it was issued at: the changes since are the orders with a later revision and the
 * removals recorded after it.
 */
import { productAt } from "./products.js";

/** One order as the service stores and sends it. */
export interface Order {
  ID: number;
  customer: string;
  productID: number;
  quantity: number;
  /** `open`, then `shipped` (action `ship`) or `cancelled` (action `cancelOpenOrders`). */
  status: "open" | "shipped" | "cancelled";
  /** Set by `ship`; `null` before. */
  carrier: string | null;
  /** The product's price times the quantity, computed by the service. */
  amount: number;
  /** The sequence number of the latest change: the ETag's content. */
  revision: number;
}

/** The properties a client may write; the others are computed by the service. */
export const WRITABLE_ORDER_PROPERTIES = ["customer", "productID", "quantity"] as const;
/** Properties the service computes: sent back unchanged by a client, they are ignored. */
export const COMPUTED_ORDER_PROPERTIES = ["ID", "status", "carrier", "amount", "revision"] as const;

/** What a client writes: some or all of the writable properties. */
export type OrderInput = Partial<Pick<Order, (typeof WRITABLE_ORDER_PROPERTIES)[number]>>;

/** A failed check of a request, as an OData error says it. */
export interface OrderProblem {
  status: number;
  code: string;
  message: string;
  target?: string;
}

/** The entity tag of an order. */
export function etagOf(order: Order): string {
  return `W/"${order.revision}"`;
}

/** What the changes since a delta token are. */
export interface OrderChanges {
  /** Orders created or changed since then, as they are now. */
  changed: Order[];
  /** IDs of orders that existed then and were deleted since. */
  removed: number[];
}

interface Removal {
  id: number;
  /** The sequence number of the deletion. */
  at: number;
  /** The sequence number the order was created at (a removal of an order created after a token is no change for it). */
  createdAt: number;
}

interface StoreState {
  orders: Map<number, Order & { createdAt: number }>;
  removals: Removal[];
  sequence: number;
  nextId: number;
}

/** The orders of one service instance. */
export class OrderStore {
  #state: StoreState;
  readonly #productCount: number;

  /** Starts with a few orders (IDs 1..seed), so that there is something to read. */
  constructor(productCount: number, seed: ReadonlyArray<Pick<Order, "customer" | "productID" | "quantity">>) {
    this.#productCount = productCount;
    this.#state = { orders: new Map(), removals: [], sequence: 0, nextId: 1 };
    for (const input of seed) {
      const created = this.create(input);
      if ("code" in created) throw new Error(`seed order is invalid: ${created.message}`);
    }
  }

  /** The current sequence number: a delta token issued now. */
  get sequence(): number {
    return this.#state.sequence;
  }

  /** All orders, by ID. */
  list(): Order[] {
    return [...this.#state.orders.values()].sort((a, b) => a.ID - b.ID).map(publicOrder);
  }

  get(id: number): Order | undefined {
    const order = this.#state.orders.get(id);
    return order && publicOrder(order);
  }

  /** Creates an order; `id` is for an upsert to a key that does not exist yet. */
  create(input: unknown, id?: number): Order | OrderProblem {
    const checked = this.#check(input, "create");
    if ("code" in checked) return checked;
    const orderId = id ?? this.#state.nextId;
    if (this.#state.orders.has(orderId)) return { status: 409, code: "EntityAlreadyExists", message: `An order with ID ${orderId} exists already` };
    this.#state.nextId = Math.max(this.#state.nextId, orderId + 1);
    const revision = this.#next();
    const order = {
      ID: orderId,
      customer: checked.customer as string,
      productID: checked.productID as number,
      quantity: checked.quantity as number,
      status: "open" as const,
      carrier: null,
      amount: 0,
      revision,
      createdAt: revision,
    };
    order.amount = amountOf(order.productID, order.quantity);
    this.#state.orders.set(orderId, order);
    return publicOrder(order);
  }

  /** Changes the properties given (`replace`: every writable property must be given). */
  update(id: number, input: unknown, replace: boolean): Order | OrderProblem {
    const order = this.#state.orders.get(id);
    if (!order) return notFound(id);
    const checked = this.#check(input, replace ? "create" : "update");
    if ("code" in checked) return checked;
    Object.assign(order, checked);
    order.amount = amountOf(order.productID, order.quantity);
    order.revision = this.#next();
    return publicOrder(order);
  }

  /** Ships an open order. */
  ship(id: number, carrier: string): Order | OrderProblem {
    const order = this.#state.orders.get(id);
    if (!order) return notFound(id);
    if (order.status !== "open") return { status: 400, code: "OrderNotOpen", message: `Order ${id} is ${order.status}; only open orders can be shipped` };
    order.status = "shipped";
    order.carrier = carrier;
    order.revision = this.#next();
    return publicOrder(order);
  }

  /** Cancels every open order of a customer; the number cancelled. */
  cancelOpenOrders(customer: string): number {
    let cancelled = 0;
    for (const order of this.#state.orders.values()) {
      if (order.customer !== customer || order.status !== "open") continue;
      order.status = "cancelled";
      order.revision = this.#next();
      cancelled += 1;
    }
    return cancelled;
  }

  /** Deletes an order; `false` when there was none. */
  remove(id: number): boolean {
    const order = this.#state.orders.get(id);
    if (!order) return false;
    this.#state.orders.delete(id);
    this.#state.removals.push({ id, at: this.#next(), createdAt: order.createdAt });
    return true;
  }

  /** What changed after the sequence number `token`. */
  changesSince(token: number): OrderChanges {
    const changed = [...this.#state.orders.values()].filter((order) => order.revision > token).sort((a, b) => a.ID - b.ID);
    const removed = this.#state.removals.filter((removal) => removal.at > token && removal.createdAt <= token).map((removal) => removal.id);
    return { changed: changed.map(publicOrder), removed };
  }

  /**
   * Runs `work` all or nothing: when it reports failure, the store is put back as it was before
   * (orders, removals and the sequence), as a changeset requires.
   */
  atomically<R>(work: () => { ok: boolean; result: R }): R {
    const saved = cloneState(this.#state);
    const outcome = work();
    if (!outcome.ok) this.#state = saved;
    return outcome.result;
  }

  #next(): number {
    this.#state.sequence += 1;
    return this.#state.sequence;
  }

  /** Checks a body: known properties, the right types, a product that exists. */
  #check(input: unknown, mode: "create" | "update"): OrderInput | OrderProblem {
    if (typeof input !== "object" || input === null || Array.isArray(input)) return invalid("The body must be a JSON object of order properties");
    const checked: OrderInput = {};
    for (const [name, value] of Object.entries(input)) {
      // Control information (`@odata.etag`, `@odata.type`...) and computed properties are not the client's to write.
      if (name.includes("@") || (COMPUTED_ORDER_PROPERTIES as readonly string[]).includes(name)) continue;
      if (name === "customer") {
        if (typeof value !== "string" || value.trim() === "") return invalid("customer must be a non-empty string", name);
        checked.customer = value;
      } else if (name === "productID") {
        if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > this.#productCount) {
          return invalid(`productID must name a product (1 to ${this.#productCount}); got ${JSON.stringify(value)}`, name);
        }
        checked.productID = value as number;
      } else if (name === "quantity") {
        if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 1_000) return invalid(`quantity must be an integer from 1 to 1000; got ${JSON.stringify(value)}`, name);
        checked.quantity = value as number;
      } else {
        return invalid(`'${name}' is not a property of Order`, name);
      }
    }
    if (mode === "create") {
      for (const name of WRITABLE_ORDER_PROPERTIES) if (checked[name] === undefined) return invalid(`${name} is required`, name);
    }
    return checked;
  }
}

function amountOf(productID: number, quantity: number): number {
  return Math.round(productAt(productID).Price * quantity * 100) / 100;
}

function publicOrder(order: Order & { createdAt?: number }): Order {
  const { createdAt: _createdAt, ...rest } = order;
  return { ...rest };
}

function cloneState(state: StoreState): StoreState {
  return {
    orders: new Map([...state.orders].map(([id, order]) => [id, { ...order }])),
    removals: [...state.removals],
    sequence: state.sequence,
    nextId: state.nextId,
  };
}

function notFound(id: number): OrderProblem {
  return { status: 404, code: "NotFound", message: `No order with ID ${id}` };
}

function invalid(message: string, target?: string): OrderProblem {
  return target === undefined ? { status: 400, code: "InvalidOrder", message } : { status: 400, code: "InvalidOrder", message, target };
}
