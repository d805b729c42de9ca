// The current campaign (安全生产月) on everyone's home screen: its name, the days left (or until
// it starts, or until the summaries are due), and for whoever records activities a button to
// record one. Read through the cache, so it is there offline; the days are counted on the phone
// from the campaign's dates, so a cached answer still counts right tomorrow.
import { cachedGet } from '../api.js';
import { t, shanghaiDay } from '../i18n.js';
import { h, chev, chip, setChildren } from '../ui.js';
import { label } from '../choices.js';
import { session } from '../session.js';

const DAY = 86400000;
const between = (later, earlier) => Math.round((Date.parse(`${later}T00:00:00Z`) - Date.parse(`${earlier}T00:00:00Z`)) / DAY);
/** 6月1日 / 1 Jun: a campaign's day, without its year. */
export const shortDay = (day) => {
  const [, m, d] = (day || '').split('-').map(Number);
  return t('campaign.short_day', { m, d });
};

/** Where `c` stands on `today` (YYYY-MM-DD, Shanghai): {phase, left, toStart, toDue}. */
export function campaignStatus(c, today = shanghaiDay()) {
  const phase = today < c.starts_on ? 'upcoming' : today <= c.ends_on ? 'running'
    : today <= c.submission_due ? 'reporting' : 'ended';
  return { phase, left: phase === 'running' ? between(c.ends_on, today) + 1 : null,
    toStart: between(c.starts_on, today), toDue: between(c.submission_due, today) };
}

/** Who records activities on the phone (the server's activity.record): not administrators. */
export const recordsActivities = () => ['inspector', 'supervisor', 'officer'].includes(session.user?.role);

/** The banner for campaign `c` (an answer of GET /api/v1/campaigns/current). */
export function campaignCard(c) {
  const s = campaignStatus(c);
  const big = s.phase === 'running' ? t('campaign.days_left', { n: s.left })
    : s.phase === 'upcoming' ? t('campaign.starts_in', { n: s.toStart })
      : s.phase === 'reporting' ? t('campaign.due_in', { n: s.toDue }) : t('campaign.ended');
  const due = s.toDue >= 0 ? t('campaign.due_line', { day: shortDay(c.submission_due), n: s.toDue })
    : t('campaign.due_passed', { day: shortDay(c.submission_due) });
  return h('div.campaign-banner', { 'data-testid': 'campaign-banner' },
    h('a.card.campaign-card', { href: `#/campaigns/${c.id}` },
      h('div.row', chip(label('campaign_phases', s.phase), s.phase === 'running' ? 'ok' : 'pending'), h('span.grow'), chev()),
      h('h2.campaign-name', c.name),
      h('p.campaign-days', big),
      h('p.small.muted', `${shortDay(c.starts_on)}—${shortDay(c.ends_on)} · ${due}`)),
    s.phase === 'running' && recordsActivities() ? h('a.btn.block.secondary', { href: `#/activities/new?campaign_id=${c.id}`, 'data-testid': 'record-activity' },
      t(session.user.role === 'officer' ? 'activity.record_own' : 'activity.record')) : null);
}

/** A box that shows the current campaign once known (nothing when there is none). */
export function campaignBanner() {
  const box = h('div');
  cachedGet('/api/v1/campaigns/current').then(({ data }) => {
    if (data && data.campaign) setChildren(box, campaignCard(data.campaign));
  }).catch(() => {});
  return box;
}
