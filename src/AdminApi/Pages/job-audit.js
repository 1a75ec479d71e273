// The job page's audit trail: who changed what and when, old → new.
import { $, el, replaceChildren, api, API, reportFailure, timeEl } from './admin.js';

export async function loadAudit(slug, timeZone) {
  const res = await api('GET', `${API}/audit?job=${encodeURIComponent(slug)}&limit=20`);
  const tbody = $('#audit tbody');
  if (!res.ok) {
    if (res.status === 403) { replaceChildren(tbody, el('tr', { class: 'empty-row' }, el('td', { colspan: 4, text: 'Your role cannot read the audit trail.' }))); return; }
    reportFailure(res, 'Could not load the audit trail');
    return;
  }
  const items = res.data.items || [];
  // What the audit retention keeps in bounds: the whole trail, every job (the history cleanup deletes rows past it).
  $('#audit-size').textContent = `The audit trail holds ${res.data.trailRows} row${res.data.trailRows === 1 ? '' : 's'} for all jobs; the history cleanup deletes rows past the audit retention (auditRetentionDays).`;
  if (!items.length) {
    replaceChildren(tbody, el('tr', { class: 'empty-row' }, el('td', { colspan: 4, text: 'No changes recorded.' })));
    return;
  }
  replaceChildren(tbody, items.map(a => el('tr', {},
    el('td', { class: 'nowrap' }, timeEl(a.at, timeZone, { short: true })),
    el('td', { text: a.actor }),
    el('td', {}, el('code', { text: a.action }), a.target ? el('span', { class: 'slug', text: a.target }) : null),
    el('td', {}, changeList(a.oldValues, a.newValues)))));
}

function show(value) {
  if (value === undefined) return '∅';
  if (value === null) return 'null';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function asObject(value) {
  if (value && typeof value === 'string') { try { return JSON.parse(value); } catch { return { value }; } }
  return value && typeof value === 'object' ? value : null;
}

/** Old → new of each field an audit row names. */
export function changeList(oldValues, newValues) {
  const before = asObject(oldValues), after = asObject(newValues);
  const keys = [...new Set([...Object.keys(before || {}), ...Object.keys(after || {})])];
  if (!keys.length) return el('span', { class: 'muted', text: '—' });
  return el('ul', { class: 'change-list' }, keys.map(k => {
    const li = el('li', {}, el('strong', { text: `${k}: ` }));
    if (before && k in before) li.append(el('span', { class: 'old', text: show(before[k]) }), ' → ');
    li.append(el('span', { class: 'new', text: after && k in after ? show(after[k]) : '∅' }));
    return li;
  }));
}
