/**
 * The in-memory executor's certificates: expiry instants a test sets per cluster, renewed by an
 * `up` the way @pulumi/tls renews them (inside the early-renewal window, for `pki.validityHours`
 * from then).
 */
import { renewalDue } from "../../components/pki/pki-renewal";
import type { ClusterSpec } from "../../spec/cluster-spec";

/** Certificate expiries by cluster and certificate name (epoch ms). */
export class MemoryCertificates {
    private readonly notAfter = new Map<string, Record<string, number>>();

    /** The cluster's certificates expire at these instants from now on. */
    set(clusterId: string, notAfterMs: Record<string, number>): void {
        this.notAfter.set(clusterId, { ...notAfterMs });
    }

    /**
     * Renews each of the cluster's certificates that is due at `clock()`; returns every expiry as
     * an ISO instant, or undefined (without reading the clock) when none were set for the cluster.
     */
    renew(spec: ClusterSpec, clock: () => number): Record<string, string> | undefined {
        const certs = this.notAfter.get(spec.clusterId);
        if (!certs) return undefined;
        const now = clock();
        for (const [name, notAfter] of Object.entries(certs)) {
            if (renewalDue(notAfter, spec.pki.earlyRenewalHours, now))
                certs[name] = now + spec.pki.validityHours * 3600_000;
        }
        return Object.fromEntries(Object.entries(certs).map(([name, ms]) => [name, new Date(ms).toISOString()]));
    }
}
