import type { Node } from "web-tree-sitter";

/**
 * A plain JavaScript copy of part of a syntax tree. The mutations ask many small questions (parent, field, text)
 * of the same few hundred nodes; answering them from JavaScript objects built in one cursor walk is much faster
 * than crossing into WebAssembly for each, and the copy stays valid after the tree is freed.
 */
export interface LiteNode {
  readonly type: string;
  readonly named: boolean;
  /** Field name under the parent, or null. */
  readonly field: string | null;
  readonly start: number;
  readonly end: number;
  readonly startRow: number;
  readonly endRow: number;
  readonly parent: LiteNode | undefined;
  readonly children: LiteNode[];
  /** Set on a shell copied by copyRegion: only some of its children are present. */
  readonly partial?: boolean;
}

interface MutableLiteNode extends LiteNode {
  children: LiteNode[];
}

/** Copies the subtree under `root` (inclusive) with one tree cursor walk, below an optional copied parent. */
export function copySubtree(root: Node, rootParent?: LiteNode, rootField: string | null = null): LiteNode {
  const cursor = root.walk();
  try {
    const make = (parent: LiteNode | undefined, field: string | null): MutableLiteNode => ({
      type: cursor.nodeType,
      named: cursor.nodeIsNamed,
      field,
      start: cursor.startIndex,
      end: cursor.endIndex,
      startRow: cursor.startPosition.row,
      endRow: cursor.endPosition.row,
      parent,
      children: [],
    });
    const top = make(rootParent, rootField);
    const stack: MutableLiteNode[] = [top];
    if (!cursor.gotoFirstChild()) return top;
    for (;;) {
      const parent = stack[stack.length - 1]!;
      const node = make(parent, cursor.currentFieldName);
      parent.children.push(node);
      if (cursor.gotoFirstChild()) {
        stack.push(node);
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent() || stack.length <= 1) return top;
        stack.pop();
      }
    }
  } finally {
    cursor.delete();
  }
}

export function textOf(source: string, node: LiteNode): string {
  return source.slice(node.start, node.end);
}

export function namedChildren(node: LiteNode): LiteNode[] {
  return node.children.filter((c) => c.named && !isCommentType(c.type));
}

export function childByField(node: LiteNode, field: string): LiteNode | undefined {
  return node.children.find((c) => c.field === field);
}

export function isCommentType(type: string): boolean {
  return type === "comment" || type === "line_comment" || type === "block_comment" || type === "html_comment";
}

/** Every node of the subtree in document order (pre-order). */
export function descendants(root: LiteNode): LiteNode[] {
  const out: LiteNode[] = [];
  const stack: LiteNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    out.push(node);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
  }
  return out;
}

/** Nodes lying wholly inside [start, end), in document order; subtrees outside the span are not entered. */
export function nodesWithin(root: LiteNode, start: number, end: number): LiteNode[] {
  const out: LiteNode[] = [];
  const visit = (node: LiteNode): void => {
    if (node.end <= start || node.start >= end) {
      // A zero-width node at the span's start (a MISSING token) still lies within it.
      if (!(node.start === node.end && node.start >= start && node.start < end)) return;
    }
    if (node.start >= start && node.end <= end) out.push(node);
    for (const child of node.children) visit(child);
  };
  visit(root);
  return out;
}

export function ancestors(node: LiteNode): LiteNode[] {
  const out: LiteNode[] = [];
  for (let p = node.parent; p; p = p.parent) out.push(p);
  return out;
}

/**
 * Copies the part of a tree that covers rows [fromRow, toRow]: nodes spanning at most `maxRows` rows are copied
 * whole; a larger node (a long class, the whole file) is copied as a shell holding only its children that overlap
 * the rows. Keeps the copy proportional to the code around a hunk, not to the file.
 */
export function copyRegion(
  node: Node,
  fromRow: number,
  toRow: number,
  maxRows: number,
  parent?: LiteNode,
  field: string | null = null,
): LiteNode {
  const rows = node.endPosition.row - node.startPosition.row;
  if (rows <= maxRows) return copySubtree(node, parent, field);
  const shell: MutableLiteNode = {
    type: node.type,
    named: node.isNamed,
    field,
    start: node.startIndex,
    end: node.endIndex,
    startRow: node.startPosition.row,
    endRow: node.endPosition.row,
    parent,
    children: [],
    partial: true,
  };
  const count = node.childCount;
  for (let i = 0; i < count; i++) {
    const child = node.child(i);
    if (!child || child.endPosition.row < fromRow || child.startPosition.row > toRow) continue;
    shell.children.push(copyRegion(child, fromRow, toRow, maxRows, shell, node.fieldNameForChild(i)));
  }
  return shell;
}
