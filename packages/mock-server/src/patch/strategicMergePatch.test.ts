import { describe, expect, it } from "vitest";
import { PatchError } from "./patchError.js";
import {
  applyStrategicMergePatch,
  strategicMergeUnsupportedError,
  supportsStrategicMerge,
} from "./strategicMergePatch.js";

const DEPLOYMENT = "io.k8s.api.apps.v1.Deployment";
const SERVICE = "io.k8s.api.core.v1.Service";

interface Container {
  name: string;
  image?: string;
  env?: { name: string; value?: string }[];
  ports?: { containerPort: number; protocol?: string; name?: string }[];
}
interface Deployment {
  metadata: { name: string; labels?: Record<string, string>; finalizers?: string[] };
  spec: {
    replicas?: number;
    strategy?: Record<string, unknown>;
    template: { spec: { containers: Container[]; volumes?: Record<string, unknown>[] } };
  };
}

const live = (): Deployment => ({
  metadata: { name: "web", labels: { app: "web" }, finalizers: ["example.com/a"] },
  spec: {
    replicas: 2,
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    template: {
      spec: {
        containers: [
          {
            name: "web",
            image: "nginx:1.25",
            env: [
              { name: "A", value: "1" },
              { name: "B", value: "2" },
            ],
            ports: [{ containerPort: 80, protocol: "TCP" }],
          },
          { name: "log", image: "fluent-bit:2" },
        ],
      },
    },
  },
});

const patch = (p: unknown) => applyStrategicMergePatch(live(), p, DEPLOYMENT) as Deployment;
const containers = (d: Deployment) => d.spec.template.spec.containers;

function error(fn: () => unknown): PatchError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PatchError) return e;
    throw e;
  }
  throw new Error("expected a PatchError");
}

describe("applyStrategicMergePatch", () => {
  it("merges containers by name and env by name, keeping the others", () => {
    const out = patch({
      spec: {
        template: {
          spec: {
            containers: [{ name: "web", image: "nginx:1.26", env: [{ name: "B", value: "3" }] }],
          },
        },
      },
    });
    expect(containers(out).map((c) => c.name)).toEqual(["web", "log"]);
    expect(containers(out)[0]?.image).toBe("nginx:1.26");
    expect(containers(out)[0]?.env).toEqual([
      { name: "A", value: "1" },
      { name: "B", value: "3" },
    ]);
    expect(containers(out)[0]?.ports).toEqual([{ containerPort: 80, protocol: "TCP" }]);
  });

  it("puts new items before the live items that follow them, as the server does", () => {
    const out = patch({
      spec: { template: { spec: { containers: [{ name: "sidecar", image: "envoy" }] } } },
    });
    expect(containers(out).map((c) => c.name)).toEqual(["sidecar", "web", "log"]);
    const ports = patch({
      spec: {
        template: { spec: { containers: [{ name: "web", ports: [{ containerPort: 443 }] }] } },
      },
    });
    expect(containers(ports)[0]?.ports).toEqual([
      { containerPort: 443 },
      { containerPort: 80, protocol: "TCP" },
    ]);
  });

  it("orders items as $setElementOrder lists them", () => {
    const out = patch({
      spec: {
        template: {
          spec: {
            "$setElementOrder/containers": [{ name: "log" }, { name: "web" }, { name: "sidecar" }],
            containers: [{ name: "sidecar", image: "envoy" }],
          },
        },
      },
    });
    expect(containers(out).map((c) => c.name)).toEqual(["log", "web", "sidecar"]);
  });

  it("deletes a list item with $patch: delete and a key with null", () => {
    const out = patch({
      metadata: { labels: { app: null, tier: "frontend" } },
      spec: {
        replicas: null,
        template: {
          spec: {
            containers: [
              { name: "log", $patch: "delete" },
              { name: "web", env: [{ name: "A", $patch: "delete" }] },
            ],
          },
        },
      },
    });
    expect(out.metadata.labels).toEqual({ tier: "frontend" });
    expect(out.spec.replicas).toBeUndefined();
    expect(containers(out).map((c) => c.name)).toEqual(["web"]);
    expect(containers(out)[0]?.env).toEqual([{ name: "B", value: "2" }]);
  });

  it("replaces a list with a $patch: replace item, and a map with $patch: replace", () => {
    const out = patch({
      metadata: { labels: { $patch: "replace", team: "a" } },
      spec: {
        template: {
          spec: { containers: [{ $patch: "replace" }, { name: "only", image: "busybox" }] },
        },
      },
    });
    expect(out.metadata.labels).toEqual({ team: "a" });
    expect(containers(out)).toEqual([{ name: "only", image: "busybox" }]);
    expect(patch({ spec: { strategy: { $patch: "delete" } } }).spec.strategy).toEqual({});
  });

  it("merges finalizers as a set and removes with $deleteFromPrimitiveList", () => {
    expect(
      patch({ metadata: { finalizers: ["example.com/b", "example.com/a"] } }).metadata.finalizers,
    ).toEqual(["example.com/b", "example.com/a"]);
    const out = patch({ metadata: { "$deleteFromPrimitiveList/finalizers": ["example.com/a"] } });
    expect(out.metadata.finalizers).toEqual([]);
    expect(Object.keys(out.metadata)).not.toContain("$deleteFromPrimitiveList/finalizers");
  });

  it("clears keys not listed in $retainKeys (Deployment strategy)", () => {
    const out = patch({ spec: { strategy: { $retainKeys: ["type"], type: "Recreate" } } });
    expect(out.spec.strategy).toEqual({ type: "Recreate" });
    const e = error(() =>
      patch({ spec: { strategy: { $retainKeys: ["type"], rollingUpdate: {} } } }),
    );
    expect(e.code).toBe(422);
    expect(error(() => patch({ spec: { strategy: { $retainKeys: "type" } } })).message).toBe(
      "invalid patch format of retainKeys",
    );
  });

  it("replaces lists without a merge strategy (tolerations) whole", () => {
    const withTolerations = {
      spec: { template: { spec: { containers: [], tolerations: [{ key: "a" }, { key: "b" }] } } },
    };
    const out = applyStrategicMergePatch(
      withTolerations,
      { spec: { template: { spec: { tolerations: [{ key: "c" }] } } } },
      DEPLOYMENT,
    );
    expect(out).toEqual({
      spec: { template: { spec: { containers: [], tolerations: [{ key: "c" }] } } },
    });
  });

  it("merges Service ports by port", () => {
    const svc = {
      spec: {
        selector: { app: "web" },
        ports: [
          { name: "http", port: 80, targetPort: 8080 },
          { name: "https", port: 443, targetPort: 8443 },
        ],
      },
    };
    const out = applyStrategicMergePatch(
      svc,
      { spec: { ports: [{ port: 80, targetPort: 9090 }] } },
      SERVICE,
    );
    expect(out).toEqual({
      spec: {
        selector: { app: "web" },
        ports: [
          { name: "http", port: 80, targetPort: 9090 },
          { name: "https", port: 443, targetPort: 8443 },
        ],
      },
    });
  });

  it("refuses malformed directives", () => {
    expect(
      error(() => patch({ metadata: { "$deleteFromPrimitiveList/finalizers": "a" } })).code,
    ).toBe(400);
    expect(
      error(() => patch({ spec: { template: { spec: { "$setElementOrder/containers": {} } } } }))
        .code,
    ).toBe(400);
    expect(error(() => patch({ metadata: { labels: { $patch: "bogus" } } })).message).toContain(
      "unknown patch type: bogus",
    );
    expect(
      error(() => patch({ spec: { template: { spec: { containers: [{ image: "no-name" }] } } } }))
        .message,
    ).toContain("does not contain declared merge key: name");
  });

  it("falls back to merge-patch semantics for custom resources", () => {
    expect(supportsStrategicMerge(DEPLOYMENT)).toBe(true);
    expect(supportsStrategicMerge("com.example.v1.Widget")).toBe(false);
    const out = applyStrategicMergePatch(
      { spec: { items: [{ name: "a" }, { name: "b" }], size: 1 } },
      { spec: { items: [{ name: "c" }], size: null } },
      "com.example.v1.Widget",
    );
    expect(out).toEqual({ spec: { items: [{ name: "c" }] } });
    const e = strategicMergeUnsupportedError();
    expect([e.code, e.reason]).toEqual([415, "UnsupportedMediaType"]);
  });
});
