// What watches over a hazard, as the hazard's screen and its verify form show it: 挂牌督办
// (listing) and 摘牌, 延期申请 (extension requests) and their decisions, 证据存疑 (evidence
// flags). What may be done is the server's word (oversight_actions, allowed_actions of each
// request); why not yet, its oversight_blocked. Every label comes from choices.js.
import { t, fmtDate, fmtDateTime } from '../i18n.js';
import { h, chip, kv } from '../ui.js';
import { label } from '../choices.js';

/** The 挂牌督办 chip of a hazard under listed supervision (lists, cards, the hazard). */
export function listedChip(hz) {
  return hz && hz.listed ? chip(label('listing_states', 'listed'), 'listed') : null;
}

const who = (p) => (p && (p.display_name || p.username)) || '';

/** Why an oversight action is not offered yet: its name and the server's reason. */
export function blockedNote(action, why) {
  return h('div.blocked-action', { 'data-blocked': action },
    h('div.blocked-name', t(`oversight.${action}`)),
    h('p.small', (why && why.message) || t('hazard.blocked')));
}

/** 挂牌督办 of the hazard: unit, deadline, responsible; 摘牌 and its assessment; the buttons
 * (none while a step of the hazard waits on this phone: `offer` false). */
export function listingCard(hz, { offer = true } = {}) {
  const listing = hz.listing;
  const actions = offer && Array.isArray(hz.oversight_actions) ? hz.oversight_actions : [];
  const blocked = hz.oversight_blocked || {};
  if (!listing && !actions.includes('list')) return null;
  if (!listing) {
    return h('div.card.listing-card', { 'data-testid': 'listing' },
      h('p.small.muted.mb-8', t('listing.offer')),
      h('a.btn.block.secondary', { href: `#/hazards/${hz.id}/listing`, 'data-action': 'list' }, t('oversight.list')));
  }
  const delisted = listing.state === 'delisted';
  return h('div.card.listing-card', { 'data-testid': 'listing', class: delisted ? 'delisted' : 'listed' },
    h('div.row', h('h3.grow', t('listing.title')), chip(label('listing_states', listing.state), delisted ? 'general' : 'listed')),
    h('div.mt-8', kv([
      [t('listing.unit'), listing.unit],
      [t('listing.deadline'), fmtDate(listing.deadline)],
      [t('listing.responsible'), listing.responsible],
      [t('listing.listed_by'), [who(listing.listed_by), fmtDate(listing.listed_at)].filter(Boolean).join(' · ')],
      delisted ? [t('listing.delisted_at'), [fmtDate(listing.delisted_at), who(listing.delisted_by)].filter(Boolean).join(' · ')] : null,
      delisted ? [t('listing.assessment'), listing.assessment] : null,
    ].filter(Boolean))),
    actions.includes('delist') ? h('a.btn.block.secondary.mt-12', { href: `#/hazards/${hz.id}/delist`, 'data-action': 'delist' }, t('oversight.delist')) : null,
    blocked.delist ? h('div.mt-12', blockedNote('delist', blocked.delist)) : null);
}

/** 延期申请 of the hazard, newest first, with the decisions the user may take, and the way to
 * ask (or why not now); no buttons while a step of the hazard waits on this phone. */
export function extensionsCard(hz, { offer = true } = {}) {
  const items = Array.isArray(hz.extensions) ? hz.extensions : [];
  const actions = offer && Array.isArray(hz.oversight_actions) ? hz.oversight_actions : [];
  const blocked = (hz.oversight_blocked || {}).request_extension;
  if (!items.length && !actions.includes('request_extension') && !blocked) return null;
  return h('div.card', { 'data-testid': 'extensions' },
    h('h3.mb-8', t('extension.title')),
    items.length ? h('div.extensions', items.map((e) => extensionRow(hz, e))) : null,
    actions.includes('request_extension')
      ? h('a.btn.block.secondary.mt-12', { href: `#/hazards/${hz.id}/extension`, 'data-action': 'request_extension' }, t('oversight.request_extension')) : null,
    blocked ? h('div.mt-12', blockedNote('request_extension', blocked)) : null);
}

function extensionRow(hz, e) {
  const decisions = Array.isArray(e.allowed_actions) ? e.allowed_actions : [];
  const photo = e.photo && e.photo.urls;
  return h('div.extension', { 'data-extension': e.id, 'data-state': e.state },
    h('div.row.wrap.chips', chip(label('extension_states', e.state), `ext-${e.state}`),
      h('span.small', t('extension.line', { from: fmtDate(e.old_deadline), to: fmtDate(e.new_deadline) }))),
    h('p.ext-reason', e.reason),
    h('p.small.muted', [who(e.requester), fmtDateTime(e.requested_at)].filter(Boolean).join(' · ')),
    photo ? h('a.thumb.small-thumb', { href: photo.full, target: '_blank', rel: 'noopener' },
      h('img', { src: photo.thumb || photo.full, alt: label('photo_kinds', 'document'), loading: 'lazy' })) : null,
    e.decided_at ? h('p.small.ext-decision', t('extension.decided', { who: who(e.decided_by), at: fmtDateTime(e.decided_at) }),
      e.decision_note ? h('span.t-note', e.decision_note) : null) : null,
    decisions.length ? h('div.actions.two.mt-8', decisions.map((a) => h(`a.btn.small${a === 'approve' ? '.ok' : '.danger'}`,
      { href: `#/hazards/${hz.id}/extensions/${e.id}/${a}`, 'data-decide': a }, label('extension_actions', a)))) : null);
}

/** 证据存疑: each flag explained (the server's words, in the reader's language), whether a
 * verification answered it. `forReview`: the verify form's version, which says a note is due. */
export function flagsCard(hz, { forReview = false } = {}) {
  const flags = Array.isArray(hz.evidence_flags) ? hz.evidence_flags : [];
  if (!flags.length) return null;
  const standing = flags.filter((f) => f.standing);
  return h(`div.card.flags-card${standing.length ? '.warn-card' : ''}`, { role: 'note', 'data-testid': 'evidence-flags' },
    h('h3.mb-8', t('flags.title')),
    forReview && standing.length ? h('p.small.mb-8', t('flags.note_required')) : null,
    h('ul.flags', flags.map((f) => h('li', { 'data-flag': f.code, 'data-photo': f.photo_id },
      h('div.row.wrap.chips', chip(label('evidence_flags', f.code), f.standing ? 'overdue' : 'general'),
        f.standing ? null : h('span.small.muted', t('flags.answered', { at: fmtDateTime(f.overridden_at) }))),
      h('p.small', f.message)))),
    h('p.small.muted', t('flags.unknown_hint')));
}

/** The codes of the flags standing on a photo (for a mark on its thumbnail). */
export function photoFlags(hz, photoId) {
  return (Array.isArray(hz.evidence_flags) ? hz.evidence_flags : []).filter((f) => f.photo_id === photoId && f.standing);
}
