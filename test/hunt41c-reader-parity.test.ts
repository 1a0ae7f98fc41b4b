// ODataReader (traverse-odata/read) reads as ODataClient does (README "Reading only"): the same
// reads, each entry point in a process of its own (so that a reader-only program loads lazily what
// it does not import), against one node:http server; what was sent and what came back must match.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { AddressInfo, Socket } from "node:net";

const book = (id: number) => ({ ID: id, title: `T${id}` });
const v2Book = (base: string, id: number) => ({ __metadata: { uri: `${base}/v2/Books(${id})`, type: "S.Book" }, ID: id, published: "/Date(86400000)/", tags: { results: ["a"] } });
const atomEntry = (base: string, id: number) =>
  `<entry xmlns="http://www.w3.org/2005/Atom" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices"><id>${base}/v2/AtomBooks(${id})</id><category term="S.Book" scheme="http://schemas.microsoft.com/ado/2007/08/dataservices/scheme"/><content type="application/xml"><m:properties><d:ID m:type="Edm.Int32">${id}</d:ID><d:published m:type="Edm.DateTime">1970-01-02T00:00:00</d:published></m:properties></content></entry>`;

let flaky = 0;
function answer(base: string, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url!, base);
  const path = decodeURIComponent(url.pathname);
  const json = (status: number, body: unknown, version = path.startsWith("/v2/") ? "2.0" : "4.0") => {
    res.writeHead(status, { "content-type": "application/json", [version === "2.0" ? "dataserviceversion" : "odata-version"]: version });
    res.end(JSON.stringify(body));
  };
  switch (path) {
    case "/v4/Books":
      return json(200, { "@odata.context": "$metadata#Books", ...(url.searchParams.get("$count") ? { "@odata.count": 2 } : {}), value: [book(1), book(2)] });
    case "/v4/Books/$count":
    case "/v2/Books/$count":
      res.writeHead(200, { "content-type": "text/plain" });
      return void res.end("2");
    case "/v4/Books(1)":
      return json(200, { "@odata.context": "$metadata#Books/$entity", ...book(1) });
    case "/v4/Books(1)/title":
      return json(200, { "@odata.context": "$metadata#Books(1)/title", value: "T1" });
    case "/v4/Books(9)":
      return json(404, { error: { code: "404", message: "no such book" } });
    case "/v4/Html":
    case "/v2/Html":
    case "/v2/Html(1)":
      res.writeHead(502, { "content-type": "text/html" });
      return void res.end("<html><body><h1>Bad gateway</h1></body></html>");
    case "/v4/Err":
      return json(400, { error: { code: "E1", message: "broken query" } });
    case "/v2/Err":
    case "/v2/Err(1)":
      return json(400, { error: { code: "E2", message: { lang: "en", value: "broken v2" } } });
    case "/v4/Missing":
    case "/v2/Missing":
      res.writeHead(404, { "content-type": "text/plain" });
      return void res.end("Not Found");
    case "/v4/Moved":
      res.writeHead(307, { location: `${base}/v4/Books${url.search}` });
      return void res.end();
    case "/v2/Html200":
    case "/v2/Html200(1)":
    case "/v2/Html200(1)/x":
    case "/v2/Html200/$count":
    case "/v4/Html200":
    case "/v4/Html200(1)":
      res.writeHead(200, { "content-type": "text/html" });
      return void res.end("<html><body>Please sign in</body></html>");
    case "/v2/V4Page":
      return json(200, { "@odata.context": "$metadata#Books", value: [book(1)] }, "4.0");
    case "/v2/V4Page(1)":
      return json(200, { "@odata.context": "$metadata#Books/$entity", ...book(1) }, "4.0");
    case "/v4/Auth":
    case "/v4/Auth2":
      return json(200, { value: [{ auth: req.headers.authorization ?? null }] });
    case "/v4/AuthMoved":
      res.writeHead(302, { location: `${base}/v4/Auth` });
      return void res.end();
    case "/token":
      res.writeHead(200, { "content-type": "application/json" });
      return void res.end(JSON.stringify({ access_token: "oauth-tok-987654321", token_type: "Bearer", expires_in: 3600 }));
    case "/v2/BadJson":
    case "/v2/BadJson(1)":
    case "/v4/BadJson":
      res.writeHead(200, { "content-type": "application/json" });
      return void res.end(path.startsWith("/v2/") ? '{"d":{"results":[{"ID":1},' + "}" : '{"value":[{"ID":1},}');
    case "/v2/Cut":
      res.writeHead(200, { "content-type": "application/json", "content-length": "500" });
      res.write('{"d":{"results":[{"ID":1,"published":"/Date(0)/"},{"ID":2');
      return void setTimeout(() => res.destroy(), 20);
    case "/v2/Me0":
      res.writeHead(204);
      return void res.end();
    case "/v2/Slow(1)":
    case "/v4/Slow":
      return; // never answers; the client's timeout or signal ends the call
    case "/v2/Books":
      if (url.searchParams.get("$expand") === "author") {
        return json(200, { d: { results: [{ ...v2Book(base, 1), author: { __metadata: { uri: `${base}/v2/Authors(7)`, type: "S.Author" }, ID: 7, born: "/Date(0)/" } }] } });
      }
      return json(200, { d: { ...(url.searchParams.get("$inlinecount") ? { __count: "2" } : {}), results: [v2Book(base, 1), v2Book(base, 2)] } });
    case "/v2/Books(1)":
      return json(200, { d: v2Book(base, 1) });
    case "/v2/Books(1)/published":
      return json(200, { d: { published: "/Date(86400000)/" } });
    case "/v2/Books(1)/tags":
      return json(200, { d: { tags: { results: ["a", "b"] } } });
    case "/v2/Books(1)/published/$value":
      res.writeHead(200, { "content-type": "text/plain" });
      return void res.end("1970-01-02T00:00:00");
    case "/v2/Books(1)/author":
      return json(200, { d: { results: [{ __metadata: { uri: `${base}/v2/Authors(7)`, type: "S.Author" }, ID: 7, born: "/Date(0)/" }] } });
    case "/v2/Books(1)/editor":
      return json(200, { d: { __metadata: { uri: `${base}/v2/Authors(8)`, type: "S.Author" }, ID: 8, born: "/Date(0)/" } });
    case "/v2/Paged":
      if (url.searchParams.get("$skiptoken") === "2") return json(200, { d: { results: [v2Book(base, 2)] } });
      return json(200, { d: { __count: "2", results: [v2Book(base, 1)], __next: `${base}/v2/Paged?$skiptoken=2` } });
    case "/v4/Paged":
      if (url.searchParams.get("$skiptoken") === "2") return json(200, { value: [book(2)] });
      return json(200, { value: [book(1)], "@odata.nextLink": `${base}/v4/Paged?$skiptoken=2` });
    case "/v4/Me":
      return json(200, { ID: 5 });
    case "/v4/Me0":
      res.writeHead(204);
      return void res.end();
    case "/v4/Flaky":
      if (++flaky % 2 === 1) { res.writeHead(503, { "retry-after": "0" }); return void res.end(); }
      return json(200, { value: [book(3)] });
    case "/v4/Pending":
      res.writeHead(202, { location: `${base}/v4/Monitor` });
      return void res.end();
    case "/v4/$metadata":
      res.writeHead(200, { "content-type": "application/xml" });
      return void res.end(`<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0"><edmx:DataServices><Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="S"><EntityType Name="Book"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/></EntityType><EntityContainer Name="C"><EntitySet Name="Books" EntityType="S.Book"/></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`);
    case "/v4/Delta":
      return json(200, { "@odata.context": "$metadata#Books/$delta", value: [book(1), { "@odata.context": "$metadata#Books/$deletedEntity", id: "Books(2)", reason: "deleted" }], "@odata.deltaLink": `${base}/v4/Delta?$deltatoken=9` });
    case "/v2/AtomBooks":
      res.writeHead(200, { "content-type": "application/atom+xml;type=feed", dataserviceversion: "2.0" });
      return void res.end(`<feed xmlns="http://www.w3.org/2005/Atom"><id>${base}/v2/AtomBooks</id>${atomEntry(base, 1).replace(' xmlns="http://www.w3.org/2005/Atom"', "")}</feed>`.replace("<feed ", `<feed xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" `));
    case "/v2/AtomBooks(1)":
      res.writeHead(200, { "content-type": "application/atom+xml;type=entry", dataserviceversion: "2.0" });
      return void res.end(atomEntry(base, 1));
  }
  res.writeHead(599, { "content-type": "text/plain" });
  res.end(`unexpected ${path}`);
}

test("ODataReader and ODataClient send the same requests and give the same results and errors", async () => {
  const wire: string[] = [];
  const sockets = new Set<Socket>();
  let base = "";
  const server = createServer((req, res) => {
    const { host, connection, ...headers } = req.headers;
    wire.push(`${req.method} ${req.url} ${JSON.stringify(Object.entries(headers).sort())}`);
    answer(base, req, res);
  });
  server.on("connection", (s) => { sockets.add(s); s.on("close", () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const child = fileURLToPath(new URL("./hunt41c-reader-parity.child.ts", import.meta.url));
  const run = (which: string) =>
    new Promise<{ results: Record<string, unknown>; wire: string[]; log: string[] }>((resolve, reject) => {
      wire.length = 0;
      execFile(process.execPath, ["--import", "tsx", child, which, base], { timeout: 60_000, env: { ...process.env, NODE_DEBUG: "traverse-odata" } }, (error, stdout, stderr) => {
        if (error) return reject(new Error(`${which}: ${error.message}\n${stderr}`));
        resolve({ results: JSON.parse(stdout.trim().split("\n").at(-1)!), wire: [...wire], log: stderr.split("\n").map((line) => line.replaceAll(/\d+ ?ms\b/g, "N ms")) });
      });
    });
  try {
    const client = await run("client");
    const reader = await run("reader");
    // The client's answers are the reference; spot checks that the reads did what they should.
    assert.deepEqual(client.results["v4.countAll"], { ok: 2 });
    assert.deepEqual((client.results["v2.first"] as any).ok?.ID, 1);
    for (const name of Object.keys(client.results)) assert.deepEqual(reader.results[name], client.results[name], name);
    assert.deepEqual(reader.wire, client.wire);
    // The wire log of NODE_DEBUG=traverse-odata (on stderr): the same lines, numbered alike.
    assert.ok(client.log.some((line) => line.startsWith("traverse-odata #1 > GET ")));
    assert.deepEqual(reader.log, client.log);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});
