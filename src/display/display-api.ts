/**
 * `display` and `clearOutput`: what cells (and any module, via `import { display } from "sluice"`) use
 * to show rich output. Output goes to the sink of the cell whose code is running (display-sink.ts);
 * outside a kernel — a plain Node script importing "sluice" — the text/plain form is written to stdout.
 *
 * Display ids: every display gets one (the given `id`, or a generated one) and is sent with
 * `transient.display_id`, so every returned handle can be updated. This differs from IPython, where an
 * id is generated only for `display_id=True`: here a handle is never a dead end. `id: true` is accepted
 * as IPython's spelling of "generate one".
 */
import { randomUUID } from "node:crypto";
import type { JsonObject, MimeBundle } from "../protocol/message.js";
import { DISPLAY_HANDLE_BRAND, type DisplayHandle, type UpdateOptions } from "./display-handle.js";
import { currentDisplaySink, type DisplaySink } from "./display-sink.js";
import { formatValue, plainText } from "./format.js";
import {
  checkMimeBundle,
  describe,
  htmlBundle,
  jpegBundle,
  jsonBundle,
  markdownBundle,
  pngBundle,
  svgBundle,
  type FormattedValue,
  type ImageSize,
} from "./mime-bundles.js";
import { vegaLiteBundle, type VegaLiteSpec } from "./vega-lite.js";

export type { DisplayHandle, UpdateOptions } from "./display-handle.js";
export type { MimeBundle } from "../protocol/message.js";
export type { VegaLiteSpec } from "./vega-lite.js";

/** Options of {@link display}. */
export interface DisplayOptions {
  /**
   * The display id. A string names it (displaying again under the same id adds another output that
   * later updates also replace); `true` or omitted generates a fresh one.
   */
  id?: string | true;
  /** `true`: the value already is a mime bundle (`{"text/html": "..."}`) and is sent as is. */
  raw?: boolean;
  /** Display metadata, merged over the metadata the formatter produced. */
  metadata?: JsonObject;
  /** `true`: replace the existing output with this `id` (update_display_data) instead of adding one. */
  update?: boolean;
}

/** Options of the typed helpers (`display.html(...)` etc.): everything but `raw`. */
export type HelperOptions = Omit<DisplayOptions, "raw">;

/** Options of the image helpers: display options plus size hints in CSS pixels. */
export type ImageOptions = HelperOptions & ImageSize;

/** A helper taking text, callable directly or as a tagged template (`display.html\`<b>${x}</b>\``). */
export interface TextHelper {
  (source: string, options?: HelperOptions): DisplayHandle;
  /** Tagged-template form; interpolated values are inserted with `String(value)`, unescaped. */
  (strings: TemplateStringsArray, ...values: unknown[]): DisplayHandle;
}

/** The `display` function with its typed helpers. */
export interface Display {
  /** Shows `value` (formatted like a cell result, see formatValue) and returns its handle. */
  (value: unknown, options?: DisplayOptions): DisplayHandle;
  /** HTML (`text/html`). */
  html: TextHelper;
  /** Markdown (`text/markdown`). */
  markdown: TextHelper;
  /** An SVG image (`image/svg+xml`). */
  svg: TextHelper;
  /** A PNG image from bytes or base64 (`image/png`). */
  png(image: Uint8Array | string, options?: ImageOptions): DisplayHandle;
  /** A JPEG image from bytes or base64 (`image/jpeg`). */
  jpeg(image: Uint8Array | string, options?: ImageOptions): DisplayHandle;
  /** A JSON value in the frontend's JSON viewer (`application/json`). */
  json(value: unknown, options?: HelperOptions): DisplayHandle;
  /**
   * A Vega-Lite 5 chart (`application/vnd.vegalite.v5+json`). `$schema` is added when missing; a spec
   * whose `$schema` names another major version is refused.
   */
  vegalite(spec: VegaLiteSpec, options?: HelperOptions): DisplayHandle;
  /** A fresh updatable output: shows `value` (or an empty text/plain placeholder) and returns its handle. */
  "new"(value?: unknown, options?: HelperOptions): DisplayHandle;
}

/** Shows a finished bundle, or updates one, and returns the handle of its display id. */
function show(formatted: FormattedValue, options: HelperOptions | undefined, what: string, kind?: KindFormatter): DisplayHandle {
  const { id: requested, metadata: extra, update } = options ?? {};
  if (requested !== undefined && requested !== true && (typeof requested !== "string" || requested.length === 0)) {
    throw new TypeError(`${what}: id must be a non-empty string or true, got ${describe(requested)}`);
  }
  if (extra !== undefined && (typeof extra !== "object" || extra === null || Array.isArray(extra))) {
    throw new TypeError(`${what}: metadata must be an object, got ${describe(extra)}`);
  }
  if (update && typeof requested !== "string") {
    throw new TypeError(`${what}: update: true needs the id of the display to update ({id: "...", update: true})`);
  }
  const id = typeof requested === "string" ? requested : randomUUID();
  const metadata = extra ? { ...formatted.metadata, ...extra } : formatted.metadata;
  const sink = currentDisplaySink();
  if (!sink) writePlain(formatted.data);
  else if (update) sink.updateDisplayData(formatted.data, metadata, { display_id: id });
  else sink.displayData(formatted.data, metadata, { display_id: id });
  return createHandle(id, kind);
}

/**
 * How a handle made by a typed helper formats updates: `display.html(...)`'s handle turns
 * `update("<b>new</b>")` into HTML again, `display.vegalite`'s turns a spec into a chart. Returns
 * undefined for values of another kind, which are formatted like `display(value)`.
 */
type KindFormatter = (value: unknown) => FormattedValue | undefined;

function createHandle(id: string, kind?: KindFormatter): DisplayHandle {
  const handle: DisplayHandle = {
    id,
    update(value: unknown, options?: UpdateOptions): void {
      const raw = options?.raw === true;
      const formatted = (!raw && kind?.(value)) || formatFor(value, raw, "handle.update");
      const extra = options?.metadata;
      const metadata = extra ? { ...formatted.metadata, ...extra } : formatted.metadata;
      const sink: DisplaySink | undefined = currentDisplaySink();
      if (sink) sink.updateDisplayData(formatted.data, metadata, { display_id: id });
      else writePlain(formatted.data);
    },
    [DISPLAY_HANDLE_BRAND]: true,
  };
  return Object.freeze(handle);
}

/** A value's bundle for display: raw bundles as given, else formatValue (which may show nothing). */
function formatFor(value: unknown, raw: boolean, what: string): FormattedValue {
  if (raw) return { data: checkMimeBundle(value, `${what}(value, {raw: true})`), metadata: {} };
  return formatValue(value) ?? { data: { "text/plain": plainText(value) }, metadata: {} };
}

/** Outside a kernel: the text/plain form on stdout (or a note naming the mime types there are). */
function writePlain(data: MimeBundle): void {
  const text = data["text/plain"];
  process.stdout.write(`${typeof text === "string" ? text : `<display: ${Object.keys(data).join(", ")}>`}\n`);
}

/** Text helpers accept a string or a tagged template. */
function textHelper(build: (source: string) => FormattedValue, what: string): TextHelper {
  return ((first: string | TemplateStringsArray, ...rest: unknown[]): DisplayHandle => {
    if (isTemplateStrings(first)) {
      const source = first.reduce((text, part, i) => text + String(rest[i - 1]) + part);
      return show(build(source), undefined, what, textKind(build));
    }
    return show(build(first), rest[0] as HelperOptions | undefined, what, textKind(build));
  }) as TextHelper;
}

function textKind(build: (source: string) => FormattedValue): KindFormatter {
  return (value) => (typeof value === "string" ? build(value) : undefined);
}

function isImage(value: unknown): value is Uint8Array | string {
  return typeof value === "string" || value instanceof Uint8Array;
}

function isPlainObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function isTemplateStrings(value: unknown): value is TemplateStringsArray {
  return Array.isArray(value) && Array.isArray((value as { raw?: unknown }).raw);
}

function imageSize(options: ImageOptions | undefined): ImageSize | undefined {
  if (!options) return undefined;
  const size: ImageSize = {};
  if (options.width !== undefined) size.width = options.width;
  if (options.height !== undefined) size.height = options.height;
  return size;
}

/**
 * Shows rich output in the notebook and returns a handle to update it. See {@link Display} for the
 * helpers (`display.html`, `display.vegalite`, `display.new`, ...).
 */
export const display: Display = Object.assign(
  (value: unknown, options?: DisplayOptions): DisplayHandle => show(formatFor(value, options?.raw === true, "display"), options, "display"),
  {
    html: textHelper(htmlBundle, "display.html"),
    markdown: textHelper(markdownBundle, "display.markdown"),
    svg: textHelper(svgBundle, "display.svg"),
    png: (image: Uint8Array | string, options?: ImageOptions): DisplayHandle =>
      show(pngBundle(image, imageSize(options)), options, "display.png", (v) => (isImage(v) ? pngBundle(v, imageSize(options)) : undefined)),
    jpeg: (image: Uint8Array | string, options?: ImageOptions): DisplayHandle =>
      show(jpegBundle(image, imageSize(options)), options, "display.jpeg", (v) => (isImage(v) ? jpegBundle(v, imageSize(options)) : undefined)),
    json: (value: unknown, options?: HelperOptions): DisplayHandle => show(jsonBundle(value), options, "display.json", (v) => jsonBundle(v)),
    vegalite: (spec: VegaLiteSpec, options?: HelperOptions): DisplayHandle =>
      show(vegaLiteBundle(spec), options, "display.vegalite", (v) => (isPlainObject(v) ? vegaLiteBundle(v as VegaLiteSpec) : undefined)),
    new: (value?: unknown, options?: HelperOptions): DisplayHandle => {
      if (options?.update) throw new TypeError("display.new: update is not an option here; use handle.update(value)");
      const formatted = value === undefined ? { data: { "text/plain": "" }, metadata: {} } : formatFor(value, false, "display.new");
      return show(formatted, options, "display.new");
    },
  },
);

/**
 * Clears the current cell's output. `wait = true` clears only when the next output arrives (no flicker
 * in animations). Does nothing outside a kernel.
 */
export function clearOutput(wait = false): void {
  currentDisplaySink()?.clearOutput(wait);
}
