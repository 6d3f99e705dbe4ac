/**
 * Output formats of `check`: text (Ruff-like, with the source line and a caret), json (the stable contract of
 * issue 2), sarif (SARIF 2.1.0 for code scanning) and github (workflow-command annotations).
 */
import * as path from "path";
import { pathToFileURL } from "url";
import type { Rule } from "../engine/rule";
import type { Hint, Severity } from "../engine/types";
import { docsUrl } from "../engine/types";

export const FORMATS = ["text", "json", "sarif", "github"] as const;
export type Format = (typeof FORMATS)[number];

export const TOOL_NAME = "django-orm-hints";
export const TOOL_URI = "https://github.com/django-orm-hints/django-orm-hints";

export interface FormatInput {
  hints: Hint[];
  /** Files checked. */
  files: number;
  /** Folder the model index was built from; SARIF URIs are relative to it. */
  root: string;
  /** Output paths are relative to it (text, github). */
  cwd: string;
  notices: { file?: string; message: string }[];
  /** Text of a file, for the source excerpt (text format). */
  textOf?: (file: string) => string | null;
  color?: boolean;
  rules: readonly Rule[];
  version: string;
  /** Per file, how many hints --fix fixed. */
  fixed?: { file: string; count: number }[];
}

export function displayPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return !rel || rel.startsWith("..") || path.isAbsolute(rel) ? file : rel;
}

// ---------------------------------------------------------------------------------------------------------------
// json

export function toJson(hints: Hint[]): unknown[] {
  return hints.map((h) => ({
    file: h.file,
    range: h.range,
    code: h.code,
    severity: h.severity,
    message: h.message,
    fixes: h.fixes.map((f) => ({ title: f.title, edits: f.edits.map((e) => ({ file: e.file, range: e.range, newText: e.newText })) })),
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// text

const ANSI = { reset: "\x1b[0m", bold: "\x1b[1m", dim: "\x1b[2m", red: "\x1b[31m", yellow: "\x1b[33m", blue: "\x1b[34m", cyan: "\x1b[36m", green: "\x1b[32m" };
const SEVERITY_COLOR: Record<Severity, string> = { error: ANSI.red, warning: ANSI.yellow, information: ANSI.blue, hint: ANSI.cyan };

/** Colour only when stdout is a terminal and NO_COLOR is unset or empty (https://no-color.org). */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return !!stream.isTTY && !env.NO_COLOR;
}

function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** The excerpt under a hint: gutter, the source line, and carets under the range (to the line's end if longer). */
function excerpt(h: Hint, lines: string[], paint: (code: string, s: string) => string): string[] {
  const lineNo = h.range.start.line;
  const src = lines[lineNo];
  if (src === undefined) return [];
  const num = String(lineNo + 1);
  const pad = " ".repeat(num.length);
  const gutter = (s: string) => paint(ANSI.blue + ANSI.bold, s);
  const start = Math.min(h.range.start.character, src.length);
  const end = h.range.end.line === lineNo ? Math.min(Math.max(h.range.end.character, start), src.length) : src.length;
  // Keep tabs so the carets line up with the source however the terminal expands them; count code points.
  const lead = Array.from(src.slice(0, start)).map((c) => (c === "\t" ? "\t" : " ")).join("");
  const width = Math.max(1, Array.from(src.slice(start, end)).length);
  const carets = paint(SEVERITY_COLOR[h.severity] + ANSI.bold, "^".repeat(width));
  return [`${pad} ${gutter("|")}`, `${gutter(num)} ${gutter("|")} ${src}`, `${pad} ${gutter("|")} ${lead}${carets}`, `${pad} ${gutter("|")}`];
}

export function formatText(input: FormatInput): string {
  const { hints, cwd } = input;
  const paint = (code: string, s: string) => (input.color ? `${code}${s}${ANSI.reset}` : s);
  const out: string[] = [];
  for (const f of input.fixed ?? []) out.push(`${paint(ANSI.green, "Fixed")} ${f.count} hint${f.count === 1 ? "" : "s"} in ${paint(ANSI.bold, displayPath(f.file, cwd))}`);
  if (out.length) out.push("");
  const cache = new Map<string, string[] | null>();
  const linesOf = (file: string) => {
    if (!cache.has(file)) {
      const t = input.textOf?.(file) ?? null;
      cache.set(file, t === null ? null : splitLines(t));
    }
    return cache.get(file)!;
  };
  for (const h of hints) {
    const loc = `${displayPath(h.file, cwd)}:${h.range.start.line + 1}:${h.range.start.character + 1}:`;
    out.push(`${paint(ANSI.bold, loc)} ${paint(SEVERITY_COLOR[h.severity] + ANSI.bold, h.severity)} ${paint(ANSI.bold, `[${h.code}]`)} ${h.message}`);
    const lines = linesOf(h.file);
    if (lines) out.push(...excerpt(h, lines, paint));
    out.push("");
  }
  const files = new Set(hints.map((h) => h.file)).size;
  const fixable = hints.filter((h) => h.fixes.some((f) => f.safe)).length;
  const fixedTotal = (input.fixed ?? []).reduce((n, f) => n + f.count, 0);
  const s = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  let summary = hints.length ? `Found ${s(hints.length, "hint")} in ${s(files, "file")} (${input.files} checked).` : `No hints in ${s(input.files, "file")}.`;
  if (fixedTotal) summary += ` Fixed ${s(fixedTotal, "hint")}.`;
  if (fixable) summary += ` ${fixable} fixable with --fix.`;
  out.push(summary);
  return out.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------------------------
// SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html)

export const SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const SRCROOT = "%SRCROOT%";

type SarifLevel = "error" | "warning" | "note";
export function sarifLevel(s: Severity): SarifLevel {
  return s === "error" ? "error" : s === "warning" ? "warning" : "note";
}

/** "n-plus-one" -> "NPlusOne": SARIF's rule name is an identifier-like display name. */
function ruleName(id: string): string {
  return id.split(/[^A-Za-z0-9]+/).map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join("");
}

export function fileUri(file: string): string {
  return pathToFileURL(file).href;
}

function artifactLocation(file: string, root: string): { uri: string; uriBaseId?: string } {
  const rel = path.relative(root, file);
  if (!rel || rel.startsWith("..") || path.isAbsolute(rel)) return { uri: fileUri(file) };
  // A relative URI reference: path segments percent-encoded, "/" separators.
  return { uri: rel.split(path.sep).map(encodeURIComponent).join("/"), uriBaseId: SRCROOT };
}

/** 0-based UTF-16 LSP range -> 1-based SARIF region (columns in UTF-16 code units; endColumn is exclusive). */
function region(r: Hint["range"]) {
  return { startLine: r.start.line + 1, startColumn: r.start.character + 1, endLine: r.end.line + 1, endColumn: r.end.character + 1 };
}

export function toSarif(input: FormatInput): unknown {
  const { hints, root, rules } = input;
  const ruleIndex = new Map(rules.map((r, i) => [r.meta.id, i]));
  const rootUri = fileUri(root).replace(/\/?$/, "/");
  const results = hints.map((h) => {
    const related = h.related.map((r, i) => ({ id: i + 1, message: { text: r.message }, physicalLocation: { artifactLocation: artifactLocation(r.file, root), region: region(r.range) } }));
    const fixes = h.fixes.map((f) => {
      const byFile = new Map<string, typeof f.edits>();
      for (const e of f.edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
      return {
        description: { text: f.safe ? f.title : `${f.title} (unsafe: review before applying)` },
        artifactChanges: [...byFile].map(([file, edits]) => ({
          artifactLocation: artifactLocation(file, root),
          replacements: edits.map((e) => ({ deletedRegion: region(e.range), insertedContent: { text: e.newText } })),
        })),
      };
    });
    const result: Record<string, unknown> = {
      ruleId: h.code,
      level: sarifLevel(h.severity),
      message: { text: h.message },
      locations: [{ physicalLocation: { artifactLocation: artifactLocation(h.file, root), region: region(h.range) } }],
    };
    const idx = ruleIndex.get(h.code);
    if (idx !== undefined) result.ruleIndex = idx;
    if (related.length) result.relatedLocations = related;
    if (fixes.length) result.fixes = fixes;
    result.properties = { severity: h.severity };
    return result;
  });
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            version: input.version,
            semanticVersion: input.version,
            informationUri: TOOL_URI,
            rules: rules.map((r) => ({
              id: r.meta.id,
              name: ruleName(r.meta.id),
              shortDescription: { text: r.meta.summary },
              helpUri: docsUrl(r.meta.id),
              help: { text: `${r.meta.summary}. See ${docsUrl(r.meta.id)}`, markdown: `${r.meta.summary}. [Documentation](${docsUrl(r.meta.id)})` },
              defaultConfiguration: { level: sarifLevel(r.meta.defaultSeverity) },
              properties: { tags: ["django", "performance"], fixable: r.meta.fixable },
            })),
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: rootUri } },
        columnKind: "utf16CodeUnits",
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: input.notices.map((n) => ({
              level: "warning",
              message: { text: n.message },
              ...(n.file ? { locations: [{ physicalLocation: { artifactLocation: artifactLocation(n.file, root) } }] } : {}),
            })),
          },
        ],
        results,
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// GitHub Actions workflow commands (https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions)

/** Escapes a command's message: %, CR and LF. */
export function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Escapes a property value: as data, plus ":" and ",". */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

const GITHUB_COMMAND: Record<Severity, string> = { error: "error", warning: "warning", information: "notice", hint: "notice" };

export function formatGithub(input: FormatInput): string {
  const lines = input.hints.map((h) => {
    const r = region(h.range);
    const props = [
      `file=${escapeProperty(displayPath(h.file, input.cwd).split(path.sep).join("/"))}`,
      `line=${r.startLine}`,
      `col=${r.startColumn}`,
      `endLine=${r.endLine}`,
      `endColumn=${r.endColumn}`,
      `title=${escapeProperty(h.code)}`,
    ];
    return `::${GITHUB_COMMAND[h.severity]} ${props.join(",")}::${escapeData(h.message)}`;
  });
  return lines.length ? lines.join("\n") + "\n" : "";
}
