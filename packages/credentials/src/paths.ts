/** Where the kubelet mounts a pod's service-account credentials. */
export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
/** The bearer token file inside {@link SERVICE_ACCOUNT_DIR}. */
export const SERVICE_ACCOUNT_TOKEN_FILE = "token";
/** The cluster CA bundle inside {@link SERVICE_ACCOUNT_DIR}. */
export const SERVICE_ACCOUNT_CA_FILE = "ca.crt";
/** The pod's namespace inside {@link SERVICE_ACCOUNT_DIR}. */
export const SERVICE_ACCOUNT_NAMESPACE_FILE = "namespace";
/** Environment variables the kubelet sets for the `kubernetes` service in every pod. */
export const SERVICE_HOST_ENV = "KUBERNETES_SERVICE_HOST";
export const SERVICE_PORT_ENV = "KUBERNETES_SERVICE_PORT";
/** Overrides the namespace file, as in client-go. */
export const POD_NAMESPACE_ENV = "POD_NAMESPACE";
