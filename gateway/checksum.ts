/**
 * The pod-template checksum that rolls the gateway when its config or certificates change.
 *
 * nginx reads its config and certificates only at start, and Kubernetes does not restart pods
 * when a mounted ConfigMap or Secret changes. Putting this hash on the pod template makes every
 * change a new ReplicaSet, rolled out under the PodDisruptionBudget. The key is left out on
 * purpose: it changes only together with the certificate, and hashing it would make the
 * annotation a secret-derived value.
 */
import { createHash } from "node:crypto";

/** The annotation on the pod template that carries the checksum. */
export const CHECKSUM_ANNOTATION = "checksum/mla-gateway";

/** sha256 (hex) over the nginx config, the CA certificate and the server certificate. */
export function gatewayChecksum(config: string, caCertPem: string, serverCertPem: string): string {
    const hash = createHash("sha256");
    for (const part of [config, caCertPem, serverCertPem]) {
        // Length-prefix each part so moving bytes between parts cannot keep the hash.
        hash.update(`${Buffer.byteLength(part)}:`).update(part);
    }
    return hash.digest("hex");
}
