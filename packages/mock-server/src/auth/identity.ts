// Who a request is: user.Info (k8s.io/apiserver/pkg/authentication/user/user.go) and the well-known names.

/** `user.Info` as the authenticators produce it and `SelfSubjectReview` reports it. */
export interface UserInfo {
  readonly username: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

/** user.go: the group every authenticated user gets (the authenticator's group adder). */
export const AUTHENTICATED = "system:authenticated";
export const UNAUTHENTICATED = "system:unauthenticated";
/** user.SystemPrivilegedGroup: allowed everything, before RBAC is asked (authorizerfactory.NewPrivilegedGroups). */
export const MASTERS = "system:masters";
export const ALL_SERVICE_ACCOUNTS = "system:serviceaccounts";

/** The user of a request without credentials (pkg/authentication/request/anonymous). */
export const ANONYMOUS: UserInfo = { username: "system:anonymous", groups: [UNAUTHENTICATED] };

/** Who the tokens of `issueToken()` and the `tokens` option are unless told otherwise. */
export const DEFAULT_USER = "kin-mock-user";

/** `serviceaccount.MakeUsername`: `system:serviceaccount:<namespace>:<name>`. */
export const serviceAccountUsername = (namespace: string, name: string) =>
  `system:serviceaccount:${namespace}:${name}`;

/** `serviceaccount.MakeGroupNames` plus the authenticated group. */
export const serviceAccountGroups = (namespace: string) => [
  ALL_SERVICE_ACCOUNTS,
  `${ALL_SERVICE_ACCOUNTS}:${namespace}`,
  AUTHENTICATED,
];

/** `groups` with `system:authenticated` added once, as the group adder does. */
export const withAuthenticated = (groups: readonly string[]) =>
  groups.includes(AUTHENTICATED) ? [...groups] : [...groups, AUTHENTICATED];
