/** The service's two tokens: the metrics token is generated closed, and may not be short or equal the API token. */
import { expect } from "chai";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveApiToken, resolveMetricsToken } from "../../service/store/api-token";
import { removeDir } from "./support";

describe("service tokens", () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "mla-tokens-"))));
    afterEach(() => removeDir(dir));

    it("generates distinct 0600 API and metrics tokens, and reuses them on the next start", () => {
        const api = resolveApiToken({}, dir);
        const metrics = resolveMetricsToken({}, dir, api);
        expect(metrics.source).to.equal(join(dir, "metrics-token"));
        expect(statSync(metrics.source).mode & 0o777).to.equal(0o600);
        expect(metrics.token).to.have.length.of.at.least(40).and.not.equal(api.token);
        expect(resolveMetricsToken({}, dir, api).token).to.equal(readFileSync(metrics.source, "utf8").trim());
    });

    it("refuses a metrics token equal to the API token, or shorter than 16 characters, naming its source", () => {
        const api = resolveApiToken({ MLA_API_TOKEN: "same-token-0123456789" }, dir);
        expect(() => resolveMetricsToken({ MLA_METRICS_TOKEN: "same-token-0123456789" }, dir, api)).to.throw(
            "the metrics token from MLA_METRICS_TOKEN equals the API token",
        );
        expect(() => resolveMetricsToken({ MLA_METRICS_TOKEN: "short" }, dir, api)).to.throw(
            "the metrics token from MLA_METRICS_TOKEN must be at least 16 characters",
        );
    });
});
