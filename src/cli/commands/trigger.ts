/**
 * `trigger add|list|show|remove` (definitions in the store) and the group's other commands
 * (trigger-run.ts, trigger-ops.ts). Every one takes --data-dir / --store and --json.
 */
import type { Command } from 'commander';
import { collect } from '../options.ts';
import { printFields, printJson } from '../output.ts';
import { register as registerOps } from './trigger-ops.ts';
import { register as registerRun } from './trigger-run.ts';
import { addStoreOptions, printRows, withTriggers, type StoreFlags } from './trigger-store.ts';

interface AddFlags extends StoreFlags {
  preset?: string;
  source?: string;
  event?: string[];
  entity?: string;
  sink?: string;
  sinkSecret?: string;
  interval?: string;
  connect?: boolean;
  parallel?: string;
  rateLimit?: string;
  field?: string[];
  maxAttempts?: string;
  maxAge?: string;
}

const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));

/** The flags as a definition input; parseTrigger names whatever is wrong by its key. */
function inputOf(name: string, f: AddFlags): Record<string, unknown> {
  const input: Record<string, unknown> = {
    name,
    preset: f.preset,
    source: f.source,
    events: f.event?.length ? f.event.flatMap((e) => e.split(',')) : undefined,
    entity: f.entity,
    sink: f.sink,
    sinkSecret: f.sinkSecret,
    interval: f.interval,
    connect: f.connect,
    rateLimit: num(f.rateLimit),
    fields: f.field?.length ? f.field.flatMap((e) => e.split(',')) : undefined,
    delivery: f.parallel ? { mode: 'parallel', concurrency: num(f.parallel) } : undefined,
    retry:
      f.maxAttempts || f.maxAge
        ? { maxAttempts: num(f.maxAttempts) ?? 12, maxAge: f.maxAge ?? '72h' }
        : undefined,
  };
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
}

export function register(program: Command): void {
  const trigger = program
    .command('trigger')
    .description(
      'Durable, ordered delivery of new Stripe objects and events to a sink (see README "Triggers")',
    );

  addStoreOptions(
    trigger
      .command('add <name>')
      .description('Add (or replace) a trigger: a preset or source + events/entity, and a sink')
      .option('--preset <preset>', 'charge-added, customer-added, invoiceitem-added or order-added')
      .option('--source <source>', 'events (poll the Events API), webhook, or objects (poll a list)')
      .option(
        '--event <type>',
        'event type(s) to watch, e.g. charge.succeeded or charge.*; repeatable',
        collect,
        [],
      )
      .option('--entity <entity>', 'the entity an objects source lists (Charge)')
      .option('--sink <sink>', 'https://… (signed), file:PATH (NDJSON), stdout, or exec:COMMAND')
      .option('--sink-secret <ref>', "the http sink's whsec_ key as env:VAR or file:PATH")
      .option('--interval <duration>', 'poll interval, 1s and up (default 120s)')
      .option('--connect', "connected accounts' events (a connect webhook endpoint)")
      .option('--parallel <n>', 'deliver up to n at once instead of in order')
      .option('--rate-limit <n>', 'deliveries per second (default 100)')
      .option('--field <path>', 'output field, path or name=path; repeatable', collect, [])
      .option('--max-attempts <n>', 'attempts before a dead letter (default 12)')
      .option('--max-age <duration>', 'time after the first attempt before a dead letter (default 72h)'),
  ).action(async (name: string, flags: AddFlags) => {
    const record = await withTriggers(flags, (s) => s.add(inputOf(name, flags)), true);
    if (flags.json) return printJson(record);
    process.stdout.write(`trigger ${record.name} saved; run it with: stripe-connector trigger run\n`);
  });

  addStoreOptions(trigger.command('list').description('The triggers defined in the store')).action(
    async (flags: StoreFlags) => {
      const rows = await withTriggers(flags, (s) => s.list());
      if (flags.json) return printJson(rows);
      const table = rows.map((r) => ({ ...r.definition, disabled: r.disabled?.reason ?? '' }));
      printRows(flags, table, ['name', 'source', 'sink', 'interval', 'disabled']);
    },
  );

  addStoreOptions(trigger.command('show <name>').description("A trigger's definition")).action(
    async (name: string, flags: StoreFlags) => {
      const record = await withTriggers(flags, (s) => s.show(name));
      if (flags.json) return printJson(record);
      printFields({ ...record.definition, ...(record.disabled ? { disabled: record.disabled } : {}) });
    },
  );

  addStoreOptions(
    trigger
      .command('remove <name>')
      .description('Remove a trigger and its checkpoint (its delivery history stays)'),
  ).action(async (name: string, flags: StoreFlags) => {
    const result = await withTriggers(flags, (s) => s.remove(name));
    if (flags.json) return printJson({ name, ...result });
    process.stdout.write(`trigger ${name} removed\n`);
  });

  registerRun(trigger);
  registerOps(trigger);
}
