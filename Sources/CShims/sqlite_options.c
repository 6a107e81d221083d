/*
 * sqlite3_db_config() is variadic, which Swift cannot call.
 *
 * octo-git's hooks are short processes: by default the last connection to close checkpoints the
 * write-ahead log into the database and syncs both files, a cost every commit would pay. The log is
 * checkpointed anyway once it grows past SQLite's automatic threshold, so closing skips it.
 */
#include <sqlite3.h>
#include "CShims.h"

int octo_sqlite_skip_checkpoint_on_close(void *connection) {
  return sqlite3_db_config((sqlite3 *)connection, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
}
