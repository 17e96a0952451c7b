/**
 * Credential rotation in the onboarding service, as pure spec transforms.
 *
 * `POST /v1/clusters/{id}/rotate-credentials` runs an `up` of the stored spec with
 * `pki.credentialsGeneration` raised by one: ClusterPki then gives its CA, every certificate and
 * the read token new resource names, so Pulumi replaces them all in that one `up`, and the gateway
 * and the agents roll onto the new material (`components/pki/pki.ts`). The HTTP body has no
 * generation field, so a later PUT keeps the stored generation instead of rolling it back (which
 * would rotate once more).
 */
import type { ClusterSpec } from "../../spec/cluster-spec";

/** `spec` with the next credentials generation. */
export function rotatedSpec(spec: ClusterSpec): ClusterSpec {
    return { ...spec, pki: { ...spec.pki, credentialsGeneration: spec.pki.credentialsGeneration + 1 } };
}

/** `spec` (from a request body) with the credentials generation of the stored spec, if any. */
export function withStoredCredentials(spec: ClusterSpec, stored: ClusterSpec | undefined): ClusterSpec {
    const generation = Math.max(spec.pki.credentialsGeneration, stored?.pki.credentialsGeneration ?? 0);
    return generation === spec.pki.credentialsGeneration
        ? spec
        : { ...spec, pki: { ...spec.pki, credentialsGeneration: generation } };
}
