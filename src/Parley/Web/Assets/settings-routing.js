// Queues and routing: how each team's queue hands out work, the rules that put new conversations in
// queues (tried in order, the first match decides), and the people routing can give work to.
import { api, h, replaceChildren, toast, setUpChrome, Live, confirmDialog } from './common.js';
import {
  settingsShell, loadContext, brandPicker, field, checkbox, options, splitList, teamName, canManage,
} from './settings.js';

setUpChrome();
const body = settingsShell('routing', 'Queues and routing',
  'Every team has a queue. Routing rules put each new conversation in one; a queue can hand its conversations out by itself, to people who are online, have room and the skills.');
const state = { brandId: null, teams: [], users: [], brands: [], queues: [], rules: [], agents: [], editing: null };
const queuesBox = h('section', { class: 'card', 'aria-labelledby': 'queues-h' });
const rulesBox = h('section', { class: 'card', 'aria-labelledby': 'rules-h' });
const agentsBox = h('section', { class: 'card', 'aria-labelledby': 'agents-h' });

async function start() {
  try {
    Object.assign(state, await loadContext());
  } catch (e) {
    replaceChildren(body, h('p', { class: 'form-error' }, `Could not load: ${e.message}`));
    return;
  }
  replaceChildren(body, brandPicker(state.brands, (id) => { state.brandId = id; load(); }), queuesBox, rulesBox, agentsBox);
}

async function load() {
  const [queues, rules, agents] = await Promise.all([
    api(`/api/v1/queues?brandId=${state.brandId}`), api(`/api/v1/routing-rules?brandId=${state.brandId}`), api('/api/v1/agents'),
  ]);
  Object.assign(state, { queues, rules, agents });
  render();
}

function render() {
  renderQueues();
  renderRules();
  renderAgents();
}

// ---------- queues ----------
function renderQueues() {
  const teams = state.teams.filter((t) => t.brandId === state.brandId);
  replaceChildren(queuesBox, h('h2', { id: 'queues-h' }, 'Queues'),
    teams.length === 0 ? h('p', { class: 'empty' }, 'No teams yet; add teams on the People page.') : h('table', { class: 'settings-table', id: 'queues-table' },
      h('thead', {}, h('tr', {}, ['Queue', 'Waiting / open', 'Assign by itself', 'Fairness', 'Sticky', 'Required skills', 'Responders', ''].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, state.queues.map(queueRow))));
}

function queueRow(q) {
  const auto = checkbox('automatically', q.autoAssign, { 'aria-label': `${q.name}: assign automatically`, disabled: !canManage });
  const fairness = h('select', { 'aria-label': `${q.name}: fairness`, disabled: !canManage },
    options([['leastBusy', 'Least busy'], ['roundRobin', 'Round robin']], q.fairness));
  const sticky = checkbox('same agent again', q.sticky, { 'aria-label': `${q.name}: prefer who helped the customer before`, disabled: !canManage });
  const skills = h('input', { type: 'text', value: q.requiredSkills.join(', '), placeholder: 'e.g. es, billing', 'aria-label': `${q.name}: required skills`, disabled: !canManage });
  const responders = h('select', { multiple: true, size: '3', 'aria-label': `${q.name}: responders (answer this queue's domain)`, disabled: !canManage },
    state.users.filter((u) => !u.disabled).map((u) => h('option', { value: u.id, selected: q.responderIds.includes(u.id) }, u.name)));
  const save = h('button', {
    type: 'button', class: 'small', hidden: !canManage,
    onclick: async () => {
      try {
        await api(`/api/v1/queues/${q.teamId}`, {
          method: 'PUT',
          body: {
            autoAssign: auto.input.checked, fairness: fairness.value, sticky: sticky.input.checked,
            requiredSkills: splitList(skills.value), responderIds: [...responders.selectedOptions].map((o) => o.value),
          },
        });
        toast(`Saved the ${q.name} queue.`);
        state.queues = await api(`/api/v1/queues?brandId=${state.brandId}`);
        renderQueues();
      } catch (e) { toast(e.message, { kind: 'error' }); }
    },
  }, 'Save');
  return h('tr', { dataset: { team: q.teamId } },
    h('th', { scope: 'row' }, h('a', { href: `/?status=open&team=${q.teamId}` }, q.name), h('div', { class: 'hint small' }, `${q.memberIds.length} member${q.memberIds.length === 1 ? '' : 's'}`)),
    h('td', {}, `${q.waiting} / ${q.open}`),
    h('td', {}, auto.el), h('td', {}, fairness), h('td', {}, sticky.el), h('td', {}, skills), h('td', {}, responders), h('td', {}, save));
}

// ---------- rules ----------
function describeRule(r) {
  const parts = [];
  if (r.channelKind) parts.push(r.channelKind === 'x' ? 'on X' : 'on Facebook / Instagram');
  if (r.language) parts.push(`in ${r.language}`);
  if (r.keywords.length) parts.push(`mentions ${r.keywords.map((k) => `“${k}”`).join(' or ')}`);
  if (r.minPriority != null) parts.push(`priority ≥ ${r.minPriority}`);
  return parts.length ? parts.join(', ') : 'everything';
}

function renderRules() {
  const teams = state.teams.filter((t) => t.brandId === state.brandId);
  replaceChildren(rulesBox, h('h2', { id: 'rules-h' }, 'Routing rules'),
    h('p', { class: 'hint' }, 'Tried from the top; the first rule that matches a new conversation decides its queue. No match: it stays in the brand\'s shared front line.'),
    state.rules.length === 0 ? h('p', { class: 'empty' }, 'No rules yet.') : h('ol', { class: 'rule-list', id: 'rule-list' }, state.rules.map((r) => h('li', { class: r.enabled ? '' : 'disabled', dataset: { id: r.id } },
      h('strong', {}, r.name), ` → ${teamName(state.teams, r.teamId)} · ${describeRule(r)}`, r.enabled ? '' : ' (off)',
      canManage ? h('span', { class: 'row-actions' },
        h('button', { type: 'button', class: 'small ghost', onclick: () => { state.editing = r; renderRules(); } }, 'Edit'),
        h('button', {
          type: 'button', class: 'small ghost', 'aria-label': `Delete rule ${r.name}`,
          onclick: async () => {
            if (!await confirmDialog('Delete this rule?', `“${r.name}” will no longer route conversations.`, 'Delete')) return;
            try { await api(`/api/v1/routing-rules/${r.id}`, { method: 'DELETE' }); await load(); } catch (e) { toast(e.message, { kind: 'error' }); }
          },
        }, 'Delete')) : null))),
    canManage && teams.length ? ruleForm(teams, state.editing) : null,
    previewForm());
}

function ruleForm(teams, rule) {
  const name = h('input', { type: 'text', id: 'rule-name', required: true, value: rule?.name ?? '' });
  const team = h('select', { id: 'rule-team' }, teams.map((t) => h('option', { value: t.id, selected: t.id === rule?.teamId }, t.name)));
  const order = h('input', { type: 'number', id: 'rule-order', class: 'narrow', value: String(rule?.order ?? (state.rules.length ? Math.max(...state.rules.map((r) => r.order)) + 10 : 10)) });
  const channel = h('select', { id: 'rule-channel' }, options([['', 'Any channel'], ['x', 'X'], ['meta', 'Facebook / Instagram']], rule?.channelKind));
  const language = h('input', { type: 'text', id: 'rule-language', class: 'narrow', placeholder: 'e.g. es', value: rule?.language ?? '' });
  const keywords = h('input', { type: 'text', id: 'rule-keywords', placeholder: 'refund, invoice', value: rule?.keywords.join(', ') ?? '' });
  const minPriority = h('input', { type: 'number', id: 'rule-priority', class: 'narrow', min: '0', max: '100', value: rule?.minPriority ?? '' });
  const enabled = checkbox('Enabled', rule?.enabled ?? true);
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  return h('form', {
    class: 'settings-form', id: 'rule-form', 'aria-label': rule ? `Edit rule ${rule.name}` : 'Add a routing rule',
    onsubmit: async (e) => {
      e.preventDefault();
      const payload = {
        brandId: state.brandId, teamId: team.value, name: name.value, order: +order.value || 0, enabled: enabled.input.checked,
        channelKind: channel.value || null, language: language.value.trim() || null, keywords: splitList(keywords.value),
        minPriority: minPriority.value === '' ? null : +minPriority.value,
      };
      try {
        await api(rule ? `/api/v1/routing-rules/${rule.id}` : '/api/v1/routing-rules', { method: rule ? 'PUT' : 'POST', body: payload });
        toast(rule ? 'Rule saved.' : 'Rule added.');
        state.editing = null;
        await load();
      } catch (err) {
        error.textContent = err.message;
        error.hidden = false;
      }
    },
  },
  h('h3', {}, rule ? `Edit “${rule.name}”` : 'Add a rule'),
  h('div', { class: 'grid' }, field('Name', name), field('Queue', team), field('Order', order, 'Lower is tried first'),
    field('Channel', channel), field('Language', language, 'Two letters; guessed from the post'),
    field('Keywords', keywords, 'Any of these whole words'), field('Priority at least', minPriority, '0–100, from triage')),
  enabled.el, error,
  h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'primary' }, rule ? 'Save rule' : 'Add rule'),
    rule ? h('button', { type: 'button', class: 'ghost', onclick: () => { state.editing = null; renderRules(); } }, 'Cancel') : null));
}

function previewForm() {
  const text = h('textarea', { id: 'preview-text', rows: '2', placeholder: 'A customer post, e.g. “Where is my refund?”' });
  const channel = h('select', { id: 'preview-channel' }, options([['x', 'X'], ['meta', 'Facebook / Instagram']], 'x'));
  const result = h('p', { class: 'preview-result', id: 'preview-result', role: 'status' });
  return h('form', {
    class: 'settings-form', 'aria-label': 'Try the rules on a post',
    onsubmit: async (e) => {
      e.preventDefault();
      try {
        const r = await api('/api/v1/routing-rules/preview', { method: 'POST', body: { brandId: state.brandId, channelKind: channel.value, text: text.value } });
        result.textContent = r.teamId
          ? `→ ${teamName(state.teams, r.teamId)} (rule “${r.rule}”). Language: ${r.language ?? 'not sure'}, priority ${r.priority}.`
          : `No rule matches: it would stay in the front line. Language: ${r.language ?? 'not sure'}, priority ${r.priority}.`;
      } catch (err) { result.textContent = err.message; }
    },
  }, h('h3', {}, 'Try a post'), h('div', { class: 'grid' }, field('Post', text), field('Channel', channel)),
  h('button', { type: 'submit' }, 'Where would it go?'), result);
}

// ---------- agents ----------
function renderAgents() {
  const brandTeams = new Set(state.teams.filter((t) => t.brandId === state.brandId).map((t) => t.id));
  const people = state.agents.filter((a) => a.teamIds.some((t) => brandTeams.has(t)) || a.responderFor.some((t) => brandTeams.has(t)));
  replaceChildren(agentsBox, h('h2', { id: 'agents-h' }, 'People and capacity'),
    h('p', { class: 'hint' }, 'Online means: said so, and has the workspace open. Capacity counts conversations that need them (new or acknowledged).'),
    h('table', { class: 'settings-table', id: 'agents-table' },
      h('thead', {}, h('tr', {}, ['Person', 'Status', 'Active / capacity', 'Skills', ''].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, people.map(agentRow))));
}

function agentRow(a) {
  const status = h('select', { 'aria-label': `${a.name}: status`, disabled: !canManage }, options([['online', 'Online'], ['away', 'Away'], ['offline', 'Offline']], a.status));
  const capacity = h('input', { type: 'number', min: '0', max: '100', class: 'narrow', value: String(a.capacity), 'aria-label': `${a.name}: capacity`, disabled: !canManage });
  const skills = h('input', { type: 'text', value: a.skills.join(', '), 'aria-label': `${a.name}: skills`, disabled: !canManage });
  return h('tr', { dataset: { user: a.userId } },
    h('th', { scope: 'row' }, a.name, h('div', { class: 'hint small' }, a.role)),
    h('td', {}, status, ' ', h('span', { class: `presence-dot presence-${a.presence}`, title: `Routing sees them as ${a.presence}` }, a.presence)),
    h('td', {}, `${a.activeConversations} / `, capacity),
    h('td', {}, skills),
    h('td', {}, canManage ? h('button', {
      type: 'button', class: 'small',
      onclick: async () => {
        try {
          await api(`/api/v1/agents/${a.userId}`, { method: 'PATCH', body: { status: status.value, capacity: +capacity.value, skills: splitList(skills.value) } });
          toast(`Saved ${a.name}.`);
          state.agents = await api('/api/v1/agents');
          renderAgents();
        } catch (e) { toast(e.message, { kind: 'error' }); }
      },
    }, 'Save') : null));
}

new Live({ onEvent(type) { if (type === 'people.changed') start(); } }).start();
start();
