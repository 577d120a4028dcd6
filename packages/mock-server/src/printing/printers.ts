// The printers of server-side printing: the columns of pkg/printers/internalversion/printers.go for
// common kinds, the DefaultTableConvertor's Name / Created At for the others, additionalPrinterColumns
// for custom resources (apiextensions-apiserver's tableconvertor).
import type { Served } from "../discovery/catalogue.js";

export interface Column {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

type Cell = string | number | boolean | null;
/** An object as the printers read it: any field may be missing. */
export type Obj = Record<string, any>;

/** duration.HumanDuration (apimachinery/pkg/util/duration). */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return "<invalid>";
  if (s < 0) return "0s";
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (h < 24 * 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${d}d`;
  const y = Math.floor(d / 365);
  if (h < 24 * 365 * 8) return d % 365 === 0 ? `${y}y` : `${y}y${d % 365}d`;
  return `${y}y`;
}

const age = (o: Obj): string => {
  const ts = o.metadata?.creationTimestamp;
  return ts ? humanDuration(Date.now() - Date.parse(ts)) : "<unknown>";
};

const col = (
  name: string,
  type: string,
  description: string,
  priority = 0,
  format = "",
): Column => ({
  name,
  type,
  format,
  description,
  priority,
});

const NAME = col(
  "Name",
  "string",
  "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
  0,
  "name",
);
const AGE = col(
  "Age",
  "string",
  "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
);
const none = (v: unknown) => (v === undefined || v === null || v === "" ? "<none>" : String(v));

function podReason(p: Obj): string {
  let reason: string = p.status?.reason || p.status?.phase || "";
  for (const c of p.status?.containerStatuses ?? []) {
    if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
    else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
  }
  if (p.metadata?.deletionTimestamp)
    reason = p.status?.reason === "NodeLost" ? "Unknown" : "Terminating";
  return reason;
}

export interface Printer {
  columns: Column[];
  cells(o: Obj): Cell[];
}

const selectorString = (s: Obj | undefined) =>
  s?.matchLabels || s?.matchExpressions
    ? Object.entries(s.matchLabels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(",") || "<none>"
    : "<none>";
const containerNames = (spec: Obj | undefined) =>
  (spec?.containers ?? []).map((c: Obj) => c.name).join(",");
const images = (spec: Obj | undefined) =>
  (spec?.containers ?? []).map((c: Obj) => c.image).join(",");

const PRINTERS: Record<string, Printer> = {
  "/Pod": {
    columns: [
      NAME,
      col("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
      col("Status", "string", "The aggregate status of the containers in this pod."),
      col(
        "Restarts",
        "string",
        "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
      ),
      AGE,
      col("IP", "string", "podIP address allocated to the pod.", 1),
      col("Node", "string", "NodeName is a request to schedule this pod onto a specific node.", 1),
      col(
        "Nominated Node",
        "string",
        "nominatedNodeName is set only when this pod preempts other pods on the node.",
        1,
      ),
      col(
        "Readiness Gates",
        "string",
        "If specified, all readiness gates will be evaluated for pod readiness.",
        1,
      ),
    ],
    cells(p) {
      const statuses: Obj[] = p.status?.containerStatuses ?? [];
      const total = (p.spec?.containers ?? []).length;
      const ready = statuses.filter((c) => c.ready).length;
      const restarts = statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0);
      const gates: Obj[] = p.spec?.readinessGates ?? [];
      return [
        p.metadata?.name,
        `${ready}/${total}`,
        podReason(p),
        String(restarts),
        age(p),
        none(p.status?.podIP),
        none(p.spec?.nodeName),
        none(p.status?.nominatedNodeName),
        gates.length === 0 ? "<none>" : `0/${gates.length}`,
      ];
    },
  },
  "/Namespace": {
    columns: [NAME, col("Status", "string", "The status of the namespace"), AGE],
    cells: (n) => [n.metadata?.name, n.status?.phase ?? "", age(n)],
  },
  "/ConfigMap": {
    columns: [NAME, col("Data", "string", "Data contains the configuration data."), AGE],
    cells: (c) => [
      c.metadata?.name,
      Object.keys(c.data ?? {}).length + Object.keys(c.binaryData ?? {}).length,
      age(c),
    ],
  },
  "/Secret": {
    columns: [
      NAME,
      col("Type", "string", "Used to facilitate programmatic handling of secret data."),
      col("Data", "string", "Data contains the secret data."),
      AGE,
    ],
    cells: (s) => [
      s.metadata?.name,
      s.type ?? "Opaque",
      Object.keys(s.data ?? {}).length + Object.keys(s.stringData ?? {}).length,
      age(s),
    ],
  },
  "/Service": {
    columns: [
      NAME,
      col("Type", "string", "The type of the service."),
      col("Cluster-IP", "string", "The cluster ip of the service."),
      col("External-IP", "string", "The external ip of the service."),
      col("Port(s)", "string", "The ports of the service."),
      AGE,
      col(
        "Selector",
        "string",
        "Route service traffic to pods with label keys and values matching this selector.",
        1,
      ),
    ],
    cells(s) {
      const type = s.spec?.type ?? "ClusterIP";
      const ports = (s.spec?.ports ?? [])
        .map((p: Obj) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ""}/${p.protocol ?? "TCP"}`)
        .join(",");
      const external =
        (s.spec?.externalIPs ?? []).join(",") ||
        (type === "ExternalName" ? s.spec?.externalName : "");
      return [
        s.metadata?.name,
        type,
        none(s.spec?.clusterIP),
        none(external),
        ports || "<none>",
        age(s),
        Object.entries(s.spec?.selector ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(",") || "<none>",
      ];
    },
  },
  "apps/Deployment": {
    columns: [
      NAME,
      col("Ready", "string", "Number of the pod with ready state"),
      col(
        "Up-to-date",
        "string",
        "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
      ),
      col(
        "Available",
        "string",
        "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
      ),
      AGE,
      col("Containers", "string", "Names of each container in the template.", 1),
      col("Images", "string", "Images referenced by each container in the template.", 1),
      col(
        "Selector",
        "string",
        "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.",
        1,
      ),
    ],
    cells: (d) => [
      d.metadata?.name,
      `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
      d.status?.updatedReplicas ?? 0,
      d.status?.availableReplicas ?? 0,
      age(d),
      containerNames(d.spec?.template?.spec),
      images(d.spec?.template?.spec),
      selectorString(d.spec?.selector),
    ],
  },
  "apps/ReplicaSet": {
    columns: [
      NAME,
      col("Desired", "integer", "Number of desired pods."),
      col("Current", "integer", "Number of actual replicas."),
      col("Ready", "integer", "Number of ready replicas."),
      AGE,
      col("Containers", "string", "Names of each container in the template.", 1),
      col("Images", "string", "Images referenced by each container in the template.", 1),
      col("Selector", "string", "Label selector for pods.", 1),
    ],
    cells: (r) => [
      r.metadata?.name,
      r.spec?.replicas ?? 0,
      r.status?.replicas ?? 0,
      r.status?.readyReplicas ?? 0,
      age(r),
      containerNames(r.spec?.template?.spec),
      images(r.spec?.template?.spec),
      selectorString(r.spec?.selector),
    ],
  },
};

/** DefaultTableConvertor (apiserver/pkg/registry/rest/table.go): Name and Created At. */
const DEFAULT: Printer = {
  columns: [
    NAME,
    col(
      "Created At",
      "date",
      "CreationTimestamp is a timestamp representing the server time when this object was created.",
    ),
  ],
  cells: (o) => [o.metadata?.name, o.metadata?.creationTimestamp ?? null],
};

/** A simple JSONPath (`.spec.replicas`, `.status.conditions[0].type`) as additionalPrinterColumns use. */
function jsonPath(o: unknown, path: string): unknown {
  let v: any = o;
  for (const part of path
    .replace(/^\./, "")
    .split(/\.|(?=\[)/)
    .filter(Boolean)) {
    if (v === undefined || v === null) return undefined;
    const index = /^\[(\d+)\]$/.exec(part);
    v = index ? v[Number(index[1])] : v[part];
  }
  return v;
}

function customPrinter(served: Served, crd: Obj | undefined): Printer {
  const version = (crd?.spec?.versions ?? []).find(
    (v: Obj) => v.name === served.descriptor.version,
  );
  const columns: Obj[] = version?.additionalPrinterColumns ?? [
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ];
  return {
    columns: [
      NAME,
      ...columns.map((c) =>
        col(c.name, c.type, c.description ?? "", c.priority ?? 0, c.format ?? ""),
      ),
    ],
    cells: (o) => [
      o.metadata?.name,
      ...columns.map((c): Cell => {
        const v = jsonPath(o, c.jsonPath);
        if (v === undefined || v === null) return null;
        if (c.type === "date" && typeof v === "string")
          return humanDuration(Date.now() - Date.parse(v));
        return typeof v === "object" ? JSON.stringify(v) : (v as Cell);
      }),
    ],
  };
}

export function printerFor(served: Served, crd?: Obj): Printer {
  if (served.custom) return customPrinter(served, crd);
  const d = served.descriptor;
  return PRINTERS[`${d.group}/${d.kind}`] ?? DEFAULT;
}
