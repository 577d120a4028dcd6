import type { ConfigMap, Pod } from "@kin/client";
import { describe, expect, it } from "vitest";
import { byLabel, byNamespace, byNode, byOwner } from "./indexers.js";
import { createStore } from "./store.js";

const pod = (namespace: string, name: string, extra: Partial<Pod> = {}): Pod => ({
  metadata: { namespace, name, ...extra.metadata },
  ...(extra.spec ? { spec: extra.spec } : {}),
});

describe("createStore", () => {
  it("keeps objects by key, indexes them, and keeps the indexes right through changes", () => {
    const store = createStore<Pod>({ indexers: { namespace: byNamespace, node: byNode } });
    store.set("a/x", pod("a", "x", { spec: { nodeName: "n1", containers: [] } }));
    store.set("b/y", pod("b", "y", { spec: { nodeName: "n1", containers: [] } }));
    store.set("b/z", pod("b", "z"));
    expect(store.size).toBe(3);
    expect(
      store
        .byIndex("namespace", "b")
        .map((p) => p.metadata?.name)
        .sort(),
    ).toEqual(["y", "z"]);
    expect(store.indexKeys("node", "n1").sort()).toEqual(["a/x", "b/y"]);
    store.set("b/y", pod("b", "y", { spec: { nodeName: "n2", containers: [] } }));
    expect(store.indexKeys("node", "n1")).toEqual(["a/x"]);
    expect(store.indexValues("node").sort()).toEqual(["n1", "n2"]);
    store.delete("a/x");
    expect(store.indexValues("node")).toEqual(["n2"]);
    expect(store.has("a/x")).toBe(false);
    store.replace(new Map([["c/w", pod("c", "w")]]));
    expect(store.keys()).toEqual(["c/w"]);
    expect(store.indexValues("node")).toEqual([]);
    expect(store.byIndex("namespace", "c")).toHaveLength(1);
  });

  it("freezes what it holds, and lists are fresh arrays", () => {
    const store = createStore<ConfigMap>();
    const map: ConfigMap = { metadata: { name: "m", labels: { a: "1" } }, data: { k: "v" } };
    store.set("m", map);
    expect(() => {
      (store.get("m")?.metadata?.labels as Record<string, string>).a = "2";
    }).toThrow(TypeError);
    const list = store.list();
    list.pop();
    expect(store.list()).toHaveLength(1);
  });

  it("the reader cannot write, and unknown indexes are refused by name", () => {
    const store = createStore<ConfigMap>();
    expect("set" in store.reader).toBe(false);
    expect(Object.isFrozen(store.reader)).toBe(true);
    expect(() => store.byIndex("owner", "x")).toThrow(/no index named "owner"/);
  });

  it("adds indexes later, indexing what is there; a name cannot be taken twice", () => {
    const store = createStore<ConfigMap>();
    store.set("a/m", { metadata: { namespace: "a", name: "m", labels: { app: "web" } } });
    const app = byLabel("app");
    store.addIndexers({ app });
    store.addIndexers({ app }); // the same function again: nothing to do
    expect(store.indexKeys("app", "web")).toEqual(["a/m"]);
    expect(() => store.addIndexers({ app: byLabel("tier") })).toThrow(/already exists/);
  });

  it("indexes by owner uid, all owners or the controller only", () => {
    const owned: ConfigMap = {
      metadata: {
        name: "m",
        ownerReferences: [
          { apiVersion: "apps/v1", kind: "Deployment", name: "d", uid: "u1", controller: true },
          { apiVersion: "v1", kind: "Pod", name: "p", uid: "u2" },
        ],
      },
    };
    expect(byOwner()(owned)).toEqual(["u1", "u2"]);
    expect(byOwner({ controllerOnly: true })(owned)).toEqual(["u1"]);
    expect(byLabel("x")(owned)).toEqual([]);
    expect(byNamespace(owned)).toEqual([""]);
  });
});
