import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, type ODataClientOptions, type PipelineStep } from "../src/index.js";
import { resolveClientOptions } from "../src/options.js";
import { ClientCore } from "../src/core.js";
import { sendJson, serveClient } from "./servers/recording-server.js";

const SERVICE = "https://host.example/odata/v4/catalog/";

/** Builds a client from options that may be deliberately wrong for the type system. */
function clientWith(options: Record<string, unknown>): ODataClient {
  return new ODataClient(options as unknown as ODataClientOptions);
}

/** Asserts that building a client throws `errorClass` whose message names `option` in quotes. */
function assertRejects(options: Record<string, unknown>, errorClass: typeof TypeError | typeof RangeError, option: string): Error {
  let caught: unknown;
  try {
    clientWith(options);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof errorClass, `expected a ${errorClass.name}, got ${String(caught)}`);
  assert.match(caught.message, new RegExp(`"${option.replace(/\./g, "\\.")}"`), `the message names "${option}": ${caught.message}`);
  return caught;
}

const step = (name: string): PipelineStep => ({ name, handle: (request, next) => next(request) });

describe("serviceUrl", () => {
  test("a missing serviceUrl throws a TypeError naming serviceUrl", () => {
    assertRejects({}, TypeError, "serviceUrl");
  });

  test("an empty serviceUrl throws a TypeError naming serviceUrl", () => {
    assertRejects({ serviceUrl: "" }, TypeError, "serviceUrl");
  });

  test("a relative serviceUrl throws a TypeError naming serviceUrl", () => {
    assertRejects({ serviceUrl: "/odata/v4/catalog/" }, TypeError, "serviceUrl");
  });

  test("an ftp: serviceUrl throws a TypeError naming serviceUrl", () => {
    const error = assertRejects({ serviceUrl: "ftp://host.example/odata/" }, TypeError, "serviceUrl");
    assert.match(error.message, /http or https/);
  });

  test("a serviceUrl with user:password throws without quoting the password", () => {
    const error = assertRejects({ serviceUrl: "https://alice:s3cr3t-pw@host.example/odata/" }, TypeError, "serviceUrl");
    assert.doesNotMatch(error.message, /s3cr3t-pw/);
  });

  test("a relative serviceUrl that looks like it holds credentials is not quoted", () => {
    const error = assertRejects({ serviceUrl: "//alice:s3cr3t-pw@host" }, TypeError, "serviceUrl");
    assert.doesNotMatch(error.message, /s3cr3t-pw/);
  });

  test("a serviceUrl with a query throws a TypeError naming serviceUrl", () => {
    assertRejects({ serviceUrl: "https://host.example/odata/?sap-client=100" }, TypeError, "serviceUrl");
  });

  test("a serviceUrl with an empty query or a fragment throws a TypeError naming serviceUrl", () => {
    assertRejects({ serviceUrl: "https://host.example/odata/?" }, TypeError, "serviceUrl");
    assertRejects({ serviceUrl: "https://host.example/odata/#top" }, TypeError, "serviceUrl");
  });

  test("a serviceUrl without a trailing slash gets one", () => {
    const client = new ODataClient({ serviceUrl: "https://host.example/odata/v4/catalog" });
    assert.equal(client.serviceUrl, "https://host.example/odata/v4/catalog/");
  });

  test("a serviceUrl with a trailing slash is kept as it is", () => {
    assert.equal(new ODataClient({ serviceUrl: SERVICE }).serviceUrl, SERVICE);
  });
});

describe("version", () => {
  test("version defaults to 4.0", () => {
    assert.equal(new ODataClient({ serviceUrl: SERVICE }).version, "4.0");
  });

  test("versions 2.0, 4.0 and 4.01 are accepted", () => {
    for (const version of ["2.0", "4.0", "4.01"] as const) {
      assert.equal(new ODataClient({ serviceUrl: SERVICE, version }).version, version);
    }
  });

  test("an unknown version throws a RangeError naming version", () => {
    assertRejects({ serviceUrl: SERVICE, version: "3.0" }, RangeError, "version");
    assertRejects({ serviceUrl: SERVICE, version: 4 }, RangeError, "version");
  });
});

describe("fetch", () => {
  test("a fetch that is not a function throws a TypeError naming fetch", () => {
    assertRejects({ serviceUrl: SERVICE, fetch: "fetch" }, TypeError, "fetch");
    assertRejects({ serviceUrl: SERVICE, fetch: {} }, TypeError, "fetch");
  });

  test("fetch: null throws a TypeError naming fetch instead of falling back to the default", () => {
    assertRejects({ serviceUrl: SERVICE, fetch: null }, TypeError, "fetch");
  });

  test("a custom fetch is the one that sends the requests", async (t) => {
    const calls: string[] = [];
    const countingFetch: typeof fetch = (input, init) => {
      calls.push(String(input));
      return globalThis.fetch(input, init);
    };
    const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 200, { status: "Succeeded" }), { fetch: countingFetch });
    const running = await client.asyncPoller(server.url("odata/monitor/1")).poll();
    assert.equal(running, false);
    assert.deepEqual(calls, [server.url("odata/monitor/1")]);
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0]?.path, "/odata/monitor/1");
  });
});

describe("headers", () => {
  test("headers that are not an object throw a TypeError naming headers", () => {
    assertRejects({ serviceUrl: SERVICE, headers: "x-tenant: a" }, TypeError, "headers");
    assertRejects({ serviceUrl: SERVICE, headers: [["x-tenant", "a"]] }, TypeError, "headers");
  });

  test("a header value that is not a string throws a TypeError naming headers", () => {
    assertRejects({ serviceUrl: SERVICE, headers: { "x-count": 1 } }, TypeError, "headers");
  });

  test("an invalid header name throws a TypeError naming headers", () => {
    assertRejects({ serviceUrl: SERVICE, headers: { "bad name": "a" } }, TypeError, "headers");
    assertRejects({ serviceUrl: SERVICE, headers: { "x:y": "a" } }, TypeError, "headers");
  });

  test("a header value with a line break throws without quoting the value", () => {
    const error = assertRejects({ serviceUrl: SERVICE, headers: { "x-api-key": "k3y\r\nx-evil: 1" } }, TypeError, "headers");
    assert.doesNotMatch(error.message, /k3y/);
  });

  test("a connection-level header such as Transfer-Encoding or Host throws a TypeError naming headers", () => {
    for (const name of ["Transfer-Encoding", "host", "Content-Length", "connection", "upgrade", "expect"]) {
      const error = assertRejects({ serviceUrl: SERVICE, headers: { [name]: "x" } }, TypeError, "headers");
      assert.ok(error.message.includes(name), error.message);
    }
  });

  test("the same header named twice in different case throws a TypeError naming headers", () => {
    assertRejects({ serviceUrl: SERVICE, headers: { "X-Tenant": "a", "x-tenant": "b" } }, TypeError, "headers");
  });

  test("a header value with a character beyond U+00FF throws without quoting the value", () => {
    const error = assertRejects({ serviceUrl: SERVICE, headers: { "x-api-key": "k3y-\u20ac" } }, TypeError, "headers");
    assert.match(error.message, /invalid header "x-api-key"/);
    assert.doesNotMatch(error.message, /k3y/);
  });

  test("a Headers instance throws saying to pass a plain object (its entries are no own properties, so they would be lost)", () => {
    const error = assertRejects({ serviceUrl: SERVICE, headers: new Headers({ "x-tenant": "a" }) }, TypeError, "headers");
    assert.match(error.message, /got a Headers instance \(pass a plain object/);
  });
});

describe("auth", () => {
  test("auth that is not an object throws a TypeError naming auth", () => {
    assertRejects({ serviceUrl: SERVICE, auth: "Bearer abc" }, TypeError, "auth");
    assertRejects({ serviceUrl: SERVICE, auth: null }, TypeError, "auth");
  });

  test("auth with neither bearer nor basic throws a TypeError naming auth", () => {
    assertRejects({ serviceUrl: SERVICE, auth: { token: "abc" } }, TypeError, "auth");
  });

  test("auth with both bearer and basic throws a TypeError naming auth", () => {
    assertRejects({ serviceUrl: SERVICE, auth: { bearer: "abc", basic: { username: "u", password: "p" } } }, TypeError, "auth");
  });

  test("a bearer that is neither a string nor a function throws a TypeError naming auth.bearer", () => {
    assertRejects({ serviceUrl: SERVICE, auth: { bearer: 42 } }, TypeError, "auth.bearer");
  });

  test("an empty bearer token throws a TypeError naming auth.bearer", () => {
    assertRejects({ serviceUrl: SERVICE, auth: { bearer: "" } }, TypeError, "auth.bearer");
  });

  test("a bearer token with a line break throws without quoting the token", () => {
    const error = assertRejects({ serviceUrl: SERVICE, auth: { bearer: "t0ken-secret\nx" } }, TypeError, "auth.bearer");
    assert.doesNotMatch(error.message, /t0ken-secret/);
  });

  test("basic without a string username or password throws a TypeError naming auth.basic", () => {
    assertRejects({ serviceUrl: SERVICE, auth: { basic: { username: "u" } } }, TypeError, "auth.basic");
    assertRejects({ serviceUrl: SERVICE, auth: { basic: { username: 1, password: "p" } } }, TypeError, "auth.basic");
    assertRejects({ serviceUrl: SERVICE, auth: { basic: "u:p" } }, TypeError, "auth.basic");
  });

  test("a basic username with a colon throws a TypeError naming auth.basic.username", () => {
    assertRejects({ serviceUrl: SERVICE, auth: { basic: { username: "a:b", password: "p" } } }, TypeError, "auth.basic.username");
  });

  test("a bearer string, a bearer function and basic credentials are accepted", () => {
    const options = [
      resolveClientOptions({ serviceUrl: SERVICE, auth: { bearer: "abc.def-ghi" } }),
      resolveClientOptions({ serviceUrl: SERVICE, auth: { bearer: async () => "abc" } }),
      resolveClientOptions({ serviceUrl: SERVICE, auth: { basic: { username: "alice", password: "pässwörd" } } }),
    ];
    assert.deepEqual(
      options.map((o) => Object.keys(o.auth ?? {})),
      [["bearer"], ["bearer"], ["basic"]],
    );
  });
});

describe("timeout", () => {
  test("timeout defaults to 30000 ms", () => {
    assert.equal(resolveClientOptions({ serviceUrl: SERVICE }).timeout, 30_000);
  });

  test("timeout 0 turns the timeout off", () => {
    assert.equal(resolveClientOptions({ serviceUrl: SERVICE, timeout: 0 }).timeout, 0);
  });

  test("a negative, infinite or non-number timeout throws a RangeError naming timeout", () => {
    for (const timeout of [-1, Number.POSITIVE_INFINITY, Number.NaN, "1000"]) {
      assertRejects({ serviceUrl: SERVICE, timeout }, RangeError, "timeout");
    }
  });

  test("a timeout longer than a timer can wait throws a RangeError naming timeout", () => {
    // setTimeout fires at once past 2^31-1 ms, which would time out every request immediately.
    assertRejects({ serviceUrl: SERVICE, timeout: 2 ** 31 }, RangeError, "timeout");
  });
});

describe("retry", () => {
  test("retry defaults to 3 retries", () => {
    const { retry } = resolveClientOptions({ serviceUrl: SERVICE });
    assert.ok(retry);
    assert.equal(retry.retries, 3);
  });

  test("retry options given in part are merged with the defaults", () => {
    const { retry } = resolveClientOptions({ serviceUrl: SERVICE, retry: { retries: 5 } });
    assert.deepEqual(retry, { retries: 5, delay: 300, maxDelay: 30_000 });
  });

  test("retry: false turns retries off", () => {
    assert.equal(resolveClientOptions({ serviceUrl: SERVICE, retry: false }).retry, false);
  });

  test("retry that is neither an object nor false throws a TypeError naming retry", () => {
    assertRejects({ serviceUrl: SERVICE, retry: 3 }, TypeError, "retry");
    assertRejects({ serviceUrl: SERVICE, retry: true }, TypeError, "retry");
  });

  test("bad retry numbers throw a RangeError naming the retry field", () => {
    assertRejects({ serviceUrl: SERVICE, retry: { retries: -1 } }, RangeError, "retry.retries");
    assertRejects({ serviceUrl: SERVICE, retry: { retries: 1.5 } }, RangeError, "retry.retries");
    assertRejects({ serviceUrl: SERVICE, retry: { delay: -5 } }, RangeError, "retry.delay");
    assertRejects({ serviceUrl: SERVICE, retry: { maxDelay: Number.NaN } }, RangeError, "retry.maxDelay");
  });
});

describe("trustedOrigins", () => {
  test("trustedOrigins that is not an array throws a TypeError naming trustedOrigins", () => {
    assertRejects({ serviceUrl: SERVICE, trustedOrigins: "https://files.example" }, TypeError, "trustedOrigins");
  });

  test("entries that are not origins throw a TypeError naming trustedOrigins", () => {
    for (const origin of [42, "files.example", "ftp://files.example", "https://files.example/path", "https://files.example/?a=1", "https://u:p@files.example"]) {
      assertRejects({ serviceUrl: SERVICE, trustedOrigins: [origin] }, TypeError, "trustedOrigins");
    }
  });

  test("an entry that is a URL with a token in its query or fragment is quoted with the token masked", () => {
    const query = assertRejects({ serviceUrl: SERVICE, trustedOrigins: ["https://files.example/?token=5ecret-value-123&x=1"] }, TypeError, "trustedOrigins");
    assert.match(query.message, /holds the string "https:\/\/files\.example\/\?token=\*\*\*&x=1", which is not an origin/);
    const fragment = assertRejects({ serviceUrl: SERVICE, trustedOrigins: ["https://files.example/cb#access_token=5ecret-value-123"] }, TypeError, "trustedOrigins");
    assert.match(fragment.message, /"https:\/\/files\.example\/cb#access_token=\*\*\*"/);
    const unparsed = assertRejects({ serviceUrl: SERVICE, trustedOrigins: ["files.example/?sig=5ecret-value-123"] }, TypeError, "trustedOrigins");
    assert.doesNotMatch(`${query.message} ${fragment.message} ${unparsed.message}`, /5ecret/);
  });

  test("trusted origins are normalised and the service origin is always trusted", () => {
    const options = resolveClientOptions({ serviceUrl: SERVICE, trustedOrigins: ["https://FILES.example:443", "http://127.0.0.1:8080/"] });
    assert.deepEqual([...options.trustedOrigins], ["https://host.example", "https://files.example", "http://127.0.0.1:8080"]);
  });
});

describe("steps", () => {
  test("steps that is not an array throws a TypeError naming steps", () => {
    assertRejects({ serviceUrl: SERVICE, steps: step("log") }, TypeError, "steps");
  });

  test("a malformed step throws a TypeError naming steps", () => {
    assertRejects({ serviceUrl: SERVICE, steps: [{ name: "log" }] }, TypeError, "steps");
    assertRejects({ serviceUrl: SERVICE, steps: [{ handle: () => undefined }] }, TypeError, "steps");
    assertRejects({ serviceUrl: SERVICE, steps: [{ name: "", handle: () => undefined }] }, TypeError, "steps");
    assertRejects({ serviceUrl: SERVICE, steps: [null] }, TypeError, "steps");
  });

  test("two steps with the same name throw a TypeError naming steps", () => {
    const error = assertRejects({ serviceUrl: SERVICE, steps: [step("log"), step("log")] }, TypeError, "steps");
    assert.match(error.message, /"log"/);
  });

  test("a step named like a built-in step throws a TypeError naming steps", () => {
    assertRejects({ serviceUrl: SERVICE, steps: [step("auth")] }, TypeError, "steps");
  });

  test("the steps are copied, so changing the given array later changes nothing", () => {
    const steps = [step("a")];
    const options = resolveClientOptions({ serviceUrl: SERVICE, steps });
    steps.push(step("b"));
    assert.deepEqual(options.steps.map((s) => s.name), ["a"]);
  });
});

describe("other options", () => {
  test("csrf that is not a boolean throws a TypeError naming csrf", () => {
    assertRejects({ serviceUrl: SERVICE, csrf: "yes" }, TypeError, "csrf");
  });

  test("maxPageSize that is not a positive integer throws a RangeError naming maxPageSize", () => {
    assertRejects({ serviceUrl: SERVICE, maxPageSize: 0 }, RangeError, "maxPageSize");
    assertRejects({ serviceUrl: SERVICE, maxPageSize: 2.5 }, RangeError, "maxPageSize");
  });

  test("a userAgent that is not a valid header value throws a TypeError naming userAgent", () => {
    assertRejects({ serviceUrl: SERVICE, userAgent: 7 }, TypeError, "userAgent");
    assertRejects({ serviceUrl: SERVICE, userAgent: "a\nb" }, TypeError, "userAgent");
  });

  test("an acceptLanguage that is not a header value, empty, or true throws a TypeError naming acceptLanguage", () => {
    assertRejects({ serviceUrl: SERVICE, acceptLanguage: "" }, TypeError, "acceptLanguage");
    assertRejects({ serviceUrl: SERVICE, acceptLanguage: "en\r\nX-Evil: 1" }, TypeError, "acceptLanguage");
    assertRejects({ serviceUrl: SERVICE, acceptLanguage: true }, TypeError, "acceptLanguage");
  });

  test("options that are not an object throw a TypeError", () => {
    assert.throws(() => new ODataClient(null as unknown as ODataClientOptions), TypeError);
  });

  test("the resolved options are frozen", () => {
    const core = new ClientCore(resolveClientOptions({ serviceUrl: SERVICE }));
    assert.ok(Object.isFrozen(core.options));
  });
});
