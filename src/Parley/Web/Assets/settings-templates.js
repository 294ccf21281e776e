// Saved replies: per brand or per team, with variables filled in from the conversation when an agent picks one.
import { api, h, replaceChildren, toast, setUpChrome, confirmDialog } from './common.js';
import { settingsShell, loadContext, brandPicker, field, teamName, canManage } from './settings.js';

setUpChrome();
const body = settingsShell('templates', 'Saved replies',
  'Replies agents find from the composer (“Saved replies”, or Alt+T). Variables are filled in for each conversation; one without a value stays for the agent to complete.');
const state = { brandId: null, teams: [], users: [], brands: [], templates: [], variables: [], editing: null, q: '' };
const listBox = h('section', { class: 'card', 'aria-labelledby': 'templates-h' });
const formBox = h('section', { class: 'card', 'aria-labelledby': 'template-form-h' });
const search = h('input', { type: 'search', id: 'template-filter', placeholder: 'Search by name or words', 'aria-label': 'Search saved replies' });
let searchTimer = null;
search.addEventListener('input', () => { clearTimeout(searchTimer); searchTimer = setTimeout(load, 200); });

async function start() {
  const [context, variables] = await Promise.all([loadContext(), api('/api/v1/templates/variables')]);
  Object.assign(state, context, { variables });
  replaceChildren(body, brandPicker(state.brands, (id) => { state.brandId = id; state.editing = null; load(); }), listBox, canManage ? formBox : null);
}

async function load() {
  const q = search.value.trim();
  state.templates = await api(`/api/v1/templates?brandId=${state.brandId}&limit=200` + (q ? `&q=${encodeURIComponent(q)}` : ''));
  renderList();
  if (canManage) renderForm();
}

function renderList() {
  replaceChildren(listBox, h('h2', { id: 'templates-h' }, 'Saved replies'), search,
    state.templates.length === 0 ? h('p', { class: 'empty' }, search.value ? 'None matches.' : 'No saved replies yet.')
      : h('ul', { class: 'rule-list', id: 'templates-list' }, state.templates.map((t) => h('li', { dataset: { id: t.id } },
        h('strong', {}, t.name), ` · ${t.teamId ? 'team ' + teamName(state.teams, t.teamId) : 'whole brand'}`,
        h('p', { class: 'template-text' }, t.text),
        canManage ? h('span', { class: 'row-actions' },
          h('button', { type: 'button', class: 'small ghost', onclick: () => { state.editing = t; renderForm(); formBox.scrollIntoView(); } }, 'Edit'),
          h('button', {
            type: 'button', class: 'small ghost', 'aria-label': `Delete saved reply ${t.name}`,
            onclick: async () => {
              if (!await confirmDialog('Delete this saved reply?', `“${t.name}” will no longer be offered.`, 'Delete')) return;
              try { await api(`/api/v1/templates/${t.id}`, { method: 'DELETE' }); await load(); } catch (e) { toast(e.message, { kind: 'error' }); }
            },
          }, 'Delete')) : null))));
}

function renderForm() {
  const t = state.editing;
  const teams = state.teams.filter((x) => x.brandId === state.brandId);
  const name = h('input', { type: 'text', id: 'template-name', required: true, value: t?.name ?? '' });
  const team = h('select', { id: 'template-team' }, h('option', { value: '' }, 'Whole brand'), teams.map((x) => h('option', { value: x.id, selected: x.id === t?.teamId }, x.name)));
  const text = h('textarea', { id: 'template-text', rows: '4', required: true }, t?.text ?? '');
  const insert = (v) => {
    const at = text.selectionStart ?? text.value.length;
    text.value = text.value.slice(0, at) + `{${v}}` + text.value.slice(text.selectionEnd ?? at);
    text.focus();
  };
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  replaceChildren(formBox, h('h2', { id: 'template-form-h' }, t ? `Edit “${t.name}”` : 'Add a saved reply'),
    h('form', {
      class: 'settings-form', id: 'template-form',
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          await api(t ? `/api/v1/templates/${t.id}` : '/api/v1/templates', {
            method: t ? 'PUT' : 'POST', body: { brandId: state.brandId, teamId: team.value || null, name: name.value, text: text.value },
          });
          toast(t ? 'Saved.' : 'Saved reply added.');
          state.editing = null;
          await load();
        } catch (err) {
          error.textContent = err.message;
          error.hidden = false;
        }
      },
    },
    h('div', { class: 'grid' }, field('Name', name), field('For', team)),
    field('Text', text),
    h('p', { class: 'variables' }, 'Insert: ', state.variables.map((v) => h('button', { type: 'button', class: 'small ghost', title: v.meaning, onclick: () => insert(v.name) }, `{${v.name}}`))),
    error,
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'primary' }, t ? 'Save' : 'Add saved reply'),
      t ? h('button', { type: 'button', class: 'ghost', onclick: () => { state.editing = null; renderForm(); } }, 'Cancel') : null)));
}

start().catch((e) => replaceChildren(body, h('p', { class: 'form-error' }, `Could not load: ${e.message}`)));
