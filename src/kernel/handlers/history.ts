import type { RequestHandler } from "../request-context.js";

function int(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? Math.trunc(value) : fallback;
}

/** history_request (tail, range, search) → history_reply with [session, line, input] entries. */
export const handleHistory: RequestHandler = ({ kernel, message, reply }) => {
  const c = message.content;
  const history = kernel.history;
  if (!history) {
    reply({ status: "ok", history: [] });
    return;
  }
  const unique = c["unique"] === true;
  let entries: [number, number, string][] = [];
  switch (c["hist_access_type"]) {
    case "tail":
      entries = history.tail(int(c["n"], 10), unique);
      break;
    case "range":
      entries = history.range(int(c["session"], 0), int(c["start"], 0), int(c["stop"], 0));
      break;
    case "search":
      entries = history.search(typeof c["pattern"] === "string" ? c["pattern"] : "*", c["n"] == null ? undefined : int(c["n"], 0), unique);
      break;
    default:
      kernel.log(`history_request with unknown hist_access_type ${JSON.stringify(c["hist_access_type"])}`);
      reply({ status: "error", ename: "ValueError", evalue: `unknown hist_access_type ${JSON.stringify(c["hist_access_type"])}`, traceback: [], history: [] });
      return;
  }
  // output=true asks for [session, line, [input, output]]; outputs are not stored, so output is null.
  const history_ = c["output"] === true ? entries.map(([s, l, i]) => [s, l, [i, null]]) : entries;
  reply({ status: "ok", history: history_ });
};
