// A program that reads and runs a long-running operation, saving and resuming its poller.
import { ODataClient } from "../../src/index.js";

interface Book {
  ID: number;
  title: string;
  stock: number;
}

const client = new ODataClient({ serviceUrl: "https://example.com/odata/v4/catalog/" });
for await (const book of client.collection<Book>("Books").filter((f) => f.gt("stock", 0)).stream()) console.log(book.title);
const poller = await client.collection("ExportJobs").createAsync<{ rows: number }>({ format: "csv" });
const saved = JSON.stringify(poller.toJSON());
console.log(await client.resumeAsync<{ rows: number }>(JSON.parse(saved)).wait());
