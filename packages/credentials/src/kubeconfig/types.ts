// The kubeconfig file format (k8s.io/client-go/tools/clientcmd/api/v1), the fields kin reads.

export interface ExecEnvVar {
  name: string;
  value: string;
}

/** `users[].user.exec`: an exec credential plugin. */
export interface ExecConfig {
  apiVersion: string;
  command: string;
  args?: string[];
  env?: ExecEnvVar[] | null;
  installHint?: string;
  provideClusterInfo?: boolean;
  interactiveMode?: "Never" | "IfAvailable" | "Always";
}

export interface KubeconfigCluster {
  server?: string;
  "certificate-authority"?: string;
  "certificate-authority-data"?: string;
  "insecure-skip-tls-verify"?: boolean;
  "tls-server-name"?: string;
  "proxy-url"?: string;
  extensions?: { name: string; extension: unknown }[];
}

export interface KubeconfigUser {
  token?: string;
  tokenFile?: string;
  "client-certificate"?: string;
  "client-certificate-data"?: string;
  "client-key"?: string;
  "client-key-data"?: string;
  username?: string;
  password?: string;
  exec?: ExecConfig;
  "auth-provider"?: unknown;
  as?: string;
  "as-uid"?: string;
  "as-groups"?: string[];
  "as-user-extra"?: unknown;
}

export interface KubeconfigContext {
  cluster?: string;
  user?: string;
  namespace?: string;
}

/** One named entry, remembering the file it came from (relative paths resolve against its folder). */
export interface Named<T> {
  readonly name: string;
  readonly value: T;
  readonly file: string;
}

/** Several kubeconfig files merged by kubectl's rules. */
export interface MergedKubeconfig {
  readonly files: readonly string[];
  readonly currentContext: string | undefined;
  readonly clusters: ReadonlyMap<string, Named<KubeconfigCluster>>;
  readonly users: ReadonlyMap<string, Named<KubeconfigUser>>;
  readonly contexts: ReadonlyMap<string, Named<KubeconfigContext>>;
}
