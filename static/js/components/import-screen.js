// An import screen (企业名录, 检查表): choose a CSV/XLSX file, check it first (the server's dry
// run: what the import would do and every bad row, by line, field and message), then import
// exactly the bytes that were checked. The screen says what is imported and how its outcomes
// read; the report's figures and errors are the same for every import (app/core/imports.py).
import { t } from '../i18n.js';
import { h, icon, field, showProblem, clearProblem, busy, toast, append, setChildren } from '../ui.js';

/** The form and the report of an import, appended to `main`.
 * - `intro`: the text above the form; `extra`: fields and links after the file's;
 * - `post(formData, dryRun)`: the request (its answer's `data` is the report);
 * - `outcomes(report)`: what the report shows above its errors;
 * - `errorsTitle(dryRun)`: the i18n key of the errors' heading (`n`: lines with an error);
 * - `fieldLabel(name)`: a row error's field as the reader knows it;
 * - `confirmKey`: the i18n key of the import button (`n`: records it creates or updates);
 * - `ignoredColumns`: whether the columns nobody reads are named;
 * - `back`: `{ href, label }` of the link shown once imported. */
export function importScreen(main, { intro, extra = [], post, outcomes, errorsTitle, fieldLabel, confirmKey, ignoredColumns = false, back }) {
  const file = h('input', { type: 'file', name: 'file', accept: '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  const check = h('button.btn.block', { type: 'submit' }, icon('upload'), t('import.check'));
  const form = h('form.card', { novalidate: true },
    h('p.small.muted.mb-12', intro),
    field(t('import.file'), file, { required: true }),
    ...extra,
    check);
  const result = h('div', { 'aria-live': 'polite' });
  let chosen = null; // the file that was checked: the real import sends exactly these bytes
  const send = async (dryRun) => {
    const fd = new FormData();
    fd.append('file', chosen, chosen.name);
    return (await post(fd, dryRun)).data;
  };
  const show = (report, dryRun) => {
    const errors = report.errors || [];
    const good = (report.created || 0) + (report.updated || 0);
    const confirmBtn = h('button.btn.block', { type: 'button', disabled: !good }, good ? t(confirmKey, { n: good }) : t('import.nothing'));
    confirmBtn.addEventListener('click', () => busy(confirmBtn, async () => {
      try { show(await send(false), false); toast(t('import.done')); } catch (err) { showProblem(form, err); }
    }));
    setChildren(result, h('div.card', { 'data-testid': dryRun ? 'import-preview' : 'import-result' },
      h('h2', dryRun ? t('import.preview') : t('import.done')),
      outcomes(report),
      errors.length ? [
        h('h3.error-text.import-errors', t(errorsTitle(dryRun), { n: new Set(errors.map((e) => e.line)).size })),
        h('div.table-wrap', h('table.table',
          h('thead', h('tr', h('th', { scope: 'col' }, t('import.line')), h('th', { scope: 'col' }, t('import.field')), h('th', { scope: 'col' }, t('import.message')))),
          h('tbody', errors.map((e) => h('tr', { 'data-testid': 'import-error' },
            h('td', String(e.line)), h('td', e.field ? fieldLabel(e.field) : '—'), h('td', e.message))))))]
        : h('p.small', t('import.no_errors')),
      ignoredColumns && (report.ignored_columns || []).length ? h('p.small.muted.mt-8', t('import.ignored', { cols: report.ignored_columns.join('、') })) : null,
      h('div.actions', dryRun ? confirmBtn : h('a.btn.block.secondary', { href: back.href }, back.label))));
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearProblem(form);
    if (!file.files.length) return showProblem(form, { problem: { detail: t('common.fix_fields'), errors: { file: [t('common.required')] } } });
    chosen = file.files[0];
    setChildren(result);
    busy(check, async () => {
      try { show(await send(true), true); } catch (err) { showProblem(form, err); }
    });
  });
  append(main, form, result);
}
