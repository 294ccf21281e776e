// Timer rules: when a conversation has waited too long, act (reassign, escalate to a lead, ask the
// customer whether it is resolved, close). Leads edit them; each firing is in the event log.
import { api, h, replaceChildren, toast, setUpChrome, confirmDialog } from './common.js';
import {
  settingsShell, loadContext, brandPicker, field, checkbox, options, spanToMinutes, minutesToSpan, describeMinutes, durationInput,
  teamName, canManage,
} from './settings.js';

setUpChrome();
const body = settingsShell('timers', 'Timer rules',
  'Rules that act on time. Each fires once per conversation and stretch of waiting, and says what it did in the conversation\'s history.');
const CONDITIONS = [['notAcknowledged', 'Not acknowledged'], ['awaitingReply', 'Customer waiting for an answer'], ['customerSilent', 'Customer silent after our answer']];
const ACTIONS = [['reassign', 'Reassign to someone else'], ['escalate', 'Escalate to a lead'], ['askIfResolved', 'Ask whether it is resolved'], ['close', 'Close']];
const state = { brandId: null, teams: [], users: [], brands: [], rules: [], editing: null };
const listBox = h('section', { class: 'card', 'aria-labelledby': 'timers-h' });
const formBox = h('section', { class: 'card', 'aria-labelledby': 'timer-form-h' });
const label = (list, v) => list.find(([k]) => k === v)?.[1] ?? v;

async function start() {
  Object.assign(state, await loadContext());
  replaceChildren(body, brandPicker(state.brands, (id) => { state.brandId = id; state.editing = null; load(); }), listBox, canManage ? formBox : null);
}

async function load() {
  state.rules = await api(`/api/v1/timer-rules?brandId=${state.brandId}`);
  renderList();
  if (canManage) renderForm();
}

function renderList() {
  replaceChildren(listBox, h('h2', { id: 'timers-h' }, 'Rules'),
    state.rules.length === 0 ? h('p', { class: 'empty' }, 'No timer rules yet.') : h('ul', { class: 'rule-list', id: 'timer-list' }, state.rules.map((r) => h('li', { class: r.enabled ? '' : 'disabled', dataset: { id: r.id } },
      h('strong', {}, r.name), `: ${label(CONDITIONS, r.condition).toLowerCase()} for ${describeMinutes(spanToMinutes(r.after))} → ${label(ACTIONS, r.action).toLowerCase()}`,
      r.teamId ? ` (queue ${teamName(state.teams, r.teamId)})` : '', r.enabled ? '' : ' (off)',
      r.message ? h('div', { class: 'hint small' }, `“${r.message}”`) : null,
      canManage ? h('span', { class: 'row-actions' },
        h('button', { type: 'button', class: 'small ghost', onclick: () => { state.editing = r; renderForm(); } }, 'Edit'),
        h('button', {
          type: 'button', class: 'small ghost', 'aria-label': `Delete timer rule ${r.name}`,
          onclick: async () => {
            if (!await confirmDialog('Delete this timer rule?', `“${r.name}” will stop acting.`, 'Delete')) return;
            try { await api(`/api/v1/timer-rules/${r.id}`, { method: 'DELETE' }); await load(); } catch (e) { toast(e.message, { kind: 'error' }); }
          },
        }, 'Delete')) : null))));
}

function renderForm() {
  const r = state.editing;
  const teams = state.teams.filter((t) => t.brandId === state.brandId);
  const name = h('input', { type: 'text', id: 'timer-name', required: true, value: r?.name ?? '' });
  const condition = h('select', { id: 'timer-condition' }, options(CONDITIONS, r?.condition));
  const after = durationInput('timer-after', spanToMinutes(r?.after) ?? 30);
  const action = h('select', { id: 'timer-action' }, options(ACTIONS, r?.action));
  const team = h('select', { id: 'timer-team' }, h('option', { value: '' }, 'Any queue'), teams.map((t) => h('option', { value: t.id, selected: t.id === r?.teamId }, t.name)));
  const channel = h('select', { id: 'timer-channel' }, options([['', 'Any channel'], ['x', 'X'], ['meta', 'Facebook / Instagram']], r?.channelKind));
  const leads = state.users.filter((u) => !u.disabled && (u.role === 'lead' || u.role === 'admin'));
  const escalateTo = h('select', { id: 'timer-escalate' }, h('option', { value: '' }, 'A lead of its team'), leads.map((u) => h('option', { value: u.id, selected: u.id === r?.escalateToUserId }, u.name)));
  const message = h('textarea', { id: 'timer-message', rows: '2', placeholder: 'Hi {customer.firstName}, is there anything else we can help with, or is this sorted?' }, r?.message ?? '');
  const enabled = checkbox('Enabled', r?.enabled ?? true);
  const escalateField = field('Escalate to', escalateTo);
  const messageField = field('Message to send', message, 'Variables such as {customer.firstName} are filled in');
  const sync = () => {
    escalateField.hidden = action.value !== 'escalate';
    messageField.hidden = action.value !== 'askIfResolved';
  };
  action.addEventListener('change', sync);
  sync();
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  replaceChildren(formBox, h('h2', { id: 'timer-form-h' }, r ? `Edit “${r.name}”` : 'Add a timer rule'),
    h('form', {
      class: 'settings-form', id: 'timer-form',
      onsubmit: async (e) => {
        e.preventDefault();
        const payload = {
          brandId: state.brandId, name: name.value, enabled: enabled.input.checked, condition: condition.value,
          after: after.value() == null ? null : minutesToSpan(after.value()), action: action.value, teamId: team.value || null,
          channelKind: channel.value || null, escalateToUserId: escalateTo.value || null, message: message.value || null,
        };
        try {
          await api(r ? `/api/v1/timer-rules/${r.id}` : '/api/v1/timer-rules', { method: r ? 'PUT' : 'POST', body: payload });
          toast(r ? 'Timer rule saved.' : 'Timer rule added.');
          state.editing = null;
          await load();
        } catch (err) {
          error.textContent = err.message;
          error.hidden = false;
        }
      },
    },
    h('div', { class: 'grid' }, field('Name', name), field('When', condition), field('For', after.el), field('Then', action),
      field('Queue', team), field('Channel', channel), escalateField),
    messageField, enabled.el, error,
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'primary' }, r ? 'Save rule' : 'Add rule'),
      r ? h('button', { type: 'button', class: 'ghost', onclick: () => { state.editing = null; renderForm(); } }, 'Cancel') : null)));
}

start().catch((e) => replaceChildren(body, h('p', { class: 'form-error' }, `Could not load: ${e.message}`)));
