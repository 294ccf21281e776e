// Counts a post as X does, mirroring Parley.Channels.X.XTextLength (twitter-text v3): most Latin,
// Cyrillic and punctuation code points weigh 1, others (CJK, emoji) weigh 2, every URL weighs 23.
// The server checks again with the same rule; this lets the composer say so before sending.

export const X_LIMIT = 280;
const URL_WEIGHT = 23;
const segmenter = typeof Intl !== 'undefined' && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null;

export function xWeight(text) {
  let weight = 0;
  let last = 0;
  for (const match of text.matchAll(/https?:\/\/[^\s]+/gi)) {
    weight += plain(text.slice(last, match.index)) + URL_WEIGHT;
    last = match.index + match[0].length;
  }
  return weight + plain(text.slice(last));
}

function plain(text) {
  const normalized = text.normalize('NFC');
  const graphemes = segmenter ? Array.from(segmenter.segment(normalized), (s) => s.segment) : Array.from(normalized);
  let weight = 0;
  for (const element of graphemes) {
    const cp = element.codePointAt(0);
    // An emoji sequence (one grapheme) counts once, as 2, however many code points make it up.
    weight += (element.length > 1 && cp > 0xffff) || element.length > 2 ? 2 : single(cp);
  }
  return weight;
}

function single(cp) {
  return (cp >= 0 && cp <= 4351) || (cp >= 8192 && cp <= 8205) || (cp >= 8208 && cp <= 8223) || (cp >= 8242 && cp <= 8247) ? 1 : 2;
}

/** The composer's limit for a channel and a kind of message, as SendReply checks it. */
export function limitFor(kind, mode) {
  if (mode === 'note') return { limit: 10000, count: (t) => t.length, unit: 'characters' };
  if (kind === 'x' && mode === 'public') return { limit: X_LIMIT, count: xWeight, unit: 'as X counts them' };
  if (kind === 'x') return { limit: 10000, count: (t) => t.length, unit: 'characters' };
  if (kind === 'meta' && mode === 'private') return { limit: 2000, count: (t) => t.length, unit: 'characters' };
  return { limit: 8000, count: (t) => t.length, unit: 'characters' };
}
