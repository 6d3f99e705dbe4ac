/** The engine's own vocabulary. Nothing here knows about LSP or VS Code; server/src/lsp converts. */
import type { Range } from "./positions";

export type Severity = "error" | "warning" | "information" | "hint";
export const SEVERITIES: readonly Severity[] = ["error", "warning", "information", "hint"];

export interface TextEdit {
  file: string;
  range: Range;
  newText: string;
}

export interface Fix {
  title: string;
  /** Safe fixes cannot change what the code computes; only they are applied by fix-all. */
  safe: boolean;
  edits: TextEdit[];
}

export interface RelatedInfo {
  file: string;
  range: Range;
  message: string;
}

export interface Hint {
  file: string;
  range: Range;
  code: string;
  severity: Severity;
  message: string;
  related: RelatedInfo[];
  fixes: Fix[];
  docsUrl: string;
}

export const DOCS_BASE = "https://github.com/django-orm-hints/django-orm-hints/blob/main/rules";
export function docsUrl(ruleId: string): string {
  return `${DOCS_BASE}/${ruleId}/README.md`;
}
