// The statement's CJK font: Noto Sans SC (SIL Open Font License 1.1) from the
// @fontsource/noto-sans-sc npm package, read from node_modules — never fetched at run time.
//
// The package ships WOFF, which fontkit (inside pdfkit) reads, but slowly: it inflates the whole
// multi-megabyte glyph table again for every glyph it draws, about 30 s for one statement on a
// busy machine. Unwrapping the WOFF into the plain OpenType font it contains, once per process,
// makes each glyph a slice of memory.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { inflateSync } from "node:zlib";

const require = createRequire(import.meta.url);

/** The "chinese-simplified" subset, regular weight: about 8,000 glyphs (GB 2312 and more, Latin, ¥). */
export const STATEMENT_FONT_PATH = require.resolve(
  "@fontsource/noto-sans-sc/files/noto-sans-sc-chinese-simplified-400-normal.woff",
);

/** WOFF 1.0 (W3C) → the SFNT (TrueType/OpenType) font it wraps: same tables, uncompressed. */
export function woffToSfnt(woff: Buffer): Buffer {
  if (woff.toString("latin1", 0, 4) !== "wOFF") throw new Error("not a WOFF font");
  const flavor = woff.readUInt32BE(4);
  const numTables = woff.readUInt16BE(12);
  const tables = Array.from({ length: numTables }, (_, i) => {
    const at = 44 + i * 20;
    const offset = woff.readUInt32BE(at + 4);
    const compLength = woff.readUInt32BE(at + 8);
    const origLength = woff.readUInt32BE(at + 12);
    const raw = woff.subarray(offset, offset + compLength);
    const data = compLength < origLength ? inflateSync(raw) : raw;
    if (data.length !== origLength) throw new Error("WOFF table length mismatch");
    return { tag: woff.subarray(at, at + 4), checksum: woff.readUInt32BE(at + 16), data };
  });

  const entrySelector = Math.floor(Math.log2(numTables));
  const searchRange = 2 ** entrySelector * 16;
  const headerLength = 12 + 16 * numTables;
  const padded = (n: number) => (n + 3) & ~3;
  const total = tables.reduce((sum, t) => sum + padded(t.data.length), headerLength);
  const out = Buffer.alloc(total);
  out.writeUInt32BE(flavor, 0);
  out.writeUInt16BE(numTables, 4);
  out.writeUInt16BE(searchRange, 6);
  out.writeUInt16BE(entrySelector, 8);
  out.writeUInt16BE(numTables * 16 - searchRange, 10);
  let offset = headerLength;
  tables.forEach((t, i) => {
    const record = 12 + i * 16;
    t.tag.copy(out, record);
    out.writeUInt32BE(t.checksum, record + 4);
    out.writeUInt32BE(offset, record + 8);
    out.writeUInt32BE(t.data.length, record + 12);
    t.data.copy(out, offset);
    offset += padded(t.data.length);
  });
  return out;
}

let font: Buffer | undefined;

/** The font as plain OpenType bytes, unwrapped on first use. */
export function statementFont(): Buffer {
  font ??= woffToSfnt(readFileSync(STATEMENT_FONT_PATH));
  return font;
}
