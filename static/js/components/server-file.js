// A link to a file only the server makes (整改通知书 and other PDFs, ledgers): offline it says it
// needs a connection (the page's `offline` class shows its hint) and a tap opens nothing but a
// toast in the reader's language, never the browser's own offline page.
import { t } from '../i18n.js';
import { h, toast } from '../ui.js';

/** h(tag, attrs, ...children) for such a link. */
export function serverFile(tag, attrs, ...children) {
  const link = h(`${tag}.needs-network`, { ...attrs, 'data-offline-hint': t('common.needs_network_short') }, ...children);
  link.addEventListener('click', (ev) => {
    if (navigator.onLine) return;
    ev.preventDefault();
    toast(t('common.needs_network'), { error: true });
  });
  return link;
}
