/**
 * `connection test`: the connection check (gateway/account.ts) printed, or its diagnosis as the
 * error. `connection show`: the validated connection with secrets left out.
 */
import type { Command } from 'commander';
import { ConnectorError } from '../../errors.ts';
import { addConnectionOptions, connectionFromOptions, type ConnectionOptions } from '../context.ts';
import { printFields, printJson } from '../output.ts';

interface TestOptions extends ConnectionOptions {
  json?: boolean;
  timeout?: string;
}

export function register(program: Command): void {
  const connection = program.command('connection').description('Check and show the connection to Stripe');

  addConnectionOptions(
    connection
      .command('test')
      .description('Call GET /v1/account and report the account, mode and API version, or what is wrong')
      .option('--json', 'print JSON')
      .option('--timeout <ms>', 'per-attempt timeout for this test', '15000'),
  ).action(async (opts: TestOptions) => {
    // Imported here, not at the top: declaring the program must not load the Stripe SDK.
    const { checkConnection } = await import('../../gateway/account.ts');
    const result = await checkConnection(() => connectionFromOptions(opts), {
      timeoutMs: Number(opts.timeout) || 15_000,
    });
    if (result.ok) return opts.json ? printJson(result) : printFields({ ...result });
    const e = result.error;
    if (opts.json) {
      printJson({ ...result, error: e.toJSON() });
      process.exitCode = e.exitCode;
      return;
    }
    // The CLI's error reporter prints the message; the diagnosis goes first, as the hint.
    throw new ConnectorError(
      e.code,
      `${result.diagnosis}\n${e.message}`,
      { ...e.details, hint: undefined },
      { cause: e },
    );
  });

  addConnectionOptions(
    connection
      .command('show')
      .description('Validate the connection and print it, secrets left out')
      .option('--json', 'print JSON'),
  ).action(async (opts: ConnectionOptions & { json?: boolean }) => {
    const { describeConnection } = await import('../../connection/describe.ts');
    const described = describeConnection(await connectionFromOptions(opts));
    if (opts.json) return printJson(described);
    printFields(described);
  });
}
