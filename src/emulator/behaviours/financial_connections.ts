/**
 * Financial Connections accounts (linked by the customer in Stripe's hosted flow, so they reach the
 * emulator by bulk load): a refresh of balance or ownership data starts as `pending`.
 */
import type { Engine } from '../engine.ts';
import { invalid } from '../errors.ts';

export function registerFinancialConnections(engine: Engine): void {
  for (const op of ['refresh', 'refresh_linked_accounts']) {
    engine.on('financial_connections.account', op, (ctx) => {
      const account = ctx.engine.get(ctx, 'financial_connections.account', ctx.pathValues.account, 'account');
      if (account.status !== 'active') {
        throw invalid(`Account ${account.id} is ${account.status} and cannot be refreshed.`);
      }
      const changes: Record<string, unknown> = {};
      for (const feature of (ctx.params.features as string[]) ?? []) {
        changes[`${feature}_refresh`] = { status: 'pending', last_attempted_at: ctx.now };
      }
      ctx.engine.update(ctx, 'financial_connections.account', account, changes, false);
      return account;
    });
  }
}
