import { expect } from "chai";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { installMocks, ofType, resetResources, settledResources } from "../support/mocks";

installMocks();

import * as k8s from "@pulumi/kubernetes";
import { Agents } from "../../components/agents/agents";
import { main } from "../../cli/cli";

type DeploymentInputs = { spec: { template: { spec: { containers: { args: string[] }[] } } } };
const podArgs = (r: { inputs: unknown }): string[] =>
    (r.inputs as DeploymentInputs).spec.template.spec.containers[0].args;

describe("mla render agent", () => {
    let dir: string;
    const io = () => {
        const captured = { out: "", err: "" };
        return { captured, io: { out: (t: string) => (captured.out += t), err: (t: string) => (captured.err += t) } };
    };
    before(() => (dir = mkdtempSync(join(tmpdir(), "mla-render-agent-"))));
    after(() => rmSync(dir, { recursive: true, force: true }));

    const combos = [
        ["prometheus", "alloy"],
        ["vmagent", "promtail"],
        ["vmagent", "alloy"],
    ] as const;
    for (const [metricsAgent, agent] of combos) {
        it(`writes the same bytes the Agents component deploys (${metricsAgent}, ${agent})`, async () => {
            const custom = [{ job_name: "app", static_configs: [{ targets: ["app.default.svc:8080"] }] }];
            writeFileSync(
                join(dir, "custom.yaml"),
                "- job_name: app\n  static_configs:\n    - targets: [app.default.svc:8080]\n",
            );
            const out = join(dir, `${metricsAgent}-${agent}`);
            const { io: cliIo } = io();
            const code = await main(
                [
                    "render",
                    "agent",
                    "--cluster-id",
                    "c1",
                    "--gateway-url",
                    "https://mla-c1.example.com",
                    "--out",
                    out,
                    "--log-agent",
                    agent,
                    "--metrics-agent",
                    metricsAgent,
                    "--node-exporter",
                    "--custom-scrape-configs",
                    join(dir, "custom.yaml"),
                ],
                cliIo,
            );
            expect(code).to.equal(0);
            const logFile = agent === "alloy" ? "config.alloy" : "promtail.yaml";
            const metricsFiles = metricsAgent === "vmagent" ? ["vmagent.flags", "vmagent.yml"] : ["prometheus.yml"];
            expect(readdirSync(out).sort()).to.deep.equal([logFile, ...metricsFiles].sort());

            resetResources();
            const provider = new k8s.Provider("user", { kubeconfig: "fake" });
            new Agents(
                "agents",
                {
                    clusterId: "c1",
                    gatewayUrl: "https://mla-c1.example.com",
                    tls: {
                        caCertPem: "",
                        metricsClientCertPem: "",
                        metricsClientKeyPem: "",
                        logsClientCertPem: "",
                        logsClientKeyPem: "",
                    },
                    monitoring: { enabled: true, agent: metricsAgent, nodeExporter: true, customScrapeConfigs: custom },
                    logging: { enabled: true, agent },
                },
                { providers: { kubernetes: provider } },
            );
            const deployed = Object.assign(
                {},
                ...ofType(await settledResources(), "kubernetes:core/v1:ConfigMap").map((r) => r.inputs.data),
            );
            const metricsFile = metricsFiles.at(-1) as string;
            expect(readFileSync(join(out, metricsFile), "utf8")).to.equal(deployed[metricsFile]);
            expect(readFileSync(join(out, logFile), "utf8")).to.equal(deployed[logFile]);
            if (metricsAgent === "vmagent") {
                // The flags file is the deployed container's args, but for where the config file is.
                const args = podArgs(ofType(await settledResources(), "kubernetes:apps/v1:Deployment")[0]);
                const local = readFileSync(join(out, "vmagent.flags"), "utf8").trim().split("\n");
                expect(local).to.deep.equal(
                    args.map((a) =>
                        a.startsWith("-promscrape.config=") ? `-promscrape.config=${join(out, "vmagent.yml")}` : a,
                    ),
                );
            }
        });
    }

    it("writes only what is enabled", async () => {
        const out = join(dir, "metrics-only");
        const { io: cliIo, captured } = io();
        expect(
            await main(
                [
                    "render",
                    "agent",
                    "--cluster-id",
                    "c1",
                    "--gateway-url",
                    "https://gw",
                    "--out",
                    out,
                    "--no-logs",
                    "--metrics-agent",
                    "prometheus",
                ],
                cliIo,
            ),
        ).to.equal(0);
        expect(readdirSync(out)).to.deep.equal(["prometheus.yml"]);
        expect(captured.out).to.equal(`wrote ${join(out, "prometheus.yml")}\n`);
        const logsOnly = join(dir, "logs-only");
        expect(
            await main(
                [
                    "render",
                    "agent",
                    "--cluster-id",
                    "c1",
                    "--gateway-url",
                    "https://gw",
                    "--out",
                    logsOnly,
                    "--no-metrics",
                ],
                io().io,
            ),
        ).to.equal(0);
        expect(readdirSync(logsOnly)).to.deep.equal(["config.alloy"]);
    });

    it("answers usage errors with exit code 2 and the reason", async () => {
        const cases: [string[], string][] = [
            [["--gateway-url", "https://gw", "--out", dir], "--cluster-id is required"],
            [
                ["--cluster-id", "c1", "--gateway-url", "http://gw", "--out", dir],
                '--gateway-url must be https://host[:port], got "http://gw"',
            ],
            [
                ["--cluster-id", "c1", "--gateway-url", "https://gw", "--out", dir, "--log-agent", "fluentd"],
                '--log-agent must be alloy or promtail, got "fluentd"',
            ],
            [
                ["--cluster-id", "c1", "--gateway-url", "https://gw", "--out", dir, "--metrics-agent", "telegraf"],
                '--metrics-agent must be vmagent or prometheus, got "telegraf"',
            ],
        ];
        for (const [args, message] of cases) {
            const { io: cliIo, captured } = io();
            expect(await main(["render", "agent", ...args], cliIo)).to.equal(2);
            expect(captured.err).to.contain(message);
        }
    });
});
