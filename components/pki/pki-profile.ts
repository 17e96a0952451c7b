/**
 * The shape of a cluster's PKI: key algorithm, subjects and allowed uses of every certificate.
 *
 * `ClusterPki` builds its @pulumi/tls resources from this profile, and the test support
 * (`test/support/pki.ts`) builds real certificates from it with Node crypto, so the certificates
 * that real-nginx tests use cannot drift from the ones the stack issues.
 */

/** Key algorithm of every key in the PKI: ECDSA on P-256 (small keys, fast TLS 1.3 handshakes). */
export const PKI_KEY_ALGORITHM = { algorithm: "ECDSA", ecdsaCurve: "P256" } as const;

/**
 * Length of the cluster's read token: 48 characters of [A-Za-z0-9] (about 285 bits). Letters and
 * digits only, so it is safe in nginx's map syntax and in an HTTP header.
 */
export const READ_TOKEN_LENGTH = 48;

/** An @pulumi/tls `allowedUses` value; snake_case, as the provider spells them. */
export type AllowedUse = "cert_signing" | "crl_signing" | "digital_signature" | "server_auth" | "client_auth";

/** Subject and uses of one certificate. */
export interface CertProfile {
    commonName: string;
    organization: string;
    allowedUses: AllowedUse[];
}

/** Every certificate of one cluster's PKI. */
export interface PkiProfile {
    ca: CertProfile;
    server: CertProfile;
    metricsAgent: CertProfile;
    logAgent: CertProfile;
}

/**
 * The profile for one cluster. The organization names the tenant so a certificate says which
 * cluster it belongs to; isolation itself comes from the per-cluster CA, not from names.
 *
 * Leaf certificates carry `digital_signature` only (no `key_encipherment`): with ECDSA keys TLS
 * 1.3 only signs, and RFC 5480 does not allow key encipherment for EC keys.
 */
export function pkiProfile(clusterId: string): PkiProfile {
    const organization = `cluster-${clusterId}`;
    return {
        ca: { commonName: `mla-${clusterId}-ca`, organization, allowedUses: ["cert_signing", "crl_signing"] },
        server: {
            commonName: `mla-gateway.cluster-${clusterId}`,
            organization,
            allowedUses: ["digital_signature", "server_auth"],
        },
        metricsAgent: {
            commonName: `mla-metrics-agent.${clusterId}`,
            organization,
            allowedUses: ["digital_signature", "client_auth"],
        },
        logAgent: {
            commonName: `mla-log-agent.${clusterId}`,
            organization,
            allowedUses: ["digital_signature", "client_auth"],
        },
    };
}
