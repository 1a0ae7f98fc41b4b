/**
 * traverse-odata/codegen: TypeScript types and a typed service factory generated from
 * `$metadata`. A separate entry point, so that the client's bundle does not carry the generator.
 * The command line runs it as `traverse-odata generate`.
 * @packageDocumentation
 */
export { generate } from "./generate.js";
export type { GenerateOptions, GeneratedFiles } from "./generate.js";
