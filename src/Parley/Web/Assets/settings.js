// Shared by the settings pages (routing, service levels, timer rules, saved replies): the tabs, the
// brand the page is about, small form helpers, and durations in the API's "d.hh:mm:ss" form.
import { api, h, me, replaceChildren } from './common.js';

export const isAdmin = me.role === 'admin';
export const canManage = me.role === 'admin' || me.role === 'lead';

const TABS = [
  ['routing', 'Queues and routing'],
  ['service-levels', 'Service levels'],
  ['timers', 'Timer rules'],
  ['templates', 'Saved replies'],
  ...(isAdmin ? [['apps', 'Apps and webhooks']] : []),
];

/** Replaces the page with the settings tabs, a title and an intro; returns the element to fill. */
export function settingsShell(current, title, intro) {
  const main = document.getElementById('main');
  const body = h('div', { class: 'settings-body' }, h('p', { class: 'loading' }, 'Loading…'));
  replaceChildren(main, h('div', { class: 'settings-page' },
    h('nav', { class: 'tabs', 'aria-label': 'Settings' }, TABS.map(([path, label]) =>
      h('a', { href: `/settings/${path}`, 'aria-current': path === current ? 'page' : undefined }, label))),
    h('h1', {}, title),
    h('p', { class: 'hint' }, intro),
    canManage ? null : h('p', { class: 'hint read-only' }, 'You can read these settings; leads and admins change them.'),
    body));
  return body;
}

/** The brands the person works for, their teams and colleagues. Admins see every brand by name. */
export async function loadContext() {
  const [teams, users, brands] = await Promise.all([
    api('/api/v1/teams'), api('/api/v1/users'), isAdmin ? api('/api/v1/brands').catch(() => []) : Promise.resolve([]),
  ]);
  const known = new Map(brands.map((b) => [b.id, b.name]));
  for (const t of teams) if (!known.has(t.brandId)) known.set(t.brandId, `Brand of ${teams.filter((x) => x.brandId === t.brandId).map((x) => x.name).join(', ')}`);
  return { teams, users, brands: [...known].map(([id, name]) => ({ id, name })) };
}

/** A brand picker when there is more than one brand; calls onChange(brandId) at once and on change. */
export function brandPicker(brands, onChange) {
  if (brands.length === 0) return h('p', { class: 'empty' }, 'No brand yet: an admin creates brands and teams first.');
  const select = h('select', { id: 'brand', onchange: () => onChange(select.value) }, brands.map((b) => h('option', { value: b.id }, b.name)));
  queueMicrotask(() => onChange(select.value));
  return brands.length > 1 ? field('Brand', select) : null;
}

export function field(label, control, hint) {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hint ? h('span', { class: 'hint small' }, hint) : null);
}

export function checkbox(label, checked, attrs = {}) {
  const input = h('input', { type: 'checkbox', ...attrs });
  input.checked = !!checked;
  return { input, el: h('label', { class: 'check' }, input, ' ', label) };
}

export function options(list, value) {
  return list.map(([v, label]) => h('option', { value: v, selected: v === (value ?? '') }, label));
}

/** "3.00:00:00" -> minutes. */
export function spanToMinutes(span) {
  const m = /^(?:(\d+)\.)?(\d+):(\d+):(\d+)/.exec(span ?? '');
  return m ? (+(m[1] ?? 0) * 24 + +m[2]) * 60 + +m[3] + Math.round(+m[4] / 60) : null;
}

/** Minutes -> "d.hh:mm:00". */
export function minutesToSpan(minutes) {
  const d = Math.floor(minutes / 1440);
  const hh = Math.floor((minutes % 1440) / 60);
  const mm = minutes % 60;
  const two = (n) => String(n).padStart(2, '0');
  return `${d ? d + '.' : ''}${two(hh)}:${two(mm)}:00`;
}

/** "30 minutes", "4 hours", "3 days". */
export function describeMinutes(minutes) {
  if (minutes == null) return '—';
  if (minutes % 1440 === 0) return `${minutes / 1440} day${minutes === 1440 ? '' : 's'}`;
  if (minutes % 60 === 0) return `${minutes / 60} hour${minutes === 60 ? '' : 's'}`;
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** A number and a unit (minutes, hours, days); value() is minutes or null when empty. */
export function durationInput(id, minutes) {
  const unit = minutes == null ? 60 : minutes % 1440 === 0 ? 1440 : minutes % 60 === 0 ? 60 : 1;
  const number = h('input', { type: 'number', min: '1', step: '1', id, value: minutes == null ? '' : String(minutes / unit), class: 'narrow' });
  const units = h('select', { 'aria-label': 'Unit' }, options([['1', 'minutes'], ['60', 'hours'], ['1440', 'days']], String(unit)));
  return {
    el: h('span', { class: 'duration' }, number, units),
    input: number,
    value: () => (number.value === '' ? null : Math.round(+number.value * +units.value)),
  };
}

export function splitList(text) {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

export function teamName(teams, id) {
  return teams.find((t) => t.id === id)?.name ?? '—';
}
