/**
 * Entry of the conformance script in a browser page: runs the scenarios in the window and, at the
 * same time, in a module Web Worker started from the page. The page holds both configurations in
 * a JSON script element; each run posts its own report.
 */
import { runAndReport, type ConformanceConfig } from "./conformance.js";

interface WorkerHandle {
  postMessage(message: unknown): void;
  onerror: ((event: { message?: string }) => void) | null;
}

interface PageScope {
  document: { getElementById(id: string): { textContent: string | null } | null };
  Worker: new (url: string, options: { type: "module" }) => WorkerHandle;
}

const page = globalThis as unknown as PageScope;
const configs = JSON.parse(page.document.getElementById("config")?.textContent ?? "null") as { window: ConformanceConfig; worker: ConformanceConfig };
const worker = new page.Worker("./worker.mjs", { type: "module" });
// A worker that cannot start says so in its report, rather than leaving the test to time out.
worker.onerror = (event) => {
  const fatal = { name: "WorkerError", message: event.message ?? "the worker failed to start" };
  void fetch(configs.worker.reportUrl, { method: "POST", body: JSON.stringify({ runtime: configs.worker.runtime, fatal }) });
};
worker.postMessage(configs.worker);
await runAndReport(configs.window);
