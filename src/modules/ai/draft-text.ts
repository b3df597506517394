/**
 * Pure text handling for Message Assistant drafts: the model's answer is cleaned (surrounding quotes
 * and code fences go) and, for SMS, fitted to the length limit at a sentence end.
 */

/** Longest SMS draft: two concatenated segments' worth of characters (UTF-16 code units, as SMS counts them). */
export const SMS_MAX_CHARS = 320;

const QUOTE_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['"', '"'],
  ["'", "'"],
  ['`', '`'],
  ['\u201c', '\u201d'], // “ ”
  ['\u201e', '\u201c'], // „ “
  ['\u00ab', '\u00bb'], // « »
  ['\u00bb', '\u00ab'], // » «
  ['\u2018', '\u2019'], // ‘ ’
];

/**
 * The draft without what models like to wrap it in: a code fence, a pair of surrounding quotes
 * (repeatedly: '"…"' too), surrounding whitespace. Quotes inside the text stay.
 */
export function cleanDraft(text: string): string {
  let out = text.trim();
  const fence = /^```[\w-]*\s*\n([\s\S]*?)\n?```$/.exec(out);
  if (fence) out = fence[1].trim();
  for (let changed = true; changed && out.length >= 2; ) {
    changed = false;
    for (const [open, close] of QUOTE_PAIRS) {
      if (out.startsWith(open) && out.endsWith(close) && !innerQuote(out.slice(1, -1), open, close)) {
        out = out.slice(1, -1).trim();
        changed = true;
        break;
      }
    }
  }
  return out;
}

/**
 * True when the inner text itself uses the quote (e.g. `"Sale" starts "today"`): then the outer
 * characters are not one pair around the whole text and are kept.
 */
function innerQuote(inner: string, open: string, close: string): boolean {
  return open === close ? inner.includes(open) : inner.includes(close);
}

export interface FittedText {
  text: string;
  /** True when the text was cut to fit. */
  shortened: boolean;
  /** How it was cut, when it was: at a sentence end (preferred) or at a word (with an ellipsis). */
  cut?: 'sentence' | 'word';
}

/** A sentence ends at . ! ? or … (optionally followed by closing quotes/brackets) before whitespace or the end. */
const SENTENCE_END = /[.!?\u2026]+["'\u201d\u2019)\]]*(?=\s|$)/g;

/**
 * The text if it fits `max` characters; else its longest prefix that ends a sentence, when that keeps
 * at least a third of the limit; else the longest prefix ending at a word, with "…". Placeholders
 * ({{…}}) are never cut in half.
 */
export function fitToLength(text: string, max: number): FittedText {
  if (text.length <= max) return { text, shortened: false };
  let sentenceCut = -1;
  for (const m of text.matchAll(SENTENCE_END)) {
    const end = (m.index ?? 0) + m[0].length;
    if (end > max) break;
    if (!insidePlaceholder(text, end)) sentenceCut = end;
  }
  if (sentenceCut >= Math.ceil(max / 3)) return { text: text.slice(0, sentenceCut).trimEnd(), shortened: true, cut: 'sentence' };

  // One long sentence: cut at the last whitespace that leaves room for the ellipsis.
  let wordCut = -1;
  for (let i = Math.min(max - 1, text.length - 1); i > 0; i -= 1) {
    if (/\s/.test(text[i]) && !insidePlaceholder(text, i)) {
      wordCut = i;
      break;
    }
  }
  const head = (wordCut > 0 ? text.slice(0, wordCut) : text.slice(0, max - 1)).replace(/[\s,;:\u2013\u2014-]+$/, '');
  return { text: `${head}\u2026`, shortened: true, cut: 'word' };
}

/** Is position `index` inside an open `{{` … `}}`? */
function insidePlaceholder(text: string, index: number): boolean {
  const before = text.slice(0, index);
  return before.lastIndexOf('{{') > before.lastIndexOf('}}');
}
