/**
 * The environment of every child process the service starts (`pulumi`, and through it the
 * language host and provider plugins): an allow-list of what Pulumi and the backends need. The
 * service's own settings (`MLA_*`: the API token, the spec key file, ...) are never passed on,
 * nor is anything else the service happened to inherit.
 */

/** Variables passed on by exact name. */
const NAMES = [
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "TMPDIR",
    "TMP",
    "TEMP",
    "TZ",
    "LANG",
    "LANGUAGE",
    "KUBECONFIG",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "NODE_EXTRA_CA_CERTS",
    "XDG_CONFIG_HOME",
    "XDG_CACHE_HOME",
];

/**
 * Variables passed on by prefix: Pulumi's own, and the credentials of the state backends and
 * secrets providers it supports (S3/KMS, Azure Blob/Key Vault, GCS/Cloud KMS).
 */
const PREFIXES = ["PULUMI_", "LC_", "AWS_", "AZURE_", "ARM_", "GOOGLE_", "GCLOUD_", "CLOUDSDK_"];

/** Never passed on, whatever the lists above say. */
const DENIED_PREFIXES = ["MLA_"];

/** Whether `name` may reach a child process. */
export function allowedInChild(name: string): boolean {
    if (DENIED_PREFIXES.some((p) => name.startsWith(p))) return false;
    return NAMES.includes(name) || PREFIXES.some((p) => name.startsWith(p));
}

/** The allow-listed part of `source`, with `extra` (already vetted by the caller) on top. */
export function childEnvironment(
    source: NodeJS.ProcessEnv,
    extra: Record<string, string> = {},
): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(source)) {
        if (value !== undefined && allowedInChild(name)) env[name] = value;
    }
    for (const [name, value] of Object.entries(extra)) {
        if (!DENIED_PREFIXES.some((p) => name.startsWith(p))) env[name] = value;
    }
    return env;
}
