// What a client learns about the server: /version, /api, legacy and aggregated discovery.
import { outcome } from "../observe.js";
import type { Scenario } from "../scenario.js";

const AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

export const discovery: Scenario[] = [
  {
    name: "discovery documents",
    async run({ call, observe }) {
      const version = await call("GET", "/version");
      observe("/version", {
        major: version.json?.major,
        minor: version.json?.minor,
        gitVersion: /^v1\.28\.\d+$/.test(version.json?.gitVersion)
          ? "v1.28.x"
          : version.json?.gitVersion,
        keys: Object.keys(version.json ?? {}).sort(),
      });
      const api = await call("GET", "/api");
      observe("/api", {
        kind: api.json?.kind,
        versions: api.json?.versions,
        serverAddressByClientCIDRs: api.json?.serverAddressByClientCIDRs?.map(
          (entry: { clientCIDR: string }) => entry.clientCIDR,
        ),
      });
      const apis = await call("GET", "/apis");
      observe(
        "/apis groups",
        apis.json?.groups?.map((g: any) => `${g.name} ${g.preferredVersion?.version}`),
      );
      const core = await call("GET", "/api/v1");
      observe(
        "/api/v1 resources",
        core.json?.resources?.map((r: any) => `${r.name} ${r.verbs?.join(",")}`),
      );
      const apps = await call("GET", "/apis/apps/v1");
      observe(
        "/apis/apps/v1 resources",
        apps.json?.resources?.map((r: any) => `${r.name} ${r.shortNames?.join(",") ?? ""}`),
      );
      const aggregated = await call("GET", "/apis", { headers: { accept: AGGREGATED } });
      observe("/apis aggregated", {
        code: aggregated.status,
        contentType: aggregated.headers["content-type"],
        kind: aggregated.json?.kind,
        groups: aggregated.json?.items?.map((g: any) => g.metadata?.name),
      });
      const aggregatedCore = await call("GET", "/api", { headers: { accept: AGGREGATED } });
      observe("/api aggregated", {
        code: aggregatedCore.status,
        contentType: aggregatedCore.headers["content-type"],
        versions: aggregatedCore.json?.items?.[0]?.versions?.map((v: any) => v.version),
        firstResources: aggregatedCore.json?.items?.[0]?.versions?.[0]?.resources
          ?.slice(0, 5)
          .map((r: any) => `${r.resource} ${r.scope} ${r.responseKind?.kind}`),
      });
      observe(
        "v2 (unknown to 1.28) only",
        outcome(
          await call("GET", "/apis", {
            headers: {
              accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
            },
          }),
        ),
      );
      observe("an unknown group version", outcome(await call("GET", "/apis/apps/v9")));
    },
  },
];
