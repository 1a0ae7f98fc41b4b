/**
 * A synthetic service model for measuring how the query types scale: `count` entity types, each
 * with scalar properties, links to other types and three links to a central `User`, which has a
 * collection back-link to every type (as Dynamics' systemuser has). Every type so reaches every
 * other within two navigations, the shape on which a union of all field paths explodes. Used by
 * `npm run bench -- types` and by test/typed-queries-scale.test.ts.
 */

/** The TypeScript source of the model: one exported interface per entity type, and a factory of three sets. */
export function typeModelSource(count: number): string {
  const lines: string[] = ['import type { Entity, ODataClient } from "traverse-odata";', ""];
  const userNav = Array.from({ length: count }, (_, i) => `"e${i}s"`);
  lines.push(`export interface User extends Entity<{ key: "ID"; navigation: ${userNav.join(" | ")} }> {`);
  lines.push("  ID: string;", "  name: string;", "  email: string;");
  for (let i = 0; i < count; i++) lines.push(`  e${i}s?: E${i}[];`);
  lines.push("}", "");
  for (let i = 0; i < count; i++) {
    const next = `E${(i + 1) % count}`;
    const items = `E${(i + 7) % count}`;
    lines.push(`export interface E${i} extends Entity<{ key: "ID"; navigation: "owner" | "createdBy" | "modifiedBy" | "next" | "items" }> {`);
    lines.push("  ID: number;", "  name: string;", "  code: string | null;", "  amount: number;", "  active: boolean;", "  createdOn: string;");
    for (let f = 0; f < 10; f++) lines.push(`  f${f}: ${f % 2 === 0 ? "number" : "string"};`);
    lines.push("  owner?: User | null;", "  createdBy?: User | null;", "  modifiedBy?: User | null;", `  next?: ${next} | null;`, `  items?: ${items}[];`);
    lines.push("}", "");
  }
  lines.push("export function service(client: ODataClient) {");
  lines.push("  return {");
  lines.push('    users: client.collection<User>("Users"),');
  for (let i = 0; i < Math.min(count, 3); i++) lines.push(`    e${i}s: client.collection<E${i}>("E${i}s"),`);
  lines.push("  };");
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

/**
 * A small program on three sets of the model: select, filter (a lambda and a path through the user),
 * nested expand. `typed: false` makes the same calls on `Record<string, unknown>` entities.
 */
export function typeModelProgram(typed: boolean): string {
  const sets = typed
    ? 'import { service } from "./model.js";\nconst svc = service(client);'
    : 'const svc = { users: client.collection("Users"), e0s: client.collection("E0s"), e1s: client.collection("E1s"), e2s: client.collection("E2s") };';
  return `import { ODataClient } from "traverse-odata";
const client = new ODataClient({ serviceUrl: "https://host/odata/" });
${sets}

export async function run(): Promise<string[]> {
  const a = await svc.e0s.select("ID", "name").filter((f) => f.and(f.eq("name", "x"), f.gt("amount", 5))).list();
  const b = await svc.e1s
    .filter((f) => f.any("items", (i) => i.eq("active", true)))
    .filter((f) => f.eq("owner/name", "ann"))
    .expand("owner", (o) => o.select("name").expand("e5s", (e) => e.select("ID", "f1").top(3)))
    .select("ID", "code")
    .first();
  const c = await svc.e2s.key(1).expand("next", (n) => n.select("f2")).get();
  const u = await svc.users.select("name").orderBy("email").top(5).list();
  return [String(a[0]?.name), String(b?.code), String(c.next), String(u[0]?.name)];
}
`;
}

/** What checking one program of the model took. */
export interface TypeCheckRun {
  /** Wall time of building the program and checking the program's own files, in ms. */
  ms: number;
  /** Type instantiations the checker made (how much type work the program caused). */
  instantiations: number;
  /** The diagnostics of the program's own files, as text. */
  diagnostics: string[];
}

/**
 * Type-checks `files` (name to source, written into `dir`) with the project's strict options and
 * `"traverse-odata"` resolved to `entry`. Only the given files are checked: the library is read for
 * its types alone, as a consumer's `tsc` with `skipLibCheck` reads a package's declarations.
 */
export async function typeCheck(dir: string, main: string, entry: string, typeRoots: string): Promise<TypeCheckRun> {
  const { default: ts } = await import("typescript");
  const { join } = await import("node:path");
  const started = performance.now();
  const program = ts.createProgram([join(dir, main)], {
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    lib: ["lib.es2023.d.ts"],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    typeRoots: [typeRoots],
    types: ["node"],
    paths: { "traverse-odata": [entry] },
  });
  const own = program.getSourceFiles().filter((file) => file.fileName.startsWith(dir));
  const diagnostics = own.flatMap((file) => [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]);
  const ms = performance.now() - started;
  return {
    ms,
    instantiations: program.getInstantiationCount(),
    diagnostics: diagnostics.map((d) => `${d.file?.fileName ?? ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`),
  };
}
