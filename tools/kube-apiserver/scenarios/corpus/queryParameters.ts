// How the servers read query parameters that real clients send differently: the Python client's
// `watch=True`, `watch=1`, `limit=0`, malformed values.
import { listShape, outcome, watchEvents } from "../observe.js";
import type { Scenario } from "../scenario.js";

const configMap = (name: string) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name },
  data: { key: "value" },
});

export const queryParameters: Scenario[] = [
  {
    name: "watch= values (True, 1, true, false, 0, yes, empty)",
    async run({ call, namespace, observe }) {
      const base = `/api/v1/namespaces/${namespace}/configmaps`;
      await call("POST", base, { body: configMap("one") });
      for (const value of ["True", "1", "true", "TRUE", "t", "false", "0", "False", "yes", ""]) {
        // A bounded watch (timeoutSeconds) ends by itself: its body is the events; a list is one object.
        const answer = await call("GET", `${base}?watch=${value}&timeoutSeconds=1`);
        observe(
          `?watch=${value}`,
          answer.json?.kind === "ConfigMapList" ? listShape(answer.json) : watchEvents(answer),
        );
      }
    },
  },
  {
    name: "limit=0, negative and malformed limits",
    async run({ call, namespace, observe }) {
      const base = `/api/v1/namespaces/${namespace}/configmaps`;
      for (const name of ["a", "b", "c"]) await call("POST", base, { body: configMap(name) });
      for (const query of [
        "limit=0",
        "limit=2",
        "limit=-1",
        "limit=abc",
        "limit=2&resourceVersion=0",
      ]) {
        const answer = await call("GET", `${base}?${query}`);
        observe(`?${query}`, answer.status === 200 ? listShape(answer.json) : outcome(answer));
      }
    },
  },
  {
    name: "malformed selectors and resourceVersions",
    async run({ call, namespace, observe }) {
      const base = `/api/v1/namespaces/${namespace}/configmaps`;
      for (const query of [
        "labelSelector=a%3D%3D",
        "labelSelector=a%20in%20(x",
        "fieldSelector=spec.foo%3Dbar",
        "fieldSelector=metadata.name%3Dx",
        "resourceVersion=abc",
        "resourceVersion=999999999",
        "resourceVersion=1&resourceVersionMatch=Exact",
        "resourceVersionMatch=NotOlderThan",
        "timeoutSeconds=abc&watch=true",
      ]) {
        const answer = await call("GET", `${base}?${query}`);
        observe(
          `?${query}`,
          answer.status === 200 ? listShape(answer.json) : outcome(answer, { maskNumbers: true }),
        );
      }
    },
  },
];
