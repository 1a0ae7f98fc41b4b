// A program that reads and looks at the service's $metadata.
import { ODataClient } from "../../src/index.js";

interface Book {
  ID: number;
  title: string;
  stock: number;
}

const client = new ODataClient({ serviceUrl: "https://example.com/odata/v4/catalog/" });
for await (const book of client.collection<Book>("Books").filter((f) => f.gt("stock", 0)).stream()) console.log(book.title);
const model = await client.metadata();
console.log(model.entitySet("Books"));
