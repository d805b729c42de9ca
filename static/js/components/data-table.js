// A list drawn as a table with sortable columns (the desk layout): a column's heading orders the
// rows by it, a second press reverses the order. It orders the rows it was given (the page
// shown); each row opens its record, by its first cell's link or by a click anywhere on it.
import { t, currentLang } from '../i18n.js';
import { h, setChildren } from '../ui.js';
import { navigate } from '../router.js';
import { values } from '../choices.js';

/** What a column of times sorts by (ms since the epoch; none: null, last). */
export const timeOf = (iso) => (iso ? Date.parse(iso) : null);
/** What a column of a choice set's values sorts by: the set's display order. */
export const rankIn = (set, value) => { const i = values(set).indexOf(value); return i < 0 ? null : i; };

const collator = () => new Intl.Collator(currentLang() === 'en' ? 'en' : 'zh-CN', { numeric: true });

function compare(a, b) {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return collator().compare(String(a), String(b));
}
const blank = (v) => v == null || v === '' || (typeof v === 'number' && Number.isNaN(v));

/**
 * columns: [{key, label, value?: row => what it sorts by, cell: row => node|text, cls?}]
 * (no `value`: the column does not sort); rows; href(row): the row's route (#/…);
 * testid: each row's data-testid; sort: {key, dir: 'asc'|'desc'} to begin with.
 * Returns the table (in its scrolling wrapper).
 */
export function dataTable({ columns, rows, href, testid = null, sort = null, label = null }) {
  let order = sort;
  const head = h('thead');
  const body = h('tbody');
  const sorted = () => {
    if (!order) return rows;
    const col = columns.find((c) => c.key === order.key);
    if (!col || !col.value) return rows;
    const sign = order.dir === 'desc' ? -1 : 1;
    return rows.map((r, i) => [r, i]).sort(([a, i], [b, j]) => {
      const va = col.value(a); const vb = col.value(b);
      if (blank(va) || blank(vb)) return blank(va) === blank(vb) ? i - j : (blank(va) ? 1 : -1); // empty last either way
      return sign * compare(va, vb) || i - j;
    }).map(([r]) => r);
  };
  const draw = () => {
    setChildren(head, h('tr', columns.map((c) => {
      const on = order && order.key === c.key;
      const ariaSort = on ? (order.dir === 'desc' ? 'descending' : 'ascending') : (c.value ? 'none' : null);
      if (!c.value) return h('th', { scope: 'col', class: c.cls || null }, c.label);
      return h('th', { scope: 'col', 'aria-sort': ariaSort, class: c.cls || null },
        h('button.sort', { type: 'button', dataset: { sort: c.key }, onclick: () => {
          order = { key: c.key, dir: on && order.dir === 'asc' ? 'desc' : 'asc' };
          draw();
        } }, c.label, h('span.sort-mark', { 'aria-hidden': 'true' }, on ? (order.dir === 'desc' ? '▼' : '▲') : '↕')));
    })));
    setChildren(body, sorted().map((row) => {
      const link = href ? href(row) : null;
      return h('tr', { 'data-testid': testid, class: link ? 'link-row' : null, onclick: link ? (ev) => {
        if (ev.target.closest('a, button')) return; // the link itself, or a control in the row
        navigate(link.replace(/^#/, ''));
      } : null },
      columns.map((c, i) => {
        const content = c.cell(row);
        const [first, ...rest] = [].concat(content); // the link takes the name; chips follow it
        return h(i === 0 ? 'th' : 'td', { scope: i === 0 ? 'row' : null, class: c.cls || null },
          i === 0 && link ? [h('a.row-link', { href: link }, first), rest] : content);
      }));
    }));
  };
  draw();
  return h('div.table-wrap.desk-table', h('table.table.sortable', { 'aria-label': label || t('common.table') }, head, body));
}
