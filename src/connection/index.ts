/** Connections: what to talk to, with which secrets, through which proxy, logged how. */
export * from './load.ts';
export { connectionSchema, applyAliases, TERRAFORM_ALIASES, NAME_PATTERN } from './schema.ts';
export type { ConnectionFileInput } from './schema.ts';
export { createRedactor, redact, REDACTED, type Redactor } from './redact.ts';
export { createLogger, type Logger, type LogSink } from './logger.ts';
