// /admin/audit: the audit trail across all jobs, filtered by job, who, action and period, a page at a time. The filters live in
// the address, so a filtered view can be bookmarked or sent.
import { $, el, replaceChildren, api, API, reportFailure, startPage, timeEl, jobHref } from './admin.js';
import { changeList } from './job-audit.js';

const PAGE = 50;
const FILTERS = ['job', 'actor', 'action', 'from', 'to'];
let offset = 0;

startPage(async () => {
  const form = $('#audit-filters');
  const params = new URLSearchParams(location.search);
  for (const name of FILTERS) {
    const value = params.get(name);
    if (value) form.elements[name].value = name === 'from' || name === 'to' ? toLocalInput(value) : value;
  }
  offset = Math.max(0, Number(params.get('offset')) || 0);
  form.addEventListener('submit', event => { event.preventDefault(); offset = 0; load(); });
  $('#clear-filters').addEventListener('click', () => { form.reset(); offset = 0; load(); });
  $('#prev-page').addEventListener('click', () => { offset = Math.max(0, offset - PAGE); load(); });
  $('#next-page').addEventListener('click', () => { offset += PAGE; load(); });
  await load();
});

/** The filters as query parameters; the period's local times as instants. */
function query() {
  const form = $('#audit-filters');
  const params = new URLSearchParams();
  for (const name of FILTERS) {
    const raw = form.elements[name].value.trim();
    if (!raw) continue;
    params.set(name, name === 'from' || name === 'to' ? new Date(raw).toISOString() : raw);
  }
  if (offset) params.set('offset', String(offset));
  return params;
}

async function load() {
  const params = query();
  history.replaceState(null, '', params.toString() ? `?${params}` : location.pathname);
  params.set('limit', String(PAGE));
  const res = await api('GET', `${API}/audit?${params}`);
  if (!res.ok) { reportFailure(res, 'Could not load the audit trail'); return; }
  const page = res.data;
  const items = page.items || [];
  $('#audit-count').textContent = `${page.trailRows} row${page.trailRows === 1 ? '' : 's'} in the whole trail`;
  $('#page-info').textContent = items.length ? `${offset + 1}–${offset + items.length}` : '';
  $('#prev-page').disabled = offset === 0;
  $('#next-page').disabled = !page.hasMore;
  const tbody = $('#audit tbody');
  if (!items.length) {
    replaceChildren(tbody, el('tr', { class: 'empty-row' }, el('td', { colspan: 6, text: 'No change matches these filters.' })));
    return;
  }
  replaceChildren(tbody, items.map(a => el('tr', {},
    el('td', { class: 'nowrap' }, timeEl(a.at, null, { short: true })),
    el('td', { text: a.actor }),
    el('td', {}, el('code', { text: a.action }), a.target ? el('span', { class: 'slug', text: a.target }) : null),
    el('td', {}, a.jobSlug ? el('a', { href: jobHref(a.jobSlug), text: a.jobSlug }) : el('span', { class: 'muted', text: '—' })),
    el('td', {}, changeList(a.oldValues, a.newValues)),
    el('td', {}, a.requestId ? el('code', { class: 'small', text: a.requestId }) : null))));
}

/** "2026-12-04T09:30:00Z" as a datetime-local value in this browser's zone. */
function toLocalInput(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = n => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
