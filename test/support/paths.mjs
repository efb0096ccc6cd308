/**
 * Where things are: the repository, the built kernel, Debian's Python that runs the Jupyter tools.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of the repository root. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The built CLI of the kernel (`npx tsc -p tsconfig.json` produces it). */
export const SLUICE_CLI = path.join(REPO_ROOT, "dist", "cli", "main.js");

/** The tour notebook executed by the nbconvert test and by `npm run quickstart`. */
export const TOUR_NOTEBOOK = path.join(REPO_ROOT, "notebooks", "kernel-tour.ipynb");
/** The notebook `npm run quickstart` executes: a streaming pipeline on the embedded HBase store. */
export const QUICKSTART_NOTEBOOK = path.join(REPO_ROOT, "notebooks", "quickstart.ipynb");

/**
 * The Python that has Debian's Jupyter packages (jupyter_server, nbconvert, nbclient, ipykernel).
 * `python3` on PATH may be another interpreter (pyenv) without them; override with $SLUICE_JUPYTER_PYTHON.
 */
export const JUPYTER_PYTHON = process.env.SLUICE_JUPYTER_PYTHON || "/usr/bin/python3";
