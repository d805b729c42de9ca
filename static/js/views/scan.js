// QR scan: the back camera, BarcodeDetector where the browser has it, else jsQR on frames;
// typing the code by hand as a fallback. Offline, the token is looked up in the cached registry.
import { request } from '../api.js';
import { t } from '../i18n.js';
import { h, icon, field, input, showProblem, busy, append, setChildren } from '../ui.js';
import { navigate, setTitle, safeDecode } from '../router.js';
import { enterpriseByToken, rememberCard, rememberEnterprise } from '../registry-cache.js';

/** The token in what a QR code says: `<base>/e/<token>`, or a bare token typed by hand. */
function tokenFrom(text) {
  const s = String(text || '').trim();
  const m = s.match(/\/e\/([^/?#\s]+)/);
  if (m) return safeDecode(m[1]); // null for a malformed escape: not a code of ours
  return /^[A-Za-z0-9_-]{4,128}$/.test(s) ? s : null;
}

/** Resolve a token to an enterprise card, online or from the cached registry. */
async function resolveToken(token) {
  try {
    const { data } = await request('GET', `/api/v1/scan/${encodeURIComponent(token)}`, { timeout: 10000 });
    const ent = data.enterprise || data;
    await rememberCard(data);
    return { enterprise: ent, card: data, offline: false };
  } catch (err) {
    if (!err.offline && !(err.status >= 500)) throw err;
    const ent = await enterpriseByToken(token);
    if (!ent) throw err;
    return { enterprise: ent, card: null, offline: true };
  }
}

export async function render({ params, main }) {
  setTitle(t('scan.title'), { back: true });
  const token = params[0];
  if (token) return openToken(main, token);

  const video = h('video', { playsinline: true, muted: true, autoplay: true, 'aria-label': t('scan.camera') });
  const status = h('div.status', { role: 'status' }, t('scan.starting'));
  const box = h('div.scanner', video, h('div.frame', { 'aria-hidden': 'true' }), status);
  const manual = input('code', { autocomplete: 'off', autocapitalize: 'off', inputmode: 'url', placeholder: t('scan.manual_placeholder') });
  const go = h('button.btn.block.secondary', { type: 'submit' }, t('scan.open'));
  const form = h('form.card', { novalidate: true }, field(t('scan.manual'), manual, { hint: t('scan.manual_hint') }), go);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const tok = tokenFrom(manual.value);
    if (!tok) return showProblem(form, { problem: { detail: t('scan.bad_code'), errors: { code: [t('scan.bad_code')] } } });
    await busy(go, () => found(tok, form));
  });
  append(main, box, form);

  let stream = null; let stopped = false; let timer = null;
  const stop = () => {
    stopped = true; clearTimeout(timer);
    stream?.getTracks().forEach((tr) => tr.stop());
  };
  const found = async (tok, where) => {
    try {
      const r = await resolveToken(tok);
      stop();
      await rememberEnterprise(r.enterprise);
      navigate(`/enterprise/${r.enterprise.id}${r.offline ? '?offline=1' : ''}`);
    } catch (err) {
      if (err.status === 404) err.problem = { ...err.problem, detail: t('scan.unknown') };
      else if (err.offline) err.problem = { detail: t('scan.offline_unknown') };
      showProblem(where || form, err);
    }
  };

  (async () => {
    if (!navigator.mediaDevices?.getUserMedia) { status.textContent = t('scan.no_camera'); return; }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: false, video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } } });
    } catch (err) {
      status.textContent = err.name === 'NotAllowedError' ? t('scan.denied') : t('scan.no_camera');
      return;
    }
    if (stopped) { stream.getTracks().forEach((tr) => tr.stop()); return; }
    video.srcObject = stream;
    await video.play().catch(() => {});
    const decode = await makeDecoder();
    status.textContent = t('scan.aim');
    let busyDecode = false;
    const tick = async () => {
      if (stopped) return;
      if (!busyDecode && video.readyState >= 2) {
        busyDecode = true;
        try {
          const text = await decode(video);
          const tok = text && tokenFrom(text);
          if (tok) { status.textContent = t('scan.found'); navigator.vibrate?.(60); await found(tok); if (stopped) return; }
        } catch (err) { console.warn('decode', err); }
        busyDecode = false;
      }
      timer = setTimeout(tick, 180);
    };
    tick();
  })();
  return stop;
}

async function makeDecoder() {
  if ('BarcodeDetector' in window) {
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.includes('qr_code')) {
        const det = new window.BarcodeDetector({ formats: ['qr_code'] });
        return async (video) => (await det.detect(video))[0]?.rawValue || null;
      }
    } catch { /* fall through to jsQR */ }
  }
  await loadScript('/static/vendor/jsqr/jsQR.js');
  const canvas = document.createElement('canvas');
  const g = canvas.getContext('2d', { willReadFrequently: true });
  return async (video) => {
    const scale = Math.min(1, 640 / Math.max(video.videoWidth, video.videoHeight));
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    g.drawImage(video, 0, 0, canvas.width, canvas.height);
    const img = g.getImageData(0, 0, canvas.width, canvas.height);
    const code = window.jsQR(img.data, img.width, img.height, { inversionAttempts: 'attemptBoth' });
    return code ? code.data : null;
  };
}

function loadScript(src) {
  if (window.jsQR) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src; s.onload = resolve; s.onerror = reject;
    document.head.append(s);
  });
}

async function openToken(main, token) {
  append(main, h('div.empty', { 'aria-busy': 'true' }, icon('scan'), h('p', t('scan.opening'))));
  try {
    const r = await resolveToken(token);
    await rememberEnterprise(r.enterprise);
    navigate(`/enterprise/${r.enterprise.id}${r.offline ? '?offline=1' : ''}`, { replace: true });
  } catch (err) {
    setChildren(main, h('div.empty', { role: 'alert' }, icon('scan'),
      h('p', err.status === 404 ? t('scan.unknown') : (err.offline ? t('scan.offline_unknown') : `${t('common.load_failed')}: ${err.message}`)),
      h('a.btn.secondary.small', { href: '#/scan' }, t('scan.again'))));
  }
  return null;
}

