/**
 * The conformance script: one set of scenarios that runs unchanged in every runtime the README
 * names (Node, Deno, Bun, workerd, Chromium, Firefox, a Web Worker). It uses only what the library
 * itself may use (`fetch`, `URL`, `AbortController`, timers), talks to the node:http servers that
 * test/runtimes.test.ts starts, and reports what it saw; the node test asserts on the report and on
 * what the servers saw on the wire. It asserts nothing itself, so that every runtime's outcome, a
 * failure included, reaches the node test intact.
 */
import { ODataClient, type AsyncPoller } from "../../src/index.js";
import { ODataReader } from "../../src/read.js";

/** What the harness tells a runtime. */
export interface ConformanceConfig {
  /** The runtime's name in the report (`deno`, `chromium-worker` ...). */
  runtime: string;
  /** The service root of this runtime's scenarios: `http://127.0.0.1:<port>/rt/<runtime>/svc/`. */
  serviceRoot: string;
  /** Where the script posts its report (the harness's page server). */
  reportUrl: string;
}

/**
 * Where a runtime says how far it got, one line at a time: each scenario as it starts and as it
 * settles, each read of `stalledBodies` as it settles, the report as it goes out. The command-line
 * runtimes and workerd print the lines; the harness shows them when a runtime sends no report.
 */
export type Progress = (line: string) => void;

/** What every progress line starts with (the harness finds them in a runtime's output by it). */
export const PROGRESS_PREFIX = "[conformance]";

/**
 * How long one scenario may take: one that has not settled by then is reported as failed with a
 * `ScenarioTimeout`, so that a scenario that hangs in one runtime fails its own tests there and the
 * report, with every other scenario's outcome, still goes out. The scenarios take a few seconds
 * (stalledBodies about five), more on a loaded machine.
 */
export const SCENARIO_DEADLINE = 25_000;

/**
 * How long each read of `stalledBodies` may take: the client's timeout there is 5 s, so a read
 * still pending after this is one that nothing ended (its outcome then says `pending`).
 */
const STALL_CASE_DEADLINE = 15_000;

/** What one scenario observed, or how it failed. */
export type ScenarioOutcome = { ok: true; value: unknown } | { ok: false; error: ErrorSummary };

/** The parts of an error the node test looks at. */
export interface ErrorSummary {
  name: string;
  code: string | undefined;
  message: string;
  status: number | undefined;
}

/** The report a runtime posts back. */
export interface ConformanceReport {
  runtime: string;
  /** Facts about the runtime, for the test's messages. */
  environment: { secureContext: boolean | undefined; hasRandomUUID: boolean; origin: string | undefined };
  scenarios: Record<string, ScenarioOutcome>;
}

interface Book {
  ID: number;
  title: string;
  stock?: number;
}

/** Every scenario, by name. Each has its own paths on the service, so they may run at once. */
const SCENARIOS: Record<string, (config: ConformanceConfig, progress: Progress) => Promise<unknown>> = {
  /** A walk over three pages, entity by entity, with credentials and a configured header. */
  async walk(config) {
    const titles: string[] = [];
    for await (const book of client(config).collection<Book>("Books")) titles.push(book.title);
    return { titles };
  },

  /** One page with `$count=true`. */
  async pageWithCount(config) {
    const page = await client(config).collection<Book>("Counted").count().top(2).page();
    return { count: page.count, ids: page.value.map((book) => book.ID), nextLink: page.nextLink ?? null };
  },

  /** `createAsync`, then `wait` with progress reports, the result fetched from `resourceLocation`. */
  async createAsyncWait(config) {
    const progress: [string, number][] = [];
    const poller = await client(config)
      .collection("Jobs")
      .createAsync<{ rowCount: number }>({ format: "csv" }, { pollInterval: 20, onProgress: (status, pct) => progress.push([status, pct]) });
    const result = await poller.wait();
    return { result, progress, status: poller.status(), percentComplete: poller.percentComplete() };
  },

  /** `cancel` (DELETE on the monitor), after which `wait` rejects as cancelled. */
  async cancel(config) {
    const poller = await client(config).collection("CancelJobs").createAsync({ format: "csv" }, { pollInterval: 20 });
    await poller.cancel();
    const outcome = await poller.wait().then(
      () => "resolved",
      (error: unknown) => summary(error),
    );
    return { isDone: poller.isDone(), status: poller.status(), outcome };
  },

  /** An abort while the second page is on the wire ends the walk with the signal's reason. */
  async abortWalk(config) {
    const controller = new AbortController();
    const titles: string[] = [];
    try {
      for await (const page of client(config).collection<Book>("Stalled").pages({ signal: controller.signal })) {
        titles.push(...page.value.map((book) => book.title));
        // The next page is read ahead; abort once the service has its request, so the abort
        // surely meets a request on the wire.
        await fetch(new URL("_control/stalled-seen", config.serviceRoot));
        controller.abort();
      }
    } catch (error) {
      return { titles, error: summary(error) };
    }
    return { titles, error: undefined };
  },

  /**
   * Writes refused before anything is sent (a `Map` in a body, an invalid `Date`), and a media read
   * refused the same way: each rejects, handled by the caller, and the runtime reports no unhandled
   * rejection (workerd reported one for a promise already rejected that an async method returned,
   * handled only a turn later).
   */
  async refusedWrites(config) {
    const seen: string[] = [];
    const scope = globalThis as { addEventListener?: (type: string, listener: (event: { reason?: unknown }) => void) => void; removeEventListener?: (type: string, listener: (event: { reason?: unknown }) => void) => void };
    const listener = (event: { reason?: unknown }) => seen.push(String((event.reason as Error | undefined)?.message ?? event.reason).slice(0, 60));
    scope.addEventListener?.("unhandledrejection", listener);
    try {
      const books = client(config).collection("Refused");
      const outcomes: string[] = [];
      for (const write of [() => books.create({ tags: new Map([[1, 2]]) }), () => books.key(1).update({ at: new Date(Number.NaN) })]) {
        outcomes.push(await write().then(() => "resolved", (error: unknown) => (error as Error).name));
      }
      // Rejections are reported a turn or so after they happen.
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { outcomes, unhandled: seen };
    } finally {
      scope.removeEventListener?.("unhandledrejection", listener);
    }
  },

  /**
   * Web platform containers in a write's body (`Headers`, `URLSearchParams`, `FormData`, `Blob`,
   * `File`): each refused by its path before anything is sent, in every runtime (Bun gives the
   * first three a `toJSON()` that wrote their entries, where the other runtimes wrote `{}`).
   */
  async webContainerWrites(config) {
    const books = client(config).collection("WebBodies");
    const form = new FormData();
    form.set("a", "1");
    const values: [string, object][] = [
      ["headers", new Headers({ a: "1" })],
      ["query", new URLSearchParams("a=1")],
      ["form", form],
      ["cover", new Blob(["x"])],
      ["attachment", new File(["x"], "a.txt")],
    ];
    const outcomes: Record<string, string> = {};
    for (const [name, value] of values) {
      outcomes[name] = await books.create({ ID: 1, [name]: value }).then(
        () => "resolved",
        (error: unknown) => `${(error as Error).name}: ${(error as Error).message}`,
      );
    }
    return outcomes;
  },

  /** An entity read with its ETag, then an update that sends it as `If-Match`. */
  async etagWrite(config) {
    const books = client(config).collection<Book>("Books");
    const book = await books.key(1).get();
    await books.key(1).update({ stock: 4 }, { etag: book });
    return { title: book.title };
  },

  /** A read redirected (307) to another origin. */
  async redirect(config) {
    const moved = await client(config).collection<Book>("Moved").key(1).get();
    return { title: moved.title };
  },

  /** A 503 with `Retry-After: 1`: the read is sent again, and not before a second has passed. */
  async retryAfter(config) {
    const book = await client(config).collection<Book>("Flaky").key(1).get();
    return { title: book.title };
  },

  /**
   * An entity whose body stalls after its headers (a `TIMEOUT`, the stall named), and an error
   * answer whose body stalls (its `ODataHttpError`): some runtimes error a body with a copy of the
   * abort's reason rather than the reason itself (workerd).
   */
  async stalledBodies(config, progress) {
    const quick = new ODataClient({ serviceUrl: config.serviceRoot, auth: { bearer: `token-${config.runtime}` }, timeout: 5_000, retry: false });
    const outcome = async (read: () => Promise<unknown>) => {
      try {
        await read();
        return { settled: "resolved" };
      } catch (error) {
        return { settled: "rejected", ...summary(error), stalled: / the answer's body stalled, no data arrived for 5000 ms /.test(String((error as Error).message)) };
      }
    };
    // The timeout is long enough for a runtime starved by the others (a timer due while the loop
    // was busy runs before the socket's data is read); both reads wait at once.
    // Media content read as a stream: its stall, and the caller's abort while it waits (the
    // rejection is the reason itself, which workerd copied).
    const streamed = async (id: number, signal?: AbortSignal) => {
      const { body } = await quick.collection("HalfBooks").key(id).media().stream(signal ? { signal } : {});
      const reader = body.getReader();
      await reader.read();
      return reader.read();
    };
    const reason = new Error(`the caller gave up in ${config.runtime}`);
    const controller = new AbortController();
    const aborted = streamed(2, controller.signal).then(
      () => ({ settled: "resolved" }),
      (error: unknown) => ({ settled: "rejected", isReason: error === reason, ...summary(error) }),
    );
    setTimeout(() => controller.abort(reason), 500);
    // Each read is bounded on its own: one that nothing ends says so in its outcome, and the
    // others' outcomes are still reported.
    const bounded = (name: string, read: Promise<Record<string, unknown>>) =>
      within(read, STALL_CASE_DEADLINE, () => ({ settled: "pending", after: STALL_CASE_DEADLINE })).then((seen) => {
        progress(`stalledBodies/${name} ${String(seen["settled"])}${typeof seen["code"] === "string" ? ` ${seen["code"]}` : ""}`);
        return seen;
      });
    // Where the runtime exposes the garbage collector (Deno here, started with --expose-gc), it
    // runs while the reads wait: a media stream whose Response was collected once hung in Deno on
    // its stall and on the caller's abort (Deno errors such a body only while its Response lives).
    const gc = (globalThis as { gc?: () => void }).gc;
    const collecting = typeof gc === "function" ? setInterval(() => gc(), 20) : undefined;
    try {
      const [entity, failure, mediaStall, mediaAbort] = await Promise.all([
        bounded("entity", outcome(() => quick.collection<Book>("HalfBooks").key(1).get())),
        bounded("failure", outcome(() => quick.collection<Book>("HalfFailures").key(1).get())),
        bounded("mediaStall", outcome(() => streamed(1))),
        bounded("mediaAbort", aborted),
      ]);
      return { entity, failure, mediaStall, mediaAbort, collected: collecting !== undefined };
    } finally {
      clearInterval(collecting);
    }
  },

  /**
   * An OAuth2 token answer whose body stalls after its headers, cut off by the request's timeout:
   * a `TIMEOUT` naming the token endpoint, and which rejections the runtime reported unhandled on
   * the way (each reason's name and the start of its message) and how many it then saw handled.
   * The service has no POST that stalls, so the token request goes out as a GET of `HalfBooks(1)`
   * (200, then the start of a body and nothing more) by a `fetch` of the scenario's own, under a
   * root of its own (`/rt/<runtime>-token/svc/`) that tells it apart from the runtime's requests to
   * the service. workerd reports one rejection of its own here, for the read of a body that its
   * abort errored: see the test.
   */
  async stalledToken(config) {
    const seen: { unhandled: { name: string; message: string }[]; handled: number } = { unhandled: [], handled: 0 };
    type Listener = (event: { reason?: unknown }) => void;
    const scope = globalThis as { addEventListener?: (type: string, listener: Listener) => void; removeEventListener?: (type: string, listener: Listener) => void };
    const onUnhandled: Listener = (event) => {
      const reason = event.reason as { name?: unknown; message?: unknown } | undefined;
      seen.unhandled.push({ name: String(reason?.name), message: String(reason?.message ?? reason).slice(0, 200) });
    };
    const onHandled: Listener = () => void (seen.handled += 1);
    scope.addEventListener?.("unhandledrejection", onUnhandled);
    scope.addEventListener?.("rejectionhandled", onHandled);
    try {
      const tokenUrl = new URL(`../../${config.runtime}-token/svc/HalfBooks(1)`, config.serviceRoot).href;
      const stalling = new ODataClient({
        serviceUrl: new URL("token-stall/", config.serviceRoot).href,
        auth: { oauth2: { tokenUrl, clientId: `app-${config.runtime}`, clientSecret: "s3cret" } },
        timeout: 1_500,
        retry: false,
        fetch: (input, init) => (String(input) === tokenUrl ? fetch(input, { headers: init?.headers ?? {}, signal: init?.signal ?? null }) : fetch(input, init)),
      });
      const outcome = await stalling.collection("Books").page().then(
        () => undefined,
        (error: unknown) => summary(error),
      );
      // Rejections are reported a turn or so after they happen, and found handled later still.
      await new Promise((resolve) => setTimeout(resolve, 200));
      return { outcome, ...seen };
    } finally {
      scope.removeEventListener?.("unhandledrejection", onUnhandled);
      scope.removeEventListener?.("rejectionhandled", onHandled);
    }
  },

  /** A status monitor that ends with `303 See Other` pointing at the result. */
  async monitor303(config) {
    const poller = await client(config).collection("Exports").createAsync<{ ID: number; file: string }>({}, { pollInterval: 20 });
    const result = await poller.wait();
    return { result, status: poller.status(), isDone: poller.isDone() };
  },

  /** A multipart `$batch`: one read and a changeset with one create. */
  async batch(config) {
    const c = client(config);
    const batch = c.batch();
    const read = batch.get(c.collection<Book>("Books").key(1));
    batch.changeset((changeset) => {
      changeset.create(c.collection<Book>("Books"), { ID: 7, title: "Seven" });
    });
    const results = await batch.send();
    const first = read.result();
    return {
      statuses: results.map((result) => result.status),
      title: first.ok ? first.value.title : undefined,
    };
  },

  /** A 202 whose `Location` the service does not expose through CORS. */
  async hiddenLocation(config) {
    let poller: AsyncPoller<unknown>;
    try {
      poller = await client(config).collection("HiddenJobs").createAsync({});
    } catch (error) {
      return { error: summary(error) };
    }
    return { statusUrl: poller.statusUrl };
  },

  /** An entity whose ETag comes only as a header that the service does not expose through CORS. */
  async hiddenEtag(config) {
    const docs = client(config).collection<Book>("HiddenEtagDocs");
    const doc = await docs.key(1).get();
    try {
      await docs.key(1).update({ stock: 1 }, { etag: doc });
    } catch (error) {
      return { updated: false, error: summary(error) };
    }
    return { updated: true };
  },

  /** A 503 whose `Retry-After` the service does not expose through CORS (an hour in browsers, 2 s elsewhere). */
  async hiddenRetryAfter(config) {
    const book = await client(config).collection<Book>("HiddenFlaky").key(1).get();
    return { title: book.title };
  },

  /** An OData 4.01 monitor whose final `AsyncResult: 500` the service does not expose through CORS. */
  async hiddenAsyncResult(config) {
    const poller = await client(config).collection("AsyncResultJobs").createAsync({}, { pollInterval: 20 });
    try {
      return { result: await poller.wait() };
    } catch (error) {
      return { error: summary(error) };
    }
  },

  /**
   * A monitor's `Retry-After` that the service does not expose through CORS (an hour in browsers,
   * 2 s elsewhere); a browser that saw it would sleep until maxWait and fail.
   */
  async hiddenPollRetryAfter(config) {
    const poller = await client(config).collection("RetryJobs").createAsync({}, { pollInterval: 20, maxWait: 30_000 });
    return { result: await poller.wait() };
  },

  /** `csrf: true` where the service does not expose `X-CSRF-Token` through CORS. */
  async hiddenCsrf(config) {
    const hidden = new ODataClient({ serviceUrl: new URL("HiddenCsrf/", config.serviceRoot).href, csrf: true, retry: false });
    try {
      return { created: await hidden.collection<Book>("Notes").create({ ID: 2, title: "Hidden" }) };
    } catch (error) {
      return { error: summary(error) };
    }
  },

  /** A write with `csrf: true`: the token is fetched first and sent with the write. */
  async csrfWrite(config) {
    const created = await client(config, { csrf: true }).collection<Book>("Notes").create({ ID: 1, title: "Noted" });
    return { created };
  },

  /** A filtered walk over two pages by `ODataReader` (traverse-odata/read), with the same credentials and header. */
  async readerWalk(config) {
    const reader = new ODataReader({
      serviceUrl: new URL("reader/", config.serviceRoot).href,
      headers: { "x-tenant": `tenant-${config.runtime}` },
      auth: { bearer: `token-${config.runtime}` },
      retry: false,
    });
    const titles: string[] = [];
    for await (const book of reader.collection<Book>("Books").filter((f) => f.gt("ID", 1)).select("ID", "title")) titles.push(book.title);
    return { titles, writes: "create" in reader.collection("Books") };
  },

  /** A walk by a client with no credentials and no configured headers (a public service). */
  async anonymousWalk(config) {
    const anonymous = new ODataClient({ serviceUrl: new URL("anon/", config.serviceRoot).href, retry: false });
    const titles: string[] = [];
    for await (const book of anonymous.collection<Book>("Books")) titles.push(book.title);
    return { titles };
  },
};

/** The client every scenario but the anonymous walk uses: a bearer token and a tenant header. */
function client(config: ConformanceConfig, options: { csrf?: boolean } = {}): ODataClient {
  return new ODataClient({
    serviceUrl: config.serviceRoot,
    headers: { "x-tenant": `tenant-${config.runtime}` },
    auth: { bearer: `token-${config.runtime}` },
    retry: { retries: 2, delay: 10 },
    ...options,
  });
}

function summary(error: unknown): ErrorSummary {
  if (error instanceof Error) {
    const { code, status } = error as { code?: unknown; status?: unknown };
    return {
      name: error.name,
      code: typeof code === "string" ? code : undefined,
      message: error.message,
      status: typeof status === "number" ? status : undefined,
    };
  }
  return { name: typeof error, code: undefined, message: String(error), status: undefined };
}

/** `promise`'s outcome, or `late()` once `ms` have passed without one; the timer goes either way. */
function within<T>(promise: Promise<T>, ms: number, late: () => T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(late()), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Scenarios run after all the others: they hold connections open for seconds, and a browser opens
 * at most six to one host, so that the others' requests (a retry timed to the second) would wait.
 */
const LAST: ReadonlySet<string> = new Set(["stalledToken", "stalledBodies"]);

/**
 * Runs every scenario at once (each has its own paths), those of {@link LAST} after, and gathers
 * what each saw; each within {@link SCENARIO_DEADLINE}. Says how far it got through `progress`.
 */
export async function runConformance(config: ConformanceConfig, progress: Progress = () => {}): Promise<ConformanceReport> {
  const scope = globalThis as { isSecureContext?: boolean; origin?: unknown; crypto?: { randomUUID?: unknown } };
  const say: Progress = (line) => progress(`${PROGRESS_PREFIX} ${line}`);
  const run = (name: string): Promise<ScenarioOutcome> => {
    const started = Date.now();
    say(`started ${name}`);
    const settled = (SCENARIOS[name] as (config: ConformanceConfig, progress: Progress) => Promise<unknown>)(config, say).then(
      (value): ScenarioOutcome => ({ ok: true, value }),
      (error: unknown): ScenarioOutcome => ({ ok: false, error: summary(error) }),
    );
    const late = (): ScenarioOutcome => ({
      ok: false,
      error: { name: "ScenarioTimeout", code: undefined, message: `${name} did not settle within ${SCENARIO_DEADLINE} ms in ${config.runtime}`, status: undefined },
    });
    return within(settled, SCENARIO_DEADLINE, late).then((outcome) => {
      say(`${outcome.ok ? "ok" : `failed (${outcome.error.name})`} ${name} after ${Date.now() - started} ms`);
      return outcome;
    });
  };
  const first = Object.keys(SCENARIOS).filter((name) => !LAST.has(name));
  const outcomes = await Promise.all(first.map(run));
  for (const name of LAST) outcomes.push(await run(name));
  const names = [...first, ...LAST];
  return {
    runtime: config.runtime,
    environment: {
      secureContext: scope.isSecureContext,
      hasRandomUUID: typeof scope.crypto?.randomUUID === "function",
      origin: typeof scope.origin === "string" ? scope.origin : undefined,
    },
    scenarios: Object.fromEntries(names.map((name, i) => [name, outcomes[i] as ScenarioOutcome])),
  };
}

/** Runs the scenarios and posts the report (or the error that stopped them) to the harness. */
export async function runAndReport(config: ConformanceConfig, progress: Progress = () => {}): Promise<void> {
  let body: string;
  try {
    body = JSON.stringify(await runConformance(config, progress));
  } catch (error) {
    body = JSON.stringify({ runtime: config.runtime, fatal: summary(error) });
  }
  progress(`${PROGRESS_PREFIX} posting the report`);
  const response = await fetch(config.reportUrl, { method: "POST", headers: { "content-type": "application/json" }, body });
  await response.body?.cancel();
  progress(`${PROGRESS_PREFIX} report posted (${response.status})`);
}
