// The enterprise card (企业卡片): what a scan shows, and where an inspection starts.
import { cachedGet } from '../api.js';
import { t, fmtDate } from '../i18n.js';
import { h, icon, chev, riskChip, kv, segmented, errorBlock, loading, cachedNote, busy, toast, append, setChildren } from '../ui.js';
import { values, label } from '../choices.js';
import { navigate, setTitle } from '../router.js';
import { session } from '../session.js';
import { cachedRegistry, cachedCard, rememberEnterprise } from '../registry-cache.js';
import { startInspection } from '../commands.js';
import { locate, distanceM } from '../photos.js';
import { hazardRow } from '../components/hazard-item.js';
import { openTaskAt } from '../tasks-cache.js';
import { dueText } from '../components/task-item.js';
import { loadChecklists, checklistPicker } from '../components/checklist.js';

async function loadEnterprise(id) {
  try {
    return await cachedGet(`/api/v1/enterprises/${id}`);
  } catch (err) {
    const card = await cachedCard(id);
    if (card) return { data: card.data.enterprise, cachedAt: card.at };
    const reg = await cachedRegistry();
    const e = reg.items.find((x) => x.id === id);
    if (e) return { data: e, cachedAt: reg.at };
    throw err;
  }
}

async function loadCard(ent) {
  if (ent.qr_token) {
    try { return await cachedGet(`/api/v1/scan/${encodeURIComponent(ent.qr_token)}`); } catch { /* below */ }
  }
  const hit = await cachedCard(ent.id);
  return hit ? { data: hit.data, cachedAt: hit.at } : { data: null, cachedAt: null };
}

const count = (x) => (Array.isArray(x) ? x.length : (typeof x === 'number' ? x : (x && x.count != null ? x.count : null)));

export async function render({ params, main, isCurrent }) {
  const id = params[0];
  setTitle(t('enterprise.title'), { back: true });
  append(main, loading());
  let ent; let cachedAt;
  try {
    ({ data: ent, cachedAt } = await loadEnterprise(id));
  } catch (err) {
    setChildren(main, errorBlock(err, () => render({ params, main, isCurrent })));
    return;
  }
  const { data: card, cachedAt: cardAt } = await loadCard(ent);
  if (!isCurrent()) return;
  if (card && card.enterprise) ent = { ...ent, ...card.enterprise };
  rememberEnterprise(ent);
  setTitle(ent.name, { back: true });

  const head = h('div.card',
    h('div.row.card-head',
      h('div.grow', h('h2.enterprise-name', ent.name), h('p.small.muted', ent.credit_code || '')),
      riskChip(ent.risk_level)),
    h('div.mt-12', kv([
      [t('enterprise.address'), ent.address],
      [t('enterprise.industry'), ent.industry ? label('industries', ent.industry) : null],
      [t('enterprise.legal_rep'), ent.legal_rep],
      [t('enterprise.safety_officer'), ent.safety_officer],
      [t('enterprise.phone'), ent.phone ? h('a.tel-link', { href: `tel:${ent.phone}` }, ent.phone) : null],
      [t('enterprise.employees'), ent.employees],
    ])));

  const openH = card ? card.open_hazards : null;
  const lastI = card ? card.last_inspection : null;
  const openI = card ? card.open_interviews : null;
  const figures = h('div.stats.three',
    h('a.stat', { href: `#/hazards?enterprise_id=${ent.id}` },
      h('div.v', count(openH) ?? '—'), h('div.k', t('enterprise.open_hazards'))),
    h('div.stat', h('div.v.date', lastI ? fmtDate(lastI.ended_at || lastI.started_at) : '—'),
      h('div.k', t('enterprise.last_inspection'), lastI && lastI.kind ? ` · ${label('inspection_kinds', lastI.kind)}` : '')),
    h('a.stat', { href: '#/interviews' }, h('div.v', { class: count(openI) ? 'alert' : '' }, count(openI) ?? '—'), h('div.k', t('enterprise.open_interviews'))));
  if (count(openI)) figures.lastChild.classList.add('alert');

  setChildren(main, cachedNote(cachedAt || cardAt), head, figures);
  if (!card && (cachedAt || new URLSearchParams(location.hash.split('?')[1]).get('offline'))) {
    append(main, h('p.small.muted.offline-note', t('enterprise.offline_card')));
  }

  if (Array.isArray(openH) && openH.length) {
    append(main, h('h2.section-title', t('enterprise.open_hazards')), h('div.list', openH.slice(0, 6).map(hazardRow)));
  }

  if (['inspector', 'supervisor'].includes(session.user.role)) {
    // A task I am sent on here (检查任务): the inspection starts from it, with the whole team.
    const [task, checklists] = await Promise.all([openTaskAt(ent.id), loadChecklists()]);
    if (!isCurrent()) return;
    append(main, startForm(ent, checklists, task));
  } else if (session.user.role === 'admin') append(main, startForm(ent, await loadChecklists()));
  if (['supervisor', 'admin'].includes(session.user.role) && !cachedAt) {
    append(main, h('div.list',
      session.user.role === 'admin' ? h('a.item', { href: `#/registry/${ent.id}` }, h('div.grow', h('div.item-title', t('registry.edit_link'))), chev()) : null,
      h('a.item', { href: `#/registry/${ent.id}/qr` }, icon('qr', 'chev'), h('div.grow', h('div.item-title', t('qr.title'))), chev())));
  }
}

function startForm(ent, checklists, task = null) {
  // 企业自查 (self) is the enterprise officer's own, not offered here.
  const kinds = segmented('kind', values('inspection_kinds').filter((k) => k !== 'self').map((k) => [k, label('inspection_kinds', k)]), task ? task.kind : 'routine');
  // 检查表: the lists this phone keeps, those made for the enterprise's industry first.
  const picker = checklists.length ? checklistPicker(checklists, ent.industry) : null;
  const btn = h('button.btn.block', { type: 'submit' }, icon('pin'), t('inspection.start'));
  const form = h('form.card', { novalidate: true },
    h('h2', t('inspection.start_title')),
    task ? h('div.list.task-note', h('a.item', { href: `#/tasks/${task.id}`, 'data-testid': 'card-task' },
      icon('task'), h('div.grow', h('div.item-title', t('tasks.here', { plan: task.plan_name })),
        h('div.item-sub', `${dueText(task)} · ${(task.inspectors || []).map((p) => p.display_name).join('、')}`)), chev())) : null,
    h('div.field', { dataset: { field: 'kind' } }, h('span.label', { id: 'kind-label' }, t('inspection.kind')), kinds),
    picker ? h('div.field', h('span.label', t('checks.choose')), picker.el) : null,
    h('p.hint.after-choices', t('inspection.gps_hint')),
    btn);
  kinds.setAttribute('aria-labelledby', 'kind-label');
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    busy(btn, async () => {
      btn.lastChild.textContent = t('inspection.locating');
      const kind = form.querySelector('input[name=kind]:checked').value;
      const pos = await locate();
      const location = pos && !pos.error ? pos : null;
      if (!location) toast(pos && pos.error === 'denied' ? t('gps.denied') : t('gps.unavailable'), { error: true });
      let started;
      try {
        started = await startInspection(ent, { kind, location, task, checklist: picker ? picker.chosen() : null, local: { distance_local: location ? distanceM(location, ent.location) : null } });
      } catch (err) {
        btn.lastChild.textContent = t('inspection.start');
        return;
      }
      navigate(started.checklist ? `/inspection/${started.id}/checklist` : `/inspection/${started.id}`);
    });
  });
  return form;
}

