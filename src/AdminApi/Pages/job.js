// /admin/cron/{slug}: one job — state and actions, execution history, performance, configuration editor, audit trail.
import {
  $, el, replaceChildren, api, API, reportFailure, problemText, showMessage, startPage, startEvents, activityTracker,
  canOperate, canAdmin, timeEl, formatDuration, formatNumber, statusBadge, stateBadges, scheduleWords,
  describeCron, slugFromPath, formatMb, debounce, formatLocal, jobHref, conditionWords,
} from './admin.js';
import { renderStats, renderChart } from './job-performance.js';
import { wireTrends } from './job-trends.js';
import { loadAudit } from './job-audit.js';
import { wireTold } from './job-alerts.js';
import { wireOneOffs, loadOneOffs, setJobZone } from './job-oneoff.js';
import { fetchPreview, renderPreview, fillZones } from './schedule-preview.js';
import { parameterFields, readParameters, showParameterErrors, clearParameterErrors } from './job-parameters.js';

const slug = slugFromPath();
const jobPath = `${API}/jobs/${encodeURIComponent(slug)}`;
const PAGE = 50;

let job = null;          // the latest JobView
let formVersion = null;  // the ETag the configuration form was filled from (sent as If-Match)
let page = { offset: 0, items: [], hasMore: false };
const expanded = new Set();      // execution ids whose details are open
const detailsCache = new Map();  // id -> ExecutionDetails of ended executions

startPage(async () => {
  document.title = `${slug} · Totallator Cron`;
  wireHistory();
  wireConfig();
  wireOneOffs(slug, () => loadAudit(slug, job ? job.timeZone : null));
  const ok = await loadJob();
  if (!ok) return;
  fillForm();
  await Promise.all([loadHistory(), loadAudit(slug, job ? job.timeZone : null), loadOneOffs(), wireTrends(slug), wireTold(slug)]);
  const track = activityTracker();
  let pending = false;
  startEvents(async activity => {
    const { slugs } = track(activity);
    if (!slugs.has(slug) || pending) return;
    pending = true;
    try {
      await loadJob();
      if (page.offset === 0) await loadHistory();
      await loadOneOffs();
    } finally {
      pending = false;
    }
  });
  setInterval(() => { if (!document.hidden) loadJob(); }, 60_000);
});

// ---------------------------------------------------------------------------------------------------------- job

async function loadJob() {
  const res = await api('GET', jobPath);
  if (!res.ok) {
    if (res.status === 404) {
      $('#job-name').textContent = `No job “${slug}”`;
      showMessage(problemText(res));
    } else {
      reportFailure(res, 'Could not load the job');
    }
    return false;
  }
  job = res.data;
  renderJob();
  setJobZone(job.timeZone);
  return true;
}

function renderJob() {
  document.title = `${job.name} · Totallator Cron`;
  $('#job-name').textContent = job.name;
  $('#job-description').textContent = job.description || '';
  replaceChildren($('#job-state'), stateBadges(job));
  if (job.invalidReason) $('#job-state').append(el('p', { class: 'field-error', text: `Invalid: ${job.invalidReason}` }));
  if (job.deletedAt) {
    $('#job-state').append(el('p', { id: 'deleted-note', class: 'deleted-note',
      text: `Deleted ${formatLocal(job.deletedAt)} by ${job.deletedBy}. It no longer runs; its history below is kept, and its slug stays taken.` }));
  }

  const actions = $('#job-actions');
  if (job.deletedAt) {
    actions.textContent = '';
  } else if (canOperate()) {
    if (!actions.firstChild) {
      actions.append(
        el('button', { type: 'button', id: 'run-now', class: 'primary', text: 'Run now' }),
        el('button', { type: 'button', id: 'toggle-enabled' }));
      $('#run-now').addEventListener('click', runNow);
      $('#toggle-enabled').addEventListener('click', toggleEnabled);
    }
    const toggle = $('#toggle-enabled');
    // Enabling a job its circuit breaker paused resumes it: the streak starts again from nothing.
    toggle.textContent = job.isEnabled ? 'Disable' : job.pausedReason ? 'Resume' : 'Enable';
    toggle.className = job.isEnabled ? 'danger' : '';
    toggle.dataset.enabled = String(job.isEnabled);
    if (job.deletable && canAdmin() && !$('#delete-job')) {
      actions.append(el('button', { type: 'button', id: 'delete-job', class: 'danger', text: 'Delete…' }));
      $('#delete-job').addEventListener('click', deleteJob);
    }
  }

  const breaker = $('#breaker-state');
  breaker.hidden = !job.pausedReason;
  breaker.textContent = job.pausedReason ? `Paused by its circuit breaker: ${job.pausedReason}` : '';

  const next = job.nextFireTimes && job.nextFireTimes[0];
  const nextNode = el('span', { id: 'next-run' });
  if (next) nextNode.append(timeEl(next, job.timeZone, { relative: true }));
  else nextNode.textContent = job.isEnabled ? 'not scheduled' : 'not scheduled (disabled)';
  const fact = (label, ...value) => el('div', {}, el('dt', { text: label }), el('dd', {}, ...value));
  replaceChildren($('#job-facts'),
    fact('Slug', el('code', { text: job.slug })),
    job.schedule
      ? fact('Schedule', el('span', { text: scheduleWords(job) }), ' ', el('code', { class: 'muted', text: job.schedule }),
        job.resolvedSchedule && job.resolvedSchedule !== job.schedule ? el('span', { class: 'slug', text: `resolved: ${job.resolvedSchedule}` }) : null,
        el('span', { class: 'slug', text: `from ${job.scheduleSource}` }))
      : fact('Schedule', el('span', { class: 'muted', text: 'none: runs only after its upstream jobs' })),
    job.upstreams && job.upstreams.length ? fact('Runs after', upstreamList(job)) : null,
    job.downstreams && job.downstreams.length ? fact('Runs before', el('ul', { id: 'downstreams', class: 'edges' },
      ...job.downstreams.map(d => el('li', {}, el('a', { href: jobHref(d.slug), text: d.slug }), el('span', { class: 'muted', text: ` runs when this job ${conditionWords(d.condition)}` }))))) : null,
    fact('Time zone', job.timeZone),
    fact('Next run', nextNode),
    fact('Last run', job.lastRun
      ? el('span', {}, statusBadge(job.lastRun.status), ' ', timeEl(job.lastRun.startedAt || job.lastRun.scheduledFor, job.timeZone, { short: true }),
        job.lastRun.status !== 'running' ? ` · ${formatDuration(job.lastRun.durationMs)}` : '')
      : el('span', { class: 'muted', text: 'never run' })),
    fact('Timeout', formatDuration(job.timeoutMs)),
    fact('Retries', String(job.maxRetries)),
    fact('Misfire policy', job.misfirePolicy.replace('_', ' ')),
    fact('Circuit breaker', job.pauseAfterFailures ? `pauses after ${job.pauseAfterFailures} failures in a row` : el('span', { class: 'muted', text: 'off' }),
      job.failureStreak ? el('span', { class: 'slug', text: `${job.failureStreak} failed in a row now` }) : null),
    job.jobType
      ? fact('Defined in', `the admin pages, from job type ${job.jobType}`, job.createdBy ? el('span', { class: 'slug', text: `created by ${job.createdBy}` }) : null)
      : fact('Defined in', job.source, job.overriddenFields && job.overriddenFields.length ? el('span', { class: 'slug', text: `admin overrides: ${job.overriddenFields.join(', ')}` }) : null),
    fact('Version', `${job.version} · ${formatLocal(job.updatedAt, true)}`, job.lastModifiedBy ? el('span', { class: 'slug', text: `by ${job.lastModifiedBy}` }) : null));

  const running = job.runningExecutionIds || [];
  $('#running-box').hidden = running.length === 0;
  replaceChildren($('#running-list'), running.map(id => el('li', {},
    statusBadge('running'), el('code', { class: 'small', text: id }),
    canOperate() ? el('button', { type: 'button', class: 'small danger', dataset: { action: 'cancel', executionId: id }, text: 'Cancel' }) : null)));

  renderStats(job);
  markStale();
}

/** The upstream edges: each linked, with its condition, whether it has signalled this job since its last dependency run, and why it is broken. */
function upstreamList(job) {
  const waiting = job.upstreams.filter(u => u.signalled === false).map(u => u.slug);
  return el('div', {},
    el('ul', { id: 'upstreams', class: 'edges' }, ...job.upstreams.map(u => el('li', { dataset: { slug: u.slug } },
      el('a', { href: jobHref(u.slug), text: u.slug }),
      el('span', { class: 'muted', text: ` ${conditionWords(u.condition)}` }),
      u.broken ? el('span', { class: 'badge status status-failed', title: 'This edge cannot signal the job', text: `broken: ${u.broken}` })
        : u.signalled === true ? el('span', { class: 'badge status status-succeeded', text: 'signalled' }) : null))),
    job.upstreams.length > 1 && waiting.length && waiting.length < job.upstreams.length
      ? el('p', { class: 'hint', id: 'waiting-for', text: `Waiting for ${waiting.join(', ')}: the job runs once every upstream has signalled it.` }) : null);
}

/** Deletes a job created from a job type, after the admin confirms; its history stays. */
async function deleteJob(event) {
  const button = event.currentTarget;
  const downstreams = (job.downstreams || []).map(d => d.slug);
  const warning = downstreams.length ? ` ${downstreams.join(', ')} run${downstreams.length === 1 ? 's' : ''} after it and will wait for it no more (the edge shows as broken).` : '';
  if (!window.confirm(`Delete job “${job.name}” (${job.slug})? It stops running and its pending one-off runs are cancelled; its history is kept and its slug cannot be used again.${warning}`)) return;
  button.disabled = true;
  try {
    const res = await api('DELETE', jobPath, { headers: { 'If-Match': `"${job.version}"` } });
    if (!res.ok) {
      reportFailure(res, res.status === 412 ? 'Not deleted: someone changed the job meanwhile; look again' : 'Not deleted');
      await loadJob();
      return;
    }
    job = res.data;
    renderJob();
    fillForm();
    showMessage(`Job ${job.slug} deleted. Its history is kept.`, 'info');
    await loadAudit(slug, job.timeZone);
  } finally {
    button.disabled = false;
  }
}

async function runNow(event) {
  const button = event.currentTarget;
  const running = job.runningExecutionIds && job.runningExecutionIds.length > 0;
  let override = false;
  if (running) {
    if (!confirm(`${job.name} is running now. Start another run anyway?`)) return;
    override = true;
  }
  button.disabled = true;
  try {
    let res = await api('POST', `${jobPath}/trigger`, { body: { override } });
    if (res.status === 409 && !override) {
      if (!confirm(`${problemText(res)}\n\nStart another run anyway?`)) return;
      res = await api('POST', `${jobPath}/trigger`, { body: { override: true } });
    }
    if (reportFailure(res, 'Could not start a run')) return;
    showMessage(`${job.name} triggered.`, 'success');
    await Promise.all([loadJob(), page.offset === 0 ? loadHistory() : null, loadAudit(slug, job ? job.timeZone : null)]);
  } finally {
    button.disabled = false;
  }
}

async function toggleEnabled(event) {
  const button = event.currentTarget;
  const action = job.isEnabled ? 'disable' : 'enable';
  button.disabled = true;
  try {
    const res = await api('POST', `${jobPath}/${action}`);
    if (reportFailure(res, `Could not ${action} the job`)) return;
    job = res.data;
    renderJob();
    showMessage(`${job.name} is ${job.isEnabled ? 'enabled' : 'disabled'}.`, 'success');
    loadAudit(slug, job ? job.timeZone : null);
  } finally {
    button.disabled = false;
    button.focus();
  }
}

async function cancelExecution(id, button) {
  if (!confirm('Cancel this execution?')) return;
  button.disabled = true;
  const res = await api('POST', `${API}/executions/${encodeURIComponent(id)}/cancel`);
  if (!reportFailure(res, 'Could not cancel')) showMessage('Cancellation requested.', 'success');
  button.disabled = false;
  await Promise.all([loadJob(), loadHistory(), loadAudit(slug, job ? job.timeZone : null)]);
}

document.addEventListener('click', event => {
  const button = event.target.closest('button[data-action="cancel"]');
  if (!button) return;
  event.stopPropagation();
  cancelExecution(button.dataset.executionId, button);
}, true);

// ------------------------------------------------------------------------------------------------------ history

function wireHistory() {
  $('#status-filter').addEventListener('change', () => { page.offset = 0; loadHistory(); });
  $('#trigger-filter').addEventListener('change', () => { page.offset = 0; loadHistory(); });
  for (const id of ['#history-from', '#history-to']) $(id).addEventListener('change', () => { page.offset = 0; loadHistory(); });
  $('#prev-page').addEventListener('click', () => { page.offset = Math.max(0, page.offset - PAGE); loadHistory(); });
  $('#next-page').addEventListener('click', () => { page.offset += PAGE; loadHistory(); });
  const tbody = $('#history tbody');
  tbody.addEventListener('click', event => {
    if (event.target.closest('.details-row') || event.target.closest('a')) return;
    const tr = event.target.closest('tr[data-execution-id]');
    if (tr) toggleDetails(tr.dataset.executionId);
  });
}

let historySeq = 0;

async function loadHistory() {
  const seq = ++historySeq;
  const params = new URLSearchParams({ offset: String(page.offset), limit: String(PAGE) });
  const status = $('#status-filter').value;
  const trigger = $('#trigger-filter').value;
  if (status) params.set('status', status);
  if (trigger) params.set('trigger', trigger);
  // The period in this browser's time, sent as instants.
  for (const [id, name] of [['#history-from', 'from'], ['#history-to', 'to']]) {
    const value = $(id).value;
    if (value && !Number.isNaN(new Date(value).getTime())) params.set(name, new Date(value).toISOString());
  }
  const res = await api('GET', `${jobPath}/executions?${params}`);
  if (seq !== historySeq) return;
  if (reportFailure(res, 'Could not load the history')) return;
  page = { offset: res.data.offset, items: res.data.items || [], hasMore: res.data.hasMore };
  renderHistory();
  renderChart(page.items);
}

/** Groups the page's rows by occurrence (attempt 0 first, retries after it), keeping the page's newest-first order of groups. */
function grouped(items) {
  const groups = new Map();
  for (const x of items) {
    if (!groups.has(x.occurrenceKey)) groups.set(x.occurrenceKey, []);
    groups.get(x.occurrenceKey).push(x);
  }
  return [...groups.values()].map(g => g.sort((a, b) => a.retryCount - b.retryCount));
}

function renderHistory() {
  const tbody = $('#history tbody');
  const zone = job ? job.timeZone : null;
  const fragment = document.createDocumentFragment();
  for (const group of grouped(page.items)) {
    group.forEach((x, i) => {
      const isRetry = x.retryCount > 0 && i > 0;
      const tr = el('tr', {
        class: [isRetry ? 'retry' : 'group-start', expanded.has(x.id) ? 'expanded' : ''].filter(Boolean).join(' '),
        dataset: { executionId: x.id, status: x.status, occurrence: x.occurrenceKey },
      });
      const toggle = el('button', { type: 'button', class: 'expander', 'aria-expanded': String(expanded.has(x.id)),
        'aria-label': `Details of the execution scheduled for ${formatLocal(x.scheduledFor)}`, text: expanded.has(x.id) ? '▾' : '▸' });
      toggle.addEventListener('click', event => { event.stopPropagation(); toggleDetails(x.id); });
      tr.append(
        el('td', { class: 'nowrap' }, toggle, isRetry ? el('span', { class: 'attempt muted', text: `retry ${x.retryCount} ` }) : null,
          timeEl(x.scheduledFor, zone, { short: true })),
        el('td', {}, statusBadge(x.status), x.retryCount > 0 && !isRetry ? el('span', { class: 'muted small', text: ` retry ${x.retryCount}` }) : null,
          x.statusReason ? el('span', { class: 'reason', text: x.statusReason }) : null,
          x.exitCode !== null && x.exitCode !== undefined ? el('span', { class: 'reason', text: `exit code ${x.exitCode}` }) : null),
        el('td', {}, x.triggeredBy.replace('_', ' '), x.triggeredByUserId ? el('span', { class: 'slug', text: x.triggeredByUserId }) : null),
        el('td', { class: 'nowrap' }, timeEl(x.startedAt, zone, { short: true })),
        el('td', { class: 'num', text: formatDuration(x.durationMs) }),
        el('td', { class: 'num', text: formatMb(x.memoryUsageMb) }),
        el('td', { class: 'num', text: x.cpuUsagePercent === null || x.cpuUsagePercent === undefined ? '—' : `${formatNumber(x.cpuUsagePercent, 1)} %` }),
        el('td', { class: 'num', text: x.itemsProcessed === null || x.itemsProcessed === undefined ? '—' : String(x.itemsProcessed) }),
        el('td', {}, canOperate() && (x.status === 'running' || x.status === 'claimed')
          ? el('button', { type: 'button', class: 'small danger', dataset: { action: 'cancel', executionId: x.id }, text: 'Cancel' })
          : null));
      fragment.append(tr);
      if (expanded.has(x.id)) fragment.append(detailsRow(x));
    });
  }
  if (!page.items.length) {
    fragment.append(el('tr', { class: 'empty-row' }, el('td', { colspan: 9, text: page.offset ? 'No more executions.' : 'No executions match.' })));
  }
  replaceChildren(tbody, fragment);
  $('#prev-page').disabled = page.offset === 0;
  $('#next-page').disabled = !page.hasMore;
  const from = page.items.length ? page.offset + 1 : page.offset;
  $('#page-info').textContent = `Rows ${from}–${page.offset + page.items.length}${page.hasMore ? ' (more)' : ''}`;
  $('#history-count').textContent = `${page.items.length} on this page`;
}

function toggleDetails(id) {
  if (expanded.has(id)) expanded.delete(id); else expanded.add(id);
  renderHistory();
  const toggle = document.querySelector(`#history tr[data-execution-id="${CSS.escape(id)}"] .expander`);
  if (toggle) toggle.focus();
}

function detailsRow(x) {
  const box = el('div', { class: 'execution-details' }, el('p', { class: 'muted', text: 'Loading…' }));
  const row = el('tr', { class: 'details-row' }, el('td', { colspan: 9 }, box));
  fillDetails(x, box);
  return row;
}

async function fillDetails(x, box) {
  let details = detailsCache.get(x.id);
  if (!details) {
    const res = await api('GET', `${API}/executions/${encodeURIComponent(x.id)}`);
    if (!res.ok) { replaceChildren(box, el('p', { class: 'field-error', text: problemText(res) })); return; }
    details = res.data;
    const ended = !['running', 'claimed'].includes(details.summary.status);
    if (ended) detailsCache.set(x.id, details);
  }
  const block = (title, cls, text) => [el('h3', { text: title }), el('pre', { class: cls, text: text || '(none)' })];
  const meta = [`Execution ${x.id}`, `occurrence ${x.occurrenceKey}`];
  if (x.completedAt) meta.push(`completed ${formatLocal(x.completedAt)}`);
  const chain = (title, id, links) => links && links.length ? el('p', { class: 'chain', id }, el('strong', { text: `${title}: ` }),
    ...links.flatMap((l, i) => [i ? ', ' : '', el('a', { href: jobHref(l.jobSlug), text: l.jobSlug }), ' ',
      l.executionId ? statusBadge(l.status) : el('span', { class: 'muted', text: 'waiting for its other upstreams' })])) : null;
  replaceChildren(box,
    el('p', { class: 'muted small', text: meta.join(' · ') }),
    chain('Ran after', 'upstream-runs', details.upstreamRuns),
    chain('Signalled', 'downstream-runs', details.downstreamRuns),
    block('Output', 'output', details.output),
    block('Error message', 'error', details.errorMessage),
    block('Stack trace', 'stack', details.stackTrace),
    details.metricsJson ? block('Metrics', 'metrics', prettyJson(details.metricsJson)) : null);
}

function prettyJson(text) {
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return text; }
}

// ------------------------------------------------------------------------------------------------ configuration

const FIELDS = ['schedule', 'timeZone', 'timeoutMs', 'maxRetries', 'misfirePolicy', 'after', 'name', 'description', 'pauseAfterFailures'];
let jobTypes = null; // the registered job types, read once for a job created from one

/** The job's upstreams as the form writes them: "extract, load:completion" (success is the default). */
function afterText(upstreams) {
  return (upstreams || []).map(u => u.condition === 'success' ? u.slug : `${u.slug}:${u.condition}`).join(', ');
}

/** The form's "Runs after" as API entries, in a stable order for comparing. */
function afterEntries(text) {
  return text.split(',').map(e => e.trim()).filter(Boolean);
}

function wireConfig() {
  const form = $('#config');
  fillZones($('#zones'));

  const preview = debounce(updatePreview, 300);
  form.elements.schedule.addEventListener('input', () => { clearFieldError('schedule'); updateWords(); preview(); });
  form.elements.timeZone.addEventListener('input', () => { clearFieldError('timeZone'); preview(); });
  form.elements.timeoutMs.addEventListener('input', () => { clearFieldError('timeoutMs'); updateWords(); });
  form.elements.maxRetries.addEventListener('input', () => clearFieldError('maxRetries'));
  form.elements.pauseAfterFailures.addEventListener('input', () => clearFieldError('pauseAfterFailures'));
  form.elements.after.addEventListener('input', () => { clearFieldError('after'); preview(); });
  form.elements.misfirePolicy.addEventListener('change', () => clearFieldError('misfirePolicy'));
  form.addEventListener('submit', save);
  $('#reset-config').addEventListener('click', async () => {
    if (await loadJob()) { fillForm(); setSaveMessage('', ''); }
  });
}

/** Fills the form from the current job and remembers its version for If-Match. */
function fillForm() {
  const form = $('#config');
  form.elements.schedule.value = job.schedule;
  form.elements.timeZone.value = job.timeZone;
  form.elements.timeoutMs.value = String(job.timeoutMs);
  form.elements.maxRetries.value = String(job.maxRetries);
  form.elements.pauseAfterFailures.value = String(job.pauseAfterFailures ?? 0);
  form.elements.misfirePolicy.value = job.misfirePolicy;
  form.elements.after.value = afterText(job.upstreams);
  form.elements.name.value = job.name;
  form.elements.description.value = job.description || '';
  for (const node of form.querySelectorAll('.api-only')) node.hidden = !job.jobType;
  formVersion = job.version;
  for (const f of FIELDS) clearFieldError(f);
  const admin = canAdmin() && !job.deletedAt;
  fillParameters(admin);
  for (const f of FIELDS) {
    const input = form.elements[f];
    if (input.tagName === 'SELECT') input.disabled = !admin; else input.readOnly = !admin;
  }
  $('#config-readonly').hidden = admin || !!job.deletedAt;
  if (!admin) {
    $('#save')?.remove();
    $('#reset-config')?.remove();
  }
  markStale();
  updateWords();
  updatePreview();
}

/** The parameter fields of a job created from a job type, built from its type's schema; secrets are never filled. */
async function fillParameters(editable) {
  const box = $('#cfg-parameters');
  if (!job.jobType) { box.textContent = ''; return; }
  if (jobTypes === null) {
    const res = await api('GET', `${API}/job-types`);
    jobTypes = res.ok ? res.data || [] : [];
  }
  const type = jobTypes.find(t => t.name === job.jobType);
  if (!type) {
    replaceChildren(box, el('p', { class: 'field-error', text: `Job type ${job.jobType} is not registered on the cluster: its parameters cannot be shown or edited.` }));
    return;
  }
  replaceChildren(box, parameterFields(type.parametersSchema, { values: job.parameters || {}, secrets: job.secretParameters || [], readOnly: !editable, idPrefix: 'cfg-param' }));
}

/** Tells an editing admin that the job changed since the form was filled (their save would get 412). */
function markStale() {
  const form = $('#config');
  let note = $('#stale-note');
  const stale = canAdmin() && formVersion !== null && job && job.version !== formVersion;
  if (!stale) { note?.remove(); return; }
  if (!note) {
    note = el('p', { id: 'stale-note', class: 'stale-note' });
    form.prepend(note);
  }
  note.textContent = `This job changed (version ${job.version}, by ${job.lastModifiedBy || 'someone'}) since this form was filled. Use “Reset form” to load the current values.`;
}

function updateWords() {
  const form = $('#config');
  const words = describeCron(form.elements.schedule.value.trim());
  $('#schedule-words').textContent = words ? `Runs ${words}.` : '';
  const ms = Number(form.elements.timeoutMs.value);
  $('#timeout-words').textContent = form.elements.timeoutMs.value && ms > 0 ? formatDuration(ms) : '';
}

let previewSeq = 0;

async function updatePreview() {
  const form = $('#config');
  const schedule = form.elements.schedule.value.trim();
  const timeZone = form.elements.timeZone.value.trim() || 'UTC';
  const seq = ++previewSeq;
  const list = $('#preview');
  $('#preview-zone').textContent = `in ${timeZone}`;
  if (!schedule) {
    // No schedule: the job runs only after the jobs in "Runs after", which must then name one.
    if (afterEntries(form.elements.after.value).length) clearFieldError('schedule');
    else setFieldError('schedule', 'A schedule is required unless the job runs after other jobs.');
    replaceChildren(list, el('li', { class: 'muted', text: 'No schedule of its own.' }));
    return;
  }
  const preview = await fetchPreview(schedule, timeZone);
  if (seq !== previewSeq) return; // a newer keystroke won
  clearFieldError('schedule');
  clearFieldError('timeZone');
  if (preview.errors) {
    for (const [field, text] of Object.entries(preview.errors)) if (text) setFieldError(field, text);
    replaceChildren(list);
    return;
  }
  updateWords();
  if (preview.resolvedSchedule && preview.resolvedSchedule !== schedule) $('#schedule-words').textContent += ` Resolved: ${preview.resolvedSchedule}`;
  renderPreview(list, preview.times);
}

function setFieldError(field, text) {
  const box = document.getElementById(`${field}-error`);
  if (box) box.textContent = text;
  const input = $('#config').elements[field];
  if (input) input.setAttribute('aria-invalid', 'true');
}

function clearFieldError(field) {
  const box = document.getElementById(`${field}-error`);
  if (box) box.textContent = '';
  const input = $('#config').elements[field];
  if (input) input.removeAttribute('aria-invalid');
}

/** An object with its keys in order, to compare parameters whatever order the form or the server wrote them in. */
function sorted(value) {
  return Object.fromEntries(Object.keys(value).sort().map(k => [k, value[k]]));
}

function setSaveMessage(text, kind) {
  const box = $('#save-message');
  box.textContent = text;
  box.className = kind;
}

async function save(event) {
  event.preventDefault();
  if (!canAdmin()) return;
  const form = $('#config');
  const button = $('#save');
  const patch = {};
  const schedule = form.elements.schedule.value.trim();
  const timeZone = form.elements.timeZone.value.trim();
  if (schedule !== job.schedule) patch.schedule = schedule;
  if (timeZone !== job.timeZone) patch.timeZone = timeZone;
  const numbers = { timeoutMs: form.elements.timeoutMs.value, maxRetries: form.elements.maxRetries.value, pauseAfterFailures: form.elements.pauseAfterFailures.value };
  for (const [field, raw] of Object.entries(numbers)) {
    const value = raw.trim() === '' ? NaN : Number(raw);
    if (!Number.isInteger(value)) { setFieldError(field, 'Enter a whole number.'); continue; }
    if (value !== (field === 'pauseAfterFailures' ? job.pauseAfterFailures ?? 0 : job[field])) patch[field] = value;
  }
  if (form.elements.misfirePolicy.value !== job.misfirePolicy) patch.misfirePolicy = form.elements.misfirePolicy.value;
  const parameterBox = $('#cfg-parameters fieldset');
  if (job.jobType) {
    for (const field of ['name', 'description']) {
      const value = form.elements[field].value.trim();
      if (value !== (job[field] || '')) patch[field] = value;
    }
    if (parameterBox) {
      clearParameterErrors(parameterBox);
      const parameters = readParameters(parameterBox);
      showParameterErrors(parameterBox, Object.fromEntries(Object.entries(parameters.errors).map(([k, v]) => [`parameters.${k}`, [v]])));
      const secretTyped = [...parameterBox.querySelectorAll('[data-secret]')].some(i => i.value !== '');
      if (secretTyped || JSON.stringify(sorted(parameters.value)) !== JSON.stringify(sorted(job.parameters || {}))) patch.parameters = parameters.value;
    }
  }
  const after = afterEntries(form.elements.after.value);
  if (after.join(', ') !== afterText(job.upstreams)) patch.after = after;
  if (form.querySelector('[aria-invalid="true"][name="timeoutMs"], [aria-invalid="true"][name="maxRetries"], [aria-invalid="true"][name="pauseAfterFailures"], [aria-invalid="true"][data-parameter]')) {
    setSaveMessage('Fix the fields marked in red.', 'bad');
    return;
  }
  if (!Object.keys(patch).length && formVersion === job.version) {
    setSaveMessage('Nothing changed.', '');
    return;
  }
  if (!Object.keys(patch).length) {
    setSaveMessage('Nothing changed in the form; the job itself changed since the form was filled. Use “Reset form”.', 'bad');
    return;
  }
  button.disabled = true;
  setSaveMessage('Saving…', '');
  try {
    const res = await api('PATCH', jobPath, { body: patch, headers: { 'If-Match': `"${formVersion}"` } });
    if (res.status === 412) {
      setSaveMessage('Someone else changed this job; reload to see their change.', 'bad');
      showMessage('Someone else changed this job; reload to see their change. Your edits were not saved.');
      loadJob(); // shows the stale note; keeps the form as typed
      return;
    }
    if (res.status === 400) {
      const errors = (res.data && res.data.errors) || {};
      const other = [];
      for (const [key, messages] of Object.entries(parameterBox ? showParameterErrors(parameterBox, errors) : errors)) {
        const field = FIELDS.find(f => f.toLowerCase() === key.toLowerCase());
        if (field) setFieldError(field, messages.join(' '));
        else other.push(`${key}: ${messages.join(' ')}`);
      }
      setSaveMessage(other.length ? other.join(' ') : (Object.keys(errors).length ? 'Not saved: fix the fields marked in red.' : problemText(res)), 'bad');
      return;
    }
    if (!res.ok) {
      setSaveMessage(`Not saved: ${problemText(res)}`, 'bad');
      reportFailure(res, 'Not saved');
      return;
    }
    job = res.data;
    renderJob();
    fillForm();
    const next = job.nextFireTimes && job.nextFireTimes[0];
    setSaveMessage(`Saved (version ${job.version}).${next ? ` Next run ${formatLocal(next)}.` : ''}`, 'ok');
    await Promise.all([loadJob().then(ok => { if (ok) formVersion = job.version; }), loadAudit(slug, job ? job.timeZone : null)]);
  } finally {
    button.disabled = false;
  }
}

