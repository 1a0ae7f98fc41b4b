/**
 * The suite's SAP CAP server for the tests of one file or `describe` block (test/servers/cap.ts
 * starts it; this only ties it to the tests' lifetime). Apart from cap.ts, which the runner
 * (test/run.ts) imports, so that importing `node:test` there is never needed.
 */
import { after, before } from "node:test";
import { startCap, type CapServer } from "./cap.js";

/**
 * {@link startCap} for the tests of the suite (or `describe` block) this is called in: started
 * before them and stopped after them. The handle it gives reads the server's roots once it has
 * started; a test that reads them before (at the file's top level) gets an error saying so.
 *
 * @example
 * const cap = useCap();
 * test("...", async () => { await fetch(`${cap.v4}Books`); });
 */
export function useCap(): CapServer {
  let server: CapServer | undefined;
  before(async () => {
    server = await startCap();
  });
  after(async () => {
    await server?.stop();
  });
  const started = (): CapServer => {
    if (server === undefined) throw new Error("the CAP server of useCap() is read before its tests started it");
    return server;
  };
  return {
    get origin() {
      return started().origin;
    },
    get database() {
      return started().database;
    },
    get v4() {
      return started().v4;
    },
    get v2() {
      return started().v2;
    },
    get pid() {
      return started().pid;
    },
    output: () => started().output(),
    stop: () => started().stop(),
  };
}
