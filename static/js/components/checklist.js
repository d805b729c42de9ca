// Checklists (检查表) on the phone: the lists it keeps for offline use (GET /api/v1/checklists,
// warmed while the network is there), the picker offered when an inspection starts (the lists
// made for the enterprise's industry first), and the progress of an inspection's checklist.
import { cachedGet, itemsOf } from '../api.js';
import { t, fmtNumber } from '../i18n.js';
import { h, chip } from '../ui.js';
import { label } from '../choices.js';

export const CHECKLISTS_URL = '/api/v1/checklists?per_page=200';

/** The checklists in use: the network's answer, else this phone's copy (offline), else none. */
export async function loadChecklists() {
  try { return itemsOf((await cachedGet(CHECKLISTS_URL)).data); } catch { return []; }
}

/** Made for `industry` first, then those for every industry, then the rest (the server's order
 * within each). */
export function byIndustry(list, industry) {
  const rank = (c) => ((c.industries || []).includes(industry) ? 0 : (c.industries || []).length ? 2 : 1);
  return list.map((c, i) => [rank(c), i, c]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((x) => x[2]);
}

/**
 * Radio choices of checklists for an enterprise of `industry`, those made for it first.
 * `optional`: a "no checklist" choice too, chosen until the inspector picks one (a visit may go
 * without); otherwise the first list for the industry is chosen. Returns {el, chosen():
 * checklist | null}.
 */
export function checklistPicker(list, industry, { optional = true } = {}) {
  const sorted = byIndustry(list, industry);
  const preferred = optional ? null : sorted.find((c) => (c.industries || []).includes(industry)) || sorted[0];
  const option = (c) => h('label.check-option', { dataset: { checklist: c ? c.id : '' } },
    h('input', { type: 'radio', name: 'checklist', value: c ? c.id : '', checked: c ? c === preferred : !preferred }),
    h('span.grow',
      h('span.check-option-name', c ? c.name : t('checks.none')),
      c ? h('span.item-sub', t('checks.option_line', { n: fmtNumber(c.item_count ?? c.items.length), v: c.version }),
        (c.industries || []).length ? ` · ${c.industries.map((x) => label('industries', x)).join('、')}` : ` · ${t('checks.all_industries')}`) : null),
    c && (c.industries || []).includes(industry) ? chip(t('checks.for_industry'), 'ok') : null);
  const el = h('div.check-options', { role: 'radiogroup', 'aria-label': t('checks.choose'), dataset: { field: 'checklist_id' } },
    sorted.map(option), optional ? option(null) : null);
  return {
    el,
    chosen: () => {
      const id = el.querySelector('input[name=checklist]:checked')?.value;
      return id ? sorted.find((c) => c.id === id) || null : null;
    },
  };
}

/** {total, answered, passed, failed, na, score, next} of a local inspection's checklist. */
export function progressOf(insp) {
  const items = (insp.checklist && insp.checklist.items) || [];
  const answers = insp.answers || {};
  const count = (r) => items.filter((i) => answers[i.code] && answers[i.code].result === r).length;
  const passed = count('pass'); const failed = count('fail'); const na = count('na');
  return {
    total: items.length, answered: passed + failed + na, passed, failed, na,
    score: passed + failed ? passed / (passed + failed) : null,
    unanswered: items.filter((i) => !answers[i.code]).map((i) => i.code),
  };
}

export const scoreText = (score) => (score == null ? '—' : `${fmtNumber(Math.round(score * 100))}%`);

/** A progress bar with "answered / total" and the score. */
export function progressBar(p) {
  const fill = h('span');
  fill.style.width = `${p.total ? Math.round((p.answered / p.total) * 100) : 0}%`; // the datum, not a look
  return h('div.check-progress', { 'data-testid': 'check-progress' },
    h('div.row', h('strong', t('checks.progress', { n: p.answered, total: p.total })), h('span.grow'),
      h('span.small', t('checks.score', { score: scoreText(p.score) }))),
    h('div.bar', { role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': p.total, 'aria-valuenow': p.answered, 'aria-label': t('checks.progress', { n: p.answered, total: p.total }) },
      fill));
}
