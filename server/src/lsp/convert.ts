/**
 * The only module that knows both engine and LSP types. Engine ranges are already LSP-shaped (UTF-16 line and
 * character, computed by engine/positions.ts); this maps paths to URIs, severities and fixes.
 */
import { pathToFileURL, fileURLToPath } from "url";
import { CodeAction, CodeActionKind, Diagnostic, DiagnosticSeverity, DiagnosticTag, TextEdit, WorkspaceEdit } from "vscode-languageserver";
import type { Fix, Hint, Severity } from "../engine/types";

export const SOURCE = "django-orm-hints";

/** Recent path -> URI conversions: a publish converts the same few paths hundreds of times, and URL building is slow. */
const uris = new Map<string, string>();

export function uriOf(file: string): string {
  if (file.includes("://") || file.startsWith("untitled:")) return file;
  let uri = uris.get(file);
  if (uri === undefined) {
    if (uris.size >= 1000) uris.clear();
    uris.set(file, (uri = pathToFileURL(file).toString()));
  }
  return uri;
}

export function fileOf(uri: string): string {
  return uri.startsWith("file:") ? fileURLToPath(uri) : uri;
}

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export interface DiagnosticData {
  fixes: Fix[];
}

export function toDiagnostic(h: Hint): Diagnostic {
  const d: Diagnostic = {
    range: h.range,
    severity: SEVERITY[h.severity],
    code: h.code,
    codeDescription: { href: h.docsUrl },
    source: SOURCE,
    message: h.message,
    relatedInformation: h.related.map((r) => ({ location: { uri: uriOf(r.file), range: r.range }, message: r.message })),
    data: { fixes: h.fixes } satisfies DiagnosticData,
  };
  if (h.severity === "hint") d.tags = [] as DiagnosticTag[];
  return d;
}

export function toWorkspaceEdit(fix: Fix): WorkspaceEdit {
  const changes: Record<string, TextEdit[]> = {};
  for (const e of fix.edits) (changes[uriOf(e.file)] ??= []).push({ range: e.range, newText: e.newText });
  return { changes };
}

export function toQuickFix(fix: Fix, diagnostic: Diagnostic, preferred: boolean): CodeAction {
  return { title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: preferred, edit: toWorkspaceEdit(fix) };
}
