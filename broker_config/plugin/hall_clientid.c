/*
 * hall_clientid: a Mosquitto 2.0 plugin that binds client ids to accounts.
 *
 * A client may connect only with a client id that is its username, or its username followed by "."
 * and anything (so one account can hold several connections at once: `staff.3f2a…` for each run of
 * the `hall` command). Any other client id is refused at CONNECT. Without this, any account could
 * connect with another account's client id, and Mosquitto would close that account's connection to
 * make room: a display account could keep the content service off the broker. Account names have no
 * "." (`hall broker-config` refuses one), so no account can name a client id of another.
 *
 * The plugin only ever refuses: for a client id it accepts it defers, and the password file and the
 * ACL decide as usual. Build: `make` (needs the Debian packages mosquitto-dev and gcc); load with
 * `plugin /path/to/hall_clientid.so` in mosquitto.conf, which `hall broker-config` writes.
 *
 * Part of the hall display system; MIT licence (see LICENSE at the repository's root).
 */
#include <stddef.h>
#include <string.h>

#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>

static mosquitto_plugin_id_t *plugin_id;

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
	(void)options;
	(void)option_count;
	plugin_id = identifier;
	return mosquitto_callback_register(plugin_id, MOSQ_EVT_BASIC_AUTH, on_basic_auth, NULL, NULL);
}

int mosquitto_plugin_cleanup(void *userdata, struct mosquitto_opt *options, int option_count)
{
	(void)userdata;
	(void)options;
	(void)option_count;
	return mosquitto_callback_unregister(plugin_id, MOSQ_EVT_BASIC_AUTH, on_basic_auth, NULL);
}
