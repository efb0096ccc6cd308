/**
 * The mime bundle of a chart: Vega-Lite 5 for live frontends, a PNG for exports, the same PNG as a
 * Markdown image (an HTML `<img>` in Markdown) for renderers that show neither, and a text summary.
 *
 * Why Markdown and not `text/html` for that last fallback: JupyterLab (and Notebook 7) pick the
 * renderer of lowest rank among a bundle's mime types, and its HTML renderer (rank 50) outranks the
 * Vega-Lite one (rank 57) — a `text/html` image would replace the live chart there. The Markdown
 * renderer (rank 60) and the image one (90) rank below Vega-Lite, so JupyterLab keeps drawing the
 * spec. nbconvert's HTML exporter ranks `text/markdown` above `image/png`, so its exports show the
 * Markdown's `<img>`: the same image.
 */
import type { MimeBundle } from "../protocol/message.js";
import { VEGA_LITE_MIME, type VegaLiteSpec } from "../display/vega-lite.js";

/**
 * The Markdown of a PNG: an HTML `<img src="data:image/png;base64,…" alt="…">` (Markdown allows inline
 * HTML). Not `![alt](data:…)`: Markdown parsers differ on brackets in the alt text (nbconvert 6's mistune
 * leaves such an image as text), while the HTML tag renders the same everywhere.
 */
export function markdownImage(base64Png: string, alt: string): string {
  const safeAlt = alt.replace(/[\r\n]+/g, " ").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<img src="data:image/png;base64,${base64Png}" alt="${safeAlt}">`;
}

/** The bundle showing `spec`, with the static `png` (as image/png and as a Markdown image) when there is one. */
export function chartBundle(spec: VegaLiteSpec, summary: string, png: Uint8Array | undefined): MimeBundle {
  const bundle: MimeBundle = { [VEGA_LITE_MIME]: spec };
  if (png !== undefined) {
    const base64 = Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString("base64");
    bundle["image/png"] = base64;
    bundle["text/markdown"] = markdownImage(base64, summary);
  }
  bundle["text/plain"] = summary;
  return bundle;
}
