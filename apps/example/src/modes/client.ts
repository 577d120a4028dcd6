import { ConfigMap, type Credentials, createClient, Pod } from "@kin/client";
import { AuthenticationV1SelfSubjectReview } from "@kin/resources";
import { type Cluster, configMapEvent, identityOf, SELF_SUBJECT_REVIEW } from "./cluster.js";

/** Mode `client`: everything through @kin/client (the docs' "official client library" way). */
export async function clientCluster(credentials: Credentials): Promise<Cluster> {
  const client = await createClient({ credentials });
  const configMaps = client.api(ConfigMap);
  return {
    namespace: client.namespace,
    server: credentials.server,
    async apiVersions(signal) {
      return (await client.discovery.coreVersions({ signal })).versions;
    },
    async whoAmI(signal) {
      return identityOf(
        await client.api(AuthenticationV1SelfSubjectReview).create(SELF_SUBJECT_REVIEW, { signal }),
      );
    },
    async pods(signal) {
      const list = await client.api(Pod).list({ signal });
      return list.items.map((pod) => ({
        name: pod.metadata?.name ?? "",
        phase: pod.status?.phase ?? "Unknown",
      }));
    },
    async configMaps(signal) {
      const list = await configMaps.list({ signal });
      return {
        resourceVersion: list.metadata?.resourceVersion ?? "",
        names: list.items.map((item) => item.metadata?.name ?? ""),
      };
    },
    async *watchConfigMaps(resourceVersion, signal) {
      // kin's watch resumes by itself from the last version seen (bookmarks included).
      for await (const event of configMaps.watch({
        resourceVersion,
        signal,
        maxResumes: Infinity,
      })) {
        if (event.type !== "BOOKMARK") yield configMapEvent(event.type, event.object);
      }
    },
    close: () => client.close(),
  };
}
