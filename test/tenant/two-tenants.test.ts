import { expect } from "chai";
import { parse } from "yaml";
import type { MergerScriptArgs } from "../../components/seed/overrides-merger-script";
import { TENANT_ID_LABEL } from "../../spec/tenant-delivery";
import { TENANT_DELIVERY_CONVENTIONS } from "../../spec/tenant-delivery";
import { tenantConfigMaps } from "../../components/tenant/tenant-config-maps";
import { MergerHarness, requireMergerTools } from "../support/fake-kubectl";
import { installMocks, ofType, resetResources, settledResources } from "../support/mocks";
import { validTenant } from "./tenant-fixture";

installMocks();
// Imported after the mocks, as the Pulumi docs require (TypeScript emits imports in source order).
import { Tenant } from "../../components/tenant/tenant";
import { type TenantSpec } from "../../spec/tenant-spec";

const A = "tenant-a";
/** B's ConfigMaps sort BEFORE A's, so A's section moves in the merged file while B comes and goes. */
const B = "b-cluster";
const GATEWAY = { service: "mla-gateway-read", port: 8080 };

type Backend = "cortex" | "loki";
const ROLE: Record<Backend, string> = { cortex: "cortex-overrides", loki: "loki-overrides" };
const DATA_KEY: Record<Backend, string> = {
    cortex: TENANT_DELIVERY_CONVENTIONS.cortexOverrides.dataKey,
    loki: TENANT_DELIVERY_CONVENTIONS.lokiOverrides.dataKey,
};

function mergerArgs(backend: Backend): MergerScriptArgs {
    const [label, value] = Object.entries(TENANT_DELIVERY_CONVENTIONS[`${backend}Overrides`].labels)[0];
    return {
        namespace: "mla",
        selector: `${label}=${value}`,
        fragmentKey: DATA_KEY[backend],
        // The label the Tenant sets with its cluster id (the merger checks the fragment's key against it).
        tenantLabel: TENANT_ID_LABEL,
        targetConfigMap: `${backend}-runtime-config`,
        targetKey: "runtime.yaml",
        intervalSeconds: 30,
    };
}

/** The overrides ConfigMap of `backend` exactly as the Tenant delivers it: name, labels and fragment text. */
function overridesObject(
    clusterId: string,
    tenant: TenantSpec,
    backend: Backend,
): { name: string; labels: Record<string, string>; text: string } {
    const objects = tenantConfigMaps({ clusterId, tenant, adminMetricRuleGroups: [], adminLogRuleGroups: [] });
    const cm = objects.find((o) => o.role === ROLE[backend]);
    if (!cm) throw new Error(`no ${ROLE[backend]} object`);
    return { name: cm.name, labels: cm.labels, text: cm.data[DATA_KEY[backend]] };
}

/** `tenant`'s section of a merged runtime config: its key line and every deeper-indented line after it. */
function section(merged: string, tenant: string): string {
    const lines = merged.split("\n");
    const start = lines.indexOf(`  ${JSON.stringify(tenant)}:`);
    expect(start, `${tenant} in\n${merged}`).to.be.greaterThan(0);
    let end = start + 1;
    while (end < lines.length && lines[end].startsWith("    ")) end++;
    return lines.slice(start, end).join("\n");
}

/** B's lifecycle: added, changed (limits, retention, purge), removed. */
const B_STAGES: [string, TenantSpec | undefined][] = [
    ["added", validTenant({ retention: { metrics: "2160h", logs: "720h" } })],
    [
        "changed",
        validTenant({
            metricsLimits: { ...validTenant().metricsLimits, ingestionRate: 99, maxSeriesPerUser: 7 },
            logsLimits: { ...validTenant().logsLimits, perStreamRateLimit: "1MiB" },
            purgeOnDestroy: true,
        }),
    ],
    ["removed", undefined],
];

describe("two tenants through the real overrides merger (sh + fake kubectl)", function () {
    // Every fake kubectl call starts a node process.
    this.timeout(60_000);
    const harnesses: MergerHarness[] = [];
    before(() => requireMergerTools());
    after(() => harnesses.forEach((h) => h.cleanup()));

    for (const backend of ["cortex", "loki"] as const) {
        it(`${backend}: A's section of the merged runtime config keeps its bytes while B is added, changed and removed`, () => {
            const h = new MergerHarness(mergerArgs(backend));
            harnesses.push(h);
            const a = overridesObject(A, validTenant(), backend);
            const tenantLabel = mergerArgs(backend).tenantLabel;
            h.fragment(a.name, a.text, a.labels[tenantLabel]);
            const alone = h.runOnce();
            expect(alone.status, alone.stderr).to.equal(0);
            expect(Object.keys(parse(alone.target).overrides)).to.deep.equal([A]);
            const aSection = section(alone.target, A);
            expect(`${aSection}\n`).to.equal(a.text);

            for (const [stage, spec] of B_STAGES) {
                const b = spec ? overridesObject(B, spec, backend) : undefined;
                if (b) h.fragment(b.name, b.text, b.labels[tenantLabel]);
                else h.fragment(overridesObject(B, validTenant(), backend).name, undefined);
                const run = h.runOnce();
                expect(run.status, `${stage}: ${run.stderr}`).to.equal(0);
                expect(section(run.target, A), stage).to.equal(aSection);
                const merged = parse(run.target) as { overrides: Record<string, Record<string, unknown>> };
                expect(Object.keys(merged.overrides), stage).to.deep.equal(b ? [B, A] : [A]);
                if (b) {
                    expect(`${section(run.target, B)}\n`, stage).to.equal(b.text);
                    const own = parse(`overrides:\n${b.text}`).overrides[B];
                    expect(merged.overrides[B], stage).to.deep.equal(own);
                }
            }
            // After B is gone the file is byte-identical to A alone.
            expect(h.runOnce().target).to.equal(alone.target);
        });
    }
});

describe("two tenants: A's datasources (Tenant components under mocks)", () => {
    /** Runs Tenant A (and B, when given) and returns the recorded inputs of each tenant's datasource ConfigMap. */
    async function datasources(b?: TenantSpec): Promise<Record<string, string>> {
        resetResources();
        new Tenant("a", { clusterId: A, project: "p", tenant: validTenant(), gatewayRead: GATEWAY, orgId: 5 });
        const purge = { cortexUrl: "http://cortex-purger.mla.svc:8080", lokiUrl: "http://loki-backend.mla.svc:3100" };
        if (b) new Tenant("b", { clusterId: B, project: "p", tenant: b, gatewayRead: GATEWAY, orgId: 5, purge });
        const maps = ofType(await settledResources(), "kubernetes:core/v1:ConfigMap").filter((r) =>
            r.name.endsWith("-datasources"),
        );
        return Object.fromEntries(
            maps.map((r) => [r.inputs.metadata.name, JSON.stringify([r.inputs.metadata, r.inputs.data])]),
        );
    }

    it("A's datasource ConfigMap is identical alone and next to B added, changed and removed", async () => {
        const alone = await datasources();
        const name = `mla-datasources-${A}`;
        expect(Object.keys(alone)).to.deep.equal([name]);
        expect(alone[name]).to.contain(`prometheus-${A}`).and.not.contain(B);
        for (const [stage, spec] of B_STAGES) {
            const both = await datasources(spec);
            expect(Object.keys(both).sort(), stage).to.deep.equal(spec ? [`mla-datasources-${B}`, name] : [name]);
            expect(both[name], stage).to.equal(alone[name]);
            if (spec) expect(both[`mla-datasources-${B}`], stage).to.contain(`prometheus-${B}`).and.not.contain(A);
        }
    });
});
