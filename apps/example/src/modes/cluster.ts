/** What the app asks of the API server, in each of the three modes. */
export interface Cluster {
  /** The namespace the app works in (POD_NAMESPACE, or the service account's). */
  readonly namespace: string;
  /** The API server's URL as this mode reaches it. */
  readonly server: string;
  // Every request takes the app's stop signal: a stop cancels it at once.
  /** `GET /api`: the core API versions (the docs' curl). */
  apiVersions(signal?: AbortSignal): Promise<string[]>;
  /** Who the server says the app is (SelfSubjectReview). */
  whoAmI(signal?: AbortSignal): Promise<Identity>;
  pods(signal?: AbortSignal): Promise<PodSummary[]>;
  /** The config maps now, and the resourceVersion to watch from. */
  configMaps(signal?: AbortSignal): Promise<{ resourceVersion: string; names: string[] }>;
  /**
   * Every change after `resourceVersion`, going on across dropped connections and server timeouts
   * until `signal` aborts. Throws an error with `code` 410 when the version is too old (list again).
   */
  watchConfigMaps(resourceVersion: string, signal: AbortSignal): AsyncIterable<ConfigMapEvent>;
  close(): Promise<void>;
}

export interface Identity {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export interface PodSummary {
  name: string;
  phase: string;
}

export interface ConfigMapEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  name: string;
  resourceVersion: string;
  /** The keys of `data` and `binaryData` (never the values). */
  keys: string[];
}

/** The pieces of objects the app reads, as every mode receives them. */
export interface ConfigMapLike {
  metadata?: { name?: string; resourceVersion?: string };
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

export function configMapEvent(
  type: ConfigMapEvent["type"],
  object: ConfigMapLike,
): ConfigMapEvent {
  return {
    type,
    name: object.metadata?.name ?? "",
    resourceVersion: object.metadata?.resourceVersion ?? "",
    keys: [...Object.keys(object.data ?? {}), ...Object.keys(object.binaryData ?? {})].sort(),
  };
}

export const SELF_SUBJECT_REVIEW = {
  apiVersion: "authentication.k8s.io/v1",
  kind: "SelfSubjectReview",
} as const;

export function identityOf(review: {
  status?: {
    userInfo?: {
      username?: string;
      uid?: string;
      groups?: string[];
      extra?: Record<string, string[]>;
    };
  };
}): Identity {
  const user = review.status?.userInfo ?? {};
  return {
    username: user.username ?? "",
    groups: user.groups ?? [],
    ...(user.uid ? { uid: user.uid } : {}),
    ...(user.extra ? { extra: user.extra } : {}),
  };
}
