// Photos on the phone: EXIF read from the original, resized to ≤1600 px JPEG (quality 0.8) with
// the original's EXIF (GPS, time) carried over, SHA-256 of the exact bytes that will be sent.
// A file the browser cannot decode (HEIC on most Android browsers) is sent as it is.
import { readExif, withExif } from './exif.js';

export const MAX_EDGE = 1600;
export const QUALITY = 0.8;
export const TARGET_BYTES = 400 * 1024; // weak 4G: step the quality down until it fits
const QUALITY_STEPS = [QUALITY, 0.7, 0.6, 0.5];

export async function sha256Hex(blob) {
  const buf = await blob.arrayBuffer();
  const digest = await crypto.subtle.digest('SHA-256', buf);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function decode(file) {
  if ('createImageBitmap' in window) {
    try { return await createImageBitmap(file, { imageOrientation: 'from-image' }); } catch { /* try <img> */ }
  }
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.decoding = 'async';
    img.src = url;
    await img.decode();
    return img;
  } finally {
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
}

async function encode(source, w, h) {
  let toJpeg;
  if (typeof OffscreenCanvas !== 'undefined') {
    const c = new OffscreenCanvas(w, h);
    c.getContext('2d').drawImage(source, 0, 0, w, h);
    toJpeg = (quality) => c.convertToBlob({ type: 'image/jpeg', quality });
  } else {
    const c = document.createElement('canvas');
    c.width = w; c.height = h;
    c.getContext('2d').drawImage(source, 0, 0, w, h);
    toJpeg = (quality) => new Promise((resolve, reject) => c.toBlob((b) => (b ? resolve(b) : reject(new Error('encode'))), 'image/jpeg', quality));
  }
  let blob = null;
  for (const q of QUALITY_STEPS) {
    blob = await toJpeg(q);
    if (blob.size <= TARGET_BYTES) break;
  }
  return blob;
}

/**
 * Prepare one picked file for upload. Returns {blob, filename, sha256, width, height, lat, lng,
 * takenAt, resized, originalSize}.
 */
export async function preparePhoto(file) {
  const original = new Uint8Array(await file.arrayBuffer());
  const isJpeg = original[0] === 0xff && original[1] === 0xd8;
  const exif = isJpeg ? readExif(original) : { lat: null, lng: null, takenAt: null };
  let bitmap = null;
  try { bitmap = await decode(file); } catch { bitmap = null; }
  const base = { lat: exif.lat, lng: exif.lng, takenAt: exif.takenAt, originalSize: file.size };
  if (!bitmap) {
    // Not decodable here (HEIC…): the server reads and converts it.
    const blob = new Blob([original], { type: file.type || 'application/octet-stream' });
    return { ...base, blob, filename: file.name || 'photo.heic', sha256: await sha256Hex(blob), width: null, height: null, resized: false };
  }
  const w0 = bitmap.width; const h0 = bitmap.height;
  const scale = Math.min(1, MAX_EDGE / Math.max(w0, h0));
  const w = Math.max(1, Math.round(w0 * scale)); const h = Math.max(1, Math.round(h0 * scale));
  if (isJpeg && scale === 1 && file.size <= 400 * 1024 && (exif.orientation || 1) === 1) {
    // Already small and upright: the original bytes are the best evidence.
    bitmap.close?.();
    const blob = new Blob([original], { type: 'image/jpeg' });
    return { ...base, blob, filename: file.name || 'photo.jpg', sha256: await sha256Hex(blob), width: w0, height: h0, resized: false };
  }
  const encoded = await encode(bitmap, w, h);
  bitmap.close?.();
  const bytes = isJpeg ? withExif(new Uint8Array(await encoded.arrayBuffer()), original, exif) : new Uint8Array(await encoded.arrayBuffer());
  const blob = new Blob([bytes], { type: 'image/jpeg' });
  const name = (file.name || 'photo').replace(/\.[^.]+$/, '') + '.jpg';
  return { ...base, blob, filename: name, sha256: await sha256Hex(blob), width: w, height: h, resized: true };
}

/** Current position, or null. Never waits longer than `timeout`. */
export function locate({ timeout = 15000, maximumAge = 30000 } = {}) {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve(null);
    navigator.geolocation.getCurrentPosition(
      (pos) => resolve({ lat: round6(pos.coords.latitude), lng: round6(pos.coords.longitude), accuracy: Math.round(pos.coords.accuracy) }),
      (err) => resolve({ error: err.code === 1 ? 'denied' : 'unavailable' }),
      { enableHighAccuracy: true, timeout, maximumAge });
  });
}
const round6 = (x) => Math.round(x * 1e6) / 1e6;

/** Great-circle distance in metres (WGS-84 sphere approximation, for display only). */
export function distanceM(a, b) {
  if (!a || !b || a.lat == null || b.lat == null) return null;
  const R = 6371008.8; const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad; const dLng = (b.lng - a.lng) * rad;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(s));
}

// ---- the photo picker used by the hazard and rectification forms ----
import { h, icon, toast, setChildren } from './ui.js';
import { t } from './i18n.js';

/** A grid of thumbnails and an "add photo" tile that opens the camera. */
export function photoPicker({ name = 'photos', label = null, max = 9 } = {}) {
  const photos = [];
  const pending = new Set();
  const grid = h('div.thumbs');
  const fileInput = h('input', { type: 'file', accept: 'image/*', capture: 'environment', multiple: true, name, 'aria-label': label || t('photo.add') });
  const addTile = h('label.photo-add', icon('camera'), h('span', t('photo.add')), fileInput);
  const el = h('div', { dataset: { field: name } }, grid);
  const redraw = () => {
    setChildren(grid, ...photos.map((p, i) => h('div.thumb',
      h('img', { src: p.url, alt: t('photo.nth', { n: i + 1 }) }),
      h('span.tag', `${Math.round(p.blob.size / 1024)} KB`),
      h('button.x', { type: 'button', 'aria-label': t('photo.remove', { n: i + 1 }), onclick: () => { URL.revokeObjectURL(p.url); photos.splice(i, 1); redraw(); } }, h('span', { 'aria-hidden': 'true' }, '×')))),
    ...[...pending].map(() => h('div.thumb', { 'aria-busy': 'true' }, h('span.tag', t('photo.processing')))),
    photos.length + pending.size < max ? addTile : null);
  };
  fileInput.addEventListener('change', async () => {
    const files = [...fileInput.files];
    fileInput.value = '';
    await Promise.all(files.slice(0, max - photos.length).map(async (file) => {
      const token = {}; pending.add(token); redraw();
      try {
        const p = await preparePhoto(file);
        p.id = crypto.randomUUID ? crypto.randomUUID() : String(Date.now() + Math.random());
        p.url = URL.createObjectURL(p.blob);
        photos.push(p);
      } catch (err) {
        console.error(err);
        toast(t('photo.failed'), { error: true });
      } finally { pending.delete(token); redraw(); }
    }));
  });
  redraw();
  return { el, photos, ready: async () => { while (pending.size) await new Promise((r) => setTimeout(r, 100)); return photos; } };
}
