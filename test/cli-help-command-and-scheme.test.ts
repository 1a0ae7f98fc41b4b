/**
 * `help <command>` prints that command's help, as `<command> --help` does (`help` alone the main
 * help; `help` of no command is a usage error naming the commands), and a `<service>` written as
 * an IP address and port without a scheme (`127.0.0.1:8080/svc`, `[::1]:8080/svc`) gets the hint
 * to add `http://` that `localhost:8080/svc` gets. Nothing is sent in any of these.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliInProcess } from "./cli-in-process.js";

const show = (o: { code: number; stdout: string; stderr: string }) => `exit ${o.code}\nstdout: ${o.stdout}\nstderr: ${o.stderr}`;

test("help <command> prints the command's help, as <command> --help does", async () => {
  for (const command of ["query", "call", "export"]) {
    const help = await cliInProcess(["help", command]);
    const flag = await cliInProcess([command, "--help"]);
    assert.equal(flag.code, 0, show(flag));
    assert.equal(help.code, 0, show(help));
    assert.equal(help.stdout, flag.stdout);
    assert.match(help.stdout, new RegExp(`traverse-odata ${command} `));
  }
  const main = await cliInProcess(["help"]);
  assert.equal(main.code, 0, show(main));
  assert.equal(main.stdout, (await cliInProcess(["--help"])).stdout);
});

test("help of no command is a usage error naming the commands", async () => {
  const outcome = await cliInProcess(["help", "qurey"]);
  assert.equal(outcome.code, 2, show(outcome));
  assert.equal(outcome.stdout, "");
  assert.match(outcome.stderr, /^error: "qurey" is not a command; the commands are describe, query, count, get, export, call, wait, cancel, generate, serve/);
});

test("an IP address and port without a scheme get the hint to add http://, as a host name does", async () => {
  for (const service of ["127.0.0.1:8080/svc", "[::1]:8080/svc/", "localhost:8080/svc", "10.0.0.7:50000"]) {
    const outcome = await cliInProcess(["count", service, "Things"]);
    assert.equal(outcome.code, 2, show(outcome));
    assert.equal(outcome.stderr, `error: <service> ${JSON.stringify(service)} has no scheme: add http:// (or https://) before it\n`);
  }
});
