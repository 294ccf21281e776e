// People and teams. Everyone sees their colleagues; admins add people, change roles and teams,
// reset passwords, unlock and disable accounts, and add teams.
import { api, h, me, replaceChildren, toast, Live, setUpChrome } from './common.js';

setUpChrome();
const main = document.getElementById('main');
const isAdmin = me.role === 'admin';
const state = { users: [], teams: [], brands: [] };

async function load() {
  try {
    const [users, teams, brands] = await Promise.all([
      api('/api/v1/users'), api('/api/v1/teams'), isAdmin ? api('/api/v1/brands') : Promise.resolve([]),
    ]);
    Object.assign(state, { users, teams, brands });
    render();
  } catch (e) {
    replaceChildren(main, h('p', { class: 'form-error' }, `Could not load people: ${e.message} `,
      h('button', { type: 'button', onclick: load }, 'Try again')));
  }
}

function teamName(teamId) {
  return state.teams.find((t) => t.id === teamId)?.name ?? 'a team you cannot see';
}

// The forms are built once and kept: the page reloads whenever the live feed (re)connects or anyone
// changes people, and rebuilding them would wipe what an admin is typing.
const forms = { person: null, team: null };

function render() {
  forms.person ??= isAdmin ? addPersonForm() : null;
  forms.team ??= isAdmin ? addTeamForm() : null;
  forms.person?.syncTeams();
  forms.team?.syncBrands();
  replaceChildren(main, h('div', { class: 'people-page' },
    h('h1', {}, 'People'),
    isAdmin ? null : h('p', { class: 'hint' }, 'Only admins can change people and teams.'),
    h('table', { class: 'people' },
      h('caption', { class: 'visually-hidden' }, 'People'),
      h('thead', {}, h('tr', {}, ['Name', 'E-mail', 'Mention', 'Role', 'Teams', 'Status', isAdmin ? 'Change' : null]
        .filter(Boolean).map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, state.users.map(personRow))),
    forms.person?.element,
    h('h2', {}, 'Teams'),
    h('ul', { class: 'teams' }, state.teams.map((t) => h('li', {},
      h('strong', {}, t.name), ` · ${state.brands.find((b) => b.id === t.brandId)?.name ?? 'brand'} · `,
      `${t.memberIds.length} member${t.memberIds.length === 1 ? '' : 's'}: `,
      t.memberIds.map((m) => state.users.find((u) => u.id === m)?.name ?? '?').join(', ')))),
    forms.team?.element));
}

/** Replaces a select's options with the given items, keeping whatever was selected. */
function syncOptions(select, items) {
  const selected = new Set([...select.selectedOptions].map((o) => o.value));
  replaceChildren(select, items.map((x) => h('option', { value: x.id, selected: selected.has(x.id) }, x.name)));
}

function personRow(u) {
  const locked = u.lockedUntil && new Date(u.lockedUntil) > new Date();
  return h('tr', { dataset: { id: u.id } },
    h('th', { scope: 'row' }, u.name, u.id === me.id ? ' (you)' : ''),
    h('td', {}, u.email),
    h('td', {}, '@' + u.mention),
    h('td', {}, u.role),
    h('td', {}, u.teamIds.map(teamName).join(', ') || '—'),
    h('td', {}, u.disabled ? 'Disabled' : locked ? 'Locked after failed sign-ins' : 'Active'),
    isAdmin ? h('td', {}, editPerson(u, locked)) : null);
}

function editPerson(u, locked) {
  const role = h('select', { 'aria-label': `Role of ${u.name}` }, ['agent', 'lead', 'admin', 'auditor'].map((r) => h('option', { value: r, selected: r === u.role }, r)));
  const teams = h('select', { multiple: true, 'aria-label': `Teams of ${u.name}`, size: String(Math.min(4, Math.max(2, state.teams.length))) },
    state.teams.map((t) => h('option', { value: t.id, selected: u.teamIds.includes(t.id) }, t.name)));
  const save = async () => {
    await patch(u, { role: role.value, teamIds: [...teams.selectedOptions].map((o) => o.value) }, 'Saved.');
  };
  return h('div', { class: 'person-edit' }, role, teams,
    h('button', { type: 'button', class: 'small', onclick: save }, 'Save'),
    h('button', { type: 'button', class: 'small ghost', onclick: () => resetPassword(u) }, 'New password'),
    locked ? h('button', { type: 'button', class: 'small ghost', onclick: () => patch(u, { unlock: true }, 'Unlocked.') }, 'Unlock') : null,
    h('button', { type: 'button', class: 'small ghost', onclick: () => patch(u, { disabled: !u.disabled }, u.disabled ? 'Enabled.' : 'Disabled.') },
      u.disabled ? 'Enable' : 'Disable'));
}

async function patch(u, body, done) {
  try {
    await api(`/api/v1/users/${u.id}`, { method: 'PATCH', body });
    toast(done);
    await load();
  } catch (e) { toast(e.message, { kind: 'error' }); }
}

async function resetPassword(u) {
  const password = prompt(`New password for ${u.name} (at least 10 characters)`);
  if (password) await patch(u, { password }, `Password changed; ${u.name}'s other sessions have ended.`);
}

function addPersonForm() {
  const name = h('input', { id: 'new-name', required: true, autocomplete: 'off' });
  const email = h('input', { id: 'new-email', type: 'email', required: true, autocomplete: 'off' });
  const role = h('select', { id: 'new-role' }, ['agent', 'lead', 'admin', 'auditor'].map((r) => h('option', { value: r }, r)));
  const teams = h('select', { id: 'new-teams', multiple: true });
  const password = h('input', { id: 'new-password', type: 'password', autocomplete: 'new-password', minlength: '10' });
  const result = h('p', { role: 'status', class: 'result' });
  const element = h('form', {
    class: 'card add-person', 'aria-labelledby': 'add-person-title',
    onsubmit: async (e) => {
      e.preventDefault();
      try {
        const created = await api('/api/v1/users', {
          method: 'POST',
          body: { name: name.value, email: email.value, role: role.value, password: password.value || undefined, teamIds: [...teams.selectedOptions].map((o) => o.value) },
        });
        result.textContent = created.generatedPassword
          ? `Added ${created.user.name}. Their password (shown once): ${created.generatedPassword}`
          : `Added ${created.user.name}.`;
        element.reset();
        await load();
      } catch (err) { result.textContent = err.message; }
    },
  },
  h('h2', { id: 'add-person-title' }, 'Add a person'),
  h('div', { class: 'grid' },
    h('div', { class: 'field' }, h('label', { for: 'new-name' }, 'Name'), name),
    h('div', { class: 'field' }, h('label', { for: 'new-email' }, 'E-mail'), email),
    h('div', { class: 'field' }, h('label', { for: 'new-role' }, 'Role'), role),
    h('div', { class: 'field' }, h('label', { for: 'new-teams' }, 'Teams'), teams),
    h('div', { class: 'field' }, h('label', { for: 'new-password' }, 'Password (empty: generate one)'), password)),
  h('button', { type: 'submit', class: 'primary' }, 'Add person'), result);
  return { element, syncTeams: () => syncOptions(teams, state.teams) };
}

function addTeamForm() {
  const name = h('input', { id: 'team-name', required: true });
  const brand = h('select', { id: 'team-brand' });
  const element = h('form', {
    class: 'card add-team', 'aria-labelledby': 'add-team-title',
    onsubmit: async (e) => {
      e.preventDefault();
      try {
        await api('/api/v1/teams', { method: 'POST', body: { name: name.value, brandId: brand.value } });
        toast(`Added team ${name.value}.`);
        element.reset();
        await load();
      } catch (err) { toast(err.message, { kind: 'error' }); }
    },
  },
  h('h2', { id: 'add-team-title' }, 'Add a team'),
  h('div', { class: 'grid' },
    h('div', { class: 'field' }, h('label', { for: 'team-name' }, 'Name'), name),
    h('div', { class: 'field' }, h('label', { for: 'team-brand' }, 'Brand'), brand)),
  h('button', { type: 'submit', class: 'primary' }, 'Add team'));
  return { element, syncBrands: () => syncOptions(brand, state.brands) };
}

new Live({ onEvent(type) { if (type === 'people.changed') load(); }, onResync: load }).start();
load();
