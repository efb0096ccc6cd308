/**
 * `is_complete_request` for TypeScript cells: decides whether a console should run the code now,
 * wait for another line, or run it to show a syntax error.
 *
 * Rules (first match wins):
 * - empty or whitespace-only code → `complete`;
 * - a closer with no matching opener (`)`, `(]`) → `invalid`;
 * - a syntax error before the end of the code (`let 1x = 2`, `1 +* 2`) → `invalid`: more lines cannot fix it;
 * - a single- or double-quoted string left open at the very end of the code → `incomplete` with no
 *   indent (the console waits for the user to finish it; a `"abc\` continuation is the way to carry such
 *   a string onto the next line); one left open on an earlier line is covered by the rule above;
 * - syntax errors only at the end of the code — the parser ran out of text: unclosed braces/brackets/
 *   parens, unterminated template literals or block comments, a trailing binary operator, `=`, `=>`,
 *   `,`, `.`, `if (x)` without a body… → `incomplete`;
 * - otherwise `complete`.
 *
 * Indent of an `incomplete` answer: four spaces per open `{`, `(` or `[`, plus four more when the code
 * ends in a continuation (an operator or keyword waiting for its operand, not an opener or a `,`); ""
 * when the code ends inside a template literal, a string or a comment (text, not code, follows).
 */
import ts from "./typescript.cjs";
import type { IsCompleteResult } from "../kernel/interpreter.js";

const INDENT_UNIT = "    ";
const CELL_FILE = "/__sluice_is_complete.ts";

/** TypeScript error codes of an unterminated string literal. */
const UNTERMINATED_STRING = 1002;

const PARSE_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleDetection: ts.ModuleDetectionKind.Force,
  noLib: true,
  noResolve: true,
  types: [],
};

/** Tokens after which a `/` is a division (an expression just ended); after anything else it starts a regex. */
const ENDS_EXPRESSION = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.Identifier,
  ts.SyntaxKind.PrivateIdentifier,
  ts.SyntaxKind.NumericLiteral,
  ts.SyntaxKind.BigIntLiteral,
  ts.SyntaxKind.StringLiteral,
  ts.SyntaxKind.RegularExpressionLiteral,
  ts.SyntaxKind.NoSubstitutionTemplateLiteral,
  ts.SyntaxKind.TemplateTail,
  ts.SyntaxKind.CloseParenToken,
  ts.SyntaxKind.CloseBracketToken,
  ts.SyntaxKind.CloseBraceToken,
  ts.SyntaxKind.PlusPlusToken,
  ts.SyntaxKind.MinusMinusToken,
  ts.SyntaxKind.ThisKeyword,
  ts.SyntaxKind.SuperKeyword,
  ts.SyntaxKind.TrueKeyword,
  ts.SyntaxKind.FalseKeyword,
  ts.SyntaxKind.NullKeyword,
]);

/** What a token-level pass learned about the end of the code. */
interface TokenState {
  /** A closer without its opener was seen. */
  mismatched: boolean;
  /** Open `{`, `(`, `[` at the end of the code. */
  openBrackets: number;
  /** The code ends inside a template literal (text or `${` expression). */
  insideTemplate: boolean;
  /** The code ends inside an unterminated block comment. */
  insideComment: boolean;
  /** Kind of the last token that is not trivia. */
  lastToken: ts.SyntaxKind;
}

function scanTokens(code: string): TokenState {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, /*skipTrivia*/ false, ts.LanguageVariant.Standard, code);
  /** "{", "(", "[" or "${" (an open template substitution). */
  const stack: string[] = [];
  let last = ts.SyntaxKind.Unknown;
  let insideComment = false;
  let unterminatedTemplate = false;
  const openers: Partial<Record<ts.SyntaxKind, string>> = {
    [ts.SyntaxKind.OpenBraceToken]: "{",
    [ts.SyntaxKind.OpenParenToken]: "(",
    [ts.SyntaxKind.OpenBracketToken]: "[",
  };
  const closers: Partial<Record<ts.SyntaxKind, string>> = {
    [ts.SyntaxKind.CloseBraceToken]: "{",
    [ts.SyntaxKind.CloseParenToken]: "(",
    [ts.SyntaxKind.CloseBracketToken]: "[",
  };
  for (;;) {
    let kind = scanner.scan();
    if (kind === ts.SyntaxKind.EndOfFileToken) break;
    if (kind === ts.SyntaxKind.MultiLineCommentTrivia) {
      insideComment = scanner.isUnterminated();
      continue;
    }
    if (
      kind === ts.SyntaxKind.WhitespaceTrivia ||
      kind === ts.SyntaxKind.NewLineTrivia ||
      kind === ts.SyntaxKind.SingleLineCommentTrivia ||
      kind === ts.SyntaxKind.ShebangTrivia ||
      kind === ts.SyntaxKind.ConflictMarkerTrivia
    ) {
      continue;
    }
    if ((kind === ts.SyntaxKind.SlashToken || kind === ts.SyntaxKind.SlashEqualsToken) && !ENDS_EXPRESSION.has(last)) {
      kind = scanner.reScanSlashToken();
    }
    if (kind === ts.SyntaxKind.CloseBraceToken && stack[stack.length - 1] === "${") {
      kind = scanner.reScanTemplateToken(/*isTaggedTemplate*/ false);
      if (kind === ts.SyntaxKind.TemplateTail) stack.pop();
      unterminatedTemplate = scanner.isUnterminated();
      last = kind;
      continue;
    }
    const opener = openers[kind];
    const closer = closers[kind];
    if (opener) {
      stack.push(opener);
    } else if (closer) {
      if (stack[stack.length - 1] !== closer) return { mismatched: true, openBrackets: 0, insideTemplate: false, insideComment: false, lastToken: kind };
      stack.pop();
    } else if (kind === ts.SyntaxKind.TemplateHead) {
      stack.push("${");
      unterminatedTemplate = scanner.isUnterminated();
    } else if (kind === ts.SyntaxKind.NoSubstitutionTemplateLiteral) {
      unterminatedTemplate = scanner.isUnterminated();
    }
    last = kind;
  }
  return {
    mismatched: false,
    openBrackets: stack.filter((s) => s !== "${").length,
    insideTemplate: unterminatedTemplate || stack.includes("${"),
    insideComment,
    lastToken: last,
  };
}

/** Syntax errors of `code` parsed as a module (top-level await allowed), without a type check. */
function syntaxErrors(code: string): readonly ts.Diagnostic[] {
  const source = ts.createSourceFile(CELL_FILE, code, { languageVersion: ts.ScriptTarget.ES2022, impliedNodeFormat: ts.ModuleKind.ESNext }, false, ts.ScriptKind.TS);
  const host: ts.CompilerHost = {
    getSourceFile: (name) => (name === CELL_FILE ? source : undefined),
    getDefaultLibFileName: () => "/lib.d.ts",
    writeFile: () => {},
    getCurrentDirectory: () => "/",
    getCanonicalFileName: (name) => name,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
    fileExists: (name) => name === CELL_FILE,
    readFile: () => undefined,
  };
  const program = ts.createProgram({ rootNames: [CELL_FILE], options: PARSE_OPTIONS, host });
  return program.getSyntacticDiagnostics(program.getSourceFile(CELL_FILE));
}

function isOpener(kind: ts.SyntaxKind): boolean {
  return kind === ts.SyntaxKind.OpenBraceToken || kind === ts.SyntaxKind.OpenParenToken || kind === ts.SyntaxKind.OpenBracketToken;
}

/**
 * Classifies `code` as a console would need it: `complete` (run it), `incomplete` (wait for another line,
 * pre-filled with `indent`) or `invalid` (run it to show the syntax error). See the file comment for the rules.
 */
export function isComplete(code: string): IsCompleteResult {
  if (typeof code !== "string") throw new TypeError(`isComplete: code must be a string, got ${typeof code}`);
  const trimmedEnd = code.trimEnd().length;
  if (trimmedEnd === 0) return { status: "complete" };

  const tokens = scanTokens(code);
  if (tokens.mismatched) return { status: "invalid" };

  const errors = syntaxErrors(code);
  if (errors.some((e) => (e.start ?? 0) < trimmedEnd)) return { status: "invalid" };
  if (errors.some((e) => e.code === UNTERMINATED_STRING) && !tokens.insideTemplate && !tokens.insideComment) {
    return { status: "incomplete", indent: "" };
  }

  const unfinished = errors.length > 0 || tokens.openBrackets > 0 || tokens.insideTemplate || tokens.insideComment;
  if (!unfinished) return { status: "complete" };
  if (tokens.insideTemplate || tokens.insideComment) return { status: "incomplete", indent: "" };
  const continuation = errors.length > 0 && !isOpener(tokens.lastToken) && tokens.lastToken !== ts.SyntaxKind.CommaToken;
  return { status: "incomplete", indent: INDENT_UNIT.repeat(tokens.openBrackets + (continuation ? 1 : 0)) };
}
