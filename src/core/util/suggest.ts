/**
 * "Did you mean" suggestions for unknown keys, names and references (CONTRIBUTING.md convention 7: say what to do).
 */
import { distance } from 'fastest-levenshtein';

/** Levenshtein distance, counting one swap of adjacent letters (`dtpye`) as a single edit. */
function editDistance(a: string, b: string): number {
  const d = distance(a, b);
  if (d !== 2 || a.length !== b.length) return d;
  const diff = [...a].flatMap((c, i) => (c === b[i] ? [] : [i]));
  const [i, j] = diff;
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- diff.length === 2 is checked first, so i and j are set
  const swapped = diff.length === 2 && j === i! + 1 && a[i!] === b[j] && a[j] === b[i!];
  return swapped ? 1 : d;
}

/**
 * The candidate closest to `input`, or undefined when nothing is close enough to be a plausible typo.
 * A case-only difference always wins (Feast's names are case-sensitive, users' fingers are not).
 */
export function suggest(input: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  if (input === '' || list.length === 0) return undefined;
  const lower = input.toLowerCase();
  const caseOnly = list.find((c) => c !== input && c.toLowerCase() === lower);
  if (caseOnly !== undefined) return caseOnly;

  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of list) {
    if (candidate === input) continue;
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  // Roughly one edit per three characters: catches transpositions and dropped letters in short keys
  // without proposing unrelated words.
  const limit = Math.max(1, Math.floor(input.length / 3));
  if (best !== undefined && bestDistance <= limit) return best;

  // A truncated name (`table_name` for `table_name_template`) is far in edits but obvious to a reader.
  if (lower.length >= 4) {
    const prefixed = list.find((c) => c.toLowerCase().startsWith(lower));
    if (prefixed !== undefined) return prefixed;
  }
  return undefined;
}

/** ` Did you mean \`x\`?` (leading space) or '' — ready to append to a message. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const s = suggest(input, candidates);
  return s === undefined ? '' : ` Did you mean \`${s}\`?`;
}

/** `a`, `b` and `c` — for "expected one of" messages. */
export function formatChoices(choices: readonly string[]): string {
  const quoted = choices.map((c) => `\`${c}\``);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}
