/**
 * When a cluster certificate is due for renewal: the one definition the reconciler, the health
 * report and the in-memory executor share.
 *
 * It is @pulumi/tls's own rule for `earlyRenewalHours` (the provider marks a certificate
 * `readyForRenewal` once `validityEndTime - earlyRenewalHours <= now`, and the next `up` replaces
 * it), so the service runs its renewal `up` exactly when that `up` renews something.
 */

/** The certificates of a cluster's PKI, as the cluster program exports their `notAfter`. */
export const CLUSTER_CERTIFICATES = ["ca", "server", "metricsAgent", "logAgent"] as const;

/** One certificate name. */
export type ClusterCertificate = (typeof CLUSTER_CERTIFICATES)[number];

/** The stack output holding `{ <certificate>: <notAfter, RFC 3339> }`. */
export const CERTIFICATE_NOT_AFTER_OUTPUT = "certificateNotAfter";

const HOUR_MS = 3600_000;

/** The instant (ms) a certificate enters its renewal window. */
export function renewalWindowStart(notAfterMs: number, earlyRenewalHours: number): number {
    return notAfterMs - earlyRenewalHours * HOUR_MS;
}

/** Whether the next `up` renews a certificate that expires at `notAfterMs`. */
export function renewalDue(notAfterMs: number, earlyRenewalHours: number, nowMs: number): boolean {
    return renewalWindowStart(notAfterMs, earlyRenewalHours) <= nowMs;
}

/**
 * Reads the `certificateNotAfter` output (`{ name: RFC 3339 }`) into epoch ms per certificate;
 * entries that are not parseable dates are left out.
 */
export function parseNotAfter(value: unknown): Record<string, number> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
    const parsed: Record<string, number> = {};
    for (const [name, text] of Object.entries(value as Record<string, unknown>)) {
        const ms = typeof text === "string" ? Date.parse(text) : NaN;
        if (Number.isFinite(ms)) parsed[name] = ms;
    }
    return parsed;
}

/** The certificate that expires first, or undefined when there are none. */
export function earliestExpiry(notAfter: Record<string, number>): { name: string; notAfterMs: number } | undefined {
    let first: { name: string; notAfterMs: number } | undefined;
    for (const [name, notAfterMs] of Object.entries(notAfter)) {
        if (!first || notAfterMs < first.notAfterMs) first = { name, notAfterMs };
    }
    return first;
}
