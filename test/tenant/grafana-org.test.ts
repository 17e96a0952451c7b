import { expect } from "chai";
import { dashboardImports, organizationIgnoreChanges, organizationInputs } from "../../components/tenant/grafana-org";
import { defaultDashboardTexts } from "../../components/seed-defaults/kubernetes-dashboards";
import { type ProjectMember, memberProblems, projectStackName } from "../../spec/project-spec";

describe("Grafana org inputs (pure)", () => {
    it("puts members into sorted viewer and editor lists, no admins, and never creates users", () => {
        const members: ProjectMember[] = [
            { email: "zoe@example.com", role: "Viewer" },
            { login: "bob", role: "Editor" },
            { login: "alice", role: "Viewer" },
            { email: "carol@example.com", role: "Editor" },
        ];
        expect(organizationInputs({ project: "shop", members, adminUser: "admin" })).to.deep.equal({
            name: "shop",
            adminUser: "admin",
            createUsers: false,
            admins: [],
            editors: ["bob", "carol@example.com"],
            viewers: ["alice", "zoe@example.com"],
        });
        expect(organizationInputs({ project: "shop", members: [], adminUser: "root" })).to.deep.equal({
            name: "shop",
            adminUser: "root",
            createUsers: false,
            admins: [],
            editors: [],
            viewers: [],
        });
    });

    it("refuses Admin (in any spelling), GrafanaAdmin and unknown roles, naming each field, before building anything", () => {
        const members = [
            { login: "mallory", role: "Admin" },
            { login: "eve", role: "GrafanaAdmin" },
            { email: "trudy@example.com", role: "admin" },
            { login: "oscar", role: "Owner" },
        ] as unknown as ProjectMember[];
        expect(() => organizationInputs({ project: "shop", members, adminUser: "admin" })).to.throw(
            [
                "4 problems in tenant config:",
                '  - members[0].role must be Viewer or Editor, got "Admin": tenants are Viewer or Editor, never Admin (an org Admin can create data sources)',
                '  - members[1].role must be Viewer or Editor, got "GrafanaAdmin": tenants are Viewer or Editor, never Admin (an org Admin can create data sources)',
                '  - members[2].role must be Viewer or Editor, got "admin": tenants are Viewer or Editor, never Admin (an org Admin can create data sources)',
                '  - members[3].role must be Viewer or Editor, got "Owner"',
            ].join("\n"),
        );
    });

    it("refuses a member without or with both identities, one listed twice, unknown fields, and the seed's admin user", () => {
        const members = [
            { role: "Viewer" },
            { login: "a", email: "a@example.com", role: "Viewer" },
            { login: "Bob", role: "Viewer" },
            { login: "bob", role: "Editor" },
            { email: "not-an-email", role: "Viewer" },
            { login: "admin", role: "Viewer" },
            { login: "x", role: "Viewer", isAdmin: true },
        ] as unknown as ProjectMember[];
        expect(() => organizationInputs({ project: "shop", members, adminUser: "admin" })).to.throw(
            [
                "6 problems in tenant config:",
                "  - members[0] must have exactly one of login or email",
                "  - members[1] must have exactly one of login or email",
                '  - members[3].login lists "bob" again (first at members[2])',
                '  - members[4].email must be an email address, got "not-an-email"',
                "  - members[6].isAdmin is not a member field (login, email, role)",
                '  - members[5] is the seed\'s Grafana admin user "admin", which is managed by the seed',
            ].join("\n"),
        );
        const problems = memberProblems(members).map((p) => p.path);
        expect(problems).to.deep.equal([
            "members[0]",
            "members[1]",
            "members[3].login",
            "members[4].email",
            "members[6].isAdmin",
        ]);
    });

    it("leaves viewers and editors to the IdP's org mapping only when there are no explicit members, and never ignores admins", () => {
        expect(organizationIgnoreChanges([])).to.deep.equal(["editors", "viewers"]);
        expect(organizationIgnoreChanges([{ login: "bob", role: "Viewer" }])).to.deep.equal([]);
    });

    it("refuses a member list that is not a list", () => {
        expect(memberProblems({ login: "a", role: "Viewer" })).to.deep.equal([
            { path: "members", message: "must be a list of {login or email, role}" },
        ]);
    });

    it("names the project stack after the seed stack, in its organization and project", () => {
        expect(projectStackName("org/mla/seed-eu1", "shop")).to.equal("org/mla/seed-eu1.shop");
        expect(projectStackName("seed", "shop")).to.equal("seed.shop");
    });
});

describe("dashboard imports (pure)", () => {
    it("takes each default dashboard's uid and compact JSON model", () => {
        const imports = dashboardImports(defaultDashboardTexts());
        expect(imports.length).to.equal(defaultDashboardTexts().length).and.to.be.greaterThan(0);
        for (const [i, d] of imports.entries()) {
            const model = JSON.parse(defaultDashboardTexts()[i]);
            expect(d.uid).to.equal(model.uid);
            expect(JSON.parse(d.configJson)).to.deep.equal(model);
        }
    });

    it("refuses texts that are not JSON, lack a uid, or repeat one", () => {
        expect(() => dashboardImports(["{", '{"title":"x"}', '{"uid":"a"}', '{"uid":"a"}'])).to.throw(
            [
                "3 problems in tenant config:",
                "  - dashboards[0] is not JSON",
                "  - dashboards[1] needs a uid that is a DNS-1123 label, got undefined",
                "  - dashboards[3] repeats uid a",
            ].join("\n"),
        );
    });
});
