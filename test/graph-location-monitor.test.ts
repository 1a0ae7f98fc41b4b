/**
 * Microsoft Graph's status monitor `Location`: `POST /v1.0/teams` and `POST /v1.0/teams/{id}/archive`
 * answer `202` with `Location: /teams('…')/operations('…')`, a path from the host that Graph means
 * below its version root (learn.microsoft.com "Create team", "teamsAsyncOperation"). Read by RFC
 * 3986 alone it lost `/v1.0`: the poll went to `/teams('…')`, which Graph refuses (400 "Invalid
 * version") while the team was made, so a retry made a second one. The rule holds for Graph's hosts
 * only; any other service's path-absolute monitor is still at its host's root.
 * The rule's edges (`//host`, `/\host`, a lookalike host, a root without a version) are tested
 * through `client.asyncPoller()`, which reads a path it is given by the same rule
 * (test/graph-poller-monitor-path.test.ts).
 *
 * Graph's hosts are reached for real over HTTP: the client's `fetch` sends every request for them
 * to a node:http server on 127.0.0.1 (same path and query) and records the URL it was asked for;
 * the answer keeps that URL, as the real `fetch` would give it.
 */
import { describe, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ODataClient } from "../src/index.js";
import { hostsOnLoopback as loopback } from "./hosts-on-loopback.js";

const TEAM = "dbd8de4f-5d47-48da-87f1-594bed003375";
const OPERATION = "3a6fdce1-c261-48bc-89de-1cfef658c0d5";
/** The `Location` Graph sends, as its "Create team" page shows it. */
const GRAPH_LOCATION = `/teams('${TEAM}')/operations('${OPERATION}')`;
const MONITOR_PATH = `/v1.0${GRAPH_LOCATION}`;
/** Polls at once; a poller that goes astray fails the test in seconds, not at the default ten minutes. */
const FAST = { pollInterval: 1, maxWait: 5_000 };

type Handler = (request: IncomingMessage, url: URL, response: ServerResponse) => void;

/** {@link loopback} with the handler this file's services are written for. */
function hostsOnLoopback(t: TestContext, handle: Handler) {
  return loopback(t, (request, response, { url }) => handle(request, url, response));
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(JSON.stringify(body));
}

/**
 * Graph as it answers: a path without a known version is refused with 400 "Invalid version"; a
 * team's creation and its archiving answer 202 with the monitor's path from the host; the monitor
 * says `inProgress` once, then `succeeded`. `location` overrides the 202's `Location`.
 */
function graph(version = "v1.0", location = GRAPH_LOCATION): Handler {
  const polls = new Map<string, number>();
  return (request, url, response) => {
    const path = decodeURIComponent(url.pathname);
    if (!path.startsWith(`/${version}/`)) {
      json(response, 400, { error: { code: "BadRequest", message: `Invalid version: ${path.slice(1)}` } });
      return;
    }
    const below = path.slice(version.length + 1);
    if (request.method === "POST" && (below === "/teams" || below === `/teams('${TEAM}')/microsoft.graph.archive`)) {
      response.writeHead(202, { location, "content-location": `/teams('${TEAM}')`, "content-length": "0" });
      response.end();
      return;
    }
    if (request.method === "GET" && below.includes("/operations(")) {
      const seen = (polls.get(below) ?? 0) + 1;
      polls.set(below, seen);
      json(response, 200, {
        id: OPERATION,
        operationType: below.startsWith(`/teams('${TEAM}')`) ? "createTeam" : "archiveTeam",
        status: seen < 2 ? "inProgress" : "succeeded",
        targetResourceId: TEAM,
        targetResourceLocation: `/teams('${TEAM}')`,
      });
      return;
    }
    json(response, 404, { error: { code: "NotFound", message: path } });
  };
}

const SUCCEEDED = {
  id: OPERATION,
  operationType: "createTeam",
  status: "succeeded",
  targetResourceId: TEAM,
  targetResourceLocation: `/teams('${TEAM}')`,
};
const NEW_TEAM = { "template@odata.bind": "https://graph.microsoft.com/v1.0/teamsTemplates('standard')", displayName: "My Sample Team" };

describe("Microsoft Graph's monitor Location, a path below its version root", { concurrency: true }, () => {
  test("createAsync(team).wait() polls /v1.0/teams('…')/operations('…') on graph.microsoft.com and gives the succeeded operation", async (t) => {
    const hosts = await hostsOnLoopback(t, graph());
    const client = new ODataClient({ serviceUrl: "https://graph.microsoft.com/v1.0/", fetch: hosts.fetch });
    const poller = await client.collection("teams").createAsync(NEW_TEAM, FAST);
    assert.equal(poller.statusUrl, `https://graph.microsoft.com${MONITOR_PATH}`);
    assert.deepEqual(await poller.wait(), SUCCEEDED);
    assert.deepEqual(hosts.asked, [
      "POST https://graph.microsoft.com/v1.0/teams",
      `GET https://graph.microsoft.com${MONITOR_PATH}`,
      `GET https://graph.microsoft.com${MONITOR_PATH}`,
    ]);
  });

  test("action('archive').invokeAsync().wait() on a team polls its monitor below /v1.0 and succeeds", async (t) => {
    const hosts = await hostsOnLoopback(t, graph());
    const client = new ODataClient({ serviceUrl: "https://graph.microsoft.com/v1.0/", fetch: hosts.fetch });
    const archive = client.collection("teams").key(TEAM).action("archive", { namespace: "microsoft.graph" });
    const poller = await archive.invokeAsync({}, FAST);
    assert.deepEqual(await poller.wait(), SUCCEEDED);
    assert.deepEqual(hosts.asked, [
      `POST https://graph.microsoft.com/v1.0/teams('${TEAM}')/microsoft.graph.archive`,
      `GET https://graph.microsoft.com${MONITOR_PATH}`,
      `GET https://graph.microsoft.com${MONITOR_PATH}`,
    ]);
  });

  test("invoke() answered 202 names the monitor below /v1.0 in ASYNC_OPERATION_PENDING", async (t) => {
    const hosts = await hostsOnLoopback(t, graph());
    const client = new ODataClient({ serviceUrl: "https://graph.microsoft.com/v1.0/", fetch: hosts.fetch });
    const archive = client.collection("teams").key(TEAM).action("archive", { namespace: "microsoft.graph" });
    await assert.rejects(archive.invoke({}), (error: Error & { code?: string }) => {
      assert.equal(error.code, "ASYNC_OPERATION_PENDING");
      assert.ok(error.message.includes(`The monitor: https://graph.microsoft.com${MONITOR_PATH}`), error.message);
      return true;
    });
  });

  test("create(team) answered 202 names the monitor below /v1.0 in ASYNC_OPERATION_PENDING", async (t) => {
    const hosts = await hostsOnLoopback(t, graph());
    const client = new ODataClient({ serviceUrl: "https://graph.microsoft.com/v1.0/", fetch: hosts.fetch });
    await assert.rejects(client.collection("teams").create(NEW_TEAM), (error: Error & { code?: string }) => {
      assert.equal(error.code, "ASYNC_OPERATION_PENDING");
      assert.ok(error.message.includes(`https://graph.microsoft.com${MONITOR_PATH}`), error.message);
      return true;
    });
    assert.deepEqual(hosts.asked, ["POST https://graph.microsoft.com/v1.0/teams"]);
  });

  test("the national clouds' hosts and the beta version: the monitor is polled below the request's version", async (t) => {
    for (const host of ["graph.microsoft.us", "dod-graph.microsoft.us", "microsoftgraph.chinacloudapi.cn"]) {
      const hosts = await hostsOnLoopback(t, graph("beta"));
      const client = new ODataClient({ serviceUrl: `https://${host}/beta/`, fetch: hosts.fetch });
      const poller = await client.collection("teams").createAsync(NEW_TEAM, FAST);
      assert.deepEqual(await poller.wait(), SUCCEEDED, host);
      assert.deepEqual(hosts.asked, [
        `POST https://${host}/beta/teams`,
        `GET https://${host}/beta${GRAPH_LOCATION}`,
        `GET https://${host}/beta${GRAPH_LOCATION}`,
      ]);
    }
  });

  test("a monitor's own 202 naming the next monitor by a path from the host is polled below /v1.0 too", async (t) => {
    const next = `/teams('${TEAM}')/operations('next')`;
    let first = true;
    // The 202 of the POST names its monitor with the version, so that only the monitor's 202 needs the rule.
    const rest = graph("v1.0", MONITOR_PATH);
    const hosts = await hostsOnLoopback(t, (request, url, response) => {
      if (request.method === "GET" && url.pathname === encodeURI(MONITOR_PATH) && first) {
        first = false;
        response.writeHead(202, { location: next, "content-length": "0" });
        response.end();
        return;
      }
      rest(request, url, response);
    });
    const client = new ODataClient({ serviceUrl: "https://graph.microsoft.com/v1.0/", fetch: hosts.fetch });
    const poller = await client.collection("teams").createAsync(NEW_TEAM, FAST);
    await poller.wait();
    assert.deepEqual(hosts.asked, [
      "POST https://graph.microsoft.com/v1.0/teams",
      `GET https://graph.microsoft.com${MONITOR_PATH}`,
      `GET https://graph.microsoft.com/v1.0${next}`,
      `GET https://graph.microsoft.com/v1.0${next}`,
    ]);
  });

  test("a Location that already names a version (/v1.0/…, /beta/…) is taken as it is", async (t) => {
    for (const [location, polled] of [
      [MONITOR_PATH, MONITOR_PATH],
      [`/beta${GRAPH_LOCATION}`, `/beta${GRAPH_LOCATION}`],
    ] as const) {
      const hosts = await hostsOnLoopback(t, graph("v1.0", location));
      const client = new ODataClient({ serviceUrl: "https://graph.microsoft.com/v1.0/", fetch: hosts.fetch });
      const poller = await client.collection("teams").createAsync(NEW_TEAM, FAST);
      assert.equal(poller.statusUrl, `https://graph.microsoft.com${polled}`);
    }
  });
});

describe("another service's path-absolute monitor Location is at its host's root (RFC 3986)", { concurrency: true }, () => {
  /** A service below `/odata/v4/catalog/` (or `/v1.0/`) whose monitor is at `/jobs/1` on the host. */
  function jobs(root: string): Handler {
    let polls = 0;
    return (request, url, response) => {
      if (request.method === "POST" && url.pathname === `${root}Exports`) {
        response.writeHead(202, { location: "/jobs/1", "content-length": "0" });
        response.end();
        return;
      }
      if (request.method === "GET" && url.pathname === "/jobs/1") {
        polls += 1;
        json(response, 200, { status: polls < 2 ? "running" : "succeeded", rows: 3 });
        return;
      }
      json(response, 404, { error: { code: "NotFound", message: url.pathname } });
    };
  }

  test("a CAP-like service at /odata/v4/catalog/ on 127.0.0.1: the monitor /jobs/1 is polled at the host's root", async (t) => {
    const handle = jobs("/odata/v4/catalog/");
    const asked: string[] = [];
    const server = createServer((request, response) => {
      asked.push(`${request.method} ${request.url}`);
      request.resume();
      request.on("end", () => handle(request, new URL(request.url ?? "/", "http://loopback"), response));
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    t.after(() => new Promise<void>((done) => { server.closeAllConnections(); server.close(() => done()); }));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = new ODataClient({ serviceUrl: `${origin}/odata/v4/catalog/` });
    const poller = await client.collection("Exports").createAsync({}, FAST);
    assert.equal(poller.statusUrl, `${origin}/jobs/1`);
    assert.deepEqual(await poller.wait(), { status: "succeeded", rows: 3 });
    assert.deepEqual(asked, ["POST /odata/v4/catalog/Exports", "GET /jobs/1", "GET /jobs/1"]);
  });

  test("a service on another host whose root looks like Graph's (/v1.0/): the monitor /jobs/1 is polled at the host's root", async (t) => {
    const hosts = await hostsOnLoopback(t, jobs("/v1.0/"));
    const client = new ODataClient({ serviceUrl: "https://api.example.com/v1.0/", fetch: hosts.fetch });
    const poller = await client.collection("Exports").createAsync({}, FAST);
    assert.deepEqual(await poller.wait(), { status: "succeeded", rows: 3 });
    assert.deepEqual(hosts.asked, [
      "POST https://api.example.com/v1.0/Exports",
      "GET https://api.example.com/jobs/1",
      "GET https://api.example.com/jobs/1",
    ]);
  });
});
