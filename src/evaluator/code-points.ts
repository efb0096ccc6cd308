/**
 * Offsets in a cell's text: Jupyter counts Unicode code points, JavaScript strings (and TypeScript)
 * count UTF-16 code units. A character outside the BMP (an emoji) is one code point and two units.
 */

/**
 * The UTF-16 offset of code point `position` in `text`.
 * @throws RangeError when `position` is not an integer in [0, number of code points].
 */
export function codePointToUtf16(text: string, position: number): number {
  if (!Number.isInteger(position) || position < 0) {
    throw new RangeError(`cursor position must be a non-negative integer (in code points), got ${String(position)}`);
  }
  let units = 0;
  for (let points = 0; points < position; points++) {
    if (units >= text.length) {
      throw new RangeError(`cursor position ${position} is past the end of the code (${countCodePoints(text)} code points)`);
    }
    units += isHighSurrogateAt(text, units) ? 2 : 1;
  }
  return units;
}

/** The code point offset of UTF-16 offset `offset` in `text` (an offset inside a surrogate pair maps past that pair). */
export function utf16ToCodePoint(text: string, offset: number): number {
  const end = Math.max(0, Math.min(offset, text.length));
  let points = 0;
  for (let units = 0; units < end; units += isHighSurrogateAt(text, units) ? 2 : 1) points++;
  return points;
}

/** Number of code points in `text`. */
export function countCodePoints(text: string): number {
  return utf16ToCodePoint(text, text.length);
}

function isHighSurrogateAt(text: string, index: number): boolean {
  const unit = text.charCodeAt(index);
  if (unit < 0xd800 || unit > 0xdbff || index + 1 >= text.length) return false;
  const next = text.charCodeAt(index + 1);
  return next >= 0xdc00 && next <= 0xdfff;
}
