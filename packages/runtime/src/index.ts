export type { BackoffOptions } from "./backoff.js";
export { DEFAULT_BACKOFF } from "./backoff.js";
export type {
  Controller,
  ControllerOptions,
  ReconcileContext,
  ReconcileResult,
} from "./controller.js";
export { createController } from "./controller.js";
export type { LeadershipLostReason } from "./errors.js";
export { InvalidStateError, LeadershipLostError } from "./errors.js";
export type { EventDetails, EventRecorder, EventRecorderOptions } from "./eventRecorder.js";
export { createEventRecorder } from "./eventRecorder.js";
export { addFinalizer, hasFinalizer, removeFinalizer } from "./finalizers.js";
export type { EventHandler, HandlerOptions, HandlerRegistration } from "./handlers.js";
export { byLabel, byNamespace, byNode, byOwner } from "./indexers.js";
export type { Informer, InformerOptions, InformerStats } from "./informer.js";
export { createInformer } from "./informer.js";
export type {
  InformerFactory,
  InformerFactoryOptions,
  InformerSelection,
} from "./informerFactory.js";
export { createInformerFactory } from "./informerFactory.js";
export { objectKey, splitKey } from "./keys.js";
export type { LeaderElectionOptions, LeaderElector } from "./leaderElection.js";
export { createLeaderElector } from "./leaderElection.js";
export type { OwnerKeysOptions } from "./owners.js";
export { ownerKeys, ownerReference } from "./owners.js";
export type { RateLimiter } from "./rateLimiter.js";
export {
  bucketRateLimiter,
  defaultControllerRateLimiter,
  itemExponentialRateLimiter,
  maxOfRateLimiter,
} from "./rateLimiter.js";
export type { IndexFunc, MutableStore, Store, StoreOptions } from "./store.js";
export { createStore } from "./store.js";
export { DeletedFinalStateUnknown, finalStateOf } from "./tombstone.js";
export { stripManagedFields } from "./transforms.js";
export type { Histogram, WorkQueue, WorkQueueMetrics, WorkQueueOptions } from "./workQueue.js";
export { createWorkQueue, HISTOGRAM_BOUNDS } from "./workQueue.js";
