// The audit trail (admins and auditors): who did what, when and from where, newest first, with
// filters and exports. Every value is text (h() never parses markup), names and agents included.
import { api, h, replaceChildren, setUpChrome, timeEl } from './common.js';

setUpChrome();
const main = document.getElementById('main');
const status = h('div', { class: 'list-state', role: 'status', 'aria-live': 'polite' });
const body = h('tbody');
const more = h('button', { type: 'button', class: 'ghost more', hidden: true, onclick: () => load(true) }, 'Older entries');
const fields = {
  actor: h('input', { id: 'audit-actor', name: 'actor', placeholder: 'name, e-mail or id' }),
  action: h('input', { id: 'audit-action', name: 'action', placeholder: 'e.g. conversations.' }),
  target: h('input', { id: 'audit-target', name: 'target', placeholder: 'an id' }),
  from: h('input', { id: 'audit-from', name: 'from', type: 'datetime-local' }),
  to: h('input', { id: 'audit-to', name: 'to', type: 'datetime-local' }),
  q: h('input', { id: 'audit-q', name: 'q', type: 'search', placeholder: 'anything' }),
};
const exportCsv = h('a', { class: 'button ghost', href: '/api/v1/audit/export?format=csv' }, 'Export CSV');
const exportNdjson = h('a', { class: 'button ghost', href: '/api/v1/audit/export?format=ndjson' }, 'Export NDJSON');
let cursor = null;

const label = (text, input) => h('label', { for: input.id }, text, input);
replaceChildren(main, h('div', { class: 'audit-page' },
  h('div', { class: 'list-head' }, h('h1', {}, 'Audit trail'), h('span', { class: 'exports' }, exportCsv, ' ', exportNdjson)),
  h('p', { class: 'hint' }, 'Every change made by a person or an app, refused and failed attempts included, sign-ins, reveals of hidden details and exports. Entries cannot be changed or deleted.'),
  h('form', { class: 'filters audit-filters', role: 'search', 'aria-label': 'Filter the audit trail', onsubmit: (e) => { e.preventDefault(); load(false); } },
    label('Who', fields.actor), label('Action', fields.action), label('Target', fields.target),
    label('From', fields.from), label('To', fields.to), label('Text', fields.q),
    h('button', { type: 'submit', class: 'primary' }, 'Search')),
  status,
  h('table', { class: 'settings-table audit-table' },
    h('thead', {}, h('tr', {}, ['When', 'Who', 'Action', 'Target', 'Outcome', 'From'].map((t) => h('th', { scope: 'col' }, t)))),
    body),
  more));

function query() {
  const params = new URLSearchParams();
  for (const [name, input] of Object.entries(fields)) {
    if (!input.value) continue;
    params.set(name, input.type === 'datetime-local' ? new Date(input.value).toISOString() : input.value.trim());
  }
  return params;
}

function outcome(code) {
  if (code < 400) return h('span', { class: 'outcome ok' }, `done (${code})`);
  if (code < 500) return h('span', { class: 'outcome refused' }, `refused (${code})`);
  return h('span', { class: 'outcome failed' }, `failed (${code})`);
}

function row(e) {
  const who = e.actor.kind === 'anonymous' && !e.actor.email ? 'anonymous'
    : `${e.actor.name || e.actor.email || e.actor.id || ''}${e.actor.kind === 'app' ? ' (app)' : e.actor.kind === 'key' ? ' (key)' : ''}`;
  return h('tr', { dataset: { id: String(e.id) } },
    h('td', {}, timeEl(e.at)),
    h('td', { title: [e.actor.email, e.actor.id, e.actor.keyId && `key ${e.actor.keyId}`].filter(Boolean).join(' · ') }, who),
    h('td', { title: `${e.method} ${e.route}` }, h('code', {}, e.action)),
    h('td', {}, Object.entries(e.targets).map(([k, v]) => h('div', {}, `${k} ${v}`))),
    h('td', {}, outcome(e.status)),
    h('td', { title: e.userAgent ?? '' }, e.remoteIp ?? ''));
}

async function load(older) {
  const params = query();
  const range = new URLSearchParams([...params].filter(([k]) => k === 'from' || k === 'to'));
  exportCsv.setAttribute('href', `/api/v1/audit/export?format=csv&${range}`);
  exportNdjson.setAttribute('href', `/api/v1/audit/export?format=ndjson&${range}`);
  if (older && cursor) params.set('cursor', String(cursor));
  params.set('limit', '100');
  try {
    const page = await api(`/api/v1/audit?${params}`);
    if (!older) replaceChildren(body);
    body.append(...page.items.map(row));
    cursor = page.nextCursor;
    more.hidden = !cursor;
    replaceChildren(status, body.children.length ? null : h('p', { class: 'empty' }, 'No entries match these filters.'));
  } catch (e) {
    replaceChildren(status, h('p', { class: 'form-error' }, `Could not load the audit trail: ${e.message} `,
      h('button', { type: 'button', onclick: () => load(false) }, 'Try again')));
  }
}

load(false);
