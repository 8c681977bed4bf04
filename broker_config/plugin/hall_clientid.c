/*
 * hall_clientid: a Mosquitto 2.0 plugin that binds client ids to accounts and holds each account to a
 * rate of commands.
 *
 * A client may connect only with a client id that is its username, or its username followed by "."
 * and anything (so one account can hold several connections at once: `staff.3f2a…` for each run of
 * the `hall` command). Any other client id is refused at CONNECT. Without this, any account could
 * connect with another account's client id, and Mosquitto would close that account's connection to
 * make room: a display account could keep the content service off the broker. Account names have no
 * "." (`hall broker-config` refuses one), so no account can name a client id of another.
 *
 * It also holds each account to a rate of commands (publishes to hall/v1/<centre>/cmd/...): a bucket
 * of `plugin_opt_command_burst` commands (default 120) that refills at `plugin_opt_command_rate` a
 * second (default 20), counted per account whatever its connections. A command past it is refused as
 * the ACL refuses one (MQTT 5: PUBACK "not authorized"; QoS 0: dropped), before the broker stores or
 * queues it. The broker has no flow control over QoS 0 publishes, and queues every command for the one
 * content service in arrival order: without this, one stolen kiosk publishing as fast as it can fills
 * that queue, and every other account's command waits behind it or is dropped with it. The rate is far
 * above what a window, a kiosk or the staff console sends; the service's own budgets (`rates` in
 * centre.yaml) then hold each account to what its work needs, with refusals it explains.
 *
 * The plugin only ever refuses: for a client id or a command it accepts it defers, and the password
 * file and the ACL decide as usual. Build: `make` (needs the Debian packages mosquitto-dev and gcc);
 * load with `plugin /path/to/hall_clientid.so` in mosquitto.conf, which `hall broker-config` writes.
 *
 * Part of the hall display system; MIT licence (see LICENSE at the repository's root).
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>

static mosquitto_plugin_id_t *plugin_id;

/* Accounts whose command rate is kept: the roster's, well within this (a full table shares buckets). */
#define ACCOUNTS 1024
#define NAME_MAX_BYTES 64

struct bucket {
	char account[NAME_MAX_BYTES + 1];
	double level;
	double at;
	double told; /* when the log last said this account was over its rate */
	unsigned long refused;
};

static struct bucket buckets[ACCOUNTS];
static double command_rate = 20.0;
static double command_burst = 120.0;

static double seconds_now(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static struct bucket *bucket_of(const char *account)
{
	uint32_t hash = 2166136261u; /* FNV-1a */
	for (const char *c = account; *c; c++) {
		hash = (hash ^ (uint8_t)*c) * 16777619u;
	}
	for (uint32_t probe = 0; probe < ACCOUNTS; probe++) {
		struct bucket *b = &buckets[(hash + probe) % ACCOUNTS];
		if (b->account[0] == '\0') {
			strncpy(b->account, account, NAME_MAX_BYTES);
			b->level = command_burst;
			b->at = seconds_now();
			return b;
		}
		if (strncmp(b->account, account, NAME_MAX_BYTES) == 0) {
			return b;
		}
	}
	return &buckets[hash % ACCOUNTS];
}

/* Whether `topic` is a command: hall/v1/<centre>/cmd/... */
static int is_command(const char *topic)
{
	const char *prefix = "hall/v1/";
	size_t n = strlen(prefix);
	if (strncmp(topic, prefix, n) != 0) {
		return 0;
	}
	const char *slash = strchr(topic + n, '/');
	return slash != NULL && strncmp(slash, "/cmd/", 5) == 0;
}

static int on_acl_check(int event, void *event_data, void *userdata)
{
	struct mosquitto_evt_acl_check *ed = event_data;
	const char *account = mosquitto_client_username(ed->client);

	(void)event;
	(void)userdata;
	if (ed->access != MOSQ_ACL_WRITE || account == NULL || ed->topic == NULL || !is_command(ed->topic)) {
		return MOSQ_ERR_PLUGIN_DEFER;
	}
	struct bucket *b = bucket_of(account);
	double now = seconds_now();
	double level = b->level + (now - b->at) * command_rate;
	b->level = level < command_burst ? level : command_burst;
	b->at = now;
	if (b->level >= 1.0) {
		b->level -= 1.0;
		return MOSQ_ERR_PLUGIN_DEFER;
	}
	b->refused++;
	if (now - b->told >= 10.0) {
		mosquitto_log_printf(MOSQ_LOG_NOTICE,
				"hall_clientid: account \"%.64s\" is past its %.0f commands a second (burst %.0f); "
				"%lu refused so far", account, command_rate, command_burst, b->refused);
		b->told = now;
	}
	return MOSQ_ERR_ACL_DENIED;
}

static double option(struct mosquitto_opt *options, int option_count, const char *key, double fallback)
{
	for (int i = 0; i < option_count; i++) {
		if (strcmp(options[i].key, key) == 0) {
			char *end = NULL;
			double value = strtod(options[i].value, &end);
			if (end != options[i].value && *end == '\0' && value >= 1.0 && value <= 1e6) {
				return value;
			}
			mosquitto_log_printf(MOSQ_LOG_WARNING, "hall_clientid: %s must be a number from 1 to 1000000; "
					"using %.0f", key, fallback);
		}
	}
	return fallback;
}

static int owns(const char *username, const char *client_id)
{
	size_t n = strlen(username);
	return strncmp(client_id, username, n) == 0 && (client_id[n] == '\0' || client_id[n] == '.');
}

static int on_basic_auth(int event, void *event_data, void *userdata)
{
	struct mosquitto_evt_basic_auth *ed = event_data;
	const char *client_id = mosquitto_client_id(ed->client);

	(void)event;
	(void)userdata;
	if (ed->username == NULL || ed->username[0] == '\0' || client_id == NULL) {
		return MOSQ_ERR_AUTH;
	}
	if (owns(ed->username, client_id)) {
		return MOSQ_ERR_PLUGIN_DEFER;
	}
	mosquitto_log_printf(MOSQ_LOG_NOTICE,
			"hall_clientid: refused client id \"%.64s\" for account \"%.64s\": it must be the account's name, "
			"or start with the name and \".\"", client_id, ed->username);
	return MOSQ_ERR_AUTH;
}

int mosquitto_plugin_version(int supported_version_count, const int *supported_versions)
{
	for (int i = 0; i < supported_version_count; i++) {
		if (supported_versions[i] == 5) {
			return 5;
		}
	}
	return -1;
}

int mosquitto_plugin_init(mosquitto_plugin_id_t *identifier, void **userdata, struct mosquitto_opt *options,
		int option_count)
{
	(void)userdata;
	plugin_id = identifier;
	command_rate = option(options, option_count, "command_rate", command_rate);
	command_burst = option(options, option_count, "command_burst", command_burst);
	int rc = mosquitto_callback_register(plugin_id, MOSQ_EVT_BASIC_AUTH, on_basic_auth, NULL, NULL);
	if (rc != MOSQ_ERR_SUCCESS) {
		return rc;
	}
	return mosquitto_callback_register(plugin_id, MOSQ_EVT_ACL_CHECK, on_acl_check, NULL, NULL);
}

int mosquitto_plugin_cleanup(void *userdata, struct mosquitto_opt *options, int option_count)
{
	(void)userdata;
	(void)options;
	(void)option_count;
	mosquitto_callback_unregister(plugin_id, MOSQ_EVT_ACL_CHECK, on_acl_check, NULL);
	return mosquitto_callback_unregister(plugin_id, MOSQ_EVT_BASIC_AUTH, on_basic_auth, NULL);
}
