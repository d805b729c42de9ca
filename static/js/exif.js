// A small EXIF reader for JPEG: GPS position, DateTimeOriginal and Orientation, plus the raw
// APP1 segment so that a resized copy can carry the original's EXIF to the server.
// Malformed EXIF never throws: the fields are simply missing.

const TYPE_SIZE = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8 };

/** Find the APP1 "Exif" segment of a JPEG. Returns {start, length, tiff} or null. */
export function findExifSegment(bytes) {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.byteLength < 4 || v.getUint16(0) !== 0xffd8) return null;
  let off = 2;
  while (off + 4 <= v.byteLength) {
    if (v.getUint8(off) !== 0xff) return null;
    const marker = v.getUint8(off + 1);
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) { off += 2; continue; }
    if (marker === 0xda || marker === 0xd9) return null; // image data: no EXIF before it
    const len = v.getUint16(off + 2);
    if (len < 2) return null;
    if (marker === 0xe1 && len >= 8 && off + 10 <= v.byteLength &&
        v.getUint32(off + 4) === 0x45786966 && v.getUint16(off + 8) === 0) { // "Exif\0\0"
      return { start: off, length: len + 2, tiff: off + 10 };
    }
    off += 2 + len;
  }
  return null;
}

function readIfd(v, tiff, ifdOff, little, wanted) {
  const out = {};
  if (tiff + ifdOff + 2 > v.byteLength) return out;
  const count = v.getUint16(tiff + ifdOff, little);
  for (let i = 0; i < count; i++) {
    const entry = tiff + ifdOff + 2 + i * 12;
    if (entry + 12 > v.byteLength) break;
    const tag = v.getUint16(entry, little);
    if (!wanted.includes(tag)) continue;
    const type = v.getUint16(entry + 2, little);
    const n = v.getUint32(entry + 4, little);
    const size = (TYPE_SIZE[type] || 1) * n;
    const valOff = size <= 4 ? entry + 8 : tiff + v.getUint32(entry + 8, little);
    if (valOff + size > v.byteLength) continue;
    out[tag] = { type, n, off: valOff, entry };
  }
  return out;
}

function value(v, e, little) {
  if (!e) return undefined;
  const { type, n, off } = e;
  if (type === 2) {
    let s = '';
    for (let i = 0; i < n; i++) { const c = v.getUint8(off + i); if (!c) break; s += String.fromCharCode(c); }
    return s;
  }
  const vals = [];
  for (let i = 0; i < n; i++) {
    if (type === 3) vals.push(v.getUint16(off + i * 2, little));
    else if (type === 4) vals.push(v.getUint32(off + i * 4, little));
    else if (type === 5) { const d = v.getUint32(off + i * 8 + 4, little); vals.push(d ? v.getUint32(off + i * 8, little) / d : NaN); }
    else if (type === 10) { const d = v.getInt32(off + i * 8 + 4, little); vals.push(d ? v.getInt32(off + i * 8, little) / d : NaN); }
    else vals.push(v.getUint8(off + i));
  }
  return n === 1 ? vals[0] : vals;
}

function dms(parts, ref) {
  if (!Array.isArray(parts) || parts.length < 3 || parts.some((x) => !Number.isFinite(x))) return null;
  let deg = parts[0] + parts[1] / 60 + parts[2] / 3600;
  if (ref === 'S' || ref === 'W') deg = -deg;
  return Math.round(deg * 1e6) / 1e6;
}

/**
 * Read EXIF from JPEG bytes. Returns {lat, lng, takenAt ("YYYY-MM-DDTHH:MM:SS", camera local
 * time), orientation, orientationOffset (absolute byte offset of the Orientation value), segment}.
 */
export function readExif(bytes) {
  const result = { lat: null, lng: null, takenAt: null, orientation: 1, orientationOffset: null, segment: null };
  try {
    const seg = findExifSegment(bytes);
    if (!seg) return result;
    result.segment = seg;
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const tiff = seg.tiff;
    const order = v.getUint16(tiff);
    if (order !== 0x4949 && order !== 0x4d4d) return result;
    const little = order === 0x4949;
    if (v.getUint16(tiff + 2, little) !== 42) return result;
    const ifd0 = readIfd(v, tiff, v.getUint32(tiff + 4, little), little, [0x0112, 0x8769, 0x8825, 0x0132]);
    if (ifd0[0x0112]) {
      result.orientation = value(v, ifd0[0x0112], little) || 1;
      result.orientationOffset = ifd0[0x0112].off;
    }
    let when = null;
    if (ifd0[0x8769]) {
      const exif = readIfd(v, tiff, value(v, ifd0[0x8769], little), little, [0x9003]);
      when = value(v, exif[0x9003], little);
    }
    when = when || value(v, ifd0[0x0132], little);
    const m = typeof when === 'string' && when.match(/^(\d{4}):(\d\d):(\d\d) (\d\d):(\d\d):(\d\d)/);
    if (m && m[1] !== '0000') result.takenAt = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`;
    if (ifd0[0x8825]) {
      const gps = readIfd(v, tiff, value(v, ifd0[0x8825], little), little, [1, 2, 3, 4]);
      const lat = dms(value(v, gps[2], little), value(v, gps[1], little));
      const lng = dms(value(v, gps[4], little), value(v, gps[3], little));
      if (lat != null && lng != null && Math.abs(lat) <= 90 && Math.abs(lng) <= 180 && !(lat === 0 && lng === 0)) {
        result.lat = lat; result.lng = lng;
      }
    }
  } catch { /* malformed EXIF: leave the fields empty */ }
  return result;
}

/**
 * A copy of `jpeg` (bytes of a freshly encoded JPEG) carrying the original's EXIF segment,
 * with Orientation set to 1 since the pixels are already upright.
 */
export function withExif(jpeg, original, exif) {
  if (!exif || !exif.segment || exif.segment.length > 65535 + 2) return jpeg;
  const seg = original.slice(exif.segment.start, exif.segment.start + exif.segment.length);
  if (exif.orientationOffset != null) {
    const rel = exif.orientationOffset - exif.segment.start;
    const v = new DataView(seg.buffer, seg.byteOffset, seg.byteLength);
    const little = v.getUint16(10) === 0x4949;
    if (rel >= 0 && rel + 2 <= seg.length) v.setUint16(rel, 1, little);
  }
  // Drop the encoder's own APP0 (JFIF): EXIF's APP1 goes right after SOI.
  let rest = 2;
  const jv = new DataView(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength);
  while (rest + 4 <= jpeg.length && jv.getUint8(rest) === 0xff && jv.getUint8(rest + 1) === 0xe0) {
    rest += 2 + jv.getUint16(rest + 2);
  }
  const out = new Uint8Array(2 + seg.length + (jpeg.length - rest));
  out.set(jpeg.subarray(0, 2), 0);
  out.set(seg, 2);
  out.set(jpeg.subarray(rest), 2 + seg.length);
  return out;
}
