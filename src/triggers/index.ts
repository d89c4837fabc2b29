/**
 * Triggers: definitions and presets, sources (webhook listener, Events-API and object pollers),
 * the endpoint lifecycle, sinks and the dispatcher. Durable state lives behind the ports.
 */
export type { Checkpoints, Delivery, DeliveryQueue, Inbox, InboxEvent } from './ports.ts';
export { parseTrigger, triggerSchema, type TriggerDefinition, type TriggerInput } from './definition.ts';
export { fromPreset, PRESETS, CHARGE_ADDED_BY_OBJECTS, type PresetName } from './presets.ts';
export { parseFields, project, type FieldMap } from './project.ts';
export { checkEventTypes, knownEventTypes } from './event-types.ts';
export { deliveryId } from './delivery-id.ts';
export { pollEvents, type EventsCheckpoint, type EventsPoller, type PollResult } from './sources/events.ts';
export { pollObjects, listByCreated, type ObjectsCheckpoint, type ObjectsPoller } from './sources/objects.ts';
export { retentionNotice, EVENT_RETENTION_S, type RetentionNotice } from './sources/retention.ts';
export { verifyWebhook, WebhookSignatureError, SIGNATURE_TOLERANCE_S } from './sources/webhook.ts';
export { listenWebhooks, type ListenerOptions, type WebhookListener } from './sources/listener.ts';
export { routeEvent, type Routable } from './sources/route.ts';
export { eventFilters, matchesType, MAX_TYPES_PER_CALL } from './sources/event-filter.ts';
export {
  ensureEndpoint,
  listEndpoints,
  MAX_ENDPOINTS,
  type EndpointSpec,
  type EnsureResult,
} from './endpoint.ts';
export { createSink, type Sink, type SinkMessage, type SinkOutcome } from './sinks/index.ts';
export { Dispatcher, type DispatchTrigger, type DispatcherOptions, type DispatchNotice } from './dispatch.ts';
export { backoffDelay, parseRetryAfter } from './backoff.ts';
export { decide, type RetryPolicy, type Decision } from './decide.ts';
export { TokenBucket } from './rate.ts';
export type { Atomic } from './ports.ts';
export {
  TriggerService,
  defineTrigger,
  deliveryView,
  type DeliveryPage,
  type DeliveryView,
  type TriggerRecord,
  type TriggerStatus,
} from './service.ts';
export { runTriggers, triggerServices, type RunOptions } from './runner.ts';
export {
  triggerSupervisor,
  type LogLevel,
  type SupervisorOptions,
  type TriggerSupervisor,
  type WebhookTarget,
} from './supervisor.ts';
export { storePorts, type StorePorts, type StorePortsOptions } from './store/ports.ts';
export { GroupCommit } from './store/group-commit.ts';
export { newWorkerId, isDeadLocalWorker } from './store/workers.ts';
export { recoverDeadWorkers } from './store/recover.ts';
export { clientView, type ClientLimits } from './client-rules.ts';
export {
  saveDestinations,
  loadDestinations,
  type Destinations,
  type StoredDestination,
} from './destinations.ts';
