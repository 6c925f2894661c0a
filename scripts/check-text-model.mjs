// Runs the shipped text encoder the way the browser's text worker does — transformers.js,
// local files only — and prints JSON the Python parity and tokenizer tests compare against.
//
//   node scripts/check-text-model.mjs [--models-dir public/models] [--model text]
//        [--dtype fp32|q8] [--max-length 128] [--tokens-only] < sentences.json
//
// stdin: a JSON array of strings. stdout: {"input_ids": [[...]], "cls": [[...]] | null}.
// input_ids are unpadded (one list per sentence); cls is last_hidden_state[:, 0, :] run one
// sentence at a time (batch 1, as the app does).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AutoModel, AutoTokenizer, env } from '@huggingface/transformers';
import { parseCommandLine } from './lib/cli.mjs';

const DTYPES = Object.freeze(['fp32', 'q8']);

const OPTIONS = Object.freeze({
  'models-dir': { type: 'string', default: 'public/models' },
  model: { type: 'string', default: 'text' },
  dtype: { type: 'string', default: 'fp32' },
  'max-length': { type: 'string', default: '128' },
  'tokens-only': { type: 'boolean', default: false },
});

function parseArgs(argv) {
  const { values } = parseCommandLine(argv, OPTIONS);
  const args = { modelsDir: values['models-dir'], model: values.model, dtype: values.dtype, maxLength: Number(values['max-length']), tokensOnly: values['tokens-only'] };
  if (!DTYPES.includes(args.dtype)) throw new Error(`--dtype ${args.dtype}: valid are ${DTYPES.join(', ')}`);
  return args;
}

const args = parseArgs(process.argv.slice(2));
const sentences = JSON.parse(readFileSync(0, 'utf8'));
if (!Array.isArray(sentences)) throw new Error('stdin must be a JSON array of strings');

env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = path.resolve(args.modelsDir) + '/';

const tokenizer = await AutoTokenizer.from_pretrained(args.model);
const inputIds = [];
for (const s of sentences) {
  const enc = tokenizer(s, { truncation: true, max_length: args.maxLength });
  inputIds.push(Array.from(enc.input_ids.data, Number));
}

let cls = null;
if (!args.tokensOnly) {
  const model = await AutoModel.from_pretrained(args.model, { dtype: args.dtype, device: 'cpu' });
  cls = [];
  for (const s of sentences) {
    const enc = tokenizer(s, { truncation: true, max_length: args.maxLength });
    const { last_hidden_state: h } = await model(enc);
    const hidden = h.dims[2];
    cls.push(Array.from(h.data.subarray(0, hidden)));
  }
  await model.dispose?.();
}
process.stdout.write(JSON.stringify({ input_ids: inputIds, cls }));
