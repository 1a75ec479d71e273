// The next fire times of a schedule in a zone, asked of the server (the same parser as the scheduler's), with DST changes
// marked. Shared by the job page's configuration form and the new-job form.
import { el, replaceChildren, api, API, problemText, formatLocal } from './admin.js';

/**
 * Asks for the next `count` fire times. Resolves to { times, resolvedSchedule } when the schedule is valid, or
 * { errors: { schedule?, timeZone? } } naming the field at fault.
 */
export async function fetchPreview(schedule, timeZone, count = 10) {
  const res = await api('POST', `${API}/schedule/preview`, { body: { schedule, timeZone, count } });
  if (!res.ok) {
    const errors = (res.data && res.data.errors) || {};
    const scheduleErrors = errors.schedule || errors.Schedule;
    const zoneErrors = errors.timeZone || errors.TimeZone;
    return {
      errors: {
        schedule: scheduleErrors ? scheduleErrors.join(' ') : (zoneErrors ? undefined : problemText(res)),
        timeZone: zoneErrors ? zoneErrors.join(' ') : undefined,
      },
    };
  }
  const data = res.data;
  if (!data.isValid) {
    const field = data.errorField === 'timeZone' ? 'timeZone' : 'schedule';
    return { errors: { [field]: data.error || 'This schedule never fires.' } };
  }
  return { times: data.nextFireTimes || [], resolvedSchedule: data.resolvedSchedule };
}

/** Fills a list with fire times as wall times in the job's zone, marking where the zone's offset changes (DST). */
export function renderPreview(list, times) {
  let previous = null;
  replaceChildren(list, times.map(iso => {
    const offset = offsetOf(iso);
    const li = el('li', { title: `Your time: ${formatLocal(iso)}` }, el('time', { datetime: iso, text: wallTime(iso) }), el('span', { class: 'muted', text: ` (UTC${offset})` }));
    if (previous !== null && offset !== previous) {
      li.classList.add('dst');
      li.append(el('span', { class: 'dst-note', text: `DST change: UTC${previous} → UTC${offset}` }));
    }
    previous = offset;
    return li;
  }));
  if (!list.children.length) list.append(el('li', { class: 'muted', text: 'No upcoming fire times.' }));
}

/** "+01:00" from "2026-03-29T03:30:00+02:00"; "+00:00" for Z. */
function offsetOf(iso) {
  const m = /([+-]\d{2}:\d{2}|Z)$/.exec(iso);
  return !m || m[1] === 'Z' ? '+00:00' : m[1];
}

/** The wall time in the job's zone as the server wrote it: "Sun 29 Mar 2026, 03:30:00". */
function wallTime(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(iso);
  if (!m) return iso;
  const [, y, mo, d, h, mi, s] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  const day = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(date);
  return `${day}, ${h}:${mi}${s !== '00' ? `:${s}` : ''}`;
}

/** Fills a <datalist> with the browser's IANA zones, UTC first. */
export function fillZones(list) {
  if (list.children.length) return;
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const fragment = document.createDocumentFragment();
  for (const z of ['UTC', ...zones.filter(z => z !== 'UTC')]) fragment.append(el('option', { value: z }));
  list.append(fragment);
}
