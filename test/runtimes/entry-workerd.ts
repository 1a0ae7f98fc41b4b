/**
 * Entry of the conformance script for Cloudflare workerd, run with `workerd test`: the test
 * handler reads the configuration from the `CONFIG` text binding and posts the report; the progress
 * lines go to the console, which workerd prints.
 */
import { runAndReport, type ConformanceConfig } from "./conformance.js";

export default {
  async test(_controller: unknown, env: { CONFIG: string }): Promise<void> {
    await runAndReport(JSON.parse(env.CONFIG) as ConformanceConfig, (line) => console.log(line));
  },
};
