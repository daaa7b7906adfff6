/**
 * One way to run every command-line tool of the project: commander parses and checks the options
 * and prints `--help` (usage, options, examples); this module turns any failure into one clear
 * message on stderr and a non-zero exit, with the stack trace only under `--debug`.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';

// The AWS SDK prints an 8-line NodeVersionSupportWarning on Node 20 (process.emitWarning, once per
// process, when the first client is built). Node 20 is a supported version here (engines), so the
// warning is switched off with the SDK's documented variable (aws/aws-sdk-js-v3#7983). Importing
// this module first is enough: the SDK reads the variable when a client is constructed.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** A command line that cannot run; the message names the option and how to write it. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface CommandSpec {
  /** How a user runs it, e.g. `npm run twin`. */
  name: string;
  /** One or two sentences: what it does. */
  summary: string;
  /** Whole command lines shown under "Examples". */
  examples: readonly string[];
}

/**
 * A commander program with the project's conventions: `--help` with the examples, `--debug`,
 * no stray arguments, and errors thrown (not printed) so {@link runCommand} formats them.
 */
export function defineCommand(spec: CommandSpec): Command {
  const npmScript = spec.name.startsWith('npm ');
  return new Command(spec.name)
    .description(spec.summary)
    .usage(npmScript ? '-- [options]' : '[options]')
    .option('--debug', 'on an error, print the stack trace too')
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', `\nExample${spec.examples.length > 1 ? 's' : ''}:\n${spec.examples.map((e) => `  ${e}`).join('\n')}\n`)
    .allowExcessArguments(false)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
}

/** Option value parser: a whole number in [min, max]. */
export function integerOption(min: number, max: number, example: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}, e.g. ${example}`);
    }
    return n;
  };
}

/** Option value parser: a number above 0. */
export function positiveOption(example: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`must be a number above 0, e.g. ${example}`);
    return n;
  };
}

/** Option value parser: a share from 0 to `max` (0.005 for 0.5%). */
export function shareOption(max: number, example: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > max) throw new InvalidArgumentError(`must be a share from 0 to ${max} (0.005 for 0.5%), e.g. ${example}`);
    return n;
  };
}

/** The long names of a command's options, for "valid options" lists. */
function validOptions(command: Command): string {
  return [...command.options.map((o) => o.long ?? o.short), '--help'].filter(Boolean).join(', ');
}

/** Commander's message on one line, without its "error: " prefix, plus what the user can do. */
function usageMessage(command: Command, err: CommanderError): string {
  const text = err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').replace(/\(Did you mean/, '(did you mean');
  const help = `${command.name()}${command.name().startsWith('npm ') ? ' --' : ''} --help`;
  if (err.code === 'commander.unknownOption' || err.code === 'commander.excessArguments') {
    return `${text}; valid options: ${validOptions(command)} (${help} for details)`;
  }
  return `${text} (${help} for details)`;
}

/** The error and its causes, one line each; the stacks too when `debug`. */
function describeError(err: unknown, debug: boolean): string {
  if (!(err instanceof Error)) return String(err);
  if (debug) {
    const causes: string[] = [];
    for (let cause = err.cause; cause instanceof Error; cause = cause.cause) causes.push(`caused by: ${cause.stack ?? cause.message}`);
    return [err.stack ?? err.message, ...causes].join('\n');
  }
  return err.message;
}

/**
 * Parses and checks the arguments. `--help` prints the help and exits 0; a bad command line prints
 * one line naming the option (an unknown option lists the valid ones) and exits 1.
 */
export function parseOptions<O>(command: Command, argv: readonly string[] = process.argv.slice(2)): O {
  try {
    command.parse([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError && err.exitCode === 0) process.exit(0); // --help
    process.stderr.write(`${command.name()}: ${err instanceof CommanderError ? usageMessage(command, err) : describeError(err, argv.includes('--debug'))}\n`);
    process.exit(1);
  }
  return command.opts() as O;
}

/**
 * Runs `main`; any error prints `<name> failed: <message>` (a UsageError `<name>: <message>`), its
 * stack too with `--debug`, and exits 1 at once, so that a half-started server or client can
 * never keep a failed command alive.
 */
export async function runMain(command: Command, main: () => Promise<void>, argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  try {
    await main();
  } catch (err) {
    const prefix = err instanceof UsageError ? command.name() : `${command.name()} failed`;
    process.stderr.write(`${prefix}: ${describeError(err, argv.includes('--debug'))}\n`);
    process.exit(1);
  }
}

/** {@link parseOptions}, then {@link runMain} with the options. */
export async function runCommand<O>(command: Command, main: (options: O) => Promise<void>, argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const options = parseOptions<O>(command, argv);
  await runMain(command, () => main(options), argv);
}
