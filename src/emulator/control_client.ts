/** A client for the emulator's control routes (control.ts), for the CLI and tests. */

export interface TriggerRequest {
  type: string;
  object?: Record<string, unknown>;
  account?: string;
  /** That many events, each of its own new object; the answer is then a list of them. */
  count?: number;
}

/** Why a trigger failed: the emulator refused it (`status`), or nothing answered (`status` 0). */
export class TriggerError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Emits an event on a running emulator; resolves to the stored event. */
export async function triggerEvent(
  base: string,
  request: TriggerRequest,
  apiKey = 'sk_test_emulator',
): Promise<Record<string, any>> {
  const url = `${base.replace(/\/+$/, '')}/_emulator/events`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
  } catch (error) {
    throw new TriggerError(
      `no emulator answers at ${base} (${(error as Error).cause ?? (error as Error).message}); start one with \`stripe-connector emulator\``,
      0,
    );
  }
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    throw new TriggerError(
      `${url} answered ${res.status} with a non-JSON body: is ${base} an emulator?`,
      res.status,
    );
  }
  if (!res.ok)
    throw new TriggerError(
      `the emulator refused the event (${res.status}): ${body?.error?.message ?? text}`,
      res.status,
    );
  return body;
}
