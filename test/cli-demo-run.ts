/**
 * The command line run in-process (test/cli-in-process.ts) against the demo service started for a
 * test file, with the requests the demo answered during each run: for tests that assert what a
 * command sent as well as what it printed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { startDemoService, type DemoService } from "../demo/service.js";
import { cliInProcess, type InProcessOutcome } from "./cli-in-process.js";

/** What one run gave, and the demo's requests meanwhile as `METHOD path-below-the-root status`, the path decoded. */
export type DemoRunOutcome = InProcessOutcome & { requests: string[] };

/** The demo of a test file and the command line run against it. */
export interface DemoCli {
  /** The running demo (its `serviceUrl` is read once the file's `before` hooks have run). */
  readonly demo: Pick<DemoService, "serviceUrl">;
  /** The working folder (and HOME) of every run, removed after the file's tests. */
  readonly folder: string;
  /** Runs the command line in `folder`; resolves with its outcome and the requests the demo answered meanwhile. */
  run(args: string[]): Promise<DemoRunOutcome>;
}

/**
 * Starts the demo with `productCount` products before the calling file's tests and closes it
 * after them (node:test hooks of the file that calls it), with a working folder named from
 * `folderPrefix`.
 */
export function demoCli(productCount: number, folderPrefix: string): DemoCli {
  let started: DemoService | undefined;
  let root = "";
  const answered: string[] = [];
  const folder = mkdtempSync(join(tmpdir(), folderPrefix));
  before(async () => {
    started = await startDemoService({ productCount, onRequest: (method, url, status) => answered.push(`${method} ${decodeURIComponent(url).replace(root, "")} ${status}`) });
    root = new URL(started.serviceUrl).pathname;
  });
  after(async () => {
    await started?.close();
    rmSync(folder, { recursive: true, force: true });
  });
  const running = (): DemoService => {
    if (started === undefined) throw new Error("the demo starts in a before hook: read it inside a test");
    return started;
  };
  return {
    demo: {
      get serviceUrl() {
        return running().serviceUrl;
      },
    },
    folder,
    async run(args) {
      const from = answered.length;
      const outcome = await cliInProcess(args, "", { cwd: folder });
      return { ...outcome, requests: answered.slice(from) };
    },
  };
}

/** An outcome as a failed assertion's message shows it. */
export const show = (outcome: InProcessOutcome): string => `exit ${outcome.code}\nstdout: ${outcome.stdout}\nstderr: ${outcome.stderr}`;
