/**
 * The type-level model of a notebook's global scope: which cell last declared each top-level name,
 * and the virtual files that let TypeScript see it.
 *
 * - Each committed cell k is a module `__sluice_cell_k.ts`: the cell's text (unchanged, so positions
 *   stay the cell's own), then appended lines: `export { …names }` for its top-level declarations, and
 *   `import { x } from "./__sluice_cell_j.ts"` "pins" for the earlier names it uses. A pin freezes what
 *   `x` meant when the cell ran, so re-declaring `x` later does not change the types of older cells.
 * - `__sluice_scope.d.ts` declares, in `declare global`, the latest declaration of every name:
 *   `let x: typeof __sluice_c3.x` for `let`, `var` for `var` and functions (re-assignable, as at run
 *   time), `const` for `const`, and `export import C = __sluice_c3.C` for everything else (classes,
 *   enums, interfaces, type aliases, namespaces, imports, mixed declarations), which carries the value,
 *   type and namespace meanings with their type parameters. The kernel's globals (`display`…) come from
 *   module "sluice" the same way until a cell re-declares them.
 * - A name that also exists in the ambient globals (`crypto`, `Event`…) cannot be re-declared globally;
 *   it is imported into the checked cell instead ({@link CellScope.currentCellSuffix}).
 *
 * Cells whose names are all shadowed and that no live cell pins are dropped from the program.
 */
import path from "node:path";
import ts from "./typescript.cjs";

/** How a top-level name is declared in one cell. */
export type DeclarationKind =
  | "let"
  | "var"
  | "const"
  | "function"
  | "class"
  | "enum"
  | "interface"
  | "type"
  | "namespace"
  | "import";

/** Where the latest declaration of a global name lives. */
export interface ScopeEntry {
  readonly name: string;
  /** The declaration kinds of the name in its cell (several for overloads or merged declarations). */
  readonly kinds: readonly DeclarationKind[];
  /** The id of the committed cell, or "kernel" for the globals module "sluice" provides. */
  readonly source: number | "kernel";
}

/** A committed cell as the language service sees it. */
export interface CommittedCell {
  readonly id: number;
  /** Absolute virtual file name, in the notebook directory. */
  readonly fileName: string;
  /** The cell's code followed by the export and pin lines. */
  readonly text: string;
  /** Cells this cell imports pinned names from. */
  readonly pins: ReadonlySet<number>;
}

/** A global name's declaration in the scope file, for going from it to the real declaration. */
export interface ScopeFileReference {
  readonly name: string;
  /** Span of the name declared in the scope file. */
  readonly declarationStart: number;
  readonly declarationEnd: number;
  /** Offset of `name` in `__sluice_cN.name` / `__sluice_kernel.name`: go-to-definition there finds the real declaration. */
  readonly targetOffset: number;
}

/** The module the kernel's globals come from. */
export const KERNEL_MODULE = "sluice";
const CELL_PREFIX = "__sluice_cell_";
const SCOPE_FILE = "__sluice_scope.d.ts";
const CURRENT_FILE = "__sluice_cell_current.ts";
const KERNEL_NAMESPACE = "__sluice_kernel";

/** True for names of the virtual files and helper bindings this model creates. */
export function isInternalName(name: string): boolean {
  return name.startsWith("__sluice");
}

function kindsOfVariableStatement(statement: ts.VariableStatement): DeclarationKind {
  const flags = statement.declarationList.flags;
  if (flags & ts.NodeFlags.Const || flags & ts.NodeFlags.Using) return "const"; // AwaitUsing includes Const|Using bits
  if (flags & ts.NodeFlags.Let) return "let";
  return "var";
}

function addBindingNames(name: ts.BindingName, kind: DeclarationKind, out: Map<string, DeclarationKind[]>): void {
  if (ts.isIdentifier(name)) {
    add(out, name.text, kind);
    return;
  }
  for (const element of name.elements) {
    if (!ts.isOmittedExpression(element)) addBindingNames(element.name, kind, out);
  }
}

function add(out: Map<string, DeclarationKind[]>, name: string, kind: DeclarationKind): void {
  const kinds = out.get(name);
  if (kinds) {
    if (!kinds.includes(kind)) kinds.push(kind);
  } else {
    out.set(name, [kind]);
  }
}

function hasExportModifier(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false);
}

/** The top-level names a cell declares, with their kinds, and the names it already exports itself. */
export function topLevelDeclarations(source: ts.SourceFile): { declared: Map<string, DeclarationKind[]>; exported: Set<string> } {
  const declared = new Map<string, DeclarationKind[]>();
  const exported = new Set<string>();
  for (const statement of source.statements) {
    const before = new Set(declared.keys());
    if (ts.isVariableStatement(statement)) {
      const kind = kindsOfVariableStatement(statement);
      for (const declaration of statement.declarationList.declarations) addBindingNames(declaration.name, kind, declared);
    } else if (ts.isFunctionDeclaration(statement) && statement.name) {
      add(declared, statement.name.text, "function");
    } else if (ts.isClassDeclaration(statement) && statement.name) {
      add(declared, statement.name.text, "class");
    } else if (ts.isEnumDeclaration(statement)) {
      add(declared, statement.name.text, "enum");
    } else if (ts.isInterfaceDeclaration(statement)) {
      add(declared, statement.name.text, "interface");
    } else if (ts.isTypeAliasDeclaration(statement)) {
      add(declared, statement.name.text, "type");
    } else if (ts.isModuleDeclaration(statement) && ts.isIdentifier(statement.name) && !(statement.flags & ts.NodeFlags.GlobalAugmentation)) {
      add(declared, statement.name.text, "namespace");
    } else if (ts.isImportEqualsDeclaration(statement)) {
      add(declared, statement.name.text, "import");
    } else if (ts.isImportDeclaration(statement) && statement.importClause) {
      const clause = statement.importClause;
      if (clause.name) add(declared, clause.name.text, "import");
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) add(declared, bindings.name.text, "import");
      if (bindings && ts.isNamedImports(bindings)) for (const element of bindings.elements) add(declared, element.name.text, "import");
    } else if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) exported.add(element.name.text);
    }
    if (hasExportModifier(statement)) for (const name of declared.keys()) if (!before.has(name)) exported.add(name);
  }
  return { declared, exported };
}

/** Every identifier text in the cell (over-approximates the names it uses; unused pins are harmless). */
function identifierTexts(source: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) names.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return names;
}

function parseCell(fileName: string, code: string): ts.SourceFile {
  return ts.createSourceFile(fileName, code, { languageVersion: ts.ScriptTarget.ES2022, impliedNodeFormat: ts.ModuleKind.ESNext }, false, ts.ScriptKind.TS);
}

/** How a scope entry is declared globally. */
function globalForm(kinds: readonly DeclarationKind[]): "let" | "var" | "const" | "alias" {
  if (kinds.length !== 1) return kinds.every((k) => k === "function") ? "var" : "alias";
  const [kind] = kinds;
  if (kind === "let" || kind === "var" || kind === "const") return kind;
  if (kind === "function") return "var";
  return "alias";
}

/** The notebook's committed cells and the global scope they build up. */
export class CellScope {
  /** Absolute path of the scope declaration file. */
  readonly scopeFileName: string;
  /** Absolute path of the file holding the cell being checked or completed. */
  readonly currentFileName: string;
  private readonly cells = new Map<number, CommittedCell>();
  private readonly entries = new Map<string, ScopeEntry>();
  private ambientNames: ReadonlySet<string> = new Set();
  private nextId = 1;
  private scopeText: string | undefined;
  private references: ScopeFileReference[] = [];

  /**
   * @param directory the notebook directory the virtual files live in
   * @param kernelGlobals names module "sluice" exports that every cell sees as globals
   */
  constructor(
    private readonly directory: string,
    kernelGlobals: readonly string[],
  ) {
    this.scopeFileName = path.join(directory, SCOPE_FILE);
    this.currentFileName = path.join(directory, CURRENT_FILE);
    for (const name of kernelGlobals) this.entries.set(name, { name, kinds: ["const"], source: "kernel" });
  }

  /** Names the ambient declarations (lib, `@types/node`) already declare globally. */
  setAmbientNames(names: ReadonlySet<string>): void {
    this.ambientNames = names;
    this.scopeText = undefined;
  }

  /** The file name of committed cell `id`. */
  cellFileName(id: number): string {
    return path.join(this.directory, `${CELL_PREFIX}${id}.ts`);
  }

  /** The committed cells still needed by the scope, oldest first. */
  liveCells(): CommittedCell[] {
    return [...this.cells.values()];
  }

  /** The entry of a global name, if a cell or the kernel declared it. */
  entry(name: string): ScopeEntry | undefined {
    return this.entries.get(name);
  }

  /**
   * Records a cell that ran: its top-level declarations become the latest ones of their names.
   * Returns the committed cell (a new virtual file).
   */
  commit(code: string): CommittedCell {
    if (typeof code !== "string") throw new TypeError(`commit: code must be a string, got ${typeof code}`);
    const id = this.nextId++;
    const fileName = this.cellFileName(id);
    const source = parseCell(fileName, code);
    const { declared, exported } = topLevelDeclarations(source);

    const used = identifierTexts(source);
    const pinsByCell = new Map<number | "kernel", string[]>();
    for (const name of used) {
      if (declared.has(name)) continue;
      const entry = this.entries.get(name);
      if (!entry) continue;
      const list = pinsByCell.get(entry.source);
      if (list) list.push(name);
      else pinsByCell.set(entry.source, [name]);
    }

    const lines: string[] = [];
    const exportNames = [...declared.keys()].filter((name) => !exported.has(name));
    if (exportNames.length > 0) lines.push(`;export { ${exportNames.join(", ")} };`);
    const pins = new Set<number>();
    for (const [sourceId, names] of pinsByCell) {
      if (sourceId !== "kernel") pins.add(sourceId);
      lines.push(`import { ${names.join(", ")} } from ${JSON.stringify(this.specifier(sourceId))};`);
    }
    const text = lines.length > 0 ? `${code}\n${lines.join("\n")}\n` : code;
    const cell: CommittedCell = { id, fileName, text, pins };
    this.cells.set(id, cell);
    for (const [name, kinds] of declared) this.entries.set(name, { name, kinds, source: id });
    this.dropDeadCells();
    this.scopeText = undefined;
    return cell;
  }

  /** Text of the scope declaration file (cached until the next commit). */
  scopeFileText(): string {
    if (this.scopeText !== undefined) return this.scopeText;
    const imports = new Set<number | "kernel">();
    let body = "";
    const references: ScopeFileReference[] = [];
    const header = (): string =>
      [...imports].map((source) => `import * as ${this.namespace(source)} from ${JSON.stringify(this.specifier(source))};\n`).join("");
    // Offsets are computed against the body and shifted once the header (which depends on the body) is known.
    const bodyReferences: { name: string; declarationStart: number; targetOffset: number }[] = [];
    for (const entry of this.entries.values()) {
      if (this.ambientNames.has(entry.name)) continue;
      imports.add(entry.source);
      const namespace = this.namespace(entry.source);
      const form = globalForm(entry.kinds);
      const prefix = form === "alias" ? "  export import " : `  ${form} `;
      const declarationStart = body.length + prefix.length;
      const middle = form === "alias" ? ` = ${namespace}.` : `: typeof ${namespace}.`;
      const targetOffset = declarationStart + entry.name.length + middle.length;
      body += `${prefix}${entry.name}${middle}${entry.name};\n`;
      bodyReferences.push({ name: entry.name, declarationStart, targetOffset });
    }
    const head = `${header()}declare global {\n`;
    for (const r of bodyReferences) {
      references.push({
        name: r.name,
        declarationStart: head.length + r.declarationStart,
        declarationEnd: head.length + r.declarationStart + r.name.length,
        targetOffset: head.length + r.targetOffset,
      });
    }
    this.references = references;
    this.scopeText = `${head}${body}}\nexport {};\n`;
    return this.scopeText;
  }

  /** The scope-file declaration at `offset` (a definition found there), if any. */
  referenceAt(offset: number): ScopeFileReference | undefined {
    this.scopeFileText();
    return this.references.find((r) => offset >= r.declarationStart && offset <= r.declarationEnd);
  }

  /**
   * Text to append to the checked cell: imports of the latest declarations of names that clash with an
   * ambient global (so the cell sees the notebook's `crypto`, not Node's), except names the cell itself
   * declares. Starts with a newline and a `;` (whatever the cell ends with); "" when there is nothing to add.
   */
  currentCellSuffix(code: string): string {
    const clashing = [...this.entries.values()].filter((e) => this.ambientNames.has(e.name));
    if (clashing.length === 0) return "";
    const { declared } = topLevelDeclarations(parseCell(this.currentFileName, code));
    const bySource = new Map<number | "kernel", string[]>();
    for (const entry of clashing) {
      if (declared.has(entry.name)) continue;
      const list = bySource.get(entry.source);
      if (list) list.push(entry.name);
      else bySource.set(entry.source, [entry.name]);
    }
    if (bySource.size === 0) return "";
    const lines = [...bySource].map(([source, names]) => `import { ${names.join(", ")} } from ${JSON.stringify(this.specifier(source))};`);
    return `\n;${lines.join("\n")}\n`;
  }

  private namespace(source: number | "kernel"): string {
    return source === "kernel" ? KERNEL_NAMESPACE : `__sluice_c${source}`;
  }

  private specifier(source: number | "kernel"): string {
    return source === "kernel" ? KERNEL_MODULE : `./${CELL_PREFIX}${source}.ts`;
  }

  /** Forgets cells that provide no latest declaration and that no live cell pins. */
  private dropDeadCells(): void {
    const live = new Set<number>();
    const stack: number[] = [];
    for (const entry of this.entries.values()) if (entry.source !== "kernel") stack.push(entry.source);
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (live.has(id)) continue;
      live.add(id);
      for (const pinned of this.cells.get(id)?.pins ?? []) stack.push(pinned);
    }
    for (const id of [...this.cells.keys()]) if (!live.has(id)) this.cells.delete(id);
  }
}
