// A page carries the collection's other instance annotations (`page.annotations`), by name as
// sent: Dataverse pages a FetchXML query with `@Microsoft.Dynamics.CRM.fetchxmlpagingcookie` and
// `@Microsoft.Dynamics.CRM.morerecords` instead of a next link, so without them `page()` and
// `pages()` gave no sign that more records exist. Against node:http servers on 127.0.0.1.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { DEFAULT_BUFFER_LIMIT } from "../src/payload/collection-body.js";
import { sendJson, serveClient, type RecordedRequest } from "./servers/recording-server.js";

const CRM = "@Microsoft.Dynamics.CRM.";

interface Account {
  accountid: string;
  name: string;
}

const ACCOUNTS: Account[] = ["A1", "A2", "A3", "A4", "A5"].map((name) => ({ accountid: name.toLowerCase(), name }));

function xmlEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function xmlUnescape(text: string): string {
  return text.replace(/&quot;/g, '"').replace(/&gt;/g, ">").replace(/&lt;/g, "<").replace(/&amp;/g, "&");
}

/**
 * A Dataverse-like `accounts` set that pages FetchXML by paging cookie, two rows a page: no next
 * link; the cookie (its `pagingcookie` attribute URL-encoded twice, as Dataverse sends it) names
 * the last row sent, and the next request's `paging-cookie` must give it back. The annotations
 * come before `value`, as Dataverse writes them.
 */
function fetchXmlService(request: RecordedRequest, res: ServerResponse, root: string): void {
  const fetch = new URL(request.path, "http://x").searchParams.get("fetchXml") ?? "";
  const page = Number(/ page="(\d+)"/.exec(fetch)?.[1] ?? "1");
  const cookie = / paging-cookie="([^"]*)"/.exec(fetch)?.[1];
  const last = cookie === undefined ? undefined : /last="\{([^}]*)\}"/.exec(xmlUnescape(cookie))?.[1];
  const start = last === undefined ? 0 : ACCOUNTS.findIndex((account) => account.accountid === last) + 1;
  const rows = ACCOUNTS.slice(start, start + 2);
  const more = start + 2 < ACCOUNTS.length;
  const body: Record<string, unknown> = {
    "@odata.context": `${root}$metadata#accounts(name,accountid)`,
    [`${CRM}totalrecordcount`]: ACCOUNTS.length,
    [`${CRM}totalrecordcountlimitexceeded`]: false,
  };
  if (more) {
    const inner = `<cookie page="${page}"><accountid last="{${rows[1]!.accountid}}" first="{${rows[0]!.accountid}}" /></cookie>`;
    body[`${CRM}fetchxmlpagingcookie`] = `<cookie pagenumber="${page + 1}" pagingcookie="${encodeURIComponent(encodeURIComponent(inner))}" istracking="False" />`;
  }
  body[`${CRM}morerecords`] = more;
  body["value"] = rows;
  sendJson(res, 200, body);
}

/** The FetchXML of the page after the one whose annotations are given, as a caller builds it; none after the last. */
function nextFetchXml(fetch: string, annotations: Record<string, unknown> | undefined): string | undefined {
  if (annotations?.[`${CRM}morerecords`] !== true) return undefined;
  const cookie = String(annotations[`${CRM}fetchxmlpagingcookie`]);
  const page = /pagenumber="(\d+)"/.exec(cookie)![1]!;
  const paging = decodeURIComponent(decodeURIComponent(/pagingcookie="([^"]*)"/.exec(cookie)![1]!));
  return fetch.replace(/<fetch [^>]*>/, `<fetch count="2" page="${page}" paging-cookie="${xmlEscape(paging)}">`);
}

test("page() gives Dataverse's FetchXML paging annotations, from which the caller reads every page by cookie", async (t) => {
  let root = "";
  const served = await serveClient(t, (request, res) => fetchXmlService(request, res, root), {
    headers: { Prefer: 'odata.include-annotations="*"' },
  }, "api/data/v9.2/");
  root = served.root;
  const { server, client } = served;
  const first = '<fetch count="2" page="1"><entity name="account"><attribute name="name"/><order attribute="accountid"/></entity></fetch>';

  const seen: Account[] = [];
  const annotationsSeen: Array<Record<string, unknown> | undefined> = [];
  for (let fetch: string | undefined = first; fetch !== undefined; ) {
    const page = await client.collection<Account>("accounts").param("fetchXml", fetch).page();
    assert.equal(page.nextLink, undefined, "FetchXML pages have no next link");
    seen.push(...page.value);
    annotationsSeen.push(page.annotations);
    fetch = nextFetchXml(fetch, page.annotations);
  }

  assert.deepEqual(seen, ACCOUNTS);
  // What came back: every page's annotations as sent, `@odata.context` not among them.
  const inner = '<cookie page="1"><accountid last="{a2}" first="{a1}" /></cookie>';
  assert.deepEqual(annotationsSeen[0], {
    [`${CRM}totalrecordcount`]: 5,
    [`${CRM}totalrecordcountlimitexceeded`]: false,
    [`${CRM}fetchxmlpagingcookie`]: `<cookie pagenumber="2" pagingcookie="${encodeURIComponent(encodeURIComponent(inner))}" istracking="False" />`,
    [`${CRM}morerecords`]: true,
  });
  assert.equal(annotationsSeen[2]?.[`${CRM}morerecords`], false);
  assert.equal(annotationsSeen[2]?.[`${CRM}fetchxmlpagingcookie`], undefined);
  // What was sent: three GETs, each after the first with the page number and the cookie of the page before.
  const fetches = server.requests.map((request) => new URL(request.path, "http://x").searchParams.get("fetchXml"));
  assert.equal(fetches.length, 3);
  assert.equal(fetches[0], first);
  assert.match(fetches[1]!, /^<fetch count="2" page="2" paging-cookie="&lt;cookie page=&quot;1&quot;&gt;&lt;accountid last=&quot;\{a2\}&quot; first=&quot;\{a1\}&quot; \/&gt;&lt;\/cookie&gt;">/);
  assert.match(fetches[2]!, /^<fetch count="2" page="3" paging-cookie="&lt;cookie page=&quot;2&quot;&gt;&lt;accountid last=&quot;\{a4\}&quot;/);
  for (const request of server.requests) assert.equal(request.headers["prefer"], 'odata.include-annotations="*"');

  // pages() gives the same: one page (no next link), its annotations saying more records exist.
  const pages = [];
  for await (const page of client.collection<Account>("accounts").param("fetchXml", first).pages()) pages.push(page);
  assert.equal(pages.length, 1);
  assert.deepEqual(pages[0]!.value, ACCOUNTS.slice(0, 2));
  assert.equal(pages[0]!.annotations?.[`${CRM}morerecords`], true);
});

test("annotations after value are read too, values as parsed, each page its own, beside nextLink and count", async (t) => {
  const { server, client, root } = await serveClient(t, (request, res) => {
    const second = request.path.includes("skiptoken");
    sendJson(res, 200, {
      "@odata.context": "$metadata#Books",
      "@odata.metadataEtag": 'W/"m1"',
      "@odata.count": 3,
      value: second ? [{ ID: 3 }] : [{ ID: 1 }, { ID: 2 }],
      ...(second ? {} : { "@odata.nextLink": "Books?$skiptoken=2" }),
      "@Org.Paging.cursor": { after: second ? 3 : 2, sort: ["ID"] },
      "@Org.Paging.note": null,
      trailer: "not an annotation",
    });
  });
  const pages = [];
  for await (const page of client.collection("Books").count().pages()) pages.push(page);
  assert.deepEqual(pages, [
    {
      value: [{ ID: 1 }, { ID: 2 }],
      nextLink: `${root}Books?$skiptoken=2`,
      count: 3,
      annotations: { "@Org.Paging.cursor": { after: 2, sort: ["ID"] }, "@Org.Paging.note": null },
    },
    { value: [{ ID: 3 }], count: 3, annotations: { "@Org.Paging.cursor": { after: 3, sort: ["ID"] }, "@Org.Paging.note": null } },
  ]);
  assert.deepEqual(
    server.requests.map((request) => request.path),
    ["/odata/Books?$count=true", "/odata/Books?$skiptoken=2"],
  );
  // list() still gives entities only.
  assert.deepEqual(await client.collection("Books").list(), [{ ID: 1 }, { ID: 2 }, { ID: 3 }]);
});

test("a page without other annotations has no annotations field, even after a page that had them", async (t) => {
  const { client, root } = await serveClient(t, (request, res) => {
    if (request.path.includes("skiptoken")) sendJson(res, 200, { "@odata.context": "$metadata#Books", value: [{ ID: 2 }] });
    else sendJson(res, 200, { "@odata.context": "$metadata#Books", "@Org.more": true, value: [{ ID: 1 }], "@odata.nextLink": "Books?$skiptoken=1" });
  });
  const pages = [];
  for await (const page of client.collection("Books").pages()) pages.push(page);
  assert.deepEqual(pages[0], { value: [{ ID: 1 }], nextLink: `${root}Books?$skiptoken=1`, annotations: { "@Org.more": true } });
  assert.deepEqual(pages[1], { value: [{ ID: 2 }] });
  assert.equal("annotations" in pages[1]!, false);
});

test("a page too large to be parsed whole, read piece by piece, still gives the annotations before and after value", { timeout: 60_000 }, async (t) => {
  // Rows of about 300 characters, enough of them that the body outgrows the reader's buffer and
  // is scanned as it arrives.
  const filler = "x".repeat(280);
  const rowCount = Math.ceil((DEFAULT_BUFFER_LIMIT * 1.25) / 300);
  let releaseTrailer!: () => void;
  const trailerReleased = new Promise<void>((resolve) => (releaseTrailer = resolve));
  let sent = 0;
  const { client } = await serveClient(t, async (request, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.write(`{"@odata.context":"$metadata#Items","${CRM}totalrecordcount":${rowCount},"value":[`);
    for (let at = 0; at < rowCount; at += 1000) {
      const rows = [];
      for (let id = at; id < Math.min(at + 1000, rowCount); id++) rows.push(JSON.stringify({ ID: id, Text: filler }));
      const text = (at === 0 ? "" : ",") + rows.join(",");
      sent += text.length;
      if (!res.write(text)) await new Promise((resolve) => res.once("drain", resolve));
    }
    res.write("]");
    // The stream() reading below waits here: its first entity must reach the caller before the
    // body's end is sent, which shows the page is not held whole.
    if (request.path.includes("stream")) await trailerReleased;
    res.end(`,"${CRM}morerecords":true,"${CRM}fetchxmlpagingcookie":"<cookie pagenumber=\\"2\\" />"}`);
  });

  const page = await client.collection<{ ID: number }>("Items").page();
  assert.ok(sent > DEFAULT_BUFFER_LIMIT, `the body (${sent} characters) outgrows the buffer (${DEFAULT_BUFFER_LIMIT})`);
  assert.equal(page.value.length, rowCount);
  assert.equal(page.value.at(-1)!.ID, rowCount - 1);
  assert.deepEqual(page.annotations, {
    [`${CRM}totalrecordcount`]: rowCount,
    [`${CRM}morerecords`]: true,
    [`${CRM}fetchxmlpagingcookie`]: '<cookie pagenumber="2" />',
  });

  // Entities are still handed on as they arrive: the first comes before the body has ended.
  const stream = client.collection<{ ID: number }>("Items").param("stream", "1").stream();
  const first = await stream.next();
  assert.deepEqual(first.value, { ID: 0, Text: filler });
  releaseTrailer();
  let count = 1;
  for await (const _ of stream) count++;
  assert.equal(count, rowCount);
});

test("a $batch page part gives the annotations as page() does", async (t) => {
  const body = { "@odata.context": "$metadata#Books", value: [{ ID: 1 }], [`${CRM}morerecords`]: false };
  const { client } = await serveClient(t, (request, res) => {
    const text = ["--r", "Content-Type: application/http", "Content-Transfer-Encoding: binary", "", "HTTP/1.1 200 OK", "Content-Type: application/json", "", JSON.stringify(body), "--r--", ""].join("\r\n");
    res.writeHead(200, { "content-type": "multipart/mixed; boundary=r" });
    res.end(text);
  });
  const batch = client.batch({ format: "multipart" });
  const handle = batch.page(client.collection("Books"));
  await batch.send();
  const result = handle.result();
  assert.ok(result.ok, result.ok ? "" : result.error.message);
  assert.deepEqual(result.value, { value: [{ ID: 1 }], annotations: { [`${CRM}morerecords`]: false } });
});

test("the annotations of a page read piece by piece are bounded together, as one entity is", async () => {
  // Kept until the body ends while its entities are handed on, they must not fill memory: beyond
  // 64 Mi characters together the body is refused. Each annotation alone is well within the bound.
  const { CollectionScanner } = await import("../src/payload/collection-scanner.js");
  const scanner = new CollectionScanner("v4");
  const out: unknown[][] = [];
  const value = JSON.stringify("y".repeat(1024 * 1024));
  scanner.push('{"value":[{"ID":1}]', out);
  assert.throws(
    () => {
      for (let index = 0; index < 80; index++) scanner.push(`,"@Org.note${index}":${value}`, out);
    },
    (error: unknown) => {
      assert.ok(error instanceof Error && "code" in error && error.code === "BAD_PAYLOAD", String(error));
      assert.match(error.message, /annotations come to more than 67108864 characters together \(the last from character offset \d+\)/);
      return true;
    },
  );
  assert.deepEqual(out.flat(), [{ ID: 1 }]);
});
