// Service-level clocks as people read them: "Acknowledge 12m left", "Next reply overdue 1h".
import { h, duration } from './common.js';

const clockNames = { acknowledge: 'Acknowledge', next_response: 'Next reply', resolve: 'Resolve' };

export function clockName(clock) {
  return clockNames[clock] ?? clock;
}

/** The words for a clock summary (GET /api/v1/clocks) or a clock (GET /conversations/{id}/clocks), now. */
export function clockText(urgency, clock, dueAt) {
  const name = clockName(clock);
  const left = dueAt ? new Date(dueAt).getTime() - Date.now() : null;
  switch (urgency) {
    case 'breached': return left !== null ? `${name} overdue ${duration(-left)}` : 'A promise was broken';
    case 'warning':
    case 'running': return left !== null && left <= 0 ? `${name} due now` : `${name} ${duration(left ?? 0)} left`;
    case 'paused': return `${name} paused`;
    case 'met': return 'Promises kept';
    default: return '';
  }
}

/** A chip for a list row or a header; null when no service level applies. */
export function clockChip(summary) {
  if (!summary || summary.urgency === 'none') return null;
  const due = summary.dueAt ? new Date(summary.dueAt).toLocaleString() : null;
  return h('span', {
    class: `clock clock-${summary.urgency}`,
    dataset: { urgency: summary.urgency, clock: summary.clock ?? '' },
    title: `${summary.policy ?? 'Service level'}${due ? ` · due ${due}` : ''}`,
  }, clockText(summary.urgency, summary.clock, summary.dueAt));
}

/** Loads clock summaries for many conversations (100 per request) into a Map by id. */
export async function loadClocks(api, ids, into = new Map()) {
  for (let i = 0; i < ids.length; i += 100) {
    const chunk = ids.slice(i, i + 100);
    if (chunk.length === 0) continue;
    const list = await api('/api/v1/clocks?ids=' + chunk.join(','));
    for (const s of list) into.set(s.conversationId, s);
  }
  return into;
}
