// One conversation: the thread (inbound and outbound, public and private, media, delivery status),
// its triage (priority and reasons, mood, intent, urgency, sensitive data, abuse/spam/noise) and the
// customer beside it, a composer that knows the channel, private notes with @mentions, presence, and
// resolve / reopen / assign. Customer text is only ever set as text. Sensitive values arrive masked;
// "Show hidden details" asks the server for the original, which logs who asked.
import {
  api, h, me, replaceChildren, timeEl, channelName, stateName, toast, typingInField, hasModifier,
  Live, conversationOf, setUpChrome, linkified, safeUrl, ApiError, markRendered, confirmDialog, duration, firstPaint, firstData,
} from './common.js';
import { limitFor } from './xtext.js';
import { clockChip, clockText, clockName } from './clocks.js';
import { TemplatePicker } from './templates.js';
import { appBadge, proposalItem, suggestCommands, KnowledgePicker, TagEditor } from './acting.js';

const chrome = setUpChrome({ afterFirstPaint: true });
const main = document.getElementById('main');
const id = main.dataset.subject;
const state = {
  detail: null,
  notes: [],
  contact: null,
  contactNotes: [],
  teams: [],
  users: [],
  presence: [],
  optimistic: [],
  mode: 'public',
  revealed: new Map(),  // message id -> original text the agent asked to see
  summary: null,   // the most pressing clock (GET /clocks?ids=)
  clocks: null,    // every clock (GET /conversations/{id}/clocks)
  timers: [],
  late: null,      // the late-reply opening on offer, if the promise was broken
  proposals: [],   // replies apps proposed (docs/adr/0017)
  tags: [],
  commands: [],    // hashtag commands apps answer here
};
let refreshTimer = null;
let typingSentAt = 0;

// ---------- layout ----------
const title = h('h1', { id: 'conversation-title' }, 'Conversation');
const subtitle = h('p', { class: 'subtitle' });
const stateBadge = h('span', { class: 'state' });
// Disabled until the conversation has loaded.
const resolveButton = h('button', { type: 'button', class: 'primary', 'aria-keyshortcuts': 'e', onclick: toggleResolved, disabled: true }, 'Resolve');
const teamSelect = h('select', { id: 'assign-team', onchange: () => assign(), disabled: true });
const assigneeSelect = h('select', { id: 'assign-person', onchange: () => assign(), disabled: true });
const presenceLine = h('p', { class: 'presence', role: 'status', 'aria-live': 'polite' });
const clockSlot = h('span', { class: 'clock-slot', 'aria-live': 'polite' });
const ownerLine = h('p', { class: 'owner-line', id: 'owner-line' });
const takeButton = h('button', { type: 'button', class: 'small', id: 'take-button', onclick: () => take(), hidden: true }, 'Take it');
const thread = h('ol', { class: 'thread', 'aria-label': 'Messages and notes' });
const threadState = h('div', { class: 'thread-state', role: 'status' }, h('p', { class: 'loading' }, 'Loading the conversation…'));

const textarea = h('textarea', {
  id: 'composer-text', name: 'text', rows: '4', 'aria-describedby': 'composer-count composer-hint', 'aria-keyshortcuts': 'r Control+Enter',
});
const counter = h('span', { id: 'composer-count', class: 'count', 'aria-live': 'polite' });
const hint = h('span', { id: 'composer-hint', class: 'hint' }, 'Ctrl+Enter sends');
const sendButton = h('button', { type: 'submit', class: 'primary' }, 'Send');
const composerError = h('p', { class: 'form-error', role: 'alert', hidden: true });
const ownerWarning = h('p', { class: 'notice owner-warning', id: 'owner-warning', role: 'status', hidden: true });
const lateNotice = h('div', { class: 'notice late-reply', id: 'late-reply', hidden: true });
const lateReason = h('input', { type: 'text', id: 'late-reason', placeholder: 'Why it took so long (optional)', 'aria-label': 'Reason for the delay' });
const templatePicker = new TemplatePicker({
  conversationId: id,
  onInsert(text, missing) {
    insertAtCaret(text);
    if (missing.length) toast(`Fill in: ${missing.map((m) => '{' + m + '}').join(', ')}`);
  },
});
const knowledgePicker = new KnowledgePicker({ onInsert: (text) => insertAtCaret(text) });
const tagEditor = new TagEditor({ conversationId: id, onChange: () => refreshSoon() });
const suggestions = h('ul', { class: 'mentions', role: 'listbox', id: 'mention-list', 'aria-label': 'Colleagues', hidden: true });
const modeInputs = {};
const modes = [
  ['public', 'Public reply'],
  ['private', 'Private message'],
  ['note', 'Note for colleagues'],
];
const composerLabel = h('label', { for: 'composer-text', class: 'composer-label' }, 'Reply');
const composer = h('form', { class: 'composer', 'aria-labelledby': 'composer-legend', onsubmit: (e) => { e.preventDefault(); send(); } },
  h('fieldset', { class: 'modes' },
    h('legend', { id: 'composer-legend' }, 'Write'),
    modes.map(([value, label]) => {
      const input = h('input', { type: 'radio', name: 'mode', value, id: `mode-${value}`, onchange: () => { state.modeChosen = true; setMode(value); } });
      modeInputs[value] = input;
      return h('label', { for: `mode-${value}`, class: 'mode' }, input, label);
    })),
  ownerWarning, lateNotice,
  h('div', { class: 'composer-label-row' }, composerLabel, templatePicker.button, knowledgePicker.button),
  templatePicker.panel, knowledgePicker.panel, textarea, suggestions,
  h('div', { class: 'composer-bar' }, counter, hint, sendButton),
  composerError);

const signalsPanel = h('section', { class: 'signals', 'aria-labelledby': 'signals-title' },
  h('h2', { id: 'signals-title' }, 'Triage'), h('p', { class: 'loading' }, 'Loading…'));
const customerSection = h('section', { class: 'customer', 'aria-labelledby': 'customer-title' },
  h('h2', { id: 'customer-title' }, 'Customer'), h('p', { class: 'loading' }, 'Loading…'));
const customerPane = h('aside', { class: 'customer-pane', 'aria-label': 'Triage and customer' }, signalsPanel, customerSection);

replaceChildren(main,
  h('div', { class: 'conversation-page' },
    h('section', { class: 'thread-pane', 'aria-labelledby': 'conversation-title' },
      h('header', { class: 'conversation-head' },
        h('a', { href: '/', class: 'back', 'aria-keyshortcuts': 'u' }, '← Inbox'),
        h('div', { class: 'title-block' }, title, subtitle, tagEditor.element),
        h('div', { class: 'actions' },
          clockSlot, stateBadge, resolveButton,
          h('div', { class: 'field' }, h('label', { for: 'assign-team' }, 'Team'), teamSelect),
          h('div', { class: 'field' }, h('label', { for: 'assign-person' }, 'Assignee'), assigneeSelect)),
        h('div', { class: 'owner-row' }, ownerLine, takeButton),
        presenceLine),
      threadState, thread, composer),
    customerPane));

// ---------- loading ----------
// The thread, its notes, proposals and tags, read by the server for this page and sent in it (docs/adr/0026).
let first = firstData();
// The live feed's position that data is current to; consumed by the first connection.
let firstSince = first?.since ?? null;

async function loadAll() {
  try {
    const inline = first;
    first = null;
    const [detail, notes, proposals, tags] = inline ? [inline.detail, inline.notes, inline.proposals, inline.tags] : await Promise.all([
      api(`/api/v1/conversations/${id}`), api(`/api/v1/conversations/${id}/notes`),
      api(`/api/v1/conversations/${id}/proposals`).catch(() => []), api(`/api/v1/conversations/${id}/tags`).catch(() => [])]);
    state.detail = detail;
    state.notes = notes;
    state.proposals = proposals;
    state.tags = tags;
    knowledgePicker.brandId = detail.brandId;
    if (!state.commandsLoaded) {
      state.commandsLoaded = true;
      api(`/api/v1/conversations/${id}/commands`).then((c) => { state.commands = c; }).catch(() => {});
    }
    // Replies the server now knows replace their optimistic stand-ins.
    state.optimistic = state.optimistic.filter((o) => o.status === 'error' || !detail.messages.some((m) => m.id === o.serverId));
    renderAll();
    markRendered('conversation');
    loadCustomer();
    loadPromises();
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      replaceChildren(main, h('div', { class: 'not-found' },
        h('h1', {}, 'Conversation not found'),
        h('p', {}, 'It does not exist, or it belongs to a team you are not in.'),
        h('a', { href: '/' }, 'Back to the inbox')));
      document.title = 'Not found · Parley';
      return;
    }
    replaceChildren(threadState, h('p', { class: 'form-error' }, `Could not load the conversation: ${e.message} `,
      h('button', { type: 'button', onclick: loadAll }, 'Try again')));
  }
}

async function loadCustomer() {
  const contactId = state.detail?.contact.id;
  if (!contactId) return;
  try {
    const [contact, notes] = await Promise.all([api(`/api/v1/contacts/${contactId}`), api(`/api/v1/contacts/${contactId}/notes`)]);
    state.contact = contact;
    state.contactNotes = notes;
  } catch { state.contact = null; }
  renderCustomer();
}

async function loadDirectory() {
  [state.teams, state.users] = await Promise.all([api('/api/v1/teams').catch(() => []), api('/api/v1/users').catch(() => [])]);
  if (state.detail) renderHead();
}

/** Clocks, timers and the late-reply opening: what was promised to this customer and how it stands. */
async function loadPromises() {
  const [summary, clocks, timers, late] = await Promise.all([
    api(`/api/v1/clocks?ids=${id}`).then((l) => l[0] ?? null).catch(() => null),
    api(`/api/v1/conversations/${id}/clocks`).catch(() => null),
    api(`/api/v1/conversations/${id}/timers`).catch(() => []),
    api(`/api/v1/conversations/${id}/late-reply`).catch(() => null),
  ]);
  Object.assign(state, { summary, clocks, timers, late });
  renderClocks();
  renderLate();
  if (state.contact || state.detail) renderCustomer();
}

function renderClocks() {
  replaceChildren(clockSlot, clockChip(state.summary));
}

function renderLate() {
  const late = state.late;
  if (!late?.late || state.mode === 'note') {
    lateNotice.hidden = true;
    return;
  }
  lateNotice.hidden = false;
  // The reason field is kept across redraws: a live update must not wipe what the agent typed.
  replaceChildren(lateNotice,
    h('p', {}, h('strong', {}, `The customer has waited ${duration(parseSpan(late.waiting))}`), ', past what was promised. Late is better than never: open with an apology?'),
    h('div', { class: 'late-actions' }, lateReason,
      h('button', { type: 'button', class: 'small', id: 'late-insert', onclick: () => insertOpening(lateReason.value) }, 'Insert apology')));
}

async function insertOpening(reason) {
  try {
    const late = await api(`/api/v1/conversations/${id}/late-reply` + (reason.trim() ? `?reason=${encodeURIComponent(reason.trim())}` : ''));
    if (!late.opening) return;
    const rest = textarea.value.trim();
    textarea.value = late.opening + (rest ? ' ' + rest : ' ');
    textarea.focus();
    // Without a reason the opening keeps "{reason}" for the agent to type over.
    const at = textarea.value.indexOf('{reason}');
    if (at >= 0) textarea.setSelectionRange(at, at + '{reason}'.length);
    else textarea.setSelectionRange(textarea.value.length, textarea.value.length);
    updateCount();
  } catch (e) { toast(e.message, { kind: 'error' }); }
}

/** "1.02:03:04" or "02:03:04" (.NET TimeSpan) to milliseconds. */
function parseSpan(span) {
  const m = /^(-)?(?:(\d+)\.)?(\d+):(\d+):(\d+)(?:\.\d+)?$/.exec(span ?? '');
  if (!m) return 0;
  const ms = (((+(m[2] ?? 0) * 24 + +m[3]) * 60 + +m[4]) * 60 + +m[5]) * 1000;
  return m[1] ? -ms : ms;
}

function insertAtCaret(text) {
  const start = textarea.selectionStart ?? textarea.value.length;
  const end = textarea.selectionEnd ?? start;
  textarea.value = textarea.value.slice(0, start) + text + textarea.value.slice(end);
  textarea.focus();
  textarea.setSelectionRange(start + text.length, start + text.length);
  updateCount();
}

function ownedByOther() {
  const d = state.detail;
  return d?.assigneeId && d.assigneeId !== me.id ? d.assigneeId : null;
}

function ownerName(userId) {
  return state.users.find((u) => u.id === userId)?.name ?? 'A colleague';
}

function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(loadAll, 100);
}

// ---------- rendering ----------
function renderAll() {
  renderHead();
  renderSignals();
  renderThread();
  if (!composer.dataset.ready) setUpComposer();
}

function renderHead() {
  const d = state.detail;
  const handle = d.contact.identities.find((i) => i.handle)?.handle;
  title.textContent = d.contact.displayName || (handle ? '@' + handle : 'Customer');
  replaceChildren(subtitle, [handle ? '@' + handle : null, channelName(d.channelKind), ['started ', timeEl(d.messages[0]?.createdAt ?? d.createdAt)]]
    .filter(Boolean).flatMap((x, i) => (i ? [' · ', x] : [x])));
  document.title = `${title.textContent} · Parley`;
  tagEditor.render(state.tags);
  stateBadge.textContent = stateName(d.state);
  stateBadge.className = `state state-${d.state}`;
  resolveButton.textContent = d.status === 'resolved' ? 'Reopen' : 'Resolve';
  resolveButton.disabled = false;
  teamSelect.disabled = false;
  assigneeSelect.disabled = false;
  resolveButton.setAttribute('aria-keyshortcuts', d.status === 'resolved' ? '' : 'e');
  const brandTeams = state.teams.filter((t) => t.brandId === d.brandId);
  replaceChildren(teamSelect, h('option', { value: '' }, 'No team'), brandTeams.map((t) => h('option', { value: t.id }, t.name)));
  teamSelect.value = d.teamId ?? '';
  const team = brandTeams.find((t) => t.id === d.teamId);
  const people = state.users.filter((u) => !u.disabled && (!team || team.memberIds.includes(u.id)));
  replaceChildren(assigneeSelect, h('option', { value: '' }, 'Nobody'), people.map((u) => h('option', { value: u.id }, u.id === me.id ? `${u.name} (me)` : u.name)));
  assigneeSelect.value = d.assigneeId ?? '';
  const other = ownedByOther();
  replaceChildren(ownerLine, 'Owner: ', h('strong', {}, d.assigneeId ? (d.assigneeId === me.id ? 'you' : ownerName(d.assigneeId)) : 'nobody yet'));
  takeButton.hidden = d.assigneeId === me.id || d.status === 'resolved';
  takeButton.textContent = other ? 'Take over' : 'Take it';
  ownerWarning.hidden = !other || state.mode === 'note';
  if (other) replaceChildren(ownerWarning, `${ownerName(other)} owns this conversation. Replying will take it over from them.`);
  renderPresence();
}

function renderPresence() {
  const others = state.presence.filter((p) => p.userId !== me.id);
  if (others.length === 0) {
    replaceChildren(presenceLine);
    presenceLine.hidden = true;
    return;
  }
  presenceLine.hidden = false;
  replaceChildren(presenceLine, 'Also here: ', others.map((p, i) => [i ? ', ' : '',
    h('span', { class: `person${p.typing ? ' typing' : ''}`, dataset: { userId: p.userId } }, p.name, p.typing ? ' (typing…)' : '')]));
}

function threadItems() {
  const messages = state.detail.messages.map((m) => ({ kind: 'message', at: m.createdAt, m }));
  const notes = state.notes.map((n) => ({ kind: 'note', at: n.createdAt, n }));
  const pending = state.optimistic.map((o) => ({ kind: 'optimistic', at: o.createdAt, o }));
  // An approved proposal is a message now (with the same id).
  const proposals = state.proposals.filter((p) => p.status !== 'approved').map((p) => ({ kind: 'proposal', at: p.createdAt, p }));
  return [...messages, ...notes, ...pending, ...proposals].sort((a, b) => new Date(a.at) - new Date(b.at));
}

function renderThread() {
  const atBottom = thread.scrollHeight - thread.scrollTop - thread.clientHeight < 40 || !thread.dataset.rendered;
  const items = threadItems();
  replaceChildren(threadState, items.length ? null : h('p', { class: 'empty' }, 'No messages yet.'));
  replaceChildren(thread, items.map((item) => item.kind === 'message' ? messageItem(item.m)
    : item.kind === 'note' ? noteItem(item.n)
    : item.kind === 'proposal' ? proposalItem(item.p, { conversationId: id, onDecided: refreshSoon }) : optimisticItem(item.o)));
  thread.dataset.rendered = '1';
  if (atBottom) thread.scrollTop = thread.scrollHeight;
}

function messageItem(m) {
  const inbound = m.direction === 'inbound';
  const original = state.revealed.get(m.id);
  return h('li', { class: `message ${m.direction} ${m.visibility}`, dataset: { id: m.id, status: m.deliveryStatus } },
    h('div', { class: 'message-meta' },
      h('span', { class: 'author' }, m.author || (inbound ? 'Customer' : 'Brand')), appBadge(m.authorKind),
      h('span', { class: `visibility ${m.visibility}` }, m.visibility === 'public' ? 'Public' : 'Private'),
      timeEl(m.createdAt),
      m.signals ? messageSignals(m.signals) : null),
    h('p', { class: 'message-text' }, linkified(original ?? m.text)),
    m.masked ? h('p', { class: 'masked-note' },
      original ? 'Showing hidden details. ' : 'Card numbers, phone numbers and similar details are hidden. ',
      h('button', { type: 'button', class: 'small ghost', onclick: (e) => toggleReveal(m, e.currentTarget) },
        original ? 'Hide them again' : 'Show hidden details')) : null,
    m.media?.length ? h('div', { class: 'media' }, m.media.map(mediaItem)) : null,
    inbound ? null : delivery(m));
}

function mediaItem(media) {
  const url = safeUrl(media.url);
  if (!url) return h('p', { class: 'media-unsafe' }, `[${media.type}] ${media.url}`);
  if (media.type === 'photo' || media.type === 'image' || /\.(png|jpe?g|gif|webp)(\?|$)/i.test(url)) {
    return h('a', { href: url, target: '_blank', rel: 'noopener noreferrer nofollow', class: 'media-link' },
      h('img', { src: url, alt: `Image the customer attached (${media.type})`, loading: 'lazy', referrerpolicy: 'no-referrer' }));
  }
  return h('a', { href: url, target: '_blank', rel: 'noopener noreferrer nofollow', class: 'media-link' }, `${media.type}: ${url}`);
}

function delivery(m) {
  if (m.deliveryStatus === 'sent') return h('p', { class: 'delivery sent' }, '✓ Sent');
  if (m.deliveryStatus === 'pending') {
    return h('p', { class: 'delivery pending' }, 'Sending…', m.deliveryAttempts ? ` (attempt ${m.deliveryAttempts + 1}${m.deliveryError ? ': ' + m.deliveryError : ''})` : '');
  }
  return h('div', { class: 'delivery failed', role: 'alert' },
    h('span', {}, 'Not delivered: ', m.deliveryError || 'the network refused it.'),
    h('button', { type: 'button', class: 'small', onclick: (e) => retry(m, e.currentTarget) }, 'Retry'));
}

function noteItem(n) {
  return h('li', { class: 'note', dataset: { id: n.id } },
    h('div', { class: 'message-meta' },
      h('span', { class: 'author' }, n.author), appBadge(n.authorKind),
      h('span', { class: 'visibility internal' }, 'Internal note'),
      timeEl(n.createdAt)),
    h('p', { class: 'message-text' }, n.text),
    n.mentions.length ? h('p', { class: 'mentioned' }, 'Notified: ', n.mentions.map((x) => x.name).join(', ')) : null);
}

function optimisticItem(o) {
  const note = o.mode === 'note';
  return h('li', { class: `${note ? 'note' : `message outbound ${o.mode}`} optimistic`, dataset: { status: o.status } },
    h('div', { class: 'message-meta' }, h('span', { class: 'author' }, me.name),
      h('span', { class: `visibility ${note ? 'internal' : o.mode}` }, note ? 'Internal note' : o.mode === 'public' ? 'Public' : 'Private')),
    h('p', { class: 'message-text' }, o.text),
    o.status === 'error'
      ? h('p', { class: 'delivery failed', role: 'alert' }, `Not sent: ${o.error} `,
        h('button', { type: 'button', class: 'small', onclick: () => { state.optimistic = state.optimistic.filter((x) => x !== o); renderThread(); } }, 'Dismiss'))
      : h('p', { class: 'delivery pending' }, 'Sending…'));
}

const URGENCY = {
  safety: 'safety', stranded: 'stranded traveller', travellingSoon: 'travelling soon', moneyLost: 'money lost',
  serviceDown: 'service down', timePressure: 'time pressure', repeatedContact: 'repeated contact',
  escalatingTone: 'escalating tone', anger: 'angry',
};
const INTENT = {
  other: 'other', question: 'question', complaint: 'complaint', refund: 'refund', delivery: 'delivery', outage: 'outage',
  accountAccess: 'account access', billing: 'billing', praise: 'praise', cancellation: 'cancellation', order: 'order',
  contactRequest: 'contact request', feedback: 'feedback',
};

function priorityBand(value) {
  return value >= 60 ? 'high' : value >= 30 ? 'medium' : 'low';
}

function percent(x) {
  return `${Math.round(x * 100)}%`;
}

function flagsOf(moderation) {
  const flags = [];
  if (moderation?.threat) flags.push('threat');
  else if (moderation?.abusive) flags.push('abusive');
  if (moderation?.spam) flags.push('spam');
  if (moderation?.noReplyNeeded) flags.push('no reply needed');
  return flags;
}

/** A message's own mood and flags, beside its time. */
function messageSignals(signals) {
  const label = signals.sentiment?.label ?? 'neutral';
  return [
    h('span', { class: `mood mood-${label}`, title: `Mood of this message: ${label} (${signals.sentiment?.score ?? 0})` }, label),
    flagsOf(signals.moderation).map((f) => h('span', { class: 'flag' }, f)),
  ];
}

function renderSignals() {
  const t = state.detail.triage;
  const s = t.signals;
  const head = h('h2', { id: 'signals-title' }, 'Triage');
  if (!s) {
    replaceChildren(signalsPanel, head, h('p', { class: 'empty' }, 'Not triaged yet.'));
    return;
  }
  const flags = flagsOf(s.moderation);
  if (t.removed) flags.push('taken out of the inbox by the brand\'s rules');
  const rows = [
    ['Mood', `${s.sentiment.label} (${s.sentiment.score > 0 ? '+' : ''}${s.sentiment.score.toFixed(2)})`],
    ['Wants', s.intents.map((i) => `${INTENT[i.intent] ?? i.intent} ${percent(i.confidence)}`).join(', ')],
    ['Topics', s.topics.join(', ')],
    ['Urgency', s.urgency.map((u) => URGENCY[u] ?? u).join(', ') + (s.urgencyEvidence.length ? ` (${s.urgencyEvidence.join(', ')})` : '')],
    ['Flags', flags.join(', ')],
  ].filter(([, value]) => value);
  replaceChildren(signalsPanel, head,
    h('p', { class: 'priority-line' },
      h('span', { class: `priority priority-${priorityBand(t.priority)}` }, String(t.priority)), ' priority',
      t.writing ? h('span', { class: 'writing' }, ' · customer still writing…') : null),
    t.reasons.length ? h('ul', { class: 'reasons-list', 'aria-label': 'Why' }, t.reasons.map((r) => h('li', {}, r))) : null,
    t.privateChannelSuggestion ? h('div', { class: 'sensitive-warning', role: 'note' },
      h('p', {}, t.privateChannelSuggestion),
      h('button', { type: 'button', class: 'small', onclick: () => { setMode('private'); textarea.focus(); } }, 'Reply privately')) : null,
    h('dl', { class: 'signal-list' }, rows.map(([name, value]) => h('div', {}, h('dt', {}, name), h('dd', {}, value)))),
    h('p', { class: 'hint' }, `Read from the ${s.messagesRead === 1 ? 'latest message' : `${s.messagesRead} messages waiting for an answer`}.`));
}

async function toggleReveal(m, button) {
  if (state.revealed.has(m.id)) {
    state.revealed.delete(m.id);
    renderThread();
    return;
  }
  button.disabled = true;
  try {
    const revealed = await api(`/api/v1/conversations/${id}/messages/${m.id}/reveal`, { method: 'POST' });
    state.revealed.set(m.id, revealed.text);
    renderThread();
  } catch (e) {
    toast(e.message, { kind: 'error' });
    button.disabled = false;
  }
}

function renderCustomer() {
  const c = state.contact ?? { displayName: state.detail.contact.displayName, identities: state.detail.contact.identities, conversations: [] };
  const earlier = c.conversations.filter((x) => x.id !== id);
  const context = state.detail.triage.signals?.customer;
  const facts = c.facts && typeof c.facts === 'object' ? Object.entries(c.facts) : [];
  replaceChildren(customerSection,
    promisesSection(),
    h('h2', { id: 'customer-title' }, 'Customer'),
    h('p', { class: 'customer-name' }, c.displayName || 'Unknown'),
    context ? h('ul', { class: 'context' },
      h('li', {}, `${context.contactsToday} contact${context.contactsToday === 1 ? '' : 's'} in the last 24 hours`),
      h('li', {}, context.previousConversations
        ? `${context.previousConversations} earlier conversation${context.previousConversations === 1 ? '' : 's'}${context.lastConversationUnresolved ? '; the last one unresolved' : ''}`
        : 'First conversation')) : null,
    c.value != null || facts.length ? [h('h3', {}, 'From the brand\'s systems'),
      h('dl', { class: 'facts' },
        c.value != null ? h('div', {}, h('dt', {}, 'Value'), h('dd', {}, Number(c.value).toLocaleString())) : null,
        facts.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, String(v)))))] : null,
    h('h3', {}, 'Accounts'),
    h('ul', { class: 'identities' }, c.identities.map((i) => h('li', {},
      h('span', { class: 'network' }, i.network), ' ',
      i.handle ? '@' + i.handle : i.externalId,
      i.verified ? h('span', { class: 'verified', title: 'Verified' }, ' ✓') : null,
      i.followers != null ? h('span', { class: 'followers' }, ` · ${i.followers.toLocaleString()} followers`) : null))),
    h('h3', {}, 'Earlier conversations'),
    earlier.length ? h('ul', { class: 'earlier' }, earlier.map((x) => h('li', {},
      h('a', { href: `/conversations/${x.id}` }, x.preview || '(no text)'), ' ',
      h('span', { class: `state state-${x.status}` }, x.status), ' ', timeEl(x.lastMessageAt))))
      : h('p', { class: 'empty' }, 'None that you can see.'),
    h('h3', {}, 'Notes about this customer'),
    state.contactNotes.length ? h('ul', { class: 'customer-notes' }, state.contactNotes.slice(0, 10).map((n) => h('li', {},
      h('p', {}, n.text), h('span', { class: 'note-by' }, n.author, ' · ', timeEl(n.createdAt)))))
      : h('p', { class: 'empty' }, 'No notes yet.'));
}

function promisesSection() {
  const clocks = state.clocks;
  if (!clocks) return null;
  // The current cycle: the last clock of each kind.
  const latest = new Map();
  for (const c of clocks.clocks) if (c.state !== 'not_applicable') latest.set(c.clock, c);
  const timers = state.timers.filter((t) => !t.fired);
  return h('section', { class: 'promises', 'aria-labelledby': 'promises-title' },
    h('h2', { id: 'promises-title' }, 'Promises'),
    clocks.policy ? h('p', { class: 'policy' }, clocks.policy) : h('p', { class: 'empty' }, 'No service level applies.'),
    latest.size ? h('ul', { class: 'clock-list', id: 'clock-list' }, [...latest.values()].map((c) => {
      const urgency = c.state === 'breached' ? 'breached' : c.state === 'running' ? (c.warnedAt ? 'warning' : 'running') : c.state;
      const text = c.state === 'met' ? `${clockName(c.clock)}: met`
        : c.state === 'breached' && c.timeLeft && !c.dueAt ? `${clockName(c.clock)}: breached`
          : clockText(urgency, c.clock, c.dueAt);
      return h('li', { class: `clock clock-${urgency}`, dataset: { clock: c.clock, state: c.state } }, text);
    })) : null,
    timers.length ? h('ul', { class: 'timer-list' }, timers.map((t) => {
      const left = new Date(t.dueAt).getTime() - Date.now();
      return h('li', {}, h('strong', {}, t.rule), ` (${timerAction(t.action)}) ${left > 0 ? 'in ' + duration(left) : 'due now'}`);
    })) : null);
}

function timerAction(action) {
  return { reassign: 'reassign', escalate: 'escalate to a lead', askIfResolved: 'ask if resolved', close: 'close' }[action] ?? action;
}

// ---------- composer ----------
function setUpComposer() {
  composer.dataset.ready = '1';
  const d = state.detail;
  const lastInbound = [...d.messages].reverse().find((m) => m.direction === 'inbound');
  // A mode the agent picked while the page was loading stands.
  if (state.modeChosen) setMode(state.mode);
  else setMode(lastInbound?.visibility === 'private' || !d.messages.some((m) => m.direction === 'inbound' && m.visibility === 'public') ? 'private' : 'public');
  if (location.hash === '#reply') {
    textarea.focus();
    history.replaceState(null, '', location.pathname);
  }
}

function setMode(mode) {
  state.mode = mode;
  modeInputs[mode].checked = true;
  composerLabel.textContent = mode === 'note' ? 'Note (only colleagues see it; @name notifies them)'
    : mode === 'public' ? `Public reply on ${channelName(state.detail?.channelKind)}` : `Private message on ${channelName(state.detail?.channelKind)}`;
  composer.dataset.mode = mode;
  sendButton.textContent = mode === 'note' ? 'Add note' : 'Send';
  ownerWarning.hidden = mode === 'note' || !ownedByOther();
  templatePicker.button.hidden = mode === 'note';
  renderLate();
  updateCount();
}

function updateCount() {
  const { limit, count, unit } = limitFor(state.detail?.channelKind, state.mode);
  const used = count(textarea.value.trim());
  counter.textContent = `${used} / ${limit}`;
  counter.title = `Counted ${unit}`;
  const over = used > limit;
  counter.classList.toggle('over', over);
  sendButton.disabled = over || textarea.value.trim().length === 0;
  composer.dataset.over = over ? 'true' : 'false';
  if (over) counter.textContent += ` — ${used - limit} over the limit`;
}

textarea.addEventListener('input', () => {
  updateCount();
  composerError.hidden = true;
  suggestMentions();
  if (textarea.value.trim() && Date.now() - typingSentAt > 2500) {
    typingSentAt = Date.now();
    api(`/api/v1/presence/${id}/typing`, { method: 'POST', body: { typing: true } }).catch(() => {});
  }
});
textarea.addEventListener('blur', () => {
  setTimeout(() => { suggestions.hidden = true; }, 150);
  if (!textarea.value.trim()) stopTyping();
});

function stopTyping() {
  if (!typingSentAt) return;
  typingSentAt = 0;
  api(`/api/v1/presence/${id}/typing`, { method: 'POST', body: { typing: false } }).catch(() => {});
}

textarea.addEventListener('keydown', (event) => {
  if (!suggestions.hidden && ['ArrowDown', 'ArrowUp', 'Enter', 'Tab', 'Escape'].includes(event.key) && !event.ctrlKey) {
    const options = [...suggestions.children];
    let at = options.findIndex((o) => o.getAttribute('aria-selected') === 'true');
    if (event.key === 'Escape') { suggestions.hidden = true; event.preventDefault(); return; }
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      at = (at + (event.key === 'ArrowDown' ? 1 : -1) + options.length) % options.length;
      options.forEach((o, i) => o.setAttribute('aria-selected', String(i === at)));
      textarea.setAttribute('aria-activedescendant', options[at].id);
      return;
    }
    event.preventDefault();
    options[Math.max(0, at)]?.click();
    return;
  }
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    send();
  } else if (event.key === 'Escape') {
    textarea.blur();
  }
});

function mentionAtCaret() {
  const before = textarea.value.slice(0, textarea.selectionStart);
  const match = /(^|[^\w@])@([\w.+-]*)$/.exec(before);
  return match ? { start: before.length - match[2].length - 1, word: match[2].toLowerCase() } : null;
}

function suggestMentions() {
  const at = state.mode === 'note' ? mentionAtCaret() : null;
  // Hashtag commands work in notes: the apps that answer them are told (docs/adr/0017).
  if (!at && state.mode === 'note' && suggestCommands(textarea, suggestions, state.commands, updateCount)) return;
  if (!at) { suggestions.hidden = true; textarea.removeAttribute('aria-activedescendant'); return; }
  const matches = state.users.filter((u) => !u.disabled && u.id !== me.id
    && (u.mention.startsWith(at.word) || u.name.toLowerCase().includes(at.word))).slice(0, 6);
  if (matches.length === 0) { suggestions.hidden = true; return; }
  replaceChildren(suggestions, matches.map((u, i) => h('li', {
    role: 'option', id: `mention-${u.id}`, 'aria-selected': String(i === 0),
    onmousedown: (e) => e.preventDefault(),
    onclick: () => insertMention(at, u),
  }, u.name, ' ', h('span', { class: 'handle' }, '@' + u.mention))));
  suggestions.hidden = false;
}

function insertMention(at, user) {
  const value = textarea.value;
  const end = textarea.selectionStart;
  textarea.value = value.slice(0, at.start) + '@' + user.mention + ' ' + value.slice(end);
  const caret = at.start + user.mention.length + 2;
  textarea.setSelectionRange(caret, caret);
  suggestions.hidden = true;
  textarea.focus();
  updateCount();
}

async function send() {
  const text = textarea.value.trim();
  if (!text || sendButton.disabled) return;
  const mode = state.mode;
  let takeOver = false;
  const other = mode === 'note' ? null : ownedByOther();
  if (other) {
    if (!await confirmDialog('Take over this conversation?', `${ownerName(other)} owns it. Sending your reply makes it yours.`, 'Take over and send')) return;
    takeOver = true;
  }
  const optimistic = { text, mode, createdAt: new Date().toISOString(), status: 'sending' };
  state.optimistic.push(optimistic);
  textarea.value = '';
  updateCount();
  stopTyping();
  renderThread();
  thread.scrollTop = thread.scrollHeight;
  try {
    if (mode === 'note') {
      // keepalive: leaving the page right after sending must not cancel the send.
      const note = await api(`/api/v1/conversations/${id}/notes`, { method: 'POST', body: { text }, keepalive: true });
      state.notes.push(note);
    } else {
      let message;
      try {
        message = await api(`/api/v1/conversations/${id}/replies`, { method: 'POST', body: { text, visibility: mode, takeOver }, keepalive: true });
      } catch (e) {
        // Someone took it while this page showed it as free (or as someone else's).
        if (!(e instanceof ApiError && e.status === 409 && e.problem?.ownerName)) throw e;
        if (!await confirmDialog('Take over this conversation?', `${e.problem.ownerName} owns it now. Sending your reply makes it yours.`, 'Take over and send')) throw e;
        message = await api(`/api/v1/conversations/${id}/replies`, { method: 'POST', body: { text, visibility: mode, takeOver: true }, keepalive: true });
      }
      if (!state.detail.messages.some((m) => m.id === message.id)) state.detail.messages.push(message);
    }
    state.optimistic = state.optimistic.filter((o) => o !== optimistic);
    renderThread();
    refreshSoon();
  } catch (e) {
    // Nothing was stored: keep the words so the agent can fix and resend them.
    state.optimistic = state.optimistic.filter((o) => o !== optimistic);
    if (!textarea.value) textarea.value = text;
    updateCount();
    renderThread();
    composerError.textContent = e.message;
    composerError.hidden = false;
    textarea.focus();
  }
}

// ---------- actions ----------
async function toggleResolved() {
  if (!state.detail) return;
  const resolved = state.detail.status === 'resolved';
  resolveButton.disabled = true;
  try {
    await api(`/api/v1/conversations/${id}/${resolved ? 'reopen' : 'resolve'}`, { method: 'POST' });
    toast(resolved ? 'Reopened.' : 'Resolved.');
    await loadAll();
  } catch (e) { toast(e.message, { kind: 'error' }); } finally { resolveButton.disabled = false; }
}

async function assign() {
  if (!state.detail) return;
  const teamId = teamSelect.value || null;
  let assigneeId = assigneeSelect.value || null;
  const team = state.teams.find((t) => t.id === teamId);
  if (team && assigneeId && !team.memberIds.includes(assigneeId)) assigneeId = null;
  try {
    await api(`/api/v1/conversations/${id}/assign`, { method: 'POST', body: { teamId, assigneeId } });
    toast('Assignment saved.');
    await loadAll();
  } catch (e) {
    toast(e.message, { kind: 'error' });
    renderHead();
  }
}

async function take() {
  const other = ownedByOther();
  if (other && !await confirmDialog('Take over this conversation?', `${ownerName(other)} owns it. It becomes yours.`, 'Take over')) return;
  takeButton.disabled = true;
  try {
    await api(`/api/v1/conversations/${id}/take`, { method: 'POST', body: { takeOver: !!other } });
    toast('It is yours.');
    await loadAll();
  } catch (e) { toast(e.message, { kind: 'error' }); } finally { takeButton.disabled = false; }
}

async function retry(m, button) {
  button.disabled = true;
  try {
    const updated = await api(`/api/v1/conversations/${id}/replies/${m.id}/retry`, { method: 'POST' });
    Object.assign(m, updated);
    renderThread();
  } catch (e) {
    toast(e.message, { kind: 'error' });
    button.disabled = false;
  }
}

document.addEventListener('keydown', (event) => {
  if (typingInField(event) || hasModifier(event) || document.querySelector('dialog[open]')) return;
  if (event.key === 'r') { event.preventDefault(); textarea.focus(); }
  else if (event.key === 'e' && state.detail?.status !== 'resolved') { event.preventDefault(); toggleResolved(); }
  else if (event.key === 'u' || event.key === 'Escape') { event.preventDefault(); location.assign('/'); }
});

window.addEventListener('pagehide', stopTyping);

// ---------- live ----------
const live = new Live({
  conversation: id,
  onEvent(type, event) {
    if (type === 'people.changed') { loadDirectory(); return; }
    if (type === 'note.added') chrome.notifications.mentioned(event);
    if (conversationOf(event) === id) refreshSoon();
  },
  onPresence(p) {
    if (p.conversationId !== id) return;
    state.presence = p.people;
    renderPresence();
    clearTimeout(state.presenceTimer);
    // Typing shows for a few seconds after the last ping.
    if (p.people.some((x) => x.typing)) {
      state.presenceTimer = setTimeout(() => {
        state.presence = state.presence.map((x) => ({ ...x, typing: false }));
        renderPresence();
      }, 6000);
    }
  },
  onResync(ready) {
    // Nothing to reload when no events were handed out between the server's read of this page and this connection.
    const current = ready && firstSince !== null && ready.since === firstSince;
    firstSince = null;
    if (!current) loadAll();
  },
});

loadAll();
// The thread's own requests go first; the browser holds at most six connections to a server (docs/adr/0026).
firstPaint.then(() => {
  live.start();
  loadDirectory();
});
// Time left counts down while the page is open.
setInterval(() => { if (!document.hidden && state.detail) { renderClocks(); renderCustomer(); } }, 15000);
