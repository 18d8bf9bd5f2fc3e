/**
 * Text for sequence models: character and word vocabularies (fit on a corpus, encode to
 * integer ids, decode back, saved as JSON in the model file) and padding of ragged id
 * sequences into a (B,T) batch with per-row lengths. Id 0 is always padding, id 1 the unknown
 * token; real symbols start at 2, in sorted (char) or frequency (word) order so that the same
 * corpus always gives the same ids.
 */
import { FormatError } from '../io/errors.js';
import { checkLimit, type Limits } from '../io/limits.js';
import { Tensor, allocArray, type DType } from '../tensor/tensor.js';

/** Padding id (ignored by the cross-entropy loss). */
export const PAD_ID = 0;
/** Unknown-symbol id. */
export const UNK_ID = 1;

export type VocabJSON = { type: 'char' | 'word'; tokens: string[]; lowercase?: boolean };

/** The shared part of both vocabularies: a token list and its inverse index. */
abstract class VocabBase {
  /** Id → token; ids 0 and 1 are `<pad>` and `<unk>`. */
  tokens: string[] = ['<pad>', '<unk>'];
  protected index = new Map<string, number>();
  readonly padId = PAD_ID;
  readonly unkId = UNK_ID;

  /** Number of ids, including pad and unk. */
  get size(): number {
    return this.tokens.length;
  }

  protected setTokens(symbols: string[]): void {
    this.tokens = ['<pad>', '<unk>', ...symbols];
    this.index = new Map(symbols.map((s, i) => [s, i + 2]));
  }

  /** Id of one token (unk if unseen). */
  id(token: string): number {
    return this.index.get(token) ?? UNK_ID;
  }

  protected checkJSON(json: unknown, type: 'char' | 'word', limits?: Partial<Limits>): string[] {
    const j = json as Record<string, unknown> | null;
    if (!j || j.type !== type || !Array.isArray(j.tokens) || j.tokens.length < 2 || !j.tokens.every((t) => typeof t === 'string')) {
      throw new FormatError(undefined, `invalid ${type} vocabulary JSON: expected { type: '${type}', tokens: string[] }`);
    }
    checkLimit('vocabulary', j.tokens.length, `the ${type} vocabulary has ${j.tokens.length} tokens`, undefined, limits);
    if (new Set(j.tokens).size !== j.tokens.length) throw new FormatError(undefined, `invalid ${type} vocabulary JSON: duplicate tokens`);
    return (j.tokens as string[]).slice(2);
  }
}

/** One id per distinct character (Unicode code point). */
export class CharVocab extends VocabBase {
  /**
   * Learn the character set of `text` (sorted by code point). More distinct characters than the
   * `vocabulary` budget (io/limits.ts) is a LimitError: every one costs a row of the embedding and
   * a column of the output layer and of every batch's logits.
   */
  fit(text: string, opts: { limits?: Partial<Limits> } = {}): this {
    const set = new Set<string>();
    for (const ch of text) set.add(ch);
    if (set.size === 0) throw new RangeError('CharVocab.fit: empty text');
    checkLimit('vocabulary', set.size + 2, `the text has ${set.size} distinct characters`, undefined, opts.limits);
    this.setTokens([...set].sort());
    return this;
  }

  /** text → ids (N); unseen characters become unk. */
  encode(text: string): Int32Array {
    const out: number[] = [];
    for (const ch of text) out.push(this.id(ch));
    return Int32Array.from(out);
  }

  /** ids → text; padding is skipped, unk shows as U+FFFD. */
  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id === PAD_ID) continue;
      s += id === UNK_ID || id >= this.tokens.length ? '\uFFFD' : this.tokens[id]!;
    }
    return s;
  }

  toJSON(): VocabJSON {
    return { type: 'char', tokens: [...this.tokens] };
  }

  static fromJSON(json: unknown, limits?: Partial<Limits>): CharVocab {
    const v = new CharVocab();
    v.setTokens(v.checkJSON(json, 'char', limits));
    return v;
  }
}

/** Words and punctuation marks split by {@link tokenize}. */
export function tokenize(text: string, lowercase = true): string[] {
  return (lowercase ? text.toLowerCase() : text).match(/[\p{L}\p{N}]+(?:'[\p{L}]+)?|[^\s\p{L}\p{N}]/gu) ?? [];
}

/** One id per word seen at least `minCount` times, the `maxSize` most frequent kept. */
export class WordVocab extends VocabBase {
  lowercase = true;

  /** Learn the vocabulary of `text`: words by descending count, ties alphabetical. */
  fit(text: string, opts: { maxSize?: number; minCount?: number; lowercase?: boolean; limits?: Partial<Limits> } = {}): this {
    this.lowercase = opts.lowercase ?? true;
    const counts = new Map<string, number>();
    for (const w of tokenize(text, this.lowercase)) counts.set(w, (counts.get(w) ?? 0) + 1);
    if (counts.size === 0) throw new RangeError('WordVocab.fit: no words in text');
    const minCount = opts.minCount ?? 1;
    const words = [...counts].filter(([, c]) => c >= minCount).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([w]) => w);
    const kept = words.slice(0, opts.maxSize ?? words.length);
    checkLimit('vocabulary', kept.length + 2, `the vocabulary would keep ${kept.length} words (choose fewer with maxSize)`, undefined, opts.limits);
    this.setTokens(kept);
    return this;
  }

  encode(text: string): Int32Array {
    return Int32Array.from(tokenize(text, this.lowercase), (w) => this.id(w));
  }

  /** ids → text, words joined by spaces with no space before punctuation. */
  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id === PAD_ID) continue;
      const w = id < this.tokens.length ? this.tokens[id]! : '<unk>';
      s += s === '' || /^[^\p{L}\p{N}(]/u.test(w) ? w : ' ' + w;
    }
    return s;
  }

  toJSON(): VocabJSON {
    return { type: 'word', tokens: [...this.tokens], lowercase: this.lowercase };
  }

  static fromJSON(json: unknown, limits?: Partial<Limits>): WordVocab {
    const v = new WordVocab();
    v.setTokens(v.checkJSON(json, 'word', limits));
    v.lowercase = (json as { lowercase?: boolean }).lowercase ?? true;
    return v;
  }
}

/** Rebuild either vocabulary from its JSON. */
export function vocabFromJSON(json: unknown, limits?: Partial<Limits>): CharVocab | WordVocab {
  return (json as { type?: string } | null)?.type === 'word' ? WordVocab.fromJSON(json, limits) : CharVocab.fromJSON(json, limits);
}

/**
 * Pad ragged id sequences into one batch: ids (B,T) with T = the longest (or `maxLen`, which
 * truncates keeping the first tokens), padded with `padId`, and each row's true length (B).
 */
export function padBatch(seqs: ArrayLike<number>[], opts: { padId?: number; maxLen?: number; dtype?: DType } = {}): { ids: Tensor; lengths: Int32Array } {
  const pad = opts.padId ?? PAD_ID;
  const lengths = Int32Array.from(seqs, (s) => Math.min(s.length, opts.maxLen ?? Infinity));
  // A loop, not Math.max(...lengths): spreading 125k arguments overflows the stack.
  let t = 1;
  for (const n of lengths) if (n > t) t = n;
  const ids = allocArray(seqs.length * t, opts.dtype).fill(pad);
  seqs.forEach((s, b) => {
    for (let i = 0; i < lengths[b]!; i++) ids[b * t + i] = s[i]!;
  });
  return { ids: new Tensor(ids, [seqs.length, t]), lengths };
}

/** `defaults` with every key that `opts` defines (not undefined) replaced; other keys of opts ignored. */
export function withDefaults<T extends object>(defaults: T, opts: Partial<T>): T {
  const out = { ...defaults };
  for (const k of Object.keys(defaults) as Array<keyof T>) if (opts[k] !== undefined) out[k] = opts[k] as T[keyof T];
  return out;
}
