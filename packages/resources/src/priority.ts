/**
 * The order kube-apiserver 1.28 lists its built-in groups in (`GET /apis`, from kube-aggregator's
 * `apiVersionPriorities` in pkg/controlplane/aggregator.go), the core group first. It is also their
 * priority: kubectl resolves a name two groups serve to the one listed first. Custom groups come after.
 */
export const builtinGroupOrder: readonly string[] = [
  "",
  "apiregistration.k8s.io",
  "apps",
  "events.k8s.io",
  "authentication.k8s.io",
  "authorization.k8s.io",
  "autoscaling",
  "batch",
  "certificates.k8s.io",
  "networking.k8s.io",
  "policy",
  "rbac.authorization.k8s.io",
  "storage.k8s.io",
  "admissionregistration.k8s.io",
  "apiextensions.k8s.io",
  "scheduling.k8s.io",
  "coordination.k8s.io",
  "node.k8s.io",
  "discovery.k8s.io",
  "flowcontrol.apiserver.k8s.io",
  "internal.apiserver.k8s.io",
  "resource.k8s.io",
];

/**
 * Kubernetes' version priority (`version.CompareKubeAwareVersionStrings`): GA before beta before
 * alpha, higher numbers first; versions not of that form last, by name. Negative when `a` comes first.
 */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [0, 0, 0] as const;
    const stage = m[2] === undefined ? 3 : m[2] === "beta" ? 2 : 1;
    return [stage, Number(m[1]), Number(m[3] ?? 0)] as const;
  };
  const [sa, ma, na] = parse(a);
  const [sb, mb, nb] = parse(b);
  if (sa === 0 && sb === 0) return a < b ? -1 : a > b ? 1 : 0;
  return sb - sa || mb - ma || nb - na;
}
