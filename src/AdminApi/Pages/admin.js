// Shared helpers of the admin pages: DOM building (text only, never HTML from data), the API client with the session's
// antiforgery token, sign-in, formatting of times and durations, a describer for common cron shapes, and the live stream.

export const API = '/api/cron';

// ---------------------------------------------------------------------------------------------------------------- DOM

/**
 * Creates an element. attrs: `class`, `text` (textContent), `hidden`/`disabled`/`checked`/`value` (properties),
 * `dataset` (object), anything else becomes an attribute. Children: nodes, or strings as text nodes. Never parses HTML.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  applyAttrs(node, attrs);
  append(node, children);
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  applyAttrs(node, attrs);
  append(node, children);
  return node;
}

function applyAttrs(node, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = String(value);
    else if (key === 'class') node.setAttribute('class', value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'hidden' || key === 'disabled' || key === 'checked' || key === 'value' || key === 'readOnly') node[key] = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Shows (or, with empty text, clears) a form field's error in its box, marking the field invalid while there is one. */
export function fieldError(form, boxId, field, text) {
  const box = document.getElementById(boxId);
  if (box) box.textContent = text;
  const input = form.elements[field];
  // A group of checkboxes (a RadioNodeList) has no attribute of its own: its box says it.
  if (!input || typeof input.setAttribute !== 'function') return;
  if (text) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
}

/** Replaces every child of a node. */
export function replaceChildren(node, ...children) {
  node.textContent = '';
  append(node, children);
  return node;
}

export const $ = (selector, root = document) => root.querySelector(selector);

// -------------------------------------------------------------------------------------------------------- messages

let messageTimer = 0;

/** Shows a message in #message (role=alert). kind: 'error' | 'info' | 'success'. Info and success fade after a while. */
export function showMessage(text, kind = 'error') {
  const box = $('#message');
  if (!box) return;
  clearTimeout(messageTimer);
  box.className = `message message-${kind}`;
  replaceChildren(box, el('span', { text }), el('button', { type: 'button', class: 'message-close', 'aria-label': 'Dismiss message', text: '×' }));
  box.lastChild.addEventListener('click', clearMessage);
  if (kind !== 'error') messageTimer = setTimeout(clearMessage, 8000);
}

export function clearMessage() {
  const box = $('#message');
  if (box) { box.textContent = ''; box.className = 'message'; }
}

// ------------------------------------------------------------------------------------------------------------- API

export const session = { name: null, role: null, token: null };

const ROLE_RANK = { viewer: 1, operator: 2, admin: 3 };
export const canOperate = () => (ROLE_RANK[session.role] || 0) >= 2;
export const canAdmin = () => (ROLE_RANK[session.role] || 0) >= 3;

/**
 * Calls the API. Returns { ok, status, data, headers }; data is the parsed JSON (or null). Network failures resolve to
 * status 0 with a problem-like data object, so callers handle one shape. A 401 shows the sign-in form again.
 */
export async function api(method, path, { body, headers = {}, signal } = {}) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json', ...headers }, signal };
  if (method !== 'GET' && method !== 'HEAD' && session.token) init.headers['X-CSRF-TOKEN'] = session.token;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path.startsWith('/') ? path : `${API}/${path}`, init);
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    return { ok: false, status: 0, data: { detail: 'The server cannot be reached. Check your connection and try again.' }, headers: new Headers() };
  }
  let data = null;
  const type = response.headers.get('Content-Type') || '';
  if (type.includes('json')) {
    try { data = await response.json(); } catch { data = null; }
  }
  if (response.status === 401 && !path.endsWith('/session')) onSignedOut(`${(data && data.signedOutReason) || 'Your session has ended.'} Sign in again.`);
  return { ok: response.ok, status: response.status, data, headers: response.headers };
}

/** The human text of a failed call: the problem's detail (or title), else the HTTP status. */
export function problemText(res) {
  const d = res && res.data;
  if (d && typeof d === 'object') {
    if (d.detail) return String(d.detail);
    if (d.title) return String(d.title);
  }
  if (res && res.status === 403) return 'Your role does not allow this.';
  return res && res.status ? `The request failed (HTTP ${res.status}).` : 'The request failed.';
}

/** Shows a failed call in #message; returns true when it failed. */
export function reportFailure(res, prefix = '') {
  if (res.ok) return false;
  if (res.status === 401) return true; // the sign-in form says it
  showMessage(prefix ? `${prefix}: ${problemText(res)}` : problemText(res), 'error');
  return true;
}

// --------------------------------------------------------------------------------------------------------- sign-in

let onReadyCallback = null;
let started = false;

/**
 * Builds the page frame (header, message area, sign-in form), checks the session and calls onReady() once signed in
 * (again after a later sign-in if the session ended).
 */
export async function startPage(onReady) {
  onReadyCallback = onReady;
  const signOut = $('#sign-out');
  signOut.addEventListener('click', async () => {
    stopEvents(); // first: signing out ends the stream, whose 'signed-out' event would flash the sign-in form before the reload
    await api('DELETE', `${API}/session`);
    session.name = session.role = session.token = null;
    location.reload();
  });
  $('#sign-in').addEventListener('submit', signIn);
  const res = await api('GET', `${API}/session`);
  if (res.ok && res.data) {
    adopt(res.data);
  } else if (res.status === 401) {
    onSignedOut(null);
  } else {
    onSignedOut(null);
    showMessage(problemText(res));
  }
}

function adopt(data) {
  session.name = data.name;
  session.role = data.role;
  session.token = data.antiforgeryToken || null;
  replaceChildren($('#whoami'), el('span', { class: 'who-name', text: data.name }), ' ', el('span', { class: `badge role role-${data.role}`, text: data.role }));
  $('#sign-out').hidden = false;
  $('#sign-in-panel').hidden = true;
  $('#app').hidden = false;
  document.body.classList.toggle('can-operate', canOperate());
  document.body.classList.toggle('can-admin', canAdmin());
  const keysLink = $('#nav-keys');
  if (keysLink) keysLink.hidden = !canAdmin();
  refreshPauseBanner();
  if (!pauseTimer) pauseTimer = setInterval(() => { if (!document.hidden) refreshPauseBanner(); }, PAUSE_CHECK_MS);
  if (!started) {
    started = true;
    Promise.resolve(onReadyCallback && onReadyCallback()).catch(e => showMessage(`The page failed to load: ${e && e.message ? e.message : e}`));
  } else {
    location.reload(); // a new sign-in after the session ended: start clean with the new role
  }
}

// ------------------------------------------------------------------------------------------------- the global pause

/** How often a page asks whether scheduling is paused (an admin on another page may pause it). */
const PAUSE_CHECK_MS = 30_000;
let pauseTimer = 0;

/**
 * Shows, on every page, a banner while scheduling is paused cluster-wide: nothing runs on its schedule then, which an admin
 * must not miss on any page. Read on sign-in, every 30 s, and after the settings page changes it.
 */
export async function refreshPauseBanner() {
  const res = await api('GET', `${API}/config`);
  if (!res.ok || !res.data) return;
  let banner = $('#paused-banner');
  if (!res.data.schedulingPaused) { banner?.remove(); return; }
  if (!banner) {
    banner = el('div', { id: 'paused-banner', class: 'paused-banner', role: 'status' });
    document.querySelector('header.top').after(banner);
  }
  replaceChildren(banner,
    el('strong', { text: 'Scheduling is paused cluster-wide' }),
    ': no job runs on its schedule; due occurrences are recorded skipped.',
    res.data.updatedAt ? ` Settings last changed ${formatLocal(res.data.updatedAt)}${res.data.updatedBy ? ` by ${res.data.updatedBy}` : ''}. ` : ' ',
    location.pathname === '/admin/settings' ? null : el('a', { href: '/admin/settings', text: canAdmin() ? 'Resume in Settings' : 'Settings' }));
}

function onSignedOut(text) {
  stopEvents();
  $('#whoami').textContent = '';
  $('#sign-out').hidden = true;
  $('#sign-in-panel').hidden = false;
  $('#app').hidden = true;
  if (text) showMessage(text, 'info');
  const input = $('#sign-in input[name="apiKey"]');
  if (input) input.focus();
}

async function signIn(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const input = form.elements.apiKey;
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    const res = await api('POST', `${API}/session`, { body: { apiKey: input.value.trim() } });
    if (res.ok && res.data) {
      input.value = '';
      clearMessage();
      adopt(res.data);
    } else if (res.status === 401) {
      showMessage('Sign-in refused: the key is not valid or has been revoked.');
    } else {
      reportFailure(res, 'Sign-in failed');
    }
  } finally {
    button.disabled = false;
  }
}

// ----------------------------------------------------------------------------------------------------- live events

let source = null;
let retryTimer = null;

/** How long the page waits before opening the stream again after the server refused it (429 past the caps, 503). */
const STREAM_RETRY_MS = 15000;

/**
 * Subscribes to /api/cron/events; handler(activity) on each 'activity' event. Shows the stream's state in #live. When the
 * server ends the stream because the caller may no longer read ('signed-out': key revoked, session signed out or expired),
 * the page shows the sign-in form with the reason. EventSource retries a dropped connection by itself, but not a refused
 * one (401, 429, 503): then the page asks whether it is still signed in and, if so, tries again later.
 */
export function startEvents(handler) {
  stopEvents();
  const live = $('#live');
  const mark = (state, text) => { if (live) { live.className = `live live-${state}`; live.textContent = text; } };
  mark('connecting', 'Connecting…');
  const current = source = new EventSource(`${API}/events`, { withCredentials: true });
  source.addEventListener('open', () => mark('on', 'Live'));
  source.addEventListener('activity', e => {
    mark('on', 'Live');
    let data;
    try { data = JSON.parse(e.data); } catch { return; }
    handler(data);
  });
  source.addEventListener('unavailable', e => {
    let text = 'The backend does not answer.';
    try { text = JSON.parse(e.data).message || text; } catch { /* keep default */ }
    mark('off', `Paused: ${text}`);
  });
  source.addEventListener('signed-out', e => {
    let text = 'Your session has ended.';
    try { text = JSON.parse(e.data).message || text; } catch { /* keep default */ }
    mark('off', 'Signed out');
    onSignedOut(`${text} Sign in again.`);
  });
  source.addEventListener('error', async () => {
    if (current !== source) return; // stopped meanwhile
    if (current.readyState !== EventSource.CLOSED) { mark('off', 'Reconnecting…'); return; }
    stopEvents();
    const res = await api('GET', `${API}/session`);
    if (res.status === 401) { onSignedOut(`${(res.data && res.data.signedOutReason) || 'Your session has ended.'} Sign in again.`); return; }
    mark('off', `Live updates paused; retrying in ${STREAM_RETRY_MS / 1000} s.`);
    retryTimer = setTimeout(() => startEvents(handler), STREAM_RETRY_MS);
  });
}

export function stopEvents() {
  clearTimeout(retryTimer);
  retryTimer = null;
  if (source) { source.close(); source = null; }
}

/**
 * Tracks which executions start or end between activity events. Returns a function taking an activity and answering
 * { started, ended, vanished: ExecutionSummary[], slugs: Set<string> } (slugs whose executions changed). 'vanished' are
 * executions that left the running list without an end in the event (their end became visible too late for the stream, or
 * the row was deleted): the page reads them itself, and their jobs count as changed.
 */
export function activityTracker() {
  let known = null; // id -> summary of the active executions at the previous event
  return activity => {
    const active = activity.active || [];
    const ended = activity.ended || [];
    const started = [];
    const vanished = [];
    const slugs = new Set();
    const now = new Map(active.map(x => [x.id, x]));
    if (known) {
      for (const x of active) {
        if (known.get(x.id)?.status !== x.status) { started.push(x); slugs.add(x.jobSlug); }
      }
      for (const [id, x] of known) {
        if (!now.has(id) && !ended.some(e => e.id === id)) { vanished.push(x); slugs.add(x.jobSlug); }
      }
    }
    for (const x of ended) slugs.add(x.jobSlug);
    known = now;
    return { started, ended, vanished, slugs };
  };
}

// ------------------------------------------------------------------------------------------------------ formatting

const localFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const localShort = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
const zoneFormats = new Map();

function zoneFormat(zone) {
  if (!zoneFormats.has(zone)) {
    let f = null;
    try {
      f = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'long', timeZone: zone });
    } catch { f = null; }
    zoneFormats.set(zone, f);
  }
  return zoneFormats.get(zone);
}

export function formatLocal(iso, short = false) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return (short ? localShort : localFormat).format(d);
}

/** The time in a zone (IANA id), for a title; falls back to the ISO text when the browser does not know the zone. */
export function formatInZone(iso, zone) {
  if (!iso) return '';
  const d = new Date(iso);
  const f = zone ? zoneFormat(zone) : null;
  if (!f || Number.isNaN(d.getTime())) return String(iso);
  return `${f.format(d)} (${zone})`;
}

/** A <time> element: the viewer's local time as text, the job zone's time on hover. */
export function timeEl(iso, zone, { short = false, relative = false } = {}) {
  if (!iso) return el('span', { class: 'muted', text: '—' });
  const text = formatLocal(iso, short) + (relative ? ` (${formatRelative(iso)})` : '');
  return el('time', { datetime: iso, title: zone ? `Job time: ${formatInZone(iso, zone)}` : String(iso), text });
}

/** "in 5 s", "3 min ago", … */
export function formatRelative(iso, now = Date.now()) {
  const ms = new Date(iso).getTime() - now;
  const abs = Math.abs(ms);
  let text;
  if (abs < 1000) return 'now';
  if (abs < 60_000) text = `${Math.round(abs / 1000)} s`;
  else if (abs < 3_600_000) text = `${Math.round(abs / 60_000)} min`;
  else if (abs < 86_400_000) text = `${(abs / 3_600_000).toFixed(abs < 36_000_000 ? 1 : 0)} h`;
  else text = `${Math.round(abs / 86_400_000)} d`;
  return ms > 0 ? `in ${text}` : `${text} ago`;
}

/** 850 ms, 4.2 s, 3 min 20 s, 2 h 5 min. */
export function formatDuration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(Number(ms))) return '—';
  ms = Number(ms);
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1).replace(/\.?0+$/, '')} s`;
  if (ms < 3_600_000) {
    const m = Math.floor(ms / 60_000), s = Math.round((ms % 60_000) / 1000);
    return s ? `${m} min ${s} s` : `${m} min`;
  }
  const h = Math.floor(ms / 3_600_000), m = Math.round((ms % 3_600_000) / 60_000);
  return m ? `${h} h ${m} min` : `${h} h`;
}

export function formatPercent(ratio) {
  if (ratio === null || ratio === undefined) return '—';
  const p = ratio * 100;
  return `${p >= 99.95 || p === 0 ? p.toFixed(0) : p.toFixed(1)} %`;
}

/** Megabytes with sensible precision: 0.008 MB, 12.5 MB, 340 MB. */
export function formatMb(value) {
  if (value === null || value === undefined) return '—';
  const v = Number(value);
  const digits = v === 0 ? 0 : v < 1 ? 3 : v < 100 ? 1 : 0;
  return `${v.toFixed(digits)} MB`;
}

export function formatNumber(value, digits = 1, unit = '') {
  if (value === null || value === undefined) return '—';
  return `${Number(value).toFixed(digits).replace(/\.0+$/, '')}${unit ? ` ${unit}` : ''}`;
}

/** A status badge (running, succeeded, failed, timed_out, skipped, missed, abandoned, claimed). */
export function statusBadge(status) {
  const s = String(status || 'unknown');
  return el('span', { class: `badge status status-${s.replace(/[^a-z_]/g, '')}`, text: s });
}

export const FAILURE_STATUSES = new Set(['failed', 'timed_out', 'abandoned']);
export const ALL_STATUSES = ['running', 'claimed', 'succeeded', 'failed', 'timed_out', 'skipped', 'missed', 'abandoned'];
export const TRIGGERS = ['scheduler', 'manual', 'retry', 'catch_up', 'dependency'];

/** The state words of a job: enabled | disabled, invalid, orphaned or deleted, running. */
export function jobStates(job) {
  const states = [job.isEnabled ? 'enabled' : 'disabled'];
  if (job.invalidReason) states.push('invalid');
  if (job.deletedAt) states.push('deleted');
  else if (job.isOrphaned) states.push('orphaned');
  if (job.runningExecutionIds && job.runningExecutionIds.length) states.push('running');
  return states;
}

/** Badges of a job's state; an invalid job carries its reason in the title. */
export function stateBadges(job) {
  return jobStates(job).map(s => el('span', {
    class: `badge state state-${s}`,
    text: s === 'running' && job.runningExecutionIds.length > 1 ? `running ×${job.runningExecutionIds.length}` : s,
    title: s === 'invalid' ? job.invalidReason : s === 'orphaned' ? 'No longer defined in code or configuration'
      : s === 'deleted' ? `Deleted by ${job.deletedBy}; its history is kept` : undefined,
  }));
}

/** Debounces a function. */
export function debounce(fn, ms) {
  let t = 0;
  return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
}

// ------------------------------------------------------------------------------------------------- cron describer

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const DAY_ABBR = { SUN: 0, MON: 1, TUE: 2, WED: 3, THU: 4, FRI: 5, SAT: 6 };
const MACROS = {
  '@yearly': 'yearly on 1 January at 00:00', '@annually': 'yearly on 1 January at 00:00',
  '@monthly': 'monthly on day 1 at 00:00', '@weekly': 'every Sunday at 00:00',
  '@daily': 'daily at 00:00', '@midnight': 'daily at 00:00', '@hourly': 'hourly at minute 0',
};

const isNum = s => /^\d+$/.test(s);
const pad2 = n => String(n).padStart(2, '0');
const ordinal = n => {
  const v = n % 100;
  return `${n}${(v >= 11 && v <= 13) ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] || 'th')}`;
};

function dayNumber(token) {
  const t = token.toUpperCase();
  if (t in DAY_ABBR) return DAY_ABBR[t];
  if (isNum(t) && Number(t) <= 7) return Number(t) % 7;
  return null;
}

/** Describes the weekday field, or null when it is not a common shape. '' for '*' or '?'. */
function describeWeekdays(dow) {
  if (dow === '*' || dow === '?') return '';
  const u = dow.toUpperCase();
  if (u === '1-5' || u === 'MON-FRI') return 'on weekdays';
  if (['0,6', '6,0', '6,7', 'SAT,SUN', 'SUN,SAT'].includes(u)) return 'on weekends';
  const parts = u.split(',');
  const days = parts.map(dayNumber);
  if (days.some(d => d === null)) return null;
  const names = days.map(d => DAY_NAMES[d]);
  return `on ${names.length === 1 ? names[0] + 's' : names.slice(0, -1).join(', ') + ' and ' + names[names.length - 1]}`;
}

/** Describes the time of minute + hour fields (numbers or short lists of hours), or null. */
function describeTime(min, hour, sec = '0') {
  if (!isNum(min) || !isNum(sec)) return null;
  const s = Number(sec) ? `:${pad2(sec)}` : '';
  if (isNum(hour)) return `at ${pad2(hour)}:${pad2(min)}${s}`;
  if (/^\d+(,\d+)+$/.test(hour)) return `at ${hour.split(',').map(h => `${pad2(h)}:${pad2(min)}${s}`).join(', ')}`;
  return null;
}

/** Words for common cron shapes (5 fields, or 6 with seconds first); null when it is not a common shape. */
export function describeCron(expression) {
  if (!expression) return null;
  const text = String(expression).trim();
  if (MACROS[text.toLowerCase()]) return MACROS[text.toLowerCase()];
  let f = text.split(/\s+/);
  let sec = '0';
  if (f.length === 6) {
    sec = f[0];
    f = f.slice(1);
    const [m, h, dom, mon, dow] = f;
    const restAll = m === '*' && h === '*' && dom === '*' && mon === '*' && (dow === '*' || dow === '?');
    if (restAll) {
      if (sec === '*') return 'every second';
      const step = /^(?:\*|0)\/(\d+)$/.exec(sec);
      if (step) return Number(step[1]) === 1 ? 'every second' : `every ${step[1]} seconds`;
    }
    if (!isNum(sec)) return null;
  } else if (f.length !== 5) {
    return null;
  }
  const [min, hour, dom, mon, dow] = f;
  const anyDay = (dom === '*' || dom === '?') && mon === '*';
  const weekdays = describeWeekdays(dow);
  const atSecond = Number(sec) ? ` at second ${Number(sec)}` : '';
  // Every N minutes / every minute
  if (hour === '*' && anyDay && weekdays !== null) {
    const suffix = weekdays ? ` ${weekdays}` : '';
    if (min === '*') return `every minute${atSecond}${suffix}`;
    const step = /^(?:\*|0)\/(\d+)$/.exec(min);
    if (step) return `${Number(step[1]) === 1 ? 'every minute' : `every ${step[1]} minutes`}${atSecond}${suffix}`;
    if (isNum(min)) return `hourly at minute ${Number(min)}${atSecond}${suffix}`;
    if (/^\d+(,\d+)+$/.test(min)) return `hourly at minutes ${min.split(',').join(', ')}${atSecond}${suffix}`;
    return null;
  }
  // Every N hours at minute M
  const hourStep = /^(?:\*|0)\/(\d+)$/.exec(hour);
  if (hourStep && isNum(min) && anyDay && weekdays !== null) {
    return `every ${hourStep[1]} hours at minute ${Number(min)}${atSecond}${weekdays ? ` ${weekdays}` : ''}`;
  }
  const at = describeTime(min, hour, sec);
  if (!at) return null;
  if (anyDay && weekdays === '') return `daily ${at}`;
  if (anyDay && weekdays) return `${weekdays.replace(/^on /, '')} ${at}`;
  if (mon === '*' && isNum(dom) && (dow === '*' || dow === '?')) return `monthly on the ${ordinal(Number(dom))} ${at}`;
  if (mon === '*' && dom.toUpperCase() === 'L' && (dow === '*' || dow === '?')) return `monthly on the last day ${at}`;
  return null;
}

/** Words for a job's schedule: its resolved expression described, or the expression itself. */
export function scheduleWords(job) {
  const expr = job.resolvedSchedule || job.schedule;
  if (!expr && job.upstreams && job.upstreams.length) return `after ${job.upstreams.map(u => u.slug).join(', ')}`;
  return describeCron(expr) || expr || '—';
}

/** The edge's condition in words: "succeeds", "fails", "ends". */
export function conditionWords(condition) {
  return { success: 'succeeds', failure: 'fails', completion: 'ends' }[condition] || condition;
}

/** Whether the job runs after others or others run after it. */
export function inChain(job) {
  return (job.upstreams && job.upstreams.length > 0) || (job.downstreams && job.downstreams.length > 0);
}

// ----------------------------------------------------------------------------------------------------- small bits

/** The slug of the job page, from /admin/cron/{slug}. */
export function slugFromPath() {
  const parts = location.pathname.split('/').filter(Boolean);
  return decodeURIComponent(parts[parts.length - 1] || '');
}

export function jobHref(slug) {
  return `/admin/cron/${encodeURIComponent(slug)}`;
}
