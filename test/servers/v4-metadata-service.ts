/**
 * A v4 service for command-line tests of operations: `$metadata` answers the document given, every
 * other request `{"value":"ok"}`. `calls()` lists what was sent besides `$metadata`, one
 * `METHOD path body` line each, the path decoded.
 */
import { sendJson, sendText, startServer } from "./recording-server.js";

export async function v4MetadataService(t: { after(fn: () => Promise<void>): void }, metadata: string): Promise<{ url: string; calls: () => string[] }> {
  const server = await startServer((request, res) => {
    if (request.path === "/svc/$metadata") return sendText(res, 200, metadata, { "content-type": "application/xml", "odata-version": "4.0" });
    sendJson(res, 200, { value: "ok" }, { "odata-version": "4.0" });
  });
  t.after(() => server.close());
  const calls = () => server.requests.filter((r) => !r.path.endsWith("/$metadata")).map((r) => `${r.method} ${decodeURIComponent(r.path)} ${r.body}`.trim());
  return { url: server.url("svc/"), calls };
}
