// The list page's "New job": a job from a registered job type, its parameter fields built from the type's schema, the
// schedule previewed as it is typed. Admins only; the button stays hidden when no job type is registered.
import { $, el, replaceChildren, api, API, problemText, canAdmin, debounce, describeCron, jobHref, fieldError } from './admin.js';
import { fetchPreview, renderPreview, fillZones } from './schedule-preview.js';
import { parameterFields, readParameters, showParameterErrors, clearParameterErrors } from './job-parameters.js';

const FIELDS = ['type', 'slug', 'name', 'description', 'schedule', 'timeZone', 'timeoutMs', 'maxRetries', 'misfirePolicy'];
let types = [];
let previewSeq = 0;

/** Shows "New job" to admins when job types exist, and wires its dialog. */
export async function wireNewJob() {
  if (!canAdmin()) return;
  const res = await api('GET', `${API}/job-types`);
  if (!res.ok || !res.data || !res.data.length) return;
  types = res.data;
  const dialog = $('#new-job-dialog');
  const form = $('#new-job-form');
  const select = form.elements.type;
  replaceChildren(select, types.map(t => el('option', { value: t.name, text: t.displayName === t.name ? t.name : `${t.displayName} (${t.name})` })));
  fillZones($('#new-zones'));
  $('#new-job').hidden = false;
  $('#new-job').addEventListener('click', () => {
    form.reset();
    delete form.elements.name.dataset.touched;
    form.elements.timeZone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
    for (const f of FIELDS) setError(f, '');
    setMessage('');
    showType();
    updatePreview();
    dialog.showModal();
    form.elements.slug.focus();
  });
  $('#cancel-new-job').addEventListener('click', () => dialog.close());
  select.addEventListener('change', showType);
  const preview = debounce(updatePreview, 300);
  form.elements.schedule.addEventListener('input', () => { setError('schedule', ''); preview(); });
  form.elements.timeZone.addEventListener('input', () => { setError('timeZone', ''); preview(); });
  // The name follows the slug until the admin types one.
  form.elements.slug.addEventListener('input', () => {
    setError('slug', '');
    if (!form.elements.name.dataset.touched) form.elements.name.value = form.elements.slug.value.replace(/-/g, ' ').replace(/^./, c => c.toUpperCase());
  });
  form.elements.name.addEventListener('input', () => { form.elements.name.dataset.touched = 'true'; setError('name', ''); });
  form.addEventListener('input', () => setMessage(''));
  form.addEventListener('submit', create);
}

function selectedType() {
  return types.find(t => t.name === $('#new-job-form').elements.type.value);
}

function showType() {
  const type = selectedType();
  $('#new-type-description').textContent = type ? type.description || '' : '';
  replaceChildren($('#new-parameters'), type ? parameterFields(type.parametersSchema, { idPrefix: 'new-param' }) : null);
}

async function updatePreview() {
  const form = $('#new-job-form');
  const schedule = form.elements.schedule.value.trim();
  const timeZone = form.elements.timeZone.value.trim() || 'UTC';
  const seq = ++previewSeq;
  const list = $('#new-preview');
  $('#new-preview-zone').textContent = `in ${timeZone}`;
  const words = describeCron(schedule);
  $('#new-schedule-words').textContent = words ? `Runs ${words}.` : '';
  if (!schedule) { replaceChildren(list, el('li', { class: 'muted', text: 'Enter a schedule to see when it fires.' })); return; }
  const preview = await fetchPreview(schedule, timeZone, 5);
  if (seq !== previewSeq) return; // a newer keystroke won
  setError('schedule', '');
  setError('timeZone', '');
  if (preview.errors) {
    for (const [field, text] of Object.entries(preview.errors)) if (text) setError(field, text);
    replaceChildren(list);
    return;
  }
  renderPreview(list, preview.times);
}

async function create(event) {
  event.preventDefault();
  const form = $('#new-job-form');
  const fieldset = $('#new-parameters fieldset');
  for (const f of FIELDS) setError(f, '');
  if (fieldset) clearParameterErrors(fieldset);
  setMessage('');
  const parameters = fieldset ? readParameters(fieldset) : { value: {}, errors: {} };
  const body = {
    slug: form.elements.slug.value.trim(), type: form.elements.type.value, name: form.elements.name.value.trim(),
    description: form.elements.description.value.trim(), schedule: form.elements.schedule.value.trim(),
    timeZone: form.elements.timeZone.value.trim() || undefined, enabled: form.elements.enabled.checked, parameters: parameters.value,
  };
  for (const field of ['timeoutMs', 'maxRetries']) {
    const raw = form.elements[field].value.trim();
    if (raw === '') continue;
    if (!Number.isInteger(Number(raw))) setError(field, 'Enter a whole number.');
    else body[field] = Number(raw);
  }
  if (form.elements.misfirePolicy.value) body.misfirePolicy = form.elements.misfirePolicy.value;
  if (fieldset && Object.keys(parameters.errors).length) {
    showParameterErrors(fieldset, Object.fromEntries(Object.entries(parameters.errors).map(([k, v]) => [`parameters.${k}`, [v]])));
  }
  if (form.querySelector('[aria-invalid="true"]')) { setMessage('Fix the fields marked in red.'); return; }
  const button = $('#create-job');
  button.disabled = true;
  try {
    const res = await api('POST', `${API}/jobs`, { body });
    if (res.ok) {
      location.assign(jobHref(res.data.slug));
      return;
    }
    const errors = (res.data && res.data.errors) || {};
    const rest = fieldset ? showParameterErrors(fieldset, errors) : errors;
    const other = [];
    for (const [key, messages] of Object.entries(rest)) {
      const field = FIELDS.find(f => f.toLowerCase() === key.toLowerCase());
      if (field) setError(field, [].concat(messages).join(' '));
      else other.push(`${key}: ${[].concat(messages).join(' ')}`);
    }
    setMessage(other.length ? other.join(' ') : Object.keys(errors).length ? 'Not created: fix the fields marked in red.' : `Not created: ${problemText(res)}`);
  } finally {
    button.disabled = false;
  }
}

function setError(field, text) {
  fieldError($('#new-job-form'), `new-${field}-error`, field, text);
}

function setMessage(text) {
  const box = $('#new-job-message');
  box.textContent = text;
  box.className = text ? 'bad' : '';
}
