/**
 * The check of a bearer token's characters, apart from the auth step (auth.ts): the option checks
 * need it when the client is made, while the step itself loads with the first request.
 */

/** Whether a bearer token can be sent in an `Authorization` header as is (RFC 6750 b64token, loosely). */
export function isBearerToken(token: string): boolean {
  return /^[\x21-\x7e]+$/.test(token);
}
