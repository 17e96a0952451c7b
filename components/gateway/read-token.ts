/**
 * The cluster's read token: the secret that the read listener requires of every request, and that
 * only this cluster's Grafana datasources hold (in `secureJsonData`, which Grafana never shows to
 * org users).
 *
 * The token never enters nginx.conf (a ConfigMap, readable by anyone who may read the namespace's
 * ConfigMaps). nginx.conf `include`s a map fragment from a file instead; in the pod that file comes
 * from the Secret `mla-gateway-read-token`, for `mla render gateway` from `--read-token-file`.
 * The fragment is a case-sensitive regex entry: nginx compares plain map strings ignoring case,
 * which would let a token be guessed in a smaller alphabet.
 */

/** What a token may look like: no character that nginx or a regex would read specially. */
export const READ_TOKEN_PATTERN = /^[A-Za-z0-9_-]{32,256}$/;
/** Characters that are safe inside the fragment (nginx string and regex); the length is the generator's or the CLI's concern. */
const SAFE_TOKEN = /^[A-Za-z0-9_-]+$/;
/** The map fragment's file name, in the Secret and next to a rendered nginx.conf. */
export const READ_TOKEN_MAP_FILE = "read-token.map";
/** The raw token's key in the Secret. */
export const READ_TOKEN_KEY = "token";

/** Problems with a token, without echoing it; empty when it is usable. */
export function readTokenProblems(token: string): string[] {
    if (READ_TOKEN_PATTERN.test(token)) return [];
    return [`read token: must be 32-256 characters of A-Z, a-z, 0-9, _ and - (got ${token.length} characters)`];
}

/**
 * The map fragment for `token` (one case-sensitive exact-match entry). Throws on a token with a
 * character nginx would misread; the message never contains the token.
 */
export function renderReadTokenMap(token: string): string {
    if (!SAFE_TOKEN.test(token))
        throw new Error(`read token: only A-Z, a-z, 0-9, _ and - are allowed (got ${token.length} characters)`);
    return `# The cluster's read token (secret). Rendered by components/gateway/read-token.ts.\n"~^${token}\\z" 1;\n`;
}

/** The map fragment that admits nobody: a gateway without a token refuses every read request. */
export const EMPTY_READ_TOKEN_MAP = "# No read token: the read listener answers 401 to every request.\n";

/** The cluster stack's secret output holding the read token (the service's health probes read it). */
export const READ_TOKEN_OUTPUT = "gatewayReadToken";
