/**
 * What a producer of a cluster spec gives (pure schemas): identity and kubeconfigs, and any subset
 * of the rest, each missing field taking its default (`cluster-defaults.ts`). Derived from the
 * spec's schemas, so the stack config, the HTTP body and the checks share every field and bound.
 */
import { type Static, Type } from "@sinclair/typebox";
import {
    ClusterSpec,
    GatewaySpec,
    LoggingSpec,
    MonitoringSpec,
    PkiSpec,
    RateLimitSpec,
    STRICT,
    SeedApiSpec,
} from "./cluster-spec";
import { LogsLimitsSpec, MetricsLimitsSpec, RetentionSpec, TenantSpec } from "./tenant-spec";

/** The gateway's fields, each optional; a rate limit may give only its rate or its burst. */
export const GatewayInput = Type.Partial(
    Type.Object(
        {
            ...GatewaySpec.properties,
            metricsWriteLimit: Type.Partial(RateLimitSpec),
            logsWriteLimit: Type.Partial(RateLimitSpec),
            queryLimit: Type.Partial(RateLimitSpec),
        },
        STRICT,
    ),
);
export type GatewayInput = Static<typeof GatewayInput>;

export const PkiInput = Type.Partial(PkiSpec);
export const MonitoringInput = Type.Partial(MonitoringSpec);
export const LoggingInput = Type.Partial(LoggingSpec);

/** The tenant's fields, each optional; limits and retention per field. */
export const TenantInput = Type.Partial(
    Type.Object(
        {
            ...TenantSpec.properties,
            metricsLimits: Type.Partial(MetricsLimitsSpec),
            logsLimits: Type.Partial(LogsLimitsSpec),
            retention: Type.Partial(RetentionSpec),
        },
        STRICT,
    ),
);
export type TenantInput = Static<typeof TenantInput>;

/** Everything the program reads but identity and kubeconfigs, each optional: the stack config's keys. */
export const ClusterStackSettings = {
    suspended: Type.Optional(ClusterSpec.properties.suspended),
    gateway: Type.Optional(GatewayInput),
    pki: Type.Optional(PkiInput),
    monitoring: Type.Optional(MonitoringInput),
    logging: Type.Optional(LoggingInput),
    tenant: Type.Optional(TenantInput),
    seedApi: Type.Optional(SeedApiSpec),
};

/** {@link ClusterStackSettings} and the service's own setting: what the HTTP body shares with the spec. */
export const ClusterSettingsInput = {
    ...ClusterStackSettings,
    reconcilePolicy: ClusterSpec.properties.reconcilePolicy,
};

/** The input of `resolveClusterSpec`: identity and kubeconfigs required, the rest optional. */
export const ClusterSpecInput = Type.Object(
    {
        clusterId: ClusterSpec.properties.clusterId,
        project: ClusterSpec.properties.project,
        seedStack: ClusterSpec.properties.seedStack,
        seedKubeconfig: ClusterSpec.properties.seedKubeconfig,
        userKubeconfig: ClusterSpec.properties.userKubeconfig,
        ...ClusterSettingsInput,
    },
    STRICT,
);
export type ClusterSpecInput = Static<typeof ClusterSpecInput>;
