// @kin/resources/patch-metadata: what strategic merge and server-side apply need to know about each
// definition of the spec. A subpath of its own (2.6k generated lines), so that an app importing
// @kin/resources never carries it; the mock server's patch engines use it.
export { patchMetadataRoots, patchMetadataTable } from "./table.generated.js";
export type {
  DefinitionPatchMetadata,
  FieldPatchMetadata,
  PatchMetadataTable,
} from "./types.js";
