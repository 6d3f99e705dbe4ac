/** What a rule is and what it sees. A rule lives in rules/<id>/ with its doc and cases. */
import type { FileFlow } from "./flow";
import type { LineIndex } from "./positions";
import type { ModelIndex } from "./models";
import type { Syntax, SyntaxNode } from "./parser";
import type { Severity } from "./types";

export interface RuleMeta {
  id: string;
  summary: string;
  defaultSeverity: Severity;
  /** What the fix does and when it is marked safe (mirrors the doc's "Fix safety"). */
  fixable: boolean;
}

export interface OffsetEdit {
  file: string;
  start: number;
  end: number;
  newText: string;
}

export interface OffsetFix {
  title: string;
  safe: boolean;
  edits: OffsetEdit[];
}

export interface Report {
  start: number;
  end: number;
  message: string;
  related?: { file: string; start: number; end: number; message: string }[];
  fixes?: OffsetFix[];
  /** Report in another file than the one analyzed (e.g. a template); defaults to the current file. */
  file?: string;
}

export interface TemplateFile {
  file: string;
  text: string;
}

export interface ProjectView {
  /** A template by its name as used in render()/template_name, searched in every templates/ folder. */
  template(name: string): TemplateFile | null;
  /** Text of a workspace file (open documents first), or null. */
  textOf(file: string): string | null;
  /** Workspace Python files whose path matches. */
  filesMatching?(pattern: RegExp): string[];
  /** A workspace file's path relative to its root, with "/" separators. */
  relPathOf?(file: string): string;
  /** A value computed once until a workspace file changes. */
  memo?<T>(key: string, compute: () => T): T;
  /**
   * How many times a file has changed (on disk or as an open document): what a rule derives from one file's text
   * holds while this stays the same.
   */
  changesTo?(file: string): number;
}

export interface RuleOptions {
  wideModelThreshold: number;
}

export interface RuleContext {
  file: string;
  text: string;
  syntax: Syntax;
  lines: LineIndex;
  index: ModelIndex;
  options: RuleOptions;
  project: ProjectView;
  flow(): FileFlow;
  report(r: Report): void;
  /**
   * Examines the code of `node`'s top-level statement: runs `fn`, and the reports made inside belong to that
   * statement. After an edit, a statement the edit cannot have changed keeps its reports from the last analysis
   * and `fn` is not run (returns undefined). Reports made outside `examine` are recomputed on every analysis.
   */
  examine<T>(node: SyntaxNode, fn: () => T): T | undefined;
  /**
   * Declares something the reports depend on that is not named in the statements they come from (e.g. a
   * pagination class found anywhere in the file, used in fixes). When it differs from the last analysis, every
   * statement is examined again. Call it before `examine`.
   */
  dependsOn(key: string): void;
  /**
   * Whether the file's text matches `re` (not global): a quick test before the real checks. After an edit it is
   * answered without a scan when the last match lies in a statement the edit did not touch.
   */
  mentions(re: RegExp): boolean;
}

export interface Rule {
  meta: RuleMeta;
  check(ctx: RuleContext): void;
}
