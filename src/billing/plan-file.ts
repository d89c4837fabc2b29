/**
 * The plan file (YAML, one per catalog): products, and plans with their price. Validated once with
 * exact key paths (`plans.pro-monthly.interval: must be one of month, year`); unknown keys are
 * errors, so a typo never silently falls back to a default. Amounts are in the currency's smallest
 * unit (cents), as Stripe takes them.
 */
import { readYamlObject } from '../connection/yaml-file.ts';
import { z } from 'zod';
import { ConnectorError } from '../errors.ts';
import { describeIssues } from '../connection/schema.ts';

const KEY = /^[a-z0-9](?:[a-z0-9_-]{0,98}[a-z0-9])?$/;
const KEY_RULE = 'a name must be lower-case letters, digits, "-" or "_", at most 100 characters';
const key = z.string().regex(KEY, KEY_RULE);
const amount = z.number().int('must be a whole number of the smallest unit (cents)').min(0);

const tierSchema = z
  .object({
    /** The last tier is `inf`. */
    up_to: z.union([z.number().int().positive(), z.literal('inf')]),
    unit_price: amount.optional(),
    flat_price: amount.optional(),
  })
  .strict()
  .refine((t) => t.unit_price !== undefined || t.flat_price !== undefined, {
    message: 'a tier needs unit_price, flat_price or both',
  });

const planSchema = z
  .object({
    product: key,
    nickname: z.string().min(1).max(250).optional(),
    /** Per unit (flat) or per unit used (metered), unless tiers are given. */
    price: amount.optional(),
    currency: z.string().regex(/^[a-z]{3}$/, 'must be a three-letter ISO currency code in lower case (usd)'),
    interval: z.enum(['month', 'year']),
    interval_count: z.number().int().min(1).max(12).optional(),
    trial_days: z.number().int().min(0).max(730).optional(),
    usage: z.enum(['flat', 'metered']).default('flat'),
    tiers_mode: z.enum(['graduated', 'volume']).optional(),
    tiers: z.array(tierSchema).min(2).max(250).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if ((p.price === undefined) === (p.tiers === undefined))
      ctx.addIssue({ code: 'custom', path: ['price'], message: 'give either price or tiers' });
    if (p.tiers_mode && !p.tiers)
      ctx.addIssue({ code: 'custom', path: ['tiers_mode'], message: 'applies only with tiers' });
    if (!p.tiers) return;
    let last = 0;
    p.tiers.forEach((t, i) => {
      const final = i === p.tiers!.length - 1;
      if (final !== (t.up_to === 'inf'))
        ctx.addIssue({
          code: 'custom',
          path: ['tiers', i, 'up_to'],
          message: final ? 'the last tier must be inf' : 'only the last tier may be inf',
        });
      else if (typeof t.up_to === 'number' && t.up_to <= last)
        ctx.addIssue({
          code: 'custom',
          path: ['tiers', i, 'up_to'],
          message: `must be above the previous tier's ${last}`,
        });
      if (typeof t.up_to === 'number') last = t.up_to;
    });
  });

const productSchema = z
  .object({
    name: z.string().min(1).max(250),
    description: z.string().min(1).max(5000).optional(),
  })
  .strict();

export const planFileSchema = z
  .object({
    products: z.record(z.string(), productSchema),
    plans: z.record(z.string(), planSchema),
  })
  .strict()
  .superRefine((f, ctx) => {
    // Names are checked here, not by the record's key schema, whose message would not say why.
    for (const section of ['products', 'plans'] as const) {
      for (const name of Object.keys(f[section])) {
        if (!KEY.test(name)) ctx.addIssue({ code: 'custom', path: [section, name], message: KEY_RULE });
      }
    }
    for (const [name, plan] of Object.entries(f.plans)) {
      if (!f.products[plan.product])
        ctx.addIssue({
          code: 'custom',
          path: ['plans', name, 'product'],
          message: `no product "${plan.product}" under products`,
        });
    }
  });

export type PlanFile = z.infer<typeof planFileSchema>;
export type Plan = PlanFile['plans'][string];
export type Product = PlanFile['products'][string];
export type Tier = NonNullable<Plan['tiers']>[number];

/**
 * Checks a parsed plan file (an object); `source` names it in messages. The error's field is the
 * first wrong key, under `under` when the plan is part of something larger (a request's `plan`).
 */
export function parsePlanFile(input: unknown, source = 'plan file', under?: string): PlanFile {
  const parsed = planFileSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const described = describeIssues(parsed.error, source);
  const issues = described.details.issues as string[];
  const first = (described.details.keys as string[] | undefined)?.[0];
  const field = [under, first].filter(Boolean).join('.');
  throw new ConnectorError('INVALID_VALUE', `invalid plan file ${source}: ${issues.join('; ')}`, {
    ...described.details,
    ...(field ? { field } : {}),
  });
}

export function loadPlanFile(path: string): PlanFile {
  const { file: full, data } = readYamlObject(path, 'plan file', 'INVALID_ARGUMENT');
  return parsePlanFile(data, full);
}
