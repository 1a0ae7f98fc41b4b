// A program that reads and sends a $batch.
import { ODataClient } from "../../src/index.js";

interface Book {
  ID: number;
  title: string;
  stock: number;
}

const client = new ODataClient({ serviceUrl: "https://example.com/odata/v4/catalog/" });
const books = client.collection<Book>("Books");
for await (const book of books.filter((f) => f.gt("stock", 0)).stream()) console.log(book.title);
const batch = client.batch();
const first = batch.get(books.key(1));
await batch.send();
console.log(first.result());
