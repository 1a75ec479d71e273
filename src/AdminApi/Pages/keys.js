// /admin/keys: the API keys (admins only): list, create (the key shown once, with a copy button), revoke.
import { $, el, replaceChildren, api, API, reportFailure, problemText, showMessage, startPage, canAdmin, timeEl, fieldError } from './admin.js';

startPage(async () => {
  document.title = 'API keys · Totallator Cron';
  if (!canAdmin()) {
    replaceChildren($('#app'), el('p', { class: 'field-error', text: 'Only admins manage API keys.' }));
    return;
  }
  $('#key-form').addEventListener('submit', create);
  $('#key-form').elements.name.addEventListener('input', () => setError('name', ''));
  $('#copy-key').addEventListener('click', copy);
  $('#keys tbody').addEventListener('click', event => {
    const button = event.target.closest('button[data-action="revoke"]');
    if (button) revoke(button);
  });
  await load();
});

async function load() {
  const res = await api('GET', `${API}/keys`);
  if (!res.ok) { reportFailure(res, 'Could not load the keys'); return; }
  const keys = [...(res.data || [])].sort((a, b) => Number(!!a.revokedAt) - Number(!!b.revokedAt) || a.name.localeCompare(b.name));
  const tbody = $('#keys tbody');
  if (!keys.length) { replaceChildren(tbody, el('tr', { class: 'empty-row' }, el('td', { colspan: 7, text: 'No keys yet.' }))); return; }
  replaceChildren(tbody, keys.map(k => el('tr', { dataset: { id: k.id, name: k.name } },
    el('td', { text: k.name }),
    el('td', {}, el('span', { class: `badge role role-${k.role}`, text: k.role })),
    el('td', {}, el('code', { text: `${k.prefix}…` })),
    el('td', {}, timeEl(k.createdAt, null, { short: true }), el('span', { class: 'slug', text: `by ${k.createdBy}` })),
    el('td', { dataset: { col: 'last-used' } }, k.lastUsedAt ? timeEl(k.lastUsedAt, null, { short: true, relative: true }) : el('span', { class: 'muted', text: 'never' })),
    el('td', {}, k.revokedAt
      ? el('span', {}, el('span', { class: 'badge state state-disabled', text: 'revoked' }), ' ', timeEl(k.revokedAt, null, { short: true }), el('span', { class: 'slug', text: `by ${k.revokedBy}` }))
      : el('span', { class: 'badge state state-enabled', text: 'active' })),
    el('td', {}, k.revokedAt ? null : el('button', { type: 'button', class: 'small danger', dataset: { action: 'revoke' }, text: 'Revoke…' })))));
}

async function create(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const name = form.elements.name.value.trim();
  if (!name) { setError('name', 'Give the key a name: who or what will use it.'); return; }
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    const res = await api('POST', `${API}/keys`, { body: { name, role: form.elements.role.value } });
    if (!res.ok) {
      const errors = (res.data && res.data.errors) || {};
      if (errors.name || errors.role) {
        setError('name', (errors.name || []).join(' '));
        setError('role', (errors.role || []).join(' '));
      } else {
        reportFailure(res, 'Not created');
      }
      return;
    }
    form.reset();
    $('#new-key-value').textContent = res.data.key;
    $('#copy-state').textContent = '';
    $('#new-key').hidden = false;
    await load();
  } finally {
    button.disabled = false;
  }
}

async function copy() {
  try {
    await navigator.clipboard.writeText($('#new-key-value').textContent);
    $('#copy-state').textContent = 'Copied.';
  } catch {
    // No clipboard (an insecure origin, a denied permission): select the text for a manual copy.
    const range = document.createRange();
    range.selectNodeContents($('#new-key-value'));
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    $('#copy-state').textContent = 'Selected: press Ctrl+C (⌘C) to copy.';
  }
}

async function revoke(button) {
  const row = button.closest('tr');
  if (!window.confirm(`Revoke the key “${row.dataset.name}”? Whatever uses it stops working within seconds; this cannot be undone.`)) return;
  button.disabled = true;
  const res = await api('DELETE', `${API}/keys/${encodeURIComponent(row.dataset.id)}`);
  if (!res.ok && res.status !== 404) { reportFailure(res, 'Not revoked'); button.disabled = false; return; }
  if (res.status === 404) showMessage(problemText(res), 'info');
  await load();
}

function setError(field, text) {
  fieldError($('#key-form'), `key-${field}-error`, field, text);
}
