// Missed posts: customer posts nobody answered, however old, oldest (most at risk) first.
// Late is better than never: each opens with the composer, which offers an apology for the wait.
import { api, h, replaceChildren, duration, channelName, stateName, Live, setUpChrome, timeEl } from './common.js';
import { clockChip, loadClocks } from './clocks.js';

setUpChrome();
const main = document.getElementById('main');
const status = h('div', { class: 'list-state', role: 'status', 'aria-live': 'polite' });
const count = h('span', { class: 'total' });
const list = h('ol', { class: 'conversation-list missed-list', id: 'missed-list', 'aria-label': 'Missed posts' });
let items = [];
let clocks = new Map();
let timer = null;

replaceChildren(main, h('div', { class: 'missed-page' },
  h('div', { class: 'list-head' }, h('h1', {}, 'Missed posts ', count)),
  h('p', { class: 'hint' }, 'Customers who wrote and never heard back, the longest waiting first. A late answer, with an apology, is better than none.'),
  status, list));

async function load() {
  try {
    items = await api('/api/v1/queues/missed?limit=200');
    clocks = await loadClocks(api, items.map((i) => i.conversationId)).catch(() => new Map());
    render();
  } catch (e) {
    replaceChildren(status, h('p', { class: 'form-error' }, `Could not load the missed posts: ${e.message} `,
      h('button', { type: 'button', onclick: load }, 'Try again')));
  }
}

function render() {
  count.textContent = items.length ? `(${items.length})` : '';
  replaceChildren(status, items.length ? null : h('p', { class: 'empty' }, 'Every customer has had an answer. Nothing is missed.'));
  replaceChildren(list, items.map((m) => h('li', { class: 'conversation-row', dataset: { id: m.conversationId } },
    h('a', { href: `/conversations/${m.conversationId}#reply`, class: 'row-link' },
      h('span', { class: `channel channel-${m.channelKind}` }, channelName(m.channelKind)),
      h('span', { class: 'who' }, h('strong', { class: 'name' }, m.handle ? '@' + m.handle : 'Customer')),
      h('span', { class: 'preview' }, m.preview || '(no text)'),
      h('span', { class: 'meta' },
        h('span', { class: `state state-${m.state}` }, stateName(m.state)),
        h('span', { class: 'waiting', title: new Date(m.awaitingReplySince).toLocaleString() },
          `waiting ${duration(Date.now() - new Date(m.awaitingReplySince).getTime())}`),
        ' since ', timeEl(m.awaitingReplySince),
        m.unanswered.length > 1 ? h('span', { class: 'unanswered', title: 'Customer messages nobody answered' }, `${m.unanswered.length} unanswered`) : null,
        clockChip(clocks.get(m.conversationId)))))));
}

function soon() {
  clearTimeout(timer);
  timer = setTimeout(load, 300);
}

new Live({
  onEvent(type) {
    if (type.startsWith('message.') || type.startsWith('reply.') || type.startsWith('conversation.')) soon();
  },
  onResync: load,
}).start();
setInterval(() => { if (!document.hidden) render(); }, 30000);
load();
