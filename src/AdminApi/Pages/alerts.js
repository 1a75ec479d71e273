// /admin/alerts: alert rules (admins make, change, test and delete the rules made here) and the delivery log.
import { $, el, replaceChildren, api, API, reportFailure, problemText, showMessage, startPage, canAdmin, timeEl, fieldError, jobHref, debounce } from './admin.js';

const FIELDS = ['name', 'jobSlug', 'events', 'expectSuccessWithin', 'repeatEvery', 'channel', 'url', 'secret'];
let rules = [];

startPage(async () => {
  document.title = 'Alerts · Totallator Cron';
  $('#rule-editor').hidden = !canAdmin();
  const form = $('#rule-form');
  form.addEventListener('submit', save);
  $('#rule-cancel').addEventListener('click', () => resetForm());
  for (const name of FIELDS) {
    for (const input of form.querySelectorAll(`[name="${name}"]`)) input.addEventListener('input', () => setError(name, ''));
  }
  $('#rules tbody').addEventListener('click', event => {
    const button = event.target.closest('button[data-action]');
    if (!button) return;
    const rule = rules.find(r => r.name === button.closest('tr').dataset.name);
    if (button.dataset.action === 'edit') edit(rule);
    if (button.dataset.action === 'test') test(rule, button);
    if (button.dataset.action === 'delete') remove(rule, button);
  });
  const filters = $('#delivery-filters');
  const params = new URLSearchParams(location.search);
  for (const name of ['rule', 'job', 'status']) if (params.get(name)) filters.elements[name].value = params.get(name);
  filters.addEventListener('input', debounce(() => { keepFiltersInUrl(); loadDeliveries(); }, 250));
  await loadRules();
  await loadDeliveries();
  setInterval(loadDeliveries, 5000);
});

async function loadRules() {
  const res = await api('GET', `${API}/alerts/rules`);
  if (!res.ok) { reportFailure(res, 'Could not load the alert rules'); return; }
  rules = res.data || [];
  const select = $('#filter-rule');
  const chosen = select.value || new URLSearchParams(location.search).get('rule') || '';
  replaceChildren(select, el('option', { value: '', text: 'all' }), ...rules.map(r => el('option', { value: r.name, text: r.name })));
  select.value = chosen;
  const tbody = $('#rules tbody');
  if (!rules.length) {
    replaceChildren(tbody, el('tr', { class: 'empty-row' }, el('td', { colspan: 7, text: 'No rules yet: nobody is told when a job fails.' })));
    return;
  }
  replaceChildren(tbody, rules.map(r => el('tr', { dataset: { name: r.name } },
    el('td', {}, el('strong', { text: r.name }), el('span', { class: 'slug', text: r.source === 'configuration' ? 'from configuration' : `by ${r.updatedBy}` })),
    el('td', {}, r.jobSlug ? el('a', { href: jobHref(r.jobSlug), text: r.jobSlug }) : el('span', { class: 'muted', text: 'every job' })),
    el('td', { text: r.events.join(', ') + (r.expectSuccessWithin ? ` (within ${r.expectSuccessWithin})` : '') }),
    el('td', {}, el('span', { text: `${r.channel} → ${r.destination}` }), r.hasSecret ? el('span', { class: 'slug', text: 'signed' }) : null),
    el('td', { text: r.repeatEvery }),
    el('td', {}, el('span', { class: `badge state ${r.isEnabled ? 'state-enabled' : 'state-disabled'}`, text: r.isEnabled ? 'enabled' : 'disabled' })),
    el('td', {}, canAdmin() ? [
      el('button', { type: 'button', class: 'small', dataset: { action: 'test' }, text: 'Send test' }), ' ',
      r.source === 'api' ? el('button', { type: 'button', class: 'small', dataset: { action: 'edit' }, text: 'Edit' }) : null, ' ',
      r.source === 'api' ? el('button', { type: 'button', class: 'small danger', dataset: { action: 'delete' }, text: 'Delete…' }) : null,
    ] : null))));
}

async function loadDeliveries() {
  const filters = $('#delivery-filters').elements;
  const query = new URLSearchParams({ limit: '100' });
  for (const name of ['rule', 'job', 'status']) if (filters[name].value.trim()) query.set(name, filters[name].value.trim());
  const res = await api('GET', `${API}/alerts/deliveries?${query}`);
  if (!res.ok) { reportFailure(res, 'Could not load the delivery log'); return; }
  const tbody = $('#deliveries tbody');
  const items = res.data || [];
  if (!items.length) { replaceChildren(tbody, el('tr', { class: 'empty-row' }, el('td', { colspan: 7, text: 'No messages.' }))); return; }
  replaceChildren(tbody, items.map(d => el('tr', { dataset: { id: d.id, status: d.status } },
    el('td', {}, timeEl(d.createdAt, null, { short: true, relative: true })),
    el('td', { text: d.rule }),
    el('td', {}, d.jobSlug ? el('a', { href: jobHref(d.jobSlug), text: d.jobSlug }) : el('span', { class: 'muted', text: '—' })),
    el('td', {}, el('span', { class: 'badge', text: d.kind }), ' ', el('span', { text: d.summary || '' })),
    el('td', {}, el('span', { class: `badge delivery delivery-${d.status}`, text: d.status.replace('_', ' ') }),
      d.status === 'pending' && d.nextAttemptAt ? el('span', { class: 'slug' }, 'next ', timeEl(d.nextAttemptAt, null, { short: true, relative: true })) : null,
      d.sentAt ? el('span', { class: 'slug' }, 'sent ', timeEl(d.sentAt, null, { short: true })) : null),
    el('td', { text: String(d.attempts) }),
    el('td', { text: [d.lastResponseCode, d.lastError].filter(x => x !== null && x !== undefined).join(' · ') || '—' }))));
}

function keepFiltersInUrl() {
  const filters = $('#delivery-filters').elements;
  const params = new URLSearchParams();
  for (const name of ['rule', 'job', 'status']) if (filters[name].value.trim()) params.set(name, filters[name].value.trim());
  history.replaceState(null, '', params.size ? `?${params}` : location.pathname);
}

function edit(rule) {
  const form = $('#rule-form');
  resetForm();
  form.elements.name.value = rule.name;
  form.elements.name.readOnly = true;
  form.elements.version.value = String(rule.version);
  form.elements.jobSlug.value = rule.jobSlug || '';
  for (const box of form.querySelectorAll('[name="events"]')) box.checked = rule.events.includes(box.value);
  form.elements.expectSuccessWithin.value = rule.expectSuccessWithin || '';
  form.elements.repeatEvery.value = rule.repeatEvery;
  form.elements.channel.value = rule.channel;
  form.elements.url.placeholder = `${rule.destination} (kept; type a new URL to replace it)`;
  form.elements.secret.placeholder = rule.hasSecret ? '(kept; type a new one to replace it)' : '';
  form.elements.isEnabled.checked = rule.isEnabled;
  $('#rule-editor-title').textContent = `Edit rule ${rule.name}`;
  $('#rule-save').textContent = 'Save rule';
  $('#rule-editor').open = true;
  form.elements.jobSlug.focus();
}

function resetForm() {
  const form = $('#rule-form');
  form.reset();
  form.elements.name.readOnly = false;
  form.elements.version.value = '';
  form.elements.url.placeholder = 'https://…';
  form.elements.secret.placeholder = '';
  for (const name of FIELDS) setError(name, '');
  $('#rule-editor-title').textContent = 'New rule';
  $('#rule-save').textContent = 'Create rule';
}

async function save(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const editing = form.elements.version.value !== '';
  const text = name => form.elements[name].value.trim();
  const body = {
    name: text('name'), jobSlug: text('jobSlug') || null,
    events: [...form.querySelectorAll('[name="events"]:checked')].map(b => b.value),
    channel: form.elements.channel.value, expectSuccessWithin: text('expectSuccessWithin') || null, repeatEvery: text('repeatEvery') || null,
    url: text('url') || null, secret: form.elements.secret.value === '' ? null : form.elements.secret.value, isEnabled: form.elements.isEnabled.checked,
  };
  if (editing) body.expectedVersion = Number(form.elements.version.value);
  if (!editing && !body.url) { setError('url', 'Where should the messages go? Give the webhook URL.'); return; }
  const button = $('#rule-save');
  button.disabled = true;
  try {
    const res = editing
      ? await api('PUT', `${API}/alerts/rules/${encodeURIComponent(body.name)}`, { body })
      : await api('POST', `${API}/alerts/rules`, { body });
    if (!res.ok) {
      const errors = (res.data && res.data.errors) || {};
      const known = FIELDS.filter(f => errors[f]);
      for (const f of known) setError(f, errors[f].join(' '));
      if (!known.length) reportFailure(res, editing ? 'Not saved' : 'Not created');
      return;
    }
    showMessage(`Rule ${res.data.name} ${editing ? 'saved' : 'created'}.`, 'info');
    resetForm();
    $('#rule-editor').open = false;
    await loadRules();
  } finally {
    button.disabled = false;
  }
}

async function test(rule, button) {
  button.disabled = true;
  const res = await api('POST', `${API}/alerts/rules/${encodeURIComponent(rule.name)}/test`);
  button.disabled = false;
  if (!res.ok) { reportFailure(res, 'Test not sent'); return; }
  showMessage(`Test message queued for ${rule.name}; the delivery log below shows how it went.`, 'info');
  await loadDeliveries();
}

async function remove(rule, button) {
  if (!window.confirm(`Delete the rule “${rule.name}” and its delivery log? Nobody it tells will be told any more.`)) return;
  button.disabled = true;
  const res = await api('DELETE', `${API}/alerts/rules/${encodeURIComponent(rule.name)}`);
  if (!res.ok && res.status !== 404) { reportFailure(res, 'Not deleted'); button.disabled = false; return; }
  if (res.status === 404) showMessage(problemText(res), 'info');
  await loadRules();
  await loadDeliveries();
}

function setError(field, text) {
  fieldError($('#rule-form'), `rule-${field}-error`, field, text);
}
