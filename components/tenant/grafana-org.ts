/**
 * One Grafana organization per project, created through the Grafana HTTP API.
 *
 * Grafana's file provisioning cannot create organizations, so this is the one place where the
 * cluster stack calls an API: a Pulumi dynamic provider. It needs network reach from the Pulumi
 * process to Grafana (the seed output is an in-cluster URL: run `pulumi up` inside the seed network
 * or through a port-forward), or pass a known `orgId` to the Tenant and skip this resource.
 *
 * Several cluster stacks of one project share the org. Create adopts an org that already exists
 * (lookup by name). Delete removes this cluster's datasources (Grafana keeps provisioned
 * datasources after their file is deleted), then the org itself only if this resource created it
 * AND no other datasources remain in it; otherwise the org is left in place.
 */
import * as pulumi from "@pulumi/pulumi";

/** Inputs of the org resource (all plain values; the provider sees them resolved). */
export interface GrafanaOrgInputs {
    /** Grafana base URL, e.g. `http://grafana.mla.svc.cluster.local`. */
    grafanaUrl: pulumi.Input<string>;
    /** Admin basic-auth credentials `user:password` (secret). */
    adminCredentials: pulumi.Input<string>;
    /** The org name: the project. */
    name: pulumi.Input<string>;
    /** Datasource uids of this cluster; they do not count when deciding whether the org is empty. */
    ownDatasourceUids: pulumi.Input<pulumi.Input<string>[]>;
    /** Dashboards (JSON model text) to import into the org on create and update. */
    dashboards?: pulumi.Input<pulumi.Input<string>[]>;
}

/** What the provider sees: resolved inputs. */
export interface GrafanaOrgState {
    grafanaUrl: string;
    adminCredentials: string;
    name: string;
    ownDatasourceUids: string[];
    dashboards?: string[];
    /** Set by create: the org's numeric id. */
    orgId?: number;
    /** Set by create: whether this resource created the org (only then may delete remove it). */
    createdByUs?: boolean;
}

/** Calls the Grafana API; throws an error naming the call and the status on anything but 2xx/404. */
async function grafanaCall(
    state: Pick<GrafanaOrgState, "grafanaUrl" | "adminCredentials">,
    method: string,
    path: string,
    options: { body?: unknown; orgId?: number } = {},
): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = {
        authorization: `Basic ${Buffer.from(state.adminCredentials).toString("base64")}`,
        accept: "application/json",
    };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (options.orgId !== undefined) headers["x-grafana-org-id"] = String(options.orgId);
    const url = `${state.grafanaUrl.replace(/\/+$/, "")}${path}`;
    let res: Response;
    try {
        res = await fetch(url, {
            method,
            headers,
            body: options.body === undefined ? undefined : JSON.stringify(options.body),
            signal: AbortSignal.timeout(15_000),
        });
    } catch (e) {
        throw new Error(`Grafana ${method} ${path}: cannot reach ${state.grafanaUrl} (${(e as Error).message}); the Pulumi process needs network access to Grafana, or give the Tenant an orgId`);
    }
    const text = await res.text();
    if (res.status !== 404 && (res.status < 200 || res.status > 299)) {
        throw new Error(`Grafana ${method} ${path} answered ${res.status}: ${text.slice(0, 200)}`);
    }
    let body: unknown = undefined;
    try {
        body = text === "" ? undefined : JSON.parse(text);
    } catch {
        body = text;
    }
    return { status: res.status, body };
}

/** Imports each dashboard into the org, overwriting the previous version. */
async function importDashboards(state: GrafanaOrgState, orgId: number): Promise<void> {
    for (const text of state.dashboards ?? []) {
        await grafanaCall(state, "POST", "/api/dashboards/db", { orgId, body: { dashboard: JSON.parse(text), overwrite: true } });
    }
}

/** The dynamic provider; exported so tests call create/update/delete against a local server. */
export const grafanaOrgProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: GrafanaOrgState) {
        const path = `/api/orgs/name/${encodeURIComponent(inputs.name)}`;
        const found = await grafanaCall(inputs, "GET", path);
        let orgId: number;
        let createdByUs = false;
        if (found.status === 404) {
            const created = await grafanaCall(inputs, "POST", "/api/orgs", { body: { name: inputs.name } });
            if (created.status === 404) throw new Error(`Grafana POST /api/orgs answered 404: is ${inputs.grafanaUrl} a Grafana?`);
            orgId = Number(created.body?.orgId);
            createdByUs = true;
        } else {
            orgId = Number(found.body?.id);
        }
        if (!Number.isInteger(orgId)) throw new Error(`Grafana did not return an id for org "${inputs.name}"`);
        await importDashboards(inputs, orgId);
        return { id: String(orgId), outs: { ...inputs, orgId, createdByUs } };
    },

    async diff(_id: string, olds: GrafanaOrgState, news: GrafanaOrgState) {
        const replaces = olds.name !== news.name ? ["name"] : [];
        const changed =
            replaces.length > 0 ||
            olds.grafanaUrl !== news.grafanaUrl ||
            olds.adminCredentials !== news.adminCredentials ||
            JSON.stringify(olds.ownDatasourceUids) !== JSON.stringify(news.ownDatasourceUids) ||
            JSON.stringify(olds.dashboards ?? []) !== JSON.stringify(news.dashboards ?? []);
        return { changes: changed, replaces, deleteBeforeReplace: false };
    },

    async update(_id: string, olds: GrafanaOrgState, news: GrafanaOrgState) {
        const orgId = olds.orgId as number;
        await importDashboards(news, orgId);
        return { outs: { ...news, orgId, createdByUs: olds.createdByUs } };
    },

    async delete(_id: string, props: GrafanaOrgState) {
        if (props.orgId === undefined) return;
        // Grafana keeps provisioned datasources after their file is gone: remove this cluster's.
        for (const uid of props.ownDatasourceUids) {
            await grafanaCall(props, "DELETE", `/api/datasources/uid/${encodeURIComponent(uid)}`, { orgId: props.orgId });
        }
        if (!props.createdByUs) return;
        const list = await grafanaCall(props, "GET", "/api/datasources", { orgId: props.orgId });
        if (list.status === 404) return;
        const others = (Array.isArray(list.body) ? list.body : []).filter(
            (d: { uid?: string }) => !props.ownDatasourceUids.includes(String(d.uid)),
        );
        // Another cluster of the project still uses the org: leave it to the last one out.
        if (others.length > 0) return;
        await grafanaCall(props, "DELETE", `/api/orgs/${props.orgId}`);
    },
};

/** A project's Grafana org; `orgId` is what the datasources need. */
export class GrafanaOrg extends pulumi.dynamic.Resource {
    // `declare`: a class field would be re-initialised after super() and hide the engine's output.
    /** The org's numeric id. */
    declare readonly orgId: pulumi.Output<number>;
    /** Whether this resource created the org (and may delete it). */
    declare readonly createdByUs: pulumi.Output<boolean>;

    constructor(name: string, args: GrafanaOrgInputs, opts?: pulumi.CustomResourceOptions) {
        super(
            grafanaOrgProvider,
            name,
            { ...args, adminCredentials: pulumi.secret(args.adminCredentials), orgId: undefined, createdByUs: undefined },
            { ...opts, additionalSecretOutputs: ["adminCredentials"] },
            "mla",
            "GrafanaOrg",
        );
    }
}
