/** Entry of the conformance script in a browser's module Web Worker: the page posts the configuration. */
import { runAndReport, type ConformanceConfig } from "./conformance.js";

const worker = globalThis as unknown as { onmessage: ((event: { data: ConformanceConfig }) => void) | null };
worker.onmessage = (event) => {
  worker.onmessage = null;
  void runAndReport(event.data);
};
