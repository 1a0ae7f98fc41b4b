// Not a program a user writes: the walk of test/bundle/read-only.ts put together from the library's
// own modules, without `ODataClient` and its other methods. `npm run bench -- bundle` measures it, to
// show what the walk itself costs (the floor under the read-only program's start).
import { ClientCore } from "../../src/core.js";
import { resolveClientOptions } from "../../src/options.js";
import { addFilter, filterText, type QueryState } from "../../src/query/state.js";
import { collectionUrl } from "../../src/query/url.js";
import { walkEntities } from "../../src/read/traversal.js";

interface Book {
  ID: number;
  title: string;
  stock: number;
}

const core = new ClientCore(resolveClientOptions({ serviceUrl: "https://example.com/odata/v4/catalog/" }));
const state = addFilter<QueryState>({ entitySet: "Books" }, filterText<Book>((f) => f.gt("stock", 0), core.options.version, "filter(expression)"));
for await (const book of walkEntities<Book>(core, collectionUrl(core.options.serviceUrl, core.options.version, state), undefined)) console.log(book.title);
