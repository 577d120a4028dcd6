// The differences between the mock server and kube-apiserver v1.28 that are known, each with its reason,
// keyed by "<scenario> › <step>". A step listed here that no longer differs fails the scenario test too,
// so the list stays true. "Mock bug" means the mock server is wrong and is to be fixed there (the real
// server's answer, in the table the test prints, is the specification); the sources named are
// kube-apiserver v1.28.15's (k8s.io/apiserver, k8s.io/apimachinery v0.28.15).

const WATCH_BOOL =
  "Mock bug: kube-apiserver decodes `watch` with runtime.Convert_Slice_string_To_bool (apimachinery pkg/runtime/conversion.go): only `0` and `false` (any case) are false; any other value, the empty one included, makes a watch. The mock watches only for `true` and `1` (the Python client sends `True`).";

const EMPTY_NAME =
  'Mock bug (small): the 422 Status of an options check (ListOptions, CreateOptions, PatchOptions) has no `name` in `details` (the name is empty, and empty members are omitted); the mock sends `"name": ""`.';
const MEDIA_415 =
  "Mock bug (message): a PATCH whose Content-Type is empty or not a patch type gets 415 UnsupportedMediaType with the message `415: Unsupported Media Type`; the mock answers `the body of the request was in an unknown format - accepted media types include: …`.";
const ALPHA =
  "By design: the mock serves every group/version of the v1.28 OpenAPI spec, alpha ones included (`internal.apiserver.k8s.io/v1alpha1`, `resource.k8s.io/v1alpha2`); a v1.28 server serves alpha APIs only when `--runtime-config` enables them.";

const WARNING_HEADERS =
  "Mock difference (framing): the real server sends one `Warning` header per warning; the mock sends one header with the warnings joined by `, `. HTTP lets a recipient treat both alike (RFC 9110 §5.3) and client-go's warning parser reads either, but a client that reads only the first `Warning` header sees less from the mock.";

export const knownDifferences: Readonly<Record<string, string>> = {
  "watch= values (True, 1, true, false, 0, yes, empty) › ?watch=True": WATCH_BOOL,
  "watch= values (True, 1, true, false, 0, yes, empty) › ?watch=TRUE": WATCH_BOOL,
  "watch= values (True, 1, true, false, 0, yes, empty) › ?watch=t": WATCH_BOOL,
  "watch= values (True, 1, true, false, 0, yes, empty) › ?watch=yes": WATCH_BOOL,
  "watch= values (True, 1, true, false, 0, yes, empty) › ?watch=": WATCH_BOOL,
  "limit=0, negative and malformed limits › ?limit=abc":
    'Mock bug: a `limit` that is not an integer is a 400 BadRequest `strconv.ParseInt: parsing "abc": invalid syntax` (query parameter decoding); the mock ignores it and lists everything.',
  "malformed selectors and resourceVersions › ?resourceVersion=abc":
    'Mock bug: the real server answers 500 with no reason and `resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax` (storage.NewInvalidError from APIObjectVersioner.ParseResourceVersion, not mapped to a 4xx); the mock answers 400 BadRequest `invalid resource version: abc`.',
  "malformed selectors and resourceVersions › ?resourceVersion=1&resourceVersionMatch=Exact":
    "Mock bug: etcd keeps every revision until it is compacted (the launcher turns the periodic compaction off; a real cluster compacts every 5 minutes), so an Exact list at an old, uncompacted revision is served (here: the empty list of a namespace that did not exist yet). The mock answers 410 for any version before its own history's start.",
  "malformed selectors and resourceVersions › ?resourceVersionMatch=NotOlderThan": EMPTY_NAME,
  "malformed selectors and resourceVersions › ?timeoutSeconds=abc&watch=true":
    'Mock bug: a `timeoutSeconds` that is not an integer is a 400 BadRequest `strconv.ParseInt: parsing "abc": invalid syntax`; the mock ignores it and opens an unbounded watch (the scenario gave up after 10 s).',
  "ConfigMap CRUD and its errors › delete":
    "Mock bug: the Success Status of a delete has no `code` member (the real body is kind, apiVersion, metadata, status, details); the mock adds `code: 200`.",
  "ConfigMap CRUD and its errors › PATCH without a content type": MEDIA_415,
  "cluster-scoped CRUD: ClusterRole and Namespace › delete ClusterRole":
    "Mock bug: as for ConfigMaps, the Success Status of a delete has no `code` member.",
  "cluster-scoped CRUD: ClusterRole and Namespace › create Namespace":
    "Mock bug: the managedFields entry of a created Namespace records only `f:metadata.f:labels.f:kubernetes.io/metadata.name` (the fields the request set, and the label the server adds); the mock also records `f:spec.f:finalizers` and `f:status.f:phase`, which the server's defaulting and strategy set after field tracking.",
  "RBAC denials, then a RoleBinding › SelfSubjectAccessReview":
    'Mock bug: the RBAC reason names a ServiceAccount subject as `"<name>/<namespace>"` (describeSubject in pkg/registry/rbac/validation/rule.go: `ServiceAccount "app/ns"`); the mock writes `"<namespace>/<name>"`.',
  "patch types on a ConfigMap › JSON patch that fails its test":
    "Mock bug (small): the 422 for a failed JSON-patch `test` operation carries `details: {}`; the mock has no `details`.",
  "patch types on a ConfigMap › apply without fieldManager": EMPTY_NAME,
  "patch types on a ConfigMap › unknown patch type": MEDIA_415,
  "field validation and dry run on create › fieldValidation=(default)": WARNING_HEADERS,
  "field validation and dry run on create › fieldValidation=Warn": WARNING_HEADERS,
  "field validation and dry run on create › fieldValidation=Nope": EMPTY_NAME,
  "field validation and dry run on create › dryRun=Some":
    'Mock bug (message): the real message quotes the whole dryRun list Go-style, `Unsupported value: []string{"Some"}: supported values: "All"` (and has no `name` in details); the mock quotes `"Some"`.',
  "discovery documents › /apis groups": ALPHA,
  "discovery documents › /apis aggregated": ALPHA,
  "discovery documents › v2 (unknown to 1.28) only":
    "Mock bug (message): the 406 lists only `application/json, application/yaml, application/vnd.kubernetes.protobuf` (not the aggregated discovery type) and has no `details`; the mock lists the aggregated type too and sends `details: {}`.",
  "discovery documents › an unknown group version":
    "Mock bug: `/apis/apps/v9` (a known group, an unknown version) is a 404 `Status` (NotFound, `the server could not find the requested resource`, `details: {}`); the mock answers the plain text `404 page not found`.",
  "watch from a resourceVersion replays the changes › sendInitialEvents=true":
    "By design: the mock serves `sendInitialEvents` as a 1.28 server with the alpha `WatchList` feature gate on; a default v1.28 server (gate off, as here) answers 422 `sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled`. Start the real server with `featureGates: { WatchList: true }` to compare the streams.",
  "TokenRequest and TokenReview through the API › TokenRequest":
    "Not modelled by the mock (its README says so): the `serviceaccounts/token` subresource (what `kubectl create token` calls) answers 405 there; the real server issues a bound token (201, `spec.audiences` defaulted to the API audiences). Tests use `issueServiceAccountToken()` on either server instead.",
  "TokenRequest and TokenReview through the API › TokenReview":
    "Not modelled by the mock: TokenReview is stored as if it were an ordinary object (422, `metadata.name` required); the real server reviews the token (201, `status.user`).",
  "TokenRequest and TokenReview through the API › TokenRequest for a missing ServiceAccount":
    'Not modelled by the mock (405); the real server answers 404 `serviceaccounts "ghost" not found`.',
  "pagination and compaction › continue after compaction":
    "Mock bug: the real 410 for an expired continue token carries `metadata.continue`, a new token from which the rest of the list can be read (inconsistently), as its message says (`… or use the continue token in this response …`), when items remain; the mock's has none.",
  "pagination and compaction › watch events from before the compaction":
    "Mock bug (message): events are not in the watch cache (as in every 1.28 server), so a watch from a compacted version is answered by etcd: ERROR 410 `The resourceVersion for the provided watch is too old.`; the mock always uses the watch cache's text `too old resource version: N (M)`. (For cached kinds the real server keeps serving such a watch from its cache after a compaction: see the launcher's test.)",
  "pagination and compaction › watch config maps (watch-cached) from before the compaction":
    "Mock bug: the real server serves watches of cached kinds from its watch cache, whose window is a number of events (100 by default, more when they are recent), not etcd's compaction: the watch replays the two later ADDED events. The mock's compact() forgets its one history for every kind, so it answers ERROR 410.",
  "pagination and compaction › a continue token that is not one":
    'Mock bug (message): an undecodable continue token is 400 BadRequest `invalid continue token: continue key is not valid: …` (etcd3 store.go, then the base64/JSON error of the token); the mock says `continue key is not valid: illegal base64 data at input byte 0` without the `invalid continue token: ` prefix. The real token is base64 of JSON: "garbage" decodes as base64 and fails as JSON.',
};

export const differenceKey = (scenario: string, step: string) => `${scenario} › ${step}`;
