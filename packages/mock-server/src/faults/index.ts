export { ConnectionCut } from "./actions.js";
export type { FaultInjector, FaultInjectorOptions, Faults } from "./injector.js";
export { createFaultInjector, describeFault } from "./injector.js";
export type { FaultMatcher, Fired, RequestFacts } from "./match.js";
export { globToRegExp, verbOfRequest } from "./match.js";
export type { Fault, FaultMatch, FaultPlan, FaultRule, NormalizedPlan } from "./plan.js";
export { FaultPlanError, normalizePlan } from "./plan.js";
