/**
 * Opt-in purge: on `pulumi destroy` of a cluster stack, delete the tenant's stored data through
 * the backends' tenant-deletion APIs. Create and update do nothing; the work happens in delete.
 *
 * - Cortex: `POST /purger/delete_tenant` writes a tenant deletion mark into blocks storage; the
 *   compactor deletes the tenant's blocks after `-compactor.tenant-cleanup-delay` (default 6h),
 *   on its next cleanup cycle (`-compactor.cleanup-interval`, default 15m).
 *   `GET /purger/delete_tenant_status` reports `blocks_deleted` once that is done.
 * - Loki: `POST /loki/api/v1/delete` (compactor) with a stream selector over all time; the lines
 *   are hidden from queries at once and removed from storage after the compactor's
 *   `delete_request_cancel_period` (default 24h). The tenant needs `deletion_mode:
 *   filter-and-delete` (the tenant's overrides fragment sets it when purge is on).
 *
 * The delete call needs network reach from the Pulumi process to both endpoints.
 */
import * as pulumi from "@pulumi/pulumi";

/** Inputs of the purge resource. */
export interface TenantPurgeInputs {
    /** The tenant (cluster id). */
    tenantId: pulumi.Input<string>;
    /** Base URL of a Cortex component serving the purger API (e.g. the purger or the all-in-one). */
    cortexUrl: pulumi.Input<string>;
    /** Base URL of the Loki compactor (or backend) serving the delete API. */
    lokiUrl: pulumi.Input<string>;
    /**
     * Stream selectors whose lines are deleted, one delete request each. Defaults to
     * `{namespace=~".+"}`: every stream the log agent ships carries a namespace label.
     */
    lokiSelectors?: pulumi.Input<pulumi.Input<string>[]>;
}

/** What the provider sees: resolved inputs. */
export interface TenantPurgeState {
    tenantId: string;
    cortexUrl: string;
    lokiUrl: string;
    lokiSelectors?: string[];
}

/** Default Loki selector: matches every stream with a namespace label. */
export const DEFAULT_LOKI_SELECTORS = ['{namespace=~".+"}'];

/** One tenant-scoped request: the HTTP method, the path (with query) and the statuses that count as success. */
interface TenantRequest {
    method: "GET" | "POST";
    path: string;
    ok: number[];
}

/** One tenant-scoped call; throws with method, path and status unless the status is expected. */
async function tenantCall(base: string, tenant: string, { method, path, ok }: TenantRequest): Promise<string> {
    const url = `${base.replace(/\/+$/, "")}${path}`;
    let res: Response;
    try {
        res = await fetch(url, { method, headers: { "x-scope-orgid": tenant }, signal: AbortSignal.timeout(30_000) });
    } catch (e) {
        throw new Error(
            `purge of tenant ${tenant}: cannot reach ${base} for ${method} ${path.split("?")[0]} (${(e as Error).message})`,
            { cause: e },
        );
    }
    const text = await res.text();
    if (!ok.includes(res.status)) {
        throw new Error(
            `purge of tenant ${tenant}: ${method} ${path.split("?")[0]} answered ${res.status}: ${text.slice(0, 200)}`,
        );
    }
    return text;
}

/** The dynamic provider; exported so tests call create/update/delete against a local server. */
export const tenantPurgeProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: TenantPurgeState) {
        return { id: `purge-${inputs.tenantId}`, outs: inputs };
    },

    async diff(_id: string, olds: TenantPurgeState, news: TenantPurgeState) {
        return {
            changes: JSON.stringify(olds) !== JSON.stringify(news),
            replaces: olds.tenantId !== news.tenantId ? ["tenantId"] : [],
        };
    },

    async update(_id: string, _olds: TenantPurgeState, news: TenantPurgeState) {
        return { outs: news };
    },

    async delete(_id: string, props: TenantPurgeState) {
        const tenant = props.tenantId;
        await tenantCall(props.cortexUrl, tenant, { method: "POST", path: "/purger/delete_tenant", ok: [200] });
        const status = JSON.parse(
            await tenantCall(props.cortexUrl, tenant, {
                method: "GET",
                path: "/purger/delete_tenant_status",
                ok: [200],
            }),
        );
        if (status.tenant_id !== undefined && status.tenant_id !== tenant) {
            throw new Error(`purge of tenant ${tenant}: Cortex reported the status of tenant ${status.tenant_id}`);
        }
        const end = Math.floor(Date.now() / 1000);
        for (const selector of props.lokiSelectors ?? DEFAULT_LOKI_SELECTORS) {
            const query = new URLSearchParams({ query: selector, start: "0", end: String(end) });
            await tenantCall(props.lokiUrl, tenant, {
                method: "POST",
                path: `/loki/api/v1/delete?${query}`,
                ok: [200, 204],
            });
        }
    },
};

/** Deletes the tenant's stored metrics and logs when it is destroyed. */
export class TenantPurge extends pulumi.dynamic.Resource {
    constructor(name: string, args: TenantPurgeInputs, opts?: pulumi.CustomResourceOptions) {
        super(tenantPurgeProvider, name, { ...args }, opts, "mla", "TenantPurge");
    }
}
