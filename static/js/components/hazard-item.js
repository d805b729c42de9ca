// A hazard in a list: its title, level, state and deadline chips; tapping opens it.
import { t, fmtDate } from '../i18n.js';
import { h, chev, chip, levelChip, stateChip, deadlineChip } from '../ui.js';
import { listedChip } from './oversight.js';

/** A row of the hazard lists (enterprise and date under the title; "not synced" when queued). */
export function hazardItem(hz) {
  return h('a.item', { href: `#/hazards/${hz.id}`, 'data-testid': 'hazard-item' },
    h('div.grow',
      h('div.item-title', hz.title),
      h('div.item-sub', [hz.enterprise_name || (hz.enterprise && hz.enterprise.name), hz.found_at ? fmtDate(hz.found_at) : null].filter(Boolean).join(' · ')),
      h('div.row.wrap.chips', levelChip(hz.level), stateChip(hz.state), deadlineChip(hz), listedChip(hz),
        hz.escalated ? chip(t('hazard.escalated'), 'overdue') : null,
        hz.self_check_missed ? chip(t('hazard.self_check_missed'), 'overdue') : null,
        hz._pending ? chip(t('sync.pending'), 'pending') : null)),
    chev());
}

/** A shorter row, on the enterprise card (whose name is the card's title). */
export function hazardRow(hz) {
  return h('a.item', { href: `#/hazards/${hz.id}` },
    h('div.grow', h('div.item-title', hz.title),
      h('div.row.wrap.chips.close', levelChip(hz.level), stateChip(hz.state), deadlineChip(hz), listedChip(hz))),
    chev());
}
