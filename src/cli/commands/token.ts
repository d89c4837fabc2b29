/** `token create|list|revoke`: the server's API tokens, in its store. The plain token is shown once. */
import type { Command } from 'commander';
import { collect } from '../options.ts';
import { printJson, printTable } from '../output.ts';
import { addStoreOptions, type StoreOptions } from '../server-options.ts';

interface CreateOptions extends StoreOptions {
  scope: string;
  connection: string[];
  name?: string;
  json?: boolean;
}

const storeOf = (opts: StoreOptions) => ({ dataDir: opts.dataDir, url: opts.store });
const admin = () => import('../../server/token-admin.ts');
const when = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString());

export function register(program: Command): void {
  const token = program.command('token').description('Create, list and revoke the server’s API tokens');

  addStoreOptions(
    token
      .command('create')
      .description('Create a token and print it (shown this once: only its hash is kept)')
      .option('--scope <scope>', 'read, write (includes read) or admin (everything)', 'read')
      .option('--connection <name>', 'limit the token to this connection; repeatable', collect, [])
      .option('--name <label>', 'a label to recognise it by in `token list`')
      .option('--json', 'print JSON'),
  ).action(async (opts: CreateOptions) => {
    const { createToken, parseScope } = await admin();
    const scope = parseScope(opts.scope);
    const { token: text, record } = await createToken(storeOf(opts), {
      scope,
      connections: opts.connection,
      label: opts.name,
    });
    if (opts.json) return printJson({ token: text, ...record });
    process.stdout.write(
      `token: ${text}\nid: ${record.id}  (shown once: keep the token; revoke it by its id)\n`,
    );
  });

  addStoreOptions(
    token.command('list').description('List tokens (never the token itself)').option('--json', 'print JSON'),
  ).action(async (opts: StoreOptions & { json?: boolean }) => {
    const { listTokens } = await admin();
    const tokens = await listTokens(storeOf(opts));
    if (opts.json) return printJson(tokens);
    printTable(
      ['id', 'name', 'scopes', 'connections', 'created', 'last used', 'revoked'],
      tokens.map((t) => [
        t.id,
        t.name,
        t.scopes.join(','),
        t.connections?.join(',') ?? '(all)',
        when(t.createdAt),
        when(t.lastUsedAt),
        when(t.revokedAt),
      ]),
    );
  });

  addStoreOptions(
    token.command('revoke <id>').description('Revoke a token by its id: it stops working at once'),
  ).action(async (id: string, opts: StoreOptions) => {
    const { revokeToken } = await admin();
    await revokeToken(storeOf(opts), id);
    process.stdout.write(`revoked ${id}\n`);
  });
}
