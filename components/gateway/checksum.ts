/**
 * The pod-template checksum that rolls the gateway when its config or credentials change.
 *
 * nginx reads its config, certificates and the read-token fragment only at start, and Kubernetes
 * does not restart pods when a mounted ConfigMap or Secret changes. Putting this hash on the pod
 * template makes every change a new ReplicaSet, rolled out under the PodDisruptionBudget. The
 * keys and the read token are left out on purpose: they change only together with the
 * certificates and the credentials generation (`ClusterPki`), and hashing them would make the
 * annotation a secret-derived value.
 */
import { createHash } from "node:crypto";

/** The annotation on the pod template that carries the checksum. */
export const CHECKSUM_ANNOTATION = "checksum/mla-gateway";

/** What the checksum covers. */
export interface GatewayChecksumInput {
    config: string;
    caCertPem: string;
    serverCertPem: string;
    /** The credentials generation (`pki.credentialsGeneration`); a rotation always rolls the pods. */
    credentialsGeneration: number;
}

/** sha256 (hex) over the nginx config, the CA and server certificates and the credentials generation. */
export function gatewayChecksum(input: GatewayChecksumInput): string {
    const hash = createHash("sha256");
    const parts = [
        input.config,
        input.caCertPem,
        input.serverCertPem,
        `credentials-generation=${input.credentialsGeneration}`,
    ];
    for (const part of parts) {
        // Length-prefix each part so moving bytes between parts cannot keep the hash.
        hash.update(`${Buffer.byteLength(part)}:`).update(part);
    }
    return hash.digest("hex");
}
