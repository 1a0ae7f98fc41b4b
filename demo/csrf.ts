/**
 * SAP-style CSRF protection for the demo service: `GET` with `X-CSRF-Token: Fetch` opens a session
 * (a cookie) and hands out its token; a modifying request on a protected resource must carry both,
 * or it is refused with 403 and `X-CSRF-Token: Required`, which tells a client to fetch a token.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

/** The name of the session cookie. */
export const SESSION_COOKIE = "DEMO_SESSION";

/** The sessions a service has handed out, and counts of what happened. */
export class CsrfSessions {
  readonly #tokenBySession = new Map<string, string>();
  /** Token fetches answered. */
  fetches = 0;
  /** Modifying requests refused for a missing or wrong token. */
  rejections = 0;

  /** Opens a session: the token for `X-CSRF-Token` and the `Set-Cookie` value. */
  issue(cookiePath: string): { token: string; setCookie: string } {
    this.fetches += 1;
    const session = randomUUID();
    const token = randomBytes(18).toString("base64url");
    this.#tokenBySession.set(session, token);
    return { token, setCookie: `${SESSION_COOKIE}=${session}; Path=${cookiePath}; HttpOnly; SameSite=Strict` };
  }

  /** Whether a request carries the token of the session its cookie names; counts a refusal. */
  accepts(headers: IncomingHttpHeaders): boolean {
    const session = sessionOf(headers.cookie);
    const token = headers["x-csrf-token"];
    const valid = session !== undefined && typeof token === "string" && this.#tokenBySession.get(session) === token;
    if (!valid) this.rejections += 1;
    return valid;
  }
}

function sessionOf(cookie: string | undefined): string | undefined {
  for (const pair of (cookie ?? "").split(";")) {
    const [name, value] = pair.trim().split("=", 2);
    if (name === SESSION_COOKIE && value) return value;
  }
  return undefined;
}
