/**
 * The leading keyword of a statement: the only part of a statement that may appear in an
 * error message, because everything after it can hold values.
 */

// Leading whitespace, comments and opening parentheses, e.g. `/* app */ (SELECT ...`.
// Executable comments (`/*! ... */`, `/*M! ... */`) are skipped like plain ones: the keyword
// only names the statement in a message, it decides nothing.
const LEADING_NOISE = /^(?:\s+|\/\*[\s\S]*?\*\/|(?:--\s|#)[^\n]*(?:\n|$)|\()*/;

/**
 * The statement's first keyword, upper-cased, or `undefined` when there is none.
 *
 * @example
 * statementKeyword('-- report\n  update t set a = 1'); // 'UPDATE'
 * statementKeyword('(SELECT 1)');                    // 'SELECT'
 * statementKeyword(undefined);                       // undefined
 */
export function statementKeyword(sql: string | undefined): string | undefined {
  if (!sql) return undefined;
  const rest = sql.replace(LEADING_NOISE, '');
  const match = /^[A-Za-z]+/.exec(rest);
  return match ? match[0].toUpperCase() : undefined;
}

/**
 * The statement named for a sentence: `an UPDATE`, `a SELECT`, or `a statement`.
 *
 * @example
 * describeStatement('insert into t values (1)'); // 'an INSERT'
 * describeStatement('USE shop');                 // 'a USE'
 * describeStatement(undefined);                  // 'a statement'
 */
export function describeStatement(sql: string | undefined): string {
  const keyword = statementKeyword(sql);
  if (!keyword) return 'a statement';
  // "an UPDATE", "an UNLOCK" but "a USE": only a U followed by N or P starts with a vowel sound.
  const vowelSound = /^[AEIO]/.test(keyword) || /^U[NP]/.test(keyword);
  return `${vowelSound ? 'an' : 'a'} ${keyword}`;
}
