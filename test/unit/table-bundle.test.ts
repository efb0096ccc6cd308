import { describe, expect, it } from "vitest";
import { escapeHtml, tableBundle } from "../../src/display/table-bundle.js";

describe("tableBundle", () => {
  it("renders escaped HTML and an aligned text table", () => {
    const { data } = tableBundle({ columns: ["row", "d:price"], rows: [["a<b", "1.5"], ["long-row-key", "x & y"]], caption: "2 rows" });
    expect(data["text/html"]).toContain("<td>a&lt;b</td>");
    expect(data["text/html"]).toContain("<td>x &amp; y</td>");
    expect(data["text/html"]).toContain("<p>2 rows</p>");
    expect(data["text/plain"]).toBe(["2 rows", "row           d:price", "------------  -------", "a<b           1.5", "long-row-key  x & y"].join("\n"));
  });

  it("pads short rows and cuts long cells in text/plain", () => {
    const { data } = tableBundle({ columns: ["a", "b"], rows: [["x".repeat(50)]] });
    expect(String(data["text/plain"]).split("\n")[2]).toBe(`${"x".repeat(39)}…`);
    expect(data["text/html"]).toContain("<td></td>");
  });

  it("escapes quotes for attributes", () => {
    expect(escapeHtml(`"'`)).toBe("&quot;&#39;");
  });
});
