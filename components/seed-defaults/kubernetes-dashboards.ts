/**
 * The default Kubernetes dashboards (Grafana JSON models). Each has a `datasource` variable of
 * type prometheus, so one dashboard serves every cluster: pick `Prometheus <clusterId>`.
 */

/** A Grafana dashboard JSON model (the subset these builders set). */
export interface Dashboard {
    uid: string;
    title: string;
    tags: string[];
    [key: string]: unknown;
}

const DATASOURCE = { type: "prometheus", uid: "${datasource}" };

/** Where a panel sits on the dashboard grid and the unit of its values. */
interface PanelLayout {
    unit: string;
    x: number;
    y: number;
}

/** A time-series panel at a grid position, one query per expression. */
function panel(id: number, title: string, exprs: Record<string, string>, { unit, x, y }: PanelLayout) {
    return {
        id,
        title,
        type: "timeseries",
        datasource: DATASOURCE,
        gridPos: { h: 8, w: 12, x, y },
        fieldConfig: { defaults: { unit }, overrides: [] },
        targets: Object.entries(exprs).map(([legend, expr], i) => ({
            refId: String.fromCharCode(65 + i),
            datasource: DATASOURCE,
            expr,
            legendFormat: legend,
        })),
    };
}

function dashboard(uid: string, title: string, panels: unknown[]): Dashboard {
    return {
        uid,
        title,
        tags: ["mla", "kubernetes"],
        schemaVersion: 39,
        editable: false,
        time: { from: "now-6h", to: "now" },
        refresh: "1m",
        templating: {
            list: [
                { name: "datasource", label: "Cluster", type: "datasource", query: "prometheus", current: {}, hide: 0 },
            ],
        },
        panels,
    };
}

/** Cluster overview: CPU and memory by namespace (cAdvisor), pods by phase, node readiness. */
export function clusterOverviewDashboard(): Dashboard {
    return dashboard("mla-k8s-cluster", "Kubernetes / Cluster overview", [
        panel(
            1,
            "CPU by namespace",
            { "{{namespace}}": 'sum by (namespace) (rate(container_cpu_usage_seconds_total{container!=""}[5m]))' },
            { unit: "short", x: 0, y: 0 },
        ),
        panel(
            2,
            "Memory by namespace",
            { "{{namespace}}": 'sum by (namespace) (container_memory_working_set_bytes{container!=""})' },
            { unit: "bytes", x: 12, y: 0 },
        ),
        panel(
            3,
            "Pods by phase",
            { "{{phase}}": "sum by (phase) (kube_pod_status_phase)" },
            { unit: "short", x: 0, y: 8 },
        ),
        panel(
            4,
            "Nodes not ready",
            { "not ready": 'count(kube_node_status_condition{condition="Ready",status="true"} == 0) or vector(0)' },
            { unit: "short", x: 12, y: 8 },
        ),
    ]);
}

/** The metrics agent: samples sent, failed and pending on the remote write to the gateway. */
export function agentDashboard(): Dashboard {
    return dashboard("mla-agent", "MLA / Metrics agent", [
        panel(
            1,
            "Samples sent",
            { sent: "sum(rate(prometheus_remote_storage_samples_total[5m]))" },
            { unit: "short", x: 0, y: 0 },
        ),
        panel(
            2,
            "Samples failed",
            { failed: "sum(rate(prometheus_remote_storage_samples_failed_total[5m]))" },
            { unit: "short", x: 12, y: 0 },
        ),
        panel(
            3,
            "Samples pending",
            { pending: "sum(prometheus_remote_storage_samples_pending)" },
            { unit: "short", x: 0, y: 8 },
        ),
        panel(4, "Scrape targets down", { down: "count(up == 0) or vector(0)" }, { unit: "short", x: 12, y: 8 }),
    ]);
}

/** Every default dashboard. */
export function defaultDashboards(): Dashboard[] {
    return [clusterOverviewDashboard(), agentDashboard()];
}

/** The dashboards as JSON texts (what the sidecar files and the org import carry). */
export function defaultDashboardTexts(): string[] {
    return defaultDashboards().map((d) => `${JSON.stringify(d, null, 2)}\n`);
}
