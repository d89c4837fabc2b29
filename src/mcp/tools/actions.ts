/** run_action: any action by name; its inputs are documented by list_actions and describe_entity. */
import { z } from 'zod';
import { resolveAction, runAction } from '../../actions/index.ts';
import type { StripeCatalog } from '../../catalog/index.ts';
import { actionAccess } from './catalog.ts';
import { defineTool, idempotencyInput, payloadInput } from '../tool.ts';

export function actionTools(catalog: StripeCatalog) {
  const names = [...catalog.actions().map((a) => a.name), ...catalog.namedActions().map((a) => a.name)];
  return [
    defineTool({
      name: 'run_action',
      title: 'Run an action',
      description:
        "Run an action (CapturePaymentIntent, FinalizeInvoice, CancelSubscriptionSchedule, CreateCustomer, …): list_actions gives each one's inputs, whether it writes or moves money and whether this server allows it. Writes need --allow-writes; actions that move, concede or commit funds (capture, confirm, refund, pay, finalize an invoice, close a dispute, approve a review, …) need --allow-money as well. The result carries the idempotency key used.",
      input: z.strictObject({
        action: z
          .string()
          .min(1)
          .meta({ enum: names, description: 'action name (aliases such as FinalizeQuote are accepted)' }),
        payload: payloadInput('the inputs: {"PaymentIntentId": "pi_…", "amount_to_capture": 500}').optional(),
        idempotency_key: idempotencyInput,
      }),
      annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: true },
      access: ({ action, payload }) => actionAccess(resolveAction({ catalog }, action), payload ?? {}),
      run: ({ action, payload }, { ctx, idempotencyKey }) =>
        runAction(ctx, action, payload ?? {}, { idempotencyKey }),
    }),
  ];
}
