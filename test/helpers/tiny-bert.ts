import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A tiny BERT-shaped model that tests build themselves (no weights can be downloaded): an ONNX graph written as
 * protobuf by hand, a WordPiece tokenizer.json and a config.json, laid out as transformers.js expects a model folder.
 *
 *   h = (E[input_ids] + T[token_type_ids]) · W ⊙ attention_mask        → last_hidden_state [batch, seq, width]
 *   logits = Σ_seq ((E[input_ids] + T[token_type_ids]) · C ⊙ mask)      → logits [batch, 1]   (cross-encoder)
 *
 * The weights are small integers / 8, so tests can compute expected outputs by hand, independently of onnxruntime.
 */
export const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'wing', 'flow', 'shock', 'heat', 'boundary', 'layer', '##s', 'the', 'of'] as const;
export const width = 4;

/** E[token][d]: deterministic, distinct per token; [PAD] is all zero. */
export const wordEmbeddings: number[][] = vocab.map((_, t) => Array.from({ length: width }, (_, d) => (t === 0 ? 0 : (((t * 3 + d * 5) % 7) - 3) / 8)));
export const typeEmbeddings: number[][] = [
  [0.125, 0, -0.125, 0],
  [0, 0.25, 0, -0.25],
];
export const projection: number[][] = [
  [1, 0, 0.5, 0],
  [0, 1, 0, -0.5],
  [0.25, 0, 1, 0],
  [0, -0.25, 0, 1],
];
export const classifier: number[] = [1, -0.5, 0.25, 2];

export function tokenId(token: string): number {
  const id = vocab.indexOf(token as (typeof vocab)[number]);
  if (id < 0) throw new Error(`not in the tiny vocabulary: ${token}`);
  return id;
}

// ---- protobuf, by hand: varints, length-delimited fields (enough of onnx.proto3 for this graph) ----
type Bytes = number[];
const varint = (value: number | bigint): Bytes => {
  let v = BigInt(value);
  if (v < 0n) v += 1n << 64n;
  const out: Bytes = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
};
const key = (field: number, wire: number) => varint((field << 3) | wire);
const int = (field: number, value: number | bigint): Bytes => [...key(field, 0), ...varint(value)];
const bytes = (field: number, data: Bytes | Uint8Array): Bytes => [...key(field, 2), ...varint(data.length), ...data];
const str = (field: number, text: string) => bytes(field, [...Buffer.from(text, 'utf8')]);

const FLOAT = 1;
const INT64 = 7;

function tensor(name: string, dims: number[], type: number, values: number[]): Bytes {
  const raw = type === FLOAT ? Buffer.from(new Float32Array(values).buffer) : Buffer.from(new BigInt64Array(values.map(BigInt)).buffer);
  return [...dims.flatMap((d) => int(1, d)), ...int(2, type), ...str(8, name), ...bytes(9, raw)];
}

function valueInfo(name: string, type: number, dims: Array<number | string>): Bytes {
  const shape = dims.flatMap((d) => bytes(1, typeof d === 'number' ? int(1, d) : str(2, d)));
  const tensorType = [...int(1, type), ...bytes(2, shape)];
  return [...str(1, name), ...bytes(2, bytes(1, tensorType))];
}

function node(op: string, inputs: string[], outputs: string[], attributes: Bytes[] = []): Bytes {
  return [...inputs.flatMap((i) => str(1, i)), ...outputs.flatMap((o) => str(2, o)), ...str(3, `${op}_${outputs[0]}`), ...str(4, op), ...attributes.flatMap((a) => bytes(5, a))];
}

const intAttribute = (name: string, value: number): Bytes => [...str(1, name), ...int(3, value), ...int(20, 2)];

function model(head: 'hidden' | 'logits'): Uint8Array {
  const flat = (m: number[][]) => m.flat();
  const initializers = [
    tensor('word_embeddings', [vocab.length, width], FLOAT, flat(wordEmbeddings)),
    tensor('type_embeddings', [2, width], FLOAT, flat(typeEmbeddings)),
    head === 'hidden' ? tensor('projection', [width, width], FLOAT, flat(projection)) : tensor('projection', [width, 1], FLOAT, classifier),
    tensor('axis_2', [1], INT64, [2]),
    ...(head === 'logits' ? [tensor('axis_1', [1], INT64, [1])] : []),
  ];
  const nodes = [
    node('Gather', ['word_embeddings', 'input_ids'], ['words']),
    node('Gather', ['type_embeddings', 'token_type_ids'], ['types']),
    node('Add', ['words', 'types'], ['embedded']),
    node('MatMul', ['embedded', 'projection'], ['projected']),
    node('Cast', ['attention_mask'], ['mask_float'], [intAttribute('to', FLOAT)]),
    node('Unsqueeze', ['mask_float', 'axis_2'], ['mask_3d']),
    ...(head === 'hidden'
      ? [node('Mul', ['projected', 'mask_3d'], ['last_hidden_state'])]
      : [node('Mul', ['projected', 'mask_3d'], ['masked']), node('ReduceSum', ['masked', 'axis_1'], ['logits'], [intAttribute('keepdims', 0)])]),
  ];
  const inputs = ['input_ids', 'attention_mask', 'token_type_ids'].map((name) => valueInfo(name, INT64, ['batch', 'sequence']));
  const output = head === 'hidden' ? valueInfo('last_hidden_state', FLOAT, ['batch', 'sequence', width]) : valueInfo('logits', FLOAT, ['batch', 1]);
  const graph = [...nodes.flatMap((n) => bytes(1, n)), ...str(2, 'tiny_bert'), ...initializers.flatMap((t) => bytes(5, t)), ...inputs.flatMap((i) => bytes(11, i)), ...bytes(12, output)];
  const opset = [...str(1, ''), ...int(2, 13)];
  return Uint8Array.from([...int(1, 8), ...str(2, 'ragbench-tests'), ...bytes(7, graph), ...bytes(8, opset)]);
}

function tokenizerJson(): unknown {
  const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const token = (id: string, type_id: number) => ({ SpecialToken: { id, type_id } });
  const sequence = (id: 'A' | 'B', type_id: number) => ({ Sequence: { id, type_id } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(0, '[PAD]'), special(1, '[UNK]'), special(2, '[CLS]'), special(3, '[SEP]')],
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [token('[CLS]', 0), sequence('A', 0), token('[SEP]', 0)],
      pair: [token('[CLS]', 0), sequence('A', 0), token('[SEP]', 0), sequence('B', 1), token('[SEP]', 1)],
      special_tokens: { '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] } },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(vocab.map((t, i) => [t, i])) },
  };
}

/** Writes the model folder (config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx) and returns it. */
export async function writeTinyBert(folder: string, head: 'hidden' | 'logits'): Promise<string> {
  await mkdir(join(folder, 'onnx'), { recursive: true });
  const config = {
    model_type: 'bert',
    architectures: [head === 'hidden' ? 'BertModel' : 'BertForSequenceClassification'],
    hidden_size: width,
    vocab_size: vocab.length,
    ...(head === 'logits' ? { id2label: { 0: 'LABEL_0' }, label2id: { LABEL_0: 0 } } : {}),
  };
  await writeFile(join(folder, 'config.json'), JSON.stringify(config));
  await writeFile(join(folder, 'tokenizer.json'), JSON.stringify(tokenizerJson()));
  await writeFile(
    join(folder, 'tokenizer_config.json'),
    JSON.stringify({ tokenizer_class: 'BertTokenizer', model_max_length: 32, do_lower_case: true, pad_token: '[PAD]', cls_token: '[CLS]', sep_token: '[SEP]', unk_token: '[UNK]', mask_token: '[UNK]' }),
  );
  await writeFile(join(folder, 'onnx', 'model.onnx'), model(head));
  return folder;
}

/** By hand: the token vector before the head, (E[id] + T[type]). */
export function embedded(id: number, type: number): number[] {
  return wordEmbeddings[id]!.map((value, d) => value + typeEmbeddings[type]![d]!);
}

/** By hand: one row of last_hidden_state for an unpadded token. */
export function hiddenRow(id: number, type: number): number[] {
  const e = embedded(id, type);
  return Array.from({ length: width }, (_, j) => e.reduce((sum, value, d) => sum + value * projection[d]![j]!, 0));
}
