// Value lists for selects; their labels live in i18n/*.json under the same names.
// Kept in step with the backend's choices.py modules.
import { cachedGet } from './api.js';

export const RISK_LEVELS = ['red', 'orange', 'yellow', 'blue'];
export const HAZARD_LEVELS = ['general', 'major'];
export const HAZARD_STATES = ['reported', 'rectifying', 'submitted', 'verified', 'closed', 'archived'];
export const INSPECTION_KINDS = ['routine', 'special', 'unannounced', 'follow_up', 'holiday'];
export const INTERVIEW_STATES = ['proposed', 'scheduled', 'held', 'closed'];
// The default of config.HAZARD_CATEGORIES; replaced by the server's list when it offers one.
export let HAZARD_CATEGORIES = [
  'fire', 'electrical', 'chemicals', 'machinery', 'construction', 'confined_space', 'dust', 'gas',
  'height_work', 'special_equipment', 'emergency', 'management',
];
let categoryLabels = {};
/**
 * Take the server's configured categories (GET /api/v1/hazards/choices): `category_list` is
 * [{value, zh, en}] in the configured order. An answer cached before the server sent that list
 * has only `categories` ({code: {zh, en}}, a JSON object whose order is lost): then our order.
 */
export function setServerChoices(choices) {
  if (!choices) return;
  let list = Array.isArray(choices.category_list) ? choices.category_list : null;
  const cats = choices.categories;
  if (!list && cats && typeof cats === 'object' && !Array.isArray(cats)) {
    const codes = Object.keys(cats);
    list = [...HAZARD_CATEGORIES.filter((c) => codes.includes(c)), ...codes.filter((c) => !HAZARD_CATEGORIES.includes(c))]
      .map((value) => ({ value, ...cats[value] }));
  }
  list = (list || []).filter((c) => c && typeof c.value === 'string');
  if (!list.length) return;
  categoryLabels = Object.fromEntries(list.map((c) => [c.value, c]));
  HAZARD_CATEGORIES = list.map((c) => c.value);
}
/** The server's choice lists (categories are configured per deployment); cached for offline. */
export async function loadChoices() {
  try { setServerChoices((await cachedGet('/api/v1/hazards/choices')).data); } catch { /* defaults */ }
}
/** A category's label: ours when we have one, else the server's, else its code. */
export function categoryLabel(code, t, lang) {
  const ours = t(`category.${code}`);
  if (ours !== `category.${code}`) return ours;
  const theirs = categoryLabels[code];
  return (theirs && (lang === 'en' ? theirs.en : theirs.zh)) || code;
}

// 治理方案 of a major hazard (DOMAIN.md), sent as `governance_plan`; the names are those of
// app/hazards/choices.py GOVERNANCE_PLAN_FIELDS. `deadline` is a date, the others free text.
export const PLAN_FIELDS = ['goals_tasks', 'methods_measures', 'funds_materials', 'responsible_body',
  'responsible_people', 'deadline', 'safety_measures', 'emergency_plan'];
