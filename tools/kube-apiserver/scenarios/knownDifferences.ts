// The differences between the mock server and kube-apiserver v1.28 that are known, each with its reason,
// keyed by "<scenario> › <step>". A step listed here that no longer differs fails the scenario test too,
// so the list stays true.
export const knownDifferences: Readonly<Record<string, string>> = {};

export const differenceKey = (scenario: string, step: string) => `${scenario} › ${step}`;
