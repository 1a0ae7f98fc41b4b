// A program that only reads: one collection walked entity by entity. The start-up budget of
// test/treeshake.test.ts is measured on this file.
import { ODataClient } from "../../src/index.js";

interface Book {
  ID: number;
  title: string;
  stock: number;
}

const client = new ODataClient({ serviceUrl: "https://example.com/odata/v4/catalog/" });
for await (const book of client.collection<Book>("Books").filter((f) => f.gt("stock", 0)).stream()) console.log(book.title);
