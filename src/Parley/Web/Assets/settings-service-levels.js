// Service levels and business hours: what each brand promises (acknowledge, next reply, resolve), on which
// channels, counted around the clock or in business hours (time zone, week, holidays). Admins change them.
import { api, h, replaceChildren, toast, setUpChrome, confirmDialog } from './common.js';
import {
  settingsShell, loadContext, brandPicker, field, checkbox, options, spanToMinutes, minutesToSpan, describeMinutes,
  durationInput, splitList, isAdmin,
} from './settings.js';

setUpChrome();
const body = settingsShell('service-levels', 'Service levels and business hours',
  'Promises per brand: how soon a customer is acknowledged, answered again and helped to the end. Clocks pause while waiting on the customer; warnings come before a breach.');
const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const ZONES = ['Europe/London', 'Europe/Dublin', 'Europe/Paris', 'Europe/Berlin', 'Europe/Madrid', 'America/New_York', 'America/Chicago',
  'America/Denver', 'America/Los_Angeles', 'America/Sao_Paulo', 'Asia/Tokyo', 'Asia/Singapore', 'Asia/Kolkata', 'Australia/Sydney', 'UTC'];
const state = { brandId: null, brands: [], policies: [], editing: null };
const listBox = h('section', { class: 'card', 'aria-labelledby': 'policies-h' });
const formBox = h('section', { class: 'card', 'aria-labelledby': 'policy-form-h' });

async function start() {
  if (!isAdmin) {
    replaceChildren(body, h('p', { class: 'hint' }, 'Service levels are set by admins. Each conversation shows its clocks in the inbox and on its page.'));
    return;
  }
  Object.assign(state, await loadContext());
  replaceChildren(body, brandPicker(state.brands, (id) => { state.brandId = id; state.editing = null; load(); }), listBox, formBox);
}

async function load() {
  state.policies = await api(`/api/v1/service-levels?brandId=${state.brandId}`);
  renderList();
  renderForm();
}

function hours(p) {
  if (!p.timeZoneId) return 'around the clock';
  const days = p.week.map((w) => `${w.day.slice(0, 3)} ${w.opens.slice(0, 5)}–${w.closes === '00:00:00' ? '24:00' : w.closes.slice(0, 5)}`).join(', ');
  return `${days} (${p.timeZoneId})${p.holidays.length ? `, ${p.holidays.length} holiday${p.holidays.length === 1 ? '' : 's'}` : ''}`;
}

function renderList() {
  replaceChildren(listBox, h('h2', { id: 'policies-h' }, 'Policies'),
    h('p', { class: 'hint' }, 'Tried in order; the first that fits a conversation (channel, public or private) applies.'),
    state.policies.length === 0 ? h('p', { class: 'empty' }, 'No policy yet: conversations of this brand have no clocks.')
      : h('table', { class: 'settings-table', id: 'policies-table' },
        h('thead', {}, h('tr', {}, ['Policy', 'Applies to', 'Acknowledge', 'Next reply', 'Resolve', 'Hours', ''].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, state.policies.map((p) => h('tr', { dataset: { id: p.id } },
          h('th', { scope: 'row' }, p.name),
          h('td', {}, [p.channelKind ? (p.channelKind === 'x' ? 'X' : 'Facebook / Instagram') : 'any channel', p.visibility ? `${p.visibility} posts` : null].filter(Boolean).join(', ')),
          h('td', {}, describeMinutes(spanToMinutes(p.timeToAcknowledge))),
          h('td', {}, describeMinutes(spanToMinutes(p.timeToNextResponse))),
          h('td', {}, describeMinutes(spanToMinutes(p.timeToResolve))),
          h('td', {}, hours(p)),
          h('td', {}, h('button', { type: 'button', class: 'small ghost', onclick: () => { state.editing = p; renderForm(); formBox.scrollIntoView(); } }, 'Edit'),
            h('button', {
              type: 'button', class: 'small ghost', 'aria-label': `Delete policy ${p.name}`,
              onclick: async () => {
                if (!await confirmDialog('Delete this policy?', `“${p.name}” will no longer time conversations.`, 'Delete')) return;
                try { await api(`/api/v1/service-levels/${p.id}`, { method: 'DELETE' }); await load(); } catch (e) { toast(e.message, { kind: 'error' }); }
              },
            }, 'Delete')))))));
}

function renderForm() {
  const p = state.editing;
  const name = h('input', { type: 'text', id: 'policy-name', required: true, value: p?.name ?? '' });
  const order = h('input', { type: 'number', id: 'policy-order', class: 'narrow', value: String(p?.order ?? state.policies.length * 10) });
  const channel = h('select', { id: 'policy-channel' }, options([['', 'Any channel'], ['x', 'X'], ['meta', 'Facebook / Instagram']], p?.channelKind));
  const visibility = h('select', { id: 'policy-visibility' }, options([['', 'Public or private'], ['public', 'Public posts'], ['private', 'Private messages']], p?.visibility));
  const ack = durationInput('policy-ack', spanToMinutes(p?.timeToAcknowledge) ?? (p ? null : 30));
  const next = durationInput('policy-next', spanToMinutes(p?.timeToNextResponse));
  const resolve = durationInput('policy-resolve', spanToMinutes(p?.timeToResolve) ?? (p ? null : 1440));
  const warnings = h('input', { type: 'text', id: 'policy-warnings', placeholder: 'e.g. 10, 60', value: (p?.warningLeadTimes ?? ['00:10:00']).map(spanToMinutes).join(', ') });
  const waiting = checkbox('Pause while waiting on the customer', p?.pausesWhileWaitingOnCustomer ?? true);
  const snoozed = checkbox('Pause while snoozed', p?.pausesWhileSnoozed ?? false);
  const businessHours = checkbox('Count only business hours', !!p?.timeZoneId, { id: 'policy-business-hours' });
  const zone = h('input', { type: 'text', id: 'policy-zone', list: 'zones', value: p?.timeZoneId ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'Europe/London' });
  const week = DAYS.map((day) => {
    const existing = p?.week.find((w) => w.day === day);
    const open = checkbox(day[0].toUpperCase() + day.slice(1), p ? !!existing : !['saturday', 'sunday'].includes(day), { 'data-day': day });
    const opens = h('input', { type: 'time', value: existing?.opens.slice(0, 5) ?? '09:00', 'aria-label': `${day} opens` });
    const closes = h('input', { type: 'time', value: existing?.closes.slice(0, 5) ?? '17:00', 'aria-label': `${day} closes` });
    return { day, open, opens, closes };
  });
  const holidays = h('textarea', { id: 'policy-holidays', rows: '2', placeholder: '2026-12-25, 2026-12-26' }, (p?.holidays ?? []).join(', '));
  const hoursBox = h('fieldset', { class: 'business-hours', hidden: !businessHours.input.checked },
    h('legend', {}, 'Business hours'),
    field('Time zone', zone, 'IANA name, e.g. Europe/London'),
    h('datalist', { id: 'zones' }, ZONES.map((z) => h('option', { value: z }))),
    h('table', { class: 'week' }, h('tbody', {}, week.map((w) => h('tr', {}, h('td', {}, w.open.el), h('td', {}, w.opens, ' – ', w.closes))))),
    field('Holidays', holidays, 'Dates when nobody counts the clock'));
  businessHours.input.addEventListener('change', () => { hoursBox.hidden = !businessHours.input.checked; });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  replaceChildren(formBox, h('h2', { id: 'policy-form-h' }, p ? `Edit “${p.name}”` : 'Add a policy'),
    h('form', {
      class: 'settings-form', id: 'policy-form',
      onsubmit: async (e) => {
        e.preventDefault();
        const span = (d) => (d.value() == null ? null : minutesToSpan(d.value()));
        const payload = {
          brandId: state.brandId, name: name.value, order: +order.value || 0, channelKind: channel.value || null, visibility: visibility.value || null,
          timeToAcknowledge: span(ack), timeToNextResponse: span(next), timeToResolve: span(resolve),
          warningLeadTimes: splitList(warnings.value).map((m) => minutesToSpan(Math.round(+m))),
          pausesWhileWaitingOnCustomer: waiting.input.checked, pausesWhileSnoozed: snoozed.input.checked,
          timeZoneId: businessHours.input.checked ? zone.value.trim() : null,
          week: businessHours.input.checked ? week.filter((w) => w.open.input.checked).map((w) => ({ day: w.day, opens: w.opens.value, closes: w.closes.value })) : [],
          holidays: businessHours.input.checked ? splitList(holidays.value.replace(/\s+/g, ',')) : [],
        };
        try {
          await api(p ? `/api/v1/service-levels/${p.id}` : '/api/v1/service-levels', { method: p ? 'PUT' : 'POST', body: payload });
          toast(p ? 'Policy saved.' : 'Policy added.');
          state.editing = null;
          await load();
        } catch (err) {
          error.textContent = err.message;
          error.hidden = false;
        }
      },
    },
    h('div', { class: 'grid' }, field('Name', name), field('Order', order), field('Channel', channel), field('Posts', visibility)),
    h('div', { class: 'grid' }, field('Acknowledge within', ack.el), field('Answer each new message within', next.el, 'Optional'),
      field('Resolve within', resolve.el, 'Optional'), field('Warn before (minutes)', warnings, 'Comma-separated')),
    waiting.el, snoozed.el, businessHours.el, hoursBox, error,
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'primary' }, p ? 'Save policy' : 'Add policy'),
      p ? h('button', { type: 'button', class: 'ghost', onclick: () => { state.editing = null; renderForm(); } }, 'Cancel') : null)));
}

start().catch((e) => replaceChildren(body, h('p', { class: 'form-error' }, `Could not load: ${e.message}`)));
