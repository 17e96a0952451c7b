/**
 * Pulumi.yaml documents the stack config; these tests keep it true. The loaders run over the
 * example stack files through a source that records every key they ask for.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { stackFileConfigSource } from "../cli/commands/render-seed-values";
import { loadClusterSpec } from "../programs/cluster-config";
import { loadProjectSpec } from "../programs/project-config";
import { ConfigReader, type ConfigSource } from "../programs/config-reader";
import { loadSeedSettings } from "../programs/seed-config";

const root = join(__dirname, "..");
const declared = Object.keys(
    (parse(readFileSync(join(root, "Pulumi.yaml"), "utf8")) as { config: Record<string, unknown> }).config,
);

/** Wraps a source, recording every top-level key read; secrets read as present. */
function recording(base: ConfigSource): { source: ConfigSource; keys: Set<string> } {
    const keys = new Set<string>();
    return {
        keys,
        source: {
            namespace: base.namespace,
            get: (key) => (keys.add(`mla:${key}`), base.get(key)),
            getSecret: (key) => (keys.add(`mla:${key}`), pulumi.secret(`example-${key}`)),
        },
    };
}

function example(file: string): ConfigSource {
    return stackFileConfigSource(readFileSync(join(root, file), "utf8"));
}

describe("Pulumi.yaml config documentation", () => {
    const seed = recording(example("Pulumi.seed-example.yaml"));
    // The example's commented-out alternative: an external S3 endpoint, whose keys only then apply.
    const minioExample = example("Pulumi.seed-example.yaml");
    const s3 = recording({
        ...minioExample,
        get: (key) =>
            key === "objectStore"
                ? { type: "s3", endpoint: "s3.eu-west-1.amazonaws.com", region: "eu-west-1" }
                : minioExample.get(key),
    });
    const cluster = recording(example("Pulumi.cluster-example.yaml"));
    // A project stack's config (mla:kind project), as docs/grafana-access.md shows it.
    const projectValues: Record<string, unknown> = {
        kind: "project",
        project: "shop",
        seedStack: "acme/mla/seed-eu1",
        members: [{ login: "bob", role: "Editor" }],
        seedApi: { grafanaUrl: "https://grafana.example.com" },
    };
    const project = recording({ namespace: "mla", get: (key) => projectValues[key], getSecret: () => undefined });

    before(() => {
        loadSeedSettings(new ConfigReader(seed.source));
        loadSeedSettings(new ConfigReader(s3.source));
        loadClusterSpec(new ConfigReader(cluster.source));
        loadProjectSpec(new ConfigReader(project.source));
    });

    it("declares every key the seed and cluster loaders read", () => {
        const read = [...seed.keys, ...s3.keys, ...cluster.keys, ...project.keys];
        expect(read.filter((k) => !declared.includes(k))).to.deep.equal([]);
        // The recorder itself must have seen the loaders work.
        expect(read).to.include.members(["mla:namespace", "mla:clusterId", "mla:userKubeconfig"]);
    });

    it("declares no key that nothing reads (mla:kind is read by index.ts)", () => {
        const read = new Set([...seed.keys, ...s3.keys, ...cluster.keys, ...project.keys, "mla:kind"]);
        expect(declared.filter((k) => k.startsWith("mla:") && !read.has(k))).to.deep.equal([]);
    });

    it("uses only declared keys in the example stack files", () => {
        for (const file of ["Pulumi.seed-example.yaml", "Pulumi.cluster-example.yaml"]) {
            const keys = Object.keys(
                (parse(readFileSync(join(root, file), "utf8")) as { config: Record<string, unknown> }).config,
            );
            expect(
                keys.filter((k) => k.startsWith("mla:") && !declared.includes(k)),
                file,
            ).to.deep.equal([]);
        }
    });
});
