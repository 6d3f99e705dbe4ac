/**
 * The project's own configuration: the `[tool.django-orm-hints]` table of pyproject.toml, shared by the CLI and
 * the language server. Editor settings are layered over it (server), command-line flags over both (CLI).
 *
 *     [tool.django-orm-hints]
 *     select = ["n-plus-one", "queryset-in-loop"]   # only these rules (default: all)
 *     ignore = ["cache-page-candidate"]             # never these
 *     exclude = ["migrations/", "**\/tests/*.py"]     # gitignore-style patterns, relative to pyproject.toml
 *     wide-model-threshold = 10
 *     max-file-size = 2097152
 *
 *     [tool.django-orm-hints.severity]
 *     n-plus-one = "error"                          # error, warning, information, hint, off, default
 *
 * Reading it never fails: an invalid value gives one message naming the key and that key keeps its default; a
 * file that is not valid TOML gives one message and the defaults.
 */
import * as fs from "fs";
import * as path from "path";
import ignore from "ignore";
import { parse, TomlError } from "smol-toml";
import { DEFAULT_CONFIG, type Config, type RuleSetting } from "./config";
import { SEVERITIES } from "./types";

export const TABLE = "tool.django-orm-hints";
const KEYS = ["select", "ignore", "severity", "exclude", "wide-model-threshold", "max-file-size"] as const;
const RULE_SETTINGS = ["off", "default", ...SEVERITIES] as const;

/** The table as read, before it becomes a Config (the CLI merges its flags at this level). */
export interface ProjectSettings {
  /** Only these rules run; undefined: all. */
  select?: string[];
  /** These rules never run. */
  ignore: string[];
  /** Per-rule severity, or off/default. */
  severity: Record<string, RuleSetting>;
  /** gitignore-style patterns, relative to `dir`. */
  exclude: string[];
  wideModelThreshold?: number;
  maxFileBytes?: number;
}

export interface PyprojectConfig {
  /** The pyproject.toml that was read, or null when there is none with the table. */
  file: string | null;
  /** The folder that `exclude` patterns are relative to (the file's folder, else the root). */
  dir: string;
  settings: ProjectSettings;
  /** The settings as the engine's Config (over DEFAULT_CONFIG). */
  config: Config;
  /** One message per problem, naming the file and the key. */
  problems: string[];
}

export function emptySettings(): ProjectSettings {
  return { ignore: [], severity: {}, exclude: [] };
}

const show = (v: unknown): string => {
  if (typeof v === "string") return JSON.stringify(v);
  if (v instanceof Date) return v.toISOString();
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
};

function ruleList(key: string, v: unknown, known: readonly string[], problems: string[]): string[] | undefined {
  const ids = typeof v === "string" ? v.split(",").map((s) => s.trim()).filter(Boolean) : v;
  if (!Array.isArray(ids) || ids.some((x) => typeof x !== "string")) {
    problems.push(`${key}: expected a list of rule ids, e.g. ["n-plus-one"], got ${show(v)}; ignoring ${key}`);
    return undefined;
  }
  const unknown = (ids as string[]).filter((id) => !known.includes(id));
  if (unknown.length) {
    problems.push(`${key}: unknown rule id${unknown.length > 1 ? "s" : ""} ${unknown.map((u) => JSON.stringify(u)).join(", ")} (known: ${known.join(", ")}); ignoring ${key}`);
    return undefined;
  }
  return [...new Set(ids as string[])];
}

/** Validates the table's value (anything parsed from TOML). Problems name `[tool.django-orm-hints] <key>`. */
export function readSettings(table: unknown, knownRules: readonly string[]): { settings: ProjectSettings; problems: string[] } {
  const settings = emptySettings();
  const problems: string[] = [];
  if (table === undefined) return { settings, problems };
  if (typeof table !== "object" || table === null || Array.isArray(table) || table instanceof Date) {
    problems.push(`expected a table, got ${show(table)}; using the defaults`);
    return { settings, problems };
  }
  for (const [key, v] of Object.entries(table as Record<string, unknown>)) {
    switch (key) {
      case "select": {
        const ids = ruleList(key, v, knownRules, problems);
        if (ids) settings.select = ids;
        break;
      }
      case "ignore": {
        const ids = ruleList(key, v, knownRules, problems);
        if (ids) settings.ignore = ids;
        break;
      }
      case "severity": {
        if (typeof v !== "object" || v === null || Array.isArray(v) || v instanceof Date) {
          problems.push(`severity: expected a table of rule id = severity, e.g. severity = { n-plus-one = "error" }, got ${show(v)}; ignoring severity`);
          break;
        }
        for (const [id, s] of Object.entries(v as Record<string, unknown>)) {
          const value = s === "info" ? "information" : s;
          if (!knownRules.includes(id)) problems.push(`severity.${id}: unknown rule id (known: ${knownRules.join(", ")}); ignoring it`);
          else if (typeof value === "string" && (RULE_SETTINGS as readonly string[]).includes(value)) settings.severity[id] = value as RuleSetting;
          else if (value === false) settings.severity[id] = "off";
          else problems.push(`severity.${id}: expected one of ${RULE_SETTINGS.join(", ")}, got ${show(s)}; using the rule's default`);
        }
        break;
      }
      case "exclude": {
        const list = typeof v === "string" ? [v] : v;
        if (!Array.isArray(list) || list.some((x) => typeof x !== "string")) problems.push(`exclude: expected a list of glob patterns, e.g. ["migrations/"], got ${show(v)}; excluding nothing`);
        else settings.exclude = list as string[];
        break;
      }
      case "wide-model-threshold": {
        if (typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 1000) settings.wideModelThreshold = v;
        else if (typeof v === "bigint" && v >= 1n && v <= 1000n) settings.wideModelThreshold = Number(v);
        else problems.push(`wide-model-threshold: expected a whole number from 1 to 1000, got ${show(typeof v === "bigint" ? v.toString() : v)}; using ${DEFAULT_CONFIG.wideModelThreshold}`);
        break;
      }
      case "max-file-size": {
        if (typeof v === "number" && Number.isInteger(v) && v > 0) settings.maxFileBytes = v;
        else problems.push(`max-file-size: expected a positive whole number of bytes, got ${show(typeof v === "bigint" ? v.toString() : v)}; using ${DEFAULT_CONFIG.maxFileBytes}`);
        break;
      }
      default:
        problems.push(`${key}: unknown key (known: ${KEYS.join(", ")}); ignoring it`);
    }
  }
  return { settings, problems };
}

/** Turns settings into the engine's Config: not selected or ignored rules are off, the rest take their severity. */
export function settingsToConfig(settings: ProjectSettings, knownRules: readonly string[], base: Config = DEFAULT_CONFIG): Config {
  const rules: Record<string, RuleSetting> = { ...base.rules };
  for (const id of knownRules) {
    if ((settings.select && !settings.select.includes(id)) || settings.ignore.includes(id)) rules[id] = "off";
    else if (settings.severity[id]) rules[id] = settings.severity[id];
  }
  return {
    rules,
    wideModelThreshold: settings.wideModelThreshold ?? base.wideModelThreshold,
    maxFileBytes: settings.maxFileBytes ?? base.maxFileBytes,
  };
}

/** Parses one pyproject.toml text. `found` says whether it has the table. */
export function parsePyproject(text: string, file: string, knownRules: readonly string[]): { found: boolean; settings: ProjectSettings; problems: string[] } {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (e) {
    const where = e instanceof TomlError ? ` at line ${e.line}, column ${e.column}` : "";
    const first = String((e as Error).message ?? e).split("\n")[0].replace(/^Invalid TOML document:\s*/, "");
    return { found: false, settings: emptySettings(), problems: [`${file}: not valid TOML${where} (${first}); using the default settings`] };
  }
  const tool = doc.tool;
  const table = typeof tool === "object" && tool !== null && !Array.isArray(tool) ? (tool as Record<string, unknown>)["django-orm-hints"] : undefined;
  if (table === undefined) return { found: false, settings: emptySettings(), problems: [] };
  const { settings, problems } = readSettings(table, knownRules);
  return { found: true, settings, problems: problems.map((p) => `${file}: [${TABLE}] ${p}`) };
}

/**
 * Finds and reads the configuration for a root folder: its pyproject.toml, or the nearest one above it that has
 * the table (stopping at the repository's top, a folder with .git). Never throws.
 */
export function loadPyproject(root: string, knownRules: readonly string[], base: Config = DEFAULT_CONFIG): PyprojectConfig {
  let dir = path.resolve(root);
  for (;;) {
    const file = path.join(dir, "pyproject.toml");
    let text: string | null = null;
    try {
      if (fs.statSync(file).isFile()) text = fs.readFileSync(file, "utf8");
    } catch {
      text = null;
    }
    if (text !== null) {
      const r = parsePyproject(text.replace(/^\uFEFF/, ""), file, knownRules);
      // A broken file or one with the table decides; one without it lets a parent's table apply.
      if (r.found || r.problems.length) return { file: r.found ? file : null, dir: r.found ? dir : root, settings: r.settings, config: settingsToConfig(r.settings, knownRules, base), problems: r.problems };
    }
    const parent = path.dirname(dir);
    if (parent === dir || fs.existsSync(path.join(dir, ".git"))) break;
    dir = parent;
  }
  return { file: null, dir: path.resolve(root), settings: emptySettings(), config: settingsToConfig(emptySettings(), knownRules, base), problems: [] };
}

/** A test for the `exclude` patterns (gitignore syntax, relative to dir). Files outside dir are never excluded. */
export function excludeMatcher(dir: string, patterns: readonly string[]): (file: string) => boolean {
  if (!patterns.length) return () => false;
  const ig = ignore().add([...patterns]);
  return (file: string) => {
    const rel = path.relative(dir, file).split(path.sep).join("/");
    if (!rel || rel.startsWith("..") || path.isAbsolute(rel)) return false;
    return ig.ignores(rel);
  };
}
