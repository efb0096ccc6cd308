/**
 * The TypeScript compiler, loaded with `require`. Importing the 9 MB CommonJS `typescript` package
 * straight from an ES module makes Node scan its whole source for export names (about 0.6 s at every
 * kernel start); this one-line CommonJS module hands the same object over without that scan.
 * Import it as `import ts from "./typescript.cjs"`: the types are TypeScript's own.
 */
import ts = require("typescript");
export = ts;
