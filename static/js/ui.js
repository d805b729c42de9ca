// Small DOM helpers: element builder, icons, chips, toasts, forms showing problem+json errors.
import { t, daysUntil, fmtDate } from './i18n.js';
import { label } from './choices.js';

/** h('div.card#x', {attrs}, children...) */
export function h(tag, attrs, ...children) {
  const [name, ...rest] = tag.split(/(?=[.#])/);
  const el = document.createElement(name || 'div');
  for (const part of rest) {
    if (part[0] === '.') el.classList.add(part.slice(1));
    else el.id = part.slice(1);
  }
  // Anything but an attributes object is the first child: a node, a list, text, a number (0 too).
  if (attrs != null && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs); attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className += ` ${v}`;
    else if (k === 'html') el.innerHTML = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

// Views write conditional children inline (`cond ? el : null`) and pass lists of rows. These
// helpers take such children: nested arrays are flattened, null/undefined/false skipped, other
// values become text. The browser's own Element methods stay untouched.
function nodes(children) {
  const out = [];
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    out.push(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return out;
}
/** append(el, ...children): add children at the end of `el`; returns `el`. */
export function append(el, ...children) {
  el.append(...nodes(children));
  return el;
}
/** prepend(el, ...children): add children at the start of `el`; returns `el`. */
export function prepend(el, ...children) {
  el.prepend(...nodes(children));
  return el;
}
/** setChildren(el, ...children): replace what `el` holds (nothing given: empty it). */
export function setChildren(el, ...children) {
  el.replaceChildren(...nodes(children));
  return el;
}

const PATHS = {
  scan: 'M3 3h7v2H5v5H3V3zm11 0h7v7h-2V5h-5V3zM3 14h2v5h5v2H3v-7zm16 5v-5h2v7h-7v-2h5zM7 7h4v4H7V7zm6 0h4v4h-4V7zm-6 6h4v4H7v-4zm8 2h2v2h-2v-2zm-2-2h2v2h-2v-2z',
  home: 'M12 3 2 11.5l1.3 1.5L5 11.6V21h5v-6h4v6h5v-9.4l1.7 1.4 1.3-1.5L12 3z',
  list: 'M4 5h2v2H4V5zm4 0h12v2H8V5zm-4 6h2v2H4v-2zm4 0h12v2H8v-2zm-4 6h2v2H4v-2zm4 0h12v2H8v-2z',
  bell: 'M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2z',
  user: 'M12 12a4.5 4.5 0 1 0 0-9 4.5 4.5 0 0 0 0 9zm0 2c-4.4 0-8 2.2-8 5v2h16v-2c0-2.8-3.6-5-8-5z',
  chart: 'M4 20V10h3v10H4zm6.5 0V4h3v16h-3zM17 20v-7h3v7h-3z',
  talk: 'M4 4h16v11H7l-3 3V4zm4 4v2h8V8H8zm0 3v2h5v-2H8z',
  camera: 'M9 3 7.2 5H4a2 2 0 0 0-2 2v11a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V7a2 2 0 0 0-2-2h-3.2L15 3H9zm3 4.5a5 5 0 1 1 0 10 5 5 0 0 1 0-10zm0 2a3 3 0 1 0 0 6 3 3 0 0 0 0-6z',
  pin: 'M12 2a7 7 0 0 0-7 7c0 5.2 7 13 7 13s7-7.8 7-13a7 7 0 0 0-7-7zm0 9.5A2.5 2.5 0 1 1 12 6.5a2.5 2.5 0 0 1 0 5z',
  sync: 'M12 4V1L8 5l4 4V6a6 6 0 0 1 5.7 7.9l1.5 1.5A8 8 0 0 0 12 4zm-5.7 4.1L4.8 6.6A8 8 0 0 0 12 20v3l4-4-4-4v3a6 6 0 0 1-5.7-7.9z',
  check: 'M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4L9 16.2z',
  inbox: 'M19 3H5a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2V5a2 2 0 0 0-2-2zm0 12h-4a3 3 0 0 1-6 0H5V5h14v10z',
  chev: 'M8.6 16.6 13.2 12 8.6 7.4 10 6l6 6-6 6-1.4-1.4z',
  plus: 'M19 13h-6v6h-2v-6H5v-2h6V5h2v6h6v2z',
  download: 'M5 20h14v-2H5v2zM19 9h-4V3H9v6H5l7 7 7-7z',
  upload: 'M9 16h6v-6h4l-7-7-7 7h4v6zm-4 2h14v2H5v-2z',
  building: 'M12 7V3H2v18h20V7H12zM6 19H4v-2h2v2zm0-4H4v-2h2v2zm0-4H4V9h2v2zm0-4H4V5h2v2zm4 12H8v-2h2v2zm0-4H8v-2h2v2zm0-4H8V9h2v2zm0-4H8V5h2v2zm10 12h-8v-2h2v-2h-2v-2h2v-2h-2V9h8v10zm-2-8h-2v2h2v-2zm0 4h-2v2h2v-2z',
  group: 'M16 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm-8 0a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm0 2c-2.3 0-7 1.2-7 3.5V19h14v-2.5C15 14.2 10.3 13 8 13zm8 0c-.3 0-.6 0-1 .1 1.2.8 2 2 2 3.4V19h6v-2.5c0-2.3-4.7-3.5-7-3.5z',
  flag: 'M14.4 6 14 4H5v17h2v-7h5.6l.4 2h7V6h-5.6z',
  megaphone: 'M18 11v2h4v-2h-4zm-2 6.6c1 .7 2.2 1.6 3.2 2.4l1.2-1.6c-1-.7-2.2-1.7-3.2-2.4L16 17.6zM20.4 5.6 19.2 4c-1 .7-2.2 1.7-3.2 2.4L17.2 8c1-.7 2.2-1.7 3.2-2.4zM4 9a2 2 0 0 0-2 2v2a2 2 0 0 0 2 2h1v4h2v-4h1l5 3V6L8 9H4zm11.5 3c0-1.3-.6-2.5-1.5-3.4v6.8c.9-.9 1.5-2.1 1.5-3.4z',
  task: 'M19 3h-4.2A3 3 0 0 0 12 1a3 3 0 0 0-2.8 2H5a2 2 0 0 0-2 2v15a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2V5a2 2 0 0 0-2-2zm-7 0a1 1 0 1 1 0 2 1 1 0 0 1 0-2zm-2 15-4-4 1.4-1.4 2.6 2.6 6.6-6.6L18 10l-8 8z',
  qr: 'M3 3h8v8H3V3zm2 2v4h4V5H5zm8-2h8v8h-8V3zm2 2v4h4V5h-4zM3 13h8v8H3v-8zm2 2v4h4v-4H5zm8-2h2v2h-2v-2zm2 2h2v2h-2v-2zm2-2h2v2h-2v-2zm2 2h2v2h-2v-2zm-6 2h2v2h-2v-2zm2 2h2v2h-2v-2zm2-2h2v2h-2v-2zm2 2h2v2h-2v-2z',
};
export function icon(name, cls = '') {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  if (cls) svg.setAttribute('class', cls);
  const p = document.createElementNS(ns, 'path');
  p.setAttribute('d', PATHS[name] || '');
  svg.append(p);
  return svg;
}
export const chev = () => icon('chev', 'chev');

export function chip(text, cls = '') { return h(`span.chip${cls ? `.${cls.split(' ').join('.')}` : ''}`, text); }
export function riskChip(level) { return level ? chip(label('risk_levels', level), level) : null; }
export function levelChip(level) { return level ? chip(label('hazard_levels', level), level) : null; }
/** A state's chip; `kind`: 'hazard' or 'interview' (whose states the label is taken from). */
export function stateChip(state, kind = 'hazard') {
  return state ? chip(label(`${kind}_states`, state), `state-${state}`) : null;
}
export function deadlineChip(hazard) {
  if (!hazard.deadline || ['verified', 'closed', 'archived'].includes(hazard.state)) return null;
  const d = daysUntil(hazard.deadline);
  if (hazard.overdue || d < 0) return chip(t('hazard.overdue_days', { n: Math.abs(d ?? 0) }), 'overdue');
  if (d <= 3) return chip(d === 0 ? t('hazard.due_today') : t('hazard.due_in', { n: d }), 'pending');
  return chip(`${t('hazard.deadline_short')} ${fmtDate(hazard.deadline)}`);
}

let toastTimer = null;
export function toast(message, { error = false, ms = 3500 } = {}) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.className = `toast${error ? ' error' : ''}`;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, ms);
}

export function empty(text, iconName = 'inbox') {
  return h('div.empty', icon(iconName), h('p', text));
}
export function loading() {
  return h('div.empty', { 'aria-busy': 'true' }, h('p', t('common.loading')));
}
/** An error block for a failed load; offline answers say so kindly. */
export function errorBlock(err, retry) {
  const offline = err && err.offline;
  const text = offline ? t('common.offline_no_data') : (err && err.status === 404 ? t('common.not_found') : `${t('common.load_failed')}${err && err.message && !offline ? `：${err.message}` : ''}`);
  return h('div.empty', { role: 'alert' }, icon(offline ? 'sync' : 'inbox'), h('p', text),
    retry ? h('button.btn.secondary.small', { type: 'button', onclick: retry }, t('common.retry')) : null);
}
export function cachedNote(cachedAt) {
  return cachedAt ? h('p.small.muted.cached-note', t('common.cached_at', { time: new Date(cachedAt).toLocaleString() })) : null;
}

/** A labelled form field. `control` is an input/select/textarea element. */
export function field(labelText, control, { required = false, hint = null, name = control.name } = {}) {
  const id = control.id || `f-${name}-${Math.random().toString(36).slice(2, 7)}`;
  control.id = id;
  if (required) control.required = true;
  const wrap = h('div.field', { dataset: { field: name } },
    h('label.label', { for: id }, labelText, required ? h('span.req', { 'aria-hidden': 'true' }, '*') : null),
    control,
    hint ? h('p.hint', hint) : null);
  return wrap;
}
export function input(name, attrs = {}) { return h('input', { name, type: 'text', ...attrs }); }
export function textarea(name, attrs = {}) { return h('textarea', { name, ...attrs }); }
export function select(name, options, attrs = {}) {
  const el = h('select', { name, ...attrs });
  for (const [value, label] of options) append(el, h('option', { value }, label));
  if (attrs.value != null) el.value = attrs.value;
  return el;
}
export function segmented(name, options, value, cls = '') {
  return h(`div.segmented${cls ? `.${cls}` : ''}`, { role: 'radiogroup' },
    options.map(([v, label]) => h('label', h('input', { type: 'radio', name, value: v, checked: v === value }), h('span', label))));
}

/** The messages of a problem's field errors (`{field: [msg] | {sub: [msg]}}`), leaving out what
 * the detail already says. Returns [[field, [msg]]]; a nested field is `a.b`. */
export function fieldMessages(errors, detail = null) {
  const out = [];
  const walk = (prefix, value) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(prefix ? `${prefix}.${k}` : k, v);
      return;
    }
    const msgs = [...new Set([].concat(value).map(String))].filter((m) => m && m !== detail);
    if (msgs.length) out.push([prefix, msgs]);
  };
  walk('', errors || {});
  return out;
}

/** Whether `detail` is the server's generic "invalid fields: a, b" (which names the fields by
 * their API names) beside field errors that say more. */
export function namesFieldsOnly(detail, errors) {
  return !!errors && Object.keys(errors).length > 0 && /^(以下字段有误|The request has invalid fields)/.test(detail || '');
}

/** Field errors as one line a person reads: each message once, after its field's label
 * (`labelOf(field)` answers it, or nothing: a field's API name is never shown). */
export function fieldErrorsText(errors, { detail = null, labelOf = () => null } = {}) {
  const seen = new Set();
  return fieldMessages(errors, detail).map(([name, msgs]) => {
    const fresh = msgs.filter((m) => !seen.has(m));
    fresh.forEach((m) => seen.add(m));
    if (!fresh.length) return null;
    const named = labelOf(name);
    return named ? `${named}：${fresh.join('；')}` : fresh.join('；');
  }).filter(Boolean).join('；');
}

/** Clear old errors, then show a problem's detail on top and field errors under their fields
 * (a field the form has no place for: its message on top, never its API name). */
export function showProblem(form, err) {
  clearProblem(form);
  const problem = (err && err.problem) || {};
  const errors = problem.errors || {};
  let detail = err && err.offline ? t('common.offline_action') : (problem.detail || problem.title || (err && err.message) || t('common.load_failed'));
  // The server's generic sentence lists the fields by their API names; the messages under the
  // fields say more, so the top line only asks to look at them.
  if (namesFieldsOnly(detail, errors)) detail = t('common.fix_fields');
  const unplaced = {};
  for (const [name, msgs] of fieldMessages(errors)) {
    // A nested field's messages (`location.lat`) go under its field when the form has no box of its own.
    const box = form.querySelector(`[data-field="${CSS.escape(name)}"]`) || form.querySelector(`[data-field="${CSS.escape(name.split('.')[0])}"]`);
    const text = msgs.join('；');
    if (box) {
      box.classList.add('invalid');
      const ctl = box.querySelector('input,select,textarea');
      const errId = `${ctl?.id || name}-err`;
      append(box, h('p.field-error', { id: errId }, text));
      if (ctl) { ctl.setAttribute('aria-invalid', 'true'); ctl.setAttribute('aria-describedby', errId); }
    } else unplaced[name] = msgs;
  }
  // What no field shows joins the top line, once (never what it says already).
  const more = fieldErrorsText(unplaced, { detail });
  if (more) detail = `${detail}（${more}）`;
  const box = h('div.form-error', { role: 'alert' }, detail);
  prepend(form, box);
  (form.querySelector('.invalid input, .invalid select, .invalid textarea') || box).focus?.();
  box.scrollIntoView?.({ block: 'nearest' });
}
export function clearProblem(form) {
  form.querySelectorAll('.form-error, .field-error').forEach((e) => e.remove());
  form.querySelectorAll('.invalid').forEach((e) => e.classList.remove('invalid'));
  form.querySelectorAll('[aria-invalid]').forEach((e) => { e.removeAttribute('aria-invalid'); e.removeAttribute('aria-describedby'); });
}

/** Disable a submit button while `fn` runs. */
export async function busy(button, fn) {
  const was = button.disabled;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try { return await fn(); } finally { button.disabled = was; button.removeAttribute('aria-busy'); }
}

export function kv(pairs) {
  return h('dl.kv', pairs.filter(([, v]) => v != null && v !== '').flatMap(([k, v]) => [h('dt', k), h('dd', v)]));
}
