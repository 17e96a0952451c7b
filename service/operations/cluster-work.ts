/**
 * What each cluster operation does once it runs: the engine calls of an `up`, a preview and a
 * destroy (with the project stack the cluster reads its Grafana org from), what of their results
 * may leave the service, and how the cluster record follows the operation.
 */
import type { ClusterSpec } from "../../spec/cluster-spec";
import type { Executor, StackOutput } from "../../executors/executor";
import type { ClusterRecord } from "../../executors/operation-types";
import type { Registry } from "../store/registry";
import { operationFinished, operationStarted } from "./cluster-lifecycle";
import type { Work } from "./operation-runner";
import type { ServiceHooks } from "./operation-submitter";
import type { ProjectService, ProjectTarget } from "./project-service";

/** What the work runs on. */
export interface WorkDeps {
    executor: Executor;
    /** Project stacks (the projects' Grafana orgs); without it, every cluster needs `seedApi.grafanaOrgId`. */
    projects?: ProjectService;
}

/** The org id a preview uses before the project's org exists (Grafana's main org; nothing is applied). */
export const PREVIEW_ORG_ID = 1;

/** The project stack a cluster spec reads its Grafana org id from. */
export function projectTarget(spec: ClusterSpec): ProjectTarget {
    return { project: spec.project, seedStack: spec.seedStack };
}

/** Only non-secret stack outputs ever leave the executor's result. */
export function publicOutputs(outputs: Record<string, StackOutput>): Record<string, unknown> {
    return Object.fromEntries(
        Object.entries(outputs)
            .filter(([, o]) => !o.secret)
            .map(([k, o]) => [k, o.value]),
    );
}

/** Every secret of a spec, for scrubbing engine text. */
export function secretsOf(spec: ClusterSpec | undefined): string[] {
    if (!spec) return [];
    return [spec.userKubeconfig, spec.seedKubeconfig, spec.tenant.alertmanagerConfig].filter(
        (s): s is string => typeof s === "string",
    );
}

/**
 * An `up` of `spec`: the project stack first (unless the spec names its org), then the cluster.
 * `previous`: the project stack the cluster used before this request, released when it moved.
 */
export function upWork(deps: WorkDeps, up: { clusterId: string; spec: ClusterSpec; previous?: ProjectTarget }): Work {
    const { clusterId, spec, previous } = up;
    return async ({ signal, onEvent }) => {
        // The cluster program reads the org id from the project stack unless the spec gives one.
        if (spec.seedApi.grafanaOrgId === undefined)
            await deps.projects?.ensure(projectTarget(spec), { signal, onEvent });
        const result = await deps.executor.up({ clusterId, spec, signal, onEvent });
        if (previous && (previous.project !== spec.project || previous.seedStack !== spec.seedStack)) {
            await deps.projects?.release(clusterId, previous, { signal, onEvent });
        }
        return { changeSummary: result.changeSummary, outputs: publicOutputs(result.outputs) };
    };
}

/**
 * A preview of `spec`. A preview changes nothing, so it cannot create the project stack the
 * cluster program reads: before the project's first `up` it previews against a placeholder org id.
 */
export function previewWork(deps: WorkDeps, preview: { clusterId: string; spec: ClusterSpec }): Work {
    const { clusterId, spec } = preview;
    const withoutOrg =
        spec.seedApi.grafanaOrgId === undefined &&
        deps.projects !== undefined &&
        !deps.projects.isApplied(projectTarget(spec));
    const previewed: ClusterSpec = withoutOrg
        ? { ...spec, seedApi: { ...spec.seedApi, grafanaOrgId: PREVIEW_ORG_ID } }
        : spec;
    return async ({ signal, onEvent }) => {
        if (withoutOrg)
            onEvent({
                type: "log",
                message: `project ${spec.project} has no Grafana org on ${spec.seedStack} yet (the first up creates it): previewing with org id ${PREVIEW_ORG_ID}`,
            });
        const result = await deps.executor.preview({ clusterId, spec: previewed, signal, onEvent });
        return { changeSummary: result.changeSummary, steps: result.steps };
    };
}

/**
 * A destroy of `cluster`'s stack, then of its project stack when it was the project's last
 * cluster on that seed. `noEngine`: the stack was never created, so nothing is called.
 */
export function destroyWork(
    deps: WorkDeps,
    destroy: { cluster: ClusterRecord; spec: ClusterSpec | undefined; purge: boolean; noEngine: boolean },
): Work {
    const { cluster, spec, purge, noEngine } = destroy;
    const clusterId = cluster.id;
    if (noEngine)
        return async ({ onEvent }) => {
            onEvent({
                type: "log",
                message: "the stack was never created: nothing to destroy, the engine is not called",
            });
            return { changeSummary: {} };
        };
    return async ({ signal, onEvent }) => {
        const { changeSummary } = await deps.executor.destroy({ clusterId, spec, purge, signal, onEvent });
        // The project's org goes with its last cluster on this seed.
        await deps.projects?.release(
            clusterId,
            { project: cluster.project, seedStack: cluster.seed },
            { signal, onEvent },
        );
        return { changeSummary };
    };
}

/** Hooks that move the cluster through the lifecycle as its operation starts and finishes. */
export function lifecycleHooks(
    registry: Registry,
    clusterId: string,
    effect: { suspended?: boolean; onStart?(): void } = {},
): ServiceHooks {
    return {
        onStart: () => {
            const cluster = registry.cluster(clusterId);
            if (cluster) registry.putCluster(operationStarted(cluster, new Date().toISOString()));
            effect.onStart?.();
        },
        onFinish: (op, state, result) => {
            const next = operationFinished(registry.cluster(clusterId), op, state, {
                suspended: effect.suspended,
                outputs: result?.outputs,
                now: new Date().toISOString(),
            });
            if (next === "removed") registry.removeCluster(clusterId);
            else if (next) registry.putCluster(next);
        },
    };
}
