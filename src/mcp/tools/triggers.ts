/** trigger_status: offered only when the host gives a provider (the trigger runner); never made up. */
import { z } from 'zod';
import { defineTool, READ, READ_ONLY, type McpTool } from '../tool.ts';

export function triggerTools(triggerStatus?: () => Promise<unknown>): McpTool[] {
  if (!triggerStatus) return [];
  return [
    defineTool({
      name: 'trigger_status',
      title: 'Trigger status',
      description:
        'The state of the configured triggers (webhook receivers and pollers): checkpoints, inbox and delivery counts, last errors.',
      input: z.strictObject({}),
      annotations: { ...READ_ONLY, openWorldHint: false },
      access: () => READ,
      run: async () => ({ triggers: await triggerStatus() }),
    }),
  ];
}
