/**
 * Entry of the conformance script for command-line runtimes (Deno, Bun): the configuration comes
 * as the first argument, the report goes to the harness, and the progress lines go to stdout (the
 * harness shows them when no report comes).
 */
import { runAndReport, type ConformanceConfig } from "./conformance.js";

const scope = globalThis as { Deno?: { args: string[] }; process?: { argv: string[] } };
const argument = scope.Deno ? scope.Deno.args[0] : scope.process?.argv[2];
if (argument === undefined) throw new Error("conformance: pass the configuration as the first argument");
await runAndReport(JSON.parse(argument) as ConformanceConfig, (line) => console.log(line));
