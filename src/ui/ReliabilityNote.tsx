// One sentence under the headline saying how often the model's top emotion was right on real
// clips for this kind of input, beside the constant guess (src/pipeline/reliability.ts): so a
// first-time user reads "anger 62%" as the hint it is. Nothing when the model ships no such numbers.
export function ReliabilityNote({ text }: { text: string | null }) {
  if (!text) return null;
  return <span data-testid="reliability">{text}</span>;
}
