/**
 * The CLI entry: builds one commander program from the command declarations in ./commands (each
 * exports `register(program)`; a command's engine is imported only when it runs), runs it, and
 * turns any error into a message and an exit code.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { redact } from '../connection/redact.ts';
import { ConnectorError, toConnectorError } from '../errors.ts';
import { COMMANDS } from './commands/index.ts';
import { endQuietlyOnClosedPipe } from './output.ts';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return String(pkg.version);
}

export function buildProgram(): Command {
  const program = new Command('stripe-connector')
    .description('An open, self-hostable connector for Stripe: entities, queries, actions and an emulator.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showSuggestionAfterError(true)
    .exitOverride();
  for (const register of COMMANDS) register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  endQuietlyOnClosedPipe();
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (error) {
    return reportError(error);
  }
}

export function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // Help and version are "errors" to commander; their text is already printed.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
    if (error.code === 'commander.help') return 0;
    return 2;
  }
  const mapped: ConnectorError = toConnectorError(error);
  // The gateway redacts what it throws; anything else (an SDK or library error quoting its input)
  // gets the pattern redaction here, the last stop before the terminal.
  process.stderr.write(redact(`error ${mapped.code}: ${mapped.message}\n`));
  const hint = mapped.details.hint;
  if (typeof hint === 'string') process.stderr.write(redact(`${hint}\n`));
  if (mapped.code === 'INTERNAL' && process.env.STRIPE_CONNECTOR_DEBUG) {
    process.stderr.write(redact(`${(error as Error)?.stack ?? ''}\n`));
  }
  return mapped.exitCode;
}
