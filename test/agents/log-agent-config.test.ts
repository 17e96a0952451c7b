import { expect } from "chai";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { renderAlloyConfig, type LogAgentConfigInput } from "../../components/agents/alloy-config";
import { logRelabelRules, type RelabelRule } from "../../components/agents/log-labels";
import { renderPromtailConfig } from "../../components/agents/promtail-config";
import { tlsFilesIn } from "../../components/agents/agent-configs";

const GOLDEN = join(__dirname, "..", "golden", "agents");
const input: LogAgentConfigInput = { gatewayUrl: "https://mla-c1.example.com:443/", tls: tlsFilesIn("/etc/mla/tls") };

/** Compares with a golden file; `UPDATE_GOLDEN=1` rewrites it (review the diff before committing). */
function golden(name: string, actual: string): void {
    const path = join(GOLDEN, name);
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(path, actual);
    expect(actual).to.equal(readFileSync(path, "utf8"));
}

/** Applies Prometheus relabel rules (replace/keep/drop, anchored regexes) to one label set. */
function relabel(rules: RelabelRule[], labels: Record<string, string>): Record<string, string> | undefined {
    const out = { ...labels };
    for (const r of rules) {
        const value = (r.source_labels ?? []).map((l) => out[l] ?? "").join(r.separator ?? ";");
        const re = new RegExp(`^(?:${r.regex ?? "(.*)"})$`);
        const m = re.exec(value);
        if (r.action === "keep" && !m) return undefined;
        if (r.action === "drop" && m) return undefined;
        if ((r.action ?? "replace") === "replace" && m && r.target_label) {
            const v = (r.replacement ?? "$1").replace(/\$(\d)/g, (_, i) => m[Number(i)] ?? "");
            if (v === "") delete out[r.target_label];
            else out[r.target_label] = v;
        }
    }
    return out;
}

const pod = {
    __meta_kubernetes_namespace: "shop",
    __meta_kubernetes_pod_name: "cart-7d9f-abcde",
    __meta_kubernetes_pod_container_name: "server",
    __meta_kubernetes_pod_uid: "1111-2222",
    __meta_kubernetes_pod_node_name: "worker-1",
    __meta_kubernetes_pod_phase: "Running",
};

describe("log agent labels", () => {
    it("labels namespace, pod, container, app, job=namespace/app, node_name and finds the CRI log files", () => {
        const labels = relabel(logRelabelRules(), { ...pod, __meta_kubernetes_pod_label_app: "cart" });
        expect(labels).to.include({
            namespace: "shop",
            pod: "cart-7d9f-abcde",
            container: "server",
            app: "cart",
            job: "shop/cart",
            node_name: "worker-1",
            __path__: "/var/log/pods/*1111-2222/server/*.log",
        });
    });

    it("prefers app.kubernetes.io/name, then app, then k8s-app, then the container name", () => {
        const app = (extra: Record<string, string>) => relabel(logRelabelRules(), { ...pod, ...extra })?.app;
        expect(
            app({ __meta_kubernetes_pod_label_app_kubernetes_io_name: "a", __meta_kubernetes_pod_label_app: "b" }),
        ).to.equal("a");
        expect(app({ __meta_kubernetes_pod_label_app: "b", __meta_kubernetes_pod_label_k8s_app: "c" })).to.equal("b");
        expect(app({ __meta_kubernetes_pod_label_k8s_app: "kube-dns" })).to.equal("kube-dns");
        expect(app({})).to.equal("server");
    });

    it("skips pending pods, which have no log files yet", () => {
        expect(relabel(logRelabelRules(), { ...pod, __meta_kubernetes_pod_phase: "Pending" })).to.equal(undefined);
    });
});

describe("renderAlloyConfig", () => {
    it("matches the golden config.alloy (no Alloy binary here: golden only)", () => {
        golden("config.alloy", renderAlloyConfig(input));
    });

    it("pushes to the gateway's Loki path with the client certificate and no tenant header", () => {
        const text = renderAlloyConfig(input);
        expect(text).to.contain('url = "https://mla-c1.example.com:443/loki/api/v1/push"');
        expect(text).to.contain('cert_file   = "/etc/mla/tls/tls.crt"');
        expect(text).not.to.match(/tenant_id|X-Scope-OrgID/i);
        expect(text).to.contain("stage.cri {}");
    });

    it("escapes quotes in paths so the River string stays one literal", () => {
        const text = renderAlloyConfig({ ...input, tls: tlsFilesIn('/odd"dir') });
        expect(text).to.contain('ca_file     = "/odd\\"dir/ca.crt"');
    });
});

describe("renderPromtailConfig", () => {
    it("matches the golden promtail.yaml", () => {
        golden("promtail.yaml", renderPromtailConfig(input));
    });

    it("parses as YAML with one CRI pipeline on this node's pods and the shared relabel rules", () => {
        const c = parse(renderPromtailConfig(input));
        expect(c.clients).to.deep.equal([
            {
                url: "https://mla-c1.example.com:443/loki/api/v1/push",
                tls_config: {
                    ca_file: "/etc/mla/tls/ca.crt",
                    cert_file: "/etc/mla/tls/tls.crt",
                    key_file: "/etc/mla/tls/tls.key",
                },
            },
        ]);
        expect(c.clients[0]).not.to.have.any.keys("tenant_id", "headers");
        const [job] = c.scrape_configs;
        expect(job.pipeline_stages).to.deep.equal([{ cri: {} }]);
        expect(job.kubernetes_sd_configs).to.deep.equal([
            { role: "pod", selectors: [{ role: "pod", field: "spec.nodeName=${NODE_NAME}" }] },
        ]);
        expect(job.relabel_configs).to.deep.equal(logRelabelRules());
        expect(c.positions.filename).to.equal("/run/promtail/positions.yaml");
    });
});
