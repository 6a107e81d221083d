/*
 * Debian's libgit2 carries an SSH transport built on libssh2, and libssh2 brings OpenSSL's libcrypto:
 * 2.8 MB of the statically linked binary (see scripts/static-link.sh), for code octo-git never runs.
 *
 * octo-git never uses libgit2's network transports: fetch and push go through the git CLI, which uses the
 * user's own ssh. So the static link leaves libssh2 out and the libssh2 calls libgit2 makes are defined
 * here. libssh2_init succeeds (libgit2 calls it when it starts); every other call fails, so should libgit2
 * ever be asked for an SSH connection it reports that it could not start an SSH session: a refusal, never a
 * silent success. The definitions are hidden: a library opened later (libcurl, for HTTPS) keeps its own
 * libssh2, and a build linking libgit2 dynamically keeps the real one. The prototypes are checked against
 * libssh2's header where it is installed.
 */
#if __has_include(<libssh2.h>)
#include <libssh2.h>
#include <stddef.h>

#pragma GCC visibility push(hidden)

static const char octo_ssh_unavailable[] = "octo-git does not open SSH connections through libgit2";

int libssh2_init(int flags) {
  (void)flags;
  return 0;
}

void libssh2_exit(void) {}

LIBSSH2_SESSION *libssh2_session_init_ex(
    void *(*my_alloc)(size_t count, void **abstract), void (*my_free)(void *ptr, void **abstract),
    void *(*my_realloc)(void *ptr, size_t count, void **abstract), void *abstract) {
  (void)my_alloc, (void)my_free, (void)my_realloc, (void)abstract;
  return NULL;
}

void **libssh2_session_abstract(LIBSSH2_SESSION *session) {
  (void)session;
  return NULL;
}

int libssh2_session_handshake(LIBSSH2_SESSION *session, libssh2_socket_t sock) {
  (void)session, (void)sock;
  return LIBSSH2_ERROR_SOCKET_NONE;
}

int libssh2_session_disconnect_ex(LIBSSH2_SESSION *session, int reason, const char *description, const char *lang) {
  (void)session, (void)reason, (void)description, (void)lang;
  return LIBSSH2_ERROR_SOCKET_NONE;
}

int libssh2_session_free(LIBSSH2_SESSION *session) {
  (void)session;
  return 0;
}

const char *libssh2_hostkey_hash(LIBSSH2_SESSION *session, int hash_type) {
  (void)session, (void)hash_type;
  return NULL;
}

const char *libssh2_session_hostkey(LIBSSH2_SESSION *session, size_t *len, int *type) {
  (void)session;
  if (len != NULL) *len = 0;
  if (type != NULL) *type = LIBSSH2_HOSTKEY_TYPE_UNKNOWN;
  return NULL;
}

int libssh2_session_method_pref(LIBSSH2_SESSION *session, int method_type, const char *prefs) {
  (void)session, (void)method_type, (void)prefs;
  return LIBSSH2_ERROR_METHOD_NOT_SUPPORTED;
}

int libssh2_session_last_error(LIBSSH2_SESSION *session, char **errmsg, int *errmsg_len, int want_buf) {
  (void)session, (void)want_buf;
  if (errmsg != NULL) *errmsg = (char *)octo_ssh_unavailable;
  if (errmsg_len != NULL) *errmsg_len = (int)(sizeof octo_ssh_unavailable - 1);
  return LIBSSH2_ERROR_SOCKET_NONE;
}

void libssh2_session_set_blocking(LIBSSH2_SESSION *session, int blocking) { (void)session, (void)blocking; }

char *libssh2_userauth_list(LIBSSH2_SESSION *session, const char *username, unsigned int username_len) {
  (void)session, (void)username, (void)username_len;
  return NULL;
}

int libssh2_userauth_authenticated(LIBSSH2_SESSION *session) {
  (void)session;
  return 0;
}

int libssh2_userauth_password_ex(
    LIBSSH2_SESSION *session, const char *username, unsigned int username_len, const char *password,
    unsigned int password_len, LIBSSH2_PASSWD_CHANGEREQ_FUNC((*passwd_change_cb))) {
  (void)session, (void)username, (void)username_len, (void)password, (void)password_len, (void)passwd_change_cb;
  return LIBSSH2_ERROR_AUTHENTICATION_FAILED;
}

int libssh2_userauth_publickey_fromfile_ex(
    LIBSSH2_SESSION *session, const char *username, unsigned int username_len, const char *publickey,
    const char *privatekey, const char *passphrase) {
  (void)session, (void)username, (void)username_len, (void)publickey, (void)privatekey, (void)passphrase;
  return LIBSSH2_ERROR_AUTHENTICATION_FAILED;
}

int libssh2_userauth_publickey(
    LIBSSH2_SESSION *session, const char *username, const unsigned char *pubkeydata, size_t pubkeydata_len,
    LIBSSH2_USERAUTH_PUBLICKEY_SIGN_FUNC((*sign_callback)), void **abstract) {
  (void)session, (void)username, (void)pubkeydata, (void)pubkeydata_len, (void)sign_callback, (void)abstract;
  return LIBSSH2_ERROR_AUTHENTICATION_FAILED;
}

int libssh2_userauth_publickey_frommemory(
    LIBSSH2_SESSION *session, const char *username, size_t username_len, const char *publickeyfiledata,
    size_t publickeyfiledata_len, const char *privatekeyfiledata, size_t privatekeyfiledata_len,
    const char *passphrase) {
  (void)session, (void)username, (void)username_len, (void)publickeyfiledata, (void)publickeyfiledata_len;
  (void)privatekeyfiledata, (void)privatekeyfiledata_len, (void)passphrase;
  return LIBSSH2_ERROR_AUTHENTICATION_FAILED;
}

int libssh2_userauth_keyboard_interactive_ex(
    LIBSSH2_SESSION *session, const char *username, unsigned int username_len,
    LIBSSH2_USERAUTH_KBDINT_RESPONSE_FUNC((*response_callback))) {
  (void)session, (void)username, (void)username_len, (void)response_callback;
  return LIBSSH2_ERROR_AUTHENTICATION_FAILED;
}

LIBSSH2_CHANNEL *libssh2_channel_open_ex(
    LIBSSH2_SESSION *session, const char *channel_type, unsigned int channel_type_len, unsigned int window_size,
    unsigned int packet_size, const char *message, unsigned int message_len) {
  (void)session, (void)channel_type, (void)channel_type_len, (void)window_size, (void)packet_size;
  (void)message, (void)message_len;
  return NULL;
}

int libssh2_channel_process_startup(
    LIBSSH2_CHANNEL *channel, const char *request, unsigned int request_len, const char *message,
    unsigned int message_len) {
  (void)channel, (void)request, (void)request_len, (void)message, (void)message_len;
  return LIBSSH2_ERROR_CHANNEL_FAILURE;
}

ssize_t libssh2_channel_read_ex(LIBSSH2_CHANNEL *channel, int stream_id, char *buf, size_t buflen) {
  (void)channel, (void)stream_id, (void)buf, (void)buflen;
  return LIBSSH2_ERROR_CHANNEL_FAILURE;
}

ssize_t libssh2_channel_write_ex(LIBSSH2_CHANNEL *channel, int stream_id, const char *buf, size_t buflen) {
  (void)channel, (void)stream_id, (void)buf, (void)buflen;
  return LIBSSH2_ERROR_CHANNEL_FAILURE;
}

void libssh2_channel_set_blocking(LIBSSH2_CHANNEL *channel, int blocking) { (void)channel, (void)blocking; }

int libssh2_channel_close(LIBSSH2_CHANNEL *channel) {
  (void)channel;
  return 0;
}

int libssh2_channel_free(LIBSSH2_CHANNEL *channel) {
  (void)channel;
  return 0;
}

LIBSSH2_KNOWNHOSTS *libssh2_knownhost_init(LIBSSH2_SESSION *session) {
  (void)session;
  return NULL;
}

int libssh2_knownhost_checkp(
    LIBSSH2_KNOWNHOSTS *hosts, const char *host, int port, const char *key, size_t keylen, int typemask,
    struct libssh2_knownhost **knownhost) {
  (void)hosts, (void)host, (void)port, (void)key, (void)keylen, (void)typemask;
  if (knownhost != NULL) *knownhost = NULL;
  return LIBSSH2_KNOWNHOST_CHECK_FAILURE;
}

void libssh2_knownhost_free(LIBSSH2_KNOWNHOSTS *hosts) { (void)hosts; }

int libssh2_knownhost_readfile(LIBSSH2_KNOWNHOSTS *hosts, const char *filename, int type) {
  (void)hosts, (void)filename, (void)type;
  return LIBSSH2_ERROR_FILE;
}

LIBSSH2_AGENT *libssh2_agent_init(LIBSSH2_SESSION *session) {
  (void)session;
  return NULL;
}

int libssh2_agent_connect(LIBSSH2_AGENT *agent) {
  (void)agent;
  return LIBSSH2_ERROR_AGENT_PROTOCOL;
}

int libssh2_agent_list_identities(LIBSSH2_AGENT *agent) {
  (void)agent;
  return LIBSSH2_ERROR_AGENT_PROTOCOL;
}

int libssh2_agent_get_identity(
    LIBSSH2_AGENT *agent, struct libssh2_agent_publickey **store, struct libssh2_agent_publickey *prev) {
  (void)agent, (void)prev;
  if (store != NULL) *store = NULL;
  return LIBSSH2_ERROR_AGENT_PROTOCOL;
}

int libssh2_agent_userauth(LIBSSH2_AGENT *agent, const char *username, struct libssh2_agent_publickey *identity) {
  (void)agent, (void)username, (void)identity;
  return LIBSSH2_ERROR_AGENT_PROTOCOL;
}

int libssh2_agent_disconnect(LIBSSH2_AGENT *agent) {
  (void)agent;
  return 0;
}

void libssh2_agent_free(LIBSSH2_AGENT *agent) { (void)agent; }

#pragma GCC visibility pop
#endif
