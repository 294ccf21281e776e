// Shared by every workspace page: the API client, safe DOM building, the live connection,
// notifications, the shortcuts dialog. Customer text only ever reaches the page through
// textContent (see h()); nothing here assigns innerHTML.

const userMeta = document.querySelector('meta[name="parley-user"]');
export const me = {
  id: userMeta?.content ?? '',
  name: userMeta?.dataset.name ?? '',
  role: userMeta?.dataset.role ?? 'agent',
};
/** Auditors see what an admin sees and change nothing: the API refuses them (ReadOnlyRole), and the
 * pages disable every control that would change something. */
export const readOnly = me.role === 'auditor';
const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? '';

export class ApiError extends Error {
  constructor(status, problem) {
    super(describeProblem(status, problem));
    this.status = status;
    this.problem = problem;
  }
}

function describeProblem(status, problem) {
  if (problem?.errors) {
    const messages = Object.values(problem.errors).flat();
    if (messages.length) return messages.join(' ');
  }
  if (problem?.detail) return problem.detail;
  if (problem?.title) return problem.title;
  if (status === 0) return 'Parley cannot be reached. Check the connection and try again.';
  return `The server answered ${status}.`;
}

/** Calls the JSON API with the session cookie and the anti-forgery token. Throws ApiError. */
export async function api(path, { method = 'GET', body, signal, keepalive = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-CSRF-TOKEN'] = csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal, keepalive, credentials: 'same-origin' });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, null);
  }
  if (response.status === 401) {
    // The session ended (signed out elsewhere, disabled, expired): back to the sign-in form.
    location.assign('/sign-in?returnUrl=' + encodeURIComponent(location.pathname + location.search));
    throw new ApiError(401, { title: 'Signed out' });
  }
  const type = response.headers.get('Content-Type') ?? '';
  const data = type.includes('json') ? await response.json() : null;
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/** Builds an element. Strings and numbers among the children become text nodes, never markup. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'href' || key === 'src') {
      const url = safeUrl(value);
      if (url) el.setAttribute(key, url);
    } else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Only http(s) and same-site addresses; javascript:, data: and the like are dropped. */
/** Marks, once per page, the moment its main content was first painted (after the next frame), as
 * `parley:<name>` in the Performance timeline: real-user monitoring and bench/Parley.WorkspaceBench read it. */
export function markRendered(name) {
  const mark = `parley:${name}`;
  if (performance.getEntriesByName(mark).length) return;
  requestAnimationFrame(() => setTimeout(() => {
    if (!performance.getEntriesByName(mark).length) performance.mark(mark);
    paintedFirst();
  }, 0));
}

let paintedFirst;
/** Settles once the page's main content was first painted (markRendered), or after three seconds whatever happens.
 * What the first paint does not need waits for it: a browser opens at most six connections to a server, one of
 * them is the live stream, and a request for the header's bell must not queue the page's own data (docs/adr/0026). */
export const firstPaint = new Promise((resolve) => {
  paintedFirst = resolve;
  setTimeout(resolve, 3000);
});

export function safeUrl(value) {
  try {
    const url = new URL(String(value), location.href);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** Text with http(s) links made clickable; everything else stays text. */
export function linkified(text) {
  const parts = [];
  const pattern = /\bhttps?:\/\/[^\s<>"']+/gi;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    parts.push(text.slice(last, match.index));
    const url = safeUrl(match[0]);
    parts.push(url ? h('a', { href: url, rel: 'noopener noreferrer nofollow', target: '_blank' }, match[0]) : match[0]);
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function replaceChildren(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

/** "45s", "12m", "3h 5m", "2d 4h". */
export function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const hours = Math.floor(m / 60);
  if (hours < 48) return m % 60 ? `${hours}h ${m % 60}m` : `${hours}h`;
  const d = Math.floor(hours / 24);
  return hours % 24 ? `${d}d ${hours % 24}h` : `${d}d`;
}

export function timeEl(iso, { relative = false } = {}) {
  const date = new Date(iso);
  const absolute = date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  const el = h('time', { datetime: date.toISOString(), title: absolute });
  el.textContent = relative ? duration(Date.now() - date.getTime()) + ' ago' : absolute;
  return el;
}

export function channelName(kind) {
  return kind === 'x' ? 'X' : kind === 'meta' ? 'Facebook / Instagram' : kind || 'Channel';
}

export function stateName(state) {
  return {
    new: 'New', acknowledged: 'Acknowledged', waiting_on_customer: 'Waiting on customer',
    snoozed: 'Snoozed', resolved: 'Resolved',
  }[state] ?? state;
}

export function toast(text, { href, kind = 'info' } = {}) {
  const box = document.getElementById('toasts');
  if (!box) return;
  const item = h('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    href ? h('a', { href }, text) : text,
    h('button', { type: 'button', class: 'ghost', 'aria-label': 'Dismiss', onclick: () => item.remove() }, '×'));
  box.append(item);
  setTimeout(() => item.remove(), kind === 'error' ? 12000 : 6000);
}

/** True when a key press belongs to a text field, not to the page's shortcuts. */
export function typingInField(event) {
  const t = event.target;
  return t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));
}

export function hasModifier(event) {
  return event.ctrlKey || event.metaKey || event.altKey;
}

/**
 * The page's live connection (Server-Sent Events from /api/v1/live). Shows its state in the header
 * and a banner when lost, reconnects by itself with backoff, and calls onResync after every
 * (re)connection so the page reloads what it may have missed: with { since }, the feed's position when
 * this connection started (see firstData), or with nothing when the server asks for a reload.
 */
export class Live {
  constructor({ conversation, onEvent, onPresence, onResync, onRows }) {
    // An inbox (onRows) is sent the changed rows themselves instead of the events about them (docs/adr/0029).
    this.url = '/api/v1/live' + (conversation ? `?conversation=${encodeURIComponent(conversation)}` : onRows ? '?rows=true' : '');
    this.onRows = onRows ?? null;
    this.onEvent = onEvent ?? (() => {});
    this.onPresence = onPresence ?? (() => {});
    this.onResync = onResync ?? (() => {});
    this.attempt = 0;
    this.source = null;
    this.connectionId = null;
    this.lostAt = null;
    this.status = document.getElementById('connection');
    this.banner = document.getElementById('offline-banner');
    window.addEventListener('online', () => this.reconnectNow());
    window.addEventListener('offline', () => this.lost());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && !this.source) this.reconnectNow();
    });
  }

  start() {
    this.connect();
    return this;
  }

  connect() {
    clearTimeout(this.timer);
    this.setStatus('connecting');
    const source = new EventSource(this.url, { withCredentials: true });
    this.source = source;
    let lastMessage = Date.now();
    // The server pings every 15 s; silence for much longer means the connection is gone.
    this.watchdog = setInterval(() => {
      if (Date.now() - lastMessage > 40000) this.fail();
    }, 5000);
    source.addEventListener('ready', (e) => {
      lastMessage = Date.now();
      const data = JSON.parse(e.data);
      this.connectionId = data.connectionId;
      this.attempt = 0;
      this.setStatus('live');
      for (const p of data.presence ?? []) this.onPresence(p);
      this.onResync({ since: data.since });
    });
    source.addEventListener('ping', () => { lastMessage = Date.now(); });
    source.addEventListener('presence', (e) => { lastMessage = Date.now(); this.onPresence(JSON.parse(e.data)); });
    source.addEventListener('resync', () => { lastMessage = Date.now(); this.onResync(); });
    source.addEventListener('inbox.rows', (e) => { lastMessage = Date.now(); this.onRows?.(JSON.parse(e.data)); });
    source.onmessage = () => { lastMessage = Date.now(); };
    for (const type of Live.eventTypes) {
      source.addEventListener(type, (e) => {
        lastMessage = Date.now();
        this.onEvent(type, JSON.parse(e.data));
      });
    }
    source.onerror = () => this.fail();
  }

  fail() {
    if (this.source) this.source.close();
    this.source = null;
    clearInterval(this.watchdog);
    this.lost();
    const delay = Math.min(10000, 500 * 2 ** this.attempt) + Math.random() * 300;
    this.attempt++;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  reconnectNow() {
    if (this.source && this.source.readyState === EventSource.OPEN && this.status?.dataset.state === 'live') return;
    this.attempt = 0;
    if (this.source) this.source.close();
    this.source = null;
    clearInterval(this.watchdog);
    this.connect();
  }

  lost() {
    this.lostAt ??= Date.now();
    this.setStatus('offline');
  }

  setStatus(state) {
    if (!this.status) return;
    this.status.dataset.state = state;
    const label = this.status.querySelector('.label');
    if (state === 'live') {
      label.textContent = 'Live';
      this.lostAt = null;
      if (this.banner) this.banner.hidden = true;
    } else if (state === 'offline' || (state === 'connecting' && this.lostAt)) {
      label.textContent = 'Reconnecting…';
      if (this.banner) this.banner.hidden = false;
    } else {
      label.textContent = 'Connecting…';
    }
  }
}

Live.eventTypes = [
  'conversation.created', 'message.received', 'message.echoed', 'reply.queued', 'reply.sent', 'reply.failed', 'reply.retried',
  'conversation.acknowledged', 'conversation.resolved', 'conversation.reopened', 'conversation.assigned',
  'conversation.waiting_on_customer', 'conversation.customer_replied', 'conversation.snoozed', 'conversation.woke',
  'note.added', 'people.changed', 'conversation.routed', 'conversation.escalated', 'timer.fired',
  'service_level.warning', 'service_level.breached', 'triage.burst_completed', 'triage.priority_changed',
  // Apps acting in conversations (docs/adr/0017).
  'reply.proposed', 'reply.approved', 'reply.rejected', 'conversation.tagged', 'conversation.untagged',
];

/** Data the server put in the page for its first paint (WorkspacePages), or null. Its `since` is the live
 * feed's position when it was read: a live connection that starts at the same position missed nothing. */
export function firstData() {
  const el = document.getElementById('first-data');
  try {
    return el ? JSON.parse(el.textContent) : null;
  } catch {
    return null;
  }
}

/** The conversation an event is about, from its subject ("conversations/{id}"). */
export function conversationOf(event) {
  const subject = event?.subject ?? '';
  return subject.startsWith('conversations/') ? subject.slice('conversations/'.length) : null;
}

/** Header pieces every page has: shortcuts dialog, notifications. */
/** afterFirstPaint: the header's requests wait for the page's first paint (pages that call markRendered). */
export function setUpChrome({ afterFirstPaint = false } = {}) {
  const shortcuts = document.getElementById('shortcuts');
  document.getElementById('help-button')?.addEventListener('click', () => shortcuts.showModal());
  const ready = afterFirstPaint ? firstPaint : Promise.resolve();
  const notifications = new Notifications(ready);
  if (readOnly) setUpReadOnly(); else setUpStatusPicker(ready);
  document.addEventListener('keydown', (event) => {
    if (event.key === '?' && !typingInField(event) && !hasModifier(event)) {
      event.preventDefault();
      if (shortcuts.open) shortcuts.close(); else shortcuts.showModal();
    }
  });
  return { notifications };
}

/** Disables, now and as the page re-renders, every control in the page that would change something:
 * everything but searches and filters ([role=search]), paging and retrying, and controls marked data-read. */
function setUpReadOnly() {
  document.body.classList.add('read-only');
  document.querySelector('.status-picker')?.setAttribute('hidden', '');
  const main = document.getElementById('main');
  main.before(h('p', { class: 'read-only-banner', role: 'note' },
    'Read-only: you are signed in as an auditor. You see everything your role allows and change nothing.'));
  const reads = new Set(['Try again', 'Clear filters', 'Older entries', 'Show older messages']);
  const lock = () => {
    for (const el of main.querySelectorAll('button, input, select, textarea')) {
      if (el.disabled || el.closest('[role="search"], [data-read]') || el.matches('.new-badge, .more, #brand') || reads.has(el.textContent)) continue;
      el.disabled = true;
      el.title = 'Read-only: auditors change nothing';
    }
  };
  lock();
  new MutationObserver(lock).observe(main, { childList: true, subtree: true });
}

class Notifications {
  constructor(ready) {
    this.button = document.getElementById('notifications-button');
    this.count = document.getElementById('notification-count');
    this.dialog = document.getElementById('notifications');
    this.list = this.dialog?.querySelector('.notification-list');
    this.button?.addEventListener('click', () => this.open());
    document.getElementById('notifications-read')?.addEventListener('click', async () => {
      await api('/api/v1/notifications/read', { method: 'POST' }).catch(() => {});
      await this.refresh();
    });
    ready.then(() => this.refresh());
  }

  async refresh() {
    try {
      this.data = await api('/api/v1/notifications');
      this.count.hidden = this.data.unread === 0;
      this.count.textContent = String(this.data.unread);
      this.button.setAttribute('aria-label', `Notifications, ${this.data.unread} unread`);
      if (this.dialog.open) this.render();
    } catch { /* the bell is not worth an error banner */ }
  }

  render() {
    const items = this.data?.items ?? [];
    replaceChildren(this.list, items.length === 0
      ? h('p', { class: 'empty' }, 'Nothing yet. Mentions and assignments appear here.')
      : h('ul', { class: 'notifications' }, items.map((n) => h('li', { class: n.readAt ? 'read' : 'unread' },
        n.conversationId
          ? h('a', { href: `/conversations/${n.conversationId}`, onclick: () => this.markRead(n.id) }, n.text)
          : n.text,
        ' ', timeEl(n.createdAt, { relative: true })))));
  }

  async markRead(id) {
    await api(`/api/v1/notifications/${id}/read`, { method: 'POST' }).catch(() => {});
  }

  async open() {
    this.dialog.showModal();
    this.render();
    await this.refresh();
  }

  /** A note mentioning me arrived through the live feed. */
  mentioned(event) {
    const data = event.data ?? {};
    if (!(data.mentions ?? []).includes(me.id) || data.authorUserId === me.id) return;
    toast(`${data.author} mentioned you: ${data.text}`, { href: `/conversations/${data.conversationId}` });
    this.refresh();
  }
}

/** The header's status picker: online (conversations are assigned to me while a page is open), away, offline. */
async function setUpStatusPicker(ready) {
  const select = document.getElementById('my-status');
  if (!select) return;
  await ready;
  const picker = select.closest('.status-picker');
  const show = (agent) => {
    select.value = agent.status;
    picker.dataset.status = agent.status;
    picker.dataset.presence = agent.presence;
  };
  const refresh = async () => show(await api('/api/v1/agents/me'));
  try {
    await refresh();
    select.disabled = false;
  } catch { return; }
  // Presence follows this page's live connection, reported a moment after it opens.
  setTimeout(() => refresh().catch(() => {}), 1500);
  setInterval(() => { if (!document.hidden) refresh().catch(() => {}); }, 30000);
  select.addEventListener('change', async () => {
    try {
      show(await api('/api/v1/agents/me/status', { method: 'PUT', body: { status: select.value } }));
      toast(select.value === 'online' ? 'You are online: new conversations come to you.' : `You are ${select.value}: no new conversations are assigned to you.`);
    } catch (e) { toast(e.message, { kind: 'error' }); }
  });
}

/** Shows a modal question; resolves true when the person confirms. */
export function confirmDialog(title, text, confirmLabel) {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-title' },
      h('h2', { id: 'confirm-title' }, title),
      h('p', {}, text),
      h('form', { method: 'dialog', class: 'dialog-actions' },
        h('button', { value: 'cancel', class: 'ghost' }, 'Cancel'),
        h('button', { value: 'ok', class: 'primary' }, confirmLabel)));
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'ok');
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector('button.primary').focus();
  });
}
