/**
 * Ambient declarations for the README's examples (read by test/readme-examples.test.ts).
 *
 * Each README ```ts block is type-checked as a module of its own, with these declarations put in
 * front of it. They stand for what a reader brings along: their own data and helpers, and what an
 * earlier block of the same section set up (a client, a query, a poller). A declaration is left out
 * of a block that declares the same name itself, so an example's own definitions always win.
 * Library names are never declared here: a block that uses one must import it.
 */
import type * as odata from "../src/index.js";

// Entity shapes, as the "Queries and traversal" block and the batch example describe them.
interface Book { ID: number; title: string; stock: number; price: number; author: { name: string }; reviews: { ID: number; rating: number }[] }
interface Author { ID: string; name: string; books: Book[] }
// "Long-running operations": the result type of the first block, used again by the second.
interface ExportResult { ID: number; rowCount: number; url: string }

// Set up by an earlier block of the same section.
declare const client: odata.ODataClient;
declare const books: odata.CollectionQuery<Book>;
declare const book: Book;
declare const poller: odata.AsyncPoller<ExportResult>;

// The reader's own values.
declare const userInput: string;
declare const locationHeader: string;
declare const savedNextLink: string;
declare const signal: AbortSignal;
declare const serviceUrl: string;
declare const edmxOrCsdlJsonText: string;
// "OAuth2 client credentials": an Entra ID app registration, and a BTP service key's XSUAA credentials.
declare const tenantId: string;
declare const applicationId: string;
declare const graphClientSecret: string;
declare const xsuaa: { url: string; clientid: string; clientsecret: string };

// The reader's own helpers. `process` here is the example's per-entity callback; inside a module it
// hides Node's global of that name.
declare function process(book: Book): void;
declare function store(rows: unknown[]): Promise<void>;
declare function saveCheckpoint(nextLink: string | undefined): void;
// "Delta": merges a changed entity, which may carry only the properties that changed, into the book held.
declare function upsert(entity: Partial<Book>): Promise<void>;
declare function remove(idOrKey: unknown): Promise<void>;
declare function getToken(): Promise<string>;

export {};
