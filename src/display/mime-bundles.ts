/**
 * Builders of the mime bundles behind the `display.*` helpers (HTML, Markdown, SVG, PNG, JPEG, JSON)
 * and the check applied to bundles a user hands over directly. Pure: no output is sent from here.
 */
import { inspect } from "node:util";
import type { JsonObject, MimeBundle } from "../protocol/message.js";

/** A mime bundle with its display metadata: the content of a display_data / execute_result. */
export interface FormattedValue {
  data: MimeBundle;
  metadata: JsonObject;
}

/** Size hints for images, in CSS pixels (sent as the image's display metadata). */
export interface ImageSize {
  width?: number;
  height?: number;
}

/** `type/subtype` with the characters RFC 6838 allows (plus `+` suffixes such as `+json`). */
const MIME_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/;

/** Whether `name` is shaped like a mime type (`text/html`, `application/vnd.vegalite.v5+json`). */
export function isMimeType(name: string): boolean {
  return MIME_TYPE.test(name);
}

/**
 * Checks that `value` is a mime bundle: a plain object, at least one key, every key a mime type.
 * @param what names the caller in the error, e.g. `display(value, {raw: true})`.
 * @throws TypeError naming the problem.
 */
export function checkMimeBundle(value: unknown, what: string): MimeBundle {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`${what}: expected a mime bundle object like {"text/html": "<b>hi</b>"}, got ${describe(value)}`);
  }
  const keys = Object.keys(value);
  if (keys.length === 0) throw new TypeError(`${what}: the mime bundle is empty; give at least one mime type`);
  const bad = keys.filter((key) => !isMimeType(key));
  if (bad.length > 0) {
    throw new TypeError(`${what}: ${bad.map((k) => JSON.stringify(k)).join(", ")} ${bad.length === 1 ? "is not a mime type" : "are not mime types"} (expected "type/subtype", e.g. "text/html")`);
  }
  return value as MimeBundle;
}

/** An HTML fragment; its text/plain is the source itself. */
export function htmlBundle(source: string): FormattedValue {
  checkString(source, "display.html");
  return { data: { "text/html": source, "text/plain": source }, metadata: {} };
}

/** Markdown text; its text/plain is the source itself. */
export function markdownBundle(source: string): FormattedValue {
  checkString(source, "display.markdown");
  return { data: { "text/markdown": source, "text/plain": source }, metadata: {} };
}

/** An SVG document or fragment (must contain an `<svg` element). */
export function svgBundle(source: string): FormattedValue {
  checkString(source, "display.svg");
  if (!/<svg[\s>]/i.test(source)) throw new TypeError("display.svg: the text has no <svg> element");
  return { data: { "image/svg+xml": source, "text/plain": "<SVG image>" }, metadata: {} };
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];

/**
 * A PNG image from its bytes or their base64 text (a `data:image/png;base64,` URL is accepted too).
 * The bytes must carry the PNG signature.
 */
export function pngBundle(image: Uint8Array | string, size?: ImageSize): FormattedValue {
  const bytes = imageBytes(image, "png", "display.png");
  if (!startsWith(bytes, PNG_SIGNATURE)) throw new TypeError("display.png: the data is not a PNG image (no PNG signature)");
  const dims = bytes.length >= 24 && ascii(bytes, 12, 16) === "IHDR" ? ` ${readUint32(bytes, 16)}x${readUint32(bytes, 20)}` : "";
  return imageResult("image/png", bytes, `<PNG image${dims}>`, size, "display.png");
}

/** A JPEG image from its bytes or their base64 text (or a `data:image/jpeg;base64,` URL). */
export function jpegBundle(image: Uint8Array | string, size?: ImageSize): FormattedValue {
  const bytes = imageBytes(image, "jpeg", "display.jpeg");
  if (!startsWith(bytes, JPEG_SIGNATURE)) throw new TypeError("display.jpeg: the data is not a JPEG image (no JPEG signature)");
  return imageResult("image/jpeg", bytes, "<JPEG image>", size, "display.jpeg");
}

/**
 * A JSON value shown by the frontend's JSON viewer (`application/json`). The value is snapshotted
 * through JSON, so it must be serialisable (no cycles, no BigInt, not undefined).
 */
export function jsonBundle(value: unknown): FormattedValue {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new TypeError(`display.json: the value cannot be converted to JSON: ${(error as Error).message}`);
  }
  if (text === undefined) throw new TypeError(`display.json: ${describe(value)} has no JSON form`);
  const json: unknown = JSON.parse(text);
  return { data: { "application/json": json, "text/plain": inspect(json, { depth: 4, breakLength: 100 }) }, metadata: {} };
}

function checkString(value: unknown, what: string): asserts value is string {
  if (typeof value !== "string") throw new TypeError(`${what}: expected a string, got ${describe(value)}`);
}

function imageBytes(image: unknown, subtype: string, what: string): Uint8Array {
  if (image instanceof Uint8Array) return image;
  if (typeof image !== "string") throw new TypeError(`${what}: expected a Uint8Array/Buffer or a base64 string, got ${describe(image)}`);
  let text = image.trim();
  const dataUrl = /^data:([^;,]+)(;base64)?,/i.exec(text);
  if (dataUrl) {
    if (!dataUrl[2]) throw new TypeError(`${what}: only base64 data URLs are accepted`);
    if (dataUrl[1]!.toLowerCase() !== `image/${subtype}`) throw new TypeError(`${what}: the data URL is ${dataUrl[1]}, not image/${subtype}`);
    text = text.slice(dataUrl[0].length);
  }
  text = text.replace(/\s+/g, "");
  if (text.length === 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1) {
    throw new TypeError(`${what}: the string is not base64 image data`);
  }
  return Buffer.from(text, "base64");
}

function imageResult(mime: string, bytes: Uint8Array, plain: string, size: ImageSize | undefined, what: string): FormattedValue {
  const metadata: JsonObject = {};
  if (size && (size.width !== undefined || size.height !== undefined)) {
    const hints: JsonObject = {};
    for (const key of ["width", "height"] as const) {
      const v = size[key];
      if (v === undefined) continue;
      if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) throw new TypeError(`${what}: ${key} must be a positive number, got ${describe(v)}`);
      hints[key] = v;
    }
    metadata[mime] = hints;
  }
  return { data: { [mime]: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64"), "text/plain": plain }, metadata };
}

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end));
}

function readUint32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) >>> 0) + (bytes[at + 1]! << 16) + (bytes[at + 2]! << 8) + bytes[at + 3]!;
}

/** A short description of a bad argument for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Uint8Array) return `a ${value.constructor.name}`;
  switch (typeof value) {
    case "string":
      return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value)}`;
    case "object":
      return `an object (${inspect(value, { depth: 0, breakLength: Infinity }).slice(0, 60)})`;
    case "function":
      return "a function";
    case "bigint":
      return `the bigint ${value}n`;
    case "undefined":
      return "undefined";
    default:
      return `the ${typeof value} ${String(value)}`;
  }
}
