/**
 * Custom scrape configs: each refusal and each acceptance of `customScrapeConfigProblems` is
 * cross-checked against both real parsers, promtool (`check config`) and vmagent (`-dryRun`,
 * strict parsing). Refused by us ⇔ refused by at least one of them; the check never lets
 * through what an agent would refuse at start, and never refuses what both accept.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { customScrapeConfigProblems } from "../../spec/checks/custom-scrape-configs";
import { SCRAPE_CONFIG_FIELDS, RELABEL_ACTIONS } from "../../spec/checks/scrape-config-fields";
import { requireBinary } from "./binaries";
import { loadableBy } from "./kubernetes-sd";

type Config = Record<string, unknown>;
const job = (name: string, extra: Config = {}): Config => ({
    job_name: name,
    static_configs: [{ targets: ["app:8080"] }],
    ...extra,
});

/** [label, custom configs, our exact problems (empty = accepted)] */
const CASES: [string, Config[], string[]][] = [
    [
        "a static job with relabelling and metric drops",
        [
            job("app", {
                relabel_configs: [{ source_labels: ["__address__"], regex: "app:.*", action: "keep" }],
                metric_relabel_configs: [{ source_labels: ["__name__"], regex: "go_.*", action: "drop" }],
            }),
        ],
        [],
    ],
    [
        "Kubernetes discovery with labelmap and lowercase",
        [
            {
                job_name: "k",
                kubernetes_sd_configs: [{ role: "pod", namespaces: { names: ["apps"] } }],
                relabel_configs: [
                    { action: "labelmap", regex: "__meta_kubernetes_pod_label_(.+)" },
                    { source_labels: ["pod"], target_label: "pod", action: "lowercase" },
                ],
            },
        ],
        [],
    ],
    [
        "scheme, path, params, honor_labels, sample_limit, interval and timeout",
        [
            job("tuned", {
                scheme: "https",
                metrics_path: "/stats",
                params: { format: ["prometheus"] },
                honor_labels: true,
                sample_limit: 5000,
                scrape_interval: "1m",
                scrape_timeout: "20s",
                tls_config: { insecure_skip_verify: true },
            }),
        ],
        [],
    ],
    [
        "DNS discovery and hashmod sharding",
        [
            {
                job_name: "dns",
                dns_sd_configs: [{ names: ["app.example"], type: "A", port: 9100 }],
                relabel_configs: [
                    { source_labels: ["__address__"], modulus: 4, target_label: "__tmp_shard", action: "hashmod" },
                    { source_labels: ["__tmp_shard"], regex: "0", action: "keep" },
                ],
            },
        ],
        [],
    ],
    [
        "a stray remote_write inside a job",
        [job("app", { remote_write: [{ url: "https://elsewhere/api/v1/push" }] })],
        [
            `custom scrape config "app": unknown field "remote_write" (the metrics agents accept ${SCRAPE_CONFIG_FIELDS.join(", ")})`,
        ],
    ],
    [
        "target_limit (vmagent refuses it)",
        [job("app", { target_limit: 10 })],
        [
            `custom scrape config "app": unknown field "target_limit" (the metrics agents accept ${SCRAPE_CONFIG_FIELDS.join(", ")})`,
        ],
    ],
    [
        "enable_http2 (vmagent refuses it)",
        [job("app", { enable_http2: true })],
        [
            `custom scrape config "app": unknown field "enable_http2" (the metrics agents accept ${SCRAPE_CONFIG_FIELDS.join(", ")})`,
        ],
    ],
    [
        "an unknown relabel action",
        [job("app", { relabel_configs: [{ action: "bogus" }] })],
        [`custom scrape config "app": relabel_configs[0].action "bogus" must be one of ${RELABEL_ACTIONS.join(", ")}`],
    ],
    [
        "keepequal (vmagent 1.79 refuses it)",
        [job("app", { relabel_configs: [{ source_labels: ["a"], target_label: "b", action: "keepequal" }] })],
        [
            `custom scrape config "app": relabel_configs[0].action "keepequal" must be one of ${RELABEL_ACTIONS.join(", ")}`,
        ],
    ],
    [
        "vmagent's drop_if_equal (Prometheus refuses it)",
        [job("app", { metric_relabel_configs: [{ source_labels: ["a", "b"], action: "drop_if_equal" }] })],
        [
            `custom scrape config "app": metric_relabel_configs[0].action "drop_if_equal" must be one of ${RELABEL_ACTIONS.join(", ")}`,
        ],
    ],
    [
        "vmagent's `if` in a relabel rule (Prometheus refuses it)",
        [job("app", { relabel_configs: [{ if: '{job="x"}', action: "drop" }] })],
        ['custom scrape config "app": relabel_configs[0]: unknown field "if"'],
    ],
    [
        "duplicate job names",
        [job("app"), job("app")],
        ['custom scrape config job_name "app" is used more than once or by a built-in job'],
    ],
    [
        "a malformed interval",
        [job("app", { scrape_interval: "10x" })],
        ['custom scrape config "app": scrape_interval must be a duration like 30s, got "10x"'],
    ],
    ["a job without a name", [{ static_configs: [{ targets: ["a:1"] }] }], ["custom scrape config #1 has no job_name"]],
];

describe("custom scrape configs, cross-checked against promtool and vmagent", function () {
    this.timeout(60_000);
    let dir: string;
    let promtool: string;
    let vmagent: string;

    before(() => {
        promtool = requireBinary("promtool", "prometheus");
        vmagent = requireBinary("vmagent", "victoria-metrics");
        dir = mkdtempSync(join(tmpdir(), "mla-scrape-checks-"));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    /** Whether each real parser accepts a config holding just these scrape configs. */
    function parsers(configs: Config[], n: number): { promtool: string | null; vmagent: string | null } {
        const text = stringify({ global: { scrape_interval: "30s" }, scrape_configs: configs });
        const vmFile = join(dir, `vm-${n}.yml`);
        writeFileSync(vmFile, text);
        const vm = spawnSync(vmagent, ["-dryRun", `-promscrape.config=${vmFile}`, "-loggerLevel=ERROR"], {
            encoding: "utf8",
        });
        const ptFile = join(dir, `pt-${n}.yml`);
        writeFileSync(ptFile, loadableBy(promtool, text, join(dir, "targets.json")));
        const pt = spawnSync(promtool, ["check", "config", ptFile], { encoding: "utf8" });
        return {
            promtool: pt.status === 0 ? null : `${pt.stdout}${pt.stderr}`,
            vmagent: vm.status === 0 ? null : `${vm.stdout}${vm.stderr}`,
        };
    }

    CASES.forEach(([label, configs, expected], n) => {
        it(`${expected.length === 0 ? "accepts" : "refuses"} ${label}, as the real parsers do`, () => {
            expect(customScrapeConfigProblems(configs)).to.deep.equal(expected);
            const real = parsers(configs, n);
            if (expected.length === 0) {
                expect(real, "both parsers accept what we accept").to.deep.equal({ promtool: null, vmagent: null });
            } else {
                expect(
                    real.promtool !== null || real.vmagent !== null,
                    "at least one parser refuses what we refuse",
                ).to.equal(true);
            }
        });
    });

    it("every allowed relabel action passes both parsers", () => {
        const rules = RELABEL_ACTIONS.map((action) =>
            ["labelmap", "labeldrop", "labelkeep"].includes(action)
                ? { action, regex: action === "labelkeep" ? ".+" : "__tmp_x_(.+)" }
                : {
                      action,
                      source_labels: ["__address__"],
                      target_label: "__tmp_y",
                      ...(action === "hashmod" ? { modulus: 2 } : {}),
                      ...(action === "keep" ? { regex: ".*" } : {}),
                      ...(action === "drop" ? { regex: "never" } : {}),
                  },
        );
        const configs = [job("all-actions", { relabel_configs: rules })];
        expect(customScrapeConfigProblems(configs)).to.deep.equal([]);
        expect(parsers(configs, 100)).to.deep.equal({ promtool: null, vmagent: null });
    });
});
