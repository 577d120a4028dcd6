import { describe, expect, it } from "vitest";
import { setup } from "../../test/call.js";
import { AGGREGATED_V2BETA1 } from "./documents.js";

describe("discovery", () => {
  it("lists groups in the 1.28 order with preferred versions", async () => {
    const { call } = setup();
    const { json } = await call("GET", "/apis");
    expect(json.kind).toBe("APIGroupList");
    expect(json.groups[0].name).toBe("apiregistration.k8s.io");
    expect(json.groups[1].name).toBe("apps");
    const autoscaling = json.groups.find((g: any) => g.name === "autoscaling");
    expect(autoscaling.preferredVersion).toEqual({ groupVersion: "autoscaling/v2", version: "v2" });
    expect((await call("GET", "/apis/apps")).json).toMatchObject({
      kind: "APIGroup",
      apiVersion: "v1",
      name: "apps",
    });
  });

  it("serves group-version resource lists with subresources", async () => {
    const { call } = setup();
    const { json } = await call("GET", "/apis/apps/v1");
    expect(json).toMatchObject({
      kind: "APIResourceList",
      apiVersion: "v1",
      groupVersion: "apps/v1",
    });
    expect(json.resources.find((r: any) => r.name === "deployments/scale")).toEqual({
      name: "deployments/scale",
      singularName: "",
      namespaced: true,
      group: "autoscaling",
      version: "v1",
      kind: "Scale",
      verbs: ["get", "patch", "update"],
    });
    expect((await call("GET", "/apis/nope/v1")).status).toBe(404);
  });

  it("answers aggregated discovery (v2beta1) and falls back from v2", async () => {
    const { call } = setup();
    const agg = await call("GET", "/apis", undefined, {
      accept: `${AGGREGATED_V2BETA1},application/json`,
    });
    expect(agg.headers.get("content-type")).toBe(AGGREGATED_V2BETA1);
    expect(agg.json.kind).toBe("APIGroupDiscoveryList");
    const apps = agg.json.items.find((i: any) => i.metadata.name === "apps");
    const deployments = apps.versions[0].resources.find((r: any) => r.resource === "deployments");
    expect(deployments).toMatchObject({
      responseKind: { group: "apps", version: "v1", kind: "Deployment" },
      scope: "Namespaced",
      singularResource: "deployment",
      shortNames: ["deploy"],
    });
    const core = await call("GET", "/api", undefined, { accept: AGGREGATED_V2BETA1 });
    expect(core.json.items[0].versions[0].version).toBe("v1");
    const v2 = await call("GET", "/apis", undefined, {
      accept:
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json",
    });
    expect(v2.json.kind).toBe("APIGroupList");
    const onlyV2 = await call("GET", "/apis", undefined, {
      accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
    });
    expect(onlyV2.status).toBe(406);
  });

  it("serves /openapi/v2 and /openapi/v3 from the v1.28 spec", async () => {
    const { call } = setup();
    const v2 = await call("GET", "/openapi/v2");
    expect(v2.json.info.title).toBe("Kubernetes");
    expect(v2.json.definitions["io.k8s.api.core.v1.Pod"]).toBeDefined();
    const index = await call("GET", "/openapi/v3");
    const url = index.json.paths["apis/apps/v1"].serverRelativeURL;
    expect(url).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]+$/);
    const apps = await call("GET", url);
    expect(apps.json.components.schemas["io.k8s.api.apps.v1.Deployment"]).toBeDefined();
  });
});
