// /admin/settings: the global settings (viewers read, admins change): the cluster-wide pause, retention, defaults for new jobs.
import { $, api, API, reportFailure, problemText, showMessage, startPage, canAdmin, formatLocal, refreshPauseBanner, fieldError } from './admin.js';
import { fillZones } from './schedule-preview.js';

const FIELDS = ['historyRetentionDays', 'auditRetentionDays', 'defaultTimeZone', 'defaultTimeoutMs', 'defaultMaxRetries', 'defaultMisfirePolicy'];
const NUMBERS = new Set(['historyRetentionDays', 'auditRetentionDays', 'defaultTimeoutMs', 'defaultMaxRetries']);
let settings = null;

startPage(async () => {
  fillZones($('#set-zones'));
  const form = $('#settings');
  form.addEventListener('submit', save);
  for (const field of FIELDS) form.elements[field].addEventListener('input', () => setError(field, ''));
  $('#toggle-pause').addEventListener('click', togglePause);
  await load();
  if (canAdmin()) wireCleanup();
});

// ------------------------------------------------------------------------------------------------ history cleanup

let preview = null; // the last preview, which "Delete now" confirms against

function wireCleanup() {
  $('#cleanup-section').hidden = false;
  const form = $('#cleanup-form');
  form.elements.olderThanDays.value = String(settings.historyRetentionDays);
  form.elements.olderThanDays.addEventListener('input', () => {
    preview = null;
    $('#run-cleanup').disabled = true;
    $('#cleanup-days-error').textContent = '';
  });
  form.addEventListener('submit', async event => { event.preventDefault(); await previewCleanup(); });
  $('#run-cleanup').addEventListener('click', runCleanup);
}

async function previewCleanup() {
  const days = $('#cleanup-form').elements.olderThanDays.value.trim();
  const res = await api('GET', `${API}/executions/cleanup?olderThanDays=${encodeURIComponent(days)}`);
  if (!res.ok) {
    const errors = (res.data && res.data.errors) || {};
    $('#cleanup-days-error').textContent = (errors.olderThanDays || [problemText(res)]).join(' ');
    return;
  }
  preview = res.data;
  $('#cleanup-result').textContent = `Would delete ${preview.executions} execution${preview.executions === 1 ? '' : 's'} that ended before ${formatLocal(preview.cutoff)}`
    + (preview.auditRows ? `, and ${preview.auditRows} audit row${preview.auditRows === 1 ? '' : 's'} past the audit retention (${preview.auditRetentionDays} days).` : '.');
  $('#run-cleanup').disabled = false;
}

async function runCleanup(event) {
  const button = event.currentTarget;
  if (!preview || !window.confirm(`Delete about ${preview.executions} executions that ended more than ${preview.olderThanDays} days ago? This cannot be undone.`)) return;
  button.disabled = true;
  const res = await api('POST', `${API}/executions/cleanup`, { body: { olderThanDays: preview.olderThanDays } });
  if (!res.ok) { reportFailure(res, 'Not cleaned up'); button.disabled = false; return; }
  $('#cleanup-result').textContent = `Deleted ${res.data.deleted} execution${res.data.deleted === 1 ? '' : 's'} and ${res.data.auditDeleted} audit row${res.data.auditDeleted === 1 ? '' : 's'}.`;
  preview = null;
}

async function load() {
  const res = await api('GET', `${API}/config`);
  if (!res.ok) { reportFailure(res, 'Could not load the settings'); return; }
  settings = res.data;
  const form = $('#settings');
  for (const field of FIELDS) {
    form.elements[field].value = String(settings[field]);
    setError(field, '');
  }
  const admin = canAdmin();
  $('#settings-readonly').hidden = admin;
  for (const field of FIELDS) {
    const input = form.elements[field];
    if (input.tagName === 'SELECT') input.disabled = !admin; else input.readOnly = !admin;
  }
  $('#save-settings').hidden = !admin;
  $('#toggle-pause').hidden = !admin;
  $('#pause-state').textContent = settings.schedulingPaused
    ? 'Scheduling is paused: no job runs on its schedule.'
    : 'Scheduling runs: every enabled job fires on its schedule.';
  $('#pause-state').className = `pause-state ${settings.schedulingPaused ? 'paused' : 'running'}`;
  const toggle = $('#toggle-pause');
  toggle.textContent = settings.schedulingPaused ? 'Resume scheduling' : 'Pause scheduling…';
  toggle.className = settings.schedulingPaused ? 'primary' : 'danger';
  $('#settings-updated').textContent = settings.updatedAt ? `Last changed ${formatLocal(settings.updatedAt)} by ${settings.updatedBy}.` : '';
}

async function togglePause(event) {
  const button = event.currentTarget; // null once the handler awaits
  const pausing = !settings.schedulingPaused;
  if (pausing && !window.confirm('Pause scheduling for every job in the cluster? Due occurrences are recorded skipped until you resume.')) return;
  button.disabled = true;
  try {
    const res = await api('PUT', `${API}/config`, { body: { schedulingPaused: pausing } });
    if (!res.ok) { reportFailure(res, pausing ? 'Not paused' : 'Not resumed'); return; }
    showMessage(pausing ? 'Scheduling paused cluster-wide.' : 'Scheduling resumed.', 'success');
    await load();
    await refreshPauseBanner();
  } finally {
    button.disabled = false;
  }
}

async function save(event) {
  event.preventDefault();
  if (!canAdmin()) return;
  const form = $('#settings');
  const change = {};
  for (const field of FIELDS) {
    const raw = form.elements[field].value.trim();
    if (NUMBERS.has(field)) {
      const value = raw === '' ? NaN : Number(raw);
      if (!Number.isInteger(value)) { setError(field, 'Enter a whole number.'); continue; }
      if (value !== settings[field]) change[field] = value;
    } else if (raw !== settings[field]) {
      change[field] = raw;
    }
  }
  if (form.querySelector('[aria-invalid="true"]')) { setMessage('Fix the fields marked in red.', 'bad'); return; }
  if (!Object.keys(change).length) { setMessage('Nothing changed.', ''); return; }
  const res = await api('PUT', `${API}/config`, { body: change });
  if (res.status === 400) {
    const errors = (res.data && res.data.errors) || {};
    const other = [];
    for (const [key, messages] of Object.entries(errors)) {
      const field = FIELDS.find(f => f.toLowerCase() === key.toLowerCase());
      if (field) setError(field, messages.join(' ')); else other.push(messages.join(' '));
    }
    setMessage(other.length ? other.join(' ') : 'Not saved: fix the fields marked in red.', 'bad');
    return;
  }
  if (!res.ok) { setMessage(`Not saved: ${problemText(res)}`, 'bad'); return; }
  await load();
  setMessage(`Saved: ${Object.keys(change).join(', ')}.`, 'ok');
}

function setError(field, text) {
  fieldError($('#settings'), `set-${field}-error`, field, text);
}

function setMessage(text, kind) {
  const box = $('#settings-message');
  box.textContent = text;
  box.className = kind;
}
