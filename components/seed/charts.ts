/**
 * The upstream Helm charts of the seed, pinned to exact versions and repositories, and the
 * `helm.v4.Chart` args of each (pure; `pinned-chart.ts` installs them).
 *
 * The versions match the reference data in `../shared/reference/charts/` so that the conformance
 * script checks the values we render against the defaults of exactly the chart we deploy.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

/** A pinned chart: what `helm.v4.Chart` needs to fetch it. */
export interface ChartRef {
    /** The chart name in its repository. */
    readonly chart: string;
    /** The exact chart version; never a range. */
    readonly version: string;
    /** The chart repository URL. */
    readonly repo: string;
    /** The Helm release name; it decides every object name the chart creates. */
    readonly releaseName: string;
}

/** The grafana-community repository now hosts the unified `loki` chart and the `grafana` chart. */
export const GRAFANA_COMMUNITY_REPO = "https://grafana-community.github.io/helm-charts";

/** Every chart the seed installs. Release names equal chart names, so fullnames stay short. */
export const SEED_CHARTS = {
    /** Cortex 3.3.4 ships Cortex v1.21.1. */
    cortex: {
        chart: "cortex",
        version: "3.3.4",
        repo: "https://cortexproject.github.io/cortex-helm-chart",
        releaseName: "cortex",
    },
    /** Loki 18.11.0 ships Loki 3.7.6 (the unified chart; `loki-distributed` never got Loki 3). */
    loki: { chart: "loki", version: "18.11.0", repo: GRAFANA_COMMUNITY_REPO, releaseName: "loki" },
    /** Grafana 12.11.1 ships Grafana 13.2.0. */
    grafana: { chart: "grafana", version: "12.11.1", repo: GRAFANA_COMMUNITY_REPO, releaseName: "grafana" },
    /** MinIO 5.4.0 is the last chart; the project is unmaintained since early 2026 (README, "The seed stack"). */
    minio: { chart: "minio", version: "5.4.0", repo: "https://charts.min.io/", releaseName: "minio" },
} as const satisfies Record<string, ChartRef>;

/** The names of the seed's charts, also the `<chart>-values.yaml` file names of `mla render seed-values`. */
export type SeedChartName = keyof typeof SEED_CHARTS;

/** What a pinned chart installs: the chart, where, and with which values. */
export interface PinnedChartArgs {
    ref: ChartRef;
    namespace: pulumi.Input<string>;
    /** The values, from the chart's pure values builder. */
    values: Record<string, unknown>;
}

/** The `helm.v4.Chart` args of a pinned chart: exact version, its repository, the release name. */
export function pinnedChartArgs(args: PinnedChartArgs): k8s.helm.v4.ChartArgs {
    const { ref, namespace, values } = args;
    return {
        chart: ref.chart,
        version: ref.version,
        repositoryOpts: { repo: ref.repo },
        name: ref.releaseName,
        namespace,
        values,
    };
}
