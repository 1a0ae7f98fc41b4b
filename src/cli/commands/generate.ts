/**
 * `generate <metadata> --out <dir>`: TypeScript types and a typed service factory from a
 * `$metadata` document (a file, EDMX or CSDL JSON) or a service (a URL or a profile, with the
 * client's header and credential options). `--check` writes nothing and exits with 1 when the files
 * on disk differ from what would be written, for CI.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { ODataClient, parseMetadata, redactUrl, type PipelineStep, type ServiceModel } from "../../index.js";
import { generate } from "../../codegen/index.js";
import { flag, stringOption } from "../args.js";
import { clientSettings, clientOptions, type Environment } from "../connect.js";
import { resolveService } from "../config.js";
import { CliUsageError, EXIT } from "../errors.js";
import type { Command, CommandContext } from "../context.js";

/** Whether the argument names a service rather than a file: a URL, or a profile when no such file exists. */
function isFile(argument: string, cwd: string): boolean {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(argument)) return false;
  const stats = statSync(resolve(cwd, argument), { throwIfNoEntry: false });
  if (stats?.isDirectory()) throw new CliUsageError(`generate: ${JSON.stringify(argument)} is a folder, not a metadata document`);
  return stats !== undefined;
}

/** The model and, for the header, the source's name and the document's text. */
async function readSource(argument: string, environment: Environment, context: CommandContext): Promise<{ model: ServiceModel; name: string; text: string }> {
  if (isFile(argument, environment.cwd)) {
    const text = readFileSync(resolve(environment.cwd, argument), "utf8");
    // The file's name, not its path: the header stays the same in every checkout.
    return { model: parseMetadata(text), name: basename(argument), text };
  }
  // A URL of the document itself is taken as that of its service.
  const service = argument.replace(/\$metadata(?:\?.*)?$/, "");
  const target = resolveService(service, { cwd: environment.cwd, env: environment.env, platform: environment.platform, configFile: stringOption(context.args, "config") });
  // The document's text, as the client read it, for the header's hash.
  let text: string | undefined;
  const capture: PipelineStep = {
    name: "capture-metadata",
    async handle(request, next) {
      const response = await next(request);
      if (response.ok && new URL(request.url).pathname.endsWith("/$metadata")) text = await response.clone().text();
      return response;
    },
  };
  const options = clientOptions(target, clientSettings(context.args), environment);
  const client = new ODataClient({ ...options, steps: [capture] });
  const model = await client.metadata({ signal: context.signal });
  return { model, name: redactUrl(new URL("$metadata", client.serviceUrl).href), text: text ?? JSON.stringify(model) };
}

/** `generate <metadata> --out <dir> [--name f] [--only A,B] [--declarations] [--check]`. */
export const generateCommand: Command = {
  spec: {
    name: "generate",
    summary: "Generate TypeScript types and a typed service factory from $metadata (a file, a URL or a profile).",
    synopsis: "<metadata file | service URL | profile>",
    positionals: { min: 1, max: 1 },
    options: {
      out: { type: "string", short: "o", value: "DIR", help: "the folder to write index.ts into (required)" },
      name: { type: "string", value: "NAME", help: "the factory's name (default: the entity container's name, first letter lowercased)" },
      only: { type: "string", value: "SET,...", help: "only these entity sets, singletons and operation imports, with the types they reach" },
      check: { type: "boolean", help: "write nothing; exit with 1 when the files in --out differ from what would be written" },
      "ieee754-compatible": { type: "boolean", help: "OData v4: Edm.Int64 and Edm.Decimal arrive as strings (IEEE754Compatible=true)" },
      declarations: { type: "boolean", help: "write index.d.ts (the types) and index.js (the factory) instead of index.ts: quicker to type-check with skipLibCheck" },
      "import-from": { type: "string", value: "MODULE", help: 'the module the types are imported from (default "traverse-odata")' },
    },
    notes: [
      "Examples:",
      "  traverse-odata generate metadata.xml --out src/catalog",
      "  traverse-odata generate https://host/odata/v4/catalog/ --out src/catalog --only Books,Authors",
      "  traverse-odata generate metadata.xml --out src/catalog --check   (in CI)",
      "  traverse-odata generate metadata.xml --out src/crm --declarations   (a large service)",
    ].join("\n"),
  },
  async run(context) {
    const [argument = ""] = context.args.positionals;
    const out = stringOption(context.args, "out");
    if (out === undefined || out === "") throw new CliUsageError("generate: option --out <dir> is required (the folder to write index.ts into)");
    const onlyText = stringOption(context.args, "only");
    const only = onlyText === undefined ? undefined : onlyText.split(",").map((name) => name.trim()).filter((name) => name !== "");
    if (only !== undefined && only.length === 0) throw new CliUsageError("generate: option --only needs at least one name");
    const name = stringOption(context.args, "name");
    if (name !== undefined && !/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name)) throw new CliUsageError(`generate: option --name must be a JavaScript identifier; got ${JSON.stringify(name)}`);

    const source = await readSource(argument, context.environment, context);
    let files: Record<string, string>;
    try {
      files = generate(source.model, {
        name,
        only,
        ieee754Compatible: flag(context.args, "ieee754-compatible"),
        importFrom: stringOption(context.args, "import-from"),
        declarations: flag(context.args, "declarations"),
        source: { name: source.name, text: source.text },
      });
    } catch (error) {
      // A name --only or --name gave that the model does not have.
      if (error instanceof RangeError || error instanceof TypeError) throw new CliUsageError(error.message.replace(/^generate: option "(\w+)"/, "generate: option --$1"), { cause: error });
      throw error;
    }
    const folder = resolve(context.environment.cwd, out);
    const names = Object.keys(files).sort();
    if (flag(context.args, "check")) {
      const stale = names.filter((file) => {
        try {
          return readFileSync(join(folder, file), "utf8") !== files[file];
        } catch {
          return true;
        }
      });
      if (stale.length > 0) {
        context.reporter.error(`generate --check: ${stale.map((file) => join(out, file)).join(", ")} ${stale.length === 1 ? "differs" : "differ"} from what ${source.name} gives; run traverse-odata generate without --check`);
        return EXIT.failure;
      }
      context.reporter.summary(`generate --check: ${names.map((file) => join(out, file)).join(", ")} up to date`);
      return EXIT.ok;
    }
    mkdirSync(folder, { recursive: true });
    for (const file of names) writeFileSync(join(folder, file), files[file] as string);
    const digest = createHash("sha256").update(source.text).digest("hex").slice(0, 12);
    context.reporter.summary(`generate: wrote ${names.map((file) => join(out, file)).join(", ")} from ${source.name} (sha256 ${digest}...)`);
    return EXIT.ok;
  },
};
