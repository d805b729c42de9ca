// Inspection plans (检查计划, supervisors): the list, a new plan (which enterprises may be drawn,
// how many, from which inspectors) and a plan's page with its random draw (双随机): the tasks
// drawn, who goes where, the seed anyone can run the draw again with, the plan's trail.
import { cachedGet, itemsOf } from '../api.js';
import { t, fmtDate, fmtDateTime, shanghaiDay } from '../i18n.js';
import { h, icon, chev, chip, riskChip, kv, field, input, select, showProblem, clearProblem, busy, toast, errorBlock, loading, empty, cachedNote, append, setChildren } from '../ui.js';
import { values, label } from '../choices.js';
import { navigate, setTitle } from '../router.js';
import { session } from '../session.js';
import { newId, createPlan, drawPlan, cancelPlan } from '../commands.js';
import { cachedRegistry, refreshRegistry } from '../registry-cache.js';
import { atDesk, redrawAcrossLayouts } from '../components/layout.js';
import { dataTable, rankIn } from '../components/data-table.js';
import { taskStateChip } from '../components/task-item.js';
import { serverFile } from '../components/server-file.js';

const MANAGERS = ['supervisor', 'admin'];

function planState(plan) {
  const cls = { draft: 'pending', drawn: 'state-scheduled', cancelled: 'state-archived' }[plan.state] || '';
  return chip(label('plan_states', plan.state), cls);
}

function figuresText(plan) {
  const f = plan.figures || {};
  return t('plans.figures', { done: f.done ?? 0, total: f.total ?? 0, overdue: f.overdue ?? 0 });
}

// ------------------------------------------------------------------------------ the list
export async function render({ main, isCurrent }) {
  setTitle(t('plans.title'));
  if (!MANAGERS.includes(session.user.role)) { setChildren(main, errorBlock({ status: 404 })); return null; }
  append(main, loading());
  let res;
  try { res = await cachedGet('/api/v1/plans?per_page=100'); } catch (err) {
    setChildren(main, errorBlock(err, () => render({ main, isCurrent })));
    return null;
  }
  if (!isCurrent()) return null;
  const plans = itemsOf(res.data);
  const row = (p) => h('a.item', { href: `#/plans/${p.id}`, 'data-testid': 'plan-item' },
    h('div.grow',
      h('div.item-title', p.name),
      h('div.item-sub', `${label('inspection_kinds', p.kind)} · ${fmtDate(p.starts_on)} – ${fmtDate(p.due_on)}`),
      h('div.row.wrap.chips', planState(p), p.state === 'drawn' ? chip(figuresText(p)) : null,
        p.figures && p.figures.overdue ? chip(t('plans.overdue_n', { n: p.figures.overdue }), 'overdue') : null)),
    chev());
  const table = () => dataTable({
    rows: plans, label: t('plans.title'), testid: 'plan-item', href: (p) => `#/plans/${p.id}`,
    sort: { key: 'due_on', dir: 'desc' },
    columns: [
      { key: 'name', label: t('plans.f_name'), value: (p) => p.name, cell: (p) => p.name },
      { key: 'state', label: t('hazards.f_state'), value: (p) => rankIn('plan_states', p.state), cell: (p) => planState(p) },
      { key: 'kind', label: t('inspection.kind'), value: (p) => rankIn('inspection_kinds', p.kind), cell: (p) => label('inspection_kinds', p.kind) },
      { key: 'due_on', label: t('plans.f_due_on'), value: (p) => p.due_on, cell: (p) => fmtDate(p.due_on), cls: 'nowrap' },
      { key: 'done', label: t('plans.progress'), value: (p) => (p.figures ? p.figures.done : 0), cell: (p) => (p.state === 'drawn' ? figuresText(p) : '—') },
    ],
  });
  const canMake = session.user.role === 'supervisor';
  setChildren(main, cachedNote(res.cachedAt),
    h('div.section-title', h('span.grow', t('plans.count', { n: plans.length })),
      canMake ? h('a.btn.small', { href: '#/plans/new', 'data-testid': 'plan-new' }, icon('plus'), t('plans.new')) : null),
    plans.length ? (atDesk() ? table() : h('div.list', plans.map(row))) : h('div.card', empty(t('plans.none'), 'list')));
  return redrawAcrossLayouts();
}

// ------------------------------------------------------------------------------ a new plan
/** The eligible enterprises by what the form says, from the registry this phone holds (the
 * server checks again, with who can go there). */
function eligibleCount(registry, { community, industries, risks }) {
  return registry.filter((e) => (!community || e.community_id === community)
    && (!industries.length || industries.includes(e.industry))
    && (!risks.length || risks.includes(e.risk_level))).length;
}

function checks(name, options, labelId, checked = []) {
  return h('div.checks', { role: 'group', 'aria-labelledby': labelId },
    options.map(([value, text]) => h('label', h('input', { type: 'checkbox', name, value, checked: checked.includes(value) }), h('span', text))));
}

const checkedValues = (form, name) => [...form.querySelectorAll(`input[name=${name}]:checked`)].map((x) => x.value);

function quarterName(day) {
  const q = Math.floor((Number(day.slice(5, 7)) - 1) / 3) + 1;
  return t('plans.default_name', { year: day.slice(0, 4), q });
}

export async function renderNew({ main, isCurrent }) {
  setTitle(t('plans.new'), { back: true });
  if (session.user.role !== 'supervisor') { setChildren(main, errorBlock({ status: 404 })); return null; }
  append(main, loading());
  const [communities, registry] = await Promise.all([
    cachedGet('/api/v1/communities').then((r) => itemsOf(r.data)).catch(() => []),
    // The registry this phone holds (fetched now if it has none yet) gives the eligible count.
    cachedRegistry().then((r) => (r.at || !navigator.onLine ? r.items : refreshRegistry())).catch(() => []),
  ]);
  if (!isCurrent()) return null;
  const planId = newId(); // chosen once: a second tap never makes a second plan
  const today = shanghaiDay();
  const name = input('name', { maxlength: 200, value: quarterName(today) });
  const kind = select('kind', values('inspection_kinds').map((k) => [k, label('inspection_kinds', k)]), { value: 'unannounced' });
  const community = select('community_id', [['', t('plans.all_my_communities')], ...communities.map((c) => [c.id, c.name])],
    { value: communities.length === 1 ? communities[0].id : '' });
  const startsOn = input('starts_on', { type: 'date', value: today });
  const dueOn = input('due_on', { type: 'date', value: shanghaiDay(Date.now() + 30 * 86400000), min: today });
  const count = input('count', { type: 'number', min: 1, max: 500, value: 5, inputmode: 'numeric' });
  const perTask = input('inspectors_per_task', { type: 'number', min: 1, max: 10, value: 2, inputmode: 'numeric' });
  const weighted = h('input', { type: 'checkbox', name: 'weighted', checked: true });
  const risks = checks('risk_levels', values('risk_levels').map((r) => [r, label('risk_levels', r)]), 'risk-label');
  const industries = checks('industries', values('industries').map((i) => [i, label('industries', i)]), 'industry-label');
  const pool = h('div', { 'data-testid': 'plan-pool' }, h('p.small.muted', t('common.loading')));
  const eligibleLine = h('p.hint', { 'aria-live': 'polite', 'data-testid': 'plan-eligible' });
  const btn = h('button.btn.block', { type: 'submit' }, t('plans.create'));
  const form = h('form.has-footer', { novalidate: true },
    h('div.card',
      field(t('plans.f_name'), name, { required: true }),
      field(t('inspection.kind'), kind, { required: true }),
      field(t('hazards.f_community'), community),
      h('div.period', field(t('plans.f_starts_on'), startsOn, { required: true }), field(t('plans.f_due_on'), dueOn, { required: true }))),
    h('div.card',
      h('h2', t('plans.eligible_title')),
      h('div.field', { dataset: { field: 'risk_levels' } }, h('span.label', { id: 'risk-label' }, t('plans.f_risk_levels')), risks),
      h('label.filter-toggle.mt-8', weighted, h('span', t('plans.f_weighted'))),
      h('p.hint', t('plans.weighted_hint')),
      h('div.field.mt-12', { dataset: { field: 'industries' } }, h('span.label', { id: 'industry-label' }, t('plans.f_industries')), industries),
      field(t('plans.f_count'), count, { required: true }),
      eligibleLine),
    h('div.card',
      h('h2', t('plans.pool_title')),
      h('div.field', { dataset: { field: 'inspector_ids' } }, h('span.label', { id: 'pool-label' }, t('plans.f_pool')), pool),
      field(t('plans.f_per_task'), perTask, { required: true })),
    h('div.form-footer', btn));

  const refreshEligible = () => {
    const n = eligibleCount(registry, { community: community.value, industries: checkedValues(form, 'industries'), risks: checkedValues(form, 'risk_levels') });
    eligibleLine.textContent = registry.length ? t('plans.eligible_n', { n }) : '';
  };
  const loadPool = async () => {
    const chosen = new Set(checkedValues(form, 'inspector_ids'));
    try {
      const { data } = await cachedGet(`/api/v1/plans/inspectors${community.value ? `?community_id=${community.value}` : ''}`);
      const people = itemsOf(data);
      setChildren(pool, people.length ? checks('inspector_ids', people.map((p) => [p.id, `${p.display_name}（${label('roles', p.role)}）`]), 'pool-label',
        people.filter((p) => chosen.has(p.id) || p.role === 'inspector').map((p) => p.id)) : h('p.small.muted', t('plans.no_pool')));
    } catch (err) {
      setChildren(pool, h('p.small.muted', err.offline ? t('common.offline_action') : t('common.load_failed')));
    }
  };
  form.addEventListener('change', (ev) => {
    if (ev.target === community) loadPool();
    refreshEligible();
  });
  refreshEligible();
  loadPool();
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearProblem(form);
    const errors = {};
    if (!name.value.trim()) errors.name = [t('common.required')];
    if (!startsOn.value) errors.starts_on = [t('common.required')];
    if (!dueOn.value) errors.due_on = [t('common.required')];
    else if (startsOn.value && dueOn.value < startsOn.value) errors.due_on = [t('plans.due_before_start')];
    if (!checkedValues(form, 'inspector_ids').length) errors.inspector_ids = [t('plans.choose_pool')];
    if (Object.keys(errors).length) return showProblem(form, { problem: { detail: t('common.fix_fields'), errors } });
    const body = {
      id: planId, name: name.value.trim(), kind: kind.value, starts_on: startsOn.value, due_on: dueOn.value,
      count: Number(count.value), inspectors_per_task: Number(perTask.value), weighted: weighted.checked,
      inspector_ids: checkedValues(form, 'inspector_ids'), risk_levels: checkedValues(form, 'risk_levels'),
      industries: checkedValues(form, 'industries'),
    };
    if (community.value) body.community_id = community.value;
    busy(btn, async () => {
      try {
        const plan = await createPlan(body);
        toast(t('plans.created'));
        navigate(`/plans/${plan.id}`, { replace: true });
      } catch (err) {
        showProblem(form, err);
      }
    });
  });
  setChildren(main, form);
  return null;
}

// ------------------------------------------------------------------------------ a plan
function eventLine(e) {
  const what = label('plan_actions', e.action) || e.action;
  const parts = [e.draw_no ? t('plans.draw_no', { action: what, n: e.draw_no }) : what];
  if (e.seed) parts.push(t('plans.seed_is', { seed: e.seed }));
  if (e.note) parts.push(e.note);
  return h('div.item', h('div.grow', h('div.item-title', parts.join(' · ')),
    h('div.item-sub', `${e.actor_name || ''} · ${fmtDateTime(e.at)}`)));
}

function taskTable(tasks) {
  return dataTable({
    rows: tasks, label: t('plans.tasks'), testid: 'plan-task',
    sort: { key: 'position', dir: 'asc' },
    columns: [
      { key: 'position', label: t('plans.position'), value: (x) => x.position, cell: (x) => String(x.position), cls: 'nowrap' },
      { key: 'enterprise', label: t('plans.enterprise'), value: (x) => x.enterprise.name, cell: (x) => h('a', { href: `#/enterprise/${x.enterprise_id}` }, x.enterprise.name) },
      { key: 'risk', label: t('plans.risk'), value: (x) => rankIn('risk_levels', x.enterprise.risk_level), cell: (x) => riskChip(x.enterprise.risk_level) },
      { key: 'team', label: t('tasks.team'), value: (x) => (x.inspectors || []).map((p) => p.display_name).join('、'), cell: (x) => (x.inspectors || []).map((p) => p.display_name).join('、') },
      { key: 'state', label: t('hazards.f_state'), value: (x) => rankIn('task_states', x.state), cell: (x) => taskStateChip(x) },
    ],
  });
}

function taskRow(x) {
  return h('div.item', { 'data-testid': 'plan-task' },
    h('span.risk-bar', { class: x.enterprise.risk_level || '' }),
    h('div.grow',
      h('div.item-title', `${x.position}. ${x.enterprise.name}`),
      h('div.item-sub', (x.inspectors || []).map((p) => p.display_name).join('、')),
      h('div.row.wrap.chips', taskStateChip(x), riskChip(x.enterprise.risk_level))));
}

export async function renderDetail({ params, main, isCurrent }) {
  const id = params[0];
  setTitle(t('plans.detail'), { back: true });
  append(main, loading());
  let res;
  try { res = await cachedGet(`/api/v1/plans/${id}`); } catch (err) {
    setChildren(main, errorBlock(err, () => renderDetail({ params, main, isCurrent })));
    return null;
  }
  if (!isCurrent()) return null;
  const plan = res.data;
  const communities = await cachedGet('/api/v1/communities').then((r) => itemsOf(r.data)).catch(() => []);
  if (!isCurrent()) return null;
  setTitle(plan.name, { back: true });
  const allowed = plan.allowed_actions || [];
  const communityNames = (plan.community_ids || []).map((cid) => (communities.find((c) => c.id === cid) || {}).name).filter(Boolean).join('、');

  const drawAction = allowed.find((a) => a === 'draw' || a === 'redraw');
  let drawForm = null;
  if (drawAction) {
    const drawId = newId(); // one draw however often the button is tapped
    const seed = input('seed', { maxlength: 64, autocomplete: 'off', placeholder: t('plans.seed_placeholder') });
    const btn = h('button.btn.block', { type: 'submit', 'data-testid': 'plan-draw' }, t(`plans.${drawAction}`));
    drawForm = h('form.card', { novalidate: true },
      h('h2', t(`plans.${drawAction}`)),
      h('p.small.muted', drawAction === 'redraw' ? t('plans.redraw_hint') : t('plans.draw_hint')),
      field(t('plans.seed'), seed, { hint: t('plans.seed_hint') }), btn);
    drawForm.addEventListener('submit', (ev) => {
      ev.preventDefault();
      clearProblem(drawForm);
      busy(btn, async () => {
        try {
          await drawPlan(plan, { drawId, seed: seed.value.trim() || null });
          toast(t('plans.drawn'));
          navigate(`/plans/${id}`, { replace: true });
        } catch (err) {
          showProblem(drawForm, err);
        }
      });
    });
  }
  const cancelBtn = allowed.includes('cancel') ? h('button.btn.block.secondary', { type: 'button', 'data-testid': 'plan-cancel' }, t('plans.cancel')) : null;
  cancelBtn?.addEventListener('click', () => {
    if (!window.confirm(t('plans.cancel_confirm'))) return;
    busy(cancelBtn, async () => {
      try { await cancelPlan(plan); toast(t('plans.cancelled')); navigate(`/plans/${id}`, { replace: true }); } catch (err) {
        toast(err.offline ? t('common.offline_action') : (err.problem && err.problem.detail) || err.message, { error: true });
      }
    });
  });

  const f = plan.figures || {};
  const tasks = plan.tasks || [];
  const names = (xs) => (xs || []).join('、');
  setChildren(main, cachedNote(res.cachedAt),
    // What was drawn first: the plan in a few lines, the seed, the figures; then the tasks.
    h('div.card',
      h('div.row.wrap.chips', planState(plan), chip(label('inspection_kinds', plan.kind), plan.kind === 'unannounced' ? 'pending' : '')),
      h('h2.record-name', plan.name),
      h('p.small.muted', `${fmtDate(plan.starts_on)} – ${fmtDate(plan.due_on)}${communityNames ? ` · ${communityNames}` : ''}`),
      plan.seed ? h('p.small.mt-6', t('plans.seed'), ' ', h('code', { 'data-testid': 'plan-seed' }, plan.seed),
        plan.drawn_at ? ` · ${t('plans.drawn_at')} ${fmtDateTime(plan.drawn_at)}` : '') : null,
      plan.state !== 'draft' ? h('div.row.wrap.chips.mt-8', { 'data-testid': 'plan-figures' },
        chip(t('plans.n_tasks', { n: f.total ?? 0 })), chip(t('plans.n_done', { n: f.done ?? 0 }), 'ok'),
        chip(t('plans.n_open', { n: f.open ?? 0 }), 'state-reported'),
        f.overdue ? chip(t('tasks.overdue_n', { n: f.overdue }), 'overdue') : null) : null),
    tasks.length ? h('h2.section-title', h('span.grow', t('plans.result')),
      serverFile('a.btn.small.ghost', { href: `/api/v1/plans/${id}/draws`, target: '_blank', rel: 'noopener' }, icon('download'), t('plans.record'))) : null,
    tasks.length ? (atDesk() ? taskTable(tasks) : h('div.list', tasks.map(taskRow))) : null,
    tasks.length && plan.seed ? h('p.small.muted.mt-6', t('plans.public_note', { seed: plan.seed })) : null,
    drawForm,
    cancelBtn ? h('div.actions', cancelBtn) : null,
    h('div.card.mt-12',
      h('h2', t('plans.conditions')),
      kv([
        [t('plans.k_risk_levels'), names((plan.risk_levels || []).map((r) => label('risk_levels', r))) || t('plans.all')],
        [t('plans.k_industries'), names((plan.industries || []).map((i) => label('industries', i))) || t('plans.all')],
        [t('plans.k_weighted'), plan.weighted ? t('plans.yes') : t('plans.no')],
        [t('plans.k_count'), String(plan.count)],
        [t('plans.k_per_task'), String(plan.inspectors_per_task)],
        [t('plans.k_pool'), names((plan.inspectors || []).map((p) => p.display_name))],
        [t('plans.k_author'), plan.author_name],
      ])),
    h('h2.section-title', t('plans.trail')),
    h('div.list', (plan.events || []).map(eventLine)));
  return redrawAcrossLayouts();
}
