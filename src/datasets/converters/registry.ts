import { convertBegin } from './begin.js';
import { convertBeirZip } from './beir-zip.js';
import type { Converter } from '../converter-types.js';
import { convertPubmedqa } from './pubmedqa.js';
import { convertCacm, convertCisi, convertCranfield } from './smart-collections.js';

/** Converter names as the catalog refers to them. */
export const converters: Readonly<Record<string, Converter>> = {
  cranfield: convertCranfield,
  cisi: convertCisi,
  cacm: convertCacm,
  pubmedqa: convertPubmedqa,
  begin: convertBegin,
  'beir-zip': convertBeirZip,
};
