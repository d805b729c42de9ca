// The server's choice sets (选项, GET /api/v1/choices): every value a form offers and the label
// of every value a screen shows (states, levels, categories, kinds, rules, roles, …), in their
// display order and the reader's language, and the defaults a form proposes (deadline_days).
// Nothing here keeps its own copy of a set or a default.
//
// Loaded at start, before the first screen: this phone's copy at once when it has one
// (IndexedDB), refreshed from the network; the service worker also precaches the answer, so the
// labels are there on the first offline open after install.
import { cachedGet } from './api.js';
import { cacheGet } from './db.js';
import { t, currentLang } from './i18n.js';

const URL = '/api/v1/choices';
let sets = {};   // set name -> [{value, zh, en, color?}] in display order
let index = {};  // set name -> {value: choice}
let settings = {}; // what else the answer holds: deadline_days ({general, major}: days)

/** Take an answer of GET /api/v1/choices ({set name: [{value, zh, en, color?}]}, and settings
 * such as deadline_days). */
export function setChoices(answer) {
  if (!answer || typeof answer !== 'object') return;
  const next = {};
  const other = {};
  for (const [name, list] of Object.entries(answer)) {
    if (Array.isArray(list)) next[name] = list.filter((c) => c && typeof c.value === 'string');
    else if (list && typeof list === 'object') other[name] = list;
  }
  sets = next;
  settings = other;
  index = Object.fromEntries(Object.entries(sets).map(([name, list]) => [name, Object.fromEntries(list.map((c) => [c.value, c]))]));
}

/** Fetch the sets (network first; offline, the stored answer). Keeps what it has on failure. */
export async function loadChoices() {
  try { setChoices((await cachedGet(URL, { timeout: 8000 })).data); } catch { /* keep the sets we have */ }
}

/** At start: the stored answer at once (then a refresh in the background), else the network. */
export async function initChoices() {
  const stored = await cacheGet(URL).catch(() => null);
  if (stored) {
    setChoices(stored.data);
    loadChoices();
  } else {
    await loadChoices();
  }
}

/** The values of a set, in display order (what a select or a filter offers). */
export function values(name) {
  return (sets[name] || []).map((c) => c.value);
}

/**
 * A value's label in the reader's language. A value the server's set does not name (yet) is
 * labelled by i18n `choices.<set>.<value>` when the app has one, else shown as it is.
 */
export function label(name, value) {
  if (value == null || value === '') return '';
  const choice = index[name] && index[name][value];
  if (choice) return (currentLang() === 'en' ? choice.en : choice.zh) || value;
  const key = `choices.${name}.${value}`;
  const own = t(key);
  return own === key ? value : own;
}

/** A value's display colour (#rrggbb) from its set, or null when it has none. */
export function color(name, value) {
  const choice = index[name] && index[name][value];
  return (choice && choice.color) || null;
}

/**
 * The default 整改期限 of a hazard of `level`, in days after its finding: the server's
 * (deadline_days, from config DEADLINE_DAYS_GENERAL / DEADLINE_DAYS_MAJOR). Null when this
 * phone has no answer that says (the form then proposes none).
 */
export function deadlineDays(level) {
  const days = settings.deadline_days && settings.deadline_days[level];
  return Number.isInteger(days) && days > 0 ? days : null;
}
