// The inbox: one list across channels, highest priority first (with its reasons), filtered, searched,
// kept live by the event log, and driven from the keyboard (j/k, enter, r, e, /, ?).
import {
  api, h, me, replaceChildren, duration, channelName, stateName, toast, typingInField, hasModifier,
  Live, setUpChrome, markRendered, firstData, firstPaint,
} from './common.js';
import { clockChip, clockText, loadClocks } from './clocks.js';

const FILTERS = ['status', 'state', 'channel', 'team', 'assignee', 'sort', 'removed', 'q', 'tag'];
const BUILT_IN_VIEWS = [
  { name: 'My conversations', query: 'status=open&assignee=me' },
  { name: 'Open', query: 'status=open' },
  { name: 'New, not yet answered', query: 'status=open&state=new' },
  { name: 'Unassigned', query: 'status=open&assignee=none' },
  { name: 'Waiting on customer', query: 'status=open&state=waiting_on_customer' },
  { name: 'Resolved', query: 'status=resolved' },
  { name: 'Taken out by rules', query: 'status=open&removed=only' },
];

const chrome = setUpChrome({ afterFirstPaint: true });
// The first page, read by the server for this address and sent in the document (docs/adr/0026).
const first = firstData();
// The live feed's position that first page is current to; consumed by the first connection.
let firstSince = first?.since ?? null;
const main = document.getElementById('main');
const state = {
  filters: readFilters(),
  items: [],            // InboxItem, in display order
  nextCursor: null,
  total: 0,
  selected: 0,
  fresh: new Set(),     // ids that arrived live and have not been looked at
  presence: new Map(),  // conversation id -> people with it open
  teams: [],
  users: [],
  channels: [],
  views: [],
  queues: [],
  clocks: new Map(),    // conversation id -> its most pressing service-level clock
  loading: false,
  error: null,
};
let pendingIds = new Set();
let pendingTimer = null;
let flushing = false;   // one refresh in flight at a time: changes that arrive meanwhile go in the next one
let queuesTimer = null;
let loadController = null;
let rowsDuringLoad = null; // inbox.rows messages received while the list is being (re)loaded
let renderFrame = null;

// ---------- layout ----------
const searchInput = h('input', { type: 'search', id: 'search', name: 'q', placeholder: 'Words, @handle or #tag', autocomplete: 'off', 'aria-keyshortcuts': '/' });
const statusSelect = filterSelect('status', [['open', 'Open'], ['resolved', 'Resolved'], ['all', 'All']]);
const stateSelect = filterSelect('state', [['', 'Any state'], ['new', 'New'], ['acknowledged', 'Acknowledged'], ['waiting_on_customer', 'Waiting on customer'], ['snoozed', 'Snoozed']]);
const channelSelect = filterSelect('channel', [['', 'All channels'], ['x', 'X'], ['meta', 'Facebook / Instagram']]);
const teamSelect = filterSelect('team', [['', 'All teams'], ['none', 'No team']]);
const assigneeSelect = filterSelect('assignee', [['', 'Anyone'], ['me', 'Me'], ['none', 'Nobody']]);
const sortSelect = filterSelect('sort', [['', 'Priority'], ['waiting', 'Oldest waiting'], ['recent', 'Newest']]);
const totalEl = h('span', { class: 'total', 'aria-live': 'polite' });
const newBadge = h('button', { type: 'button', class: 'new-badge', hidden: true, onclick: showFresh });
const statusLine = h('div', { class: 'list-state', role: 'status', 'aria-live': 'polite' });
const list = h('ol', { class: 'conversation-list', id: 'conversation-list', 'aria-label': 'Conversations' });
const moreButton = h('button', { type: 'button', class: 'ghost more', hidden: true, onclick: () => load({ append: true }) }, 'Show more');
const viewsList = h('ul', { class: 'views' });
const queuesList = h('ul', { class: 'views queues', 'aria-labelledby': 'queues-title' });
const saveViewButton = h('button', { type: 'button', class: 'ghost', onclick: saveView }, 'Save this view…');

replaceChildren(main,
  h('div', { class: 'inbox' },
    h('aside', { class: 'sidebar', 'aria-labelledby': 'views-title' },
      h('h2', { id: 'views-title' }, 'Views'), viewsList, saveViewButton,
      h('h2', { id: 'queues-title' }, 'Queues'), queuesList,
      h('p', { class: 'missed-link' }, h('a', { href: '/missed' }, 'Missed posts →'))),
    h('section', { class: 'list-pane', 'aria-labelledby': 'inbox-title' },
      h('div', { class: 'list-head' },
        h('h1', { id: 'inbox-title' }, 'Inbox ', totalEl), newBadge),
      h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter conversations', onsubmit: (e) => { e.preventDefault(); applyFilters(); } },
        h('div', { class: 'field search-field' }, h('label', { for: 'search' }, 'Search'), searchInput),
        field('Status', statusSelect), field('State', stateSelect), field('Channel', channelSelect),
        field('Team', teamSelect), field('Assignee', assigneeSelect), field('Order', sortSelect)),
      statusLine, list, moreButton)));

function filterSelect(name, options) {
  return h('select', { id: `filter-${name}`, name, onchange: applyFilters }, options.map(([value, label]) => h('option', { value }, label)));
}

function field(label, control) {
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control);
}

// ---------- filters and views ----------
function readFilters() {
  const params = new URLSearchParams(location.search);
  const filters = {};
  for (const key of FILTERS) if (params.get(key)) filters[key] = params.get(key);
  filters.status ??= 'open';
  return filters;
}

function queryOf(filters) {
  const params = new URLSearchParams();
  for (const key of FILTERS) if (filters[key]) params.set(key, filters[key]);
  return params.toString();
}

function showFilters() {
  searchInput.value = state.filters.tag ? '#' + state.filters.tag : state.filters.q ?? '';
  statusSelect.value = state.filters.status ?? 'open';
  stateSelect.value = state.filters.state ?? '';
  channelSelect.value = state.filters.channel ?? '';
  teamSelect.value = state.filters.team ?? '';
  assigneeSelect.value = state.filters.assignee ?? '';
  sortSelect.value = state.filters.sort ?? '';
  renderViews();
}

let searchTimer = null;
searchInput.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(applyFilters, 250);
});

function applyFilters() {
  // "#vip" in the search box filters on the tag (people and apps tag conversations; docs/adr/0017).
  const search = searchInput.value.trim();
  const tag = /^#[a-z0-9][a-z0-9_:.-]*$/i.test(search) ? search.slice(1).toLowerCase() : '';
  const filters = {
    q: tag ? '' : search, tag, status: statusSelect.value, state: stateSelect.value,
    channel: channelSelect.value, team: teamSelect.value, assignee: assigneeSelect.value,
    sort: sortSelect.value, removed: state.filters.removed,
  };
  setFilters(filters);
}

function setFilters(filters) {
  state.filters = Object.fromEntries(Object.entries(filters).filter(([, v]) => v));
  state.filters.status ??= 'open';
  history.replaceState(null, '', '/' + (queryOf(state.filters) ? '?' + queryOf(state.filters) : ''));
  state.fresh.clear();
  showFilters();
  load();
}

function renderViews() {
  const current = queryOf(state.filters);
  const item = (view, removable) => h('li', {},
    h('a', {
      href: '/?' + view.query,
      'aria-current': view.query === current ? 'true' : undefined,
      onclick: (e) => { e.preventDefault(); setFilters(Object.fromEntries(new URLSearchParams(view.query))); },
    }, view.name),
    removable ? h('button', {
      type: 'button', class: 'ghost small', 'aria-label': `Delete view ${view.name}`,
      onclick: () => deleteView(view),
    }, '×') : null);
  replaceChildren(viewsList,
    BUILT_IN_VIEWS.map((v) => item(v, false)),
    state.views.length ? h('li', { class: 'views-divider', role: 'presentation' }, 'Saved') : null,
    state.views.map((v) => item(v, true)));
  replaceChildren(queuesList, state.queues.length === 0
    ? h('li', { class: 'empty' }, 'No team queues yet.')
    : state.queues.map((q) => {
      const query = `status=open&team=${q.teamId}`;
      return h('li', {},
        h('a', {
          href: '/?' + query,
          'aria-current': query === current ? 'true' : undefined,
          onclick: (e) => { e.preventDefault(); setFilters(Object.fromEntries(new URLSearchParams(query))); },
        }, q.name, ' ', h('span', { class: 'queue-count', title: `${q.waiting} waiting for someone to take them, ${q.open} open` }, String(q.waiting))));
    }));
}

async function loadQueues() {
  try {
    state.queues = await api('/api/v1/queues');
  } catch { state.queues = []; }
  renderViews();
}

/** Fetches the clocks of the listed conversations (all, or the given ids) and redraws. */
async function refreshClocks(ids = state.items.map((i) => i.id)) {
  if (ids.length === 0) return;
  try {
    await loadClocks(api, ids, state.clocks);
    render();
  } catch { /* the list still works without its clocks */ }
}

async function loadViews() {
  try {
    state.views = await api('/api/v1/views');
  } catch { state.views = []; }
  renderViews();
}

async function saveView() {
  const name = prompt('Name this view', describeFilters());
  if (!name) return;
  try {
    await api('/api/v1/views', { method: 'POST', body: { name, query: queryOf(state.filters) } });
    toast(`Saved view “${name}”.`);
    await loadViews();
  } catch (e) { toast(e.message, { kind: 'error' }); }
}

async function deleteView(view) {
  try {
    await api(`/api/v1/views/${view.id}`, { method: 'DELETE' });
    await loadViews();
  } catch (e) { toast(e.message, { kind: 'error' }); }
}

function describeFilters() {
  const f = state.filters;
  const parts = [f.state ? stateName(f.state) : f.status === 'resolved' ? 'Resolved' : 'Open'];
  if (f.channel) parts.push(channelName(f.channel));
  if (f.team) parts.push(f.team === 'none' ? 'no team' : state.teams.find((t) => t.id === f.team)?.name ?? 'team');
  if (f.assignee) parts.push(f.assignee === 'me' ? 'mine' : f.assignee === 'none' ? 'unassigned' : state.users.find((u) => u.id === f.assignee)?.name ?? '');
  if (f.removed === 'only') parts.push('taken out by rules');
  if (f.q) parts.push(`“${f.q}”`);
  return parts.join(', ');
}

async function loadDirectory() {
  const [teams, users] = await Promise.all([api('/api/v1/teams').catch(() => []), api('/api/v1/users').catch(() => [])]);
  state.teams = teams;
  state.users = users;
  replaceChildren(teamSelect, h('option', { value: '' }, 'All teams'), h('option', { value: 'none' }, 'No team'),
    teams.map((t) => h('option', { value: t.id }, t.name)));
  replaceChildren(assigneeSelect, h('option', { value: '' }, 'Anyone'), h('option', { value: 'me' }, 'Me'), h('option', { value: 'none' }, 'Nobody'),
    users.filter((u) => u.id !== me.id && !u.disabled).map((u) => h('option', { value: u.id }, u.name)));
  // Only the lists changed: the search box may hold words being typed right now.
  teamSelect.value = state.filters.team ?? '';
  assigneeSelect.value = state.filters.assignee ?? '';
}

// ---------- loading ----------
async function load({ append = false } = {}) {
  loadController?.abort();
  loadController = new AbortController();
  // Rows that arrive while the list is read may be newer than its answer: they are applied again on top of it.
  if (!append) rowsDuringLoad = [];
  state.loading = true;
  state.error = null;
  if (!append) renderStatus();
  const params = new URLSearchParams(queryOf(state.filters));
  params.set('limit', '50');
  if (append && state.nextCursor) params.set('cursor', state.nextCursor);
  try {
    const page = await api('/api/v1/inbox?' + params, { signal: loadController.signal });
    const replay = append ? [] : rowsDuringLoad ?? [];
    rowsDuringLoad = null;
    show(page, { append });
    for (const message of replay) applyRows(message);
  } catch (e) {
    if (e.name === 'AbortError') return;
    state.loading = false;
    state.error = e.message;
    renderStatus();
  }
}

function show(page, { append = false } = {}) {
  const selectedId = state.items[state.selected]?.id;
  state.items = append ? state.items.concat(page.items.filter((i) => !state.items.some((x) => x.id === i.id))) : page.items;
  state.nextCursor = page.nextCursor;
  state.total = page.total;
  const keep = state.items.findIndex((i) => i.id === selectedId);
  state.selected = keep >= 0 ? keep : Math.min(state.selected, Math.max(0, state.items.length - 1));
  state.loading = false;
  render();
  if (!append) markRendered('inbox');
  refreshClocks(append ? page.items.map((i) => i.id) : undefined);
}

/** Live: the server sends the changed rows of conversations this person may see, whatever the filters; the page keeps
 * those that match its filters. A text search is the server's to decide: those rows are asked for by id. */
function applyRows({ rows = [], gone = [] }) {
  rowsDuringLoad?.push({ rows, gone });
  for (const r of rows) if (r.clock) state.clocks.set(r.item.id, r.clock);
  if (state.filters.q) {
    for (const r of rows) changed(r.item.id, { isNew: r.news });
    for (const id of gone) changed(id);
    return;
  }
  const asked = new Set(gone);
  for (const r of rows) asked.add(r.item.id);
  merge(asked, rows.map((r) => r.item).filter(matches), new Set(rows.filter((r) => r.news).map((r) => r.item.id)));
  renderSoon();
  queuesTimer ??= setTimeout(() => { queuesTimer = null; loadQueues(); }, 2000);
}

/** Whether a row belongs in the list under the current filters, as GET /api/v1/inbox decides it (but the text search). */
function matches(item) {
  const f = state.filters;
  const id = (value) => value?.toLowerCase(); // ids in an address may be upper case; the server's are not
  if ((f.status ?? 'open') !== 'all' && item.status !== (f.status ?? 'open')) return false;
  if (f.removed === 'only' ? !item.removed : f.removed !== 'include' && item.removed) return false;
  if (f.state && item.state !== f.state) return false;
  if (f.channel && item.channelId !== id(f.channel) && item.channelKind !== f.channel) return false;
  if (f.team && (f.team === 'none' ? item.teamId !== null : item.teamId !== id(f.team))) return false;
  if (f.assignee) {
    const who = f.assignee === 'me' ? me.id : id(f.assignee);
    if (who === 'none' ? item.assigneeId !== null : item.assigneeId !== who) return false;
  }
  if (f.tag && !(item.tags ?? []).includes(f.tag.toLowerCase())) return false;
  return true;
}

/** One redraw per frame however many messages arrived in it. */
function renderSoon() {
  if (renderFrame !== null) return;
  const draw = () => {
    cancelAnimationFrame(renderFrame?.frame);
    clearTimeout(renderFrame?.timer);
    renderFrame = null;
    render();
  };
  // A hidden page gets no frames; the timer keeps its list (and title) current anyway.
  renderFrame = { frame: requestAnimationFrame(draw), timer: setTimeout(draw, 250) };
}

/** Live, during a text search: ask the server which of the changed conversations match the current filters, and merge. */
function changed(id, { isNew = false } = {}) {
  pendingIds.add(id);
  if (isNew) pendingIds.add('new:' + id);
  // At most 120 ms after the first change, never reset by the next: at 100 posts a second a
  // debounce would keep waiting for a pause that never comes.
  pendingTimer ??= setTimeout(flushChanges, 120);
}

async function flushChanges() {
  pendingTimer = null;
  // A slow server must not be asked again every 120 ms while it answers: the next refresh waits for this
  // one and carries everything that changed meanwhile (docs/adr/0020).
  if (flushing) return;
  flushing = true;
  try {
    await flushPending();
  } finally {
    flushing = false;
    if (pendingIds.size && !pendingTimer) pendingTimer = setTimeout(flushChanges, 120);
  }
}

async function flushPending() {
  const batch = [...pendingIds];
  pendingIds = new Set();
  const ids = batch.filter((x) => !x.startsWith('new:'));
  const brandNew = new Set(batch.filter((x) => x.startsWith('new:')).map((x) => x.slice(4)));
  if (ids.length === 0) return;
  for (let i = 0; i < ids.length; i += 100) {
    const chunk = ids.slice(i, i + 100);
    const params = new URLSearchParams(queryOf(state.filters));
    params.set('ids', chunk.join(','));
    params.set('limit', '200');
    let page;
    try {
      page = await api('/api/v1/inbox?' + params);
    } catch {
      ids.slice(i).forEach((id) => pendingIds.add(id));
      clearTimeout(pendingTimer);
      pendingTimer = setTimeout(flushChanges, 2000);
      return;
    }
    merge(new Set(chunk), page.items, brandNew);
  }
  render();
  refreshClocks(ids.filter((id) => state.items.some((i) => i.id === id)));
  // Queue counts are a summary: at most one reload every two seconds however fast posts arrive.
  queuesTimer ??= setTimeout(() => { queuesTimer = null; loadQueues(); }, 2000);
}

function merge(asked, found, brandNew) {
  const selectedId = state.items[state.selected]?.id;
  const byId = new Map(found.map((i) => [i.id, i]));
  const before = state.items.length;
  state.items = state.items.filter((i) => !asked.has(i.id) || byId.has(i.id));
  const removed = before - state.items.length;
  const position = new Map(state.items.map((i, index) => [i.id, index]));
  let added = 0;
  for (const item of found) {
    const at = position.get(item.id) ?? -1;
    if (at >= 0) {
      const shown = state.items[at];
      state.items[at] = item;
      // A burst the customer has finished is news, even in a conversation already listed, but only if the row
      // showed less than that: the page's own data can be ahead of the feed, whose events then repeat it.
      const grew = shown.writing || shown.lastMessageAt !== item.lastMessageAt;
      if (brandNew.has(item.id) && !item.writing && grew) state.fresh.add(item.id);
      continue;
    }
    // Beyond the loaded page it would only appear out of order; "Show more" will bring it.
    if (state.nextCursor && compare(item, state.items[state.items.length - 1]) > 0) continue;
    state.items.push(item);
    added++;
    // While the customer is still writing it is listed but not announced: the badge waits for the whole burst.
    if ((brandNew.has(item.id) || item.lastDirection === 'inbound') && !item.writing) state.fresh.add(item.id);
  }
  state.items.sort(compare);
  state.total += added - removed;
  const keep = state.items.findIndex((i) => i.id === selectedId);
  state.selected = keep >= 0 ? keep : Math.min(state.selected, Math.max(0, state.items.length - 1));
}

function sortOrder() {
  return state.filters.sort || (state.filters.status === 'resolved' ? 'recent' : 'priority');
}

/** The server's order, so live rows land where a reload would put them. */
function compare(a, b) {
  const oldestFirst = timeOf(a) - timeOf(b) || a.id.localeCompare(b.id);
  switch (sortOrder()) {
    case 'priority': return (b.rankedPriority - a.rankedPriority) || oldestFirst;
    case 'recent': return -oldestFirst;
    default: return oldestFirst;
  }
}

// A list of thousands is sorted on every live change: each row's time is parsed once, not once per comparison.
const times = new WeakMap();
function timeOf(item) {
  let t = times.get(item);
  if (t === undefined) times.set(item, t = Date.parse(item.lastMessageAt));
  return t;
}

function priorityBand(value) {
  return value >= 60 ? 'high' : value >= 30 ? 'medium' : 'low';
}

// ---------- rendering ----------
function renderStatus() {
  if (state.loading && state.items.length === 0) {
    replaceChildren(statusLine, h('p', { class: 'loading' }, 'Loading conversations…'));
  } else if (state.error) {
    replaceChildren(statusLine, h('p', { class: 'form-error' }, `Could not load the inbox: ${state.error} `,
      h('button', { type: 'button', onclick: () => load() }, 'Try again')));
  } else if (state.items.length === 0) {
    const filtered = Object.keys(state.filters).some((k) => k !== 'status') || state.filters.status !== 'open';
    replaceChildren(statusLine, h('p', { class: 'empty' }, filtered
      ? 'No conversations match these filters. '
      : 'Nothing is waiting. New posts and messages appear here as they arrive.',
    filtered ? h('button', { type: 'button', class: 'ghost', onclick: () => setFilters({ status: 'open' }) }, 'Clear filters') : null));
  } else {
    replaceChildren(statusLine);
  }
}

function render({ times = false } = {}) {
  const hadFocus = list.contains(document.activeElement);
  renderStatus();
  totalEl.textContent = state.total ? `(${state.total})` : '';
  const previous = drawn;
  drawn = new Map();
  place(state.items.map((item, index) => rowFor(item, index, previous, times)));
  // A live update must not take the keyboard away from the agent.
  if (hadFocus) list.children[state.selected]?.querySelector('.row-link')?.focus({ preventScroll: true });
  moreButton.hidden = !state.nextCursor;
  renderFresh();
}

// Rows already in the list, by conversation id, with what they were drawn from. A live refresh redraws only the
// rows whose item, selection, freshness, presence or clock changed; the rest stay where they are (their times are
// updated by the 30 s tick). At 100 posts a second the list grows by a row a post, and rebuilding all of it twice a
// refresh was what kept a busy page seconds behind (docs/adr/0026); so was re-inserting every row (docs/adr/0029).
let drawn = new Map();

function inputsOf(item, index) {
  return {
    item, selected: index === state.selected, fresh: state.fresh.has(item.id),
    presence: state.presence.get(item.id), clock: state.clocks.get(item.id),
  };
}

function rowFor(item, index, previous, times) {
  const inputs = inputsOf(item, index);
  const old = previous.get(item.id);
  let el;
  if (old && Object.keys(inputs).every((k) => old.inputs[k] === inputs[k])) {
    el = old.el;
    if (times) updateTimes(el, item);
  } else {
    el = row(item, index);
  }
  drawn.set(item.id, { inputs, el });
  return el;
}

/** Makes the list's children these elements in this order, touching only those out of place: a new row is one
 * insertion, not a rebuild of the thousands around it. */
function place(elements) {
  const wanted = new Set(elements);
  for (const child of [...list.children]) if (!wanted.has(child)) child.remove();
  let cursor = list.firstElementChild;
  for (const el of elements) {
    if (cursor === el) { cursor = cursor.nextElementSibling; continue; }
    // The row here belongs further down (it moved, or the one wanted here moved up past it): it waits to be placed there.
    if (cursor && cursor.nextElementSibling === el) {
      const later = cursor;
      cursor = el.nextElementSibling;
      later.remove();
      continue;
    }
    list.insertBefore(el, cursor);
  }
}

/** The parts of a row that move on with the clock. */
function updateTimes(el, item) {
  const waitingMs = Date.now() - new Date(item.lastMessageAt).getTime();
  const waiting = el.querySelector('.waiting, .replied');
  if (waiting) waiting.textContent = item.lastDirection === 'inbound' ? `waiting ${duration(waitingMs)}` : `replied ${duration(waitingMs)} ago`;
  const summary = state.clocks.get(item.id);
  const clock = el.querySelector('.clock');
  if (clock && summary) clock.textContent = clockText(summary.urgency, summary.clock, summary.dueAt);
}

function row(item, index) {
  const waitingMs = Date.now() - new Date(item.lastMessageAt).getTime();
  const viewers = (state.presence.get(item.id) ?? []).filter((p) => p.userId !== me.id);
  const selected = index === state.selected;
  const fresh = state.fresh.has(item.id);
  const handle = item.contact.handle ? '@' + item.contact.handle : '';
  return h('li', {
    class: `conversation-row${selected ? ' selected' : ''}${fresh ? ' fresh' : ''}`,
    dataset: { id: item.id, state: item.state },
  },
  h('a', {
    href: `/conversations/${item.id}`, class: 'row-link', tabindex: selected ? '0' : '-1',
    'aria-current': selected ? 'true' : undefined,
    // The row may have moved since it was drawn: its place is looked up when it gets focus.
    onfocus: () => select(state.items.findIndex((i) => i.id === item.id), { focus: false }),
  },
  h('span', { class: `channel channel-${item.channelKind}`, title: item.channelName }, channelName(item.channelKind)),
  h('span', { class: 'who' },
    h('strong', { class: 'name' }, item.contact.displayName || handle || 'Unknown customer'),
    handle ? h('span', { class: 'handle' }, handle) : null),
  h('span', { class: 'preview' }, item.preview || '(no text)'),
  h('span', { class: 'meta' },
    h('span', { class: `priority priority-${priorityBand(item.priority)}`, title: `Priority ${item.priority} of 100` },
      h('span', { class: 'visually-hidden' }, 'Priority '), String(item.priority)),
    item.priorityReasons.length ? h('span', { class: 'reasons' }, item.priorityReasons.slice(0, 4).join(', ')) : null,
    item.writing ? h('span', { class: 'writing', title: 'The customer is still writing; ranked when they finish' }, 'writing…') : null,
    item.removed ? h('span', { class: 'removed-label' }, 'taken out by rules') : null,
    item.tags?.length ? h('span', { class: 'row-tags', title: 'Tags' }, item.tags.map((t) => '#' + t).join(' ')) : null,
    h('span', { class: `state state-${item.state}` }, stateName(item.state)),
    item.lastDirection === 'inbound'
      ? h('span', { class: 'waiting', title: `Customer wrote ${new Date(item.lastMessageAt).toLocaleString()}` }, `waiting ${duration(waitingMs)}`)
      : h('span', { class: 'replied' }, `replied ${duration(waitingMs)} ago`),
    clockChip(state.clocks.get(item.id)),
    item.teamName ? h('span', { class: 'team' }, item.teamName) : null,
    item.assigneeId
      ? h('span', { class: `owner${item.assigneeId === me.id ? ' mine' : ''}`, title: 'Owner' }, item.assigneeId === me.id ? 'you' : item.assigneeName ?? 'someone')
      : h('span', { class: 'owner none' }, 'unassigned'),
    viewers.length ? h('span', { class: 'viewing' }, viewers.map((p) => p.name).join(', ') + (viewers.some((p) => p.typing) ? ' typing…' : ' viewing')) : null,
    fresh ? h('span', { class: 'fresh-label' }, 'new') : null)));
}

function renderFresh() {
  const listed = new Set(state.items.map((i) => i.id));
  const count = [...state.fresh].filter((id) => listed.has(id)).length;
  newBadge.hidden = count === 0;
  newBadge.textContent = `${count} new`;
  newBadge.setAttribute('aria-label', `${count} new conversation${count === 1 ? '' : 's'}; show the first`);
  document.title = (count ? `(${count}) ` : '') + 'Inbox · Parley';
}

function showFresh() {
  const index = state.items.findIndex((i) => state.fresh.has(i.id));
  if (index >= 0) select(index);
}

// Waiting times move on while the page is open.
setInterval(() => { if (!document.hidden) render({ times: true }); }, 30000);

// ---------- keyboard ----------
function select(index, { focus = true } = {}) {
  if (state.items.length === 0) return;
  const next = Math.max(0, Math.min(state.items.length - 1, index));
  const previous = list.children[state.selected];
  state.selected = next;
  const item = state.items[next];
  if (state.fresh.delete(item.id)) renderFresh();
  if (previous) {
    previous.classList.remove('selected');
    const link = previous.querySelector('.row-link');
    link.tabIndex = -1;
    link.removeAttribute('aria-current');
  }
  const li = list.children[next];
  if (!li) return;
  li.classList.add('selected');
  li.classList.remove('fresh');
  li.querySelector('.fresh-label')?.remove();
  const link = li.querySelector('.row-link');
  link.tabIndex = 0;
  link.setAttribute('aria-current', 'true');
  if (focus) link.focus();
  li.scrollIntoView({ block: 'nearest' });
}

async function resolveSelected() {
  const item = state.items[state.selected];
  if (!item) return;
  try {
    await api(`/api/v1/conversations/${item.id}/resolve`, { method: 'POST' });
    toast(`Resolved the conversation with ${item.contact.displayName || item.contact.handle}.`);
    changed(item.id);
    await flushChanges();
    select(state.selected);
  } catch (e) { toast(e.message, { kind: 'error' }); }
}

document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && event.target === searchInput) {
    searchInput.blur();
    select(state.selected);
    return;
  }
  if (typingInField(event) || hasModifier(event) || document.querySelector('dialog[open]')) return;
  switch (event.key) {
    case 'j': event.preventDefault(); select(state.selected + 1); break;
    case 'k': event.preventDefault(); select(state.selected - 1); break;
    case 'Enter': {
      if (!(event.target instanceof HTMLAnchorElement) && state.items[state.selected]) {
        event.preventDefault();
        location.assign(`/conversations/${state.items[state.selected].id}`);
      }
      break;
    }
    case 'r': {
      const item = state.items[state.selected];
      if (item) { event.preventDefault(); location.assign(`/conversations/${item.id}#reply`); }
      break;
    }
    case 'e': event.preventDefault(); resolveSelected(); break;
    case '/': event.preventDefault(); searchInput.focus(); searchInput.select(); break;
    default: break;
  }
});

// ---------- live ----------
const live = new Live({
  onEvent(type, event) {
    if (type === 'people.changed') { loadDirectory(); return; }
    if (type === 'note.added') { chrome.notifications.mentioned(event); return; }
    if (type === 'conversation.assigned' && event.data?.assigneeId === me.id && event.data?.by !== me.name) chrome.notifications.refresh();
    // Everything else about a conversation comes as its row (applyRows).
  },
  onPresence(p) {
    if (p.people.length) state.presence.set(p.conversationId, p.people); else state.presence.delete(p.conversationId);
    const index = state.items.findIndex((i) => i.id === p.conversationId);
    const li = list.children[index];
    if (!li) return;
    const hadFocus = li.contains(document.activeElement);
    const fresh = row(state.items[index], index);
    li.replaceWith(fresh);
    drawn.set(p.conversationId, { inputs: inputsOf(state.items[index], index), el: fresh });
    if (hadFocus) fresh.querySelector('.row-link').focus({ preventScroll: true });
  },
  onRows: applyRows,
  onResync(ready) {
    // The first connection after the page came with its first page: nothing to reload if no events were
    // handed out between that read and this connection.
    const current = ready && firstSince !== null && ready.since === firstSince;
    firstSince = null;
    if (!current) load();
  },
});

showFilters();
if (first) show(first.page); else load();
// Everything else waits for the list to be painted (the browser's connections go to the list first).
firstPaint.then(() => {
  live.start();
  loadDirectory();
  loadViews();
  loadQueues();
});
