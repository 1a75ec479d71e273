// The job page's performance panel: figures from the job's statistics and a duration chart of the executions on the page.
import { $, el, svg, replaceChildren, formatDuration, formatPercent, formatNumber, formatMb, FAILURE_STATUSES, formatLocal } from './admin.js';

export function renderStats(job) {
  const s = job.statistics || {};
  const item = (label, value, title) => el('div', { title }, el('dt', { text: label }), el('dd', { text: value }));
  replaceChildren($('#stats'),
    item('Success rate', formatPercent(s.successRate), `Of the last ${s.sampleSize} ended attempts`),
    item('p50', formatDuration(s.p50DurationMs)),
    item('p95', formatDuration(s.p95DurationMs)),
    item('p99', formatDuration(s.p99DurationMs)),
    item('Max', formatDuration(s.maxDurationMs)),
    item('Average', formatDuration(s.averageDurationMs)),
    item('Avg memory', formatMb(s.averageMemoryMb)),
    item('Avg CPU', s.averageCpuPercent === null || s.averageCpuPercent === undefined ? '—' : `${formatNumber(s.averageCpuPercent, 1)} %`),
    item('Retries', String(s.retryAttempts ?? 0), 'Attempts in the sample that were retries'),
    item('Sample', String(s.sampleSize ?? 0), 'Ended attempts the figures come from'),
    item('Runs 24 h', String(s.runsLast24Hours ?? 0)),
    item('Failures 24 h', String(s.failuresLast24Hours ?? 0)),
    item('Not run 24 h', String(s.notRunLast24Hours ?? 0), 'Skipped or missed occurrences'));
}

export function renderChart(items) {
  const chart = $('#duration-chart');
  const W = 640, H = 220, L = 56, R = 12, T = 12, B = 30;
  const title = chart.querySelector('title');
  replaceChildren(chart, title);
  const points = items
    .filter(x => x.durationMs !== null && x.durationMs !== undefined && (x.startedAt || x.scheduledFor))
    .map(x => ({ x, t: Date.parse(x.startedAt || x.scheduledFor), d: Number(x.durationMs) }))
    .sort((a, b) => a.t - b.t);
  if (!points.length) {
    chart.append(svg('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', text: 'No durations among the executions on this page.' }));
    return;
  }
  const t0 = points[0].t, t1 = points[points.length - 1].t;
  const maxD = Math.max(1, ...points.map(p => p.d)) * 1.1;
  const px = t => t1 === t0 ? (L + (W - R)) / 2 : L + ((t - t0) / (t1 - t0)) * (W - L - R);
  const py = d => H - B - (d / maxD) * (H - T - B);
  // Grid and axes.
  for (let i = 0; i <= 4; i++) {
    const d = (maxD / 4) * i;
    const y = py(d);
    chart.append(svg('line', { class: i === 0 ? 'axis' : 'grid', x1: L, x2: W - R, y1: y, y2: y }));
    chart.append(svg('text', { x: L - 6, y: y + 4, 'text-anchor': 'end', text: formatDuration(d) }));
  }
  chart.append(svg('line', { class: 'axis', x1: L, x2: L, y1: T, y2: H - B }));
  chart.append(svg('text', { x: L, y: H - 8, 'text-anchor': 'start', text: formatLocal(new Date(t0).toISOString(), true) }));
  if (t1 !== t0) chart.append(svg('text', { x: W - R, y: H - 8, 'text-anchor': 'end', text: formatLocal(new Date(t1).toISOString(), true) }));
  // Line through successful runs, then every point.
  const ok = points.filter(p => p.x.status === 'succeeded');
  if (ok.length > 1) chart.append(svg('polyline', { class: 'line', points: ok.map(p => `${px(p.t).toFixed(1)},${py(p.d).toFixed(1)}`).join(' ') }));
  for (const p of points) {
    const x = px(p.t), y = py(p.d);
    const label = `${p.x.status} · ${formatDuration(p.d)} · ${formatLocal(new Date(p.t).toISOString())}${p.x.retryCount ? ` · retry ${p.x.retryCount}` : ''}`;
    let shape;
    if (FAILURE_STATUSES.has(p.x.status)) {
      shape = svg('polygon', { class: 'pt-bad', points: `${x},${y - 6} ${x - 5.5},${y + 4} ${x + 5.5},${y + 4}`, dataset: { status: p.x.status } });
    } else {
      shape = svg('circle', { class: p.x.status === 'succeeded' ? 'pt-ok' : 'pt-other', cx: x, cy: y, r: 3.5, dataset: { status: p.x.status } });
    }
    shape.append(svg('title', { text: label }));
    chart.append(shape);
  }
}

