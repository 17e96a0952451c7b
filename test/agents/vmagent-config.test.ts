import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { renderPrometheusConfig } from "../../components/agents/prometheus-config";
import { renderVmagentConfig, vmagentFlags, type VmagentConfigInput } from "../../components/agents/vmagent-config";
import { makeCa } from "../support/pki";
import { pkiProfile } from "../../components/pki/pki-profile";
import { requireBinary } from "./binaries";
import { kubernetesSdProblems } from "./kubernetes-sd";

const base: VmagentConfigInput = { clusterId: "c1" };
const tls = { caFile: "/t/ca.crt", certFile: "/t/tls.crt", keyFile: "/t/tls.key" };

describe("vmagent config", () => {
    it("runs exactly the Prometheus agent's scrape jobs, apart from the self-scrape port", () => {
        const input = {
            ...base,
            nodeExporter: true,
            kubeStateMetrics: true,
            customScrapeConfigs: [{ job_name: "app", static_configs: [{ targets: ["a:1"] }] }],
        };
        const vm = parse(renderVmagentConfig(input));
        const prom = parse(renderPrometheusConfig({ ...input, gatewayUrl: "https://gw", tls }));
        expect(vm.global).to.deep.equal(prom.global);
        expect(vm.global.external_labels).to.deep.equal({ cluster: "c1" });
        expect(vm.scrape_configs.slice(1)).to.deep.equal(prom.scrape_configs.slice(1));
        expect(vm.scrape_configs[0]).to.deep.equal({
            job_name: "prometheus",
            static_configs: [{ targets: ["localhost:8429"] }],
        });
        expect(prom.scrape_configs[0].static_configs[0].targets).to.deep.equal(["localhost:9090"]);
        // Remote write is in vmagent's flags, never in its scrape config.
        expect(vm).to.not.have.property("remote_write");
    });

    it("refuses the custom configs the Prometheus renderer refuses, with the same message", () => {
        const custom = [{ job_name: "kubelet" }];
        expect(() => renderVmagentConfig({ ...base, customScrapeConfigs: custom })).to.throw(
            'invalid custom scrape configs: custom scrape config job_name "kubelet" is used more than once or by a built-in job',
        );
    });

    it("builds remote-write flags: mTLS to the gateway's push path and a capped on-disk buffer", () => {
        expect(
            vmagentFlags({
                configFile: "/c/vmagent.yml",
                gatewayUrl: "https://gw.example:8443/",
                tls,
                dataDir: "/buf",
            }),
        ).to.deep.equal([
            "-promscrape.config=/c/vmagent.yml",
            "-promscrape.config.strictParse=true",
            "-httpListenAddr=:8429",
            "-remoteWrite.url=https://gw.example:8443/api/v1/push",
            "-remoteWrite.tlsCAFile=/t/ca.crt",
            "-remoteWrite.tlsCertFile=/t/tls.crt",
            "-remoteWrite.tlsKeyFile=/t/tls.key",
            "-remoteWrite.tmpDataPath=/buf",
            "-remoteWrite.maxDiskUsagePerURL=1GiB",
        ]);
        expect(
            vmagentFlags({
                configFile: "/c",
                gatewayUrl: "https://gw",
                tls,
                dataDir: "/b",
                maxDiskUsage: "600MiB",
                listenAddress: "127.0.0.1:9",
            }),
        ).to.include.members(["-remoteWrite.maxDiskUsagePerURL=600MiB", "-httpListenAddr=127.0.0.1:9"]);
    });
});

describe("rendered vmagent.yml under vmagent -dryRun (Kubernetes discovery included)", function () {
    this.timeout(30_000);
    let dir: string;
    let vmagent: string;
    let sa: string;

    before(async () => {
        vmagent = requireBinary("vmagent", "victoria-metrics");
        dir = mkdtempSync(join(tmpdir(), "mla-vmagent-dry-"));
        // vmagent parses every referenced CA file; the token only has to exist.
        sa = join(dir, "sa");
        const ca = await makeCa(pkiProfile("c1").ca);
        mkdirSync(sa, { recursive: true });
        writeFileSync(join(sa, "ca.crt"), ca.certPem);
        writeFileSync(join(sa, "token"), "token\n");
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    function dryRun(text: string, n: string): { status: number | null; output: string } {
        const file = join(dir, `${n}.yml`);
        writeFileSync(file, text);
        const r = spawnSync(vmagent, ["-dryRun", `-promscrape.config=${file}`, "-loggerLevel=ERROR"], {
            encoding: "utf8",
        });
        return { status: r.status, output: `${r.stdout}${r.stderr}` };
    }

    const cases: [string, Partial<VmagentConfigInput>][] = [
        ["the defaults", {}],
        ["both exporters and a short interval", { nodeExporter: true, kubeStateMetrics: true, scrapeInterval: "5s" }],
        [
            "custom jobs with Kubernetes discovery, relabelling and TLS",
            {
                customScrapeConfigs: [
                    {
                        job_name: "ingress",
                        kubernetes_sd_configs: [{ role: "endpointslice", namespaces: { names: ["ingress"] } }],
                        relabel_configs: [{ action: "labelmap", regex: "__meta_kubernetes_service_label_(.+)" }],
                    },
                    {
                        job_name: "static-app",
                        scheme: "https",
                        tls_config: { ca_file: "SA/ca.crt" },
                        static_configs: [{ targets: ["app:8443"] }],
                    },
                ],
            },
        ],
    ];
    cases.forEach(([label, over], i) => {
        it(`accepts ${label}`, () => {
            const custom = JSON.parse(JSON.stringify(over.customScrapeConfigs ?? []).replaceAll("SA/", `${sa}/`));
            const text = renderVmagentConfig({ ...base, serviceAccountDir: sa, ...over, customScrapeConfigs: custom });
            // vmagent does not check discovery roles in a dry run; the stand-in's shape check does.
            for (const job of parse(text).scrape_configs)
                for (const sd of job.kubernetes_sd_configs ?? [])
                    expect(kubernetesSdProblems(job.job_name, sd)).to.deep.equal([]);
            expect(
                parse(text).scrape_configs.filter((j: { kubernetes_sd_configs?: unknown }) => j.kubernetes_sd_configs)
                    .length,
            ).to.be.greaterThan(5);
            const r = dryRun(text, `ok-${i}`);
            expect(r.status, r.output).to.equal(0);
        });
    });

    it("vmagent refuses a broken relabel regex in the same text, so the check is real", () => {
        const text = renderVmagentConfig({ ...base, serviceAccountDir: sa }).replace(
            "regex: (https?)",
            "regex: (https?",
        );
        const r = dryRun(text, "broken");
        expect(r.status).to.not.equal(0);
        expect(r.output).to.contain("cannot parse");
    });
});
