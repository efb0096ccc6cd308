/** The mime bundle of a chart: Vega-Lite 5 for live frontends, a PNG for exports, and a text summary. */
import type { MimeBundle } from "../protocol/message.js";
import { VEGA_LITE_MIME, type VegaLiteSpec } from "../display/vega-lite.js";

/** The bundle showing `spec`, with the static `png` when there is one. */
export function chartBundle(spec: VegaLiteSpec, summary: string, png: Uint8Array | undefined): MimeBundle {
  const bundle: MimeBundle = { [VEGA_LITE_MIME]: spec };
  if (png !== undefined) bundle["image/png"] = Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString("base64");
  bundle["text/plain"] = summary;
  return bundle;
}
