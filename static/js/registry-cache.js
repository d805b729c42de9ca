// The registry kept on this phone for offline work: the enterprises of my communities (offline
// QR scans), the last card seen of each enterprise, and the enterprises opened recently.
import { listAll } from './api.js';
import { cacheGet, cachePut, getMeta, setMeta } from './db.js';

let registryInFlight = null;

/** Download the registry of my communities for offline scans (inspectors, supervisors). */
export function refreshRegistry() {
  if (!registryInFlight) {
    registryInFlight = (async () => {
      const items = await listAll('/api/v1/enterprises');
      await cachePut('registry', items);
      return items;
    })().finally(() => { registryInFlight = null; });
  }
  return registryInFlight;
}

/** The stored registry: {items, at} (at: when it was downloaded; null: never). */
export async function cachedRegistry() {
  const hit = await cacheGet('registry');
  return hit ? { items: hit.data || [], at: hit.at } : { items: [], at: null };
}

/** The enterprise whose QR code carries `token`, from the stored registry (or null). */
export async function enterpriseByToken(token) {
  const { items } = await cachedRegistry();
  return items.find((e) => e.qr_token === token) || null;
}

/** Keep the card a scan answered (GET /api/v1/scan/{token}) for offline opening. */
export async function rememberCard(card) {
  const ent = card.enterprise || card;
  await cachePut(`card:${ent.id}`, card);
}

/** The last card stored of an enterprise: {data, at}, or null. */
export async function cachedCard(enterpriseId) {
  const hit = await cacheGet(`card:${enterpriseId}`);
  return hit ? { data: hit.data, at: hit.at } : null;
}

/** Put an enterprise first in the recently opened list (the inspector's home shows it). */
export async function rememberEnterprise(e) {
  if (!e || !e.id) return;
  const recent = (await recentEnterprises()).filter((x) => x.id !== e.id);
  recent.unshift({ id: e.id, name: e.name, address: e.address, risk_level: e.risk_level, credit_code: e.credit_code });
  await setMeta('recent_enterprises', recent.slice(0, 12));
}

export async function recentEnterprises() {
  return (await getMeta('recent_enterprises', [])) || [];
}
