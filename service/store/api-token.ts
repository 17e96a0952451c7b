/**
 * Where the API token comes from. Security defaults start closed: with no token configured the
 * service makes one rather than running open.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic-file";

/** The token and where it came from (the source is logged; the token never is). */
export interface ApiToken {
    token: string;
    source: string;
}

/** Shortest token accepted from configuration; shorter ones are guessable. */
export const MIN_TOKEN_LENGTH = 16;

/**
 * `MLA_API_TOKEN`, else the file `MLA_API_TOKEN_FILE`, else `<dataDir>/api-token` (created with
 * 32 random bytes, mode 0600, on first start).
 */
export function resolveApiToken(
    env: { MLA_API_TOKEN?: string; MLA_API_TOKEN_FILE?: string },
    dataDir: string,
): ApiToken {
    const check = (token: string, source: string): ApiToken => {
        if (token.length < MIN_TOKEN_LENGTH)
            throw new Error(`the API token from ${source} must be at least ${MIN_TOKEN_LENGTH} characters`);
        return { token, source };
    };
    if (env.MLA_API_TOKEN) return check(env.MLA_API_TOKEN, "MLA_API_TOKEN");
    if (env.MLA_API_TOKEN_FILE)
        return check(readFileSync(env.MLA_API_TOKEN_FILE, "utf8").trim(), env.MLA_API_TOKEN_FILE);
    const path = join(dataDir, "api-token");
    if (!existsSync(path)) writeFileAtomic(path, `${randomBytes(32).toString("base64url")}\n`, 0o600);
    return check(readFileSync(path, "utf8").trim(), path);
}
