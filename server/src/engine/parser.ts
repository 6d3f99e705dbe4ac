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
import { tsPointAt, type TsPoint } from "./positions";

/** A named node of the parse tree, copied out of WASM memory. Offsets count UTF-16 code units. */
export interface SyntaxNode {
  type: string;
  readonly start: number;
  readonly end: number;
  /** The grammar field this node fills in its parent (e.g. "function", "arguments", "left"), or null. */
  field: string | null;
  children: SyntaxNode[];
  parent: SyntaxNode | null;
}

/**
 * How far a unit of a snapshot has moved since it was copied: a top-level statement, or a statement in the body of
 * a top-level class (what an incremental snapshot reuses). Moving a unit after an edit above it changes `d` once,
 * instead of every node's offsets; `inner` holds the anchors of a class's body statements, which move with it.
 */
interface Anchor {
  d: number;
  inner: Anchor[] | null;
}

/** A snapshot's node: its offsets as copied, plus its unit's shift (see Anchor). */
class Node implements SyntaxNode {
  constructor(
    public type: string,
    private readonly s: number,
    private readonly e: number,
    public field: string | null,
    public children: SyntaxNode[],
    public parent: SyntaxNode | null,
    readonly a: Anchor,
  ) {}
  get start(): number {
    return this.s + this.a.d;
  }
  get end(): number {
    return this.e + this.a.d;
  }
}

const newAnchor = (): Anchor => ({ d: 0, inner: null });


/** Moves a unit (see Anchor) by `delta`: its own nodes and, for a class, the statements of its body. */
function shiftUnit(node: SyntaxNode, delta: number): void {
  const a = (node as Node).a;
  a.d += delta;
  if (a.inner) for (const x of a.inner) x.d += delta;
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
    const moduleOptions = { locateFile: () => runtime };
    await Parser.init(moduleOptions);
    raw = rawCursorExports(moduleOptions);
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

/** The children of every leaf: one shared, frozen empty list. */
const NO_CHILDREN: SyntaxNode[] = Object.freeze([]) as unknown as SyntaxNode[];

/** Nodes whose named children the analysis never reads: their text is sliced from the source instead. */
const LEAF_TYPES = new Set(["comment", "string_content"]);

/**
 * A tree cursor reduced to what the snapshot reads. Two implementations: the public TreeCursor API, and RawWalk,
 * which calls the same WASM functions directly (the public API copies the cursor's state in and out of WASM memory
 * around every call, which was two thirds of the cost of a snapshot).
 */
interface Walk {
  typeId(): number;
  start(): number;
  end(): number;
  fieldId(): number;
  firstChild(): boolean;
  nextSibling(): boolean;
  parent(): boolean;
  delete(): void;
}

/**
 * The WASM exports behind web-tree-sitter's TreeCursor. Each takes the tree's address and works on the cursor state
 * held in the runtime's transfer buffer: the `goto` functions leave the moved cursor there, the getters read it. The
 * public methods copy the JS object's state into the buffer before each call and back after each move; RawWalk
 * puts the state there once and leaves it, which is safe because nothing else uses the buffer during a walk
 * (single-threaded, no callbacks into JS, no other tree-sitter call until the walk ends).
 */
interface CursorExports {
  HEAP32: Int32Array;
  _ts_init(): number;
  _ts_tree_cursor_current_node_type_id_wasm(tree: number): number;
  _ts_tree_cursor_start_index_wasm(tree: number): number;
  _ts_tree_cursor_end_index_wasm(tree: number): number;
  _ts_tree_cursor_current_field_id_wasm(tree: number): number;
  _ts_tree_cursor_goto_first_child_wasm(tree: number): number;
  _ts_tree_cursor_goto_next_sibling_wasm(tree: number): number;
  _ts_tree_cursor_goto_parent_wasm(tree: number): number;
  _ts_tree_cursor_delete_wasm(tree: number): void;
}

const RAW_FUNCTIONS = [
  "_ts_init",
  "_ts_tree_cursor_current_node_type_id_wasm",
  "_ts_tree_cursor_start_index_wasm",
  "_ts_tree_cursor_end_index_wasm",
  "_ts_tree_cursor_current_field_id_wasm",
  "_ts_tree_cursor_goto_first_child_wasm",
  "_ts_tree_cursor_goto_next_sibling_wasm",
  "_ts_tree_cursor_goto_parent_wasm",
  "_ts_tree_cursor_delete_wasm",
] as const;

let raw: CursorExports | null = null;
let rawEnabled = true;
let transferBuffer = 0;

/**
 * web-tree-sitter's Emscripten module is the options object given to Parser.init, so the raw exports are found on
 * it. Anything missing (another runtime version, or the runtime initialized elsewhere first) means the public API.
 */
function rawCursorExports(moduleOptions: object): CursorExports | null {
  const m = moduleOptions as Record<string, unknown>;
  if (!RAW_FUNCTIONS.every((f) => typeof m[f] === "function") || !(m.HEAP32 instanceof Int32Array)) return null;
  const exports = m as unknown as CursorExports;
  // The buffer's address (ts_init only writes the language versions into it, as Parser.init did).
  transferBuffer = exports._ts_init();
  return exports;
}

/** For tests: walk trees with the public TreeCursor API (false) or the raw exports (true). Returns whether raw exports exist. */
export function useRawCursor(enabled: boolean): boolean {
  rawEnabled = enabled;
  return raw !== null;
}

type Handle = Record<number, number>;

class RawWalk implements Walk {
  private readonly t: number;
  constructor(
    tree: Tree,
    private readonly cursor: TreeCursor,
    private readonly m: CursorExports,
  ) {
    this.t = (tree as unknown as Handle)[0];
    // HEAP32 is replaced when WASM memory grows: read it now, not at init.
    const heap = m.HEAP32;
    const state = cursor as unknown as Handle;
    for (let i = 0; i < 4; i++) heap[(transferBuffer >> 2) + i] = state[i];
  }
  typeId(): number {
    return this.m._ts_tree_cursor_current_node_type_id_wasm(this.t);
  }
  start(): number {
    return this.m._ts_tree_cursor_start_index_wasm(this.t);
  }
  end(): number {
    return this.m._ts_tree_cursor_end_index_wasm(this.t);
  }
  fieldId(): number {
    return this.m._ts_tree_cursor_current_field_id_wasm(this.t);
  }
  firstChild(): boolean {
    return this.m._ts_tree_cursor_goto_first_child_wasm(this.t) === 1;
  }
  nextSibling(): boolean {
    return this.m._ts_tree_cursor_goto_next_sibling_wasm(this.t) === 1;
  }
  parent(): boolean {
    return this.m._ts_tree_cursor_goto_parent_wasm(this.t) === 1;
  }
  /** Frees the cursor as it is now (its stack may have been reallocated since the JS object last saw it). */
  delete(): void {
    this.m._ts_tree_cursor_delete_wasm(this.t);
    const state = this.cursor as unknown as Handle;
    state[0] = state[1] = state[2] = state[3] = 0;
  }
}

class ApiWalk implements Walk {
  constructor(private readonly cursor: TreeCursor) {}
  typeId(): number {
    return this.cursor.nodeTypeId;
  }
  start(): number {
    return this.cursor.startIndex;
  }
  end(): number {
    return this.cursor.endIndex;
  }
  fieldId(): number {
    return this.cursor.currentFieldId;
  }
  firstChild(): boolean {
    return this.cursor.gotoFirstChild();
  }
  nextSibling(): boolean {
    return this.cursor.gotoNextSibling();
  }
  parent(): boolean {
    return this.cursor.gotoParent();
  }
  delete(): void {
    this.cursor.delete();
  }
}

function walk(tree: Tree): Walk {
  const cursor = tree.walk();
  return raw && rawEnabled ? new RawWalk(tree, cursor, raw) : new ApiWalk(cursor);
}

/**
 * Copies the named nodes of a tree into plain objects in one cursor walk. Reading numeric ids and mapping them
 * through tables keeps the number of calls into WASM per node small.
 */
export function snapshot(tree: Tree, text: string): Syntax {
  const tables = languageTables(tree.language);
  const cursor = walk(tree);
  let root: SyntaxNode;
  try {
    root = new Node(tables.names[cursor.typeId()] ?? "ERROR", cursor.start(), cursor.end(), null, [], null, newAnchor());
    if (cursor.firstChild()) {
      do copyReusing(cursor, root, tables, null, null);
      while (cursor.nextSibling());
    }
  } finally {
    cursor.delete();
  }
  // After the walk: reading a node goes through the transfer buffer that holds the raw cursor's state.
  return { text, root, hasErrors: tree.rootNode.hasError };
}

/**
 * Copies the node under the cursor (when named) and its named descendants into `parent`, leaving the cursor on
 * that same node.
 */
function copyChildren(cursor: Walk, parent: SyntaxNode, tables: LanguageTables, anchor: Anchor): SyntaxNode | null {
  const { names, named, fields } = tables;
  const id = cursor.typeId();
  if (!named[id] && id !== 65535) return null;
  const top: SyntaxNode = new Node(names[id] ?? "ERROR", cursor.start(), cursor.end(), fields[cursor.fieldId()] ?? null, NO_CHILDREN, parent, anchor);
  parent.children.push(top);
  if (LEAF_TYPES.has(top.type) || !cursor.firstChild()) return top;
  // Children are collected on a scratch list and copied into an array of their exact size when the node is done:
  // grown arrays keep spare capacity, and a snapshot held for a while (a full check) was 40% spare slots.
  const stack: SyntaxNode[] = [top];
  const kids: SyntaxNode[][] = [[]];
  for (;;) {
    const cid = cursor.typeId();
    let current: SyntaxNode | null = null;
    if (named[cid] || cid === 65535) {
      current = new Node(names[cid] ?? "ERROR", cursor.start(), cursor.end(), fields[cursor.fieldId()] ?? null, NO_CHILDREN, stack[stack.length - 1], anchor);
      kids[kids.length - 1].push(current);
    }
    if (current && !LEAF_TYPES.has(current.type) && cursor.firstChild()) {
      stack.push(current);
      kids.push([]);
      continue;
    }
    while (!cursor.nextSibling()) {
      cursor.parent();
      const done = stack.pop()!;
      const list = kids.pop()!;
      if (list.length) done.children = list.slice();
      if (stack.length === 0) return top;
    }
  }
}

/** Nodes that copyReusing descends into to reuse the statements of class bodies. */
const CLASS_PATH = new Set(["class_definition", "decorated_definition", "block"]);

/**
 * Copies a top-level statement (the cursor's node) into `parent` with its own Anchor. Inside a class (decorated or
 * not), each statement of its body gets an anchor of its own, and the ones `reuse` still has (untouched methods of
 * a large class, after an edit) are taken over instead of copied. `anchor` is the statement's, once inside it.
 */
function copyReusing(cursor: Walk, parent: SyntaxNode, tables: LanguageTables, reuse: ((start: number, end: number, type: string) => SyntaxNode | null) | null, anchor: Anchor | null): void {
  const { names, named, fields } = tables;
  const type = names[cursor.typeId()] ?? "ERROR";
  const own = anchor ?? newAnchor();
  if (!CLASS_PATH.has(type) || (type === "block" && parent.type !== "class_definition")) {
    copyChildren(cursor, parent, tables, own);
    return;
  }
  const node: SyntaxNode = new Node(type, cursor.start(), cursor.end(), fields[cursor.fieldId()] ?? null, [], parent, own);
  parent.children.push(node);
  if (!cursor.firstChild()) return;
  do {
    const cid = cursor.typeId();
    if (!named[cid] && cid !== 65535) continue;
    if (type === "block") {
      const old = reuse?.(cursor.start(), cursor.end(), names[cid] ?? "ERROR");
      const unit = old ? (old as Node).a : newAnchor();
      (own.inner ??= []).push(unit);
      if (old) {
        old.parent = node;
        node.children.push(old);
      } else {
        copyChildren(cursor, node, tables, unit);
      }
      continue;
    }
    copyReusing(cursor, node, tables, reuse, own);
  } while (cursor.nextSibling());
  cursor.parent();
}

/** tree-sitter's point after `text[from, to)` when that span starts at `start` (no "\r" in it). */
export function pointAfter(start: TsPoint, text: string, from: number, to: number): TsPoint {
  if (to <= from) return start;
  const nl = text.lastIndexOf("\n", to - 1);
  if (nl < from) return { row: start.row, column: start.column + (to - from) };
  let rows = 0;
  for (let i = text.indexOf("\n", from); i !== -1 && i < to; i = text.indexOf("\n", i + 1)) rows++;
  return { row: start.row + rows, column: to - nl - 1 };
}

interface PendingEdit {
  start: number;
  oldEnd: number;
  newEnd: number;
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
  /** The snapshot of the last parse, kept so unchanged top-level statements can be reused. */
  private previous: Syntax | null = null;
  private edits: PendingEdit[] = [];

  /** The text may hold a "\r" (then each parse reads a copy with lone ones made "\n"; see parseableText). */
  private cr: boolean;

  constructor(private textValue: string) {
    this.cr = textValue.includes("\r");
  }

  get text(): string {
    return this.textValue;
  }

  applyChanges(changes: readonly TextChange[]): void {
    for (const change of changes) {
      const old = this.textValue;
      const next = old.slice(0, change.start) + change.text + old.slice(change.end);
      const newEnd = change.start + change.text.length;
      const cr = this.cr || change.text.includes("\r");
      if (this.tree) {
        if (cr) {
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
        } else {
          // Without "\r" the points follow from the start's and the spans' own lines: one scan up to the change.
          const startPosition = tsPointAt(old, change.start);
          this.tree.edit({
            startIndex: change.start,
            oldEndIndex: change.end,
            newEndIndex: newEnd,
            startPosition,
            oldEndPosition: pointAfter(startPosition, old, change.start, change.end),
            newEndPosition: pointAfter(startPosition, change.text, 0, change.text.length),
          });
        }
      }
      this.edits.push({ start: change.start, oldEnd: change.end, newEnd });
      this.textValue = next;
      this.cr = cr;
    }
    if (this.cached) this.previous = this.cached;
    this.cached = null;
  }

  replaceText(text: string): void {
    this.textValue = text;
    this.cr = text.includes("\r");
    this.tree?.delete();
    this.tree = null;
    this.cached = null;
    this.previous = null;
    this.edits = [];
  }

  syntax(): Syntax {
    if (this.cached) return this.cached;
    const oldTree = this.tree;
    const tree = requireParser().parse(this.cr ? parseableText(this.textValue) : this.textValue, oldTree ?? undefined);
    if (!tree) throw new Error("tree-sitter returned no tree");
    let syntax: Syntax;
    if (oldTree && this.previous && this.edits.length) {
      syntax = this.incrementalSnapshot(oldTree, tree, this.previous);
    } else {
      syntax = snapshot(tree, this.textValue);
    }
    oldTree?.delete();
    this.tree = tree;
    this.cached = syntax;
    this.previous = null;
    this.edits = [];
    return syntax;
  }

  /**
   * A snapshot that reuses the previous one's top-level statements the edits did not touch (their offsets shifted
   * in place), and copies only the changed ones out of WASM.
   */
  private incrementalSnapshot(oldTree: Tree, tree: Tree, previous: Syntax): Syntax {
    const text = this.textValue;
    // Changed spans in new offsets: what tree-sitter says changed, plus every edited span.
    const dirty: [number, number][] = oldTree.getChangedRanges(tree).map((r) => [r.startIndex, r.endIndex] as [number, number]);
    for (let i = 0; i < this.edits.length; i++) {
      let { start, newEnd } = this.edits[i];
      for (const later of this.edits.slice(i + 1)) {
        const d = later.newEnd - later.oldEnd;
        if (start >= later.oldEnd) start += d;
        else if (start > later.start) start = later.start;
        if (newEnd >= later.oldEnd) newEnd += d;
        else if (newEnd > later.start) newEnd = later.newEnd;
      }
      dirty.push([start, newEnd]);
    }
    const mapOld = (pos: number): number => {
      for (const e of this.edits) {
        if (pos >= e.oldEnd) pos += e.newEnd - e.oldEnd;
        else if (pos > e.start) return -1;
      }
      return pos;
    };
    const byStart = new Map<number, SyntaxNode>();
    // The statements of class bodies too, for a changed class (see copyReusing).
    const inner = new Map<number, SyntaxNode>();
    const keep = (into: Map<number, SyntaxNode>, c: SyntaxNode) => {
      const ns = mapOld(c.start);
      const ne = mapOld(c.end);
      if (ns >= 0 && ne >= 0 && ne - ns === c.end - c.start) into.set(ns, c);
    };
    for (const c of previous.root.children) {
      keep(byStart, c);
      const cls = c.type === "decorated_definition" ? c.children.find((x) => x.field === "definition") : c;
      if (cls?.type === "class_definition") for (const s of cls.children.find((x) => x.field === "body")?.children ?? []) keep(inner, s);
    }
    const touches = (start: number, end: number) => dirty.some(([a, b]) => a <= end && start <= b);
    const reuse = (start: number, end: number, type: string): SyntaxNode | null => {
      const old = inner.get(start);
      if (!old || old.type !== type || old.end - old.start !== end - start || touches(start, end)) return null;
      inner.delete(start);
      if (old.start !== start) shiftUnit(old, start - old.start);
      return old;
    };
    const tables = languageTables(tree.language);
    const cursor = walk(tree);
    const root: SyntaxNode = new Node(tables.names[cursor.typeId()] ?? "ERROR", cursor.start(), cursor.end(), null, [], null, newAnchor());
    try {
      if (cursor.firstChild()) {
        do {
          const start = cursor.start();
          const end = cursor.end();
          const old = byStart.get(start);
          const touched = touches(start, end);
          if (old && !touched && old.end - old.start === end - start && old.type === tables.names[cursor.typeId()]) {
            if (old.start !== start) shiftUnit(old, start - old.start);
            old.parent = root;
            root.children.push(old);
          } else {
            copyReusing(cursor, root, tables, reuse, null);
          }
        } while (cursor.nextSibling());
      }
    } finally {
      cursor.delete();
    }
    return { text, root, hasErrors: tree.rootNode.hasError };
  }

  dispose(): void {
    this.tree?.delete();
    this.tree = null;
    this.cached = null;
    this.previous = null;
  }
}
