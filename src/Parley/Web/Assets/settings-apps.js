// Apps and their webhooks, for admins: each app's keys (prefixes only), scopes and brands; each of its webhook
// subscriptions with its state; and each subscription's recent deliveries, with resume and redeliver.
import { api, h, replaceChildren, toast, setUpChrome, timeEl } from './common.js';
import { settingsShell, isAdmin } from './settings.js';

setUpChrome();
const body = settingsShell('apps', 'Apps and webhooks',
  'Department software that uses Parley’s API: its keys, what it may do, and the events Parley sends it. A delivery that failed every retry is dead-lettered; send it again once the app’s endpoint is fixed.');
const DELIVERIES_SHOWN = 20;

async function start() {
  if (!isAdmin) {
    replaceChildren(body, h('p', { class: 'empty' }, 'Only admins manage apps and their webhooks.'));
    return;
  }
  const [apps, brands] = await Promise.all([api('/api/v1/apps'), api('/api/v1/brands').catch(() => [])]);
  const brandNames = new Map(brands.map((b) => [b.id, b.name]));
  if (apps.length === 0) {
    replaceChildren(body, h('p', { class: 'empty' }, 'No apps yet. Register one with POST /api/v1/apps (see the API reference at /docs).'));
    return;
  }
  const sections = apps.map((app) => h('section', { class: 'card app-card', 'aria-labelledby': `app-${app.id}`, dataset: { appId: app.id } }));
  replaceChildren(body, sections);
  await Promise.all(apps.map((app, i) => renderApp(sections[i], app, brandNames)));
}

async function renderApp(section, app, brandNames) {
  const subscriptions = await api(`/api/v1/apps/${app.id}/webhooks`);
  replaceChildren(section,
    h('h2', { id: `app-${app.id}` }, app.name),
    h('p', { class: 'hint' },
      `Scopes: ${app.scopes.join(', ')} · Brands: ${app.brandIds.length ? app.brandIds.map((b) => brandNames.get(b) ?? b).join(', ') : 'all'}`,
      ` · ${app.rateLimitPerMinute} requests a minute`),
    h('h3', {}, 'Keys'),
    keysTable(app.keys),
    h('h3', {}, 'Webhooks'),
    subscriptions.length === 0 ? h('p', { class: 'empty' }, 'No webhook subscriptions.') : null,
    subscriptions.map((s) => subscriptionBlock(app, s)));
}

function keysTable(keys) {
  const when = (iso) => (iso ? timeEl(iso) : '—');
  return h('table', { class: 'settings-table keys' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Prefix'), h('th', {}, 'Created'), h('th', {}, 'Expires'), h('th', {}, 'Revoked'))),
    h('tbody', {}, keys.map((k) => h('tr', {}, h('td', {}, h('code', {}, k.prefix + '…')), h('td', {}, when(k.createdAt)),
      h('td', {}, when(k.expiresAt)), h('td', {}, when(k.revokedAt))))));
}

function subscriptionBlock(app, s) {
  const block = h('div', { class: 'subscription', dataset: { subscriptionId: s.id } });
  const deliveries = h('div', { class: 'deliveries' }, h('p', { class: 'loading' }, 'Loading deliveries…'));
  const paused = s.status === 'paused';
  const resume = paused ? h('button', {
    type: 'button', class: 'small primary', 'aria-label': `Resume the webhook to ${s.url}`,
    onclick: async () => {
      try {
        const updated = await api(`/api/v1/apps/${app.id}/webhooks/${s.id}`, { method: 'PATCH', body: { paused: false } });
        toast('Resumed: waiting deliveries go out in order.');
        block.replaceWith(subscriptionBlock(app, updated));
      } catch (e) { toast(e.message, { kind: 'error' }); }
    },
  }, 'Resume') : null;
  replaceChildren(block,
    h('p', {},
      h('code', {}, s.url), ' ',
      h('span', { class: `badge ${paused ? 'warning' : 'ok'}`, dataset: { state: s.status } }, paused ? 'Paused' : 'Active'),
      ` · ${s.events.join(', ')}`, ' ', resume),
    paused && s.pausedReason ? h('p', { class: 'hint' }, s.pausedReason) : null,
    deliveries);
  loadDeliveries(app, s, deliveries);
  return block;
}

async function loadDeliveries(app, s, box) {
  try {
    const page = await api(`/api/v1/apps/${app.id}/webhooks/${s.id}/deliveries?limit=${DELIVERIES_SHOWN}`);
    renderDeliveries(app, s, box, page.items);
  } catch (e) {
    replaceChildren(box, h('p', { class: 'form-error' }, `Could not load deliveries: ${e.message}`));
  }
}

const STATES = { pending: 'Pending', delivered: 'Delivered', deadLettered: 'Dead-lettered' };

function renderDeliveries(app, s, box, items) {
  if (items.length === 0) {
    replaceChildren(box, h('p', { class: 'empty' }, 'No deliveries yet.'));
    return;
  }
  replaceChildren(box, h('table', { class: 'settings-table deliveries', 'aria-label': `Recent deliveries to ${s.url}` },
    h('thead', {}, h('tr', {}, ['Event', 'State', 'Attempts', 'Last response', 'Error', 'Next attempt', ''].map((t) => h('th', {}, t)))),
    h('tbody', {}, items.map((d) => h('tr', { dataset: { deliveryId: d.id, state: d.state } },
      h('td', {}, d.eventType),
      h('td', {}, STATES[d.state] ?? d.state),
      h('td', {}, String(d.attempts)),
      h('td', {}, d.lastStatusCode == null ? '—' : String(d.lastStatusCode)),
      h('td', { class: 'error-text' }, d.lastError ?? ''),
      h('td', {}, d.nextAttemptAt ? timeEl(d.nextAttemptAt) : '—'),
      h('td', {}, d.state === 'deadLettered' ? h('button', {
        type: 'button', class: 'small ghost', 'aria-label': `Redeliver ${d.eventType} ${d.id}`,
        onclick: async () => {
          try {
            await api(`/api/v1/apps/${app.id}/webhooks/${s.id}/deliveries/${d.id}/redeliver`, { method: 'POST' });
            toast('Sent again: it goes out as soon as its conversation’s earlier events are through.');
            await loadDeliveries(app, s, box);
          } catch (e) { toast(e.message, { kind: 'error' }); }
        },
      }, 'Redeliver') : null))))));
}

start().catch((e) => replaceChildren(body, h('p', { class: 'form-error' }, `Could not load: ${e.message}`)));
