/**
 * `mla render seed` and `mla render cluster`: every Kubernetes object a stack applies, one YAML
 * file per object in apply order, grouped by the cluster it lands in (`seed/`, `user/`). The real
 * programs run against a recording engine (nothing is created); charts are expanded by the real
 * `helm template` when Helm and the pinned charts are at hand.
 */
import { existsSync, readFileSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec } from "../../spec/cluster-spec";
import { PROJECT_ORG_ID_OUTPUT, projectStackName } from "../../spec/project-spec";
import type { SeedSettings } from "../../programs/seed-config";
import { manifestFiles, type HelmSource } from "../render/manifests";
import { RecordingEngine, resolveOutputs } from "../render/recording-engine";
import { parseFlags, requireFlag, writeFiles } from "./args";
import { type Command, UsageError } from "./command";
import { stackFileConfigSource } from "./render-seed-values";

/** The seed stack name the rendered cluster stack references. */
const RENDER_SEED_STACK = "mla/seed";

/** The org id the rendered cluster reads from its project stack: a placeholder, Grafana assigns the real one. */
const RENDER_ORG_ID = 1;

const HELM_FLAGS = [
    "Charts (expanded with the real `helm template` when both are found, else written as chart,",
    "version, repository and exact values):",
    "  --charts-dir DIR        folder with one sub-folder per pinned chart (default $MLA_CHARTS_DIR)",
    "  --helm PATH             the helm binary (default $MLA_HELM, then `helm` on PATH, then the",
    "                          one `scripts/extract-helm.ts` unpacks into node_modules/.cache/mla-helm)",
];

/** Finds Helm and the charts folder from flags, environment and the usual places. */
export function helmSource(flags: { "charts-dir"?: string; helm?: string }): HelmSource | undefined {
    const chartsDir = flags["charts-dir"] ?? process.env.MLA_CHARTS_DIR;
    if (chartsDir === undefined || !existsSync(chartsDir)) return undefined;
    const candidates = [
        flags.helm,
        process.env.MLA_HELM,
        ...(process.env.PATH ?? "").split(delimiter).map((d) => join(d, "helm")),
        resolve(__dirname, "../../node_modules/.cache/mla-helm/helm"),
    ];
    const helm = candidates.find((c): c is string => c !== undefined && c !== "" && existsSync(c));
    return helm === undefined ? undefined : { helm, chartsDir };
}

function readConfig(file: string | undefined) {
    if (file === undefined) return undefined;
    try {
        return stackFileConfigSource(readFileSync(file, "utf8"));
    } catch (e) {
        throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
    }
}

/** Runs the seed program on `engine`; its registered resources and resolved outputs. */
async function recordSeed(engine: RecordingEngine, seedConfig: string | undefined) {
    /* eslint-disable @typescript-eslint/no-require-imports -- programs load after the engine is installed */
    const { ConfigReader } = require("../../programs/config-reader") as typeof import("../../programs/config-reader");
    const { loadSeedSettings } = require("../../programs/seed-config") as typeof import("../../programs/seed-config");
    const { seedProgram } = require("../../programs/seed") as typeof import("../../programs/seed");
    /* eslint-enable @typescript-eslint/no-require-imports */
    const source = readConfig(seedConfig) ?? { namespace: "mla", get: () => undefined, getSecret: () => undefined };
    const settings: SeedSettings = loadSeedSettings(new ConfigReader(source));
    engine.reset();
    const outputs = await resolveOutputs(seedProgram(settings));
    return { resources: await engine.settled(), outputs };
}

export const renderSeed: Command = {
    name: "render seed",
    summary: "Write every Kubernetes object the seed stack applies, one file each, in apply order",
    usage: [
        "Usage: mla render seed --out DIR [--stack-config Pulumi.<seed>.yaml] [chart options]",
        "",
        "Runs the seed program against a recording engine (nothing is created) and writes",
        "DIR/seed/NNN-<kind>-<name>.yaml for every object. Generated secrets, keys and",
        "certificates are placeholders (<generated:NAME>); secret config is never read.",
        "",
        "  --out DIR               directory to write into (created if missing)",
        "  --stack-config FILE     a seed stack's config file (default: the built-in defaults)",
        ...HELM_FLAGS,
        "",
    ].join("\n"),
    async run(args, io) {
        const flags = parseFlags(args, {
            out: { type: "string" },
            "stack-config": { type: "string" },
            "charts-dir": { type: "string" },
            helm: { type: "string" },
        });
        const out = requireFlag(flags.out, "out");
        const engine = new RecordingEngine("seed");
        const { resources } = await recordSeed(engine, flags["stack-config"]);
        const files = manifestFiles(resources, helmSource(flags));
        for (const path of writeFiles(out, Object.fromEntries(files.map((f) => [f.path, f.content]))))
            io.out(`${path}\n`);
        return 0;
    },
};

export const renderCluster: Command = {
    name: "render cluster",
    summary: "Write every Kubernetes object a cluster stack applies (seed side and user cluster)",
    usage: [
        "Usage: mla render cluster --out DIR (--cluster-id ID [--project P] [--hostname H] |",
        "                          --stack-config Pulumi.<cluster>.yaml) [--seed-config FILE]",
        "",
        "Runs the seed program, then the cluster program against the seed's outputs, on a",
        "recording engine (nothing is created), and writes DIR/seed/… (objects in the seed) and",
        "DIR/user/… (objects in the user cluster), in apply order. The seed's own objects are",
        "not written (see `mla render seed`).",
        "",
        "  --out DIR               directory to write into (created if missing)",
        "  --cluster-id ID         the cluster (DNS-1123 label)",
        "  --project P             its project (default: the cluster id)",
        "  --hostname H            the gateway's external name (default mla-<id>.example.com)",
        "  --stack-config FILE     a cluster stack's config file instead of the three flags above",
        "  --seed-config FILE      the seed stack's config file (default: the built-in defaults)",
        "",
    ].join("\n"),
    async run(args, io) {
        const flags = parseFlags(args, {
            out: { type: "string" },
            "cluster-id": { type: "string" },
            project: { type: "string" },
            hostname: { type: "string" },
            "stack-config": { type: "string" },
            "seed-config": { type: "string" },
        });
        const out = requireFlag(flags.out, "out");
        if ((flags["cluster-id"] === undefined) === (flags["stack-config"] === undefined)) {
            throw new UsageError("give either --cluster-id or --stack-config");
        }
        const engine = new RecordingEngine("cluster");
        const seed = await recordSeed(engine, flags["seed-config"]);
        /* eslint-disable @typescript-eslint/no-require-imports -- programs load after the engine is installed */
        const { ConfigReader } =
            require("../../programs/config-reader") as typeof import("../../programs/config-reader");
        const { loadClusterSpec } =
            require("../../programs/cluster-config") as typeof import("../../programs/cluster-config");
        const { resolveClusterSpec } =
            require("../../spec/cluster-defaults") as typeof import("../../spec/cluster-defaults");
        const { clusterProgram } = require("../../programs/cluster") as typeof import("../../programs/cluster");
        /* eslint-enable @typescript-eslint/no-require-imports */
        const fromFile = readConfig(flags["stack-config"]);
        let spec: ClusterSpec;
        if (fromFile !== undefined) {
            spec = loadClusterSpec(new ConfigReader(fromFile));
        } else {
            const id = flags["cluster-id"]!;
            spec = resolveClusterSpec({
                clusterId: id,
                project: flags.project ?? id,
                seedStack: RENDER_SEED_STACK,
                seedKubeconfig: pulumi.secret("<secret>"),
                userKubeconfig: pulumi.secret("<secret>"),
                gateway: { externalHostnames: [flags.hostname ?? `mla-${id}.example.com`] },
            });
        }
        engine.setStackOutputs(spec.seedStack, seed.outputs);
        engine.setStackOutputs(projectStackName(spec.seedStack, spec.project), {
            [PROJECT_ORG_ID_OUTPUT]: RENDER_ORG_ID,
        });
        engine.reset();
        await resolveOutputs(await clusterProgram(spec));
        const files = manifestFiles(await engine.settled());
        for (const path of writeFiles(out, Object.fromEntries(files.map((f) => [f.path, f.content]))))
            io.out(`${path}\n`);
        return 0;
    },
};
