// Inbox (消息): GET /api/v1/notifications; opening one marks it read and goes to its subject.
import { cachedGet, itemsOf, request } from '../api.js';
import { t, fmtRelative } from '../i18n.js';
import { h, chev, chip, empty, errorBlock, loading, cachedNote, append, setChildren } from '../ui.js';
import { label } from '../choices.js';
import { setTitle, navigate } from '../router.js';
import { storeUnread } from '../tabbar.js';

export async function render({ main, isCurrent }) {
  setTitle(t('inbox.title'));
  append(main, loading());
  let list;
  try { list = await cachedGet('/api/v1/notifications'); } catch (err) {
    setChildren(main, errorBlock(err, () => render({ main, isCurrent })));
    return null;
  }
  if (!isCurrent()) return null;
  const items = itemsOf(list.data);
  storeUnread(list.data);
  const open = async (n) => {
    if (!n.read_at) request('POST', `/api/v1/notifications/${n.id}/read`, { json: {} }).catch(() => {});
    if (n.subject_type === 'hazard' && n.subject_id) navigate(`/hazards/${n.subject_id}`);
    else if (n.subject_type === 'interview' && n.subject_id) navigate(`/interviews/${n.subject_id}`);
    else if (n.subject_type === 'tip' && n.subject_id) navigate(`/tips/${n.subject_id}`);
    else if (n.subject_type === 'bulletin' && n.subject_id) navigate(`/bulletins/${n.subject_id}`);
  };
  const unread = items.filter((n) => !n.read_at).length;
  const readAll = unread ? h('button.btn.small.ghost', { type: 'button', onclick: async () => {
    try { await request('POST', '/api/v1/notifications/read-all', { json: {} }); render({ main, isCurrent }); } catch { /* offline: stays unread */ }
  } }, t('inbox.read_all')) : null;
  setChildren(main, cachedNote(list.cachedAt),
    readAll ? h('div.section-title', h('span.grow', t('inbox.unread', { n: unread })), readAll) : null,
    items.length ? h('div.list', items.map((n) => h('button.item', { type: 'button', onclick: () => open(n), 'data-testid': 'notification' },
      h(`span.unread-dot${n.read_at ? '' : '.on'}`, { 'aria-hidden': 'true' }),
      h('div.grow', n.kind ? h('div.row.chips.kind', chip(label('notification_kinds', n.kind), `kind-${n.kind}`)) : null,
        h(`div.item-title${n.read_at ? '.read' : ''}`, n.title),
        n.body ? h('div.item-sub', n.body) : null,
        h('div.item-sub', fmtRelative(n.created_at), n.read_at ? '' : ` · ${t('inbox.new')}`)),
      n.subject_id ? chev() : null))) : h('div.card', empty(t('inbox.none'), 'bell')));
  return null;
}
