// A job type's parameters as form fields, built from the type's JSON schema (GET /api/cron/job-types), and read back as the
// JSON object the API validates. Secret parameters (writeOnly in the schema) are password fields that are never filled: left
// empty, an edit keeps the stored value. Used by the new-job form and the job page's configuration form.
import { el } from './admin.js';

/** The schema's type, without "null" (an optional member is ["string", "null"]). */
function typeOf(property) {
  const t = Array.isArray(property.type) ? property.type.filter(x => x !== 'null') : [property.type];
  return t[0] || (property.enum ? 'string' : 'json');
}

/**
 * A fieldset of one input per parameter, filled with `values` (an object; secrets never come back from the API). `secrets`
 * names the secrets that hold a value, so their fields can say so. Each input is named `parameters.<name>` and has an error
 * box `<input id>-error`.
 */
export function parameterFields(schema, { values = {}, secrets = [], readOnly = false, idPrefix = 'param' } = {}) {
  const properties = (schema && schema.properties) || {};
  const required = new Set((schema && schema.required) || []);
  const fields = Object.entries(properties).map(([name, property]) => {
    const id = `${idPrefix}-${name}`;
    const type = typeOf(property);
    const secret = property.writeOnly === true;
    const value = values[name];
    let input;
    if (Array.isArray(property.enum)) {
      input = el('select', { id }, ...(!required.has(name) ? [el('option', { value: '', text: '(none)' })] : []),
        ...property.enum.filter(v => v !== null).map(v => el('option', { value: String(v), text: String(v) })));
      input.value = value === undefined || value === null ? (property.default ?? '') : String(value);
    } else if (type === 'boolean') {
      input = el('input', { id, type: 'checkbox' });
      input.checked = value === undefined ? property.default === true : value === true;
    } else if (type === 'integer' || type === 'number') {
      input = el('input', { id, type: 'number', step: type === 'integer' ? '1' : 'any', inputmode: 'numeric' });
      if (property.minimum !== undefined) input.min = String(property.minimum);
      if (property.maximum !== undefined) input.max = String(property.maximum);
      input.value = value === undefined || value === null ? (property.default ?? '') : String(value);
    } else if (type === 'array' && typeOf(property.items || {}) === 'string') {
      input = el('textarea', { id, rows: '3', spellcheck: 'false' });
      input.value = Array.isArray(value) ? value.join('\n') : '';
    } else if (type === 'string') {
      input = el('input', { id, type: secret ? 'password' : 'text', autocomplete: secret ? 'new-password' : 'off', spellcheck: 'false' });
      if (property.maxLength !== undefined) input.maxLength = property.maxLength;
      if (!secret) input.value = value === undefined || value === null ? (property.default ?? '') : String(value);
      if (secret) input.placeholder = secrets.includes(name) ? 'set — leave empty to keep it' : 'not set';
    } else {
      input = el('textarea', { id, rows: '3', spellcheck: 'false' });
      input.value = value === undefined ? '' : JSON.stringify(value);
    }
    input.name = `parameters.${name}`;
    input.dataset.parameter = name;
    input.dataset.kind = type === 'array' ? 'lines' : Array.isArray(property.enum) ? 'enum' : type;
    if (secret) input.dataset.secret = 'true';
    input.setAttribute('aria-describedby', `${id}-error`);
    // An edited field's error is about the value it had: gone with it.
    input.addEventListener(input.tagName === 'SELECT' || input.type === 'checkbox' ? 'change' : 'input', () => {
      const box = document.getElementById(`${id}-error`);
      if (box) box.textContent = '';
      input.removeAttribute('aria-invalid');
    });
    if (readOnly) { if (input.tagName === 'SELECT' || input.type === 'checkbox') input.disabled = true; else input.readOnly = true; }
    const hint = [property.description, secret ? 'Secret: never shown again, not even to admins.' : null,
      type === 'array' ? 'One entry per line.' : null].filter(Boolean).join(' ');
    return el('div', { class: 'field' },
      el('label', { for: id, text: `${name}${required.has(name) ? ' (required)' : ''}` }),
      input,
      hint ? el('span', { class: 'hint', text: hint }) : null,
      el('span', { id: `${id}-error`, class: 'field-error', 'aria-live': 'polite' }));
  });
  return el('fieldset', { class: 'parameters' }, el('legend', { text: 'Parameters' }),
    ...(fields.length ? fields : [el('p', { class: 'muted', text: 'This job type takes no parameters.' })]));
}

/**
 * The parameters as the API takes them. Empty optional fields are left out (the type's default applies); an empty secret is
 * left out (an edit keeps the stored one). A field that cannot be read is marked and named in the returned errors.
 */
export function readParameters(fieldset) {
  const value = {};
  const errors = {};
  for (const input of fieldset.querySelectorAll('[data-parameter]')) {
    const name = input.dataset.parameter;
    const raw = input.type === 'checkbox' ? input.checked : input.value;
    switch (input.dataset.kind) {
      case 'boolean': value[name] = raw; break;
      case 'integer':
      case 'number':
        if (raw.trim() === '') break;
        if (!Number.isFinite(Number(raw)) || (input.dataset.kind === 'integer' && !Number.isInteger(Number(raw)))) errors[name] = 'Enter a number.';
        else value[name] = Number(raw);
        break;
      case 'lines': value[name] = raw.split('\n').map(l => l.trim()).filter(Boolean); break;
      case 'json':
        if (raw.trim() === '') break;
        try { value[name] = JSON.parse(raw); } catch { errors[name] = 'Enter JSON.'; }
        break;
      default:
        if (raw !== '') value[name] = raw;
    }
  }
  return { value, errors };
}

/** Shows the API's errors on `parameters.<name>` in the fieldset; the others (not about one parameter) are returned. */
export function showParameterErrors(fieldset, errors) {
  const rest = {};
  for (const [key, messages] of Object.entries(errors || {})) {
    const m = /^parameters\.([^.[]+)/.exec(key);
    const input = m && fieldset.querySelector(`[data-parameter="${CSS.escape(m[1])}"]`);
    if (input) {
      document.getElementById(`${input.id}-error`).textContent = [].concat(messages).join(' ');
      input.setAttribute('aria-invalid', 'true');
    } else {
      rest[key] = messages;
    }
  }
  return rest;
}

/** Clears every parameter's error. */
export function clearParameterErrors(fieldset) {
  for (const input of fieldset.querySelectorAll('[data-parameter]')) {
    document.getElementById(`${input.id}-error`).textContent = '';
    input.removeAttribute('aria-invalid');
  }
}
