/**
 * `client.asyncPoller(statusUrl)` on a Microsoft Graph client, handed the monitor's path as Graph
 * sends it in the `Location` of `POST /v1.0/teams` (`/teams('…')/operations('…')`, from the host,
 * meant below the version root). README: "Relative URLs resolve against `serviceUrl`", and on Graph's
 * hosts a path from the host that names no version is read below the version, as a `Location` from
 * Graph is (test/graph-location-monitor.test.ts). Resolved by RFC 3986 alone, the poller went to
 * `https://graph.microsoft.com/teams('…')/…`, which Graph refuses with 400 "Invalid version".
 *
 * The rule's edges (another host written `//host` or `/\host`, an absolute URL, a relative path, a
 * host that only looks like Graph's, a root without a version, a path that names one) are tested
 * here through `asyncPoller`, one rule for `Location` answers and for monitors a caller hands over.
 *
 * Graph's hosts are reached over real HTTP: the client's `fetch` sends every request to a
 * node:http server on 127.0.0.1 (test/hosts-on-loopback.ts), which records the URL asked.
 */
import { describe, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ODataClient, type AsyncPollerToken } from "../src/index.js";
import { hostsOnLoopback } from "./hosts-on-loopback.js";

const TEAM = "dbd8de4f-5d47-48da-87f1-594bed003375";
const OPERATION = "3a6fdce1-c261-48bc-89de-1cfef658c0d5";
/** The monitor's path as Graph's `Location` gives it ("Create team"). */
const GRAPH_LOCATION = `/teams('${TEAM}')/operations('${OPERATION}')`;
const FAST = { pollInterval: 1, maxWait: 5_000 };

const OPERATION_BODY = { id: OPERATION, operationType: "createTeam", targetResourceId: TEAM, targetResourceLocation: `/teams('${TEAM}')` };

interface Seen {
  asked: string[];
  /** The `Authorization` each request to the server carried, in order. */
  authorization: (string | undefined)[];
  fetch: typeof fetch;
}

/**
 * Graph as it answers a monitor: a path without a known version is refused with 400 "Invalid
 * version"; the operation is `inProgress` at the first poll and `succeeded` after.
 */
async function graph(t: TestContext, version: string): Promise<Seen> {
  const polls = new Map<string, number>();
  const authorization: (string | undefined)[] = [];
  const hosts = await hostsOnLoopback(t, (request: IncomingMessage, response: ServerResponse, { url }) => {
    authorization.push(request.headers.authorization);
    const path = decodeURIComponent(url.pathname);
    response.setHeader("content-type", "application/json");
    if (!path.startsWith(`/${version}/`)) {
      response.writeHead(400).end(JSON.stringify({ error: { code: "BadRequest", message: `Invalid version: ${path.slice(1)}` } }));
      return;
    }
    const seen = (polls.get(path) ?? 0) + 1;
    polls.set(path, seen);
    response.writeHead(200).end(JSON.stringify({ ...OPERATION_BODY, status: seen < 2 ? "inProgress" : "succeeded" }));
  });
  return { ...hosts, authorization };
}

describe("asyncPoller() on a Graph client, given the monitor's path from the host", { concurrency: true }, () => {
  test("polls /v1.0/teams('…')/operations('…') on graph.microsoft.com, with the client's credentials, and gives the succeeded operation", async (t) => {
    const hosts = await graph(t, "v1.0");
    const client = new ODataClient({ serviceUrl: "https://graph.microsoft.com/v1.0/", fetch: hosts.fetch, auth: { bearer: () => "graph-token" } });
    const poller = client.asyncPoller(GRAPH_LOCATION, FAST);
    const monitor = `https://graph.microsoft.com/v1.0${GRAPH_LOCATION}`;
    assert.equal(poller.statusUrl, monitor);
    assert.deepEqual(await poller.wait(), { ...OPERATION_BODY, status: "succeeded" });
    assert.deepEqual(hosts.asked, [`GET ${monitor}`, `GET ${monitor}`]);
    assert.deepEqual(hosts.authorization, ["Bearer graph-token", "Bearer graph-token"]);
  });

  test("the national clouds' hosts and the beta version: the monitor is polled below the service URL's version", async (t) => {
    for (const host of ["graph.microsoft.us", "dod-graph.microsoft.us", "microsoftgraph.chinacloudapi.cn"]) {
      const hosts = await graph(t, "beta");
      const client = new ODataClient({ serviceUrl: `https://${host}/beta/`, fetch: hosts.fetch });
      const poller = client.asyncPoller(GRAPH_LOCATION, FAST);
      assert.equal(await poller.poll(), true, host);
      assert.equal(await poller.poll(), false, host);
      assert.deepEqual(hosts.asked, [`GET https://${host}/beta${GRAPH_LOCATION}`, `GET https://${host}/beta${GRAPH_LOCATION}`]);
    }
  });

  test("the poller's token keeps the monitor below /v1.0: resumeAsync polls it there", async (t) => {
    const hosts = await graph(t, "v1.0");
    const client = new ODataClient({ serviceUrl: "https://graph.microsoft.com/v1.0/", fetch: hosts.fetch });
    const token = JSON.parse(JSON.stringify(client.asyncPoller(GRAPH_LOCATION, FAST).toJSON())) as AsyncPollerToken;
    assert.equal(token.statusUrl, `https://graph.microsoft.com/v1.0${GRAPH_LOCATION}`);
    const resumed = client.resumeAsync(token, FAST);
    assert.deepEqual(await resumed.wait(), { ...OPERATION_BODY, status: "succeeded" });
    assert.deepEqual(hosts.asked, [`GET https://graph.microsoft.com/v1.0${GRAPH_LOCATION}`, `GET https://graph.microsoft.com/v1.0${GRAPH_LOCATION}`]);
  });
});

describe("the rule's edges, through asyncPoller: what Graph's rule leaves as RFC 3986 reads it", { concurrency: true }, () => {
  /** Polls `statusUrl` once on a client of `serviceUrl`; the URL the poller names and the requests the server saw. */
  async function pollOnce(t: TestContext, serviceUrl: string, statusUrl: string): Promise<{ statusUrl: string; asked: string[] }> {
    const hosts = await hostsOnLoopback(t, (_request, response) => {
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "succeeded" }));
    });
    const poller = new ODataClient({ serviceUrl, fetch: hosts.fetch }).asyncPoller(statusUrl, FAST);
    assert.equal(await poller.poll(), false);
    return { statusUrl: poller.statusUrl, asked: hosts.asked };
  }

  test("on Graph, what is no path from the host is resolved as it stands: another host (//, /\\), an absolute URL, a relative path, a query", async (t) => {
    const root = "https://graph.microsoft.com/v1.0/";
    for (const [statusUrl, polled] of [
      ["//evil.example/x", "https://evil.example/x"],
      ["/\\evil.example/x", "https://evil.example/x"],
      ["https://graph.microsoft.com/teams('1')", "https://graph.microsoft.com/teams('1')"],
      ["operations('1')", "https://graph.microsoft.com/v1.0/operations('1')"],
      ["?a=1", "https://graph.microsoft.com/v1.0/?a=1"],
    ] as const) {
      assert.deepEqual(await pollOnce(t, root, statusUrl), { statusUrl: polled, asked: [`GET ${polled}`] }, statusUrl);
    }
  });

  test("on Graph, a path that names a version (/v1.0, /beta/…, /V1.0/…) is taken as it is", async (t) => {
    const root = "https://graph.microsoft.com/v1.0/";
    for (const [statusUrl, polled] of [
      ["/v1.0", "https://graph.microsoft.com/v1.0"],
      [`/beta${GRAPH_LOCATION}?$x=1`, `https://graph.microsoft.com/beta${GRAPH_LOCATION}?$x=1`],
      ["/V1.0/teams('1')", "https://graph.microsoft.com/V1.0/teams('1')"],
    ] as const) {
      assert.deepEqual(await pollOnce(t, root, statusUrl), { statusUrl: polled, asked: [`GET ${polled}`] }, statusUrl);
    }
  });

  test("a path from the host keeps to the host's root off Graph's hosts, and on Graph where the service URL names no version", async (t) => {
    for (const [root, polled] of [
      ["https://api.example.com/v1.0/", "https://api.example.com/jobs/1"],
      ["https://graph.microsoft.com.example.net/v1.0/", "https://graph.microsoft.com.example.net/jobs/1"],
      ["https://graph.microsoft.com/", "https://graph.microsoft.com/jobs/1"],
      ["https://graph.microsoft.com/teams/", "https://graph.microsoft.com/jobs/1"],
    ] as const) {
      assert.deepEqual(await pollOnce(t, root, "/jobs/1"), { statusUrl: polled, asked: [`GET ${polled}`] }, root);
    }
  });
});
