// A program that only reads, through the entry point for reading (traverse-odata/read): the walk of
// read-only.ts with `ODataReader`. test/treeshake.test.ts holds its start to the reader's budget.
import { ODataReader } from "../../src/read.js";

interface Book {
  ID: number;
  title: string;
  stock: number;
}

const reader = new ODataReader({ serviceUrl: "https://example.com/odata/v4/catalog/" });
for await (const book of reader.collection<Book>("Books").filter((f) => f.gt("stock", 0)).stream()) console.log(book.title);
