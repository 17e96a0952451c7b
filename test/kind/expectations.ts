/**
 * What the kind checks expect to find in the seed, read from the deployed configuration (the
 * cluster stack's config file and the seed's outputs) rather than written into the checks.
 */
import * as fs from "node:fs";
import { parse } from "yaml";

/** The tenant objects the cluster stack was asked to deliver. */
export interface TenantExpectations {
    /** Receiver names of the owner's Alertmanager config. */
    receivers: string[];
    /** Owner metric rule groups (Cortex ruler) and the alert names they define. */
    metricGroups: string[];
    metricAlerts: string[];
    /** Owner log rule groups (Loki ruler). */
    logGroups: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

/** Reads `mla:tenant` from a cluster stack config file; throws when a part the checks need is missing. */
export function tenantExpectations(configFile: string): TenantExpectations {
    const doc = parse(fs.readFileSync(configFile, "utf8")) as { config?: Obj };
    const tenant = doc.config?.["mla:tenant"];
    if (!isObj(tenant))
        throw new Error(
            `${configFile}: mla:tenant is missing; the checks need an owner Alertmanager config and rule groups`,
        );
    const am = typeof tenant.alertmanagerConfig === "string" ? (parse(tenant.alertmanagerConfig) as Obj) : {};
    const metricGroups = list(tenant.metricRuleGroups);
    const out: TenantExpectations = {
        receivers: list(am.receivers).map((r) => String(r.name)),
        metricGroups: metricGroups.map((g) => String(g.name)),
        metricAlerts: metricGroups
            .flatMap((g) => list(g.rules))
            .flatMap((r) => (typeof r.alert === "string" ? [r.alert] : [])),
        logGroups: list(tenant.logRuleGroups).map((g) => String(g.name)),
    };
    const missing = (Object.entries(out) as [string, string[]][]).filter(([, v]) => v.length === 0).map(([k]) => k);
    if (missing.length > 0)
        throw new Error(
            `${configFile}: mla:tenant yields no ${missing.join(", ")}; the checks need at least one of each`,
        );
    return out;
}

/** The group names of a seed output holding rule groups (`adminMetricRuleGroups`, `adminLogRuleGroups`). */
export function groupNamesOf(output: unknown): string[] {
    return list(output).map((g) => String(g.name));
}
