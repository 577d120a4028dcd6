// Types of generate.mjs, for the tests that import it.
export declare const SPEC_PATH: string;
export declare const OUTPUTS: {
  readonly types: string;
  readonly kinds: string;
  readonly patchMetadata: string;
  readonly catalogue: string;
  readonly exports: string;
};
export interface GenerateResult {
  /** Package-relative path → file content. */
  files: Record<string, string>;
  /** Every exported type name of types.generated.ts. */
  typeNames: string[];
  /** Every exported descriptor (value and type) of kinds.generated.ts, aliases included. */
  descriptorNames: string[];
  /** TS name of each definition. */
  tsNames: Record<string, string>;
  /** Number of top-level resources found in the spec's paths. */
  resourceCount: number;
}
/** Builds every generated file in memory; `spec` defaults to the parsed spec/v1.28/swagger.json. */
export declare function generate(options?: { spec?: unknown }): GenerateResult;
