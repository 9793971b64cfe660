import { describe, expect, it } from 'vitest';
import { makeChunk } from '../../../src/chunkers/chunker.js';
import { bm25, bm25Options } from '../../../src/retrievers/bm25.js';
import { queriesWithoutTokens, tokenizers } from '../../../src/retrievers/tokenize.js';
import { createEnv } from '../../../src/shared/env.js';

const context = { env: createEnv({}), workDir: '/tmp' };
const docs = {
  zh: '北京是中国的首都，也是一座历史悠久的城市。',
  ja: '東京都は日本の首都です。カタカナのテスト。',
  ar: 'القاهرة هي عاصمة مصر وأكبر مدنها',
  he: 'ירושלים היא בירת ישראל',
  ru: 'Москва — столица России',
  fr: 'Le café de la gare est fermé',
  en: 'The capital of England is London',
};

describe('BM25 tokenizers (issue 11 #6)', () => {
  it.each([
    ['北京的首都', ['北京', '京的', '的首', '首都']],
    ['東京都', ['東京', '京都']],
    ['القاهرة عاصمة', ['القاهرة', 'عاصمة']],
    ['ירושלים', ['ירושלים']],
    ['МОСКВА Столица', ['москва', 'столица']],
    ['CAFÉ fermé', ['café', 'fermé']],
    ['Straße', ['strasse']],
    ['ｆｕｌｌ－ｗｉｄｔｈ ﬁle', ['full', 'width', 'file']],
    ['sig\u00ADnificant zero\u200Bwidth', ['significant', 'zerowidth']],
    ['e\u0301cole', ['école']],
    ['', []],
  ])('unicode: %j → %j', (text, expected) => {
    expect(tokenizers.unicode(text)).toEqual(expected);
  });

  it('ascii keeps the reference runs\' [a-z0-9]+ (other scripts yield nothing)', () => {
    expect(tokenizers.ascii('Café 北京 IL-6')).toEqual(['caf', 'il', '6']);
    expect(tokenizers.ascii(docs.zh)).toEqual([]);
  });

  it('defaults to unicode: Chinese, Japanese, Arabic, Hebrew, Cyrillic and accented queries find their document (ascii ranks none)', async () => {
    const chunks = Object.entries(docs).map(([id, text]) => makeChunk({ id, text }, 0, text.length));
    const queries = [
      { id: 'zh', text: '中国的首都' },
      { id: 'ja', text: '日本の首都' },
      { id: 'ar', text: 'عاصمة مصر' },
      { id: 'he', text: 'בירת ישראל' },
      { id: 'ru', text: 'столица России' },
      { id: 'fr', text: 'café fermé' },
    ];
    expect(bm25Options.parse({}).tokenizer).toBe('unicode');
    for (const tokenizer of ['unicode', 'ascii'] as const) {
      const retriever = await bm25.create(bm25Options.parse({ tokenizer }), context);
      await retriever.open('t');
      await retriever.add(chunks);
      await retriever.finish();
      const tops = await Promise.all(queries.map(async (q) => (await retriever.retrieve(q, 1))[0]?.docId));
      if (tokenizer === 'unicode') expect(tops).toEqual(queries.map((q) => q.id));
      else expect(tops).toEqual([undefined, undefined, undefined, undefined, undefined, 'fr']);
      expect(retriever.queriesWithoutTokens!(queries)).toEqual(tokenizer === 'unicode' ? [] : ['zh', 'ja', 'ar', 'he', 'ru']);
    }
  });

  it('counts queries without tokens', () => {
    expect(queriesWithoutTokens([{ id: 'a', text: '?!' }, { id: 'b', text: 'ok' }, { id: 'c', text: '\u200B' }], tokenizers.unicode)).toEqual(['a', 'c']);
  });
});
