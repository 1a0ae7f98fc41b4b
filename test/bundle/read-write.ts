// A program that reads and writes entities.
import { ODataClient } from "../../src/index.js";

interface Book {
  ID: number;
  title: string;
  stock: number;
}

const client = new ODataClient({ serviceUrl: "https://example.com/odata/v4/catalog/" });
const books = client.collection<Book>("Books");
for await (const book of books.filter((f) => f.gt("stock", 0)).stream()) console.log(book.title);
const created = await books.create({ ID: 7, title: "Emma", stock: 1 });
await books.key(7).update({ stock: 2 }, { etag: created });
await books.key(7).delete();
