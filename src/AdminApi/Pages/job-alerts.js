// The job page's "Who was told": the latest alert messages about the job (the delivery log, filtered to it).
import { $, el, replaceChildren, api, API, timeEl } from './admin.js';

const REFRESH_MS = 15000;

export async function wireTold(slug) {
  $('#told-link').href = `/admin/alerts?job=${encodeURIComponent(slug)}`;
  await loadTold(slug);
  setInterval(() => { if (document.visibilityState === 'visible') loadTold(slug); }, REFRESH_MS);
}

async function loadTold(slug) {
  const res = await api('GET', `${API}/alerts/deliveries?job=${encodeURIComponent(slug)}&limit=10`);
  const list = $('#told');
  if (!res.ok) {
    replaceChildren(list, el('li', { class: 'muted', text: 'The delivery log could not be read.' }));
    return;
  }
  const items = res.data || [];
  if (!items.length) {
    replaceChildren(list, el('li', { class: 'muted', text: 'Nobody was told anything about this job (no rule covers it, or nothing went wrong).' }));
    return;
  }
  replaceChildren(list, items.map(d => el('li', { dataset: { status: d.status, kind: d.kind } },
    timeEl(d.createdAt, null, { short: true, relative: true }), ' ',
    el('span', { class: `badge delivery delivery-${d.status}`, text: d.status.replace('_', ' ') }), ' ',
    el('span', { class: 'badge', text: d.kind }), ' ',
    el('strong', { text: d.rule }), ': ',
    el('span', { text: d.summary || '' }),
    d.status !== 'sent' && d.lastError ? el('span', { class: 'slug', text: `last try: ${d.lastError}` }) : null)));
}
