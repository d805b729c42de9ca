// Two languages: zh-CN (default) and en. The choice is kept in localStorage and sets <html lang>.
const KEY = 'anxun.lang';
export const LANGS = [{ code: 'zh-CN', name: '中文' }, { code: 'en', name: 'English' }];
let lang = 'zh-CN';
let dict = {};
let fallback = {};

export function currentLang() { return lang; }
export const isZh = () => lang === 'zh-CN';

async function load(code) {
  const res = await fetch(`/static/i18n/${code}.json`);
  if (!res.ok) throw new Error(`i18n ${code}: ${res.status}`);
  return res.json();
}

export async function initI18n() {
  let wanted = null;
  try { wanted = localStorage.getItem(KEY); } catch { /* private mode */ }
  if (!LANGS.some((l) => l.code === wanted)) wanted = 'zh-CN';
  await setLang(wanted, { save: false });
}

export async function setLang(code, { save = true } = {}) {
  const [d, f] = await Promise.all([load(code), code === 'zh-CN' ? null : load('zh-CN').catch(() => ({}))]);
  dict = d; fallback = f || d; lang = code;
  document.documentElement.lang = code;
  // The shell's own words (index.html) are marked data-i18n and follow the language too.
  document.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
  import('./db.js').then(({ setMeta }) => setMeta('lang', code)).catch(() => {});
  if (save) { try { localStorage.setItem(KEY, code); } catch { /* ignore */ } }
}

function lookup(obj, key) {
  let v = obj;
  for (const part of key.split('.')) { if (v == null) return undefined; v = v[part]; }
  return v;
}

/** t('hazard.title'), t('outbox.waiting', {n: 3}); unknown keys show the key. */
export function t(key, params) {
  let s = lookup(dict, key);
  if (s === undefined) s = lookup(fallback, key);
  if (s === undefined) return key;
  if (typeof s !== 'string') return s;
  return params ? s.replace(/\{(\w+)\}/g, (m, k) => (params[k] ?? m)) : s;
}

const TZ = 'Asia/Shanghai';
function fmt(opts) {
  return new Intl.DateTimeFormat(lang === 'zh-CN' ? 'zh-CN' : 'en-GB', { timeZone: TZ, ...opts });
}
/** Dates shown in Asia/Shanghai, as the contract says. */
export function fmtDate(iso) {
  if (!iso) return '—';
  const d = new Date(iso); if (Number.isNaN(+d)) return '—';
  return fmt({ year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}
export function fmtDateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso); if (Number.isNaN(+d)) return '—';
  return fmt({ year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).format(d);
}
export function fmtRelative(iso) {
  if (!iso) return t('common.never');
  const diff = (Date.now() - Date.parse(iso)) / 1000;
  if (diff < 60) return t('time.just_now');
  if (diff < 3600) return t('time.minutes_ago', { n: Math.floor(diff / 60) });
  if (diff < 86400) return t('time.hours_ago', { n: Math.floor(diff / 3600) });
  return fmtDateTime(iso);
}
/** YYYY-MM-DD of an instant (ms since the epoch; default now) on the Shanghai calendar, the
 * server's days (China has had no summer time since 1991, so +08:00 holds). */
export function shanghaiDay(ms = Date.now()) {
  return new Date(ms + 8 * 3600000).toISOString().slice(0, 10);
}
/** Days from now to a deadline (negative: overdue), counted on Shanghai calendar days. */
export function daysUntil(iso) {
  if (!iso) return null;
  const day = (d) => Math.floor((d.getTime() + 8 * 3600000) / 86400000);
  return day(new Date(iso)) - day(new Date());
}
export function fmtNumber(n, digits = 0) {
  if (n == null || Number.isNaN(n)) return '—';
  return new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(n);
}
