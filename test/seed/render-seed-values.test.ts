import { expect } from "chai";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { main } from "../../cli/cli";
import { seedChartValues } from "../../components/seed/seed-values";
import { defaultSeedPlan } from "../../spec/seed-plan";

function capture() {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) }, out, err };
}

describe("mla render seed-values", () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "mla-seed-values-"))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("writes exactly the values the seed passes to each chart, one <chart>-values.yaml each", async () => {
        const c = capture();
        expect(await main(["render", "seed-values", "--out", dir], c.io)).to.equal(0);
        expect(readdirSync(dir).sort()).to.deep.equal([
            "cortex-values.yaml",
            "grafana-values.yaml",
            "loki-values.yaml",
            "minio-values.yaml",
        ]);
        const expected = seedChartValues(defaultSeedPlan());
        for (const chart of ["cortex", "loki", "grafana", "minio"] as const) {
            expect(parse(readFileSync(join(dir, `${chart}-values.yaml`), "utf8")), chart).to.deep.equal(
                expected[chart],
            );
        }
        expect(readFileSync(join(dir, "cortex-values.yaml"), "utf8").split("\n")[0]).to.equal(
            '# cortex 3.3.4 from https://cortexproject.github.io/cortex-helm-chart, release "cortex", namespace "mla"',
        );
    });

    it("renders a stack's config file, without MinIO for an external S3 store and without reading secrets", async () => {
        const stack = join(dir, "Pulumi.seed.yaml");
        writeFileSync(
            stack,
            [
                "config:",
                "  mla:kind: seed",
                "  mla:namespace: observability",
                "  mla:objectStore:",
                "    type: s3",
                "    endpoint: s3.example.com",
                "  mla:s3AccessKeyId:",
                "    secure: v1:abc",
                "  mla:s3SecretAccessKey:",
                "    secure: v1:def",
                "",
            ].join("\n"),
        );
        const out = join(dir, "out");
        expect(await main(["render", "seed-values", "--out", out, "--stack-config", stack], capture().io)).to.equal(0);
        expect(readdirSync(out).sort()).to.deep.equal([
            "cortex-values.yaml",
            "grafana-values.yaml",
            "loki-values.yaml",
        ]);
        const cortex = parse(readFileSync(join(out, "cortex-values.yaml"), "utf8"));
        expect(cortex.config.blocks_storage.s3.endpoint).to.equal("s3.example.com");
        expect(cortex.alertmanager.sidecar.searchNamespace).to.equal("observability");
    });

    it("accepts the committed example seed config (Pulumi.seed-example.yaml) without problems", async () => {
        const out = join(dir, "example");
        expect(
            await main(
                ["render", "seed-values", "--out", out, "--stack-config", "Pulumi.seed-example.yaml"],
                capture().io,
            ),
        ).to.equal(0);
        const cortex = parse(readFileSync(join(out, "cortex-values.yaml"), "utf8"));
        expect(cortex.ingester.resources).to.deep.equal({
            requests: { cpu: "1", memory: "4Gi" },
            limits: { memory: "8Gi" },
        });
        expect(cortex.querier.resources).to.deep.equal({ requests: { cpu: "500m", memory: "1Gi" } });
    });

    it("fails with usage when --out is missing", async () => {
        const c = capture();
        expect(await main(["render", "seed-values"], c.io)).to.equal(2);
        expect(c.err.join("")).to.contain("mla render seed-values: --out is required");
    });
});
