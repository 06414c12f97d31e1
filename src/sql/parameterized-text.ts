/**
 * A statement's text with every literal value replaced by `?`: the form telemetry may export
 * (`db.query.text`), since a caller may write values into the text instead of passing them.
 *
 * Strings (`'…'`, `"…"`, with `X`/`B`/`N` prefixes or `_charset` introducers), numbers and
 * hexadecimal or bit literals become `?`; plain comments are dropped (they can hold anything);
 * the contents of executable comments (`/*! … *\/`, `/*M! … *\/`) are masked like the rest;
 * identifiers, keywords, back-quoted names and placeholders (`?`, `:name`) stay.
 */

const WORD = /[A-Za-z0-9_$\u0080-\uffff]/;
const DIGIT = /[0-9]/;

/**
 * The text with literals replaced by `?` and plain comments removed.
 *
 * @example
 * parameterizedText("SELECT * FROM user WHERE email = 'a@b.c' AND id > 10"); // 'SELECT * FROM user WHERE email = ? AND id > ?'
 * parameterizedText('SELECT 1 /* token: abc *\/ FROM t1');                   // 'SELECT ?   FROM t1'
 */
export function parameterizedText(sql: string): string {
  let out = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === "'" || c === '"') {
      i = skipQuoted(sql, i, c);
      out += '?';
    } else if (c === '`') {
      const end = skipQuoted(sql, i, '`');
      out += sql.slice(i, end);
      i = end;
    } else if (c === '/' && next === '*') {
      const executable = sql[i + 2] === '!' || (sql[i + 2] === 'M' && sql[i + 3] === '!');
      if (executable) {
        // Keep the marker and its version digits; the inside is lexed as SQL, `*/` kept below.
        let end = i + (sql[i + 2] === '!' ? 3 : 4);
        while (end < n && DIGIT.test(sql[end]!)) end++;
        out += sql.slice(i, end);
        i = end;
      } else {
        const close = sql.indexOf('*/', i + 2);
        i = close < 0 ? n : close + 2;
        out += ' ';
      }
    } else if (c === '#' || (c === '-' && next === '-' && /[\s]/.test(sql[i + 2] ?? ' '))) {
      const close = sql.indexOf('\n', i);
      i = close < 0 ? n : close;
    } else if (DIGIT.test(c) || (c === '.' && DIGIT.test(next ?? ''))) {
      i = skipNumber(sql, i);
      out += '?';
    } else if (WORD.test(c)) {
      let end = i;
      while (end < n && WORD.test(sql[end]!)) end++;
      const word = sql.slice(i, end);
      // X'ff', B'01', N'text', _utf8mb4'text': a prefixed string is one literal.
      if ((sql[end] === "'" || sql[end] === '"') && /^(?:[xXbBnN]|_\w+)$/.test(word)) {
        i = skipQuoted(sql, end, sql[end]!);
        out += '?';
      } else {
        out += word;
        i = end;
      }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The index after a quoted run opened at `start`: doubled quotes and backslash escapes stay inside. */
function skipQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === '\\' && quote !== '`') i += 2;
    else if (c === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}

/** The index after a number at `start`: decimal, exponent, or 0x/0b literal. */
function skipNumber(sql: string, start: number): number {
  let i = start;
  if (sql[i] === '0' && (sql[i + 1] === 'x' || sql[i + 1] === 'b')) i += 2;
  while (i < sql.length) {
    const c = sql[i]!;
    const exponentSign = (c === '+' || c === '-') && /[eE]/.test(sql[i - 1] ?? '');
    if (WORD.test(c) || c === '.' || exponentSign) i++;
    else break;
  }
  return i;
}
