import { expect } from "chai";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { renderAlertmanagerConfig } from "../../components/tenant/alertmanager-config";
import { main } from "../../cli/cli";
import { applyClusterDefaults } from "../../spec/cluster-defaults";
import { installMocks, ofType, resetResources, settledResources } from "../support/mocks";
import { runBinary, tempDir } from "./binaries";
import { validTenant } from "./tenant-fixture";

installMocks();
// Imported after the mocks, as the Pulumi docs require (TypeScript emits imports in source order).
import { Tenant } from "../../components/tenant/tenant";

/** Runs `mla ...` in-process and captures its output. */
async function mla(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
}

describe("mla render alertmanager|rules|limits", () => {
    const tmp = tempDir("mla-render-tenant-");
    after(() => tmp.cleanup());
    const config = tmp.write("tenant.yaml", stringify(validTenant({ purgeOnDestroy: true })));

    it("alertmanager without inputs writes the null-receiver default, which amtool accepts", async () => {
        const out = join(tmp.dir, "am-default");
        const run = await mla("render", "alertmanager", "--cluster-id", "c1", "--out", out);
        expect(run).to.deep.equal({ code: 0, out: `${join(out, "alertmanager.yml")}\n`, err: "" });
        expect(readFileSync(join(out, "alertmanager.yml"), "utf8")).to.contain('receiver: "null"');
        const check = await runBinary("amtool", ["check-config", join(out, "alertmanager.yml")]);
        expect(check.code, check.output).to.equal(0);
    });

    it("alertmanager from --config writes the owner's config, which amtool accepts", async () => {
        const out = join(tmp.dir, "am-owner");
        expect(
            (await mla("render", "alertmanager", "--cluster-id", "c1", "--out", out, "--config", config)).code,
        ).to.equal(0);
        expect(readFileSync(join(out, "alertmanager.yml"), "utf8")).to.equal(
            renderAlertmanagerConfig(validTenant().alertmanagerConfig),
        );
        const check = await runBinary("amtool", ["check-config", join(out, "alertmanager.yml")]);
        expect(check.code, check.output).to.equal(0);
    });

    it("rules writes metric files that promtool accepts, and the owner's log rules", async () => {
        const out = join(tmp.dir, "rules");
        expect((await mla("render", "rules", "--cluster-id", "c1", "--out", out, "--config", config)).code).to.equal(0);
        const check = await runBinary("promtool", [
            "check",
            "rules",
            join(out, "metrics-rules.yml"),
            join(out, "metrics-rules-defaults.yml"),
            join(out, "mla-serve-rules.yml"),
        ]);
        expect(check.code, check.output).to.equal(0);
        expect(readFileSync(join(out, "logs-rules.yml"), "utf8")).to.contain("count_over_time");
    });

    it("limits writes both fragments; flags override the config file", async () => {
        const out = join(tmp.dir, "limits");
        const run = await mla(
            "render",
            "limits",
            "--cluster-id",
            "c1",
            "--out",
            out,
            "--config",
            config,
            "--retention-logs",
            "336h",
        );
        expect(run.code).to.equal(0);
        expect(readFileSync(join(out, "cortex-overrides.yaml"), "utf8")).to.contain(
            `    compactor_blocks_retention_period: ${validTenant().retention.metrics}\n`,
        );
        const loki = readFileSync(join(out, "loki-overrides.yaml"), "utf8");
        expect(loki).to.contain("    retention_period: 336h\n");
        expect(loki).to.not.contain("deletion_mode");
    });

    it("limits without a config writes exactly the overrides the Tenant deploys for the cluster stack's default spec", async () => {
        const out = join(tmp.dir, "limits-default");
        expect((await mla("render", "limits", "--cluster-id", "c9", "--out", out)).code).to.equal(0);
        // The spec the cluster stack resolves when its config sets no tenant fields at all.
        const spec = applyClusterDefaults({
            clusterId: "c9",
            project: "p",
            seedStack: "seed",
            seedKubeconfig: "k",
            userKubeconfig: "k",
        });
        resetResources();
        new Tenant("t", { clusterId: "c9", project: "p", tenant: spec.tenant, orgId: 1 });
        const maps = ofType(await settledResources(), "kubernetes:core/v1:ConfigMap");
        const deployed = (name: string) =>
            maps.find((m) => m.inputs.metadata.name === name)?.inputs.data["overrides.yaml"];
        const cortex = deployed("mla-overrides-cortex-c9");
        const loki = deployed("mla-overrides-loki-c9");
        expect(cortex).to.be.a("string").and.contain("max_global_series_per_user");
        expect(loki).to.be.a("string").and.contain("max_global_streams_per_user");
        expect(readFileSync(join(out, "cortex-overrides.yaml"), "utf8")).to.equal(cortex);
        expect(readFileSync(join(out, "loki-overrides.yaml"), "utf8")).to.equal(loki);
    });

    it("a broken owner config is listed with every problem, exit code 1, and nothing is written", async () => {
        const am = tmp.write("broken-am.yml", "route:\n  receiver: nobody\nreceivers:\n  - name: a\n");
        const out = join(tmp.dir, "broken");
        const run = await mla(
            "render",
            "alertmanager",
            "--cluster-id",
            "c1",
            "--out",
            out,
            "--alertmanager-config",
            am,
            "--retention-metrics",
            "1h",
        );
        expect(run.code).to.equal(1);
        expect(run.err).to.equal(
            [
                "2 problems in tenant config:",
                '  - alertmanagerConfig.route.receiver "nobody" is not one of the receivers',
                '  - tenant.retention.metrics must be at least 24h, got "1h"',
                "",
            ].join("\n"),
        );
        expect(existsSync(out)).to.equal(false);
    });

    it("a missing --cluster-id is a usage error (exit 2)", async () => {
        const run = await mla("render", "limits", "--out", tmp.dir);
        expect(run.code).to.equal(2);
        expect(run.err).to.match(/^mla render limits: --cluster-id is required/);
    });
});
