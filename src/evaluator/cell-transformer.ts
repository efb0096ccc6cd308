/**
 * Rewrites a transpiled cell (JavaScript AST, after TypeScript erased types) into a script whose
 * top-level declarations live on the global object, so later cells see them and may re-declare them.
 *
 * Shape of the output:
 * ```js
 * var a, f, C;                           // every top-level name, as script-level (global) vars
 * (async () => {
 *   "use strict";
 *   const $m0 = await __sluice.import("pkg"); a = __sluice.interopDefault($m0);   // imports first
 *   f = function f() { ... };            // function declarations, hoisted
 *   ...statements, with `const x = e` → `x = e` and `class C {}` → `C = class C {}`...
 *   return (lastExpression);             // the cell's value
 * })()
 * ```
 * Nodes keep their original text ranges so the emitted source map points into the cell.
 */
import ts from "./typescript.cjs";

import { RUNTIME_GLOBAL } from "./runtime-global.js";

/** What the transformer learned about a cell. */
export interface CellShape {
  /** Top-level names the cell declares (values only; types are erased). */
  declaredNames: string[];
  /** Whether the last statement is an expression whose value is the cell's result. */
  hasResult: boolean;
}

function collectBindingNames(name: ts.BindingName, out: string[]): void {
  if (ts.isIdentifier(name)) {
    out.push(name.text);
    return;
  }
  for (const element of name.elements) {
    if (ts.isOmittedExpression(element)) continue;
    collectBindingNames(element.name, out);
  }
}

/** Turns a binding pattern (`{a, b: [c] = d, ...e}`) into the equivalent assignment pattern. */
function toAssignmentTarget(f: ts.NodeFactory, name: ts.BindingName): ts.Expression {
  if (ts.isIdentifier(name)) return f.createIdentifier(name.text);
  if (ts.isObjectBindingPattern(name)) {
    const props: ts.ObjectLiteralElementLike[] = name.elements.map((el) => {
      if (el.dotDotDotToken) return f.createSpreadAssignment(toAssignmentTarget(f, el.name));
      const target = toAssignmentTarget(f, el.name);
      const value = el.initializer ? f.createAssignment(target, el.initializer) : target;
      if (!el.propertyName && ts.isIdentifier(el.name)) {
        return f.createShorthandPropertyAssignment(el.name.text, el.initializer);
      }
      const key = el.propertyName ?? (el.name as ts.Identifier);
      return f.createPropertyAssignment(key as ts.PropertyName, value);
    });
    return f.createObjectLiteralExpression(props, false);
  }
  const items: ts.Expression[] = name.elements.map((el) => {
    if (ts.isOmittedExpression(el)) return f.createOmittedExpression();
    const target = toAssignmentTarget(f, el.name);
    if (el.dotDotDotToken) return f.createSpreadElement(target);
    return el.initializer ? f.createAssignment(target, el.initializer) : target;
  });
  return f.createArrayLiteralExpression(items, false);
}

function isUseStrict(stmt: ts.Statement): boolean {
  return ts.isExpressionStatement(stmt) && ts.isStringLiteral(stmt.expression) && stmt.expression.text === "use strict";
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === kind) ?? false);
}

function withoutExportModifiers(mods: readonly ts.ModifierLike[] | undefined): ts.Modifier[] {
  return (mods ?? []).filter(
    (m): m is ts.Modifier =>
      ts.isModifier(m) && m.kind !== ts.SyntaxKind.ExportKeyword && m.kind !== ts.SyntaxKind.DefaultKeyword,
  );
}

/**
 * Rewrites what a script cannot do by itself, everywhere in the cell:
 * - `import(x)` → the runtime's loader (a script has no module loader, and specifiers resolve from the
 *   notebook's directory); `import.meta` → the runtime's.
 * - every loop body starts with an interrupt check (`Atomics.load(__sluice.interruptFlag, 0)`), so a loop
 *   that runs after an `await` or in a timer — outside the synchronous part that SIGINT can stop — still
 *   stops when the kernel is interrupted.
 */
/**
 * `name = <expression>;` standing where the declaration `original` stood: source positions and the
 * original node kept, so diagnostics and source maps still point at the user's declaration.
 */
function bindDeclaration(f: ts.NodeFactory, name: string, expression: ts.Expression, original: ts.Statement): ts.Statement {
  ts.setOriginalNode(expression, original);
  ts.setTextRange(expression, original);
  return ts.setTextRange(f.createExpressionStatement(f.createAssignment(f.createIdentifier(name), expression)), original);
}

export function createRuntimeHooksTransformer(): ts.TransformerFactory<ts.SourceFile> {
  return (context) => (source) => {
    const f = context.factory;
    const runtime = (member: string): ts.Expression => f.createPropertyAccessExpression(f.createIdentifier(RUNTIME_GLOBAL), member);
    const interruptCheck = (): ts.Statement =>
      f.createIfStatement(
        f.createCallExpression(f.createPropertyAccessExpression(f.createIdentifier("Atomics"), "load"), undefined, [
          runtime("interruptFlag"),
          f.createNumericLiteral(0),
        ]),
        f.createExpressionStatement(f.createCallExpression(runtime("interrupted"), undefined, [])),
      );
    const withCheck = (body: ts.Statement): ts.Statement => {
      const visited = ts.visitNode(body, visit) as ts.Statement;
      const statements = ts.isBlock(visited) ? [...visited.statements] : [visited];
      return ts.setTextRange(f.createBlock([interruptCheck(), ...statements], true), body);
    };
    const visit = (node: ts.Node): ts.Node => {
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const call = f.createCallExpression(runtime("import"), undefined, node.arguments.map((a) => ts.visitNode(a, visit) as ts.Expression));
        return ts.setTextRange(call, node);
      }
      if (ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.ImportKeyword) {
        return ts.setTextRange(runtime("importMeta"), node);
      }
      if (ts.isWhileStatement(node)) {
        return f.updateWhileStatement(node, ts.visitNode(node.expression, visit) as ts.Expression, withCheck(node.statement));
      }
      if (ts.isDoStatement(node)) {
        return f.updateDoStatement(node, withCheck(node.statement), ts.visitNode(node.expression, visit) as ts.Expression);
      }
      if (ts.isForStatement(node)) {
        return f.updateForStatement(
          node,
          ts.visitNode(node.initializer, visit) as ts.ForInitializer | undefined,
          ts.visitNode(node.condition, visit) as ts.Expression | undefined,
          ts.visitNode(node.incrementor, visit) as ts.Expression | undefined,
          withCheck(node.statement),
        );
      }
      if (ts.isForOfStatement(node)) {
        return f.updateForOfStatement(
          node,
          node.awaitModifier,
          ts.visitNode(node.initializer, visit) as ts.ForInitializer,
          ts.visitNode(node.expression, visit) as ts.Expression,
          withCheck(node.statement),
        );
      }
      if (ts.isForInStatement(node)) {
        return f.updateForInStatement(
          node,
          ts.visitNode(node.initializer, visit) as ts.ForInitializer,
          ts.visitNode(node.expression, visit) as ts.Expression,
          withCheck(node.statement),
        );
      }
      return ts.visitEachChild(node, visit, context);
    };
    return ts.visitEachChild(source, visit, context);
  };
}

/**
 * Builds the `after` transformer. `shape` is filled in while transforming.
 */
export function createCellTransformer(shape: CellShape): ts.TransformerFactory<ts.SourceFile> {
  return (context) => (source) => {
    const f = context.factory;
    const names = new Set<string>();
    const imports: ts.Statement[] = [];
    const hoisted: ts.Statement[] = [];
    const body: ts.Statement[] = [];
    let moduleCounter = 0;
    const runtime = (member: string): ts.Expression =>
      f.createPropertyAccessExpression(f.createIdentifier(RUNTIME_GLOBAL), member);

    // Index of the last statement that is not empty: its value is the cell's result.
    let lastIndex = source.statements.length - 1;
    while (
      lastIndex >= 0 &&
      (ts.isEmptyStatement(source.statements[lastIndex]!) || ts.isExportDeclaration(source.statements[lastIndex]!))
    ) {
      lastIndex--;
    }

    source.statements.forEach((stmt, index) => {
      if (isUseStrict(stmt) && index !== lastIndex) return; // we add our own "use strict"
      if (ts.isImportDeclaration(stmt)) {
        const spec = stmt.moduleSpecifier;
        const args: ts.Expression[] = [spec];
        if (stmt.attributes) {
          const attrs = f.createObjectLiteralExpression(
            stmt.attributes.elements.map((a) => f.createPropertyAssignment(a.name, a.value)),
          );
          args.push(f.createObjectLiteralExpression([f.createPropertyAssignment("with", attrs)]));
        }
        const load = f.createAwaitExpression(f.createCallExpression(runtime("import"), undefined, args));
        const clause = stmt.importClause;
        if (!clause || clause.isTypeOnly) {
          if (!clause) imports.push(ts.setTextRange(f.createExpressionStatement(load), stmt));
          return;
        }
        const temp = f.createIdentifier(`$sluice_m${moduleCounter++}`);
        imports.push(
          ts.setTextRange(
            f.createVariableStatement(
              undefined,
              f.createVariableDeclarationList([f.createVariableDeclaration(temp, undefined, undefined, load)], ts.NodeFlags.Const),
            ),
            stmt,
          ),
        );
        const assign = (local: string, value: ts.Expression): void => {
          names.add(local);
          imports.push(ts.setTextRange(f.createExpressionStatement(f.createAssignment(f.createIdentifier(local), value)), stmt));
        };
        if (clause.name) {
          assign(clause.name.text, f.createCallExpression(runtime("interopDefault"), undefined, [temp]));
        }
        const bindings = clause.namedBindings;
        if (bindings && ts.isNamespaceImport(bindings)) assign(bindings.name.text, temp);
        if (bindings && ts.isNamedImports(bindings)) {
          for (const el of bindings.elements) {
            if (el.isTypeOnly) continue;
            const imported = el.propertyName ?? el.name;
            const key = ts.isIdentifier(imported) ? imported.text : imported.text;
            const value =
              key === "default"
                ? f.createCallExpression(runtime("interopDefault"), undefined, [temp])
                : f.createElementAccessExpression(temp, f.createStringLiteral(key));
            assign(el.name.text, value);
          }
        }
        return;
      }
      if (ts.isVariableStatement(stmt) && !hasModifier(stmt, ts.SyntaxKind.DeclareKeyword)) {
        const isVar = (stmt.declarationList.flags & ts.NodeFlags.BlockScoped) === 0;
        for (const decl of stmt.declarationList.declarations) {
          const declared: string[] = [];
          collectBindingNames(decl.name, declared);
          declared.forEach((n) => names.add(n));
          let value = decl.initializer;
          if (!value) {
            if (isVar || !ts.isIdentifier(decl.name)) continue;
            value = f.createVoidZero(); // `let x;` resets x, as re-running such a cell would
          }
          const target = toAssignmentTarget(f, decl.name);
          const expr = ts.isIdentifier(decl.name)
            ? f.createAssignment(target, value)
            : f.createParenthesizedExpression(f.createAssignment(target, value));
          body.push(ts.setTextRange(f.createExpressionStatement(ts.setTextRange(expr, decl)), decl));
        }
        return;
      }
      if (ts.isFunctionDeclaration(stmt) && stmt.body) {
        if (!stmt.name) {
          body.push(stmt); // `export default function () {}`: nothing to bind
          return;
        }
        names.add(stmt.name.text);
        const fn = f.createFunctionExpression(
          withoutExportModifiers(stmt.modifiers),
          stmt.asteriskToken,
          stmt.name,
          stmt.typeParameters,
          stmt.parameters,
          undefined,
          stmt.body,
        );
        hoisted.push(bindDeclaration(f, stmt.name.text, fn, stmt));
        return;
      }
      if (ts.isClassDeclaration(stmt) && stmt.name) {
        names.add(stmt.name.text);
        const cls = f.createClassExpression(
          withoutExportModifiers(stmt.modifiers),
          stmt.name,
          stmt.typeParameters,
          stmt.heritageClauses,
          stmt.members,
        );
        body.push(bindDeclaration(f, stmt.name.text, cls, stmt));
        return;
      }
      if (ts.isExportDeclaration(stmt)) return; // `export { a }` / `export * from`: cells have no exports
      if (ts.isExportAssignment(stmt)) {
        const st = ts.setTextRange(f.createExpressionStatement(stmt.expression), stmt);
        body.push(index === lastIndex ? ts.setTextRange(f.createReturnStatement(stmt.expression), stmt) : st);
        if (index === lastIndex) shape.hasResult = true;
        return;
      }
      if (index === lastIndex && ts.isExpressionStatement(stmt)) {
        shape.hasResult = true;
        body.push(ts.setTextRange(f.createReturnStatement(stmt.expression), stmt));
        return;
      }
      body.push(stmt);
    });

    shape.declaredNames = [...names];
    const statements: ts.Statement[] = [];
    if (names.size > 0) {
      statements.push(
        f.createVariableStatement(
          undefined,
          f.createVariableDeclarationList([...names].map((n) => f.createVariableDeclaration(n)), ts.NodeFlags.None),
        ),
      );
    }
    const arrow = f.createArrowFunction(
      [f.createModifier(ts.SyntaxKind.AsyncKeyword)],
      undefined,
      [],
      undefined,
      f.createToken(ts.SyntaxKind.EqualsGreaterThanToken),
      f.createBlock([f.createExpressionStatement(f.createStringLiteral("use strict")), ...imports, ...hoisted, ...body], true),
    );
    statements.push(f.createExpressionStatement(f.createCallExpression(f.createParenthesizedExpression(arrow), undefined, [])));
    return f.updateSourceFile(source, statements);
  };
}
