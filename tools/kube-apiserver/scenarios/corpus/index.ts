import type { Scenario } from "../scenario.js";
import { crud } from "./crud.js";
import { discovery } from "./discovery.js";
import { queryParameters } from "./queryParameters.js";
import { rbac } from "./rbac.js";
import { watches } from "./watches.js";
import { writes } from "./writes.js";

/** Every scenario, in the order of the table. */
export const corpus: readonly Scenario[] = [
  ...queryParameters,
  ...crud,
  ...writes,
  ...rbac,
  ...watches,
  ...discovery,
];
