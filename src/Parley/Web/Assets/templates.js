// The composer's saved-reply picker: search the brand's and team's templates, pick one, and it is filled in
// for this conversation (customer, agent, order number) by the server, then inserted for the agent to edit.
import { api, h, replaceChildren } from './common.js';

export class TemplatePicker {
  constructor({ conversationId, onInsert }) {
    this.conversationId = conversationId;
    this.onInsert = onInsert;
    this.items = [];
    this.selected = 0;
    this.button = h('button', {
      type: 'button', class: 'ghost small', id: 'templates-button', 'aria-expanded': 'false', 'aria-controls': 'template-panel',
      'aria-keyshortcuts': 'Alt+T', onclick: () => this.toggle(),
    }, 'Saved replies');
    this.search = h('input', {
      type: 'search', id: 'template-search', placeholder: 'Search saved replies', autocomplete: 'off',
      role: 'combobox', 'aria-expanded': 'true', 'aria-controls': 'template-list', 'aria-label': 'Search saved replies',
    });
    this.list = h('ul', { class: 'template-list', id: 'template-list', role: 'listbox', 'aria-label': 'Saved replies' });
    this.status = h('p', { class: 'hint', role: 'status' });
    this.panel = h('div', { class: 'template-panel', id: 'template-panel', hidden: true }, this.search, this.status, this.list);
    let timer = null;
    this.search.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.load(), 150);
    });
    this.search.addEventListener('keydown', (e) => this.keydown(e));
    document.addEventListener('keydown', (e) => {
      if (e.altKey && (e.key === 't' || e.key === 'T')) { e.preventDefault(); this.open(); }
    });
  }

  toggle() {
    if (this.panel.hidden) this.open(); else this.close();
  }

  open() {
    this.panel.hidden = false;
    this.button.setAttribute('aria-expanded', 'true');
    this.search.focus();
    this.load();
  }

  close({ focusBack = false } = {}) {
    this.panel.hidden = true;
    this.button.setAttribute('aria-expanded', 'false');
    if (focusBack) document.getElementById('composer-text')?.focus();
  }

  async load() {
    const q = this.search.value.trim();
    try {
      this.items = await api(`/api/v1/templates?conversationId=${this.conversationId}&limit=20` + (q ? `&q=${encodeURIComponent(q)}` : ''));
    } catch (e) {
      this.status.textContent = e.message;
      return;
    }
    this.selected = 0;
    this.status.textContent = this.items.length ? '' : (q ? 'No saved reply matches.' : 'No saved replies for this brand yet.');
    this.render();
  }

  render() {
    replaceChildren(this.list, this.items.map((t, i) => h('li', {
      role: 'option', id: `template-${t.id}`, 'aria-selected': String(i === this.selected),
      onmousedown: (e) => e.preventDefault(),
      onclick: () => this.pick(t),
    }, h('strong', {}, t.name), h('span', { class: 'template-text' }, t.text))));
    const current = this.items[this.selected];
    if (current) this.search.setAttribute('aria-activedescendant', `template-${current.id}`);
    else this.search.removeAttribute('aria-activedescendant');
  }

  keydown(e) {
    if (e.key === 'Escape') { e.preventDefault(); this.close({ focusBack: true }); return; }
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (this.items.length === 0) return;
      this.selected = (this.selected + (e.key === 'ArrowDown' ? 1 : -1) + this.items.length) % this.items.length;
      this.render();
      return;
    }
    if (e.key === 'Enter') {
      e.preventDefault();
      const t = this.items[this.selected];
      if (t) this.pick(t);
    }
  }

  async pick(template) {
    try {
      const rendered = await api(`/api/v1/templates/${template.id}/render?conversationId=${this.conversationId}`);
      this.close();
      this.onInsert(rendered.text, rendered.missing);
    } catch (e) {
      this.status.textContent = e.message;
    }
  }
}
