/**
 * All parsing goes through this module, so the tree-sitter runtime can be swapped in one place.
 *
 * web-tree-sitter (WASM) with the grammar shipped by tree-sitter-python. WASM memory is not garbage-collected:
 * every Tree is deleted as soon as it has been turned into a plain-JS Syntax snapshot, except the one tree per
 * open document that incremental re-parsing needs (see IncrementalDocument).
 */
import * as fs from "fs";
import * as path from "path";
import { Language, Parser, Tree, TreeCursor } from "web-tree-sitter";
import { tsPointAt } from "./positions";

/** A named node of the parse tree, copied out of WASM memory. Offsets count UTF-16 code units. */
export interface SyntaxNode {
  type: string;
  start: number;
  end: number;
  /** The grammar field this node fills in its parent (e.g. "function", "arguments", "left"), or null. */
  field: string | null;
  children: SyntaxNode[];
  parent: SyntaxNode | null;
}

export interface Syntax {
  text: string;
  root: SyntaxNode;
  hasErrors: boolean;
}

let parser: Parser | null = null;
let initializing: Promise<Parser> | null = null;

function findWasm(file: string, pkg: string): string {
  const candidates = [path.join(__dirname, file), path.join(__dirname, "..", file)];
  for (const c of candidates) if (fs.existsSync(c)) return c;
  return require.resolve(`${pkg}/${file}`);
}

/** Loads the WASM runtime and the Python grammar once. */
export function initParser(): Promise<Parser> {
  if (parser) return Promise.resolve(parser);
  initializing ??= (async () => {
    const runtime = findWasm("tree-sitter.wasm", "web-tree-sitter");
    await Parser.init({ locateFile: () => runtime });
    const language = await Language.load(findWasm("tree-sitter-python.wasm", "tree-sitter-python"));
    const p = new Parser();
    p.setLanguage(language);
    parser = p;
    return p;
  })();
  return initializing;
}

function requireParser(): Parser {
  if (!parser) throw new Error("initParser() must finish before parsing");
  return parser;
}

/**
 * Python and LSP end a line at a lone "\r" too; tree-sitter-python does not. Parsing a copy with lone "\r" made
 * "\n" keeps every offset (same length) and lets the grammar see the lines.
 */
export function parseableText(text: string): string {
  return text.includes("\r") && /\r(?!\n)/.test(text) ? text.replace(/\r(?!\n)/g, "\n") : text;
}

/** Parses a whole text and returns its snapshot; the WASM tree is freed before returning. */
export function parseText(text: string): Syntax {
  const tree = requireParser().parse(parseableText(text));
  if (!tree) throw new Error("tree-sitter returned no tree");
  try {
    return snapshot(tree, text);
  } finally {
    tree.delete();
  }
}

interface LanguageTables {
  names: string[];
  named: boolean[];
  fields: (string | null)[];
}
let tables: LanguageTables | null = null;

function languageTables(language: Language): LanguageTables {
  if (tables) return tables;
  const names: string[] = [];
  const named: boolean[] = [];
  for (let id = 0; id < language.nodeTypeCount; id++) {
    names.push(language.nodeTypeForId(id) ?? "ERROR");
    named.push(language.nodeTypeIsNamed(id));
  }
  tables = { names, named, fields: language.fields };
  return tables;
}

/** Nodes whose named children the analysis never reads: their text is sliced from the source instead. */
const LEAF_TYPES = new Set(["comment", "string_content"]);

/**
 * Copies the named nodes of a tree into plain objects in one cursor walk. Reading numeric ids and mapping them
 * through tables keeps the number of calls into WASM per node small.
 */
export function snapshot(tree: Tree, text: string): Syntax {
  const { names, named, fields } = languageTables(tree.language);
  const cursor: TreeCursor = tree.walk();
  const root: SyntaxNode = { type: names[cursor.nodeTypeId], start: cursor.startIndex, end: cursor.endIndex, field: null, children: [], parent: null };
  const hasErrors = tree.rootNode.hasError;
  const stack: SyntaxNode[] = [root];
  try {
    if (!cursor.gotoFirstChild()) return { text, root, hasErrors };
    for (;;) {
      const id = cursor.nodeTypeId;
      let current: SyntaxNode | null = null;
      if (named[id] || id === 65535) {
        const parent = stack[stack.length - 1];
        current = { type: names[id] ?? "ERROR", start: cursor.startIndex, end: cursor.endIndex, field: fields[cursor.currentFieldId] ?? null, children: [], parent };
        parent.children.push(current);
      }
      if (current && !LEAF_TYPES.has(current.type) && cursor.gotoFirstChild()) {
        stack.push(current);
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent() || stack.length === 1) return { text, root, hasErrors };
        stack.pop();
      }
    }
  } finally {
    cursor.delete();
  }
}

export interface TextChange {
  /** Offsets in the text before the change. */
  start: number;
  end: number;
  text: string;
}

/**
 * One open document: its text and tree, re-parsed incrementally on each change.
 * Call dispose() when the document closes, so its WASM tree is freed.
 */
export class IncrementalDocument {
  private tree: Tree | null = null;
  private cached: Syntax | null = null;

  constructor(private textValue: string) {}

  get text(): string {
    return this.textValue;
  }

  applyChanges(changes: readonly TextChange[]): void {
    for (const change of changes) {
      const old = this.textValue;
      const next = old.slice(0, change.start) + change.text + old.slice(change.end);
      if (this.tree) {
        const newEnd = change.start + change.text.length;
        const oldParsed = parseableText(old);
        const nextParsed = parseableText(next);
        this.tree.edit({
          startIndex: change.start,
          oldEndIndex: change.end,
          newEndIndex: newEnd,
          startPosition: tsPointAt(oldParsed, change.start),
          oldEndPosition: tsPointAt(oldParsed, change.end),
          newEndPosition: tsPointAt(nextParsed, newEnd),
        });
      }
      this.textValue = next;
    }
    this.cached = null;
  }

  replaceText(text: string): void {
    this.textValue = text;
    this.tree?.delete();
    this.tree = null;
    this.cached = null;
  }

  syntax(): Syntax {
    if (this.cached) return this.cached;
    const tree = requireParser().parse(parseableText(this.textValue), this.tree ?? undefined);
    if (!tree) throw new Error("tree-sitter returned no tree");
    this.tree?.delete();
    this.tree = tree;
    this.cached = snapshot(tree, this.textValue);
    return this.cached;
  }

  dispose(): void {
    this.tree?.delete();
    this.tree = null;
    this.cached = null;
  }
}
