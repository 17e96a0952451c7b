/**
 * A cluster request as the core accepts it, and the HTTP body of `PUT /v1/clusters/{id}` and
 * `POST .../preview` (the routes validate with this schema): the spec's own input schema
 * (`spec/cluster-input.ts`) with the cluster id in the path, the seed by name and kubeconfigs as
 * text. Every field, enum and bound comes from the spec, so the body admits exactly what the
 * stack config admits; defaults and the checks are applied by `cluster-request.ts`.
 */
import { type Static, Type } from "@sinclair/typebox";
import { ClusterSettingsInput, PkiInput } from "../../spec/cluster-input";
import { DnsLabel, STRICT, StackName } from "../../spec/cluster-spec";
import { MAX_TEXT_FIELD } from "../../spec/tenant-spec";

/**
 * A kubeconfig's text. No `minLength`: an empty one is refused by the kubeconfig checks, which name
 * the field, and Ajv would count every kubeconfig's code points to enforce it (2.5 % of the event
 * loop in a profile of a `bench:service` burst). The `maxLength` is documentation: the body parser's bound,
 * stricter, is what holds (`validation-schema.ts`).
 */
const Kubeconfig = (description: string) =>
    Type.String({ maxLength: MAX_TEXT_FIELD, description: `${description} (secret; never echoed)` });

/**
 * The settings a request may carry: the stack config's, but `seedApi`. The seed's API addresses
 * are the operator's, per seed (`MLA_SEED_API_FILE`), and the org id comes from the project stack:
 * a request that could set them could send the seed's Grafana admin login, or the purge's
 * requests, to a host of its choosing, or put its datasources into another project's org.
 */
const { seedApi: _operatorsOnly, ...RequestSettings } = ClusterSettingsInput;

/** The body of a cluster create/update or preview request. */
export const ClusterBody = Type.Object(
    {
        project: DnsLabel,
        seed: StackName,
        userKubeconfig: Kubeconfig("Kubeconfig of the user cluster"),
        seedKubeconfig: Type.Optional(
            Kubeconfig("Kubeconfig of the seed; defaults to the file MLA_SEED_KUBECONFIG_DIR/<seed>.yaml"),
        ),
        ...RequestSettings,
        // Credentials are rotated through POST .../rotate-credentials, not set in a body.
        pki: Type.Optional(Type.Omit(PkiInput, ["credentialsGeneration"])),
    },
    STRICT,
);

/** A validated request body. */
export type ClusterBody = Static<typeof ClusterBody>;
