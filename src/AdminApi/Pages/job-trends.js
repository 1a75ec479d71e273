// The job page's Trends panel: the job's roll-ups (GET /jobs/{slug}/trend) over 24 h (hourly), 30 days or a year (UTC days):
// success rate as bars coloured by failures, duration p50/p95 and lateness p50/p99 as lines, and the period's totals.
import { $, el, svg, api, API, replaceChildren, reportFailure, formatDuration, formatPercent, formatMb, formatNumber, formatLocal } from './admin.js';

const W = 640, H = 170, L = 52, R = 10, T = 10, B = 26;
const hourLabel = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
// Daily buckets are UTC days: their labels are UTC dates, or a bucket would carry the neighbouring day's name west of UTC.
const dayLabel = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });

let slug = null;
let period = '24h';
let loading = 0;

// The roll-ups change at most once per pass (Cron:Analytics:RollupInterval, 5 min by default).
const REFRESH_MS = 300_000;

/** Wires the period buttons, loads the default period, and reloads the shown one every few minutes. */
export function wireTrends(jobSlug) {
  slug = jobSlug;
  setInterval(() => { if (!document.hidden) loadTrends(); }, REFRESH_MS);
  for (const button of document.querySelectorAll('#trend-periods button')) {
    button.addEventListener('click', () => {
      period = button.dataset.period;
      for (const b of document.querySelectorAll('#trend-periods button')) b.setAttribute('aria-pressed', String(b === button));
      loadTrends();
    });
  }
  return loadTrends();
}

export async function loadTrends() {
  const ticket = ++loading;
  const res = await api('GET', `${API}/jobs/${encodeURIComponent(slug)}/trend?period=${encodeURIComponent(period)}`);
  if (ticket !== loading) return; // a later click won
  if (!res.ok) {
    if (res.status !== 404) reportFailure(res, 'Could not load the trends');
    return;
  }
  renderTrend(res.data);
}

function renderTrend(trend) {
  const buckets = trend.buckets || [];
  const hourly = trend.bucketSize === 'hour';
  const label = b => hourly ? hourLabel.format(new Date(b.start)) : dayLabel.format(new Date(b.start));
  const empty = !trend.totals || trend.totals.runs === 0;
  $('#trend-empty').hidden = !empty;
  $('#trend-computed').textContent = trend.computedAt ? `Last rolled up ${formatLocal(trend.computedAt)}.` : 'Not rolled up yet.';
  renderTotals(trend.totals || {}, empty);
  const chart = { buckets, label, hourly, empty };
  successChart($('#trend-success'), chart);
  lineChart($('#trend-duration'), chart, 'durationP50Ms', 'durationP95Ms', 'p95');
  lineChart($('#trend-lateness'), chart, 'latenessP50Ms', 'latenessP99Ms', 'p99');
}

function renderTotals(t, empty) {
  const item = (label, value, title) => el('div', { title }, el('dt', { text: label }), el('dd', { text: value }));
  if (empty) { replaceChildren($('#trend-totals')); return; }
  const failures = (t.failed || 0) + (t.timedOut || 0) + (t.abandoned || 0);
  replaceChildren($('#trend-totals'),
    item('Runs', String(t.runs), 'Ended attempts in the period, whatever their status'),
    item('Success rate', formatPercent(t.successRate), 'Succeeded over the attempts that ran'),
    item('Failures', String(failures), `${t.failed || 0} failed, ${t.timedOut || 0} timed out, ${t.abandoned || 0} abandoned`),
    item('Not run', String((t.skipped || 0) + (t.missed || 0)), `${t.skipped || 0} skipped, ${t.missed || 0} missed`),
    item('Max duration', formatDuration(t.durationMaxMs)),
    item('Worst p95', formatDuration(t.worstDurationP95Ms), 'The highest p95 duration of a bucket (percentiles do not add up across buckets)'),
    item('Worst lateness p99', formatDuration(t.worstLatenessP99Ms), 'The highest p99 lateness of a bucket'),
    item('Memory peak', formatMb(t.memoryPeakMb)),
    item('CPU peak', t.cpuPeakPercent === null || t.cpuPeakPercent === undefined ? '—' : `${formatNumber(t.cpuPeakPercent, 1)} %`));
}

/** Clears the chart (keeping its title) and draws the frame: y grid with labels, x labels under some buckets. */
function frame(chart, { buckets, label, hourly }, ticks) {
  const title = chart.querySelector('title');
  replaceChildren(chart, title);
  for (const { y, text } of ticks) {
    chart.append(svg('line', { class: 'grid', x1: L, x2: W - R, y1: y, y2: y }));
    chart.append(svg('text', { x: L - 6, y: y + 4, 'text-anchor': 'end', text }));
  }
  chart.append(svg('line', { class: 'axis', x1: L, x2: W - R, y1: H - B, y2: H - B }));
  chart.append(svg('line', { class: 'axis', x1: L, x2: L, y1: T, y2: H - B }));
  const n = buckets.length;
  const step = hourly ? 4 : n <= 31 ? 5 : 61;
  for (let i = 0; i < n; i += step) {
    chart.append(svg('text', { x: slotX(i, n) + slotWidth(n) / 2, y: H - 8, 'text-anchor': 'middle', text: label(buckets[i]) }));
  }
}

const slotWidth = n => (W - L - R) / Math.max(1, n);
const slotX = (i, n) => L + i * slotWidth(n);

function emptyText(chart) {
  chart.append(svg('text', { class: 'empty', x: (L + W - R) / 2, y: (T + H - B) / 2, 'text-anchor': 'middle', text: 'No run ended in this period.' }));
}

function successChart(chart, data) {
  const py = rate => H - B - rate * (H - T - B);
  frame(chart, data, [0, 0.5, 1].map(r => ({ y: py(r), text: `${r * 100} %` })));
  if (data.empty) { emptyText(chart); return; }
  const n = data.buckets.length, w = slotWidth(n);
  data.buckets.forEach((b, i) => {
    const failures = (b.failed || 0) + (b.timedOut || 0) + (b.abandoned || 0);
    const notRun = (b.skipped || 0) + (b.missed || 0);
    if (b.successRate === null || b.successRate === undefined) {
      if (notRun > 0) {
        // Nothing ran, yet occurrences were recorded skipped or missed: a grey stub says so.
        chart.append(svg('rect', { class: 'bar-none', x: slotX(i, n) + w * 0.15, y: H - B - 3, width: Math.max(1, w * 0.7), height: 3 },
          svg('title', { text: `${data.label(b)}: nothing ran; ${notRun} skipped or missed` })));
      }
      return;
    }
    const kind = failures === 0 ? 'bar-all-ok' : b.successRate < 0.8 ? 'bar-many' : 'bar-some';
    const y = py(b.successRate);
    chart.append(svg('rect', { class: kind, x: slotX(i, n) + w * 0.15, y, width: Math.max(1, w * 0.7), height: Math.max(1, H - B - y), dataset: { start: b.start } },
      svg('title', { text: `${data.label(b)}: ${formatPercent(b.successRate)} of ${b.runs - notRun} · ${b.failed} failed, ${b.timedOut} timed out, ${b.abandoned} abandoned · ${notRun} not run` })));
  });
}

function lineChart(chart, data, lowKey, highKey, highName) {
  const values = data.buckets.flatMap(b => [b[lowKey], b[highKey]]).filter(v => v !== null && v !== undefined);
  const top = Math.max(1, ...values) * 1.1;
  const py = v => H - B - (Math.max(0, v) / top) * (H - T - B);
  frame(chart, data, [0, 0.5, 1].map(f => ({ y: py(top * f), text: formatDuration(top * f) })));
  if (data.empty || values.length === 0) { emptyText(chart); return; }
  const n = data.buckets.length, w = slotWidth(n);
  const cx = i => slotX(i, n) + w / 2;
  for (const [key, cls, name] of [[highKey, 'p95', highName], [lowKey, 'p50', 'p50']]) {
    // A bucket without the figure breaks the line instead of drawing it through zero.
    let run = [];
    const flush = () => {
      if (run.length > 1) chart.append(svg('polyline', { class: cls, points: run.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ') }));
      if (run.length === 1) chart.append(svg('circle', { class: `dot-${cls}`, cx: run[0][0], cy: run[0][1], r: 2 }));
      run = [];
    };
    data.buckets.forEach((b, i) => {
      const v = b[key];
      if (v === null || v === undefined) { flush(); return; }
      run.push([cx(i), py(v)]);
      if (n <= 31) {
        chart.append(svg('circle', { class: `dot-${cls}`, cx: cx(i), cy: py(v), r: 2.2 }, svg('title', { text: `${data.label(b)} · ${name} ${formatDuration(v)}` })));
      }
    });
    flush();
  }
}
