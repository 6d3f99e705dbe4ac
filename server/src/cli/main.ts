/** The command line: `django-orm-hints check ...` and `django-orm-hints lsp --stdio`. */
import * as fs from "fs";
import * as path from "path";
import { isMainThread } from "worker_threads";
import { RULE_IDS, RULES } from "../../../rules";
import { runCheck, ruleIds, UsageError, type CheckOptions, type CheckResult } from "./check";
import { displayPath, FORMATS, formatGithub, formatText, toJson, toSarif, wantsColor, type Format, type FormatInput } from "./format";

export const VERSION = "0.1.0";

const USAGE = `Usage:
  django-orm-hints check [options] [PATH...]
  django-orm-hints lsp --stdio
  django-orm-hints --version

check: reports Django ORM performance hints for the Python files in PATHs (files or folders; default: the
current folder). The model index is built from --root, which defaults to the common folder of the PATHs.

Options:
  --root DIR             folder the model index is built from; its pyproject.toml ([tool.django-orm-hints]) is read
  --format FORMAT        text (default), json, sarif (SARIF 2.1.0) or github (workflow annotations)
  --changed [BASE]       only files git reports changed since BASE (default HEAD): modified, staged and untracked;
                         the next argument is taken as BASE unless it is an existing file or folder (or use --changed=BASE)
  --select IDS           only these rules (comma-separated rule ids); replaces the configured select and ignore
  --ignore IDS           skip these rules (comma-separated rule ids); added to the configuration's ignore
  --fix                  apply the safe fixes, write the files, then report what is left
  --exit-zero            exit 0 even when hints are found

Exit codes: 0 no hints, 1 hints found, 2 usage or configuration error.
Rules: ${RULE_IDS.join(", ")}`;

export { runCheck, UsageError, toJson };
export type { CheckOptions, CheckResult };

export function parseCheckArgs(args: string[], cwd = process.cwd()): CheckOptions {
  const opts: CheckOptions = { format: "text", paths: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.startsWith("--") ? a.indexOf("=") : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string => {
      if (eq > 0) return a.slice(eq + 1);
      const v = args[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    const flag = () => {
      if (eq > 0) throw new UsageError(`${name} takes no value`);
    };
    switch (name) {
      case "--root":
        opts.root = value();
        break;
      case "--format": {
        const f = value();
        if (!(FORMATS as readonly string[]).includes(f)) throw new UsageError(`--format must be ${FORMATS.slice(0, -1).join(", ")} or ${FORMATS[FORMATS.length - 1]}, not ${JSON.stringify(f)}`);
        opts.format = f as Format;
        break;
      }
      case "--changed": {
        if (eq > 0) opts.changed = a.slice(eq + 1);
        else {
          const next = args[i + 1];
          // The optional BASE: the next argument, unless it is an option or an existing file or folder.
          if (next !== undefined && !next.startsWith("-") && !fs.existsSync(path.resolve(cwd, next))) {
            opts.changed = next;
            i++;
          } else opts.changed = "HEAD";
        }
        if (!opts.changed || opts.changed.startsWith("-")) throw new UsageError(`--changed: not a revision: ${JSON.stringify(opts.changed)}`);
        break;
      }
      case "--select":
        opts.select = [...new Set([...(opts.select ?? []), ...ruleIds("--select", value())])];
        break;
      case "--ignore":
        opts.ignore = [...new Set([...(opts.ignore ?? []), ...ruleIds("--ignore", value())])];
        break;
      case "--fix":
        flag();
        opts.fix = true;
        break;
      case "--exit-zero":
        flag();
        opts.exitZero = true;
        break;
      case "--":
        opts.paths.push(...args.slice(i + 1));
        i = args.length;
        break;
      default:
        if (a.startsWith("-") && a !== "-") throw new UsageError(`unknown option ${a}`);
        opts.paths.push(a);
    }
  }
  return opts;
}

/** Renders a result in the chosen format. */
export function render(result: CheckResult, opts: CheckOptions, cwd: string, color = false): string {
  const input: FormatInput = {
    hints: result.hints,
    files: result.files,
    root: result.root,
    cwd,
    notices: result.notices,
    textOf: (f) => result.project.textOf(f),
    color,
    rules: RULES,
    version: VERSION,
    fixed: result.fixed,
  };
  switch (opts.format) {
    case "json":
      return JSON.stringify(toJson(result.hints), null, 2) + "\n";
    case "sarif":
      return JSON.stringify(toSarif(input), null, 2) + "\n";
    case "github":
      return formatGithub(input);
    default:
      return formatText(input);
  }
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === "--help" || cmd === "-h" || cmd === "help") {
    process.stdout.write(USAGE + "\n");
    return cmd ? 0 : 2;
  }
  if (cmd === "--version" || cmd === "-V") {
    process.stdout.write(`django-orm-hints ${VERSION}\n`);
    return 0;
  }
  if (cmd === "lsp") {
    const { startServer } = await import("../lsp/server");
    startServer();
    return -1; // keeps running
  }
  if (cmd !== "check") {
    process.stderr.write(`django-orm-hints: unknown command ${JSON.stringify(cmd)}\n\n${USAGE}\n`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(USAGE + "\n");
    return 0;
  }
  try {
    const cwd = process.cwd();
    const opts = parseCheckArgs(rest, cwd);
    const result = await runCheck(opts, cwd);
    for (const n of result.notices) process.stderr.write(`django-orm-hints: ${n.file ? `${displayPath(n.file, cwd)}: ` : ""}${n.message}\n`);
    // Machine-readable formats keep stdout clean: what --fix changed goes to stderr.
    if (opts.format !== "text") for (const f of result.fixed) process.stderr.write(`django-orm-hints: fixed ${f.count} hint${f.count === 1 ? "" : "s"} in ${displayPath(f.file, cwd)}\n`);
    process.stdout.write(render(result, opts, cwd, opts.format === "text" && wantsColor(process.stdout)));
    if (opts.exitZero) return 0;
    return result.hints.length ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`django-orm-hints: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

// (A worker thread of a parallel check loads this file too: it must not run the command line again.)
if (require.main === module && isMainThread) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`django-orm-hints: internal error: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 2;
    },
  );
}
