// /admin/cron: every job in a sortable, filterable table, updated live; recent executions across all jobs below.
import {
  $, el, replaceChildren, api, API, reportFailure, problemText, showMessage, startPage, startEvents, activityTracker,
  canOperate, timeEl, formatDuration, formatPercent, statusBadge, stateBadges, jobStates, scheduleWords, jobHref,
  FAILURE_STATUSES, inChain, formatLocal, formatInZone, svg,
} from './admin.js';
import { wireNewJob } from './list-new-job.js';

const jobs = new Map();   // slug -> JobView
const rows = new Map();   // slug -> <tr>
const sort = { key: 'name', dir: 1 };
const RECENT_MAX = 100;
const recentIds = new Set();
const fetching = new Map(); // slug -> { again: bool } while a GET is in flight
const rates = new Map();    // slug -> JobFailureRate over the period of #rate-period (from the roll-ups)

startPage(async () => {
  wireControls();
  await loadAll();
  await wireNewJob();
  await seedActivity();
  const track = activityTracker();
  startEvents(activity => {
    const { ended, vanished, slugs } = track(activity);
    for (const slug of slugs) refreshJob(slug);
    prependRecent(ended);
    for (const x of vanished) recentFromStore(x.id);
    renderRunning(activity.active || []);
  });
  // Next-run times and 24 h counts drift without executions (and other admins change jobs): refresh everything now and then.
  setInterval(() => { if (!document.hidden) loadAll(true); }, 60_000);
  setInterval(refreshRelative, 15_000);
});

// -------------------------------------------------------------------------------------------------------- loading

async function loadAll(quiet = false) {
  const [res] = await Promise.all([api('GET', `${API}/jobs`), loadRates(quiet)]);
  if (!res.ok) {
    if (!quiet) reportFailure(res, 'Could not load the jobs');
    return;
  }
  const seen = new Set();
  for (const job of res.data || []) {
    seen.add(job.slug);
    upsert(job);
  }
  for (const slug of [...jobs.keys()]) {
    if (!seen.has(slug)) { jobs.delete(slug); rows.get(slug)?.remove(); rows.delete(slug); }
  }
  applyView();
}

/** Every job's failure rate over the chosen period, from the roll-ups (they change at most every few minutes). */
async function loadRates(quiet = false) {
  const period = $('#rate-period').value;
  const res = await api('GET', `${API}/failure-rates?period=${encodeURIComponent(period)}`);
  if (!res.ok) {
    if (!quiet) reportFailure(res, 'Could not load the failure rates');
    return;
  }
  if ($('#rate-period').value !== period) return; // changed again meanwhile
  rates.clear();
  for (const rate of res.data.jobs || []) rates.set(rate.slug, rate);
  for (const [slug, tr] of rows) tr.querySelector('td[data-col="failure-rate"]')?.replaceWith(rateCell(slug));
}

function rateCell(slug) {
  const rate = rates.get(slug);
  const period = $('#rate-period').selectedOptions[0]?.textContent || '';
  if (!rate || rate.failureRate === null || rate.failureRate === undefined) {
    return el('td', { 'data-col': 'failure-rate', class: 'num muted', text: '—', title: `Nothing ran in the last ${period}` });
  }
  return el('td', { 'data-col': 'failure-rate', class: rate.failures ? 'num rate-bad' : 'num',
    title: `${rate.failures} of ${rate.outcomes} attempts failed, timed out or were abandoned in the last ${period}` },
  formatPercent(rate.failureRate), el('span', { class: 'slug', text: `of ${rate.outcomes}` }));
}

/** Re-fetches one job (coalescing bursts: one request in flight per slug, one more after it if asked again). */
async function refreshJob(slug) {
  const pending = fetching.get(slug);
  if (pending) { pending.again = true; return; }
  const state = { again: false };
  fetching.set(slug, state);
  try {
    do {
      state.again = false;
      const res = await api('GET', `${API}/jobs/${encodeURIComponent(slug)}`);
      if (res.ok && res.data) {
        upsert(res.data);
        applyView();
      } else if (res.status === 404) {
        jobs.delete(slug); rows.get(slug)?.remove(); rows.delete(slug); applyView();
      }
    } while (state.again);
  } finally {
    fetching.delete(slug);
  }
}

function upsert(job) {
  jobs.set(job.slug, job);
  let tr = rows.get(job.slug);
  if (!tr) {
    tr = el('tr', { dataset: { slug: job.slug } });
    rows.set(job.slug, tr);
  }
  renderRow(tr, job);
}

// -------------------------------------------------------------------------------------------------------- a row

function renderRow(tr, job) {
  const focused = tr.contains(document.activeElement) ? document.activeElement.dataset.action : null;
  const last = job.lastRun;
  const next = job.nextFireTimes && job.nextFireTimes[0];
  const stats = job.statistics || {};
  const expr = job.resolvedSchedule || job.schedule;
  const words = scheduleWords(job);

  const nameCell = el('td', { 'data-col': 'name' },
    el('a', { class: 'job-name', href: jobHref(job.slug), text: job.name || job.slug }),
    el('span', { class: 'slug mono', text: job.slug }));
  if (job.description) nameCell.title = job.description;

  const lastCell = el('td', { 'data-col': 'last' });
  if (last) {
    lastCell.append(statusBadge(last.status), ' ',
      timeEl(last.startedAt || last.scheduledFor, job.timeZone, { short: true }),
      el('span', { class: 'muted', text: last.status === 'running' ? '' : ` · ${formatDuration(last.durationMs)}` }));
    if (last.statusReason) lastCell.title = last.statusReason;
  } else {
    lastCell.append(el('span', { class: 'muted', text: 'never run' }));
  }

  const nextCell = el('td', { 'data-col': 'next' });
  if (next) nextCell.append(timeEl(next, job.timeZone, { short: true }), el('span', { class: 'muted small rel', dataset: { at: next }, text: '' }));
  else nextCell.append(el('span', { class: 'muted', text: job.isEnabled ? '—' : 'not scheduled' }));

  const runs = stats.runsLast24Hours ?? 0;
  const runsCell = el('td', { 'data-col': 'runs', class: 'num' }, String(runs));
  if (stats.failuresLast24Hours || stats.notRunLast24Hours) {
    runsCell.append(el('span', { class: 'slug', text: [
      stats.failuresLast24Hours ? `${stats.failuresLast24Hours} failed` : '',
      stats.notRunLast24Hours ? `${stats.notRunLast24Hours} not run` : ''].filter(Boolean).join(', ') }));
  }

  const actions = el('td', { 'data-col': 'actions' });
  if (canOperate()) {
    const box = el('div', { class: 'actions' });
    box.append(el('button', { type: 'button', class: 'small', dataset: { action: 'trigger' }, text: 'Trigger', 'aria-label': `Trigger ${job.name}` }));
    box.append(job.isEnabled
      ? el('button', { type: 'button', class: 'small danger', dataset: { action: 'disable' }, text: 'Disable', 'aria-label': `Disable ${job.name}` })
      : el('button', { type: 'button', class: 'small', dataset: { action: 'enable' }, text: 'Enable', 'aria-label': `Enable ${job.name}` }));
    actions.append(box);
  }

  replaceChildren(tr,
    nameCell,
    el('td', { 'data-col': 'state' }, stateBadges(job)),
    el('td', { 'data-col': 'schedule' },
      el('span', { class: 'schedule-words', text: words }),
      expr && words !== expr ? el('code', { class: 'schedule-expr', text: job.schedule, title: job.resolvedSchedule && job.resolvedSchedule !== job.schedule ? `Resolved: ${job.resolvedSchedule}` : undefined }) : null),
    el('td', { 'data-col': 'zone', class: 'nowrap', text: job.timeZone }),
    nextCell,
    lastCell,
    el('td', { 'data-col': 'success', class: 'num', text: formatPercent(stats.successRate),
      title: stats.sampleSize ? `Of the last ${stats.sampleSize} ended attempts` : 'No ended attempts yet' }),
    runsCell,
    rateCell(job.slug),
    el('td', { 'data-col': 'trend' }, trend(stats.recent || [])),
    actions);
  updateRelative(tr);
  if (focused) {
    const again = tr.querySelector(`button[data-action="${focused}"]`)
      || tr.querySelector('button[data-action="enable"], button[data-action="disable"]');
    if (again) again.focus();
  }
}

/** The last attempts as bars, oldest left: height by duration, colour by outcome (failures full height in red). */
function trend(recent) {
  if (recent.length === 0) return el('span', { class: 'muted', text: '—' });
  const width = 4, gap = 1, height = 18;
  const longest = Math.max(1, ...recent.map(r => r.durationMs || 0));
  const chart = svg('svg', {
    class: 'trend', width: recent.length * (width + gap), height, viewBox: `0 0 ${recent.length * (width + gap)} ${height}`,
    role: 'img', 'aria-label': `Last ${recent.length} attempts: ${recent.filter(r => FAILURE_STATUSES.has(r.status)).length} failed`,
  });
  recent.forEach((r, i) => {
    const failed = FAILURE_STATUSES.has(r.status);
    const h = failed ? height : Math.max(2, Math.round((r.durationMs || 0) / longest * height));
    chart.append(svg('rect', { x: i * (width + gap), y: height - h, width, height: h, class: failed ? 'bar-failed' : 'bar-ok' },
      svg('title', { text: `${r.status} · ${formatDuration(r.durationMs)}` })));
  });
  return chart;
}

function updateRelative(root) {
  for (const span of root.querySelectorAll('.rel[data-at]')) span.textContent = ` · ${relativeShort(span.dataset.at)}`;
}

function refreshRelative() {
  updateRelative($('#jobs tbody'));
}

function relativeShort(iso) {
  const ms = new Date(iso).getTime() - Date.now();
  if (ms <= 0) return 'due';
  if (ms < 60_000) return `in ${Math.ceil(ms / 1000)} s`;
  if (ms < 3_600_000) return `in ${Math.round(ms / 60_000)} min`;
  if (ms < 172_800_000) return `in ${(ms / 3_600_000).toFixed(ms < 36_000_000 ? 1 : 0)} h`;
  return `in ${Math.round(ms / 86_400_000)} d`;
}

// -------------------------------------------------------------------------------------------- filter and sort

function sortValue(job, key) {
  switch (key) {
    case 'name': return (job.name || job.slug).toLowerCase();
    case 'state': return jobStates(job).join(' ');
    case 'schedule': return scheduleWords(job).toLowerCase();
    case 'zone': return job.timeZone || '';
    case 'next': return job.nextFireTimes && job.nextFireTimes[0] ? Date.parse(job.nextFireTimes[0]) : null;
    case 'last': return job.lastRun ? Date.parse(job.lastRun.startedAt || job.lastRun.scheduledFor) : null;
    case 'success': return job.statistics?.successRate ?? null;
    case 'runs': return job.statistics?.runsLast24Hours ?? 0;
    case 'failure-rate': return rates.get(job.slug)?.failureRate ?? null;
    default: return '';
  }
}

function compare(a, b) {
  const va = sortValue(a, sort.key), vb = sortValue(b, sort.key);
  // Missing values last whatever the direction.
  if (va === null && vb !== null) return 1;
  if (vb === null && va !== null) return -1;
  let c = 0;
  if (va !== null) c = typeof va === 'string' ? va.localeCompare(vb) : va - vb;
  if (c === 0) c = a.slug.localeCompare(b.slug);
  return c * sort.dir;
}

function matches(job, text, state, outcome, chain) {
  if (text && !(job.name || '').toLowerCase().includes(text) && !job.slug.toLowerCase().includes(text)) return false;
  if (chain && inChain(job) !== (chain === 'chain')) return false;
  if (state && !jobStates(job).includes(state)) return false;
  if (outcome) {
    const status = job.lastRun ? job.lastRun.status : null;
    if (outcome === 'never') return status === null;
    if (outcome === 'failures') return FAILURE_STATUSES.has(status);
    if (outcome === 'running') return status === 'running' || status === 'claimed';
    return status === outcome;
  }
  return true;
}

/** Orders and shows or hides the rows; DOM nodes are reused, so hundreds of jobs re-sort cheaply. */
function applyView() {
  const tbody = $('#jobs tbody');
  const text = $('#search').value.trim().toLowerCase();
  const state = $('#state-filter').value;
  const outcome = $('#outcome-filter').value;
  const chain = $('#chain-filter').value;
  const ordered = [...jobs.values()].sort(compare);
  let shown = 0;
  const fragment = document.createDocumentFragment();
  for (const job of ordered) {
    const tr = rows.get(job.slug);
    const visible = matches(job, text, state, outcome, chain);
    tr.hidden = !visible;
    if (visible) shown++;
    fragment.append(tr);
  }
  tbody.querySelector('.empty-row')?.remove();
  // Keep focus: moving a focused node out of the document blurs it.
  const active = document.activeElement;
  tbody.append(fragment);
  if (active && active !== document.activeElement && document.contains(active)) active.focus();
  if (shown === 0) {
    tbody.append(el('tr', { class: 'empty-row' }, el('td', { colspan: 11, text: jobs.size ? 'No job matches the filters.' : 'No jobs.' })));
  }
  $('#job-count').textContent = shown === jobs.size ? `${jobs.size} jobs` : `${shown} of ${jobs.size} jobs`;
}

function wireControls() {
  $('#search').addEventListener('input', applyView);
  $('#state-filter').addEventListener('change', applyView);
  $('#outcome-filter').addEventListener('change', applyView);
  $('#chain-filter').addEventListener('change', applyView);
  $('#rate-period').addEventListener('change', async () => { await loadRates(); applyView(); });
  for (const th of document.querySelectorAll('#jobs thead th[data-sort]')) {
    th.querySelector('button').addEventListener('click', () => {
      const key = th.dataset.sort;
      if (sort.key === key) sort.dir = -sort.dir;
      else { sort.key = key; sort.dir = (key === 'runs' || key === 'last' || key === 'failure-rate') ? -1 : 1; }
      for (const other of document.querySelectorAll('#jobs thead th[data-sort]')) other.setAttribute('aria-sort', 'none');
      th.setAttribute('aria-sort', sort.dir === 1 ? 'ascending' : 'descending');
      applyView();
    });
  }
  $('#jobs tbody').addEventListener('click', onAction);
}

// ---------------------------------------------------------------------------------------------------- actions

async function onAction(event) {
  const button = event.target.closest('button[data-action]');
  if (!button) return;
  const tr = button.closest('tr[data-slug]');
  const slug = tr.dataset.slug;
  const job = jobs.get(slug);
  const action = button.dataset.action;
  const path = `${API}/jobs/${encodeURIComponent(slug)}`;
  button.disabled = true;
  try {
    if (action === 'enable' || action === 'disable') {
      const res = await api('POST', `${path}/${action}`);
      if (reportFailure(res, `Could not ${action} ${job ? job.name : slug}`)) return;
      upsert(res.data);
      applyView();
      showMessage(`${res.data.name} is ${res.data.isEnabled ? 'enabled' : 'disabled'}.`, 'success');
    } else if (action === 'trigger') {
      await trigger(slug, job);
    }
  } finally {
    if (button.isConnected) button.disabled = false;
  }
}

async function trigger(slug, job) {
  const name = job ? job.name : slug;
  const running = job && job.runningExecutionIds && job.runningExecutionIds.length > 0;
  let override = false;
  if (running) {
    if (!confirm(`${name} is running now. Start another run anyway?`)) return;
    override = true;
  }
  const path = `${API}/jobs/${encodeURIComponent(slug)}/trigger`;
  let res = await api('POST', path, { body: { override } });
  if (res.status === 409 && !override) {
    // It started between our last look and the click.
    if (!confirm(`${problemText(res)}\n\n${name} is running now. Start another run anyway?`)) return;
    res = await api('POST', path, { body: { override: true } });
  }
  if (reportFailure(res, `Could not trigger ${name}`)) return;
  showMessage(res.data && res.data.replayed ? `${name}: this trigger was already accepted.` : `${name} triggered.`, 'success');
  refreshJob(slug);
}

// --------------------------------------------------------------------------------------------- recent activity

async function seedActivity() {
  const res = await api('GET', `${API}/activity?limit=20`);
  if (!res.ok) { reportFailure(res, 'Could not load recent executions'); return; }
  prependRecent([...(res.data.ended || [])], false);
  renderRunning(res.data.active || []);
}

function executionItem(x, fresh) {
  const job = jobs.get(x.jobSlug);
  const zone = job ? job.timeZone : null;
  const li = el('li', { class: fresh ? 'fresh' : undefined, dataset: { executionId: x.id, status: x.status } },
    el('a', { href: jobHref(x.jobSlug), class: 'mono', text: x.jobSlug }),
    statusBadge(x.status),
    el('span', { class: 'when' }, timeEl(x.completedAt || x.startedAt || x.scheduledFor, zone, { short: true })),
    x.durationMs !== null && x.durationMs !== undefined ? el('span', { class: 'muted', text: formatDuration(x.durationMs) }) : null,
    x.triggeredBy && x.triggeredBy !== 'scheduler' && x.triggeredBy !== 'retry' ? el('span', { class: 'muted small', text: x.triggeredBy.replace('_', ' ') }) : null,
    x.retryCount ? el('span', { class: 'muted small', text: `retry ${x.retryCount}` }) : null);
  if (x.statusReason) li.title = x.statusReason;
  return li;
}

/** Adds ended executions (newest first) at the top of #recent. */
function prependRecent(ended, fresh = true) {
  const list = $('#recent');
  const items = ended.filter(x => !recentIds.has(x.id));
  if (!items.length) return;
  const fragment = document.createDocumentFragment();
  for (const x of items) {
    recentIds.add(x.id);
    fragment.append(executionItem(x, fresh));
  }
  list.prepend(fragment);
  while (list.children.length > RECENT_MAX) {
    recentIds.delete(list.lastElementChild.dataset.executionId);
    list.lastElementChild.remove();
  }
  $('#recent-empty').hidden = list.children.length > 0;
}

/** An execution that left the running list without its end in the stream: its row as stored, if it has ended. */
async function recentFromStore(id) {
  const res = await api('GET', `${API}/executions/${encodeURIComponent(id)}`);
  if (res.ok && res.data && res.data.summary && res.data.summary.completedAt) prependRecent([res.data.summary]);
}

function renderRunning(active) {
  const list = $('#running');
  replaceChildren(list, active.map(x => {
    const job = jobs.get(x.jobSlug);
    return el('li', { dataset: { executionId: x.id, status: x.status } },
      el('a', { href: jobHref(x.jobSlug), class: 'mono', text: x.jobSlug }),
      statusBadge(x.status),
      el('span', { class: 'when', title: job ? `Job time: ${formatInZone(x.startedAt || x.scheduledFor, job.timeZone)}` : undefined,
        text: `since ${formatLocal(x.startedAt || x.scheduledFor, true)}` }));
  }));
  $('#running-empty').hidden = active.length > 0;
}
