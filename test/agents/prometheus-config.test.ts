import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { renderPrometheusConfig, type PrometheusConfigInput } from "../../components/agents/prometheus-config";
import { customScrapeConfigProblems } from "../../spec/checks/custom-scrape-configs";
import { tlsFilesIn } from "../../components/agents/agent-configs";
import { requireBinary } from "./binaries";
import { loadableBy, withFileSdInsteadOfKubernetes } from "./kubernetes-sd";

/** Parsed YAML and recorded inputs, walked freely by the assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the assertions themselves check the shape
type Loose = any;

const base: PrometheusConfigInput = {
    clusterId: "c1",
    gatewayUrl: "https://gw.example.com/",
    tls: tlsFilesIn("/etc/mla/tls"),
};

function render(over: Partial<PrometheusConfigInput> = {}): Loose {
    return parse(renderPrometheusConfig({ ...base, ...over }));
}

function job(config: Loose, name: string): Loose {
    const hits = config.scrape_configs.filter((j: Loose) => j.job_name === name);
    expect(hits, `job ${name}`).to.have.length(1);
    return hits[0];
}

describe("renderPrometheusConfig", () => {
    it("labels every series with the cluster id and scrapes every 30s by default", () => {
        const c = render();
        expect(c.global).to.deep.equal({ scrape_interval: "30s", external_labels: { cluster: "c1" } });
        expect(render({ scrapeInterval: "15s" }).global.scrape_interval).to.equal("15s");
    });

    it("remote-writes to the gateway's push path with the client certificate, the CA and TLS 1.3", () => {
        const [rw] = render().remote_write;
        expect(rw.url).to.equal("https://gw.example.com/api/v1/push");
        expect(rw.tls_config).to.deep.equal({
            ca_file: "/etc/mla/tls/ca.crt",
            cert_file: "/etc/mla/tls/tls.crt",
            key_file: "/etc/mla/tls/tls.key",
            min_version: "TLS13",
        });
        expect(rw.queue_config).to.include({ max_samples_per_send: 2000, capacity: 10000, max_backoff: "30s" });
        expect(rw).not.to.have.property("headers");
    });

    it("has the built-in jobs in a fixed order and no rule files (agent mode forbids them)", () => {
        const c = render();
        expect(c.scrape_configs.map((j: Loose) => j.job_name)).to.deep.equal([
            "prometheus",
            "kubelet",
            "cadvisor",
            "kubernetes-pods",
            "kubernetes-pods-slow",
            "kubernetes-service-endpoints",
            "kubernetes-service-endpoints-slow",
            "kube-system",
        ]);
        expect(c).not.to.have.any.keys("rule_files", "alerting");
        expect(job(c, "prometheus").static_configs).to.deep.equal([{ targets: ["localhost:9090"] }]);
    });

    for (const [name, path] of [
        ["kubelet", "/metrics"],
        ["cadvisor", "/metrics/cadvisor"],
    ]) {
        it(`scrapes ${name} through the API server's node proxy with the service account`, () => {
            const j = job(render({ serviceAccountDir: "/sa" }), name);
            expect(j.authorization).to.deep.equal({ credentials_file: "/sa/token" });
            expect(j.tls_config).to.deep.equal({ ca_file: "/sa/ca.crt" });
            expect(j.relabel_configs).to.deep.include({
                target_label: "__address__",
                replacement: "kubernetes.default.svc:443",
            });
            expect(j.relabel_configs).to.deep.include({
                source_labels: ["__meta_kubernetes_node_name"],
                regex: "(.+)",
                target_label: "__metrics_path__",
                replacement: `/api/v1/nodes/$1/proxy${path}`,
            });
            expect(j.metric_relabel_configs[0].action).to.equal("drop");
        });
    }

    it("drops high-cardinality cAdvisor and kubelet series", () => {
        const c = render();
        expect(
            new RegExp(`^${job(c, "cadvisor").metric_relabel_configs[0].regex}$`).test("container_tasks_state"),
        ).to.equal(true);
        const kubelet = new RegExp(`^${job(c, "kubelet").metric_relabel_configs[0].regex}$`);
        expect(kubelet.test("workqueue_queue_duration_seconds_bucket")).to.equal(true);
        expect(kubelet.test("kubelet_running_pods")).to.equal(false);
    });

    it("scrapes annotated pods at the regular interval and scrape-slow ones at 5m, never both", () => {
        const c = render();
        const fast = job(c, "kubernetes-pods");
        const slow = job(c, "kubernetes-pods-slow");
        expect(fast.relabel_configs[0]).to.deep.equal({
            source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"],
            regex: "true",
            action: "keep",
        });
        expect(fast.relabel_configs[1]).to.deep.equal({
            source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_scrape_slow"],
            regex: "true",
            action: "drop",
        });
        expect(fast).not.to.have.property("scrape_interval");
        expect(slow.scrape_interval).to.equal("5m");
        expect(slow.relabel_configs[0].source_labels).to.deep.equal([
            "__meta_kubernetes_pod_annotation_prometheus_io_scrape_slow",
        ]);
        expect(job(c, "kubernetes-service-endpoints-slow").scrape_interval).to.equal("5m");
    });

    it("honours the path, port and scheme annotations", () => {
        const rules = job(render(), "kubernetes-service-endpoints").relabel_configs;
        const port = rules.find((r: Loose) =>
            r.source_labels?.includes("__meta_kubernetes_service_annotation_prometheus_io_port"),
        );
        const re = new RegExp(`^${port.regex}$`);
        const rewrite = (s: string) => s.replace(re, port.replacement.replace(/\$(\d)/g, "$$$1"));
        expect(rewrite("10.0.0.7:80;9100")).to.equal("10.0.0.7:9100");
        expect(rewrite("10.0.0.7;9100")).to.equal("10.0.0.7:9100");
        expect(rewrite("[fd00::7]:80;9100")).to.equal("[fd00::7]:9100");
        expect(rules).to.deep.include({
            source_labels: ["__meta_kubernetes_service_annotation_prometheus_io_path"],
            regex: "(.+)",
            target_label: "__metrics_path__",
        });
        expect(rules).to.deep.include({
            source_labels: ["__meta_kubernetes_service_annotation_prometheus_io_scheme"],
            regex: "(https?)",
            target_label: "__scheme__",
        });
    });

    it("adds node-exporter and kube-state-metrics jobs only when deployed, each in its own namespace", () => {
        const names = (c: Loose) => c.scrape_configs.map((j: Loose) => j.job_name);
        expect(names(render())).not.to.include.members(["node-exporter"]);
        const c = render({
            nodeExporter: true,
            kubeStateMetrics: true,
            agentNamespace: "mon",
            hostAgentsNamespace: "mon-host",
        });
        expect(job(c, "node-exporter").kubernetes_sd_configs).to.deep.equal([
            { role: "pod", namespaces: { names: ["mon-host"] } },
        ]);
        expect(job(c, "kube-state-metrics").kubernetes_sd_configs).to.deep.equal([
            { role: "pod", namespaces: { names: ["mon"] } },
        ]);
        expect(job(c, "kube-state-metrics").honor_labels).to.equal(true);
        expect(names(render({ kubeStateMetrics: true }))).not.to.include("node-exporter");
        // The defaults match the Agents component's: node-exporter runs with the host agents.
        const d = render({ nodeExporter: true, kubeStateMetrics: true });
        expect(job(d, "node-exporter").kubernetes_sd_configs).to.deep.equal([
            { role: "pod", namespaces: { names: ["mla-host-agents"] } },
        ]);
        expect(job(d, "kube-state-metrics").kubernetes_sd_configs).to.deep.equal([
            { role: "pod", namespaces: { names: ["mla-system"] } },
        ]);
    });

    it("appends custom scrape configs after the built-in jobs, unchanged", () => {
        const custom = { job_name: "app", static_configs: [{ targets: ["app.default.svc:8080"] }] };
        const c = render({ customScrapeConfigs: [custom] });
        expect(c.scrape_configs.at(-1)).to.deep.equal(custom);
    });

    it("rejects custom jobs without a name, with a duplicate name, or with a built-in name, listing all", () => {
        expect(
            customScrapeConfigProblems([
                { job_name: "a" },
                { job_name: "a" },
                { static_configs: [] },
                { job_name: "kubelet" },
            ]),
        ).to.deep.equal([
            'custom scrape config job_name "a" is used more than once or by a built-in job',
            "custom scrape config #3 has no job_name",
            'custom scrape config job_name "kubelet" is used more than once or by a built-in job',
        ]);
        expect(() => render({ customScrapeConfigs: [{ job_name: "prometheus" }] })).to.throw(
            'invalid custom scrape configs: custom scrape config job_name "prometheus" is used more than once or by a built-in job',
        );
    });
});

describe("rendered prometheus.yml under promtool check config", function () {
    this.timeout(30_000);
    let dir: string;
    let promtool: string;

    before(() => {
        promtool = requireBinary("promtool", "prometheus");
        dir = mkdtempSync(join(tmpdir(), "mla-promtool-"));
        // promtool checks that every referenced certificate, key and token file exists.
        for (const sub of ["tls", "sa"]) mkdirSync(join(dir, sub));
        for (const f of ["tls/ca.crt", "tls/tls.crt", "tls/tls.key", "sa/ca.crt", "sa/token"])
            writeFileSync(join(dir, f), "placeholder\n");
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("the Kubernetes SD stand-in rejects a malformed kubernetes_sd_configs block", () => {
        // The renderer refuses an unknown role itself, so the malformed block is written into its output.
        const text = renderPrometheusConfig({
            ...base,
            customScrapeConfigs: [{ job_name: "x", kubernetes_sd_configs: [{ role: "service" }] }],
        }).replace("- role: service", "- role: pods\n        foo: 1");
        expect(text).to.contain("role: pods");
        expect(() => withFileSdInsteadOfKubernetes(text, "/t.json")).to.throw(
            'malformed kubernetes_sd_configs: x: unknown role "pods"; x: unknown key foo',
        );
    });

    const cases: [string, Partial<PrometheusConfigInput>][] = [
        ["the defaults", {}],
        ["a short interval and both exporters", { scrapeInterval: "5s", nodeExporter: true, kubeStateMetrics: true }],
        [
            "custom scrape configs (static, kubernetes SD with relabelling, TLS to a file)",
            {
                customScrapeConfigs: [
                    {
                        job_name: "static-app",
                        metrics_path: "/stats",
                        scheme: "https",
                        tls_config: { ca_file: "TLS_DIR/ca.crt" },
                        static_configs: [{ targets: ["app:8080"], labels: { team: "a" } }],
                    },
                    {
                        job_name: "ingress",
                        scrape_interval: "1m",
                        kubernetes_sd_configs: [{ role: "service", namespaces: { names: ["ingress"] } }],
                        relabel_configs: [
                            { source_labels: ["__meta_kubernetes_service_name"], regex: "nginx.*", action: "keep" },
                        ],
                    },
                ],
            },
        ],
    ];
    for (const [label, over] of cases) {
        it(`accepts ${label}`, () => {
            const file = join(dir, `prometheus-${cases.findIndex((c) => c[0] === label)}.yml`);
            const custom = JSON.parse(
                JSON.stringify(over.customScrapeConfigs ?? []).replaceAll("TLS_DIR", join(dir, "tls")),
            );
            const text = renderPrometheusConfig({
                ...base,
                tls: tlsFilesIn(join(dir, "tls")),
                serviceAccountDir: join(dir, "sa"),
                ...over,
                customScrapeConfigs: custom,
            });
            writeFileSync(file, loadableBy(promtool, text, join(dir, "targets.json")));
            const r = spawnSync(promtool, ["check", "config", file], { encoding: "utf8" });
            expect(r.status, `${r.stdout}\n${r.stderr}`).to.equal(0);
        });
    }

    it("promtool rejects a broken relabel regex in the same text, so the check is real", () => {
        const file = join(dir, "broken.yml");
        const text = renderPrometheusConfig({
            ...base,
            tls: tlsFilesIn(join(dir, "tls")),
            serviceAccountDir: join(dir, "sa"),
        });
        writeFileSync(
            file,
            loadableBy(promtool, text, join(dir, "targets.json")).replace("regex: (https?)", "regex: (https?"),
        );
        const r = spawnSync(promtool, ["check", "config", file], { encoding: "utf8" });
        expect(r.status).to.not.equal(0);
    });
});
