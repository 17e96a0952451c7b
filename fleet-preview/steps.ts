/**
 * The per-resource outcome of one stack's preview, and the rules for what reviewers must see:
 * which steps count as replacements or deletions, and which resources bear data.
 */

/** One resource step of a preview, as the engine reports it (`ResourcePreEvent`). */
export interface ResourceStep {
    /** The engine's op: create, update, replace, create-replacement, delete-replaced, delete, same, read... */
    readonly op: string;
    readonly urn: string;
    /** The resource type token, e.g. `kubernetes:core/v1:Namespace`. */
    readonly type: string;
    /** Changed input properties, when the engine reports them. */
    readonly diffs?: readonly string[];
}

/** The preview of one cluster stack, or why it failed. */
export interface ClusterPreview {
    readonly clusterId: string;
    readonly steps: readonly ResourceStep[];
    /** Set when the preview itself failed; the steps are then empty. */
    readonly error?: string;
}

/** The change counts reviewers read first. */
export interface ChangeCounts {
    create: number;
    update: number;
    replace: number;
    delete: number;
}

/**
 * Types whose replacement or deletion loses data or trust:
 * - namespaces (deleting one deletes everything inside),
 * - volumes and stateful workloads,
 * - the cluster CA (a new CA invalidates every agent certificate until they roll),
 * - the tenant purge (its deletion deletes the tenant's stored data).
 */
const DATA_BEARING: readonly RegExp[] = [
    /^kubernetes:core\/v1:Namespace$/,
    /^kubernetes:core\/v1:PersistentVolumeClaim$/,
    /^kubernetes:apps\/v1:StatefulSet$/,
    /^tls:index\/privateKey:PrivateKey$/,
    /^tls:index\/selfSignedCert:SelfSignedCert$/,
    /:TenantPurge$/,
    /^kubernetes:helm\.sh\/v\d:(Chart|Release)$/,
];

/** Whether a resource of this type bears data (see {@link DATA_BEARING}). */
export function isDataBearing(type: string): boolean {
    return DATA_BEARING.some((re) => re.test(type));
}

/** The review category of an engine op, or undefined for no-ops (same, read, refresh...). */
export function categoryOf(op: string): keyof ChangeCounts | undefined {
    switch (op) {
        case "create":
        case "import":
            return "create";
        case "update":
            return "update";
        case "replace":
        case "create-replacement":
        case "delete-replaced":
        case "discard-replaced":
            return "replace";
        case "delete":
        case "discard":
            return "delete";
        default:
            return undefined;
    }
}

/**
 * Collapses the steps to one category per resource (a replacement shows up as up to three engine
 * steps for the same URN) and counts them.
 */
export function countChanges(steps: readonly ResourceStep[]): {
    counts: ChangeCounts;
    byUrn: Map<string, ResourceStep & { category: keyof ChangeCounts }>;
} {
    const byUrn = new Map<string, ResourceStep & { category: keyof ChangeCounts }>();
    for (const step of steps) {
        const category = categoryOf(step.op);
        if (!category) continue;
        const seen = byUrn.get(step.urn);
        // A replace outranks the create/delete halves that make it up.
        if (!seen || category === "replace") byUrn.set(step.urn, { ...step, category });
    }
    const counts: ChangeCounts = { create: 0, update: 0, replace: 0, delete: 0 };
    for (const s of byUrn.values()) counts[s.category]++;
    return { counts, byUrn };
}

/** The replacements and deletions of data-bearing resources: what `--fail-on-replace` fails on. */
export function flaggedSteps(steps: readonly ResourceStep[]): ResourceStep[] {
    const { byUrn } = countChanges(steps);
    return [...byUrn.values()].filter(
        (s) => (s.category === "replace" || s.category === "delete") && isDataBearing(s.type),
    );
}
