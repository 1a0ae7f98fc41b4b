/**
 * Answering the requests on the demo service's orders: the entity set `Orders` (create, read with
 * `$filter`, `$orderby`, server paging and change tracking, update, replace, upsert, delete, all with ETags), its
 * operations (`Demo.ship`, `Demo.discountedAmount`) and the service's operation imports
 * (`totalValue`, `cancelOpenOrders`).
 *
 * A request and its answer are plain values here (method, path, headers, body text), so that the
 * same code answers a request that came over HTTP and one that came inside a `$batch`.
 */
import { compareByItems, compileFilter, compileOrderBy, type EntityShape, type OrderItem, type PropertyType, type Value } from "./filter.js";
import { COMPUTED_ORDER_PROPERTIES, etagOf, WRITABLE_ORDER_PROPERTIES, type Order, type OrderChanges, type OrderProblem, type OrderStore } from "./orders.js";
import { entityReadOptions, queryText, unappliedOptionRefusal, unknownOptionRefusal, type QueryRefusal } from "./query-options.js";

const ORDER_PROPERTIES: readonly (keyof Order)[] = [...COMPUTED_ORDER_PROPERTIES, ...WRITABLE_ORDER_PROPERTIES];

/** The entity type `Demo.Order` as `$filter` reads it (its types as `$metadata` declares them). */
const ORDER_SHAPE: EntityShape = {
  type: "Order",
  properties: {
    ID: "Edm.Int32",
    customer: "Edm.String",
    productID: "Edm.Int32",
    quantity: "Edm.Int32",
    status: "Edm.String",
    carrier: "Edm.String",
    amount: "Edm.Decimal",
    revision: "Edm.Int64",
  } satisfies Record<keyof Order, PropertyType>,
};

/** A request as the order resources see it. */
export interface PlainRequest {
  method: string;
  /** The resource path relative to the service root, percent-decoded, without the query. */
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: string;
}

/** An answer: status, headers and body text. */
export interface PlainResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What answering needs besides the request. */
export interface OrderContext {
  store: OrderStore;
  /** The service root, ending in `/`. */
  root: string;
  /** The server's page size for `Orders` when the client asks for none. */
  pageSize: number;
}

const JSON_TYPE = "application/json;odata.metadata=minimal";
/** The system query options a read of `Orders` applies; any other is refused, never ignored. */
const ORDERS_OPTIONS: ReadonlySet<string> = new Set(["$filter", "$orderby", "$top", "$skip", "$count", "$skiptoken", "$deltatoken"]);
const NAMESPACE = "Demo";

/** Whether a path is one of the order resources (the ones that need a CSRF token to change). */
export function isOrderPath(path: string): boolean {
  return /^(Orders(\(\d+\)(\/.*)?|\/\$count)?|totalValue\(.*\)|cancelOpenOrders)$/.test(path);
}

/**
 * Answers a request on an order resource; `undefined` when the path is none of them. A HEAD request
 * is answered as GET (whoever sends the answer leaves the body out); a refusal names HEAD.
 */
export function answerOrderRequest(context: OrderContext, request: PlainRequest): PlainResponse | undefined {
  const { path } = request;
  const method = routedMethod(request);
  if (path === "Orders") {
    if (method === "GET") return listOrders(context, request);
    if (method === "POST") return createOrder(context, request);
    return notAllowed(request.method, ["GET", "POST"]);
  }
  if (path === "Orders/$count") {
    if (method !== "GET") return notAllowed(request.method, ["GET"]);
    const unknown = unknownOptionRefusal(request.query);
    if (unknown) return error(unknown.status, unknown.code, unknown.message);
    // $filter and $search apply to /$count (Part 2 §4.8); Orders implements no $search, as its collection says.
    if (request.query.has("$search")) return error(501, "NotImplemented", "The demo service does not implement $search on Orders");
    // `/$count` on a delta link's path counts the changes it would answer (OData 4.01 Part 1 §11.3,
    // Using Delta Links): the changed orders and the removed ones.
    const deltaToken = request.query.get("$deltatoken");
    if (deltaToken !== null) {
      if (request.query.has("$filter")) return error(501, "NotImplemented", "The demo service does not implement $filter on the changes of Orders ($deltatoken)", "$filter");
      const changes = changesSince(context, deltaToken);
      if ("status" in changes) return changes;
      return { status: 200, headers: { "Content-Type": "text/plain" }, body: String(changes.changed.length + changes.removed.length) };
    }
    const selected = filteredOrders(context, request.query);
    if (!Array.isArray(selected)) return refusal(selected);
    return { status: 200, headers: { "Content-Type": "text/plain" }, body: String(selected.length) };
  }
  const entity = /^Orders\((\d+)\)$/.exec(path);
  if (entity) return answerOrder(context, request, Number(entity[1]));
  const bound = /^Orders\((\d+)\)\/(Demo\.)?(\w+)(\(.*\))?$/.exec(path);
  if (bound) return answerBoundOperation(context, request, Number(bound[1]), bound[3] as string, bound[4], bound[2] !== undefined);
  const totalValue = /^totalValue(\(.*\))$/.exec(path);
  if (totalValue) {
    if (method !== "GET") return notAllowed(request.method, ["GET"]);
    const read = functionParameters(totalValue[1] as string, { status: "string" }, request.query);
    if ("refused" in read) return read.refused;
    const status = read.params["status"];
    if (typeof status !== "string") return error(400, "MissingParameter", "totalValue needs the parameter status, such as totalValue(status='open')", "status");
    const total = context.store.list().filter((order) => order.status === status).reduce((sum, order) => sum + order.amount, 0);
    return json(200, { "@odata.context": `${context.root}$metadata#Edm.Decimal`, value: round2(total) });
  }
  if (path === "cancelOpenOrders") {
    if (method !== "POST") return notAllowed(request.method, ["POST"]);
    const parsed = parseBody(request);
    if ("refused" in parsed) return parsed.refused;
    const customer = parsed.body["customer"];
    if (typeof customer !== "string" || customer === "") return error(400, "MissingParameter", "cancelOpenOrders needs the parameter customer, a string", "customer");
    const cancelled = context.store.cancelOpenOrders(customer);
    return json(200, { "@odata.context": `${context.root}$metadata#Edm.Int32`, value: cancelled });
  }
  return undefined;
}

// --- the entity set ----------------------------------------------------------------------------------

function listOrders(context: OrderContext, request: PlainRequest): PlainResponse {
  const { query, headers } = request;
  const refused = unknownOptionRefusal(query) ?? unappliedOptionRefusal(query, ORDERS_OPTIONS, "Orders");
  if (refused) return error(refused.status, refused.code, refused.message);
  const deltaToken = query.get("$deltatoken");
  if (deltaToken !== null) {
    // A delta link is opaque: the client MUST NOT append system query options to it, and none the
    // service issues may carry a client's $top or $skip (nor should it an inline count) (OData 4.01
    // Part 1 §11.3, Using Delta Links). These options came from the client, so the request is wrong
    // (400), not one the service could answer had it implemented more.
    for (const option of ["$top", "$skip", "$count"]) {
      if (query.has(option)) return error(400, "InvalidQuery", `${option} cannot be added to a delta link ($deltatoken): a delta link is used as the service sent it`, option);
    }
    // A delta link carries no filter (none is issued for a filtered read, below), and the changes
    // come in ID order: an option that would change them is refused rather than ignored.
    for (const option of ["$filter", "$orderby"]) {
      if (query.has(option)) return error(501, "NotImplemented", `The demo service does not implement ${option} on the changes of Orders ($deltatoken)`, option);
    }
    return deltaAnswer(context, request, deltaToken);
  }

  const top = integerOption(query, "$top");
  const skip = integerOption(query, "$skip");
  if (typeof top === "string") return error(400, "InvalidQuery", top);
  if (typeof skip === "string") return error(400, "InvalidQuery", skip);
  const sequence = orderedOrders(context, query);
  if ("status" in sequence) return refusal(sequence);
  const all = sequence.orders;
  // The skiptoken is `<last ID sent>.<sequence number of the first page>`, and with `$orderby`
  // `.<that order's sort keys>` after them: the next page starts after that place in the order,
  // even if the order sent last has changed or gone since. The delta link of the last page covers
  // every change made while the pages were read.
  const skiptoken = query.get("$skiptoken");
  const resume = skiptoken === null ? undefined : readSkiptoken(skiptoken, sequence.items.length);
  if (skiptoken !== null && resume === undefined) return error(400, "InvalidQuery", `$skiptoken ${JSON.stringify(skiptoken)} was not issued by this service for this $orderby`);
  const issuedAt = resume ? resume.issuedAt : context.store.sequence;

  const selected = all.slice(skip ?? 0, top === undefined ? undefined : (skip ?? 0) + top);
  const remaining = resume ? selected.filter((order) => sequence.compare(order, resume.keys, resume.id) > 0) : selected;
  const prefer = preferences(headers);
  // The changes since a delta token are those of every order, so a filtered read does not track
  // changes: the preference is left unapplied, and says so by its absence (OData 4.01 §11.3).
  if (query.has("$filter")) prefer.trackChanges = false;
  const pageSize = prefer.maxPageSize ?? context.pageSize;
  const page = remaining.slice(0, pageSize);
  const answerHeaders: Record<string, string> = {};
  const applied: string[] = [];
  if (prefer.maxPageSize !== undefined) applied.push(`odata.maxpagesize=${prefer.maxPageSize}`);
  if (prefer.trackChanges) applied.push("odata.track-changes");
  if (applied.length > 0) answerHeaders["Preference-Applied"] = applied.join(", ");

  const body: Record<string, unknown> = { "@odata.context": `${context.root}$metadata#Orders` };
  // $count counts the orders the filter selects: $top and $skip do not change it (as for Products).
  if (query.get("$count") === "true") body["@odata.count"] = all.length;
  body["value"] = page.map((order) => orderJson(order));
  const last = page.at(-1);
  if (page.length < remaining.length && last !== undefined) {
    const kept = [...query].filter(([name]) => name !== "$skiptoken");
    const next = new URLSearchParams([...kept, ["$skiptoken", skiptokenOf(last, issuedAt, sequence)]]);
    // Percent-encoded, not as URLSearchParams writes a query: it would send a space as `+`, which
    // this service reads as a plus sign (demo/query-options.ts `queryOptions`).
    body["@odata.nextLink"] = `${context.root}Orders?${queryText(next)}`;
  } else if (prefer.trackChanges) {
    body["@odata.deltaLink"] = `${context.root}Orders?$deltatoken=${issuedAt}`;
  }
  return json(200, body, answerHeaders);
}

/** The orders, those the request's `$filter` selects if it has one (in ID order), or its refusal. */
function filteredOrders(context: OrderContext, query: URLSearchParams): Order[] | QueryRefusal {
  const filter = query.get("$filter");
  if (filter === null) return context.store.list();
  const predicate = compileFilter(filter, ORDER_SHAPE);
  return typeof predicate === "function" ? context.store.list().filter(predicate) : predicate;
}

/** The orders a read selects, in its `$orderby` (ties and no `$orderby`: by ID). */
interface OrderSequence {
  orders: Order[];
  items: readonly OrderItem[];
  keysOf(order: Order): Value[];
  /** Where `order` comes relative to the place of sort keys `keys` and ID `id`: < 0 before it, > 0 after. */
  compare(order: Order, keys: readonly Value[], id: number): number;
}

/** The orders of the request's `$filter`, sorted by its `$orderby`, or the refusal of either. */
function orderedOrders(context: OrderContext, query: URLSearchParams): OrderSequence | QueryRefusal {
  const filtered = filteredOrders(context, query);
  if (!Array.isArray(filtered)) return filtered;
  const orderBy = query.get("$orderby");
  const items = orderBy === null ? [] : compileOrderBy(orderBy, ORDER_SHAPE);
  if (!Array.isArray(items)) return items;
  const keysOf = (order: Order): Value[] => items.map((item) => item.evaluate(order));
  const place = compareByItems(items);
  const keyed = filtered.map((order) => ({ order, keys: keysOf(order) }));
  keyed.sort((a, b) => place(a.keys, a.order.ID, b.keys, b.order.ID));
  return { orders: keyed.map(({ order }) => order), items, keysOf, compare: (order, keys, id) => place(keysOf(order), order.ID, keys, id) };
}

/** The skiptoken of the page that ends with `last`: see `listOrders`. */
function skiptokenOf(last: Order, issuedAt: number, sequence: OrderSequence): string {
  if (sequence.items.length === 0) return `${last.ID}.${issuedAt}`;
  // JSON has no INF or NaN (a constant sort item may give one): they are written as strings in an object.
  const keys = sequence.keysOf(last).map((value) => (typeof value === "number" && !Number.isFinite(value) ? { number: String(value) } : value));
  return `${last.ID}.${issuedAt}.${Buffer.from(JSON.stringify(keys)).toString("base64url")}`;
}

/** A skiptoken of {@link skiptokenOf} for a read with `itemCount` sort items; undefined: not one. */
function readSkiptoken(text: string, itemCount: number): { id: number; issuedAt: number; keys: Value[] } | undefined {
  const match = /^(\d{1,15})\.(\d{1,15})(?:\.([\w-]+))?$/.exec(text);
  if (!match || (match[3] === undefined) !== (itemCount === 0)) return undefined;
  const id = Number(match[1]);
  const issuedAt = Number(match[2]);
  if (match[3] === undefined) return { id, issuedAt, keys: [] };
  let written: unknown;
  try {
    written = JSON.parse(Buffer.from(match[3], "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (!Array.isArray(written) || written.length !== itemCount) return undefined;
  const keys: Value[] = [];
  for (const value of written as unknown[]) {
    if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean") keys.push(value);
    else if (typeof value === "object" && typeof (value as { number?: unknown }).number === "string") keys.push(Number((value as { number: string }).number));
    else return undefined;
  }
  return { id, issuedAt, keys };
}

/**
 * The changes since a delta token. A client that accepts OData 4.01 gets the 4.01 form (`@removed`,
 * `@id`, `@deltaLink`); one that says `OData-MaxVersion: 4.0` the 4.0 form (`$deletedEntity`
 * entries with `id` and `reason`).
 */
function deltaAnswer(context: OrderContext, request: PlainRequest, token: string): PlainResponse {
  const changes = changesSince(context, token);
  if ("status" in changes) return changes;
  const { changed, removed } = changes;
  const deltaLink = `${context.root}Orders?$deltatoken=${context.store.sequence}`;
  const maxVersion = request.headers.get("odata-maxversion");
  if (maxVersion !== null && maxVersion.trim() === "4.0") {
    const value = [
      ...changed.map((order) => orderJson(order)),
      ...removed.map((id) => ({ "@odata.context": `${context.root}$metadata#Orders/$deletedEntity`, id: `${context.root}Orders(${id})`, reason: "deleted" })),
    ];
    return json(200, { "@odata.context": `${context.root}$metadata#Orders/$delta`, value, "@odata.deltaLink": deltaLink });
  }
  const value = [
    ...changed.map((order) => {
      const { "@odata.etag": etag, ...rest } = orderJson(order);
      return { "@etag": etag, ...rest };
    }),
    ...removed.map((id) => ({ "@removed": { reason: "deleted" }, "@id": `Orders(${id})`, ID: id })),
  ];
  return json(200, { "@context": `${context.root}$metadata#Orders/$delta`, value, "@deltaLink": deltaLink }, { "OData-Version": "4.01" });
}

/** The changes since a delta token, or the refusal of a token this service did not issue. */
function changesSince(context: OrderContext, token: string): OrderChanges | PlainResponse {
  if (!/^\d{1,15}$/.test(token) || Number(token) > context.store.sequence) {
    return error(400, "InvalidDeltaToken", `The delta token ${JSON.stringify(token)} was not issued by this service`);
  }
  return context.store.changesSince(Number(token));
}

function createOrder(context: OrderContext, request: PlainRequest): PlainResponse {
  const parsed = parseBody(request);
  if ("refused" in parsed) return parsed.refused;
  const requestedId = parsed.body["ID"];
  if (requestedId !== undefined && !(Number.isInteger(requestedId) && (requestedId as number) > 0)) {
    return error(400, "InvalidOrder", "ID, when given, must be a positive integer", "ID");
  }
  const created = context.store.create(parsed.body, requestedId as number | undefined);
  if ("code" in created) return problem(created);
  return entityAnswer(context, request, created, 201, { Location: `${context.root}Orders(${created.ID})` });
}

// --- one order -----------------------------------------------------------------------------------------

function answerOrder(context: OrderContext, request: PlainRequest, id: number): PlainResponse {
  const { headers } = request;
  const method = routedMethod(request);
  const order = context.store.get(id);
  if (method === "GET") {
    const options = entityReadOptions(request.query, "Order", ORDER_PROPERTIES);
    if ("status" in options) return error(options.status, options.code, options.message);
    if (!order) return error(404, "NotFound", `No order with ID ${id}`);
    const etag = etagOf(order);
    // A read is conditional too (RFC 9110 §13.2.2): If-Match first, then If-None-Match (304 for a read).
    if (headers.has("if-match") && !etagListMatches(headers.get("if-match") as string, etag)) {
      return error(412, "PreconditionFailed", `Order ${id} is no longer ${headers.get("if-match")}; its ETag is now ${etag}`);
    }
    if (headers.has("if-none-match") && etagListMatches(headers.get("if-none-match") as string, etag)) return { status: 304, headers: { ETag: etag }, body: "" };
    const { select } = options;
    const full = orderJson(order);
    const entity = select ? Object.fromEntries(Object.entries(full).filter(([name]) => name === "@odata.etag" || select.includes(name as keyof Order))) : full;
    const contextUrl = `${context.root}$metadata#Orders${select ? `(${select.join(",")})` : ""}/$entity`;
    return json(200, { "@odata.context": contextUrl, ...entity }, { ETag: etag });
  }
  if (method !== "PATCH" && method !== "PUT" && method !== "DELETE") return notAllowed(request.method, ["GET", "PATCH", "PUT", "DELETE"]);

  if (!order) {
    if (headers.has("if-match")) return error(412, "PreconditionFailed", `No order with ID ${id} exists to match If-Match`);
    if (method === "DELETE") return error(404, "NotFound", `No order with ID ${id}`);
    // PATCH or PUT to a key that does not exist is an upsert (OData 4.01 §11.4.4): the order is created.
    const parsed = parseBody(request);
    if ("refused" in parsed) return parsed.refused;
    const created = context.store.create(parsed.body, id);
    if ("code" in created) return problem(created);
    return entityAnswer(context, request, created, 201, { Location: `${context.root}Orders(${id})` });
  }
  // If-None-Match naming the current version (or *) fails a change (RFC 9110 §13.1.2), with or without If-Match.
  const ifNoneMatch = headers.get("if-none-match");
  if (ifNoneMatch !== null && etagListMatches(ifNoneMatch, etagOf(order))) return error(412, "PreconditionFailed", `Order ${id} is ${ifNoneMatch.trim() === "*" ? "there (If-None-Match: *)" : `still at ${etagOf(order)} (If-None-Match)`}`);
  const precondition = checkIfMatch(order, headers);
  if (precondition) return precondition;

  if (method === "DELETE") {
    context.store.remove(id);
    return { status: 204, headers: {}, body: "" };
  }
  const parsed = parseBody(request);
  if ("refused" in parsed) return parsed.refused;
  const changed = context.store.update(id, parsed.body, method === "PUT");
  if ("code" in changed) return problem(changed);
  return entityAnswer(context, request, changed, 200);
}

function answerBoundOperation(context: OrderContext, request: PlainRequest, id: number, name: string, parameterText: string | undefined, qualified: boolean): PlainResponse {
  const order = context.store.get(id);
  if (name === "ship") {
    if (routedMethod(request) !== "POST") return notAllowed(request.method, ["POST"]);
    if (parameterText !== undefined) return error(400, "BadRequest", "An action takes its parameters in the body, not in the URL");
    if (!order) return error(404, "NotFound", `No order with ID ${id}`);
    const precondition = checkIfMatch(order, request.headers);
    if (precondition) return precondition;
    const parsed = parseBody(request);
    if ("refused" in parsed) return parsed.refused;
    const carrier = parsed.body["carrier"];
    if (typeof carrier !== "string" || carrier === "") return error(400, "MissingParameter", "ship needs the parameter carrier, a string", "carrier");
    const shipped = context.store.ship(id, carrier);
    if ("code" in shipped) return problem(shipped);
    return json(200, { "@odata.context": `${context.root}$metadata#Orders/$entity`, ...orderJson(shipped) }, { ETag: etagOf(shipped) });
  }
  if (name === "discountedAmount") {
    if (routedMethod(request) !== "GET") return notAllowed(request.method, ["GET"]);
    if (!order) return error(404, "NotFound", `No order with ID ${id}`);
    const read = functionParameters(parameterText ?? "()", { percent: "number" }, request.query);
    if ("refused" in read) return read.refused;
    const percent = read.params["percent"];
    if (typeof percent !== "number" || percent < 0 || percent > 100) return error(400, "InvalidParameter", "percent must be a number from 0 to 100", "percent");
    return json(200, { "@odata.context": `${context.root}$metadata#Edm.Decimal`, value: round2(order.amount * (1 - percent / 100)) });
  }
  // A bare name (no namespace, no parentheses) may as well be meant as a property or a navigation
  // property (`navigate("items")`): the answer says that Order has none of that name either.
  if (!qualified && parameterText === undefined) {
    if ((ORDER_PROPERTIES as readonly string[]).includes(name)) {
      return error(501, "NotImplemented", `The demo service does not serve a property's own path (Orders(${id})/${name}); read it with $select=${name}`);
    }
    return error(404, "NotFound", `${name} is not a property or navigation property of Order (which has no navigation properties), nor an operation bound to it`);
  }
  return error(404, "NotFound", `Order has no operation ${NAMESPACE}.${name}`);
}

/** 428 without `If-Match`, 412 when it names another version; nothing when it matches. */
function checkIfMatch(order: Order, headers: Headers): PlainResponse | undefined {
  const ifMatch = headers.get("if-match");
  if (ifMatch === null) {
    return error(428, "PreconditionRequired", `Order ${order.ID} is protected by an ETag: send If-Match with the ETag you read (or * for any version)`);
  }
  const current = etagOf(order);
  if (etagListMatches(ifMatch, current)) return undefined;
  const listed = ifMatch.split(",").map((tag) => tag.trim());
  return error(412, "PreconditionFailed", `Order ${order.ID} was changed since ${listed.join(", ")} was read; its ETag is now ${current}`);
}

/** Whether an If-Match or If-None-Match list names `current` or is `*`; weak comparison (RFC 9110 §8.8.3.2): the W/ prefix does not count. */
function etagListMatches(list: string, current: string): boolean {
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  return list.split(",").some((tag) => tag.trim() === "*" || opaque(tag) === opaque(current));
}

/** A written order: 200/201 with it (and its ETag), or 204 with `Prefer: return=minimal`. */
function entityAnswer(context: OrderContext, request: PlainRequest, order: Order, status: 200 | 201, headers: Record<string, string> = {}): PlainResponse {
  const prefer = preferences(request.headers);
  const withEtag: Record<string, string> = { ...headers, ETag: etagOf(order) };
  // An update answers 204 unless asked for the entity (OData 4.01 §11.4.3); a create answers with it.
  if (prefer.return === "minimal" || (status === 200 && prefer.return === undefined)) {
    const minimal: Record<string, string> = { ...withEtag, "OData-EntityId": `${context.root}Orders(${order.ID})` };
    if (prefer.return === "minimal") minimal["Preference-Applied"] = "return=minimal";
    return { status: 204, headers: minimal, body: "" };
  }
  if (prefer.return === "representation") withEtag["Preference-Applied"] = "return=representation";
  return json(status, { "@odata.context": `${context.root}$metadata#Orders/$entity`, ...orderJson(order) }, withEtag);
}

// --- helpers -------------------------------------------------------------------------------------------

/** An order as JSON, its ETag first. */
export function orderJson(order: Order): Record<string, unknown> {
  return { "@odata.etag": etagOf(order), ...order };
}

interface Preferences {
  return: "minimal" | "representation" | undefined;
  trackChanges: boolean;
  maxPageSize: number | undefined;
}

function preferences(headers: Headers): Preferences {
  const found: Preferences = { return: undefined, trackChanges: false, maxPageSize: undefined };
  for (const part of (headers.get("prefer") ?? "").split(",")) {
    const text = part.trim().toLowerCase();
    if (text === "return=minimal" || text === "return=representation") found.return = text.slice(7) as "minimal" | "representation";
    else if (text === "odata.track-changes" || text === "track-changes") found.trackChanges = true;
    else {
      const size = /^(?:odata\.)?maxpagesize\s*=\s*"?(\d{1,9})"?$/.exec(text);
      if (size && Number(size[1]) > 0) found.maxPageSize = Number(size[1]);
    }
  }
  return found;
}

/** The JSON object body of a request, or the error answer that refuses it. */
function parseBody(request: PlainRequest): { body: Record<string, unknown> } | { refused: PlainResponse } {
  if (!/^application\/json\b/i.test(request.headers.get("content-type") ?? "")) {
    return { refused: error(415, "UnsupportedMediaType", "Send the body as application/json") };
  }
  let body: unknown;
  try {
    body = JSON.parse(request.body === "" ? "{}" : request.body);
  } catch {
    return { refused: error(400, "InvalidJson", "The request body is not valid JSON") };
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { refused: error(400, "InvalidJson", "The body must be a JSON object") };
  return { body: body as Record<string, unknown> };
}

/**
 * The parameters of a function call written in its URL, `(status='open')` or `(percent=10)`:
 * string literals in single quotes (`''` for a quote) and numbers.
 */
function functionParameters(text: string, expected: Record<string, "string" | "number">, query: URLSearchParams): { params: Record<string, string | number> } | { refused: PlainResponse } {
  const inner = text.slice(1, -1).trim();
  const params: Record<string, string | number> = {};
  const pattern = /\s*(\w+)\s*=\s*('(?:[^']|'')*'|-?\d+(?:\.\d+)?|@\w+)\s*(?:,|$)/y;
  while (pattern.lastIndex < inner.length) {
    const match = pattern.exec(inner);
    if (!match) return { refused: error(400, "InvalidParameter", `Cannot read the function parameters ${JSON.stringify(text)}`) };
    const [, name, written] = match as unknown as [string, string, string];
    const kind = expected[name];
    if (kind === undefined) return { refused: error(400, "InvalidParameter", `'${name}' is not a parameter of this function`, name) };
    // A parameter alias (`status=@s`) takes its value from the query option of that name (OData
    // Part 2 §5.1.1.13.1); one the query does not give is null, which no parameter here accepts.
    const literal = written.startsWith("@") ? query.get(written) : written;
    if (literal === null) return { refused: error(400, "InvalidParameter", `${name} is the alias ${written}, which the query gives no value (null): ${name} cannot be null`, name) };
    if (!/^(?:'(?:[^']|'')*'|-?\d+(?:\.\d+)?)$/.test(literal)) return { refused: error(400, "InvalidParameter", `${name} must be a ${kind}; the alias ${written} is ${JSON.stringify(literal)}`, name) };
    const isString = literal.startsWith("'");
    if ((kind === "string") !== isString) return { refused: error(400, "InvalidParameter", `${name} must be a ${kind}`, name) };
    params[name] = isString ? literal.slice(1, -1).replaceAll("''", "'") : Number(literal);
  }
  return { params };
}

function integerOption(query: URLSearchParams, name: string): number | undefined | string {
  const value = query.get(name);
  if (value === null) return undefined;
  return /^\d{1,15}$/.test(value) ? Number(value) : `${name} must be a non-negative integer; got ${JSON.stringify(value)}`;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function json(status: number, value: unknown, headers: Record<string, string> = {}): PlainResponse {
  return { status, headers: { ...headers, "Content-Type": JSON_TYPE }, body: JSON.stringify(value) };
}

/** An answer with the OData JSON error body. */
export function error(status: number, code: string, message: string, target?: string, headers: Record<string, string> = {}): PlainResponse {
  return { status, headers: { ...headers, "Content-Type": "application/json" }, body: JSON.stringify({ error: target === undefined ? { code, message } : { code, message, target } }) };
}

function refusal(found: QueryRefusal): PlainResponse {
  return error(found.status, found.code, found.message, found.target);
}

function problem(found: OrderProblem): PlainResponse {
  return error(found.status, found.code, found.message, found.target);
}

/** The method a request is answered as: HEAD is GET without the body. */
function routedMethod(request: PlainRequest): string {
  return request.method === "HEAD" ? "GET" : request.method;
}

/** 405 naming the method the client used; HEAD is allowed wherever GET is, so Allow lists it too. */
function notAllowed(method: string, allowed: string[]): PlainResponse {
  const listed = allowed.includes("GET") ? [...allowed, "HEAD"] : allowed;
  return error(405, "MethodNotAllowed", `${method} is not allowed here; use ${listed.join(" or ")}`, undefined, { Allow: listed.join(", ") });
}
