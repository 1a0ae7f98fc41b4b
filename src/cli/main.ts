#!/usr/bin/env node
/**
 * The `traverse-odata` executable: runs the command line in this process, with Ctrl-C (SIGINT)
 * and SIGTERM aborting the running command (an export saves its checkpoint, a wait stops), and a
 * second Ctrl-C ending the process at once.
 */
import { runCli } from "./run.js";
import { EXIT } from "./errors.js";

const interrupt = new AbortController();
let interrupts = 0;
const onSignal = () => {
  interrupts += 1;
  if (interrupts > 1) process.exit(EXIT.interrupted);
  interrupt.abort(new DOMException("interrupted", "AbortError"));
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

const code = await runCli({
  argv: process.argv.slice(2),
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  environment: { env: process.env, cwd: process.cwd(), platform: process.platform },
  signal: interrupt.signal,
});
// Everything written is flushed before the process ends (pipes may be asynchronous), then nothing
// left behind (an idle keep-alive connection, a stdin listener) can hold it. An interrupted run
// does not wait for stdout: its reader may be the one that takes nothing more.
const flushStdout = (then: () => void) => (code === EXIT.interrupted ? then() : process.stdout.write("", then));
flushStdout(() => process.stderr.write("", () => process.exit(code)));
