/**
 * A light lexer run before the SQL library: it quotes field paths so that `metadata.plan` or
 * `payment_method_options.card.installments` are one column (the library reads `a.b` as
 * table.column and fails on deeper paths or on field names that are SQL keywords, like `order`),
 * reads Stripe's bracket form `metadata['plan']` as the same path,
 * keeps a map back to the user's offsets, and catches unterminated quotes itself so the caret
 * points at the opening quote instead of the end of the text.
 */
import { ConnectorError } from '../errors.ts';

export interface Rewritten {
  text: string;
  /** For each offset of `text`, the offset in the original. */
  origin: number[];
}

/** Words that stay SQL; every other bare word is a field (or entity) name and gets quoted. */
const KEYWORDS = new Set(
  (
    'AND OR NOT IN LIKE ILIKE IS NULL TRUE FALSE BETWEEN ESCAPE SELECT FROM WHERE BY HAVING LIMIT ' +
    'OFFSET ASC DESC AS DISTINCT JOIN INNER LEFT RIGHT OUTER FULL CROSS NATURAL ON USING UNION ' +
    'ALL INTERSECT EXCEPT NULLS FIRST LAST WITH EXISTS CASE WHEN THEN ELSE END DELETE UPDATE INSERT INTO SET VALUES'
  ).split(' '),
);
/** Keywords only when `BY` follows: otherwise they are field names (`order` on old charges). */
const BY_KEYWORDS = new Set(['ORDER', 'GROUP']);

export function syntaxError(source: string, pos: number, message: string): ConnectorError {
  return new ConnectorError('FILTER_SYNTAX', `${message} at position ${pos + 1}`, {
    position: pos,
    hint: caret(source, pos),
  });
}

/** The text, then a `^` under the offending offset (single line: newlines shown as spaces). */
export function caret(source: string, pos: number): string {
  const line = source.replace(/[\r\n\t]/g, ' ');
  return `  ${line}\n  ${' '.repeat(Math.max(0, Math.min(pos, line.length)))}^`;
}

const isStart = (c: string) => /[A-Za-z_]/.test(c);
const isPart = (c: string) => /[A-Za-z0-9_$]/.test(c);

/** Reads a quoted run starting at `i` (the quote char); returns [content, end offset]. */
function readQuoted(src: string, i: number, quote: string, what: string): [string, number] {
  let j = i + 1;
  let content = '';
  for (;;) {
    if (j >= src.length) throw syntaxError(src, i, `unterminated ${what}`);
    if (src[j] === quote) {
      if (src[j + 1] === quote) {
        content += quote;
        j += 2;
        continue;
      }
      return [content, j + 1];
    }
    content += src[j++];
  }
}

/**
 * Offset in the user's text of the first `word` (a SQL keyword) outside quotes, or -1. Searched in
 * the rewritten text, where every name is quoted, so a field or value spelled like the keyword is
 * never taken for it.
 */
export function keywordOffset(rw: Rewritten, word: string, after = -1): number {
  const re = new RegExp(`'(?:[^']|'')*'|"(?:[^"]|"")*"|\\b(${word})\\b`, 'gi');
  for (let m = re.exec(rw.text); m; m = re.exec(rw.text)) {
    if (m[1] && rw.origin[m.index] > after) return rw.origin[m.index];
  }
  return -1;
}

export function rewrite(src: string): Rewritten {
  let text = '';
  const origin: number[] = [];
  const emit = (s: string, from: number, spread = false) => {
    for (let k = 0; k < s.length; k++) {
      text += s[k];
      origin.push(spread ? from + k : from);
    }
  };
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === "'") {
      const [, end] = readQuoted(src, i, "'", 'string (values are written in single quotes)');
      emit(src.slice(i, end), i, true);
      i = end;
    } else if (c === '-' && src[i + 1] === '-') {
      // A comment would swallow the rest of our wrapper; treat `--` as what it is.
      throw syntaxError(src, i, 'comments are not supported');
    } else if (isStart(c) || c === '"' || c === '`') {
      const start = i;
      const parts: string[] = [];
      let quoted = false;
      for (;;) {
        if (src[i] === '"' || src[i] === '`') {
          const [content, end] = readQuoted(src, i, src[i], 'quoted name');
          parts.push(content);
          quoted = true;
          i = end;
        } else if (i < src.length && isStart(src[i])) {
          let j = i + 1;
          while (j < src.length && isPart(src[j])) j++;
          parts.push(src.slice(i, j));
          i = j;
        } else {
          throw syntaxError(src, i, 'expected a field name after "."');
        }
        // Stripe's own bracket syntax: `metadata['plan']` / `metadata["plan"]` is `metadata.plan`.
        while (src[i] === '[' && (src[i + 1] === "'" || src[i + 1] === '"')) {
          const [content, end] = readQuoted(src, i + 1, src[i + 1], 'quoted key');
          if (src[end] !== ']') throw syntaxError(src, end, 'expected "]" after the quoted key');
          parts.push(content);
          quoted = true;
          i = end + 1;
        }
        if (
          src[i] === '.' &&
          i + 1 < src.length &&
          (isStart(src[i + 1]) || src[i + 1] === '"' || src[i + 1] === '`')
        )
          i++;
        else break;
      }
      const word = parts[0].toUpperCase();
      let k = i;
      while (k < src.length && /\s/.test(src[k])) k++;
      const nextWord = src.slice(k, k + 2).toUpperCase();
      const keyword =
        !quoted &&
        parts.length === 1 &&
        (KEYWORDS.has(word) || (BY_KEYWORDS.has(word) && nextWord === 'BY' && !isPart(src[k + 2] ?? '')));
      const isFunction = !quoted && parts.length === 1 && src[k] === '(';
      if (keyword || isFunction) emit(src.slice(start, i), start, true);
      else emit(`"${parts.join('.').replace(/"/g, '""')}"`, start);
    } else {
      emit(c, i);
      i++;
    }
  }
  origin.push(src.length);
  return { text, origin };
}
