// Apps acting in a conversation (docs/adr/0017): the "app" marker on what an app wrote, its proposed replies
// (approve, edit and approve, or reject with a reason), tags, the hashtag commands apps answer, and the brand's
// knowledge base beside saved replies. Everything an app wrote is set as text, never as HTML.
import { api, h, replaceChildren, timeEl, linkified } from './common.js';

/** The marker beside an author's name when an app (not a person) wrote it. */
export function appBadge(kind) {
  return kind === 'app' ? h('span', { class: 'app-badge', title: 'Written by an app through the API' }, 'app') : null;
}

export function tagList(tags) {
  if (!tags?.length) return null;
  return h('ul', { class: 'tags', 'aria-label': 'Tags' }, tags.map((t) => h('li', { class: 'tag' }, '#' + (t.tag ?? t))));
}

/** A reply an app proposed: approve as is, edit then approve, or reject with a reason. */
export function proposalItem(p, { conversationId, onDecided }) {
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const editor = h('textarea', { class: 'proposal-edit', rows: '3', 'aria-label': `Edit the reply ${p.author} proposed`, hidden: true });
  const reason = h('input', { type: 'text', class: 'proposal-reason', placeholder: 'Why not (the app is told)', 'aria-label': 'Reason for rejecting', hidden: true });
  const text = h('p', { class: 'message-text' }, linkified(p.text));
  async function decide(action, body, button) {
    button.disabled = true;
    error.hidden = true;
    try {
      await api(`/api/v1/conversations/${conversationId}/replies/${p.id}/${action}`, { method: 'POST', body });
      onDecided();
    } catch (e) {
      error.textContent = e.message;
      error.hidden = false;
      button.disabled = false;
    }
  }
  const approve = h('button', { type: 'button', class: 'small primary approve', onclick: (e) => decide('approve', editor.hidden ? {} : { text: editor.value }, e.currentTarget) }, 'Approve and send');
  const edit = h('button', { type: 'button', class: 'small ghost', onclick: () => { editor.hidden = false; editor.value = editor.value || p.text; text.hidden = true; editor.focus(); } }, 'Edit');
  const reject = h('button', {
    type: 'button', class: 'small ghost reject', onclick: (e) => {
      if (reason.hidden) { reason.hidden = false; reason.focus(); return; }
      if (!reason.value.trim()) { reason.focus(); return; }
      decide('reject', { reason: reason.value.trim() }, e.currentTarget);
    },
  }, 'Reject');
  const proposed = p.status === 'proposed';
  return h('li', { class: `message outbound ${p.visibility} proposal`, dataset: { id: p.id, status: p.status } },
    h('div', { class: 'message-meta' },
      h('span', { class: 'author' }, p.author), appBadge('app'),
      h('span', { class: 'visibility proposed' }, proposed ? `Proposed by ${p.author}` : `Rejected by ${p.decidedBy ?? 'a colleague'}`),
      timeEl(p.createdAt)),
    text, editor,
    proposed
      ? h('div', { class: 'proposal-actions' }, h('span', { class: 'hint' }, 'Not sent until someone approves it.'), edit, approve, reason, reject)
      : h('p', { class: 'hint' }, `Not sent: ${p.rejectionReason ?? ''}`),
    error);
}

/** "#tr" just before the caret, in a note: what the agent is typing as a command. */
function commandAtCaret(textarea) {
  const before = textarea.value.slice(0, textarea.selectionStart);
  const match = /(^|[^\w#&])#([\w-]*)$/.exec(before);
  return match ? { start: before.length - match[2].length - 1, word: match[2].toLowerCase() } : null;
}

/** Offers the registered commands in the composer's suggestion list; true when it shows some. */
export function suggestCommands(textarea, list, commands, onPicked) {
  const at = commandAtCaret(textarea);
  if (!at || !commands.length) return false;
  const matches = commands.filter((c) => c.name.startsWith(at.word)).slice(0, 6);
  if (matches.length === 0) return false;
  replaceChildren(list, matches.map((c, i) => h('li', {
    role: 'option', id: `command-${c.id}`, 'aria-selected': String(i === 0),
    onmousedown: (e) => e.preventDefault(),
    onclick: () => {
      const end = textarea.selectionStart;
      textarea.value = textarea.value.slice(0, at.start) + '#' + c.name + ' ' + textarea.value.slice(end);
      const caret = at.start + c.name.length + 2;
      textarea.setSelectionRange(caret, caret);
      list.hidden = true;
      textarea.focus();
      onPicked();
    },
  }, h('strong', {}, '#' + c.name), ' ', h('span', { class: 'handle' }, `${c.description} (${c.appName})`))));
  list.hidden = false;
  return true;
}

/** The brand's knowledge base, searched from the composer; picking an article inserts its title and excerpt. */
export class KnowledgePicker {
  constructor({ onInsert }) {
    this.onInsert = onInsert;
    this.button = h('button', { type: 'button', class: 'ghost small', id: 'knowledge-button', 'aria-expanded': 'false', 'aria-controls': 'knowledge-panel', onclick: () => this.toggle() }, 'Knowledge');
    this.search = h('input', { type: 'search', id: 'knowledge-search', placeholder: 'Search the knowledge base', autocomplete: 'off', 'aria-label': 'Search the knowledge base' });
    this.list = h('ul', { class: 'template-list', id: 'knowledge-list', 'aria-label': 'Knowledge articles' });
    this.status = h('p', { class: 'hint', role: 'status' });
    this.panel = h('div', { class: 'template-panel', id: 'knowledge-panel', hidden: true }, this.search, this.status, this.list);
    this.brandId = null;
    let timer = null;
    this.search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => this.load(), 150); });
    this.search.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.preventDefault(); this.close(); } });
  }

  toggle() { if (this.panel.hidden) this.open(); else this.close(); }

  open() {
    this.panel.hidden = false;
    this.button.setAttribute('aria-expanded', 'true');
    this.search.focus();
    this.load();
  }

  close() {
    this.panel.hidden = true;
    this.button.setAttribute('aria-expanded', 'false');
  }

  async load() {
    const q = this.search.value.trim();
    let items;
    try {
      items = await api('/api/v1/knowledge?limit=10' + (this.brandId ? `&brandId=${this.brandId}` : '') + (q ? `&q=${encodeURIComponent(q)}` : ''));
    } catch (e) {
      this.status.textContent = e.message;
      return;
    }
    this.status.textContent = items.length ? '' : (q ? 'No article matches.' : 'No articles for this brand yet.');
    replaceChildren(this.list, items.map((a) => h('li', { id: `knowledge-${a.id}` },
      h('strong', {}, a.title), appBadge(a.updatedByKind),
      h('span', { class: 'template-text' }, a.excerpt),
      h('button', { type: 'button', class: 'small', onclick: () => { this.close(); this.onInsert(`${a.title}: ${a.excerpt}`); } }, 'Insert excerpt'))));
  }
}

/** The conversation's tags with a remove button each, and a field to add one (Enter). The field persists across
 * re-renders so a live refresh does not eat what the agent is typing. */
export class TagEditor {
  constructor({ conversationId, onChange }) {
    this.conversationId = conversationId;
    this.onChange = onChange;
    this.list = h('ul', { class: 'tags', 'aria-label': 'Tags' });
    this.input = h('input', { type: 'text', id: 'tag-input', class: 'tag-input', placeholder: '+ tag', 'aria-label': 'Add a tag', autocomplete: 'off', size: '8' });
    this.error = h('span', { class: 'form-error', role: 'alert', hidden: true });
    this.element = h('div', { class: 'tag-editor' }, this.list, this.input, this.error);
    this.input.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter') return;
      e.preventDefault();
      const tag = this.input.value.trim();
      if (tag) this.change('POST', `/api/v1/conversations/${this.conversationId}/tags`, { tags: [tag] }, () => { this.input.value = ''; });
    });
  }

  render(tags) {
    replaceChildren(this.list, tags.map((t) => h('li', { class: 'tag', title: `Added by ${t.addedBy}` }, '#' + t.tag, t.addedByKind === 'app' ? ` (${t.addedBy})` : '',
      h('button', {
        type: 'button', class: 'tag-remove', 'aria-label': `Remove tag ${t.tag}`,
        onclick: () => this.change('DELETE', `/api/v1/conversations/${this.conversationId}/tags/${encodeURIComponent(t.tag)}`),
      }, '×'))));
  }

  async change(method, path, body, done) {
    this.error.hidden = true;
    try {
      await api(path, { method, body });
      done?.();
      this.onChange();
    } catch (e) {
      this.error.textContent = e.message;
      this.error.hidden = false;
    }
  }
}
