/**
 * Where the service's bearer tokens come from: the API token (every `/v1` route) and the metrics
 * token (`/metrics` only, for scrapers). Security defaults start closed: with no token configured
 * the service makes one rather than running open.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic-file";

/** A token and where it came from (the source is logged; the token never is). */
export interface ApiToken {
    token: string;
    source: string;
}

/** Shortest token accepted from configuration; shorter ones are guessable. */
export const MIN_TOKEN_LENGTH = 16;

/** Where one token is configured: a variable, a variable naming a file, and the generated file. */
interface TokenSources {
    what: string;
    variable: string;
    fileVariable: string;
    generated: string;
}

const API: TokenSources = {
    what: "API token",
    variable: "MLA_API_TOKEN",
    fileVariable: "MLA_API_TOKEN_FILE",
    generated: "api-token",
};
const METRICS: TokenSources = {
    what: "metrics token",
    variable: "MLA_METRICS_TOKEN",
    fileVariable: "MLA_METRICS_TOKEN_FILE",
    generated: "metrics-token",
};

/** The variable, else the file it names, else `<dataDir>/<generated>` (32 random bytes, 0600, made on first start). */
function resolveToken(sources: TokenSources, env: Record<string, string | undefined>, dataDir: string): ApiToken {
    const check = (token: string, source: string): ApiToken => {
        if (token.length < MIN_TOKEN_LENGTH)
            throw new Error(`the ${sources.what} from ${source} must be at least ${MIN_TOKEN_LENGTH} characters`);
        return { token, source };
    };
    const value = env[sources.variable];
    if (value) return check(value, sources.variable);
    const file = env[sources.fileVariable];
    if (file) return check(readFileSync(file, "utf8").trim(), file);
    const path = join(dataDir, sources.generated);
    if (!existsSync(path)) writeFileAtomic(path, `${randomBytes(32).toString("base64url")}\n`, 0o600);
    return check(readFileSync(path, "utf8").trim(), path);
}

/** The API token: `MLA_API_TOKEN`, else the file `MLA_API_TOKEN_FILE`, else `<dataDir>/api-token`. */
export function resolveApiToken(
    env: { MLA_API_TOKEN?: string; MLA_API_TOKEN_FILE?: string },
    dataDir: string,
): ApiToken {
    return resolveToken(API, env, dataDir);
}

/**
 * The metrics token: `MLA_METRICS_TOKEN`, else the file `MLA_METRICS_TOKEN_FILE`, else
 * `<dataDir>/metrics-token`. It must differ from the API token, or a scraper's credential would
 * open every route.
 */
export function resolveMetricsToken(
    env: { MLA_METRICS_TOKEN?: string; MLA_METRICS_TOKEN_FILE?: string },
    dataDir: string,
    api: ApiToken,
): ApiToken {
    const metrics = resolveToken(METRICS, env, dataDir);
    if (metrics.token === api.token)
        throw new Error(`the metrics token from ${metrics.source} equals the API token; give scrapers their own`);
    return metrics;
}
