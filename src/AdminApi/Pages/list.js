// /admin/cron: the jobs in a table paged, searched, filtered and sorted by the server (the view lives in the address bar, so it
// can be bookmarked and survives a reload), updated live; recent executions across all jobs below.
import {
  $, el, replaceChildren, api, API, reportFailure, problemText, showMessage, startPage, startEvents, activityTracker,
  canOperate, timeEl, formatDuration, formatPercent, statusBadge, stateBadges, scheduleWords, jobHref,
  FAILURE_STATUSES, formatLocal, formatInZone, svg,
} from './admin.js';
import { wireNewJob } from './list-new-job.js';

const jobs = new Map();   // slug -> JobView, the jobs of the page shown
const rows = new Map();   // slug -> <tr>
const RECENT_MAX = 100;
const PAGE_SIZE = 100;
const recentIds = new Set();
const rates = new Map();    // slug -> JobFailureRate over the period of #rate-period (from the roll-ups)
// The view, as in the address bar: ?q=&state=&outcome=&chain=&sort=&order=&page= (the API's names; page counts from 1).
const view = readView();
let total = 0;
let loading = null;         // the page load in flight, if any
let reloadAgain = false;    // asked again while one was in flight
const SORT_KEYS = { name: 'name', last: 'last_run', success: 'success_rate', runs: 'runs', 'failure-rate': 'failure_rate' };
// The failure rate comes from the roll-ups, not from the job list: that sort orders the page shown, which the server sorts by slug.
const PAGE_SORTS = new Set(['failure_rate']);

startPage(async () => {
  wireControls();
  await loadAll();
  await wireNewJob();
  await seedActivity();
  const track = activityTracker();
  startEvents(activity => {
    const { ended, vanished, slugs } = track(activity);
    // A run of a job on this page started or ended: the page again (one request, however many of its jobs changed).
    if ([...slugs].some(slug => jobs.has(slug))) reloadPage();
    prependRecent(ended);
    for (const x of vanished) recentFromStore(x.id);
    renderRunning(activity.active || []);
  });
  // Next-run times and 24 h counts drift without executions (and other admins change jobs): refresh everything now and then.
  setInterval(() => { if (!document.hidden) loadAll(true); }, 60_000);
  window.addEventListener('popstate', () => { Object.assign(view, readView()); showView(); loadAll(); });
  setInterval(refreshRelative, 15_000);
});

// -------------------------------------------------------------------------------------------------------- loading

/** The view from the address bar; unknown values are left to the server, which says what is wrong with them. */
function readView() {
  const p = new URLSearchParams(location.search);
  return {
    q: p.get('q') || '', state: p.get('state') || '', outcome: p.get('outcome') || '', chain: p.get('chain') || '',
    sort: p.get('sort') || 'name', order: p.get('order') || 'asc', page: Math.max(1, parseInt(p.get('page') || '1', 10) || 1),
  };
}

/** The view into the address bar (replacing the entry: typing in the search must not fill the history). */
function writeView(push = false) {
  const p = new URLSearchParams();
  for (const key of ['q', 'state', 'outcome', 'chain']) if (view[key]) p.set(key, view[key]);
  if (view.sort !== 'name') p.set('sort', view.sort);
  if (view.order !== 'asc') p.set('order', view.order);
  if (view.page > 1) p.set('page', String(view.page));
  const url = `${location.pathname}${p.size ? `?${p}` : ''}`;
  if (url !== `${location.pathname}${location.search}`) history[push ? 'pushState' : 'replaceState'](null, '', url);
}

function listQuery() {
  const p = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String((view.page - 1) * PAGE_SIZE),
    sort: PAGE_SORTS.has(view.sort) ? 'slug' : view.sort, order: PAGE_SORTS.has(view.sort) ? 'asc' : view.order });
  if (view.q) p.set('q', view.q);
  if (view.state) p.set('state', view.state);
  if (view.outcome) p.set('outcome', view.outcome);
  if (view.chain) p.set('chain', view.chain === 'chain' ? 'true' : 'false');
  return p;
}

async function loadAll(quiet = false) {
  await Promise.all([reloadPage(quiet), loadRates(quiet)]);
}

/** The page of the current view from the server; one load at a time, and one more after it when asked meanwhile. */
async function reloadPage(quiet = true) {
  if (loading) { reloadAgain = true; return loading; }
  loading = (async () => {
    do {
      reloadAgain = false;
      const asked = listQuery().toString();
      const res = await api('GET', `${API}/jobs?${asked}`);
      if (!res.ok) {
        if (!quiet) reportFailure(res, 'Could not load the jobs');
        return;
      }
      if (listQuery().toString() !== asked) { reloadAgain = true; continue; } // the view changed meanwhile
      total = res.data.total;
      const seen = new Set();
      for (const job of res.data.items || []) {
        seen.add(job.slug);
        upsert(job);
      }
      for (const slug of [...jobs.keys()]) {
        if (!seen.has(slug)) { jobs.delete(slug); rows.get(slug)?.remove(); rows.delete(slug); }
      }
      applyView((res.data.items || []).map(j => j.slug));
    } while (reloadAgain);
  })();
  try { await loading; } finally { loading = null; }
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
  if (view.sort === 'failure_rate') applyView([...$('#jobs tbody').querySelectorAll('tr[data-slug]')].map(tr => tr.dataset.slug));
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

/** Shows the page's rows in the server's order (or by failure rate, missing rates last, when that sort is chosen). */
function applyView(order = [...rows.keys()]) {
  if (view.sort === 'failure_rate') {
    const rate = slug => rates.get(slug)?.failureRate ?? null;
    const dir = view.order === 'desc' ? -1 : 1;
    order = [...order].sort((a, b) => (rate(a) === null) - (rate(b) === null) || dir * ((rate(a) ?? 0) - (rate(b) ?? 0)) || (a < b ? -1 : a > b ? 1 : 0));
  }
  const tbody = $('#jobs tbody');
  const fragment = document.createDocumentFragment();
  for (const slug of order) fragment.append(rows.get(slug));
  tbody.querySelector('.empty-row')?.remove();
  // Keep focus: moving a focused node out of the document blurs it.
  const active = document.activeElement;
  tbody.append(fragment);
  if (active && active !== document.activeElement && document.contains(active)) active.focus();
  const filtered = view.q || view.state || view.outcome || view.chain;
  if (order.length === 0) {
    tbody.append(el('tr', { class: 'empty-row' }, el('td', { colspan: 11, text: filtered ? 'No job matches the filters.' : 'No jobs.' })));
  }
  const from = (view.page - 1) * PAGE_SIZE;
  $('#job-count').textContent = order.length === 0 ? (filtered ? '0 jobs match' : '0 jobs')
    : `${from + 1}–${from + order.length} of ${total} ${filtered ? 'matching ' : ''}jobs`;
  $('#page-prev').disabled = view.page <= 1;
  $('#page-next').disabled = from + order.length >= total;
}

/** The controls as the view says (on load and when going back in the history). */
function showView() {
  $('#search').value = view.q;
  $('#state-filter').value = view.state;
  $('#outcome-filter').value = view.outcome;
  $('#chain-filter').value = view.chain;
  for (const th of document.querySelectorAll('#jobs thead th[data-sort]')) {
    th.setAttribute('aria-sort', SORT_KEYS[th.dataset.sort] === view.sort ? (view.order === 'desc' ? 'descending' : 'ascending') : 'none');
  }
}

let typing = null;           // the search typed but not yet asked for (see wireControls)

/** A change of the view: back to its first page, into the address bar, and the page from the server. */
function changeView(change, push = true) {
  // A search still being typed goes with any other change (showView would otherwise put the old one back in the box).
  clearTimeout(typing);
  Object.assign(view, { page: 1, q: $('#search').value.trim() }, change);
  writeView(push);
  showView();
  reloadPage(false);
}

function wireControls() {
  showView();
  $('#search').addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => changeView({ q: $('#search').value.trim() }, false), 250);
  });
  $('#state-filter').addEventListener('change', () => changeView({ state: $('#state-filter').value }));
  $('#outcome-filter').addEventListener('change', () => changeView({ outcome: $('#outcome-filter').value }));
  $('#chain-filter').addEventListener('change', () => changeView({ chain: $('#chain-filter').value }));
  $('#rate-period').addEventListener('change', () => loadRates());
  $('#page-prev').addEventListener('click', () => changeView({ page: Math.max(1, view.page - 1) }));
  $('#page-next').addEventListener('click', () => changeView({ page: view.page + 1 }));
  for (const th of document.querySelectorAll('#jobs thead th[data-sort]')) {
    th.querySelector('button').addEventListener('click', () => {
      const key = SORT_KEYS[th.dataset.sort];
      const order = view.sort === key ? (view.order === 'asc' ? 'desc' : 'asc')
        : (key === 'runs' || key === 'last_run' || key === 'failure_rate') ? 'desc' : 'asc';
      changeView({ sort: key, order });
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
      reloadPage();
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
  reloadPage();
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
