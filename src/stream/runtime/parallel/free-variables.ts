/**
 * The free variables of a function's source text: names it reads or writes that it does not declare
 * itself (parameters, var/let/const/function/class declarations, catch parameters, its own name).
 * A function shipped to a worker thread is rebuilt from its source, so every free variable must be a
 * JS/Node global or a capture. The analysis is a real scope walk over an acorn parse (block scopes,
 * hoisting, destructuring, classes), not a pattern match.
 */
import { parse } from "acorn";

/** A node of the ESTree acorn produces (only the fields the walk reads are typed). */
interface EsNode {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** A function's source text made an expression, and its syntax tree. */
export interface ParsedFunction {
  /** A JS expression evaluating to the function (method shorthand is wrapped in an object literal). */
  readonly expression: string;
  readonly node: EsNode;
}

const PARSE_OPTIONS = { ecmaVersion: "latest", sourceType: "script", allowAwaitOutsideFunction: false } as const;

/**
 * Parses `Function.prototype.toString()` text: a function or arrow expression, a class, or a method
 * (`name(a) { … }`, `async name() {}`, `*name() {}`). Throws a SyntaxError for anything else (native
 * code, bound functions).
 */
export function parseFunction(source: string): ParsedFunction {
  const asExpression = tryParse(`(${source}\n)`);
  if (asExpression !== undefined) {
    const expr = expressionOf(asExpression);
    if (expr !== undefined && isFunctionLike(expr)) return { expression: `(${source}\n)`, node: expr };
  }
  const asMethod = tryParse(`({${source}\n})`);
  if (asMethod !== undefined) {
    const expr = expressionOf(asMethod);
    const props = expr?.type === "ObjectExpression" ? (expr["properties"] as EsNode[]) : [];
    const value = props.length === 1 ? (props[0]!["value"] as EsNode | undefined) : undefined;
    if (value !== undefined && isFunctionLike(value) && props[0]!["kind"] === "init") {
      return { expression: `Object.values({${source}\n})[0]`, node: value };
    }
  }
  throw new SyntaxError(`not the source of a function: ${source.length > 80 ? `${source.slice(0, 80)}…` : source}`);
}

function tryParse(text: string): EsNode | undefined {
  try {
    return parse(text, PARSE_OPTIONS) as unknown as EsNode;
  } catch {
    return undefined;
  }
}

function expressionOf(program: EsNode): EsNode | undefined {
  const body = program["body"] as EsNode[];
  if (body.length !== 1 || body[0]!.type !== "ExpressionStatement") return undefined;
  return body[0]!["expression"] as EsNode;
}

function isFunctionLike(node: EsNode): boolean {
  return node.type === "FunctionExpression" || node.type === "ArrowFunctionExpression" || node.type === "ClassExpression";
}

/** A scope: the names declared in it, and its parent. */
class Scope {
  readonly names = new Set<string>();
  constructor(readonly parent: Scope | undefined) {}

  has(name: string): boolean {
    for (let s: Scope | undefined = this; s !== undefined; s = s.parent) if (s.names.has(name)) return true;
    return false;
  }
}

/** The names `node` (a function, arrow or class) uses without declaring them, in order of first use. */
export function freeVariables(node: EsNode): string[] {
  const free: string[] = [];
  const seen = new Set<string>();
  const reference = (name: string, scope: Scope): void => {
    if (!scope.has(name) && !seen.has(name)) {
      seen.add(name);
      free.push(name);
    }
  };
  new Walker(reference).visit(node, new Scope(undefined));
  return free;
}

class Walker {
  constructor(private readonly reference: (name: string, scope: Scope) => void) {}

  visit(node: EsNode | null | undefined, scope: Scope): void {
    if (node === null || node === undefined) return;
    switch (node.type) {
      case "Identifier":
        this.reference(node["name"] as string, scope);
        return;
      case "FunctionDeclaration":
        // Its name was declared by the enclosing scope's hoisting pass.
        this.visitFunction(node, scope);
        return;
      case "FunctionExpression":
      case "ArrowFunctionExpression":
        this.visitFunction(node, scope);
        return;
      case "ClassDeclaration":
      case "ClassExpression":
        this.visitClass(node, scope);
        return;
      case "VariableDeclaration":
        for (const d of node["declarations"] as EsNode[]) {
          this.visitPatternExpressions(d["id"] as EsNode, scope);
          this.visit(d["init"] as EsNode | null, scope);
        }
        return;
      case "BlockStatement":
      case "StaticBlock": {
        const block = new Scope(scope);
        declareLexical(node["body"] as EsNode[], block);
        for (const s of node["body"] as EsNode[]) this.visit(s, block);
        return;
      }
      case "ForStatement":
      case "ForInStatement":
      case "ForOfStatement": {
        const loop = new Scope(scope);
        const head = (node["init"] ?? node["left"]) as EsNode | null;
        if (head?.type === "VariableDeclaration") declareLexical([head], loop);
        for (const field of ["init", "left", "test", "update", "right", "body"]) {
          const child = node[field] as EsNode | null | undefined;
          if (child === undefined || child === null) continue;
          if (field === "left" && child.type !== "VariableDeclaration") this.visitAssignTarget(child, loop);
          else this.visit(child, loop);
        }
        return;
      }
      case "SwitchStatement": {
        this.visit(node["discriminant"] as EsNode, scope);
        const block = new Scope(scope);
        const cases = node["cases"] as EsNode[];
        declareLexical(cases.flatMap((c) => c["consequent"] as EsNode[]), block);
        for (const c of cases) {
          this.visit(c["test"] as EsNode | null, block);
          for (const s of c["consequent"] as EsNode[]) this.visit(s, block);
        }
        return;
      }
      case "CatchClause": {
        const catchScope = new Scope(scope);
        const param = node["param"] as EsNode | null;
        if (param !== null) {
          for (const n of patternNames(param)) catchScope.names.add(n);
          this.visitPatternExpressions(param, catchScope);
        }
        this.visit(node["body"] as EsNode, catchScope);
        return;
      }
      case "MemberExpression":
        this.visit(node["object"] as EsNode, scope);
        if (node["computed"] === true) this.visit(node["property"] as EsNode, scope);
        return;
      case "Property":
        if (node["computed"] === true) this.visit(node["key"] as EsNode, scope);
        this.visit(node["value"] as EsNode, scope);
        return;
      case "AssignmentExpression":
        this.visitAssignTarget(node["left"] as EsNode, scope);
        this.visit(node["right"] as EsNode, scope);
        return;
      case "LabeledStatement":
        this.visit(node["body"] as EsNode, scope);
        return;
      case "BreakStatement":
      case "ContinueStatement":
      case "MetaProperty":
      case "ThisExpression":
      case "Super":
      case "Literal":
      case "PrivateIdentifier":
        return;
      default:
        this.visitChildren(node, scope);
    }
  }

  private visitChildren(node: EsNode, scope: Scope): void {
    for (const [field, value] of Object.entries(node)) {
      if (field === "type" || field === "start" || field === "end" || field === "loc" || field === "range") continue;
      if (Array.isArray(value)) {
        for (const v of value) if (isNode(v)) this.visit(v, scope);
      } else if (isNode(value)) {
        this.visit(value, scope);
      }
    }
  }

  private visitFunction(node: EsNode, outer: Scope): void {
    const scope = new Scope(outer);
    const id = node["id"] as EsNode | null | undefined;
    if (node.type === "FunctionExpression" && id) scope.names.add(id["name"] as string);
    if (node.type !== "ArrowFunctionExpression") scope.names.add("arguments");
    const params = node["params"] as EsNode[];
    for (const p of params) for (const n of patternNames(p)) scope.names.add(n);
    const body = node["body"] as EsNode;
    if (body.type === "BlockStatement") {
      const statements = body["body"] as EsNode[];
      for (const n of hoisted(statements)) scope.names.add(n);
      declareLexical(statements, scope);
      for (const p of params) this.visitPatternExpressions(p, scope);
      for (const s of statements) this.visit(s, scope);
    } else {
      for (const p of params) this.visitPatternExpressions(p, scope);
      this.visit(body, scope);
    }
  }

  private visitClass(node: EsNode, outer: Scope): void {
    this.visit(node["superClass"] as EsNode | null, outer);
    const scope = new Scope(outer);
    const id = node["id"] as EsNode | null;
    if (id) scope.names.add(id["name"] as string);
    for (const member of (node["body"] as EsNode)["body"] as EsNode[]) {
      if (member.type === "StaticBlock") {
        this.visit(member, scope);
        continue;
      }
      if (member["computed"] === true) this.visit(member["key"] as EsNode, scope);
      this.visit(member["value"] as EsNode | null, scope);
    }
  }

  /** The expressions inside a declared pattern: defaults and computed keys (the names are declarations). */
  private visitPatternExpressions(pattern: EsNode, scope: Scope): void {
    switch (pattern.type) {
      case "Identifier":
        return;
      case "AssignmentPattern":
        this.visitPatternExpressions(pattern["left"] as EsNode, scope);
        this.visit(pattern["right"] as EsNode, scope);
        return;
      case "ArrayPattern":
        for (const e of pattern["elements"] as (EsNode | null)[]) if (e !== null) this.visitPatternExpressions(e, scope);
        return;
      case "ObjectPattern":
        for (const p of pattern["properties"] as EsNode[]) {
          if (p.type === "RestElement") this.visitPatternExpressions(p["argument"] as EsNode, scope);
          else {
            if (p["computed"] === true) this.visit(p["key"] as EsNode, scope);
            this.visitPatternExpressions(p["value"] as EsNode, scope);
          }
        }
        return;
      case "RestElement":
        this.visitPatternExpressions(pattern["argument"] as EsNode, scope);
        return;
      default:
        this.visit(pattern, scope);
    }
  }

  /** An assignment target: names in it are references (to declared or free variables). */
  private visitAssignTarget(target: EsNode, scope: Scope): void {
    switch (target.type) {
      case "Identifier":
        this.reference(target["name"] as string, scope);
        return;
      case "AssignmentPattern":
        this.visitAssignTarget(target["left"] as EsNode, scope);
        this.visit(target["right"] as EsNode, scope);
        return;
      case "ArrayPattern":
        for (const e of target["elements"] as (EsNode | null)[]) if (e !== null) this.visitAssignTarget(e, scope);
        return;
      case "ObjectPattern":
        for (const p of target["properties"] as EsNode[]) {
          if (p.type === "RestElement") this.visitAssignTarget(p["argument"] as EsNode, scope);
          else {
            if (p["computed"] === true) this.visit(p["key"] as EsNode, scope);
            this.visitAssignTarget(p["value"] as EsNode, scope);
          }
        }
        return;
      case "RestElement":
        this.visitAssignTarget(target["argument"] as EsNode, scope);
        return;
      default:
        this.visit(target, scope);
    }
  }
}

function isNode(value: unknown): value is EsNode {
  return typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string";
}

/** The names a declaration pattern binds. */
function patternNames(pattern: EsNode): string[] {
  switch (pattern.type) {
    case "Identifier":
      return [pattern["name"] as string];
    case "AssignmentPattern":
      return patternNames(pattern["left"] as EsNode);
    case "RestElement":
      return patternNames(pattern["argument"] as EsNode);
    case "ArrayPattern":
      return (pattern["elements"] as (EsNode | null)[]).flatMap((e) => (e === null ? [] : patternNames(e)));
    case "ObjectPattern":
      return (pattern["properties"] as EsNode[]).flatMap((p) => patternNames(p.type === "RestElement" ? p : (p["value"] as EsNode)));
    default:
      return [];
  }
}

/** let/const/class (and block-level function) declarations directly in `statements`, added to `scope`. */
function declareLexical(statements: readonly EsNode[], scope: Scope): void {
  for (const s of statements) {
    if (s.type === "VariableDeclaration" && s["kind"] !== "var") {
      for (const d of s["declarations"] as EsNode[]) for (const n of patternNames(d["id"] as EsNode)) scope.names.add(n);
    } else if ((s.type === "ClassDeclaration" || s.type === "FunctionDeclaration") && s["id"]) {
      scope.names.add((s["id"] as EsNode)["name"] as string);
    }
  }
}

/** `var` and function declarations anywhere in `statements` outside nested functions (they hoist to the function). */
function hoisted(statements: readonly EsNode[]): string[] {
  const names: string[] = [];
  const walk = (node: EsNode): void => {
    if (node.type === "FunctionDeclaration") {
      if (node["id"]) names.push((node["id"] as EsNode)["name"] as string);
      return;
    }
    if (node.type === "FunctionExpression" || node.type === "ArrowFunctionExpression" || node.type.startsWith("Class")) return;
    if (node.type === "VariableDeclaration" && node["kind"] === "var") {
      for (const d of node["declarations"] as EsNode[]) names.push(...patternNames(d["id"] as EsNode));
    }
    for (const [field, value] of Object.entries(node)) {
      if (field === "type") continue;
      if (Array.isArray(value)) {
        for (const v of value) if (isNode(v)) walk(v);
      } else if (isNode(value)) {
        walk(value);
      }
    }
  };
  for (const s of statements) walk(s);
  return names;
}
