/**
 * Receiver checks for owner Alertmanager configs: only the integrations Alertmanager knows, and
 * for each of them only its documented top-level fields (Alertmanager configuration reference,
 * `<receiver>` and `<*_config>` sections). The Alertmanager refuses unknown keys when it loads the
 * file, which for a tenant config happens long after `pulumi up`; naming the key here is kinder.
 */

const COMMON = ["send_resolved", "http_config"];

/** Top-level fields of each integration, by its receiver key. */
export const INTEGRATION_FIELDS: Record<string, readonly string[]> = {
    webhook_configs: [...COMMON, "url", "url_file", "max_alerts", "timeout"],
    email_configs: [
        "send_resolved",
        "to",
        "from",
        "smarthost",
        "hello",
        "auth_username",
        "auth_password",
        "auth_password_file",
        "auth_secret",
        "auth_identity",
        "require_tls",
        "tls_config",
        "html",
        "text",
        "headers",
    ],
    slack_configs: [
        ...COMMON,
        "api_url",
        "api_url_file",
        "channel",
        "username",
        "color",
        "title",
        "title_link",
        "pretext",
        "text",
        "fields",
        "short_fields",
        "footer",
        "fallback",
        "callback_id",
        "icon_emoji",
        "icon_url",
        "image_url",
        "thumb_url",
        "link_names",
        "mrkdwn_in",
        "actions",
    ],
    pagerduty_configs: [
        ...COMMON,
        "routing_key",
        "routing_key_file",
        "service_key",
        "service_key_file",
        "url",
        "client",
        "client_url",
        "description",
        "details",
        "images",
        "links",
        "source",
        "severity",
        "class",
        "component",
        "group",
    ],
    opsgenie_configs: [
        ...COMMON,
        "api_key",
        "api_key_file",
        "api_url",
        "message",
        "description",
        "source",
        "details",
        "entity",
        "responders",
        "actions",
        "tags",
        "note",
        "priority",
        "update_alerts",
    ],
    msteams_configs: [...COMMON, "webhook_url", "webhook_url_file", "title", "summary", "text"],
    telegram_configs: [
        ...COMMON,
        "api_url",
        "bot_token",
        "bot_token_file",
        "chat_id",
        "message_thread_id",
        "message",
        "disable_notifications",
        "parse_mode",
    ],
    discord_configs: [...COMMON, "webhook_url", "webhook_url_file", "title", "message"],
    wechat_configs: [
        ...COMMON,
        "api_secret",
        "api_url",
        "corp_id",
        "message",
        "message_type",
        "agent_id",
        "to_user",
        "to_party",
        "to_tag",
    ],
    victorops_configs: [
        ...COMMON,
        "api_key",
        "api_key_file",
        "api_url",
        "routing_key",
        "message_type",
        "entity_display_name",
        "state_message",
        "monitoring_tool",
        "custom_fields",
    ],
    pushover_configs: [
        ...COMMON,
        "user_key",
        "user_key_file",
        "token",
        "token_file",
        "title",
        "message",
        "url",
        "url_title",
        "device",
        "sound",
        "priority",
        "retry",
        "expire",
        "ttl",
        "html",
    ],
    sns_configs: [
        ...COMMON,
        "api_url",
        "sigv4",
        "topic_arn",
        "phone_number",
        "target_arn",
        "subject",
        "message",
        "attributes",
    ],
    webex_configs: [...COMMON, "api_url", "room_id", "message"],
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Every unknown key of `receiver` (at `path`) and of its integrations, one message each. */
export function receiverKeyProblems(receiver: Obj, path: string): string[] {
    const label = typeof receiver.name === "string" ? `${path} (receiver "${receiver.name}")` : path;
    const problems: string[] = [];
    for (const [key, value] of Object.entries(receiver)) {
        if (key === "name") continue;
        const fields = INTEGRATION_FIELDS[key];
        if (!fields) {
            problems.push(
                `${label} has an unknown key "${key}"; a receiver has a name and integrations such as webhook_configs`,
            );
            continue;
        }
        if (!Array.isArray(value)) {
            problems.push(`${label}.${key} must be a list`);
            continue;
        }
        value.forEach((integration, i) => {
            if (!isObj(integration)) {
                problems.push(`${label}.${key}[${i}] must be a mapping`);
                return;
            }
            for (const field of Object.keys(integration)) {
                if (!fields.includes(field)) {
                    problems.push(`${label}.${key}[${i}] has an unknown key "${field}" (known: ${fields.join(", ")})`);
                }
            }
        });
    }
    return problems;
}
