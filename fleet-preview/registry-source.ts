/**
 * The fleet as the onboarding service knows it: the clusters in its registry, each previewed from
 * its last stored spec by an {@link Executor} running the working tree's cluster program.
 *
 * Read-only towards the data dir: the registry is read through a read-only SQLite connection
 * (never opened for writing, no recovery), and the spec key is never created.
 */
import { existsSync } from "node:fs";
import type { ClusterSpec } from "../spec/cluster-spec";
import { secretsOf } from "../service/operations/cluster-work";
import type { Executor } from "../executors/executor";
import type { OperationKind } from "../executors/operation-types";
import { readRegistry, type RegistryView } from "../service/store/registry-view";
import { secretScrubber } from "../service/operations/scrub";
import { loadOrCreateKey, SpecStore } from "../service/store/spec-store";
import type { FleetPreviewSource } from "./run";
import type { ResourceStep } from "./steps";

/** A registered cluster left out of the preview, and why. */
export interface SkippedCluster {
    clusterId: string;
    reason: string;
}

/** Where the registry source reads. */
export interface RegistrySourceOptions {
    /** The service's data dir (`MLA_DATA_DIR`). */
    dataDir: string;
    /** The spec store's key file; `<dataDir>/spec.key` in the service by default. */
    specKeyFile: string;
    /** Runs the previews (the Automation API executor, or the in-memory one). */
    executor: Executor;
}

/** Operations that leave a deployed stack behind when they succeed. */
const APPLYING: readonly OperationKind[] = ["up", "suspend", "resume"];

/**
 * Thrown when the data dir holds no registry: a misconfigured data dir must not look like an
 * empty fleet.
 */
export class NoRegistryError extends Error {}

/**
 * A {@link FleetPreviewSource} over a service data dir.
 *
 * Which clusters are previewed:
 * - a cluster whose status is `deleting` is skipped: its stack is being destroyed, and a preview
 *   would race the destroy or find no stack;
 * - a cluster with no successful `up`, `suspend` or `resume` is skipped: it has no deployed stack
 *   yet, so every step would be a create and nothing is at risk;
 * - every other cluster (`ready`, `failed` after an earlier success, `interrupted`) is previewed.
 */
export class RegistrySource implements FleetPreviewSource {
    /** Clusters `listClusters` left out, filled by each call. */
    readonly skipped: SkippedCluster[] = [];
    private specs?: SpecStore;
    private view?: RegistryView;

    constructor(private readonly options: RegistrySourceOptions) {}

    private read(): RegistryView {
        const view = readRegistry(this.options.dataDir);
        if (!view)
            throw new NoRegistryError(
                `no registry in ${this.options.dataDir} (expected ${this.options.dataDir}/registry/registry.db); point --data-dir or MLA_DATA_DIR at the service's data dir`,
            );
        this.view = view;
        return view;
    }

    async listClusters(): Promise<string[]> {
        const view = this.read();
        this.skipped.length = 0;
        const applied = new Set(
            view.operations.filter((o) => o.state === "succeeded" && APPLYING.includes(o.kind)).map((o) => o.clusterId),
        );
        const listed: string[] = [];
        for (const cluster of view.clusters) {
            if (cluster.status === "deleting") this.skipped.push({ clusterId: cluster.id, reason: "being deleted" });
            else if (!applied.has(cluster.id)) this.skipped.push({ clusterId: cluster.id, reason: "never deployed" });
            else listed.push(cluster.id);
        }
        return listed;
    }

    /** The spec store, opened on first use so an empty fleet needs no key. */
    private store(): SpecStore {
        if (!this.specs) {
            // loadOrCreateKey would create a new key, which could never decrypt the stored specs.
            if (!existsSync(this.options.specKeyFile)) {
                throw new Error(
                    `spec key ${this.options.specKeyFile} not found; set MLA_SPEC_KEY_FILE to the service's key`,
                );
            }
            this.specs = new SpecStore(this.view ?? this.read(), loadOrCreateKey(this.options.specKeyFile));
        }
        return this.specs;
    }

    private loadSpec(clusterId: string): ClusterSpec {
        let spec: ClusterSpec | undefined;
        try {
            spec = this.store().load(clusterId);
        } catch (e) {
            // Decryption errors say nothing secret, but name the likely cause.
            throw new Error(
                `cannot read the stored spec of ${clusterId} (wrong MLA_SPEC_KEY_FILE?): ${(e as Error).message}`,
                { cause: e },
            );
        }
        if (!spec) throw new Error(`no stored spec for ${clusterId}; PUT the cluster again through the service`);
        return spec;
    }

    async preview(clusterId: string): Promise<ResourceStep[]> {
        const spec = this.loadSpec(clusterId);
        const scrub = secretScrubber(secretsOf(spec));
        try {
            // Progress events are not needed: the summary is built from the result's steps.
            const result = await this.options.executor.preview({
                clusterId,
                spec,
                signal: new AbortController().signal,
                onEvent: () => undefined,
            });
            return result.steps.map(({ op, urn, type, diffs }) => ({ op, urn, type, diffs: [...diffs] }));
        } catch (e) {
            // Engine text may echo a failing input; the message ends up in a public PR comment. No
            // `cause`: the original error carries the unscrubbed text.
            // eslint-disable-next-line preserve-caught-error
            throw new Error(scrub(e instanceof Error ? e.message : String(e)));
        }
    }
}
