/**
 * Previews many cluster stacks with bounded parallelism, never letting one failure stop the rest.
 */
import type { ClusterPreview, ResourceStep } from "./steps";

/** Where the stacks come from and how one is previewed (the registry + executor, or a test double). */
export interface FleetPreviewSource {
    /** The cluster ids to preview. */
    listClusters(): Promise<string[]>;
    /** Previews one cluster's stack with the working tree's program; resolves to its steps. */
    preview(clusterId: string): Promise<ResourceStep[]>;
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
    if (!Number.isInteger(limit) || limit < 1)
        throw new Error(`parallelism must be a whole number of at least 1, got ${limit}`);
    const results = new Array<R>(items.length);
    let next = 0;
    const worker = async (): Promise<void> => {
        while (next < items.length) {
            const index = next++;
            results[index] = await fn(items[index]);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return results;
}

/** Previews every cluster of the source; a failed preview becomes an entry with its error. */
export async function previewFleet(source: FleetPreviewSource, parallel: number): Promise<ClusterPreview[]> {
    const clusters = await source.listClusters();
    return mapLimit(clusters, parallel, async (clusterId): Promise<ClusterPreview> => {
        try {
            return { clusterId, steps: await source.preview(clusterId) };
        } catch (e) {
            return { clusterId, steps: [], error: e instanceof Error ? e.message : String(e) };
        }
    });
}
