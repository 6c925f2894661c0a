// Command-line parsing shared by the scripts: Node's own util.parseArgs, with the scripts' plain
// messages instead of its ERR_PARSE_ARGS_* wording, and the one way they report bad usage
// ("<command>: <message>", the usage text, exit code 2).
import { parseArgs } from 'node:util';

/** Bad usage: the message is meant for the person at the terminal, followed by the usage text. */
export class UsageError extends Error {}

/**
 * util.parseArgs over argv with the given option config ({ name: { type, short?, default?, multiple? } }).
 * Parsed loosely (strict: false) so a value may start with a dash (`--transcript "-- well"`), as
 * the scripts always allowed; then unknown options, options without their value, values given to
 * switches and (unless allowed) positional arguments become a UsageError, first one first.
 * Returns { values, positionals }; `--` ends the options.
 */
export function parseCommandLine(argv, options, { allowPositionals = false } = {}) {
  const { values, positionals, tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind === 'positional' && !allowPositionals) throw new UsageError(`Unexpected argument ${token.value}.`);
    if (token.kind !== 'option') continue;
    const option = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (!option) throw new UsageError(`Unknown option ${token.rawName}; valid are ${validOptions(options)}.`);
    if (option.type === 'string' && token.value === undefined) throw new UsageError(`${token.rawName} needs a value.`);
    if (option.type === 'boolean' && token.inlineValue) throw new UsageError(`${token.rawName} takes no value.`);
  }
  return { values, positionals };
}

const validOptions = (options) => Object.keys(options).map((name) => `--${name}`).join(', ');

/**
 * For a script's main(): a UsageError is printed as "<command>: <message>" and the usage text on
 * stderr, and gives exit code 2; any other error is rethrown.
 */
export function usageFailure(error, command, usage) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`${command}: ${error.message}\n\n${usage}`);
  return 2;
}
