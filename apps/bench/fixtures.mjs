// @ts-check
/** Precomputed bodies the benchmark server serves: a ~2.5 KB pod, lists of them, watch events. */

export const NAMESPACE = "bench";
/** Namespaces that select a list size (`listNamespacedPod` takes a namespace, so the size goes there). */
export const LIST_SIZES = { small: 100, large: 5_000 };
/** Namespaces that select a watch length. */
export const WATCH_EVENTS = { warm: 1_000, bench: 50_000 };

/**
 * A realistic pod of about 2.5 KB: a Deployment's pod with labels, annotations, an owner, one
 * container with env, ports, resources and mounts, and a running status.
 * @param {number} i
 */
export function pod(i) {
  const name = `web-7d4b9c6f5-${String(i).padStart(5, "0")}`;
  return {
    kind: "Pod",
    apiVersion: "v1",
    metadata: {
      name,
      generateName: "web-7d4b9c6f5-",
      namespace: NAMESPACE,
      uid: `5f0c8a2e-1b7d-4c3a-9e21-${String(i).padStart(12, "0")}`,
      resourceVersion: String(100_000 + i),
      creationTimestamp: "2024-05-01T10:00:00Z",
      labels: {
        app: "web",
        "app.kubernetes.io/name": "web",
        "app.kubernetes.io/part-of": "shop",
        "pod-template-hash": "7d4b9c6f5",
      },
      annotations: {
        "prometheus.io/scrape": "true",
        "prometheus.io/port": "9090",
      },
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          name: "web-7d4b9c6f5",
          uid: "0a1b2c3d-4e5f-6789-abcd-ef0123456789",
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      containers: [
        {
          name: "web",
          image: "registry.example.com/shop/web:1.24.3",
          ports: [
            { name: "http", containerPort: 8080, protocol: "TCP" },
            { name: "metrics", containerPort: 9090, protocol: "TCP" },
          ],
          env: [
            { name: "LOG_LEVEL", value: "info" },
            { name: "DATABASE_HOST", value: "postgres.shop.svc.cluster.local" },
            {
              name: "POD_NAME",
              valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } },
            },
          ],
          resources: {
            limits: { cpu: "500m", memory: "256Mi" },
            requests: { cpu: "100m", memory: "128Mi" },
          },
          volumeMounts: [
            { name: "config", mountPath: "/etc/web", readOnly: true },
            {
              name: "kube-api-access-x7k2p",
              mountPath: "/var/run/secrets/kubernetes.io/serviceaccount",
              readOnly: true,
            },
          ],
          terminationMessagePath: "/dev/termination-log",
          terminationMessagePolicy: "File",
          imagePullPolicy: "IfNotPresent",
        },
      ],
      volumes: [
        { name: "config", configMap: { name: "web-config", defaultMode: 420 } },
        {
          name: "kube-api-access-x7k2p",
          projected: { sources: [{ serviceAccountToken: { path: "token" } }], defaultMode: 420 },
        },
      ],
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 30,
      dnsPolicy: "ClusterFirst",
      serviceAccountName: "web",
      nodeName: `node-${i % 7}.example.internal`,
      securityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 2000 },
      schedulerName: "default-scheduler",
    },
    status: {
      phase: "Running",
      conditions: [
        { type: "Ready", status: "True", lastTransitionTime: "2024-05-01T10:00:09Z" },
        { type: "PodScheduled", status: "True", lastTransitionTime: "2024-05-01T10:00:00Z" },
      ],
      hostIP: "10.0.3.17",
      podIP: `10.244.${i % 250}.${(i * 7) % 250}`,
      podIPs: [{ ip: `10.244.${i % 250}.${(i * 7) % 250}` }],
      startTime: "2024-05-01T10:00:00Z",
      containerStatuses: [
        {
          name: "web",
          state: { running: { startedAt: "2024-05-01T10:00:05Z" } },
          ready: true,
          restartCount: 0,
          image: "registry.example.com/shop/web:1.24.3",
          imageID:
            "registry.example.com/shop/web@sha256:4f2d8a1c9b7e6d5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f",
          started: true,
        },
      ],
      qosClass: "Burstable",
    },
  };
}

/** @param {number} count */
export function podList(count) {
  return {
    kind: "PodList",
    apiVersion: "v1",
    metadata: { resourceVersion: "200000" },
    items: Array.from({ length: count }, (_, i) => pod(i)),
  };
}
