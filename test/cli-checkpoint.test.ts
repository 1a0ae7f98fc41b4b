// The export's file writes and checkpoint saves behind the walk (src/cli/export.ts FileSink,
// src/cli/checkpoint.ts CheckpointWriter): in order, a checkpoint only once the page it describes
// is written, and nothing saved after a failure.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CHECKPOINT_INTERVAL_MS, CheckpointWriter, type WalkCheckpoint } from "../src/cli/checkpoint.js";
import { FileSink } from "../src/cli/export.js";
import { tempDir } from "./cli-harness.js";

function checkpoint(rows: number): WalkCheckpoint {
  return { type: "traverse-odata/export-checkpoint", version: 1, request: "http://x/svc/Things", format: "ndjson", out: "t.ndjson", whole: true, next: `http://x/svc/Things?$skiptoken=${rows}`, length: rows * 10, rows, pages: rows / 10, done: false, savedAt: "" };
}

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((yes, no) => ((resolve = yes), (reject = no)));
  return { promise, resolve, reject };
}

test("a checkpoint is saved only once the write it waits for is done, and the latest given is the one left on disk", async () => {
  const file = join(tempDir(), "t.checkpoint.json");
  const writer = new CheckpointWriter(file);
  const page = deferred();
  writer.save(checkpoint(10), page.promise);
  writer.save(checkpoint(20));
  await sleep(50);
  assert.equal(existsSync(file), false, "saved before its page was written");
  page.resolve();
  await writer.flush();
  assert.equal((JSON.parse(readFileSync(file, "utf8")) as WalkCheckpoint).rows, 20);
});

for (const [when, interval] of [
  // No interval: the save of 20 starts at once and meets the failure itself.
  ["started at once (no interval)", 0],
  // Within the interval: 30 replaces 20 unwritten, and meets the failure through its own write,
  // which was queued behind 20's (as FileSink's writes are).
  ["coalesced away (within the interval)", undefined],
] as const) {
  test(`after a write fails, no later checkpoint is saved (it would claim the bytes that failed), and flush() and save() reject with the failure: the failed page's save ${when}`, async () => {
    const file = join(tempDir(), "t.checkpoint.json");
    const writer = new CheckpointWriter(file, interval);
    writer.save(checkpoint(10));
    await writer.flush();
    const failed = deferred();
    writer.save(checkpoint(20), failed.promise);
    const thirty = failed.promise.then(() => undefined);
    // Handled as FileSink's are: a write nobody waits for (30's, with no interval) is reported by the next one.
    thirty.catch(() => {});
    writer.save(checkpoint(30), thirty);
    failed.reject(new Error("ENOSPC: no space left on device"));
    await assert.rejects(writer.flush(), /ENOSPC/);
    assert.equal((JSON.parse(readFileSync(file, "utf8")) as WalkCheckpoint).rows, 10);
    assert.throws(() => writer.save(checkpoint(40)), /ENOSPC/);
  });
}

test("FileSink writes in order behind the caller; length counts at once; written() and close() wait for the bytes", async () => {
  const path = join(tempDir(), "t.ndjson");
  const sink = await FileSink.open(path);
  const lines = Array.from({ length: 200 }, (_, i) => `{"ID":${i},"text":"${"é".repeat(i % 7)}"}\n`);
  let expected = 0;
  for (const line of lines) {
    await sink.write(line);
    expected += Buffer.byteLength(line);
    assert.equal(sink.length, expected);
  }
  await sink.written();
  assert.equal(readFileSync(path, "utf8"), lines.join(""));
  await sink.write("last\n");
  await sink.close();
  assert.equal(readFileSync(path, "utf8"), `${lines.join("")}last\n`);
});

test("a write that fails (a full disk: /dev/full, Linux) fails written(), the next write() and close()", async () => {
  const sink = await FileSink.open("/dev/full");
  await sink.write("a page\n");
  await assert.rejects(sink.written(), { code: "ENOSPC", message: "writing /dev/full failed: ENOSPC" });
  await assert.rejects(sink.write("the next page\n"), { code: "ENOSPC" });
  await assert.rejects(sink.close(), { code: "ENOSPC" });
});

/** A write that has finished, which records when a save waits for it (`await` calls `then`). */
function finishedWrite(awaited: number[], page: number): PromiseLike<void> {
  return {
    then(onFulfilled, onRejected) {
      awaited.push(page);
      return Promise.resolve().then(onFulfilled, onRejected);
    },
  };
}

test("checkpoints that fall behind a save in progress are coalesced: only the latest of them is saved, after its own write", async () => {
  const file = join(tempDir(), "t.checkpoint.json");
  const writer = new CheckpointWriter(file);
  const first = deferred();
  const awaited: number[] = [];
  writer.save(checkpoint(10), first.promise);
  for (let page = 2; page <= 50; page++) writer.save(checkpoint(page * 10), finishedWrite(awaited, page) as Promise<void>);
  const last = deferred();
  writer.save(checkpoint(510), last.promise);
  first.resolve();
  await sleep(50);
  // The first save is done; the 49 given while it waited were replaced unwritten by the 51st, which waits for its write.
  assert.deepEqual(awaited, []);
  assert.equal((JSON.parse(readFileSync(file, "utf8")) as WalkCheckpoint).rows, 10);
  last.resolve();
  await writer.flush();
  assert.equal((JSON.parse(readFileSync(file, "utf8")) as WalkCheckpoint).rows, 510);
});

test("with no interval, a checkpoint given while no save is in progress starts at once (it is not coalesced away); flush() waits for the one behind it", async () => {
  const file = join(tempDir(), "t.checkpoint.json");
  const writer = new CheckpointWriter(file, 0);
  const awaited: number[] = [];
  writer.save(checkpoint(10), finishedWrite(awaited, 1) as Promise<void>);
  await writer.flush();
  writer.save(checkpoint(20), finishedWrite(awaited, 2) as Promise<void>);
  writer.save(checkpoint(30), finishedWrite(awaited, 3) as Promise<void>);
  await writer.flush();
  // 2 started at once (its write awaited); 3, given while 2 was on its way, waited and was saved after it.
  assert.deepEqual(awaited, [1, 2, 3]);
  assert.equal((JSON.parse(readFileSync(file, "utf8")) as WalkCheckpoint).rows, 30);
});

/** The rows of the checkpoint in `file`. */
function savedRows(file: string): number {
  return (JSON.parse(readFileSync(file, "utf8")) as WalkCheckpoint).rows;
}

test("by default the interval is 100 ms: a second checkpoint given right after the first is saved no sooner than that", async () => {
  assert.equal(CHECKPOINT_INTERVAL_MS, 100);
  const file = join(tempDir(), "t.checkpoint.json");
  const writer = new CheckpointWriter(file);
  const awaited: number[] = [];
  const started = performance.now();
  writer.save(checkpoint(10), finishedWrite(awaited, 1) as Promise<void>);
  writer.save(checkpoint(20), finishedWrite(awaited, 2) as Promise<void>);
  const deadline = Date.now() + 10_000;
  while ((!existsSync(file) || savedRows(file) !== 20) && Date.now() < deadline) await sleep(2);
  // A timer fires no sooner than asked (Node may round by a millisecond).
  assert.ok(performance.now() - started >= 99, `the second save came ${(performance.now() - started).toFixed(1)} ms after the first`);
  assert.equal(savedRows(file), 20);
  assert.deepEqual(awaited, [1, 2]);
  await writer.flush();
});

test("at most one save starts per interval: the checkpoints given meanwhile wait as one, and the latest is saved when the interval ends, with no flush()", async () => {
  const file = join(tempDir(), "t.checkpoint.json");
  const writer = new CheckpointWriter(file, 150);
  const awaited: number[] = [];
  writer.save(checkpoint(10), finishedWrite(awaited, 1) as Promise<void>);
  // The first save starts at once (no save before it).
  const deadline = Date.now() + 10_000;
  while (!existsSync(file) && Date.now() < deadline) await sleep(2);
  assert.equal(savedRows(file), 10);
  for (let page = 2; page <= 40; page++) writer.save(checkpoint(page * 10), finishedWrite(awaited, page) as Promise<void>);
  // Saved when the interval ends: only the latest, after its own write; the 38 before it never.
  while (savedRows(file) !== 400 && Date.now() < deadline) await sleep(5);
  assert.equal(savedRows(file), 400);
  assert.deepEqual(awaited, [1, 40]);
  await writer.flush();
});

test("flush() does not wait for the interval: it saves the latest checkpoint at once (the end of a walk, Ctrl-C)", async () => {
  const file = join(tempDir(), "t.checkpoint.json");
  const writer = new CheckpointWriter(file, 3_600_000);
  writer.save(checkpoint(10));
  await writer.flush();
  writer.save(checkpoint(20));
  writer.save(checkpoint(30));
  await sleep(50);
  assert.equal(savedRows(file), 10, "a save started before the hour was over");
  const started = performance.now();
  await writer.flush();
  assert.equal(savedRows(file), 30);
  assert.ok(performance.now() - started < 60_000, "flush() waited for the interval");
  // After the flush the interval holds again for what comes next.
  writer.save(checkpoint(40));
  await sleep(50);
  assert.equal(savedRows(file), 30);
  await writer.flush();
  assert.equal(savedRows(file), 40);
});
