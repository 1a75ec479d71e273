// The job page's "Scheduled runs": one-off runs pending for this job, cancel buttons, and the form to schedule one (operators).
import { $, el, replaceChildren, api, API, reportFailure, problemText, showMessage, canOperate, timeEl, formatLocal } from './admin.js';

let jobPath = '';
let zoneOfJob = 'UTC';
let onChange = () => {};

/** Wires the section; <paramref name="changed"/> runs after a schedule or a cancel (to refresh the audit trail). */
export function wireOneOffs(slug, changed) {
  jobPath = `${API}/jobs/${encodeURIComponent(slug)}`;
  onChange = changed;
  const form = $('#oneoff-form');
  if (!canOperate()) {
    form.remove();
    return;
  }
  form.addEventListener('submit', schedule);
  for (const name of ['at', 'timeZone', 'note']) form.elements[name].addEventListener('input', () => setError(name, ''));
  $('#oneoff-list').addEventListener('click', cancel);
}

/** Sets the form's default zone to the job's (until the operator changes it). */
export function setJobZone(zone) {
  zoneOfJob = zone || 'UTC';
  const input = $('#oneoff-form')?.elements.timeZone;
  if (input && !input.value) input.value = zoneOfJob;
}

export async function loadOneOffs() {
  const res = await api('GET', `${jobPath}/runs`);
  if (!res.ok) { reportFailure(res, 'Could not load the scheduled runs'); return; }
  const runs = res.data || [];
  $('#oneoff-empty').hidden = runs.length > 0;
  replaceChildren($('#oneoff-list'), runs.map(r => el('li', { dataset: { id: r.id } },
    timeEl(r.runAt, r.timeZone, { relative: true }),
    el('span', { class: 'muted', text: ` ${wallTime(r.runAt)} ${r.timeZone} · by ${r.createdBy}` }),
    r.note ? el('span', { class: 'note', text: ` · ${r.note}` }) : null,
    canOperate() ? el('button', { type: 'button', class: 'small danger', dataset: { action: 'cancel-run', id: r.id }, text: 'Cancel' }) : null)));
}

/** The wall-clock time of an ISO instant as written (its own offset), e.g. 2026-12-24 09:00. */
function wallTime(iso) {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]}` : iso;
}

function setError(field, text) {
  const node = $(`#oneoff-${field}-error`);
  if (node) node.textContent = text;
  const input = $('#oneoff-form').elements[field];
  if (input) input.setAttribute('aria-invalid', text ? 'true' : 'false');
}

async function schedule(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const at = form.elements.at.value.trim();
  const timeZone = form.elements.timeZone.value.trim() || zoneOfJob;
  const note = form.elements.note.value.trim();
  if (!at) { setError('at', 'Pick the date and time to run at.'); return; }
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    const res = await api('POST', `${jobPath}/runs`, { body: { at, timeZone, note: note || null } });
    if (res.status === 400) {
      const errors = (res.data && res.data.errors) || {};
      let shown = false;
      for (const [key, messages] of Object.entries(errors)) {
        const field = ['at', 'timeZone', 'note'].find(f => f.toLowerCase() === key.toLowerCase());
        if (field) { setError(field, messages.join(' ')); shown = true; }
      }
      if (!shown) showMessage(problemText(res));
      return;
    }
    if (reportFailure(res, 'Could not schedule the run')) return;
    showMessage(`Run scheduled for ${formatLocal(res.data.runAt)}.`, 'success');
    form.elements.at.value = '';
    form.elements.note.value = '';
    await Promise.all([loadOneOffs(), onChange()]);
  } finally {
    button.disabled = false;
  }
}

async function cancel(event) {
  const button = event.target.closest('button[data-action="cancel-run"]');
  if (!button) return;
  if (!confirm('Cancel this scheduled run?')) return;
  button.disabled = true;
  const res = await api('DELETE', `${jobPath}/runs/${encodeURIComponent(button.dataset.id)}`);
  if (res.status === 409) showMessage(problemText(res));
  else if (reportFailure(res, 'Could not cancel the run')) { button.disabled = false; return; }
  else showMessage('Scheduled run cancelled.', 'success');
  await Promise.all([loadOneOffs(), onChange()]);
}
