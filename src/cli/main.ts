#!/usr/bin/env node
/**
 * The `sluice` command: `kernel -f FILE` (what Jupyter runs), `install` (writes the kernelspec),
 * `hbase-local` (serves the embedded HBase store over HBase's RPC protocol), `help`, `--version`.
 * Usage errors print the usage on stderr and exit with code 2; failures of a
 * valid command exit with 1.
 */
import path from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { installKernelSpec, InstallError, packageVersion, type InstallTarget } from "./install.js";
import { HBASE_LOCAL_USAGE, HBaseLocalUsageError, parseHBaseLocalArgs } from "./hbase-local-args.js";

const USAGE = `Usage: sluice <command> [options]

Commands:
  kernel -f CONNECTION_FILE   Run the kernel on a Jupyter connection file
                              (Jupyter starts this from the kernelspec).
  install [--user | --sys-prefix | --prefix DIR] [--name NAME] [--display-name NAME]
                              Install the Jupyter kernelspec for this copy of Sluice.
                                --user          in the per-user Jupyter data directory (default)
                                --sys-prefix    in the prefix of the Python that runs Jupyter
                                --prefix DIR    in DIR/share/jupyter/kernels
                                --name NAME     kernelspec name (default: sluice)
                                --display-name  name shown in Jupyter (default: TypeScript (Sluice))
${HBASE_LOCAL_USAGE}  help                        Show this help.
  --version                   Print the version.
`;

/** A command-line mistake: reported with the usage, exit code 2. */
class UsageError extends Error {}

function parse<T extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false });
  } catch (error) {
    if (typeof (error as { code?: unknown }).code === "string" && (error as { code: string }).code.startsWith("ERR_PARSE_ARGS")) {
      throw new UsageError((error as Error).message);
    }
    throw error;
  }
}

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "--version":
      if (rest.length > 0) throw new UsageError(`--version takes no arguments, got ${rest.join(" ")}`);
      process.stdout.write(`${packageVersion()}\n`);
      return 0;
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE);
      return 0;
    case "kernel": {
      const { values } = parse(rest, { "connection-file": { type: "string", short: "f" }, help: { type: "boolean", short: "h" } });
      if (values.help) {
        process.stdout.write(USAGE);
        return 0;
      }
      const connectionFile = values["connection-file"];
      if (!connectionFile) throw new UsageError("kernel: missing -f CONNECTION_FILE");
      const { runKernelCommand } = await import("./kernel-command.js");
      await runKernelCommand(connectionFile);
      return 0;
    }
    case "install": {
      const { values } = parse(rest, {
        user: { type: "boolean" },
        "sys-prefix": { type: "boolean" },
        prefix: { type: "string" },
        name: { type: "string" },
        "display-name": { type: "string" },
        help: { type: "boolean", short: "h" },
      });
      if (values.help) {
        process.stdout.write(USAGE);
        return 0;
      }
      const chosen = [values.user && "--user", values["sys-prefix"] && "--sys-prefix", values.prefix !== undefined && "--prefix"].filter(Boolean);
      if (chosen.length > 1) throw new UsageError(`install: ${chosen.join(" and ")} exclude each other; choose one`);
      if (values.prefix === "") throw new UsageError("install: --prefix needs a directory");
      const target: InstallTarget =
        values.prefix !== undefined ? { kind: "prefix", prefix: values.prefix } : values["sys-prefix"] ? { kind: "sys-prefix" } : { kind: "user" };
      const result = installKernelSpec({
        target,
        ...(values.name !== undefined ? { name: values.name } : {}),
        ...(values["display-name"] !== undefined ? { displayName: values["display-name"] } : {}),
      });
      process.stdout.write(`Installed kernelspec ${result.name} (${result.spec.display_name}) in ${result.directory}\n`);
      if (target.kind === "prefix") {
        process.stdout.write(`Jupyter finds it when ${path.resolve(target.prefix, "share", "jupyter")} is on JUPYTER_PATH or is the prefix of Jupyter's Python.\n`);
      }
      return 0;
    }
    case "hbase-local": {
      if (rest.includes("--help") || rest.includes("-h")) {
        process.stdout.write(USAGE);
        return 0;
      }
      let options;
      try {
        options = parseHBaseLocalArgs(rest);
      } catch (error) {
        if (error instanceof HBaseLocalUsageError) throw new UsageError(error.message);
        throw error;
      }
      const { runHBaseLocal } = await import("./hbase-local.js");
      return runHBaseLocal(options);
    }
    case undefined:
      throw new UsageError("missing command");
    default:
      throw new UsageError(command.startsWith("-") ? `unknown option ${command}` : `unknown command ${JSON.stringify(command)}`);
  }
}

try {
  process.exitCode = await run(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`sluice: ${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else if (error instanceof InstallError) {
    process.stderr.write(`sluice install: ${error.message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`sluice: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}
