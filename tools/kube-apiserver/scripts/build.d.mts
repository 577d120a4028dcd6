// Types of build.mjs (a plain script, so that `node scripts/build.mjs` runs without a TypeScript step).

/** This Go module's folder (tools/kube-apiserver). */
export declare const MODULE_DIR: string;
/** The commands built, by file name in the cache folder. */
export declare const COMMANDS: readonly string[];

/** Go is not installed (or not on PATH): the real server cannot be built on this machine. */
export declare class GoUnavailableError extends Error {}

/** `go build` failed or timed out; `logFile` has the whole output. */
export declare class KubeApiServerBuildError extends Error {
  readonly logFile: string;
}

/** The binaries of one build. */
export interface KubeApiServerBinaries {
  /** The cache folder holding them. */
  readonly dir: string;
  readonly kubeApiServer: string;
  readonly kubeControllerManager: string;
  readonly etcd: string;
  /** The Kubernetes version, e.g. `v1.28.15`. */
  readonly version: string;
  /** The etcd server module's version, e.g. `v3.5.9`. */
  readonly etcdVersion: string;
  /** True when the cache already had them. */
  readonly cached: boolean;
  /** Time spent in this call. */
  readonly seconds: number;
}

export interface BuildOptions {
  /** The Go module to build. Default {@link MODULE_DIR}. */
  moduleDir?: string;
  /** The cache's root. Default {@link cacheRoot}(). */
  root?: string;
  /** Gets one line when a build starts, or when this process waits for another one's build. */
  onProgress?: (line: string) => void;
}

/**
 * The binaries, from the cache or built now (a cold build takes many minutes). Throws
 * {@link GoUnavailableError} when Go is missing and {@link KubeApiServerBuildError} when the build fails.
 */
export declare function buildKubeApiServer(options?: BuildOptions): Promise<KubeApiServerBinaries>;

/** `$KIN_KUBE_APISERVER_CACHE`, else `${XDG_CACHE_HOME:-~/.cache}/kin/kube-apiserver`. */
export declare function cacheRoot(env?: NodeJS.ProcessEnv): string;

/** `<kubernetes version>-<hash of the module's sources and the build's flags>`. */
export declare function cacheKey(moduleDir?: string): Promise<string>;

/** The versions go.mod requires. */
export declare function moduleVersions(
  moduleDir?: string,
): Promise<{ kubernetes: string; etcd: string }>;
