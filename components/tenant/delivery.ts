/**
 * How tenant objects reach the seed's backends: names and labels of the tenant ConfigMaps, per
 * the seed's tenant delivery conventions (`TENANT_DELIVERY_CONVENTIONS` in `spec/tenant-delivery.ts`, the one
 * definition both sides use).
 */
/** Default seed namespace; the real one comes from the seed stack output `namespace`. */
export const DEFAULT_SEED_NAMESPACE = "mla";

/** Labels every tenant object carries, so operators can list one tenant's objects. */
export function tenantLabels(clusterId: string): Record<string, string> {
    return { "app.kubernetes.io/part-of": "mla", "mla.k8c.io/cluster-id": clusterId };
}

/** The name of one tenant object in the seed namespace: `mla-<role>-<clusterId>`. */
export function tenantObjectName(role: string, clusterId: string): string {
    return `mla-${role}-${clusterId}`;
}
