/**
 * Which accounts a sync covers: `platform` (the connection's own account, the default), `all`
 * (every connected account, listed through the Account entity), or explicit `acct_…` ids.
 */
import { ConnectorError } from '../errors.ts';
import { pages } from '../gateway/pages.ts';
import type { Gateway } from '../gateway/types.ts';

/** '' stands for the platform account. */
export async function resolveAccounts(gateway: Gateway, wanted: string[] = ['platform']): Promise<string[]> {
  const out = new Set<string>();
  for (const w of wanted.length ? wanted : ['platform']) {
    if (w === 'platform') out.add('');
    else if (w === 'all') {
      for await (const page of pages(gateway, { path: '/v1/accounts', params: { limit: 100 } })) {
        for (const a of page) out.add(String(a.id));
      }
    } else if (/^acct_[A-Za-z0-9_]+$/.test(w)) out.add(w);
    else {
      throw new ConnectorError(
        'INVALID_ARGUMENT',
        `--accounts: "${w}" is not platform, all or an acct_… id`,
        {
          field: '--accounts',
        },
      );
    }
  }
  return [...out];
}
